// The external-store controllers as ControllerUnits (src/controllers/factory.ts): ExternalSecret,
// SecretStore and ClusterSecretStore. Caches (informers, parsed specs, the store index) live as
// long as the process, so a standby stays warm. Everything that talks to a store lives in a
// leadership session: the provider registry (one cached client per store), the credential
// watches and the reconcilers. A session starts with the first controller built for a term and
// ends after the term's controllers have drained: every client is then closed, which revokes the
// Vault tokens the controller created (also at shutdown, which ends the term).
import type { Clock } from '../clock.ts';
import { EXTERNAL_SECRET_KIND } from '../api/external-secret.ts';
import { CLUSTER_SECRET_STORE_KIND, SECRET_STORE_KIND } from '../api/secret-store.ts';
import type { KubeApi } from '../kube/client.ts';
import type { EventSink } from '../kube/events.ts';
import type { Informer } from '../kube/informer.ts';
import type { RateLimiterOptions } from '../kube/rate-limiter.ts';
import { objectKey, type KubeObject, type SecretObject } from '../kube/types.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { RuntimeMetrics } from '../metrics.ts';
import { KubeProviderDeps } from '../providers/kube-deps.ts';
import { createProviderMetrics } from '../providers/metrics.ts';
import type { ProviderEndpoints, ProviderOverrides, ProviderTuning } from '../providers/options.ts';
import { ProviderRegistry } from '../providers/registry.ts';
import type { ControllerUnit } from './factory.ts';
import { Controller } from './runner.ts';
import { IntactCheck } from './external-secret-intact.ts';
import { createExternalSecretMetrics } from './external-secret-metrics.ts';
import { WindowPrefetcher } from './external-secret-prefetch.ts';
import { ExternalSecretReconciler } from './external-secret-reconciler.ts';
import { DEFAULT_SCHEDULE, type ScheduleOptions } from './external-secret-schedule.ts';
import { ExternalSecretSpecCache, storeRefsOf } from './external-secret-spec.ts';
import { EsStates } from './external-secret-state.ts';
import { StoreIndex, StoreParseCache, StoreResolver, storeKey } from './external-secret-stores.ts';
import { onCredentialChange, watchStores, type Requeue } from './external-secret-watches.ts';
import { SecretStoreReconciler } from './secret-store-reconciler.ts';
import { managedSecretOwnerKeys, type SecretWriter } from './secret-writer.ts';
import { StatusReporter, type StatusObject } from './status.ts';
import {
  CLUSTER_SECRET_STORES,
  EXTERNAL_SECRETS,
  SECRET_STORES,
} from './external-secret-resources.ts';

export interface ExternalSecretParts {
  readonly client: KubeApi;
  readonly clock: Clock;
  readonly externalSecrets: Informer<StatusObject>;
  readonly secretStores: Informer<StatusObject>;
  readonly clusterSecretStores: Informer<StatusObject>;
  /** Metadata only; for ClusterSecretStore namespaceSelector conditions. */
  readonly namespaces: Informer<KubeObject>;
  /** Metadata-only informer of managed Secrets (label sealbridge.io/managed-by). */
  readonly managedSecrets: Informer<SecretObject>;
  readonly writer: SecretWriter;
  readonly logger?: Logger | undefined;
  readonly events?: EventSink | undefined;
  readonly metrics?: RuntimeMetrics | undefined;
  readonly fieldManager?: string | undefined;
  readonly rateLimiter?: RateLimiterOptions | undefined;
}

export interface ExternalSecretOptions {
  readonly providerEndpoints?: ProviderEndpoints | undefined;
  readonly providerTuning?: Partial<ProviderTuning> | undefined;
  readonly providerOverrides?: ProviderOverrides | undefined;
  /** Concurrent ExternalSecret reconciles (default 16; they mostly wait on I/O). */
  readonly workers?: number | undefined;
  /** Concurrent store validations per store kind (default 2). */
  readonly storeWorkers?: number | undefined;
  readonly schedule?: Partial<ScheduleOptions> | undefined;
  /** Store re-validation period when a store sets no refreshInterval (default 5 minutes). */
  readonly storeIntervalMs?: number | undefined;
}

/** A leadership term's store-facing parts. */
export interface ExternalSecretSession {
  readonly providers: ProviderRegistry;
  readonly credentials: KubeProviderDeps;
  readonly controllers: Map<string, Controller>;
}

export interface ExternalSecretUnits {
  readonly units: readonly ControllerUnit[];
  /** The current term's session, if this replica leads. */
  session(): ExternalSecretSession | undefined;
}

/** Waits until every controller of the term has shut down its queue and has nothing in hand. */
async function drained(s: ExternalSecretSession, clock: Clock): Promise<void> {
  for (let i = 0; i < 3_000; i++) {
    const busy = [...s.controllers.values()].some(
      (c) => !c.queue.shuttingDown || c.queue.processing() > 0,
    );
    if (!busy) return;
    await clock.sleep(10);
  }
}

