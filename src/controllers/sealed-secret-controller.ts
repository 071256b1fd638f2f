// Builds the SealedSecret controller units for main.ts: one for sealbridge.io/v1alpha1, and with
// --also-bitnami one more for bitnami.com/v1alpha1 (clusters moving over). Both share the sealing
// keys, the worker pool, the managed-Secret informer and the writer. Key changes re-queue every
// SealedSecret that is not Ready (a key that just arrived may open it). While leading, the first
// unit also imports Bitnami's keys (if asked) and renews the sealing key on schedule.
import {
  BITNAMI_API_VERSION,
  BITNAMI_GROUP,
  SEALBRIDGE_API_VERSION,
  SEALBRIDGE_GROUP,
  SEALED_SECRET_KIND,
  SEALED_SECRET_PLURAL,
  type SealedSecretApiVersion,
} from '../api/group.ts';
import { generateSealingKey } from '../crypto/keygen.ts';
import { errorMessage } from '../errors.ts';
import type { ResourceDescriptor } from '../kube/resources.ts';
import type { KubeObject } from '../kube/types.ts';
import { importBitnamiKeys } from '../keys/key-import.ts';
import { registerKeyMetrics } from '../keys/key-metrics.ts';
import { KeyRenewer } from '../keys/key-renewal.ts';
import { keyStoreSyncGate } from '../keys/key-store.ts';
import type { ControllerContext, ControllerFactory, ControllerUnit } from './factory.ts';
import { Controller } from './runner.ts';
import { createSealedSecretMetrics, type SealedSecretMetrics } from './sealed-secret-metrics.ts';
import { SealedSecretReconciler } from './sealed-secret.ts';
import { MANAGED_BY_LABEL, managedSecretOwnerKeys } from './secret-writer.ts';
import { conditionOf, StatusReporter, type StatusObject } from './status.ts';

export function sealedSecretResource(apiVersion: SealedSecretApiVersion): ResourceDescriptor {
  return {
    group: apiVersion === BITNAMI_API_VERSION ? BITNAMI_GROUP : SEALBRIDGE_GROUP,
    version: 'v1alpha1',
    plural: SEALED_SECRET_PLURAL,
    kind: SEALED_SECRET_KIND,
    namespaced: true,
  };
}

/** Managed Secret → SealedSecret keys of this apiVersion (the marker has no group: both get it). */
function ownersOf(secret: KubeObject, apiVersion: string): string[] {
  if (secret.metadata.labels?.[MANAGED_BY_LABEL] !== 'sealedsecret') return [];
  const ref = secret.metadata.ownerReferences?.find((r) => r.controller === true);
  if (ref !== undefined && ref.kind === SEALED_SECRET_KIND && ref.apiVersion !== apiVersion)
    return [];
  return managedSecretOwnerKeys(secret, SEALED_SECRET_KIND);
}

function unit(
  ctx: ControllerContext,
  apiVersion: SealedSecretApiVersion,
  metrics: SealedSecretMetrics,
): ControllerUnit {
  const { config, client } = ctx;
  const resource = sealedSecretResource(apiVersion);
  const informer = ctx.informer<KubeObject>({
    source: client.resource(resource),
    name: `sealedsecrets.${resource.group}`,
    namespace: config.watchNamespace,
    labelSelector: config.labelSelector,
  });
  metrics.track(informer);
  const status = new StatusReporter<StatusObject>({
    resource: client.resource<StatusObject>(resource),
    events: ctx.events,
    clock: ctx.clock,
    logger: ctx.logger,
  });
  const reconciler = new SealedSecretReconciler({
    cache: informer,
    apiVersion,
    writer: ctx.secretWriter,
    status,
    opener: ctx.opener,
    acceptDeprecatedData: config.acceptDeprecatedData,
    onOpened: (n) => {
      metrics.opened(n);
    },
  });
  let current: Controller | undefined;
  ctx.keys.onChange(() => {
    // A key that arrived may open what could not be opened before.
    for (const o of informer.list()) {
      if (conditionOf(o)?.status !== 'True') current?.enqueue(keyOf(o));
    }
  });
  return {
    name: `SealedSecret (${apiVersion})`,
    informers: [informer],
    createController() {
      current = new Controller({
        kind: SEALED_SECRET_KIND,
        reconciler,
        primary: informer,
        secondary: [{ informer: ctx.managedSecrets, map: (s) => ownersOf(s, apiVersion) }],
        alsoWaitFor: [keyStoreSyncGate(ctx.keys)],
        workers: config.workers,
        clock: ctx.clock,
        logger: ctx.logger,
        metrics: ctx.metrics,
        rateLimiter: { baseDelayMs: 500, maxDelayMs: 300_000, qps: 50, burst: 500 },
      });
      return current;
    },
  };
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/** Key import and renewal, run while leading. */
function keyWork(ctx: ControllerContext): (signal: AbortSignal) => Promise<void> {
  const { config } = ctx;
  const keyMetrics = registerKeyMetrics(ctx.registry, ctx.keys, ctx.clock);
  const log = ctx.logger.child({ component: 'keys' });
  const renewer = new KeyRenewer({
    store: ctx.keys,
    secrets: ctx.client.secrets,
    clock: ctx.clock,
    logger: ctx.logger,
    renewPeriodMs: config.keyRenewPeriodMs,
    cutoffTime: config.keyCutoffTime,
    keyPrefix: config.keyPrefix,
    bitnamiLabel: config.bitnamiKeyLabel,
    generate: () =>
      generateSealingKey({
        clock: ctx.clock,
        keyBits: config.keyBits,
        validityDays: config.keyValidityDays,
        commonName: config.keyCommonName,
      }),
    onGenerated: () => {
      keyMetrics.generated();
    },
  });
  return async (signal) => {
    await ctx.keys.waitForSync(signal).catch(() => undefined);
    const from = config.importBitnamiKeysFrom;
    if (from !== undefined && !signal.aborted) {
      try {
        const r = await importBitnamiKeys({
          secrets: ctx.client.secrets,
          from,
          store: ctx.keys,
          logger: ctx.logger,
          signal,
        });
        log.info({ from, ...r }, 'Bitnami key import finished');
      } catch (err) {
        log.error({ from, err: errorMessage(err) }, 'could not import Bitnami keys');
      }
    }
    await renewer.run(signal);
  };
}

export const sealedSecretControllers: ControllerFactory = (ctx) => {
  const metrics = createSealedSecretMetrics(ctx.registry);
  const ours = { ...unit(ctx, SEALBRIDGE_API_VERSION, metrics), lead: keyWork(ctx) };
  return ctx.config.alsoBitnami ? [ours, unit(ctx, BITNAMI_API_VERSION, metrics)] : [ours];
};
