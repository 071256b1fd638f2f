// Composition of the SopsSecret controller: the SopsSecret informer, the reconciler and a
// secondary watch on the Secrets it wrote (drift repair), with the shared SecretWriter.
//
//   main.ts:   CONTROLLER_FACTORIES = [..., sopsSecretControllers]  (options from ctx.env)
//   tests:     buildSopsSecretUnit({ client, clock, sopsSecrets, managedSecrets, writer, ... }, options)
import { readFileSync } from 'node:fs';
import type { Clock } from '../clock.ts';
import type { Env } from '../config.ts';
import { sopsControllerEnvConfig } from '../config.ts';
import { SEALBRIDGE_GROUP, SEALBRIDGE_VERSION } from '../api/group.ts';
import { SOPS_SECRET_KIND, SOPS_SECRET_PLURAL } from '../api/sops-secret.ts';
import { SealbridgeError } from '../errors.ts';
import type { KubeApi } from '../kube/client.ts';
import type { EventSink } from '../kube/events.ts';
import type { Informer } from '../kube/informer.ts';
import type { RateLimiterOptions } from '../kube/rate-limiter.ts';
import type { ResourceDescriptor } from '../kube/resources.ts';
import type { SecretObject } from '../kube/types.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { RuntimeMetrics } from '../metrics.ts';
import { cloudKeyOptionsFromEnv } from '../sops/keys/cloud-env.ts';
import type { CloudKeyOptions } from '../sops/keys/defaults.ts';
import type { KeyType } from '../sops/metadata.ts';
import type { ControllerFactory, ControllerUnit } from './factory.ts';
import { Controller } from './runner.ts';
import { SopsKeyResolver, type AmbientPolicy } from './sops-secret-keys.ts';
import { SopsSecretReconciler } from './sops-secret-reconciler.ts';
import { managedSecretOwnerKeys, type SecretWriter } from './secret-writer.ts';
import { StatusReporter, type StatusObject } from './status.ts';

export const SOPS_SECRETS: ResourceDescriptor = {
  group: SEALBRIDGE_GROUP,
  version: SEALBRIDGE_VERSION,
  plural: SOPS_SECRET_PLURAL,
  kind: SOPS_SECRET_KIND,
  namespaced: true,
};

export interface SopsSecretOptions {
  /** Key-service endpoints and Vault settings; credentials never come from here. */
  readonly cloud?: CloudKeyOptions | undefined;
  readonly defaultKeys?: { readonly namespace: string; readonly name: string } | undefined;
  readonly ambient?: AmbientPolicy | undefined;
  readonly workers?: number | undefined;
  readonly retryFailedAfterMs?: number | undefined;
  readonly decryptionOrder?: readonly KeyType[] | undefined;
}

export interface SopsSecretParts {
  readonly client: KubeApi;
  readonly clock: Clock;
  readonly sopsSecrets: Informer<StatusObject>;
  /** Metadata-only informer of managed Secrets (label sealbridge.io/managed-by). */
  readonly managedSecrets: Informer<SecretObject>;
  readonly writer: SecretWriter;
  readonly logger?: Logger | undefined;
  readonly events?: EventSink | undefined;
  readonly metrics?: RuntimeMetrics | undefined;
  readonly rateLimiter?: RateLimiterOptions | undefined;
  readonly fieldManager?: string | undefined;
}

