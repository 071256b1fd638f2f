// Entry points of the external-store controllers (ExternalSecret, SecretStore,
// ClusterSecretStore):
//  - externalSecretControllerFactory: one line in src/main.ts's CONTROLLER_FACTORIES. Uses the
//    shared managed-Secret cache and SecretWriter; settings from the environment (config.ts).
//  - createExternalSecretControllers: a self-contained set (its own informers and writer) with
//    start/stop/close, for tests and benchmarks:
//
//      const es = createExternalSecretControllers({ client, clock, logger, metrics, events });
//      es.startInformers(); await es.start();   // leads: builds controllers, starts workers
//      await es.close();                        // drains, revokes Vault tokens, stops informers
//
// Caches: ExternalSecrets and stores in full; namespaces and managed Secrets metadata only;
// credential objects one by one (metadata only). No Secret data is cached anywhere.
import { readFileSync } from 'node:fs';
import { EXTERNAL_SECRET_KIND } from '../api/external-secret.ts';
import type { Clock } from '../clock.ts';
import { externalSecretEnvConfig, providerEndpointEnvConfig } from '../config.ts';
import { SealbridgeError } from '../errors.ts';
import type { KubeApi } from '../kube/client.ts';
import type { EventSink } from '../kube/events.ts';
import { createInformer, type Informer, type InformerOptions } from '../kube/informer.ts';
import type { RateLimiterOptions } from '../kube/rate-limiter.ts';
import type { KubeObject, SecretObject } from '../kube/types.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { RuntimeMetrics } from '../metrics.ts';
import type { ProviderEndpoints } from '../providers/options.ts';
import type { ControllerFactory, ControllerUnit } from './factory.ts';
import type { Controller } from './runner.ts';
import {
  CLUSTER_SECRET_STORES,
  EXTERNAL_SECRETS,
  SECRET_STORES,
} from './external-secret-resources.ts';
import {
  buildExternalSecretUnits,
  type ExternalSecretOptions,
  type ExternalSecretSession,
} from './external-secret-units.ts';
import { MANAGED_BY_LABEL, SecretWriter } from './secret-writer.ts';
import type { StatusObject } from './status.ts';

export { CLUSTER_SECRET_STORES, EXTERNAL_SECRETS, SECRET_STORES };

/** For src/main.ts: the three units, with settings from the process environment. */
export const externalSecretControllerFactory: ControllerFactory = (ctx) => {
  const env = ctx.env ?? {};
  const endpoints = providerEndpointEnvConfig(env);
  const settings = externalSecretEnvConfig(env);
  if (endpoints.googleSdkLogging) {
    ctx.logger.warn(
      {},
      'GOOGLE_SDK_NODE_LOGGING is set: the Google client library then logs request and response bodies, secret payloads included',
    );
  }
  let gcpCaPem: string | undefined;
  if (endpoints.gcpCaFile !== undefined) {
    try {
      gcpCaPem = readFileSync(endpoints.gcpCaFile, 'utf8');
    } catch {
      throw new SealbridgeError(
        'INVALID_FLAG',
        `SEALBRIDGE_GCP_SECRETMANAGER_CA_FILE: cannot read ${endpoints.gcpCaFile}`,
        { exitCode: 2 },
      );
    }
  }
  const providerEndpoints: ProviderEndpoints = {
    ...(endpoints.awsSecretsManager === undefined
      ? {}
      : { awsSecretsManager: endpoints.awsSecretsManager }),
    ...(endpoints.awsSts === undefined ? {} : { awsSts: endpoints.awsSts }),
    ...(endpoints.gcpSecretManager === undefined
      ? {}
      : { gcpSecretManager: endpoints.gcpSecretManager }),
    ...(gcpCaPem === undefined ? {} : { gcpCaPem }),
    ...(endpoints.gcpInsecure ? { gcpInsecure: true } : {}),
  };
  const ns = ctx.config.watchNamespace;
  const cr = (resource: typeof EXTERNAL_SECRETS, namespaced: boolean) =>
    ctx.informer<StatusObject>({
      source: ctx.client.resource<StatusObject>(resource),
      ...(namespaced ? { namespace: ns } : {}),
    });
  return buildExternalSecretUnits(
    {
      client: ctx.client,
      clock: ctx.clock,
      externalSecrets: ctx.informer<StatusObject>({
        source: ctx.client.resource<StatusObject>(EXTERNAL_SECRETS),
        namespace: ns,
        labelSelector: ctx.config.labelSelector,
      }),
      secretStores: cr(SECRET_STORES, true),
      clusterSecretStores: cr(CLUSTER_SECRET_STORES, false),
      namespaces: ctx.informer<KubeObject>({ source: ctx.client.namespaces, metadataOnly: true }),
      managedSecrets: ctx.managedSecrets,
      writer: ctx.secretWriter,
      logger: ctx.logger,
      events: ctx.events,
      metrics: ctx.metrics,
    },
    {
      providerEndpoints,
      workers: settings.workers,
      storeIntervalMs: settings.storeRequeueIntervalMs,
    },
  ).units;
};

