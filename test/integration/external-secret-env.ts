// A running ExternalSecret controller for integration tests: the Kubernetes API test server, the
// real controller (informers, queue, reconcilers, provider registry, SDK clients), an Event
// recorder and a log capture. Time is the wall clock plus an offset the test may move (token
// TTLs, refresh windows), so nothing waits for real time to pass.
import { Writable } from 'node:stream';
import type { Clock } from '../../src/clock.ts';
import { systemClock } from '../../src/clock.ts';
import {
  createExternalSecretControllers,
  type ExternalSecretControllerDeps,
  type ExternalSecretControllers,
} from '../../src/controllers/external-secret-controllers.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { EventRecorder } from '../../src/kube/events.ts';
import type { EventObject, KubeObject, SecretObject } from '../../src/kube/types.ts';
import { createLogger } from '../../src/log.ts';
import { createMetrics, createRegistry, type Registry } from '../../src/metrics.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';
import type { Obj } from '../servers/kube/index.ts';

export class OffsetClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }
}

export interface Env {
  readonly kube: KubeTestServer;
  readonly client: KubeClient;
  readonly controllers: ExternalSecretControllers;
  readonly clock: OffsetClock;
  readonly registry: Registry;
  readonly logs: string[];
  readonly events: EventRecorder;
  create(resource: string, namespace: string | undefined, obj: object): Obj;
  update(
    resource: string,
    namespace: string | undefined,
    name: string,
    mutate: (o: Obj) => Obj,
  ): Obj;
  get(resource: string, namespace: string | undefined, name: string): Obj | undefined;
  remove(resource: string, namespace: string | undefined, name: string): void;
  secret(namespace: string, name: string): SecretObject | undefined;
  /** Decoded data of a Secret, undefined when absent. */
  secretData(namespace: string, name: string): Record<string, string> | undefined;
  externalSecret(namespace: string, name: string): Obj | undefined;
  ready(
    namespace: string,
    name: string,
  ): { status?: string; reason?: string; message?: string } | undefined;
  eventsFor(name: string): EventObject[];
  /** Every place a value could leak to: logs, events, all custom-resource statuses, metrics. */
  observable(): Promise<string>;
  close(): Promise<void>;
}

export interface EnvOptions extends Partial<
  Omit<ExternalSecretControllerDeps, 'client' | 'clock'>
> {
  readonly namespaces?: readonly (string | { name: string; labels: Record<string, string> })[];
}

export async function startEnv(options: EnvOptions = {}): Promise<Env> {
  const kube = await KubeTestServer.start({ bookmarkIntervalMs: 50 });
  const client = kubeClientFor(kube);
  const clock = new OffsetClock();
  const registry = createRegistry();
  const metrics = createMetrics(registry, clock);
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
  for (const ns of options.namespaces ?? ['team-a', 'team-b']) {
    const meta = typeof ns === 'string' ? { name: ns } : ns;
    kube.objects.create(res('namespaces'), undefined, { metadata: meta });
  }
  const controllers = createExternalSecretControllers({
    client,
    clock,
    logger,
    metrics,
    events,
    workers: 4,
    informer: { relistPeriodMs: 0, backoff: { initialMs: 1, maxMs: 20 } },
    // A backoff far longer than any test: recovering "soon" can only come from a re-queue.
    rateLimiter: { baseDelayMs: 600_000, maxDelayMs: 600_000, qps: 1_000, burst: 1_000 },
    ...options,
  });
  controllers.startInformers();
  await controllers.start();
  const env: Env = {
    kube,
    client,
    controllers,
    clock,
    registry,
    logs,
    events,
    create: (resource, ns, obj) => kube.objects.create(res(resource), ns, obj),
    update: (resource, ns, name, mutate) => {
      const cur = kube.store.get(res(resource), ns, name);
      if (cur === undefined) throw new Error(`${resource} ${ns ?? ''}/${name} not found`);
      return kube.objects.update(res(resource), ns, name, mutate(structuredClone(cur)));
    },
    get: (resource, ns, name) => kube.store.get(res(resource), ns, name),
    remove: (resource, ns, name) => {
      kube.objects.delete(res(resource), ns, name);
    },
    secret: (ns, name) => kube.store.get(res('secrets'), ns, name),
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
    externalSecret: (ns, name) => kube.store.get(res('externalsecrets.sealbridge.io'), ns, name),
    ready: (ns, name) => {
      const es = kube.store.get(res('externalsecrets.sealbridge.io'), ns, name) as
        | (KubeObject & {
            status?: {
              conditions?: { type: string; status?: string; reason?: string; message?: string }[];
            };
          })
        | undefined;
      return es?.status?.conditions?.find((c) => c.type === 'Ready');
    },
    eventsFor: (name) =>
      (kube.store.list(res('events')) as unknown as EventObject[]).filter(
        (e) => e.involvedObject.name === name,
      ),
    observable: async () => {
      await events.flush();
      const statuses = [
        'externalsecrets.sealbridge.io',
        'secretstores.sealbridge.io',
        'clustersecretstores.sealbridge.io',
      ]
        .flatMap((r) => kube.store.list(res(r)))
        .map((o) => JSON.stringify(o['status'] ?? {}));
      const evs = kube.store.list(res('events')).map((e) => JSON.stringify(e));
      return [...logs, ...evs, ...statuses, await registry.metrics()].join('\n');
    },
    close: async () => {
      await controllers.close({ deadlineMs: 2_000 });
      await events.flush();
      await kube.close();
    },
  };
  return env;
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

export function externalSecret(
  name: string,
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): object {
  return {
    apiVersion: 'sealbridge.io/v1alpha1',
    kind: 'ExternalSecret',
    metadata: { name, ...metadata },
    spec: { refreshInterval: '1h', ...spec },
  };
}

export function secretStore(
  name: string,
  provider: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  kind: 'SecretStore' | 'ClusterSecretStore' = 'SecretStore',
): object {
  return {
    apiVersion: 'sealbridge.io/v1alpha1',
    kind,
    metadata: { name },
    spec: { provider, ...extra },
  };
}

export function stringSecret(
  name: string,
  data: Record<string, string>,
  extra: Record<string, unknown> = {},
): object {
  return { metadata: { name, ...extra }, stringData: data };
}
