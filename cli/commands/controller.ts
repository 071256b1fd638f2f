// `sealbridge controller`: runs the operator, in a pod (in-cluster service account) or from a
// laptop against any cluster (--kubeconfig/--context). Every flag can also be set as
// SEALBRIDGE_<FLAG> in the environment. SIGTERM or SIGINT drains in-flight work, releases the
// leader Lease and exits. The implementation (src/main.ts) is imported only when the command runs.
import { Option, type Command } from 'commander';
import type { ControllerFlags } from '../../src/config.ts';
import type { CliContext } from '../context.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('controller')
    .summary('run the controller (SealedSecrets into Secrets, keys, HTTP API)')
    .description(
      [
        'Runs the Sealbridge controller: reconciles SealedSecrets into Secrets, keeps the sealing keys',
        '(generated at first start, renewed on schedule, watched for changes), and serves',
        '/v1/cert.pem, /v1/verify and /v1/rotate on --listen-addr and Prometheus /metrics on',
        '--listen-metrics-addr. Replicas elect a leader through a Lease; standbys serve HTTP.',
        '',
        'In a pod it uses the service account; elsewhere --kubeconfig, KUBECONFIG or ~/.kube/config.',
        'Every flag can also come from the environment as SEALBRIDGE_<FLAG>, e.g.',
        'SEALBRIDGE_KEY_RENEW_PERIOD=168h. SIGTERM drains work and releases the Lease.',
      ].join('\n'),
    )
    .option(
      '--kubeconfig <file>',
      'kubeconfig file (default: in-cluster, KUBECONFIG, ~/.kube/config)',
    )
    .option('--context <name>', 'kubeconfig context to use')
    .option(
      '--namespace <ns>',
      "the controller's own namespace, holding key Secrets and the Lease (default: POD_NAMESPACE, else the context's namespace)",
    )
    .option(
      '--watch-namespace <ns>',
      'reconcile SealedSecrets in this namespace only (default: all)',
    )
    .option(
      '--label-selector <selector>',
      'reconcile only SealedSecrets matching this label selector (sharding)',
    )
    .option(
      '--key-renew-period <duration>',
      'generate a new sealing key this often; 0 turns renewal off (default 720h)',
    )
    .option(
      '--key-cutoff-time <time>',
      'generate a new key if the newest is older than this (RFC 1123Z or RFC 3339)',
    )
    .addOption(
      new Option(
        '--key-order-priority <order>',
        'which key is newest: certificate notBefore, or Secret creation time',
      ).choices(['CertNotBefore', 'SecretCreationTimestamp']),
    )
    .option('--key-size <bits>', 'RSA size of generated keys: 2048, 3072 or 4096 (default 4096)')
    .option('--key-ttl <duration>', 'validity of generated certificates (default 87600h)')
    .option('--my-cn <name>', 'common name of generated certificates (default: empty, as Bitnami)')
    .option(
      '--key-prefix <prefix>',
      'name prefix of generated key Secrets (default sealbridge-key-)',
    )
    .option(
      '--bitnami-key-label',
      "also label generated keys for Bitnami's controller (during a migration)",
    )
    .option(
      '--import-bitnami-keys-from <ns>',
      "copy Bitnami's key Secrets from this namespace (e.g. kube-system) into --namespace at start",
    )
    .option(
      '--also-bitnami',
      'also reconcile bitnami.com/v1alpha1 SealedSecrets (clusters moving over)',
    )
    .option(
      '--accept-deprecated-v1-data <bool>',
      "accept Bitnami's deprecated whole-Secret spec.data (default true)",
    )
    .option('--listen-addr <addr>', 'address of the HTTP API and probes (default :8080)')
    .option('--listen-metrics-addr <addr>', 'address of Prometheus /metrics (default :8081)')
    .option('--rate-limit <per-second>', '/v1/verify requests per second per client (default 2)')
    .option('--rate-limit-burst <n>', '/v1/verify burst per client (default 2)')
    .option(
      '--workers <n>',
      'concurrent reconciles (default 16; RSA itself runs on --open-threads)',
    )
    .option(
      '--open-threads <n>',
      'worker threads that open sealed values (default: one per core; 0: inline)',
    )
    .option('--no-leader-elect', 'run without leader election (only ever one replica!)')
    .option(
      '--leader-election-id <name>',
      'name of the leader Lease (default sealbridge-controller)',
    )
    .option('--lease-duration <duration>', 'leader lease duration (default 15s)')
    .option('--renew-deadline <duration>', 'leader renew deadline (default 10s)')
    .option('--retry-period <duration>', 'leader retry period (default 2s)')
    .addOption(
      new Option('--log-level <level>', 'log level (default info)').choices([
        'debug',
        'info',
        'warn',
        'error',
      ]),
    )
    .action(async (flags: ControllerFlags & { leaderElect?: boolean }, command: Command) => {
      const { runController } = await import('../actions/controller.ts');
      // commander sets a --no- switch's default; only an explicit flag should win over the env.
      const given = command.getOptionValueSource('leaderElect') === 'cli';
      await runController(ctx, { ...flags, leaderElect: given ? flags.leaderElect : undefined });
    });
}
