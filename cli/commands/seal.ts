// `sealbridge seal`: Secret manifests in, SealedSecrets out (or one raw ciphertext with --raw, or
// items merged into an existing file with --merge-into). Flags follow kubeseal's. The work is in
// cli/actions/seal.ts, imported only when the command runs.
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.ts';
import { addControllerFlags, type ControllerFlags } from '../controller-flags.ts';
import { collectList } from '../io.ts';

export interface SealFlags extends ControllerFlags {
  readonly cert?: string;
  readonly fetchCert?: boolean;
  readonly secretFile?: string;
  readonly sealedSecretFile?: string;
  readonly format?: string;
  readonly scope?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly raw?: boolean;
  readonly fromFile?: string[];
  readonly mergeInto?: string;
  readonly allowEmptyData?: boolean;
  readonly apiVersion?: string;
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('seal')
    .summary('encrypt Secrets into SealedSecrets with the cluster certificate')
    .description(
      [
        'Reads Kubernetes Secrets (YAML or JSON, one or many documents, or a v1/List) from stdin or -f,',
        'seals every item of data and stringData (stringData wins) with the controller certificate, and',
        'prints SealedSecrets. Server-side metadata, managedFields, ownerReferences and the',
        'kubectl last-applied annotation are dropped. The ciphertext is Bitnami Sealed Secrets format.',
        '',
        'Output is YAML by default (GitOps repositories commit YAML; kubeseal defaults to JSON), or',
        'JSON with -o json; with -w FILE and no -o, a .json name means JSON.',
        '',
        'The namespace comes from the Secret or --namespace (they must agree), never from a',
        'kubeconfig, so strict and namespace-wide scopes need one of the two. With --fetch-cert the',
        'certificate comes from the controller through the API server (kubeconfig and --controller-*).',
      ].join('\n'),
    )
    .option(
      '--cert <file|url>',
      'sealing certificate: a PEM file, file:// or http(s):// URL (env SEALBRIDGE_CERT, or SEALED_SECRETS_CERT)',
    )
    .option(
      '--fetch-cert',
      "fetch the certificate from the controller through the API server's service proxy (uses the kubeconfig)",
    )
    .option('-f, --secret-file <file>', 'read Secrets from FILE instead of stdin ("-" = stdin)')
    .option(
      '-w, --sealed-secret-file <file>',
      'write the result to FILE atomically instead of stdout',
    )
    .addOption(
      new Option(
        '-o, --format <format>',
        'output format (default: yaml, or from the -w file name)',
      ).choices(['yaml', 'json']),
    )
    .addOption(
      new Option(
        '--scope <scope>',
        "strict binds to namespace and name; namespace-wide to the namespace; cluster-wide to nothing (default: from the Secret's scope annotations, else strict)",
      ).choices(['strict', 'namespace-wide', 'cluster-wide']),
    )
    .option(
      '-n, --namespace <namespace>',
      'namespace to seal for when the Secret has none (a different one on the Secret is an error)',
    )
    .option('--name <name>', 'with --raw: the Secret name the value is bound to (strict scope)')
    .option(
      '--raw',
      'encrypt one raw value (from --from-file or stdin) and print only its base64 ciphertext',
    )
    .option(
      '--from-file <[key=]path>',
      'with --raw: read the value from this file (the key is ignored)',
      collectList,
    )
    .option(
      '--merge-into <file>',
      'seal the input Secret for the SealedSecret in FILE and add or replace its items there, in place',
    )
    .option('--allow-empty-data', 'seal a Secret that has no data (normally an error)')
    .addOption(
      new Option(
        '--api-version <apiVersion>',
        "apiVersion of the output: ours, or bitnami.com/v1alpha1 for Bitnami's controller",
      )
        .choices(['sealbridge.io/v1alpha1', 'bitnami.com/v1alpha1'])
        .default('sealbridge.io/v1alpha1'),
    );
  addControllerFlags(cmd).action(async (flags: SealFlags, command: Command) => {
    const { runSeal } = await import('../actions/seal.ts');
    const apiVersionGiven = command.getOptionValueSource('apiVersion') !== 'default';
    await runSeal(ctx, flags, { apiVersionGiven });
  });
}
