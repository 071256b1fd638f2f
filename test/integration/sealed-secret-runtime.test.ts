// The controller as a running process: sealing keys generated, renewed, added and deleted while it
// runs; two instances failing over through the Lease; dropped watches and 410 Gone; the SIGTERM
// path draining in-flight work and releasing the Lease; and a canary value that must never show
// in logs, Events, status, /metrics or /readyz.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyFingerprint } from '../../src/crypto/keys.ts';
import { parseCertificate } from '../../src/crypto/certificate.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { LeaseObject } from '../../src/kube/types.ts';
import {
  CONTROLLER_NS,
  clientFor,
  eventually,
  fixtureKey,
  KubeTestServer,
  readyState,
  SEALED,
  sealed,
  secretOf,
  secretWith,
  seedKeySecret,
  startCtl,
  type Started,
} from './harness.ts';

const keyA = fixtureKey('a');
const keyB = fixtureKey('b');
let server: KubeTestServer;
let client: KubeClient;
let running: Started[] = [];

beforeEach(async () => {
  server = await KubeTestServer.start({ bookmarkIntervalMs: 200 });
  client = clientFor(server);
});
afterEach(async () => {
  await Promise.all(running.map((r) => r.ctl.shutdown()));
  running = [];
  expect(server.internalErrors).toEqual([]);
  await server.close();
});

async function start(flags = {}): Promise<Started> {
  const s = await startCtl(server, flags);
  running.push(s);
  return s;
}

const ss = () => client.resource(SEALED);

