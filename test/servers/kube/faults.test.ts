/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- client-node's APIs take plain objects for its model classes */
// Fault injection and call accounting, seen from the real client-node.
import { ApiException, CoreV1Api, Watch } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../kube/wait.ts';
import { KubeTestServer } from './index.ts';

let server: KubeTestServer;
let core: CoreV1Api;

async function status(
  p: Promise<unknown>,
): Promise<{ code: number; headers: Record<string, string> }> {
  try {
    await p;
    return { code: 200, headers: {} };
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    return { code: err.code, headers: err.headers };
  }
}

beforeEach(async () => {
  server = await KubeTestServer.start();
  core = server.kubeConfig().makeApiClient(CoreV1Api);
});

afterEach(async () => {
  await server.close();
});

describe('fault injection', () => {
  it('fails exactly the next N matching requests with the given status', async () => {
    await core.createNamespacedSecret({ namespace: 'f', body: { metadata: { name: 'a' } } });
    server.faults.failNext({ count: 2, status: 503, match: { verb: 'get', resource: 'secrets' } });
    const read = () => core.readNamespacedSecret({ namespace: 'f', name: 'a' });
    expect((await status(core.listNamespacedSecret({ namespace: 'f' }))).code).toBe(200);
    expect((await status(read())).code).toBe(503);
    expect((await status(read())).code).toBe(503);
    expect((await status(read())).code).toBe(200);
    expect(server.count('get', 'secrets')).toBe(3);
    expect(server.requests.filter((r) => r.verb === 'get').map((r) => r.status)).toEqual([
      503, 503, 200,
    ]);
  });

  it('sends 429 with Retry-After and a Status that says how long to wait', async () => {
    server.faults.failNext({ status: 429, retryAfterSeconds: 3 });
    const res = await fetch(`${server.url}/api/v1/namespaces/f/secrets`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    const body = (await res.json()) as { reason: string; details: { retryAfterSeconds: number } };
    expect(body.reason).toBe('TooManyRequests');
    expect(body.details.retryAfterSeconds).toBe(3);
  });

  it('matches faults by predicate, namespace and name', async () => {
    await core.createNamespacedSecret({ namespace: 'f', body: { metadata: { name: 'x' } } });
    await core.createNamespacedSecret({ namespace: 'g', body: { metadata: { name: 'x' } } });
    server.faults.failNext({ status: 500, match: { namespace: 'g', name: 'x' } });
    server.faults.failNext({ status: 502, match: (r) => r.method === 'DELETE' });
    expect((await status(core.readNamespacedSecret({ namespace: 'f', name: 'x' }))).code).toBe(200);
    expect((await status(core.readNamespacedSecret({ namespace: 'g', name: 'x' }))).code).toBe(500);
    expect((await status(core.deleteNamespacedSecret({ namespace: 'f', name: 'x' }))).code).toBe(
      502,
    );
  });

  it('adds latency to matching requests only (a slow request finishes after a fast one)', async () => {
    server.faults.addLatency(150, { match: { verb: 'list' }, count: 1 });
    const order: string[] = [];
    await Promise.all([
      core.listNamespacedSecret({ namespace: 'f' }).then(() => order.push('slow list')),
      new Promise((r) => setTimeout(r, 10)).then(() =>
        core.listNamespace().then(() => order.push('fast list')),
      ),
    ]);
    expect(order).toEqual(['fast list', 'slow list']);
  });

  it('drops open watches (client-node sees the stream end) and counts them', async () => {
    let ended = false;
    const ctl = await new Watch(server.kubeConfig()).watch(
      '/api/v1/secrets',
      {},
      () => undefined,
      () => {
        ended = true;
      },
    );
    await waitFor(() => server.openWatches() === 1, 'watch open');
    expect(server.faults.dropWatches({ match: { resource: 'configmaps' } })).toBe(0);
    expect(server.faults.dropWatches({ match: { resource: 'secrets' } })).toBe(1);
    await waitFor(() => ended, 'watch ended');
    ctl.abort();
    expect(server.count('watch', 'secrets')).toBe(1);
  });

  it('forces 410 on the next watch regardless of its resourceVersion', async () => {
    server.faults.expireNextWatch();
    const events: { type: string; code?: number | undefined }[] = [];
    await new Watch(server.kubeConfig()).watch(
      '/api/v1/secrets',
      { resourceVersion: String(server.store.resourceVersion) },
      (type, obj: { code?: number }) => events.push({ type, code: obj.code }),
      () => undefined,
    );
    await waitFor(() => events.length === 1, 'error event');
    expect(events[0]).toEqual({ type: 'ERROR', code: 410 });
  });

  it('clear() removes pending faults; resetCounts() clears counts and the log', async () => {
    server.faults.failNext({ count: 5 });
    server.faults.clear();
    expect((await status(core.listNamespacedSecret({ namespace: 'f' }))).code).toBe(200);
    expect(server.count('list', 'secrets')).toBe(1);
    server.resetCounts();
    expect(server.count('list', 'secrets')).toBe(0);
    expect(server.requests).toHaveLength(0);
  });
});