export function buildExternalSecretUnits(
  parts: ExternalSecretParts,
  options: ExternalSecretOptions = {},
): ExternalSecretUnits {
  const { client, clock } = parts;
  const logger = parts.logger ?? silentLogger;
  const fieldManager = parts.fieldManager ?? 'sealbridge';
  const index = new StoreIndex();
  const states = new EsStates();
  const parser = new StoreParseCache();
  const specs = new ExternalSecretSpecCache();
  const intact = new IntactCheck({ secrets: client.secrets, cache: parts.managedSecrets });
  const esMetrics =
    parts.metrics === undefined
      ? undefined
      : createExternalSecretMetrics(parts.metrics.registry, () => states.counts());
  const refsOf = (o: KubeObject): string[] =>
    storeRefsOf(o).map((r) => storeKey(r.kind, o.metadata.namespace, r.name));
  // The store index follows ExternalSecrets whether or not this replica leads.
  parts.externalSecrets.addHandlers({
    onAdd: (o) => {
      index.set(objectKey(o), refsOf(o));
    },
    onUpdate: (_a, b) => {
      index.set(objectKey(b), refsOf(b));
    },
    onDelete: (o) => {
      index.delete(objectKey(o));
    },
  });

  let session: ExternalSecretSession | undefined;
  const requeue = (): Requeue | undefined => {
    const c = session?.controllers;
    if (c === undefined) return undefined;
    return {
      externalSecret: (key) => c.get(EXTERNAL_SECRET_KIND)?.enqueue(key, 'priority'),
      store: (kind, key) => c.get(kind)?.enqueue(key, 'priority'),
    };
  };
  const watch = {
    externalSecrets: parts.externalSecrets,
    secretStores: parts.secretStores,
    clusterSecretStores: parts.clusterSecretStores,
    index,
    states,
    parser,
    requeue,
  };
  watchStores(watch);

  const open = (): ExternalSecretSession => {
    if (session !== undefined) return session;
    const credentials = new KubeProviderDeps({
      client,
      clock,
      logger,
      observer: parts.metrics?.informerObserver(),
      onChange: (type, namespace, name) => {
        onCredentialChange(watch, type, namespace, name);
      },
    });
    const providers = new ProviderRegistry({
      kube: credentials,
      clock,
      logger,
      ...(parts.metrics === undefined
        ? {}
        : { metrics: createProviderMetrics(parts.metrics.registry) }),
      ...(options.providerTuning === undefined ? {} : { tuning: options.providerTuning }),
      ...(options.providerEndpoints === undefined ? {} : { endpoints: options.providerEndpoints }),
      ...(options.providerOverrides === undefined ? {} : { overrides: options.providerOverrides }),
    });
    session = { providers, credentials, controllers: new Map() };
    return session;
  };

  const common = (kind: string) => ({
    kind,
    clock,
    logger,
    metrics: parts.metrics,
    rateLimiter: parts.rateLimiter,
  });
  const status = (resource: typeof EXTERNAL_SECRETS) =>
    new StatusReporter<StatusObject>({
      resource: client.resource<StatusObject>(resource),
      clock,
      logger,
      fieldManager,
    });

  const esUnit: ControllerUnit = {
    name: EXTERNAL_SECRET_KIND,
    informers: [
      parts.externalSecrets,
      parts.secretStores,
      parts.clusterSecretStores,
      parts.namespaces,
      parts.managedSecrets,
    ],
    createController() {
      const s = open();
      const reconciler = new ExternalSecretReconciler({
        externalSecrets: parts.externalSecrets,
        ownedSecrets: parts.managedSecrets,
        secrets: client.secrets,
        specs,
        stores: new StoreResolver({
          secretStores: parts.secretStores,
          clusterSecretStores: parts.clusterSecretStores,
          namespaces: parts.namespaces,
          registry: s.providers,
          parser,
        }),
        writer: parts.writer,
        intact,
        status: status(EXTERNAL_SECRETS),
        states,
        clock,
        events: parts.events,
        logger,
        metrics: esMetrics,
        schedule: { ...DEFAULT_SCHEDULE, ...options.schedule },
        // Prefetching fills the shared cache; without coalescing it would only add calls.
        prefetcher:
          options.providerTuning?.coalesce === false
            ? undefined
            : new WindowPrefetcher({ index, externalSecrets: parts.externalSecrets }),
      });
      const c = new Controller({
        ...common(EXTERNAL_SECRET_KIND),
        reconciler,
        primary: parts.externalSecrets,
        secondary: [
          {
            informer: parts.managedSecrets,
            map: (o) => managedSecretOwnerKeys(o, EXTERNAL_SECRET_KIND),
          },
        ],
        alsoWaitFor: [parts.secretStores, parts.clusterSecretStores, parts.namespaces],
        workers: options.workers ?? 16,
      });
      s.controllers.set(EXTERNAL_SECRET_KIND, c);
      return c;
    },
    async lead(signal) {
      const s = open();
      // Idle clients and credential watches are dropped every 10 minutes.
      for (;;) {
        const stopped = await clock.sleep(600_000, signal).then(
          () => false,
          () => true,
        );
        if (stopped) break;
        await s.providers.sweep();
        await s.credentials.sweep();
      }
      await drained(s, clock);
      if (session === s) session = undefined;
      await s.providers.close();
      await s.credentials.close();
    },
  };

  const storeUnit = (kind: 'SecretStore' | 'ClusterSecretStore'): ControllerUnit => {
    const stores = kind === SECRET_STORE_KIND ? parts.secretStores : parts.clusterSecretStores;
    return {
      name: kind,
      informers: [stores],
      createController() {
        const s = open();
        const c = new Controller({
          ...common(kind),
          reconciler: new SecretStoreReconciler({
            kind,
            stores,
            parser,
            registry: s.providers,
            status: status(kind === SECRET_STORE_KIND ? SECRET_STORES : CLUSTER_SECRET_STORES),
            clock,
            events: parts.events,
            logger,
            defaultIntervalMs: options.storeIntervalMs,
          }),
          primary: stores,
          workers: options.storeWorkers ?? 2,
        });
        s.controllers.set(kind, c);
        return c;
      },
    };
  };

  return {
    units: [esUnit, storeUnit(SECRET_STORE_KIND), storeUnit(CLUSTER_SECRET_STORE_KIND)],
    session: () => session,
  };
}
