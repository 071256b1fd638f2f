import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { createInformer, type Informer, type InformerOptions } from '../../src/kube/informer.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject, SecretObject } from '../../src/kube/types.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';
import { waitFor } from './wait.ts';

let server: KubeTestServer;
let client: KubeClient;
const informers: Informer<KubeObject>[] = [];
const secrets = () => server.resource('secrets');

function secret(name: string, labels: Record<string, string> = {}, value = 'c2VjcmV0'): object {
  return { metadata: { name, namespace: 'ns1', labels }, data: { key: value } };
}

function start<T extends KubeObject>(
  options: Partial<InformerOptions<T>> = {},
): { informer: Informer<T>; events: string[] } {
  const informer = createInformer<T>({
    source: client.secrets as unknown as InformerOptions<T>['source'],
    clock: systemClock,
    backoff: { initialMs: 1, maxMs: 20 },
    ...options,
  });
  const events: string[] = [];
  informer.addHandlers({
    onAdd: (o) => events.push(`add ${o.metadata.name ?? ''}`),
    onUpdate: (_o, n) => events.push(`update ${n.metadata.name ?? ''}`),
    onDelete: (o) => events.push(`delete ${o.metadata.name ?? ''}`),
  });
  informer.start();
  informers.push(informer);
  return { informer, events };
}

beforeEach(async () => {
  server = await KubeTestServer.start({ bookmarkIntervalMs: 50 });
  client = kubeClientFor(server);
});

afterEach(async () => {
  await Promise.all(informers.splice(0).map((i) => i.stop()));
  await server.close();
});

