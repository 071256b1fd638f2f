// A running SopsSecret controller for integration tests: the Kubernetes API test server, the real
// controller (informers, queue, reconciler, SecretWriter, StatusReporter, EventRecorder), a log
// capture, and `kubectlApply`, which sends an object the way kubectl does: YAML turned into JSON
// through maps (every key sorted, as sigs.k8s.io/yaml and the API server do) with the
// last-applied-configuration annotation.
import { Writable } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import { systemClock } from '../../src/clock.ts';
import { SecretWriter } from '../../src/controllers/secret-writer.ts';
import {
  buildSopsSecretUnit,
  SOPS_SECRETS,
  type SopsSecretOptions,
} from '../../src/controllers/sops-secret-controller.ts';
import type { Controller } from '../../src/controllers/runner.ts';
import type { StatusObject } from '../../src/controllers/status.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { EventRecorder } from '../../src/kube/events.ts';
import { createInformer, type Informer } from '../../src/kube/informer.ts';
import type { RateLimiterOptions } from '../../src/kube/rate-limiter.ts';
import type { EventObject, KubeObject, SecretObject } from '../../src/kube/types.ts';
import { createLogger } from '../../src/log.ts';
import { KubeTestServer, kubeClientFor, type Obj } from '../servers/kube/index.ts';

export interface SopsEnv {
  readonly kube: KubeTestServer;
  readonly client: KubeClient;
  readonly logs: string[];
  readonly events: EventRecorder;
  readonly controller: Controller;
  /** `kubectl apply -f -` of one YAML document (create, or update keeping server fields). */
  kubectlApply(yaml: string, namespace: string): Obj;
  /** Mutates the stored object as another client would (labels, managedFields, …). */
  update(resource: string, namespace: string, name: string, mutate: (o: Obj) => void): Obj;
  create(resource: string, namespace: string, obj: object): Obj;
  remove(resource: string, namespace: string, name: string): void;
  get(resource: string, namespace: string, name: string): Obj | undefined;
  secretData(namespace: string, name: string): Record<string, string> | undefined;
  ready(
    namespace: string,
    name: string,
  ): { status?: string; reason?: string; message?: string } | undefined;
  eventsFor(name: string): EventObject[];
  /** Logs, Events and every SopsSecret's status, for canary scans. */
  observable(): Promise<string>;
  close(): Promise<void>;
}

/** Recursively sorted keys: what a YAML→JSON→map round trip (kubectl, the API server) yields. */
export function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return Object.fromEntries(entries.map(([k, x]) => [k, sortedKeys(x)]));
  }
  return v;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export async function startSopsEnv(
  options: SopsSecretOptions = {},
  namespaces: readonly string[] = ['team-a', 'team-b'],
  rateLimiter: RateLimiterOptions = {
    baseDelayMs: 600_000,
    maxDelayMs: 600_000,
    qps: 1_000,
    burst: 1_000,
  },
): Promise<SopsEnv> {
  const kube = await KubeTestServer.start({ bookmarkIntervalMs: 50 });
  const client = kubeClientFor(kube);
  const clock = systemClock;
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const events = new EventRecorder({
    events: client.events,
    clock,
    component: 'sealbridge-controller',
    logger,
  });
  const res = (name: string) => kube.resource(name);
  for (const ns of namespaces)
    kube.objects.create(res('namespaces'), undefined, { metadata: { name: ns } });
  const informerOpts = { clock, logger, relistPeriodMs: 0, backoff: { initialMs: 1, maxMs: 20 } };
  const sopsSecrets = createInformer<StatusObject>({
    ...informerOpts,
    source: client.resource<StatusObject>(SOPS_SECRETS),
  });
  const managedSecrets = createInformer<SecretObject>({
    ...informerOpts,
    name: 'managed-secrets',
    source: client.secrets,
    metadataOnly: true,
    labelSelector: 'sealbridge.io/managed-by',
  });
  const writer = new SecretWriter({
    secrets: client.secrets,
    cache: managedSecrets,
    fieldManager: 'sealbridge',
  });
  const unit = buildSopsSecretUnit(
    {
      client,
      clock,
      sopsSecrets,
      managedSecrets,
      writer,
      logger,
      events,
      // By default failures retry far later than any test: recovering comes from a requeue or
      // an event, unless the test asks for a short backoff.
      rateLimiter,
    },
    { workers: 2, ...options },
  );
  const informers: Informer<KubeObject>[] = [...unit.informers, managedSecrets];
  for (const i of informers) i.start();
  const controller = unit.createController();
  await controller.start();
  const sopsRes = 'sopssecrets.sealbridge.io';
  return {
    kube,
    client,
    logs,
    events,
    controller,
    kubectlApply: (yaml, namespace) => {
      const obj = parseYaml(yaml) as Obj;
      const meta = obj.metadata;
      const applied = JSON.stringify(sortedKeys({ ...obj, metadata: { ...meta, namespace } }));
      const body = sortedKeys({
        ...obj,
        metadata: {
          ...meta,
          namespace,
          annotations: { ...meta.annotations, [LAST_APPLIED]: `${applied}\n` },
        },
      }) as Obj;
      const existing = kube.store.get(res(sopsRes), namespace, meta.name);
      if (existing === undefined) return kube.objects.create(res(sopsRes), namespace, body);
      return kube.objects.update(res(sopsRes), namespace, meta.name, {
        ...body,
        metadata: { ...existing.metadata, ...body.metadata },
      });
    },
    update: (resource, ns, name, mutate) => {
      const cur = kube.store.get(res(resource), ns, name);
      if (cur === undefined) throw new Error(`${resource} ${ns}/${name} not found`);
      const next = structuredClone(cur);
      mutate(next);
      return kube.objects.update(res(resource), ns, name, next);
    },
    create: (resource, ns, obj) => kube.objects.create(res(resource), ns, obj),
    remove: (resource, ns, name) => {
      kube.objects.delete(res(resource), ns, name);
    },
    get: (resource, ns, name) => kube.store.get(res(resource), ns, name),
    secretData: (ns, name) => {
      const s = kube.store.get(res('secrets'), ns, name) as SecretObject | undefined;
      if (s === undefined) return undefined;
      return Object.fromEntries(
        Object.entries(s.data ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v, 'base64').toString('utf8'),
        ]),
      );
    },
    ready: (ns, name) => {
      const o = kube.store.get(res(sopsRes), ns, name) as
        | {
            status?: {
              conditions?: { type: string; status?: string; reason?: string; message?: string }[];
            };
          }
        | undefined;
      return o?.status?.conditions?.find((c) => c.type === 'Ready');
    },
    eventsFor: (name) =>
      (kube.store.list(res('events')) as unknown as EventObject[]).filter(
        (e) => e.involvedObject.name === name,
      ),
    observable: async () => {
      await events.flush();
      const statuses = kube.store.list(res(sopsRes)).map((o) => JSON.stringify(o['status'] ?? {}));
      const evs = kube.store.list(res('events')).map((e) => JSON.stringify(e));
      return [...logs, ...evs, ...statuses].join('\n');
    },
    close: async () => {
      await controller.stop({ deadlineMs: 2_000 });
      await Promise.all(informers.map((i) => i.stop()));
      await events.flush();
      await kube.close();
    },
  };
}

/** Polls on real timers; the timeout is a hang guard, never a performance assertion. */
export async function until<T>(
  probe: () => T | undefined | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
