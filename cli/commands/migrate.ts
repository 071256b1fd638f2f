// `sealbridge migrate`: External Secrets Operator manifests in, Sealbridge manifests out. The work
// is in src/migrate, imported only when the command runs.
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

interface MigrateFlags {
  readonly inPlace?: boolean;
  readonly strict?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .summary('convert External Secrets Operator manifests to Sealbridge')
    .description(
      [
        'Reads manifests (multi-document YAML or JSON; files, directories searched for .yaml/.yml/.json,',
        'or stdin) and rewrites External Secrets Operator ExternalSecret, SecretStore and',
        'ClusterSecretStore documents (external-secrets.io/v1 and v1beta1) into sealbridge.io/v1alpha1.',
        'Other documents pass through unchanged; YAML comments and key order are kept.',
        '',
        'Every field or document that cannot be carried over (unsupported providers or auth methods,',
        'generators, templateFrom ConfigMaps/Secrets, syncWindows, generic targets, PushSecret,',
        'ClusterExternalSecret, templates using functions Sealbridge lacks, ...) is reported on stderr',
        'with its file, document and field path.',
      ].join('\n'),
    )
    .argument('[paths...]', 'files or directories to migrate; none or "-" reads stdin')
    .option(
      '-i, --in-place',
      'rewrite changed files in place (atomically) instead of printing to stdout',
    )
    .option(
      '--strict',
      'exit with status 2 if anything could not be carried over (with -i, no file is changed then)',
    )
    .action(async (paths: string[], flags: MigrateFlags) => {
      const { runMigrate } = await import('../../src/migrate/run.ts');
      const { atomicWrite, readStdin } = await import('../io.ts');
      await runMigrate(
        {
          cwd: ctx.cwd,
          stdout: ctx.stdout,
          stderr: ctx.stderr,
          readStdin: async () => (await readStdin(ctx)).toString('utf8'),
          writeFileAtomic: (path, text) => atomicWrite(path, text, { overwrite: true }),
        },
        { paths, inPlace: flags.inPlace === true, strict: flags.strict === true },
      );
    });
}
