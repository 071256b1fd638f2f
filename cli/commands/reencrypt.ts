// `sealbridge reencrypt FILE|DIR…`: rewrites SealedSecrets in place to the controller's newest
// key through /v1/rotate. Only the ciphertexts change; comments and formatting stay.
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { addControllerFlags, type ControllerFlags } from '../controller-flags.ts';

export interface ReencryptFlags extends ControllerFlags {
  readonly dryRun?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  addControllerFlags(
    program
      .command('reencrypt')
      .summary('re-encrypt SealedSecret files to the newest key, in place')
      .description(
        [
          'Finds SealedSecrets in the files and directories given (recursively: *.yaml, *.yml, *.json),',
          'has the controller re-encrypt them to its newest sealing key (/v1/rotate, through the API',
          'server’s service proxy; the plaintext never leaves the cluster) and rewrites each file',
          'atomically. Only ciphertexts change; comments, order and formatting stay. Values already',
          'sealed with the newest key are left as they are. Other documents are untouched.',
        ].join('\n'),
      )
      .argument('<paths...>', 'files or directories')
      .option('--dry-run', 'report what would change without writing'),
  ).action(async (paths: string[], flags: ReencryptFlags) => {
    const { runReencrypt } = await import('../actions/reencrypt.ts');
    await runReencrypt(ctx, paths, flags);
  });
}