/** The SopsSecret controller unit (for main.ts's list of units, and tests). */
export function buildSopsSecretUnit(
  parts: SopsSecretParts,
  options: SopsSecretOptions = {},
): ControllerUnit {
  const logger = parts.logger ?? silentLogger;
  const reconciler = new SopsSecretReconciler({
    sopsSecrets: parts.sopsSecrets,
    writer: parts.writer,
    status: new StatusReporter<StatusObject>({
      resource: parts.client.resource<StatusObject>(SOPS_SECRETS),
      events: parts.events,
      clock: parts.clock,
      logger,
      fieldManager: parts.fieldManager ?? 'sealbridge',
    }),
    keys: new SopsKeyResolver({
      secrets: parts.client.secrets,
      cloud: options.cloud,
      defaultKeys: options.defaultKeys,
      ambient: options.ambient,
    }),
    clock: parts.clock,
    events: parts.events,
    logger,
    retryFailedAfterMs: options.retryFailedAfterMs,
    decryptionOrder: options.decryptionOrder,
  });
  return {
    name: SOPS_SECRET_KIND,
    informers: [parts.sopsSecrets],
    createController: () =>
      new Controller({
        kind: SOPS_SECRET_KIND,
        reconciler,
        primary: parts.sopsSecrets,
        secondary: [
          {
            informer: parts.managedSecrets,
            map: (s) => managedSecretOwnerKeys(s, SOPS_SECRET_KIND),
          },
        ],
        workers: options.workers ?? 4,
        clock: parts.clock,
        logger,
        metrics: parts.metrics,
        rateLimiter: parts.rateLimiter,
      }),
  };
}

/** For src/main.ts: one line in its list of controller factories. */
export function sopsSecretControllerFactory(options: SopsSecretOptions = {}): ControllerFactory {
  return (ctx) => [
    buildSopsSecretUnit(
      {
        client: ctx.client,
        clock: ctx.clock,
        logger: ctx.logger,
        events: ctx.events,
        metrics: ctx.metrics,
        managedSecrets: ctx.managedSecrets,
        writer: ctx.secretWriter,
        sopsSecrets: ctx.informer<StatusObject>({
          source: ctx.client.resource<StatusObject>(SOPS_SECRETS),
          namespace: ctx.config.watchNamespace,
          labelSelector: ctx.config.labelSelector,
        }),
      },
      options,
    ),
  ];
}

/**
 * The factory main.ts lists: options from the process environment (sopsSecretOptionsFromEnv), CA
 * files read from disk.
 */
export const sopsSecretControllers: ControllerFactory = (ctx) =>
  sopsSecretControllerFactory(
    sopsSecretOptionsFromEnv(ctx.env ?? {}, (p) => readFileSync(p, 'utf8')),
  )(ctx);

function ambientPolicy(raw: string | undefined): AmbientPolicy {
  if (raw === undefined || raw.trim() === '*') return 'all';
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return list.length === 0 ? 'none' : list;
}

/**
 * Controller options from the environment: endpoint overrides (SEALBRIDGE_AWS_KMS_ENDPOINT, …),
 * the Vault allowlist, SEALBRIDGE_SOPS_DEFAULT_KEY_SECRET and SEALBRIDGE_SOPS_AMBIENT_NAMESPACES.
 * Credentials in the controller's environment are not key material: AWS/GCP credentials reach
 * the SDKs only as the ambient identity (subject to the namespace policy), and no Vault token
 * is read from the environment or ~/.vault-token.
 */
export function sopsSecretOptionsFromEnv(
  env: Env,
  readFile: (path: string) => string,
): SopsSecretOptions {
  const cfg = sopsControllerEnvConfig(env);
  const all = cloudKeyOptionsFromEnv(cfg.cloud, readFile);
  const cloud: CloudKeyOptions = {
    aws: { ...all.aws, credentials: undefined },
    gcp: { ...all.gcp, credentialsJson: undefined },
    vault: { ...all.vault, tokenFile: undefined },
  };
  let defaultKeys: SopsSecretOptions['defaultKeys'];
  const d = cfg.defaultKeySecret?.trim();
  if (d !== undefined && d !== '') {
    const m = /^([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(d);
    if (m === null) {
      throw new SealbridgeError(
        'INVALID_FLAG',
        'SEALBRIDGE_SOPS_DEFAULT_KEY_SECRET must be namespace/name',
        { exitCode: 2 },
      );
    }
    defaultKeys = { namespace: m[1] ?? '', name: m[2] ?? '' };
  }
  return {
    cloud,
    ambient: ambientPolicy(cfg.ambientNamespaces),
    ...(defaultKeys === undefined ? {} : { defaultKeys }),
  };
}
