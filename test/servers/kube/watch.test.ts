/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- client-node's APIs take plain objects for its model classes */
// The watch protocol against client-node's own Watch and makeInformer.
import { CoreV1Api, makeInformer, Watch, type V1Secret } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../kube/wait.ts';
import { KubeTestServer } from './index.ts';

let server: KubeTestServer;
let core: CoreV1Api;

interface Seen {
  type: string;
  name: string | undefined;
  rv: string | undefined;
  code?: number | undefined;
  reason?: string | undefined;
}

async function watch(path: string, query: Record<string, string | number | boolean | undefined>) {
  const events: Seen[] = [];
  let ended: unknown = 'open';
  const controller = await new Watch(server.kubeConfig()).watch(
    path,
    query,
    (
      type,
      obj: {
        metadata?: { name?: string; resourceVersion?: string };
        code?: number;
        reason?: string;
      },
    ) => {
      events.push({
        type,
        name: obj.metadata?.name,
        rv: obj.metadata?.resourceVersion,
        code: obj.code,
        reason: obj.reason,
      });
    },
    (err) => {
      ended = err ?? null;
    },
  );
  return { events, controller, ended: () => ended };
}

const secret = (name: string, labels: Record<string, string> = {}) => ({
  metadata: { name, labels },
});

beforeEach(async () => {
  server = await KubeTestServer.start({ bookmarkIntervalMs: 30 });
  core = server.kubeConfig().makeApiClient(CoreV1Api);
});

