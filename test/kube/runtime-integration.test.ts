// The whole runtime against the test API server: informers (a full one for a custom resource, a
// metadata-only one for owned Secrets), the controller runner, and a small reconciler that writes
// an owned Secret and a status, the way the SealedSecret controller will.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { Controller, controllerOwnerKey, type Reconciler } from '../../src/controllers/runner.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { isNotFound } from '../../src/kube/errors.ts';
import { createInformer, type Informer } from '../../src/kube/informer.ts';
import { parseObjectKey, type KubeObject, type SecretObject } from '../../src/kube/types.ts';
import { createMetrics, createRegistry } from '../../src/metrics.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';
import { waitFor } from './wait.ts';

const MIRRORS = {
  group: 'sealbridge.io',
  version: 'v1alpha1',
  plural: 'sealedsecrets',
  kind: 'SealedSecret',
  namespaced: true,
};

interface Mirror extends KubeObject {
  spec?: { value?: string };
  status?: { observedGeneration?: number | undefined };
}

let server: KubeTestServer;
let client: KubeClient;
let mirrors: Informer<Mirror>;
let secrets: Informer<SecretObject>;
let controller: Controller;
let reconciles = 0;

/** Keeps Secret <name> = base64(spec.value), owned by the mirror; records observedGeneration. */
function reconciler(): Reconciler {
  return {
    async reconcile(key, signal) {
      reconciles++;
      const m = mirrors.get(key);
      if (m === undefined) return {};
      const ref = parseObjectKey(key);
      const want = Buffer.from(m.spec?.value ?? '').toString('base64');
      const current = await client.secrets.find(ref, { signal });
      const owner = {
        apiVersion: 'sealbridge.io/v1alpha1',
        kind: 'SealedSecret',
        name: ref.name,
        uid: m.metadata.uid ?? '',
        controller: true,
      };
      if (current === undefined) {
        await client.secrets.create(
          {
            metadata: { name: ref.name, namespace: ref.namespace, ownerReferences: [owner] },
            data: { value: want },
          },
          { signal },
        );
      } else if (current.data?.['value'] !== want) {
        await client.secrets.replace({ ...current, data: { value: want } }, { signal });
      }
      if (m.status?.observedGeneration !== m.metadata.generation) {
        await client
          .resource<Mirror>(MIRRORS)
          .replaceStatus(
            { ...m, status: { observedGeneration: m.metadata.generation } },
            { signal },
          );
      }
      return {};
    },
  };
}

async function startAll(relistPeriodMs = 0): Promise<void> {
  const registry = createRegistry();
  const metrics = createMetrics(registry, systemClock);
  const common = {
    clock: systemClock,
    backoff: { initialMs: 1, maxMs: 20 },
    relistPeriodMs,
    observer: metrics.informerObserver(),
  };
  mirrors = createInformer<Mirror>({ ...common, source: client.resource<Mirror>(MIRRORS) });
  secrets = createInformer<SecretObject>({ ...common, source: client.secrets, metadataOnly: true });
  controller = new Controller({
    kind: 'SealedSecret',
    reconciler: reconciler(),
    primary: mirrors,
    secondary: [
      { informer: secrets, map: (o) => controllerOwnerKey(o, 'SealedSecret', 'sealbridge.io') },
    ],
    workers: 4,
    clock: systemClock,
    metrics,
    rateLimiter: { baseDelayMs: 1, maxDelayMs: 50 },
  });
  mirrors.start();
  secrets.start();
  await controller.start();
}

async function converged(n: number): Promise<void> {
  await waitFor(() => {
    const ms = mirrors.list();
    return (
      ms.length === n &&
      ms.every(
        (m) =>
          m.status?.observedGeneration === m.metadata.generation &&
          secrets.get(`${m.metadata.namespace ?? ''}/${m.metadata.name ?? ''}`) !== undefined,
      )
    );
  }, 'convergence');
}

const createMirror = (name: string, value: string) =>
  client
    .resource<Mirror>(MIRRORS)
    .create({ metadata: { name, namespace: 'apps' }, spec: { value } });

beforeEach(async () => {
  server = await KubeTestServer.start({ bookmarkIntervalMs: 50 });
  client = kubeClientFor(server);
  reconciles = 0;
});

afterEach(async () => {
  await controller.stop({ deadlineMs: 2000 });
  await Promise.all([mirrors.stop(), secrets.stop()]);
  expect(server.internalErrors).toEqual([]);
  await server.close();
});

