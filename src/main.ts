// The controller's composition root: config → logger → metrics → Kubernetes client → informers →
// sealing keys and worker pool → controllers → HTTP servers → leader election. Every replica
// keeps warm caches and serves /v1/cert.pem, /v1/verify and /v1/rotate; only the leader
// reconciles and renews keys. shutdown() (SIGTERM) drains in-flight reconciles, releases the
// Lease so a standby takes over at once, then closes the servers and the worker pool.
//
// Controllers plug in through CONTROLLER_FACTORIES, one line per kind (see controllers/factory.ts).
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type { DestinationStream } from 'pino';
import { systemClock, type Clock } from './clock.ts';
import { kubeEnvConfig, type ControllerConfig, type Env } from './config.ts';
import type {
  ControllerContext,
  ControllerFactory,
  ControllerUnit,
  InformerRequest,
} from './controllers/factory.ts';
import type { Controller } from './controllers/runner.ts';
import { externalSecretControllerFactory } from './controllers/external-secret-controllers.ts';
import { sealedSecretControllers } from './controllers/sealed-secret-controller.ts';
import { sopsSecretControllers } from './controllers/sops-secret-controller.ts';
import { MANAGED_BY_LABEL, SecretWriter } from './controllers/secret-writer.ts';
import { createValueOpener } from './crypto/worker-pool.ts';
import { errorMessage, SealbridgeError } from './errors.ts';
import { createInformer, createKubeClient, EventRecorder, LeaderElector } from './kube/index.ts';
import type { Informer, KubeObject, SecretObject } from './kube/index.ts';
import { KeyStore } from './keys/key-store.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, createRegistry, type Registry } from './metrics.ts';
import { createApiServer, type Readiness } from './server/api-server.ts';
import { close, createMetricsServer, listen } from './server/metrics-server.ts';

/** Every controller kind, one line each. */
export const CONTROLLER_FACTORIES: readonly ControllerFactory[] = [
  sealedSecretControllers,
  externalSecretControllerFactory,
  sopsSecretControllers,
];

export interface StartOptions {
  readonly env: Env;
  /** Where JSON log lines go (default: stdout). */
  readonly logDestination?: DestinationStream | undefined;
  readonly clock?: Clock | undefined;
  /** A whole kubeconfig (tests); otherwise the usual search (flags, KUBECONFIG, in-cluster, ~/.kube). */
  readonly kubeconfigText?: string | undefined;
  readonly factories?: readonly ControllerFactory[] | undefined;
  /** How long shutdown waits for in-flight reconciles (default 25 s, under the pod's 30 s grace). */
  readonly drainDeadlineMs?: number | undefined;
}

export interface RunningController {
  readonly identity: string;
  readonly namespace: string;
  readonly apiPort: number;
  readonly metricsPort: number;
  readonly registry: Registry;
  readonly keys: KeyStore;
  isLeader(): boolean;
  readiness(): Readiness;
  /** Drains, releases the Lease, closes servers and workers. Safe to call twice. */
  shutdown(): Promise<void>;
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
  });
}

/** Runs the units' controllers and lead work until `signal` aborts, then drains them. */
async function lead(
  units: readonly ControllerUnit[],
  signal: AbortSignal,
  log: Logger,
  drainMs: number,
): Promise<void> {
  const controllers: Controller[] = units.map((u) => u.createController());
  const work = units.map((u) =>
    (u.lead?.(signal) ?? Promise.resolve()).catch((err: unknown) => {
      log.error({ unit: u.name, err: errorMessage(err) }, 'leader work failed');
    }),
  );
  await Promise.all(
    controllers.map((c) =>
      c.start(signal).catch((err: unknown) => {
        if (!signal.aborted) log.error({ err: errorMessage(err) }, 'controller did not start');
      }),
    ),
  );
  await waitForAbort(signal);
  await Promise.all(controllers.map((c) => c.stop({ deadlineMs: drainMs })));
  await Promise.all(work);
}