async function certFingerprint(port: number): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/cert.pem`);
  if (res.status !== 200) return undefined;
  return parseCertificate(await res.text(), 'cert.pem').fingerprint;
}

async function lease(): Promise<LeaseObject | undefined> {
  return client.leases.find({ namespace: CONTROLLER_NS, name: 'sealbridge-controller' });
}

describe('sealing keys while running', () => {
  it('generates a first key, serves it, and renews on schedule without duplicates', async () => {
    const { ctl } = await start({ keySize: '2048', keyRenewPeriod: '3s' });
    const first = await eventually(() => certFingerprint(ctl.apiPort), 'a generated key');
    const keys = await client.secrets.list({ namespace: CONTROLLER_NS });
    expect(keys.items.map((s) => s.metadata.name)).toEqual(['sealbridge-key-genesis']);
    expect(keys.items[0]?.metadata.labels?.['sealbridge.io/sealing-key']).toBe('active');
    const second = await eventually(async () => {
      const fp = await certFingerprint(ctl.apiPort);
      return fp !== undefined && fp !== first ? fp : undefined;
    }, 'a renewed key');
    expect(second).not.toBe(first);
    const after = await client.secrets.list({ namespace: CONTROLLER_NS });
    // Old keys stay (they still open what was sealed with them); names are deterministic.
    expect(after.items.map((s) => s.metadata.name)).toContain('sealbridge-key-genesis');
    expect(after.items.length).toBeGreaterThanOrEqual(2);
  });

  it('picks up key Secrets added, relabelled and deleted, without a restart', async () => {
    seedKeySecret(server, keyA, 'key-a');
    const { ctl } = await start();
    expect(await eventually(() => certFingerprint(ctl.apiPort), 'cert')).toBe(keyA.fingerprint);

    await ss().create(sealed('for-b', { v: '1' }, keyB));
    await readyState(client, 'for-b', 'False');
    seedKeySecret(server, keyB, 'key-b');
    await readyState(client, 'for-b', 'True');

    await client.secrets.delete({ namespace: CONTROLLER_NS, name: 'key-a' });
    await eventually(
      async () => ((await certFingerprint(ctl.apiPort)) === keyB.fingerprint ? true : undefined),
      'B newest',
    );
    await ss().create(sealed('for-a', { v: '1' }, keyA));
    await readyState(client, 'for-a', 'False');

    const b = await client.secrets.get({ namespace: CONTROLLER_NS, name: 'key-b' });
    await client.secrets.replace({
      ...b,
      metadata: { ...b.metadata, labels: { 'sealbridge.io/sealing-key': 'compromised' } },
    });
    await eventually(
      async () => ((await certFingerprint(ctl.apiPort)) === undefined ? true : undefined),
      'no active key',
    );
    expect(ctl.keys.keyring().size).toBe(0);
    expect(keyFingerprint(keyB.privateKey)).toBe(keyB.fingerprint);
  });
});

describe('leader election and shutdown', () => {
  it('lets exactly one of two instances lead, and fails over when the leader stops', async () => {
    seedKeySecret(server, keyA, 'key-a');
    const one = await start();
    const two = await start();
    await eventually(
      () => (one.ctl.isLeader() !== two.ctl.isLeader() ? true : undefined),
      'one leader',
    );
    const [leader, standby] = one.ctl.isLeader() ? [one, two] : [two, one];
    await ss().create(sealed('before', { v: '1' }, keyA));
    await readyState(client, 'before', 'True');
    // A standby serves HTTP with the keys too.
    expect(await certFingerprint(standby.ctl.apiPort)).toBe(keyA.fingerprint);

    await leader.ctl.shutdown();
    running = running.filter((r) => r !== leader);
    expect((await lease())?.spec?.holderIdentity).toBe('');
    await eventually(
      () => (standby.ctl.isLeader() ? true : undefined),
      'standby takes over',
      10_000,
    );
    expect((await lease())?.spec?.holderIdentity).toBe(standby.ctl.identity);
    await ss().create(sealed('after', { v: '2' }, keyA));
    await readyState(client, 'after', 'True');
  });

  it('drains in-flight work on shutdown and releases the Lease', async () => {
    seedKeySecret(server, keyA, 'key-a');
    const s = await start();
    await eventually(() => (s.ctl.isLeader() ? true : undefined), 'leader');
    server.faults.addLatency(800, { match: { verb: 'create', resource: 'secrets' }, count: 1 });
    await ss().create(sealed('slow', { v: 'drained' }, keyA));
    await eventually(
      () => (server.count('create', 'secrets') > 0 ? true : undefined),
      'create in flight',
    );
    await s.ctl.shutdown();
    running = [];
    // The reconcile that was in flight finished: Secret written and status reported.
    expect((await secretOf(client, 'slow'))?.data?.['v']).toBe(
      Buffer.from('drained').toString('base64'),
    );
    await readyState(client, 'slow', 'True');
    const l = await lease();
    expect(l?.spec?.holderIdentity).toBe('');
  });
});

describe('watch faults', () => {
  it('converges after dropped watches and after 410 Gone', async () => {
    seedKeySecret(server, keyA, 'key-a');
    await start();
    await ss().create(sealed('one', { v: '1' }, keyA));
    await readyState(client, 'one', 'True');

    server.faults.dropWatches({ mode: 'destroy' });
    await ss().create(sealed('two', { v: '2' }, keyA));
    await readyState(client, 'two', 'True');
    await client.secrets.delete({ namespace: 'apps', name: 'two' });
    await secretWith(client, 'two', (d) => d['v'] === '2');

    const lists = server.count('list', 'sealedsecrets');
    server.faults.compactHistory();
    server.faults.dropWatches({ mode: 'end' });
    await ss().create(sealed('three', { v: '3' }, keyA));
    await readyState(client, 'three', 'True');
    await eventually(
      () => (server.count('list', 'sealedsecrets') > lists ? true : undefined),
      'relist after 410',
    );
  });
});

describe('secret values stay secret', () => {
  it('never shows a canary in logs, Events, status, /metrics or /readyz', async () => {
    const canary = 'canary-9f8e7d6c5b4a';
    seedKeySecret(server, keyA, 'key-a');
    const s = await start({ logLevel: 'debug' });
    await ss().create(sealed('ok', { password: canary }, keyA));
    await ss().create(
      sealed('bad-template', { password: canary }, keyA, {
        template: { data: { x: '{{ .missing }}{{ .password }}' } },
      }),
    );
    await ss().create(sealed('not-mine', { password: canary }, keyA));
    server.objects.create(server.resource('secrets'), 'apps', {
      metadata: { name: 'unowned' },
      data: {},
    });
    await ss().create(sealed('unowned', { password: canary }, keyA));
    await readyState(client, 'ok', 'True');
    await readyState(client, 'bad-template', 'False');
    await readyState(client, 'unowned', 'False');
    const forms = [canary, Buffer.from(canary).toString('base64')];
    const events = JSON.stringify((await client.events.list({})).items);
    const statuses = JSON.stringify(
      (await ss().list({})).items.map((o) => (o as { status?: unknown }).status),
    );
    const metrics = await (await fetch(`http://127.0.0.1:${s.ctl.metricsPort}/metrics`)).text();
    const readyz = await (await fetch(`http://127.0.0.1:${s.ctl.apiPort}/readyz`)).text();
    await s.ctl.shutdown();
    running = [];
    expect(s.logs.lines.length).toBeGreaterThan(10);
    for (const text of [s.logs.text(), events, statuses, metrics, readyz]) {
      for (const f of forms) expect(text).not.toContain(f);
    }
    expect(statuses).toContain('map has no entry for key');
  });
});