describe('runtime integration', () => {
  it('syncs existing and new objects into owned Secrets and status, and stays idle once converged', async () => {
    for (let i = 0; i < 20; i++) await createMirror(`m${i}`, `v${i}`);
    await startAll();
    await createMirror('late', 'x');
    await converged(21);
    const secret = await client.secrets.get({ namespace: 'apps', name: 'm3' });
    expect(Buffer.from(secret.data?.['value'] ?? '', 'base64').toString()).toBe('v3');
    expect(secret.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'SealedSecret',
      name: 'm3',
      controller: true,
    });
    // Let the echo of our own writes (Secret adds, status updates) pass, then check nothing more is written.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const writes =
      server.count('create', 'secrets') +
      server.count('update', 'secrets') +
      server.count('update', 'sealedsecrets/status');
    expect(server.count('create', 'secrets')).toBe(21);
    expect(server.count('update', 'sealedsecrets/status')).toBe(21);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(
      server.count('create', 'secrets') +
        server.count('update', 'secrets') +
        server.count('update', 'sealedsecrets/status'),
    ).toBe(writes);
  });

  it('repairs drift: a deleted owned Secret is recreated, an edited one restored', async () => {
    await createMirror('d', 'desired');
    await startAll();
    await converged(1);
    await client.secrets.delete({ namespace: 'apps', name: 'd' });
    await waitFor(() => server.count('create', 'secrets') === 2, 'recreated');
    const s = await client.secrets.get({ namespace: 'apps', name: 'd' });
    await client.secrets.replace({
      ...s,
      data: { value: Buffer.from('tampered').toString('base64') },
    });
    await waitFor(() => server.count('update', 'secrets') === 2, 'restored');
    const restored = await client.secrets.get({ namespace: 'apps', name: 'd' });
    expect(Buffer.from(restored.data?.['value'] ?? '', 'base64').toString()).toBe('desired');
  });

  it('converges through dropped watches, a 410, and a burst of 5xx on writes', async () => {
    await startAll();
    await createMirror('a', '1');
    await converged(1);
    server.faults.failNext({
      count: 6,
      status: 503,
      match: (r) => r.resource === 'secrets' || r.subresource === 'status',
    });
    server.faults.dropWatches();
    await createMirror('b', '2');
    server.faults.compactHistory();
    server.faults.dropWatches();
    await createMirror('c', '3');
    await converged(3);
    expect(server.requests.filter((r) => r.status === 503)).toHaveLength(6);
    expect(server.count('list', 'sealedsecrets')).toBeGreaterThanOrEqual(2);
    expect(
      isNotFound(
        await client.secrets.get({ namespace: 'apps', name: 'zzz' }).catch((e: unknown) => e),
      ),
    ).toBe(true);
  });

  it('garbage collection removes owned Secrets when the owner goes, even if a reconcile raced it', async () => {
    await createMirror('gone', 'x');
    await startAll();
    await converged(1);
    await client.resource(MIRRORS).delete({ namespace: 'apps', name: 'gone' });
    // The Secret's DELETED event can reach the controller before the owner's: it may recreate
    // the Secret for an owner that no longer exists. The collector removes that one too.
    await waitFor(() => mirrors.size === 0, 'owner gone from the cache');
    await waitFor(
      () =>
        secrets.size === 0 &&
        server.store.get(server.resource('secrets'), 'apps', 'gone') === undefined,
      'owned Secret collected',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await client.secrets.find({ namespace: 'apps', name: 'gone' })).toBeUndefined();
  });

  it('stop() lets in-flight reconciles finish and then takes no more work', async () => {
    for (let i = 0; i < 10; i++) await createMirror(`s${i}`, 'v');
    server.faults.addLatency(30, { match: { verb: 'create', resource: 'secrets' } });
    await startAll();
    await waitFor(() => server.count('create', 'secrets') >= 1, 'work started');
    await controller.stop({ deadlineMs: 5_000 });
    const after = reconciles;
    const creates = server.count('create', 'secrets');
    await createMirror('after-stop', 'v');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reconciles).toBe(after);
    expect(server.count('create', 'secrets')).toBe(creates);
    expect(
      server.requests
        .filter((r) => r.verb === 'create' && r.resource === 'secrets')
        .every((r) => r.status === 201),
    ).toBe(true);
  });
});
