// Key renewal decisions (first key, period, cutoff, off) on a fake clock, and the race safety net:
// two renewers deciding from the same state create exactly one key Secret.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { buildKeySecret } from '../../src/crypto/key-secret.ts';
import type { GeneratedKey } from '../../src/crypto/keygen.ts';
import { keyFingerprint } from '../../src/crypto/keys.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { KeyRenewer } from '../../src/keys/key-renewal.ts';
import { KeyStore } from '../../src/keys/key-store.ts';
import { testKey } from '../crypto/fixtures.ts';
import { FakeClock } from '../kube/fake-clock.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';

const a = testKey('a');
const b = testKey('b');
const DAY = 86_400_000;
let server: KubeTestServer;
let client: KubeClient;
let stores: KeyStore[] = [];

beforeEach(async () => {
  server = await KubeTestServer.start({ bookmarkIntervalMs: 100 });
  client = kubeClientFor(server);
});
afterEach(async () => {
  await Promise.all(stores.map((s) => s.stop()));
  stores = [];
  await server.close();
});

async function store(): Promise<KeyStore> {
  const s = new KeyStore({ secrets: client.secrets, namespace: 'sb', clock: systemClock });
  s.start();
  await s.waitForSync();
  stores.push(s);
  return s;
}

/** Hands out the fixture key (no slow RSA generation in unit tests). */
function fixedKey(key = b): () => Promise<GeneratedKey> {
  return () =>
    Promise.resolve({
      privateKey: key.privateKey,
      privateKeyPem: key.keyPem,
      certPem: key.certPem,
      fingerprint: keyFingerprint(key.privateKey),
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 3650 * DAY),
    });
}

function renewer(
  s: KeyStore,
  clock: FakeClock,
  extra: Partial<ConstructorParameters<typeof KeyRenewer>[0]> = {},
) {
  return new KeyRenewer({
    store: s,
    secrets: client.secrets,
    clock,
    renewPeriodMs: 30 * DAY,
    generate: fixedKey(),
    ...extra,
  });
}

describe('KeyRenewer', () => {
  it('decides from the newest active key: none, period, cutoff, and renewal off', async () => {
    server.objects.create(
      server.resource('secrets'),
      'sb',
      buildKeySecret({ namespace: 'sb', name: 'k', privateKeyPem: a.keyPem, certPem: a.certPem }),
    );
    const s = await store();
    const born = s.newest()?.notBefore?.getTime() ?? 0;
    const clock = new FakeClock(born + 29 * DAY);
    const r = renewer(s, clock);
    expect(r.decide(clock.now())).toMatchObject({
      due: false,
      reason: 'current',
      nextAt: born + 30 * DAY,
    });
    expect(r.decide(born + 30 * DAY)).toMatchObject({ due: true, reason: 'period' });
    expect(renewer(s, clock, { renewPeriodMs: 0 }).decide(born + 3650 * DAY)).toMatchObject({
      due: false,
    });
    expect(
      renewer(s, clock, { cutoffTime: new Date(born + 1000) }).decide(clock.now()),
    ).toMatchObject({ due: true, reason: 'cutoff' });
    const empty = await (async () => {
      const e = new KeyStore({ secrets: client.secrets, namespace: 'empty', clock: systemClock });
      e.start();
      await e.waitForSync();
      stores.push(e);
      return e;
    })();
    const first = renewer(empty, clock);
    expect(first.decide(clock.now())).toMatchObject({ due: true, reason: 'no-active-key' });
    expect(first.successorName()).toBe('sealbridge-key-genesis');
    expect(r.successorName()).toMatch(/^sealbridge-key-[0-9a-f]{10}$/);
  });

  it('creates the first key once, even when two replicas race', async () => {
    const [s1, s2] = [await store(), await store()];
    const clock = new FakeClock();
    const results = await Promise.all([renewer(s1, clock).ensure(), renewer(s2, clock).ensure()]);
    expect(results.sort()).toEqual(['created', 'raced']);
    const keys = await client.secrets.list({ namespace: 'sb' });
    expect(keys.items.map((k) => k.metadata.name)).toEqual(['sealbridge-key-genesis']);
    expect(s1.keyring().size).toBe(1);
    expect(s2.keyring().size).toBe(1);
    expect(await renewer(s1, clock).ensure()).toBe('current');
  });

  it('renews in its run loop when the period has passed, labelling for Bitnami when asked', async () => {
    server.objects.create(
      server.resource('secrets'),
      'sb',
      buildKeySecret({ namespace: 'sb', name: 'k', privateKeyPem: a.keyPem, certPem: a.certPem }),
    );
    const s = await store();
    const clock = new FakeClock((s.newest()?.notBefore?.getTime() ?? 0) + 31 * DAY);
    const ac = new AbortController();
    const loop = renewer(s, clock, { bitnamiLabel: true }).run(ac.signal);
    for (let i = 0; i < 200 && s.keyring().size < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await loop;
    expect(s.keyring().size).toBe(2);
    const created = (await client.secrets.list({ namespace: 'sb' })).items.find(
      (k) => k.metadata.name !== 'k',
    );
    expect(created?.metadata.labels).toMatchObject({
      'sealbridge.io/sealing-key': 'active',
      'sealedsecrets.bitnami.com/sealed-secrets-key': 'active',
    });
  });
});