export interface ExternalSecretControllerDeps extends ExternalSecretOptions {
  readonly client: KubeApi;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  readonly metrics?: RuntimeMetrics | undefined;
  readonly events?: EventSink | undefined;
  /** Watch ExternalSecrets, SecretStores and Secrets in this namespace only. */
  readonly namespace?: string | undefined;
  /** Informer tuning (tests). */
  readonly informer?: Pick<InformerOptions<KubeObject>, 'relistPeriodMs' | 'backoff'> | undefined;
  readonly rateLimiter?: RateLimiterOptions | undefined;
  readonly fieldManager?: string | undefined;
}

export interface ExternalSecretControllers {
  readonly informers: readonly Informer<KubeObject>[];
  startInformers(): void;
  /** Leads: builds fresh controllers and starts them once every cache has synced. */
  start(signal?: AbortSignal): Promise<void>;
  ready(): boolean;
  /** Ends the term: drains the controllers, then closes every store client (revoking tokens). */
  stop(options?: { deadlineMs?: number }): Promise<void>;
  /** stop(), then stop the informers. */
  close(options?: { deadlineMs?: number }): Promise<void>;
  /** The running controllers by kind, and the term's session (tests, benchmarks). */
  readonly running:
    { readonly externalSecrets: Controller; readonly session: ExternalSecretSession } | undefined;
}

/** A self-contained set of the three controllers; see the file header. */
export function createExternalSecretControllers(
  deps: ExternalSecretControllerDeps,
): ExternalSecretControllers {
  const { client, clock } = deps;
  const logger = deps.logger ?? silentLogger;
  const common = { clock, logger, observer: deps.metrics?.informerObserver(), ...deps.informer };
  const cr = (resource: typeof EXTERNAL_SECRETS, namespaced: boolean) =>
    createInformer<StatusObject>({
      ...common,
      source: client.resource<StatusObject>(resource),
      ...(namespaced ? { namespace: deps.namespace } : {}),
    });
  const managedSecrets = createInformer<SecretObject>({
    ...common,
    name: 'managed-secrets',
    source: client.secrets,
    namespace: deps.namespace,
    metadataOnly: true,
    labelSelector: `${MANAGED_BY_LABEL}=${EXTERNAL_SECRET_KIND.toLowerCase()}`,
  });
  const built = buildExternalSecretUnits(
    {
      client,
      clock,
      externalSecrets: cr(EXTERNAL_SECRETS, true),
      secretStores: cr(SECRET_STORES, true),
      clusterSecretStores: cr(CLUSTER_SECRET_STORES, false),
      namespaces: createInformer<KubeObject>({
        ...common,
        source: client.namespaces,
        metadataOnly: true,
      }),
      managedSecrets,
      writer: new SecretWriter({
        secrets: client.secrets,
        cache: managedSecrets,
        fieldManager: deps.fieldManager ?? 'sealbridge',
      }),
      logger,
      events: deps.events,
      metrics: deps.metrics,
      fieldManager: deps.fieldManager,
      rateLimiter: deps.rateLimiter,
    },
    deps,
  );
  const informers = [...new Set(built.units.flatMap((u: ControllerUnit) => u.informers))];
  for (const i of informers) deps.metrics?.trackInformer(i);
  let term:
    { controllers: Controller[]; leadDone: Promise<void>; abort: AbortController } | undefined;

  const api: ExternalSecretControllers = {
    informers,
    get running() {
      const session = built.session();
      const es = session?.controllers.get(EXTERNAL_SECRET_KIND);
      return session === undefined || es === undefined || term === undefined
        ? undefined
        : { externalSecrets: es, session };
    },
    startInformers() {
      for (const i of informers) i.start();
    },
    async start(signal) {
      if (term !== undefined) return;
      api.startInformers();
      const controllers = built.units.map((u) => u.createController());
      const abort = new AbortController();
      const leadDone = Promise.all(
        built.units.map((u) => u.lead?.(abort.signal) ?? Promise.resolve()),
      ).then(() => undefined);
      term = { controllers, leadDone, abort };
      await Promise.all(controllers.map((c) => c.start(signal)));
    },
    ready() {
      return term !== undefined && term.controllers.every((c) => c.ready());
    },
    async stop(options) {
      const t = term;
      if (t === undefined) return;
      t.abort.abort(new Error('stopping'));
      await Promise.all(t.controllers.map((c) => c.stop(options)));
      await t.leadDone;
      term = undefined;
    },
    async close(options) {
      await api.stop(options);
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
  return api;
}
