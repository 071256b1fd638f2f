// `sealbridge keys …`: sealing-key management. `generate` lives here; later subcommands
// (backup, restore, import, disable) register on the same `keys` command, one line each below.
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.ts';

export interface KeysGenerateFlags {
  readonly outKey?: string;
  readonly outCert?: string;
  readonly outDir?: string;
  readonly secret?: boolean;
  readonly namespace?: string;
  readonly name?: string;
  readonly bitnamiLabel?: boolean;
  readonly write?: string;
  readonly format?: string;
  readonly commonName: string;
  readonly keySize: string;
  readonly validityDays: string;
  readonly keyFormat: string;
  readonly force?: boolean;
}

function registerGenerate(keys: Command, ctx: CliContext): void {
  keys
    .command('generate')
    .summary('create a sealing key pair (PEM files or a key Secret manifest)')
    .description(
      [
        "Generates an RSA key and a self-signed certificate like the Bitnami controller's (CA, SHA-256,",
        '10 years). Writes PEM files (--out-key and --out-cert, or --out-dir for tls.key and tls.crt),',
        'and/or a kubernetes.io/tls key Secret labelled sealbridge.io/sealing-key=active (--secret)',
        'that the controller loads. Private keys are written with mode 0600; existing files are never',
        'replaced unless --force. A summary with the key fingerprint goes to stderr.',
      ].join('\n'),
    )
    .option('--out-key <file>', 'write the private key (PEM) to FILE')
    .option('--out-cert <file>', 'write the certificate (PEM) to FILE')
    .option('--out-dir <dir>', 'write DIR/tls.key and DIR/tls.crt')
    .option('--secret', 'print a key Secret manifest (stdout, or -w FILE)')
    .option('-n, --namespace <namespace>', "with --secret: the controller's namespace (required)")
    .option(
      '--name <name>',
      'with --secret: the Secret name (default: generateName sealbridge-key-)',
    )
    .option(
      '--bitnami-label',
      "with --secret: also label it for Bitnami's controller (sealedsecrets.bitnami.com/sealed-secrets-key=active)",
    )
    .option(
      '-w, --write <file>',
      'with --secret: write the manifest to FILE (mode 0600) instead of stdout',
    )
    .addOption(
      new Option(
        '-o, --format <format>',
        'with --secret: manifest format (default: yaml, or from the -w file name)',
      ).choices(['yaml', 'json']),
    )
    .option(
      '--common-name <cn>',
      'certificate subject and issuer CN ("" for an empty DN, as Bitnami\'s)',
      'sealbridge',
    )
    .addOption(
      new Option('--key-size <bits>', 'RSA key size')
        .choices(['2048', '3072', '4096'])
        .default('4096'),
    )
    .option('--validity-days <days>', 'certificate validity in days', '3650')
    .addOption(
      new Option('--key-format <format>', 'PEM encoding of the private key file')
        .choices(['pkcs1', 'pkcs8'])
        .default('pkcs1'),
    )
    .option('--force', 'replace existing output files')
    .action(async (flags: KeysGenerateFlags) => {
      const { runKeysGenerate } = await import('../actions/keys-generate.ts');
      await runKeysGenerate(ctx, flags);
    });
}

export function register(program: Command, ctx: CliContext): void {
  const keys = program
    .command('keys')
    .summary('manage sealing keys')
    .description('Manage sealing keys.');
  registerGenerate(keys, ctx);
  // Further `keys` subcommands register here, one line each.
}