export async function startController(
  config: ControllerConfig,
  options: StartOptions,
): Promise<RunningController> {
  const clock = options.clock ?? systemClock;
  const logger = createLogger({
    level: config.logLevel,
    name: 'sealbridge-controller',
    ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
  });
  const registry = createRegistry({ processMetrics: true });
  const metrics = createMetrics(registry, clock);
  const { client, config: kube } = createKubeClient(
    {
      kubeconfigPath: config.kubeconfig,
      context: config.context,
      kubeconfigText: options.kubeconfigText,
      preferInCluster: true,
      observe: metrics.requestObserver(),
    },
    kubeEnvConfig(options.env),
  );
  const namespace = config.namespace ?? kube.namespace;
  const instance = config.podName ?? hostname();
  const identity = `${instance}-${randomUUID().slice(0, 8)}`;
  const events = new EventRecorder({
    events: client.events,
    clock,
    component: 'sealbridge-controller',
    instance,
    logger,
  });
  const informers: Informer<KubeObject>[] = [];
  const informer = <T extends KubeObject>(req: InformerRequest<T>): Informer<T> => {
    const i = createInformer<T>({ ...req, clock, logger, observer: metrics.informerObserver() });
    metrics.trackInformer(i);
    informers.push(i);
    return i;
  };
  const managedSecrets = informer<SecretObject>({
    source: client.secrets,
    name: 'managed-secrets',
    namespace: config.watchNamespace,
    labelSelector: MANAGED_BY_LABEL,
    metadataOnly: true,
  });
  const keys = new KeyStore({
    secrets: client.secrets,
    namespace,
    clock,
    logger,
    order: config.keyOrder,
    observer: metrics.informerObserver(),
  });
  metrics.trackInformer(keys.informer);
  const opener = createValueOpener({ threads: config.openThreads, logger });
  keys.onChange((ring) => {
    opener.setKeys(ring.keys(), config.keyOrder);
  });
  const ctx: ControllerContext = {
    config,
    env: options.env,
    client,
    clock,
    logger,
    registry,
    metrics,
    events,
    managedSecrets,
    keys,
    opener,
    informer,
    secretWriter: new SecretWriter({
      secrets: client.secrets,
      cache: managedSecrets,
      fieldManager: 'sealbridge',
    }),
  };
  const units = (options.factories ?? CONTROLLER_FACTORIES).flatMap((f) => f(ctx));
  let leading = false;
  const readiness = (): Readiness => {
    const synced = informers.every((i) => i.hasSynced()) && keys.hasSynced();
    const activeKeys = keys.keyring().size;
    return {
      ready: synced && activeKeys > 0,
      detail: {
        leader: leading,
        activeKeys,
        informers: [keys.informer, ...informers].map((i) => ({
          name: i.name,
          synced: i.hasSynced(),
        })),
      },
    };
  };
  const api = createApiServer({
    keys,
    opener,
    clock,
    logger,
    registry,
    readiness,
    verifyRatePerSecond: config.verifyRatePerSecond,
    verifyBurst: config.verifyBurst,
    acceptDeprecatedData: config.acceptDeprecatedData,
  });
  const metricsServer = createMetricsServer(registry);
  const servers: Server[] = [api, metricsServer];
  // Listen first: if a port is taken, fail before anything else runs (the process can then exit).
  let apiPort: number;
  let metricsPort: number;
  try {
    apiPort = await listen(api, config.listen.port, config.listen.host);
    metricsPort = await listen(metricsServer, config.listenMetrics.port, config.listenMetrics.host);
  } catch (err) {
    await Promise.all(servers.map((s) => close(s)));
    throw new SealbridgeError('INVALID_FLAG', `cannot listen: ${errorMessage(err)}`, {
      cause: err,
      exitCode: 2,
    });
  }
  keys.start();
  for (const i of informers) i.start();
  logger.info(
    { identity, namespace, apiPort, metricsPort, units: units.map((u) => u.name) },
    'controller started',
  );

  const run = new AbortController();
  const drainMs = options.drainDeadlineMs ?? 25_000;
  const onLead = async (signal: AbortSignal): Promise<void> => {
    leading = true;
    metrics.setLeader(true);
    try {
      await lead(units, signal, logger, drainMs);
    } finally {
      leading = false;
      metrics.setLeader(false);
    }
  };
  const done: Promise<void> = config.leaderElect
    ? new LeaderElector({
        leases: client.leases,
        namespace,
        name: config.leaderElectionId,
        identity,
        clock,
        logger,
        leaseDurationMs: config.leaseDurationMs,
        renewDeadlineMs: config.renewDeadlineMs,
        retryPeriodMs: config.retryPeriodMs,
        onStartedLeading: onLead,
      }).run(run.signal)
    : onLead(run.signal);

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info({ identity }, 'shutting down: draining work and releasing the lease');
      run.abort(new Error('shutdown'));
      await done.catch((err: unknown) => {
        logger.error({ err: errorMessage(err) }, 'leader loop failed');
      });
      const flushed = await Promise.race([
        events.flush().then(() => true),
        clock.sleep(2_000).then(() => false),
      ]);
      if (!flushed) logger.warn({}, 'some events were not written before exit');
      await Promise.all([keys.stop(), ...informers.map((i) => i.stop())]);
      await Promise.all(servers.map((s) => close(s)));
      await opener.close();
      logger.info({ identity }, 'stopped');
    })());

  return {
    identity,
    namespace,
    apiPort,
    metricsPort,
    registry,
    keys,
    isLeader: () => leading,
    readiness,
    shutdown,
  };
}