describe('Informer against the test API server', () => {
  it('lists in pages, syncs, then follows the watch from the list resourceVersion', async () => {
    for (let i = 0; i < 5; i++) server.objects.create(secrets(), 'ns1', secret(`s${i}`));
    const { informer, events } = start({ pageSize: 2 });
    await informer.waitForSync();
    expect(informer.hasSynced()).toBe(true);
    expect(informer.size).toBe(5);
    expect(server.count('list', 'secrets')).toBe(3);
    await waitFor(() => server.openWatches('secrets') === 1, 'watch');
    const listRv = server.requests.find((r) => r.verb === 'watch')?.query.get('resourceVersion');
    expect(Number(listRv)).toBe(server.store.resourceVersion);

    await client.secrets.create({ metadata: { name: 'new', namespace: 'ns1' } });
    const s1 = await client.secrets.get({ namespace: 'ns1', name: 's1' });
    await client.secrets.replace({ ...s1, metadata: { ...s1.metadata, labels: { a: 'b' } } });
    await client.secrets.delete({ namespace: 'ns1', name: 's2' });
    await waitFor(() => events.length === 8, 'events');
    expect(events.slice(5)).toEqual(['add new', 'update s1', 'delete s2']);
    expect(informer.get('ns1/s1')?.metadata.labels).toEqual({ a: 'b' });
    expect(informer.get('ns1/s2')).toBeUndefined();
    expect(informer.lastHeardFrom()).toBeTypeOf('number');
    expect(server.count('list', 'secrets')).toBe(3);
  });

  it('never caches Secret data: metadata-only mode and full mode both drop it', async () => {
    server.objects.create(secrets(), 'ns1', secret('a'));
    const meta = start<SecretObject>({ metadataOnly: true, name: 'secrets-meta' });
    const full = start<SecretObject>({ name: 'secrets-full' });
    await meta.informer.waitForSync();
    await full.informer.waitForSync();
    await waitFor(() => server.openWatches('secrets') === 2, 'watches');
    server.objects.create(secrets(), 'ns1', secret('b'));
    await waitFor(() => meta.informer.size === 2 && full.informer.size === 2, 'b');
    for (const inf of [meta.informer, full.informer]) {
      for (const s of inf.list()) {
        expect(s.data).toBeUndefined();
        expect(JSON.stringify(s)).not.toContain('c2VjcmV0');
        expect(s.kind).toBe('Secret');
      }
    }
    // Metadata-only objects come from PartialObjectMetadata, which has no `type` either.
    expect(meta.informer.get('ns1/a')?.type).toBeUndefined();
    expect(full.informer.get('ns1/a')?.type).toBe('Opaque');
  });

  it('resumes a dropped watch from the last resourceVersion without relisting', async () => {
    server.objects.create(secrets(), 'ns1', secret('a'));
    const { informer, events } = start();
    await informer.waitForSync();
    await waitFor(() => server.openWatches('secrets') === 1, 'watch');
    expect(server.faults.dropWatches({ mode: 'destroy' })).toBe(1);
    server.objects.create(secrets(), 'ns1', secret('while-down'));
    await waitFor(() => informer.get('ns1/while-down') !== undefined, 'missed object');
    expect(server.count('list', 'secrets')).toBe(1);
    expect(server.count('watch', 'secrets')).toBeGreaterThanOrEqual(2);
    expect(events).toEqual(['add a', 'add while-down']);
  });

  it('relists on 410 Gone after history was compacted and converges, including deletions', async () => {
    server.objects.create(secrets(), 'ns1', secret('keep'));
    server.objects.create(secrets(), 'ns1', secret('doomed'));
    const { informer, events } = start();
    await informer.waitForSync();
    await waitFor(() => server.openWatches('secrets') === 1, 'watch');
    server.faults.stallWatches();
    server.objects.delete(secrets(), 'ns1', 'doomed');
    server.objects.create(secrets(), 'ns1', secret('born'));
    server.faults.compactHistory();
    server.faults.dropWatches();
    await waitFor(() => informer.get('ns1/born') !== undefined && informer.size === 2, 'relist');
    expect(server.count('list', 'secrets')).toBe(2);
    expect(events).toContain('delete doomed');
    expect(informer.keys().sort()).toEqual(['ns1/born', 'ns1/keep']);
  });

  it('relists when a watch is answered with a 410 ERROR event', async () => {
    const { informer } = start();
    await informer.waitForSync();
    server.faults.expireNextWatch({ match: { verb: 'watch', resource: 'secrets' } });
    server.faults.dropWatches();
    await waitFor(() => server.count('list', 'secrets') === 2, 'relist after 410');
    await waitFor(() => server.openWatches('secrets') === 1, 'watch again');
  });

  it('survives a storm of 5xx on list and watch, backing off, then converges', async () => {
    server.objects.create(secrets(), 'ns1', secret('a'));
    server.faults.failNext({ count: 4, status: 503, match: { verb: 'list' } });
    server.faults.failNext({ count: 3, status: 500, match: { verb: 'watch' } });
    const { informer } = start();
    await informer.waitForSync();
    expect(server.count('list', 'secrets')).toBe(5);
    await waitFor(() => server.openWatches('secrets') === 1, 'watch after failures');
    expect(server.count('watch', 'secrets')).toBe(4);
    server.objects.create(secrets(), 'ns1', secret('b'));
    await waitFor(() => informer.size === 2, 'b');
    expect(server.count('list', 'secrets')).toBe(5);
  });

  it('honours 429 by retrying later and still syncing', async () => {
    server.faults.failNext({
      count: 2,
      status: 429,
      retryAfterSeconds: 0,
      match: { verb: 'list' },
    });
    const { informer } = start();
    await informer.waitForSync();
    expect(server.count('list', 'secrets')).toBe(3);
  });

  it('a periodic relist repairs a silently dead watch and emits only real changes', async () => {
    server.objects.create(secrets(), 'ns1', secret('same'));
    server.objects.create(secrets(), 'ns1', secret('edited'));
    server.objects.create(secrets(), 'ns1', secret('gone'));
    const { informer, events } = start({ relistPeriodMs: 150 });
    await informer.waitForSync();
    await waitFor(() => server.openWatches('secrets') === 1, 'watch');
    server.faults.stallWatches();
    server.objects.patch(
      secrets(),
      'ns1',
      'edited',
      { metadata: { labels: { v: '2' } } },
      'application/merge-patch+json',
    );
    server.objects.delete(secrets(), 'ns1', 'gone');
    server.objects.create(secrets(), 'ns1', secret('fresh'));
    await waitFor(() => server.count('list', 'secrets') >= 2, 'periodic relist');
    await waitFor(() => informer.get('ns1/fresh') !== undefined, 'converged');
    expect(events.slice(3).sort()).toEqual(['add fresh', 'delete gone', 'update edited']);
    expect(informer.get('ns1/edited')?.metadata.labels).toEqual({ v: '2' });
  });

  it('label selector transitions: an object that stops matching is deleted from the cache', async () => {
    server.objects.create(secrets(), 'ns1', secret('x', { app: 'on' }));
    server.objects.create(secrets(), 'ns1', secret('y', { app: 'off' }));
    const { informer, events } = start({ labelSelector: 'app=on' });
    await informer.waitForSync();
    expect(informer.keys()).toEqual(['ns1/x']);
    await waitFor(() => server.openWatches('secrets') === 1, 'watch');
    server.objects.patch(
      secrets(),
      'ns1',
      'x',
      { metadata: { labels: { app: 'off' } } },
      'application/merge-patch+json',
    );
    server.objects.patch(
      secrets(),
      'ns1',
      'y',
      { metadata: { labels: { app: 'on' } } },
      'application/merge-patch+json',
    );
    await waitFor(() => events.length === 3, 'transitions');
    expect(events).toEqual(['add x', 'delete x', 'add y']);
    expect(informer.keys()).toEqual(['ns1/y']);
  });

  it('keeps lastHeardFrom fresh through bookmarks on a quiet watch', async () => {
    const { informer } = start();
    await informer.waitForSync();
    const first = informer.lastHeardFrom() ?? 0;
    await waitFor(() => (informer.lastHeardFrom() ?? 0) > first, 'bookmark');
  });

  it('scopes to a namespace and keeps working when a handler throws', async () => {
    server.objects.create(secrets(), 'ns1', secret('a'));
    server.objects.create(secrets(), 'ns2', { metadata: { name: 'b', namespace: 'ns2' } });
    const { informer } = start({ namespace: 'ns2' });
    informer.addHandlers({
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    await informer.waitForSync();
    await waitFor(() => server.openWatches('secrets') === 1, 'watch');
    server.objects.create(secrets(), 'ns2', { metadata: { name: 'c', namespace: 'ns2' } });
    await waitFor(() => informer.size === 2, 'c');
    expect(informer.keys().sort()).toEqual(['ns2/b', 'ns2/c']);
  });

  it('stop() closes the watch and rejects pending waitForSync callers', async () => {
    server.faults.addLatency(5_000, { match: { verb: 'list' } });
    const { informer } = start();
    const pending = informer.waitForSync();
    await informer.stop();
    await expect(pending).rejects.toThrow(/stopped before syncing/);
    expect(server.openWatches()).toBe(0);
  });
});
