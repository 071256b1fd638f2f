// `sealbridge render PATH…`: manifests with SOPS-encrypted resources, SopsSecrets and SealedSecrets
// in, plain Secrets out, everything else passed through. Works as an Argo CD config-management
// plugin and as a kustomize exec plugin or KRM function (see docs/render.md). Thin: the
// implementation loads lazily from src/render.
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { collectList } from '../io.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('render')
    .summary('decrypt SOPS files, SopsSecrets and SealedSecrets in manifests into plain Secrets')
    .description(
      [
        'Reads manifests from files, directories (recursively: *.yaml, *.yml, *.json; kustomization',
        'files skipped) or stdin ("-", the default) and writes them to stdout as one YAML stream:',
        '  - SOPS-encrypted resources (a top-level sops block) are decrypted and their MAC checked;',
        '  - SopsSecrets become the Secret the controller would write;',
        '  - SealedSecrets (sealbridge.io, bitnami.com) are opened with --private-key keys;',
        '  - everything else is passed through unchanged.',
        'SOPS keys come from the environment as for `sealbridge sops` (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE,',
        'keys.txt, --pgp-key-file, AWS/GCP credentials, VAULT_TOKEN). A SopsSecret or SealedSecret the',
        'keys cannot open is passed through with a warning (the in-cluster controller opens it), or',
        'fails the command with --fail-on-undecryptable. A SOPS-encrypted resource that does not open,',
        'a MAC mismatch or malformed input always fails, and then nothing is written.',
        'A ResourceList on stdin is answered with a ResourceList (kustomize KRM exec function);',
        '--generator reads a kustomize generator config and renders the files it lists.',
      ].join('\n'),
    )
    .argument('[paths...]', 'files, directories, or "-" for stdin (default: stdin)')
    .option(
      '-k, --private-key <file>',
      'sealing key (PEM or key Secret backup) for SealedSecrets; repeat or give a comma list',
      collectList,
    )
    .option(
      '--pgp-key-file <file>',
      'armored PGP private keys for SOPS (repeatable; env SEALBRIDGE_PGP_KEY_FILE)',
      collectList,
    )
    .option(
      '-n, --namespace <ns>',
      'namespace for SopsSecrets and SealedSecrets that name none (default: $ARGOCD_APP_NAMESPACE)',
    )
    .option(
      '--fail-on-undecryptable',
      'fail when a SopsSecret or SealedSecret cannot be opened with the keys given, instead of passing it through',
    )
    .option(
      '--generator <config>',
      'kustomize exec-plugin mode: render the `files` listed in this generator config (paths relative to the current directory)',
    )
    .action(async (paths: string[], flags: Record<string, unknown>) => {
      const { runRender } = await import('../../src/render/run.ts');
      await runRender(paths, flags, ctx);
    });
}
