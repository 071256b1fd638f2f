// Importing Bitnami's key Secrets from another namespace: active and disabled keys keep their
// state, the legacy unlabelled key comes too, unreadable ones are skipped, and a second run
// imports nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { buildKeySecret } from '../../src/crypto/key-secret.ts';
import { keyFingerprint } from '../../src/crypto/keys.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { importBitnamiKeys, IMPORTED_FROM_ANNOTATION } from '../../src/keys/key-import.ts';
import { KeyStore } from '../../src/keys/key-store.ts';
import { testKey } from '../crypto/fixtures.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';

const a = testKey('a');
const b = testKey('b');
let server: KubeTestServer;
let client: KubeClient;
let store: KeyStore;

beforeEach(async () => {
  server = await KubeTestServer.start();
  client = kubeClientFor(server);
});
afterEach(async () => {
  await store.stop();
  await server.close();
});

function bitnamiKey(name: string, key: typeof a, label: string | undefined): void {
  const s = buildKeySecret({
    namespace: 'kube-system',
    name,
    privateKeyPem: key.keyPem,
    certPem: key.certPem,
  });
  const labels =
    label === undefined ? {} : { 'sealedsecrets.bitnami.com/sealed-secrets-key': label };
  server.objects.create(server.resource('secrets'), 'kube-system', {
    ...s,
    metadata: { ...s.metadata, labels },
  });
}

describe('importBitnamiKeys', () => {
  it('copies keys with their state, and is idempotent', async () => {
    bitnamiKey('sealed-secrets-keyab12c', a, 'active');
    bitnamiKey('sealed-secrets-key', b, undefined);
    server.objects.create(server.resource('secrets'), 'kube-system', {
      metadata: {
        name: 'sealed-secrets-keybroken',
        labels: { 'sealedsecrets.bitnami.com/sealed-secrets-key': 'compromised' },
      },
      data: { 'tls.key': 'bm9wZQ==' },
    });
    store = new KeyStore({ secrets: client.secrets, namespace: 'sealbridge', clock: systemClock });
    store.start();
    await store.waitForSync();
    const r = await importBitnamiKeys({ secrets: client.secrets, from: 'kube-system', store });
    expect(r).toEqual({ imported: 2, skipped: 0, invalid: 1 });
    const copies = (await client.secrets.list({ namespace: 'sealbridge' })).items;
    expect(copies.map((s) => s.metadata.name).sort()).toEqual([
      'imported-sealed-secrets-key',
      'imported-sealed-secrets-keyab12c',
    ]);
    expect(copies.every((s) => s.metadata.labels?.['sealbridge.io/sealing-key'] === 'active')).toBe(
      true,
    );
    expect(copies[0]?.metadata.annotations?.[IMPORTED_FROM_ANNOTATION]).toMatch(/^kube-system\//);
    expect(
      new Set(
        store
          .keyring()
          .keys()
          .map((k) => k.fingerprint),
      ),
    ).toEqual(new Set([keyFingerprint(a.privateKey), keyFingerprint(b.privateKey)]));
    expect(
      await importBitnamiKeys({ secrets: client.secrets, from: 'kube-system', store }),
    ).toEqual({ imported: 0, skipped: 2, invalid: 1 });
  });
});
