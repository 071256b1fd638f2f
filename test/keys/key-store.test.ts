// The key store against the test API server: keys load from labelled Secrets (ours, Bitnami's and
// Bitnami's legacy name), and additions, relabelling and deletion take effect while running.
// No Secret data is cached by the informer; unusable key Secrets are reported, never fatal.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { buildKeySecret } from '../../src/crypto/key-secret.ts';
import { keyFingerprint } from '../../src/crypto/keys.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { KeyStore, ORIGINAL_CREATED_ANNOTATION } from '../../src/keys/key-store.ts';
import { testKey } from '../crypto/fixtures.ts';
import { waitFor } from '../kube/wait.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';

const a = testKey('a');
const b = testKey('b');
const fpA = keyFingerprint(a.privateKey);
const fpB = keyFingerprint(b.privateKey);
let server: KubeTestServer;
let client: KubeClient;
let store: KeyStore;

beforeEach(async () => {
  server = await KubeTestServer.start({ bookmarkIntervalMs: 100 });
  client = kubeClientFor(server);
});
afterEach(async () => {
  await store.stop();
  expect(server.internalErrors).toEqual([]);
  await server.close();
});

function seed(
  name: string,
  key: typeof a,
  labels?: Record<string, string>,
  annotations?: Record<string, string>,
): void {
  const s = buildKeySecret({
    namespace: 'sb',
    name,
    privateKeyPem: key.keyPem,
    certPem: key.certPem,
  });
  const metadata = {
    ...s.metadata,
    ...(labels === undefined ? {} : { labels }),
    ...(annotations === undefined ? {} : { annotations }),
  };
  server.objects.create(server.resource('secrets'), 'sb', { ...s, metadata });
}

async function started(order?: 'cert-not-before' | 'creation-timestamp'): Promise<KeyStore> {
  store = new KeyStore({
    secrets: client.secrets,
    namespace: 'sb',
    clock: systemClock,
    ...(order ? { order } : {}),
  });
  store.start();
  await store.waitForSync();
  return store;
}

const active = () =>
  store
    .keyring()
    .keys()
    .map((k) => k.fingerprint);

describe('KeyStore', () => {
  it("loads ours, Bitnami's and the legacy unlabelled key, and ignores other Secrets", async () => {
    seed('ours', a);
    seed('sealed-secrets-key', b, {});
    server.objects.create(server.resource('secrets'), 'sb', {
      metadata: { name: 'unrelated' },
      data: { x: 'eA==' },
    });
    await started();
    expect(new Set(active())).toEqual(new Set([fpA, fpB]));
    expect(
      store
        .all()
        .map((k) => k.secret)
        .sort(),
    ).toEqual(['sb/ours', 'sb/sealed-secrets-key']);
    // One GET per key Secret; the unrelated Secret is never read.
    expect(server.count('get', 'secrets')).toBe(2);
    expect(store.newest()?.certPem).toContain('BEGIN CERTIFICATE');
    // The informer is metadata-only: nothing it caches carries data.
    expect(store.informer.list().every((s) => s.data === undefined)).toBe(true);
  });

  it('applies additions, relabelling and deletion while running, and tells listeners', async () => {
    seed('key-a', a);
    await started();
    const changes: number[] = [];
    store.onChange((ring) => changes.push(ring.size));
    seed('key-b', b, { 'sealedsecrets.bitnami.com/sealed-secrets-key': 'active' });
    await waitFor(() => active().length === 2, 'key-b loaded');

    const s = await client.secrets.get({ namespace: 'sb', name: 'key-a' });
    await client.secrets.replace({
      ...s,
      metadata: { ...s.metadata, labels: { 'sealbridge.io/sealing-key': 'compromised' } },
    });
    await waitFor(() => active().join() === fpB, 'key-a disabled');
    expect(store.all().find((k) => k.secret === 'sb/key-a')?.state).toBe('disabled');

    await client.secrets.delete({ namespace: 'sb', name: 'key-b' });
    await waitFor(() => active().length === 0, 'key-b deleted');
    expect(changes).toEqual([2, 1, 0]);
  });

  it('reports an unreadable key Secret as invalid without failing the others', async () => {
    seed('good', a);
    server.objects.create(server.resource('secrets'), 'sb', {
      metadata: { name: 'broken', labels: { 'sealbridge.io/sealing-key': 'active' } },
      type: 'kubernetes.io/tls',
      data: { 'tls.key': Buffer.from('not a key').toString('base64') },
    });
    await started();
    expect(active()).toEqual([fpA]);
    const broken = store.all().find((k) => k.secret === 'sb/broken');
    expect(broken?.state).toBe('invalid');
    expect(broken?.problem).toContain('not a PEM private key');
  });

  it('orders by creation time when asked, honouring an imported original time', async () => {
    seed('new-cert-old-secret', a, undefined, {
      [ORIGINAL_CREATED_ANNOTATION]: '2020-01-01T00:00:00Z',
    });
    seed('b', b);
    await started('creation-timestamp');
    expect(store.keyring().newest()?.fingerprint).toBe(fpB);
  });
});
