// The providers' Kubernetes dependencies on the real runtime, against the Kubernetes API test
// server: one metadata-only watch per referenced credential object (never a cluster-wide Secret
// cache), values by GET, change notifications, TokenRequest and ServiceAccount annotations.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../src/clock.ts';
import { KubeProviderDeps } from '../../src/providers/kube-deps.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';
import { until } from '../integration/external-secret-env.ts';

let server: KubeTestServer;
let deps: KubeProviderDeps;
let changes: string[];
const signal = new AbortController().signal;
const secrets = () => server.resource('secrets');

beforeEach(async () => {
  server = await KubeTestServer.start({ bookmarkIntervalMs: 50 });
  changes = [];
  server.objects.create(secrets(), 'team-a', {
    metadata: { name: 'creds' },
    stringData: { token: 'T1', other: 'x' },
  });
  server.objects.create(secrets(), 'team-a', {
    metadata: { name: 'unrelated' },
    stringData: { big: 'y' },
  });
  server.objects.create(server.resource('configmaps'), 'team-a', {
    metadata: { name: 'ca' },
    data: { 'ca.crt': 'PEM' },
  });
  deps = new KubeProviderDeps({
    client: kubeClientFor(server),
    clock: systemClock,
    onChange: (type, ns, name) => changes.push(`${type} ${ns}/${name}`),
  });
});

afterEach(async () => {
  await deps.close();
  await server.close();
});

describe('KubeProviderDeps', () => {
  it('watches exactly the referenced object, metadata only, and reads values by GET', async () => {
    const rv = await deps.secrets.resourceVersion('team-a', 'creds', signal);
    expect(rv).toBe(server.store.get(secrets(), 'team-a', 'creds')?.metadata.resourceVersion);
    expect(
      new TextDecoder().decode(await deps.secrets.read('team-a', 'creds', 'token', signal)),
    ).toBe('T1');
    expect(await deps.secrets.read('team-a', 'creds', 'missing', signal)).toBeUndefined();
    expect(await deps.secrets.read('team-a', 'nope', 'token', signal)).toBeUndefined();
    expect(await deps.configMaps.read('team-a', 'ca', 'ca.crt', signal)).toBe('PEM');
    const lists = server.requests.filter(
      (r) => r.resource === 'secrets' && (r.verb === 'list' || r.verb === 'watch'),
    );
    expect(lists.length).toBeGreaterThan(0);
    for (const r of lists) {
      expect(r.namespace).toBe('team-a');
      expect(r.query.get('fieldSelector')).toMatch(/^metadata\.name=(creds|nope)$/);
    }
    // The unrelated Secret was never read.
    expect(server.requests.some((r) => r.name === 'unrelated')).toBe(false);
    expect(deps.watched).toBe(3);
  });

  it('reports changes to a watched object (not its initial state), including create and delete', async () => {
    await deps.secrets.resourceVersion('team-a', 'creds', signal);
    await deps.secrets.resourceVersion('team-a', 'later', signal);
    await until(() => server.openWatches('secrets') >= 2, 'watches');
    expect(changes).toEqual([]);
    server.objects.update(secrets(), 'team-a', 'creds', {
      ...server.store.get(secrets(), 'team-a', 'creds'),
      data: { token: Buffer.from('T2').toString('base64') },
    });
    server.objects.create(secrets(), 'team-a', {
      metadata: { name: 'later' },
      stringData: { a: 'b' },
    });
    server.objects.delete(secrets(), 'team-a', 'later');
    server.objects.update(secrets(), 'team-a', 'unrelated', {
      ...server.store.get(secrets(), 'team-a', 'unrelated'),
      data: {},
    });
    await until(() => changes.length >= 3, 'changes');
    // Two watches: their events interleave in any order.
    expect([...changes].sort()).toEqual([
      'Secret team-a/creds',
      'Secret team-a/later',
      'Secret team-a/later',
    ]);
    expect(await deps.secrets.resourceVersion('team-a', 'later', signal)).toBeUndefined();
    expect(
      new TextDecoder().decode(await deps.secrets.read('team-a', 'creds', 'token', signal)),
    ).toBe('T2');
  });

  it('issues TokenRequest tokens and reads ServiceAccount annotations', async () => {
    server.objects.create(server.resource('serviceaccounts'), 'team-a', {
      metadata: { name: 'app', annotations: { 'eks.amazonaws.com/role-arn': 'arn:role' } },
    });
    const t = await deps.tokens.issue('team-a', 'app', ['vault'], 600, signal);
    expect(server.objects.tokens.get(t.token)).toMatchObject({
      namespace: 'team-a',
      serviceAccount: 'app',
      audiences: ['vault'],
    });
    expect(t.expiresAt).toBeGreaterThan(Date.now() + 500_000);
    expect(await deps.serviceAccounts.annotations('team-a', 'app', signal)).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:role',
    });
    expect(await deps.serviceAccounts.annotations('team-a', 'ghost', signal)).toBeUndefined();
    await expect(deps.tokens.issue('team-a', 'ghost', [], 600, signal)).rejects.toMatchObject({
      code: 'KUBE_NOT_FOUND',
    });
  });

  it('stops watching objects nobody asked about for the idle time', async () => {
    let now = Date.now();
    const clock: Clock = { now: () => now, sleep: (ms, s) => systemClock.sleep(ms, s) };
    const idle = new KubeProviderDeps({ client: kubeClientFor(server), clock, idleMs: 60_000 });
    try {
      await idle.secrets.resourceVersion('team-a', 'creds', signal);
      await idle.configMaps.resourceVersion('team-a', 'ca', signal);
      now += 30_000;
      await idle.secrets.resourceVersion('team-a', 'creds', signal);
      now += 40_000;
      await idle.sweep();
      expect(idle.isTracked('Secret', 'team-a', 'creds')).toBe(true);
      expect(idle.isTracked('ConfigMap', 'team-a', 'ca')).toBe(false);
    } finally {
      await idle.close();
    }
  });
});
