// `sealbridge cert [FILE|URL]`: what a sealing certificate is: the key fingerprint Sealbridge
// uses, subject, validity (and whether it has expired) and key size.
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.ts';
import { addControllerFlags, type ControllerFlags } from '../controller-flags.ts';

export interface CertFlags extends ControllerFlags {
  readonly cert?: string;
  readonly fetch?: boolean;
  readonly output?: string;
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('cert')
    .summary('show a sealing certificate: fingerprint, subject, validity, key size')
    .description(
      [
        'Prints facts about a sealing certificate given as an argument, --cert, or the environment',
        '(SEALBRIDGE_CERT, SEALED_SECRETS_CERT): a file, file:// or http(s):// URL. The fingerprint',
        'is SHA-256 of the public key and names the key in Sealbridge (status, key Secrets, rotate).',
        'An expired certificate is shown with expired: yes; seal refuses it.',
      ].join('\n'),
    )
    .argument('[cert]', 'certificate file or URL')
    .option('--cert <file|url>', 'certificate file or URL (same as the argument)')
    .option(
      '--fetch',
      "fetch the controller's current certificate through the API server's service proxy",
    )
    .addOption(
      new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'),
    );
  addControllerFlags(cmd).action(async (arg: string | undefined, flags: CertFlags) => {
    const { runCert } = await import('../actions/cert.ts');
    await runCert(ctx, arg, flags);
  });
}