afterEach(async () => {
  expect(server.internalErrors).toEqual([]);
  await server.close();
});

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED after the given resourceVersion, each with its own version', async () => {
    await core.createNamespacedSecret({ namespace: 'w', body: secret('before') });
    const list = await core.listNamespacedSecret({ namespace: 'w' });
    const w = await watch('/api/v1/namespaces/w/secrets', {
      resourceVersion: list.metadata?.resourceVersion,
    });
    const a = await core.createNamespacedSecret({ namespace: 'w', body: secret('a') });
    await core.patchNamespacedSecret({
      namespace: 'w',
      name: 'a',
      body: [{ op: 'add', path: '/metadata/labels', value: { x: 'y' } }],
    });
    await core.deleteNamespacedSecret({ namespace: 'w', name: 'a' });
    await core.createNamespacedSecret({ namespace: 'other', body: secret('elsewhere') });
    await waitFor(() => w.events.length >= 3, 'events');
    w.controller.abort();
    expect(w.events.map((e) => `${e.type} ${e.name ?? ''}`)).toEqual([
      'ADDED a',
      'MODIFIED a',
      'DELETED a',
    ]);
    expect(w.events[0]?.rv).toBe(a.metadata?.resourceVersion);
    const rvs = w.events.map((e) => Number(e.rv));
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
    expect(new Set(rvs).size).toBe(3);
  });

  it('resumes: a watch from an older resourceVersion replays what happened since', async () => {
    const list = await core.listNamespacedSecret({ namespace: 'w' });
    await core.createNamespacedSecret({ namespace: 'w', body: secret('missed-1') });
    await core.createNamespacedSecret({ namespace: 'w', body: secret('missed-2') });
    const w = await watch('/api/v1/namespaces/w/secrets', {
      resourceVersion: list.metadata?.resourceVersion,
    });
    await waitFor(() => w.events.length >= 2, 'replay');
    w.controller.abort();
    expect(w.events.map((e) => e.name)).toEqual(['missed-1', 'missed-2']);
  });

  it('without a resourceVersion, starts with the current objects as ADDED', async () => {
    await core.createNamespacedSecret({ namespace: 'w', body: secret('x') });
    await core.createNamespacedSecret({ namespace: 'w', body: secret('y') });
    const w = await watch('/api/v1/namespaces/w/secrets', {});
    await waitFor(() => w.events.length >= 2, 'initial');
    w.controller.abort();
    expect(w.events.map((e) => `${e.type} ${e.name ?? ''}`)).toEqual(['ADDED x', 'ADDED y']);
  });

  it('answers a too-old resourceVersion with an ERROR event carrying 410 Expired, then ends', async () => {
    const list = await core.listNamespacedSecret({ namespace: 'w' });
    await core.createNamespacedSecret({ namespace: 'w', body: secret('z') });
    server.faults.compactHistory();
    const w = await watch('/api/v1/namespaces/w/secrets', {
      resourceVersion: list.metadata?.resourceVersion,
    });
    await waitFor(() => w.ended() !== 'open', 'end');
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({ type: 'ERROR', code: 410, reason: 'Expired' });
  });

  it('expires watch history beyond the configured limit', async () => {
    await server.close();
    server = await KubeTestServer.start({ historyLimit: 4 });
    core = server.kubeConfig().makeApiClient(CoreV1Api);
    const list = await core.listNamespacedSecret({ namespace: 'w' });
    for (let i = 0; i < 8; i++)
      await core.createNamespacedSecret({ namespace: 'w', body: secret(`h${i}`) });
    const w = await watch('/api/v1/namespaces/w/secrets', {
      resourceVersion: list.metadata?.resourceVersion,
    });
    await waitFor(() => w.ended() !== 'open', 'end');
    expect(w.events[0]).toMatchObject({ type: 'ERROR', code: 410 });
  });

  it('sends BOOKMARK events with a current resourceVersion when asked, and ends at timeoutSeconds', async () => {
    const w = await watch('/api/v1/namespaces/w/secrets', {
      allowWatchBookmarks: true,
      timeoutSeconds: 1,
    });
    await core.createNamespacedSecret({ namespace: 'w', body: secret('b') });
    await waitFor(
      () =>
        w.events.some(
          (e) => e.type === 'BOOKMARK' && Number(e.rv) === server.store.resourceVersion,
        ),
      'bookmark',
    );
    await waitFor(() => w.ended() === null, 'server-side timeout');
    expect(server.openWatches()).toBe(0);
  });

  it('applies label selectors with transitions: stop matching → DELETED, start matching → ADDED', async () => {
    await core.createNamespacedSecret({ namespace: 'w', body: secret('t', { on: 'yes' }) });
    const list = await core.listNamespacedSecret({ namespace: 'w', labelSelector: 'on=yes' });
    const w = await watch('/api/v1/namespaces/w/secrets', {
      resourceVersion: list.metadata?.resourceVersion,
      labelSelector: 'on=yes',
    });
    const merge = (labels: Record<string, string>) =>
      fetch(`${server.url}/api/v1/namespaces/w/secrets/t`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json' },
        body: JSON.stringify({ metadata: { labels } }),
      });
    await merge({ on: 'no' });
    await merge({ on: 'yes' });
    await waitFor(() => w.events.length >= 2, 'transitions');
    w.controller.abort();
    expect(w.events.map((e) => e.type)).toEqual(['DELETED', 'ADDED']);
  });

  it('streams PartialObjectMetadata when asked through Accept', async () => {
    const res = await fetch(
      `${server.url}/api/v1/namespaces/w/secrets?watch=true&resourceVersion=0`,
      {
        headers: { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' },
      },
    );
    await core.createNamespacedSecret({
      namespace: 'w',
      body: { metadata: { name: 'm' }, stringData: { k: 'canary' } },
    });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    await reader.cancel();
    const event = JSON.parse(new TextDecoder().decode(value).split('\n')[0]!) as {
      object: Record<string, unknown>;
    };
    expect(event.object['kind']).toBe('PartialObjectMetadata');
    expect(event.object['data']).toBeUndefined();
  });

  it("drives client-node's own informer (makeInformer) through list, watch and a dropped connection", async () => {
    const kc = server.kubeConfig();
    const informer = makeInformer<V1Secret>(kc, '/api/v1/namespaces/w/secrets', () =>
      core.listNamespacedSecret({ namespace: 'w' }),
    );
    const seen: string[] = [];
    informer.on('add', (s) => seen.push(`add ${s.metadata?.name ?? ''}`));
    informer.on('delete', (s) => seen.push(`delete ${s.metadata?.name ?? ''}`));
    await core.createNamespacedSecret({ namespace: 'w', body: secret('i1') });
    await informer.start();
    await waitFor(() => server.openWatches('secrets') === 1, 'informer watch');
    server.faults.dropWatches({ mode: 'end' });
    await core.createNamespacedSecret({ namespace: 'w', body: secret('i2') });
    await core.deleteNamespacedSecret({ namespace: 'w', name: 'i1' });
    await waitFor(() => seen.length >= 3, 'informer events');
    await informer.stop();
    expect(seen).toEqual(['add i1', 'add i2', 'delete i1']);
    expect(informer.list().map((s) => s.metadata?.name)).toEqual(['i2']);
  });
});
