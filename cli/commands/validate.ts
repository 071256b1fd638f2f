// `sealbridge validate FILE…`: asks the controller (through the API server's service proxy, like
// `kubeseal --validate`) whether it can open each SealedSecret, without revealing anything else.
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { addControllerFlags, type ControllerFlags } from '../controller-flags.ts';

export function register(program: Command, ctx: CliContext): void {
  addControllerFlags(
    program
      .command('validate')
      .summary('check that the controller can open SealedSecrets')
      .description(
        [
          'Sends every SealedSecret in the files (or stdin) to the controller’s /v1/verify through the',
          'API server’s service proxy and prints, per object, ok or why it cannot be opened (wrong key,',
          'scope, namespace or name). Exits 1 if any cannot be opened. Only a yes or no comes back:',
          'no value is ever revealed. The controller rate-limits this; the command waits as told.',
        ].join('\n'),
      )
      .argument(
        '[files...]',
        'manifest files (YAML or JSON, many documents); none or "-" reads stdin',
      ),
  ).action(async (files: string[], flags: ControllerFlags) => {
    const { runValidate } = await import('../actions/validate.ts');
    await runValidate(ctx, files, flags);
  });
}
