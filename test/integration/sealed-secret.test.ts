// The SealedSecret controller end to end: the real controller (startController, what `sealbridge
// controller` runs) against the Kubernetes API test server through the real client-node. A
// SealedSecret becomes an owned Secret with status; drift is repaired; a deleted Secret comes
// back; an unowned Secret is refused; a tampered value gives a condition and no Secret; Bitnami's
// apiVersion, legacy spec.data and templates work.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sealValue } from '../../src/crypto/hybrid.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { EventObject, KubeObject } from '../../src/kube/types.ts';
import {
  clientFor,
  decoded,
  eventually,
  fixtureKey,
  KubeTestServer,
  readyOf,
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
let started: Started | undefined;

beforeEach(async () => {
  server = await KubeTestServer.start({ bookmarkIntervalMs: 200 });
  client = clientFor(server);
  seedKeySecret(server, keyA, 'sealbridge-key-a');
});
afterEach(async () => {
  await started?.ctl.shutdown();
  started = undefined;
  expect(server.internalErrors).toEqual([]);
  await server.close();
});

const ss = () => client.resource(SEALED);
const statusOf = (o: KubeObject) =>
  (o as { status?: { observedGeneration?: number; keyFingerprint?: string } }).status;

async function warnings(reason: string): Promise<EventObject[]> {
  const list = await client.events.list({ namespace: 'apps' });
  return list.items.filter((e) => e.reason === reason && e.type === 'Warning');
}

describe('SealedSecret controller', () => {
  it('turns a SealedSecret into an owned Secret and reports status', async () => {
    started = await startCtl(server);
    const created = await ss().create(
      sealed('db', { user: 'admin', password: 's3cret' }, keyA, {
        template: {
          type: 'kubernetes.io/basic-auth',
          metadata: { labels: { app: 'db' }, annotations: { team: 'a' } },
        },
      }),
    );
    const secret = await secretWith(client, 'db', (d) => d['password'] === 's3cret');
    expect(decoded(secret)).toEqual({ user: 'admin', password: 's3cret' });
    expect(secret.type).toBe('kubernetes.io/basic-auth');
    expect(secret.metadata.labels?.['app']).toBe('db');
    expect(secret.metadata.annotations?.['team']).toBe('a');
    expect(secret.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'sealbridge.io/v1alpha1',
        kind: 'SealedSecret',
        name: 'db',
        uid: created.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    const ready = await readyState(client, 'db', 'True');
    expect(readyOf(ready)).toMatchObject({ reason: 'Unsealed' });
    expect(statusOf(ready)).toMatchObject({
      observedGeneration: 1,
      keyFingerprint: keyA.fingerprint,
    });
    const synced = (ready as { status?: { conditions?: { type: string; status: string }[] } })
      .status?.conditions;
    expect(synced?.find((c) => c.type === 'Synced')?.status).toBe('True');

    // A spec change is applied (same template: a Secret's type can never change).
    const next = sealed('db', { user: 'admin', password: 'rotated' }, keyA, {
      template: { type: 'kubernetes.io/basic-auth', metadata: { labels: { app: 'db' } } },
    });
    await ss().replace({ ...ready, spec: (next as { spec: unknown }).spec } as KubeObject);
    await secretWith(client, 'db', (d) => d['password'] === 'rotated');
    await eventually(async () => {
      const o = await ss().get({ namespace: 'apps', name: 'db' });
      return statusOf(o)?.observedGeneration === 2 ? o : undefined;
    }, 'observedGeneration 2');
  });

  it('repairs edited data and recreates a deleted Secret within seconds', async () => {
    started = await startCtl(server);
    await ss().create(sealed('db', { password: 'right' }, keyA));
    const secret = await secretWith(client, 'db', (d) => d['password'] === 'right');

    await client.secrets.replace({
      ...secret,
      data: { password: Buffer.from('wrong').toString('base64'), extra: 'eA==' },
    });
    const repaired = await secretWith(
      client,
      'db',
      (d) => d['password'] === 'right' && !('extra' in d),
    );
    expect(repaired.metadata.ownerReferences?.[0]?.kind).toBe('SealedSecret');

    await client.secrets.delete({ namespace: 'apps', name: 'db' });
    await secretWith(client, 'db', (d) => d['password'] === 'right');
  });

  it('refuses an existing Secret it does not own, with a condition and a Warning', async () => {
    server.objects.create(server.resource('secrets'), 'apps', {
      metadata: { name: 'db' },
      data: { theirs: Buffer.from('keep').toString('base64') },
    });
    started = await startCtl(server);
    await ss().create(sealed('db', { password: 'p' }, keyA));
    const failed = await readyState(client, 'db', 'False');
    expect(readyOf(failed)).toMatchObject({ reason: 'SecretNotOwned' });
    expect(readyOf(failed)?.message).toContain('not managed by SealedSecret db');
    await eventually(
      async () => ((await warnings('SecretNotOwned')).length > 0 ? true : undefined),
      'event',
    );
    expect(decoded(await secretOf(client, 'db'))).toEqual({ theirs: 'keep' });
  });

  it('takes over a Secret annotated managed', async () => {
    server.objects.create(server.resource('secrets'), 'apps', {
      metadata: { name: 'db', annotations: { 'sealedsecrets.bitnami.com/managed': 'true' } },
      data: { old: 'eA==' },
    });
    started = await startCtl(server);
    await ss().create(sealed('db', { password: 'p' }, keyA));
    const s = await secretWith(client, 'db', (d) => d['password'] === 'p');
    expect(decoded(s)).toEqual({ password: 'p' });
    expect(s.metadata.ownerReferences?.[0]?.name).toBe('db');
  });

  it('gives a tampered ciphertext a condition and no Secret, and keeps an existing one', async () => {
    started = await startCtl(server);
    const good = sealed('db', { password: 'p' }, keyA);
    const value = (good as { spec: { encryptedData: Record<string, string> } }).spec.encryptedData[
      'password'
    ]!;
    const bytes = Buffer.from(value, 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    await ss().create({
      ...good,
      spec: { encryptedData: { password: bytes.toString('base64') } },
    } as KubeObject);
    const failed = await readyState(client, 'db', 'False');
    expect(readyOf(failed)).toMatchObject({ reason: 'UnsealFailed' });
    expect(readyOf(failed)?.message).toContain('failed authentication');
    expect(await secretOf(client, 'db')).toBeUndefined();

    // A Secret that exists stays as it was when a later spec cannot be opened.
    await ss().create(sealed('kept', { password: 'v1' }, keyA));
    await secretWith(client, 'kept', (d) => d['password'] === 'v1');
    const current = await ss().get({ namespace: 'apps', name: 'kept' });
    await ss().replace({ ...current, spec: { encryptedData: { password: 'AAAA' } } } as KubeObject);
    await eventually(async () => {
      const o = await ss().get({ namespace: 'apps', name: 'kept' });
      return readyOf(o)?.status === 'False' && statusOf(o)?.observedGeneration === 2
        ? o
        : undefined;
    }, 'failure reported');
    expect(decoded(await secretOf(client, 'kept'))).toEqual({ password: 'v1' });
  });

  it('reports a SealedSecret sealed for another key until that key arrives', async () => {
    started = await startCtl(server);
    await ss().create(sealed('db', { password: 'p' }, keyB));
    const failed = await readyState(client, 'db', 'False');
    expect(readyOf(failed)?.message).toContain('no key could decrypt');
    seedKeySecret(server, keyB, 'sealbridge-key-b');
    const ready = await readyState(client, 'db', 'True');
    expect(statusOf(ready)?.keyFingerprint).toBe(keyB.fingerprint);
  });

  it('renders template data and honours skip-set-owner-references and cluster-wide scope', async () => {
    started = await startCtl(server);
    await ss().create(
      sealed('cfg', { user: 'u', pass: 'p' }, keyA, {
        annotations: { 'sealbridge.io/cluster-wide': 'true' },
        template: {
          metadata: {
            annotations: { 'sealedsecrets.bitnami.com/skip-set-owner-references': 'true' },
          },
          data: { dsn: 'postgres://{{ .user }}:{{ .pass }}@db/app', static: 'plain' },
        },
      }),
    );
    const s = await secretWith(client, 'cfg', (d) => d['dsn'] !== undefined);
    expect(decoded(s)).toEqual({
      user: 'u',
      pass: 'p',
      dsn: 'postgres://u:p@db/app',
      static: 'plain',
    });
    expect(s.metadata.ownerReferences).toBeUndefined();
  });

  it("serves bitnami.com SealedSecrets with --also-bitnami, and Bitnami's legacy spec.data", async () => {
    started = await startCtl(server, { alsoBitnami: true });
    const bitnami = client.resource({ ...SEALED, group: 'bitnami.com' });
    await bitnami.create(
      sealed('legacy-free', { k: 'v' }, keyA, { apiVersion: 'bitnami.com/v1alpha1' }),
    );
    const s = await secretWith(client, 'legacy-free', (d) => d['k'] === 'v');
    expect(s.metadata.ownerReferences?.[0]?.apiVersion).toBe('bitnami.com/v1alpha1');

    const whole = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'old', labels: { from: 'v1-data' } },
      data: { token: Buffer.from('t0k').toString('base64') },
    });
    await bitnami.create({
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 'old', namespace: 'apps' },
      spec: { data: sealValue(Buffer.from(whole), Buffer.from('apps/old'), keyA.publicKey) },
    } as KubeObject);
    const old = await secretWith(client, 'old', (d) => d['token'] === 't0k');
    expect(old.metadata.labels?.['from']).toBe('v1-data');
  });
});
