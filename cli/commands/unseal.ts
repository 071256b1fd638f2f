// `sealbridge unseal`: offline, break-glass recovery. Opens SealedSecrets with private keys from
// files (PEM keys or key Secret backups, Bitnami's included) and prints the Secrets.
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.ts';
import { collectList } from '../io.ts';

export interface UnsealFlags {
  readonly privateKey?: string[];
  readonly file?: string;
  readonly output?: string;
  readonly format?: string;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('unseal')
    .summary('decrypt SealedSecrets offline with private keys (recovery)')
    .description(
      [
        'Reads SealedSecrets (sealbridge.io or bitnami.com, YAML or JSON, many documents) from stdin or',
        '-f and prints the Secrets the controller would create. Keys come from --private-key files:',
        'PEM private keys (PKCS#1 or PKCS#8) or key Secret backups, including Bitnami',
        'sealed-secrets-key Secrets and v1/Lists of them (`kubectl get secret -l ... -o yaml`).',
        'Every key given is tried, newest first, disabled ones included. The output holds secret',
        'values: -w writes it with mode 0600.',
      ].join('\n'),
    )
    .requiredOption(
      '-k, --private-key <file>',
      'private key or key Secret file; repeat it or give a comma list',
      collectList,
    )
    .option('-f, --file <file>', 'read SealedSecrets from FILE instead of stdin ("-" = stdin)')
    .option(
      '-w, --output <file>',
      'write the Secrets to FILE atomically (mode 0600) instead of stdout',
    )
    .addOption(
      new Option(
        '-o, --format <format>',
        'output format (default: yaml, or from the -w file name)',
      ).choices(['yaml', 'json']),
    )
    .action(async (flags: UnsealFlags) => {
      const { runUnseal } = await import('../actions/unseal.ts');
      await runUnseal(ctx, flags);
    });
}
