// `sealbridge sops encrypt|decrypt|rotate|updatekeys|set|unset`: SOPS files, flag-compatible with
// sops for the common cases. Thin: the implementation is loaded lazily from src/sops.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CliContext } from '../context.ts';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

async function io(ctx: CliContext) {
  const { sopsEnvConfig } = await import('../../src/config.ts');
  return {
    cwd: ctx.cwd,
    env: sopsEnvConfig(ctx.env),
    stdin: ctx.stdin,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
  };
}

function fileOptions(cmd: Command, opts: { inPlace?: boolean } = {}): Command {
  if (opts.inPlace !== false)
    cmd.option('-i, --in-place', 'write the result back to the file instead of stdout (atomic)');
  return cmd
    .option('--output <path>', 'write the result to this file (atomic) instead of stdout')
    .option(
      '--input-type <type>',
      'input format: yaml, json, dotenv, ini or binary (default: from the extension)',
    )
    .option('--output-type <type>', 'output format (default: the input format)')
    .option(
      '--filename-override <name>',
      'treat stdin/the file as this name when choosing the format and .sops.yaml rule',
    )
    .option('--config <path>', 'the .sops.yaml to use (default: the nearest one above the file)')
    .option(
      '--indent <n>',
      'indentation of YAML/JSON output (default: .sops.yaml stores, else 4 for YAML and a tab for JSON)',
    )
    .option(
      '--pgp-key-file <file>',
      'armored PGP keys: private to decrypt, public to encrypt (repeatable; env SEALBRIDGE_PGP_KEY_FILE)',
      collect,
    );
}

function decryptOptions(cmd: Command): Command {
  return cmd.option(
    '--ignore-mac',
    'skip the MAC check (also opens files without a MAC); use only to recover a damaged file',
  );
}

function keyOptions(cmd: Command): Command {
  return cmd
    .option(
      '--age <recipients>',
      'comma-separated age recipients (age1…, age1pq1…); env SOPS_AGE_RECIPIENTS',
    )
    .option('--pgp <fingerprints>', 'comma-separated PGP fingerprints; env SOPS_PGP_FP')
    .option('--kms <arns>', 'comma-separated AWS KMS key ARNs (arn+roleArn allowed)')
    .option('--aws-profile <name>', 'AWS profile recorded with the KMS keys')
    .option('--gcp-kms <ids>', 'comma-separated GCP KMS key resource IDs')
    .option(
      '--hc-vault-transit <uris>',
      'comma-separated Vault transit key URIs (https://host:8200/v1/<engine>/keys/<name>)',
    )
    .option('--azure-kv <urls>', 'comma-separated Azure Key Vault key URLs')
    .option(
      '--shamir-secret-sharing-threshold <n>',
      'number of key groups needed to decrypt (with several key groups)',
    );
}

function ruleOptions(cmd: Command): Command {
  return cmd
    .option('--encrypted-regex <re>', 'encrypt only values whose key path matches this regex')
    .option('--unencrypted-regex <re>', 'leave values whose key path matches this regex in clear')
    .option('--encrypted-suffix <s>', 'encrypt only values under keys ending with this suffix')
    .option(
      '--unencrypted-suffix <s>',
      'leave values under keys ending with this suffix in clear (default _unencrypted)',
    )
    .option(
      '--encrypted-comment-regex <re>',
      'encrypt only values whose preceding comment matches this regex',
    )
    .option(
      '--unencrypted-comment-regex <re>',
      'leave values whose preceding comment matches this regex in clear',
    )
    .option('--mac-only-encrypted', 'compute the MAC over encrypted values only');
}

export function register(program: Command, ctx: CliContext): void {
  const sops = program
    .command('sops')
    .description('Encrypt, decrypt and maintain SOPS files (compatible with getsops/sops 3.x).');

  ruleOptions(
    keyOptions(
      fileOptions(sops.command('encrypt').argument('[file]', 'plaintext file (default: stdin)')),
    ),
  )
    .description(
      'Encrypt a plaintext file with a new data key for the given keys or the .sops.yaml rule.',
    )
    .action(async (file: string | undefined, opts: Record<string, unknown>) => {
      const { runEncrypt } = await import('../../src/sops/cli-actions.ts');
      await runEncrypt(file, opts, await io(ctx));
    });

  decryptOptions(
    fileOptions(sops.command('decrypt').argument('[file]', 'encrypted file (default: stdin)')),
  )
    .description(
      'Decrypt a SOPS file after checking its MAC; nothing is written if anything fails.',
    )
    .option(
      '--extract <path>',
      'print only the value at this tree path, e.g. \'["data"]["password"]\'',
    )
    .action(async (file: string | undefined, opts: Record<string, unknown>) => {
      const { runDecrypt } = await import('../../src/sops/cli-actions.ts');
      await runDecrypt(file, opts, await io(ctx));
    });

  decryptOptions(
    fileOptions(sops.command('rotate').argument('[file]', 'encrypted file (default: stdin)')),
  )
    .description(
      'Re-encrypt every value with a new data key (optionally adding or removing master keys).',
    )
    .option('--add-age <recipients>', 'add age recipients to the first key group')
    .option('--rm-age <recipients>', 'remove age recipients')
    .option('--add-pgp <fingerprints>', 'add PGP fingerprints to the first key group')
    .option('--rm-pgp <fingerprints>', 'remove PGP fingerprints')
    .option('--add-kms <arns>', 'add AWS KMS keys to the first key group')
    .option('--rm-kms <arns>', 'remove AWS KMS keys')
    .option('--add-gcp-kms <ids>', 'add GCP KMS keys to the first key group')
    .option('--rm-gcp-kms <ids>', 'remove GCP KMS keys')
    .option('--add-hc-vault-transit <uris>', 'add Vault transit keys to the first key group')
    .option('--rm-hc-vault-transit <uris>', 'remove Vault transit keys')
    .action(async (file: string | undefined, opts: Record<string, unknown>) => {
      const { runRotate } = await import('../../src/sops/cli-key-actions.ts');
      await runRotate(file, opts, await io(ctx));
    });

  fileOptions(sops.command('updatekeys').argument('<file>', 'encrypted file to update in place'), {
    inPlace: false,
  })
    .description(
      'Re-wrap the existing data key for the key groups of the matching .sops.yaml rule (no rotation).',
    )
    .addOption(new Option('-y, --yes', 'do not ask for confirmation'))
    .action(async (file: string, opts: Record<string, unknown>) => {
      const { runUpdateKeys } = await import('../../src/sops/cli-key-actions.ts');
      await runUpdateKeys(file, opts, await io(ctx));
    });

  decryptOptions(fileOptions(sops.command('set'), { inPlace: false }))
    .argument('<file>', 'encrypted file to change in place')
    .argument('<path>', 'tree path, e.g. \'["data"]["password"]\'')
    .argument('[value]', 'the new value as JSON, e.g. \'"secret"\' or \'{"a": 1}\'')
    .description(
      'Set one value and re-encrypt with the same data key; unchanged values keep their ciphertext.',
    )
    .option('--value-file <file>', 'read the JSON value from a file')
    .option('--value-stdin', 'read the JSON value from stdin')
    .option('--idempotent', 'do nothing when the value is already set')
    .action(
      async (
        file: string,
        path: string,
        value: string | undefined,
        opts: Record<string, unknown>,
      ) => {
        const { runSet } = await import('../../src/sops/cli-actions.ts');
        await runSet(file, path, value, opts, await io(ctx));
      },
    );

  decryptOptions(fileOptions(sops.command('unset'), { inPlace: false }))
    .argument('<file>', 'encrypted file to change in place')
    .argument('<path>', 'tree path of the value to remove')
    .description('Remove one value and re-encrypt with the same data key.')
    .option('--idempotent', 'succeed when the value is already absent')
    .action(async (file: string, path: string, opts: Record<string, unknown>) => {
      const { runUnset } = await import('../../src/sops/cli-actions.ts');
      await runUnset(file, path, opts, await io(ctx));
    });
}
