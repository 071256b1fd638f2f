// The shared secret writer against the Kubernetes API test server: ownership rules, the managed and
// patch annotations, hash-based skipping (no recomputation, no API call), optimistic concurrency,
// immutable Secrets and failures that must leave the existing Secret alone.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DATA_HASH_ANNOTATION,
  MANAGED_BY_LABEL,
  MERGED_KEYS_ANNOTATION,
  OWNER_ANNOTATION,
  SecretWriter,
  SOURCE_HASH_ANNOTATION,
  managedSecretOwnerKeys,
  type DesiredSecret,
  type WritePolicy,
} from '../../src/controllers/secret-writer.ts';
import { SealbridgeError } from '../../src/errors.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject, SecretObject } from '../../src/kube/types.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';

let server: KubeTestServer;
let client: KubeClient;
let owner: KubeObject;

const OWNED: WritePolicy = { create: true, ownerReference: true, adopt: 'owned', mode: 'auto' };
const b64 = (s: string): string => Buffer.from(s).toString('base64');

beforeEach(async () => {
  server = await KubeTestServer.start();
  client = kubeClientFor(server);
  owner = server.objects.create(server.resource('sealedsecrets.sealbridge.io'), 'apps', {
    apiVersion: 'sealbridge.io/v1alpha1',
    kind: 'SealedSecret',
    metadata: { name: 'db' },
    spec: { encryptedData: {} },
  });
});
afterEach(async () => {
  expect(server.internalErrors).toEqual([]);
  await server.close();
});

function desired(data: Record<string, string>, extra: Partial<DesiredSecret> = {}): DesiredSecret {
  return { data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])), ...extra };
}

async function get(name = 'db'): Promise<SecretObject> {
  return client.secrets.get({ namespace: 'apps', name });
}

function seed(secret: Partial<SecretObject> & { metadata: SecretObject['metadata'] }): void {
  server.objects.create(server.resource('secrets'), 'apps', secret);
}

function write(
  writer: SecretWriter,
  want: DesiredSecret | (() => DesiredSecret),
  options: { policy?: WritePolicy; sourceHash?: string; name?: string } = {},
) {
  return writer.write({
    owner,
    namespace: 'apps',
    name: options.name ?? 'db',
    policy: options.policy ?? OWNED,
    sourceHash: options.sourceHash ?? 'h1',
    desired: typeof want === 'function' ? want : () => want,
  });
}

async function errorOf(p: Promise<unknown>): Promise<SealbridgeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SealbridgeError);
  return err as SealbridgeError;
}

describe('SecretWriter', () => {
  it('creates an owned Secret with markers, hashes and the desired metadata', async () => {
    const writer = new SecretWriter({ secrets: client.secrets });
    const out = await write(
      writer,
      desired({ password: 'p1' }, { type: 'kubernetes.io/basic-auth', labels: { app: 'db' } }),
    );
    expect(out.action).toBe('created');
    const s = await get();
    expect(s.type).toBe('kubernetes.io/basic-auth');
    expect(s.data).toEqual({ password: b64('p1') });
    expect(s.metadata.labels).toEqual({ app: 'db', [MANAGED_BY_LABEL]: 'sealedsecret' });
    expect(s.metadata.annotations?.[OWNER_ANNOTATION]).toBe('SealedSecret/db');
    expect(s.metadata.annotations?.[SOURCE_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{32}$/);
    expect(s.metadata.annotations?.[DATA_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{32}$/);
    expect(s.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'sealbridge.io/v1alpha1',
        kind: 'SealedSecret',
        name: 'db',
        uid: owner.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('skips an unchanged Secret without computing it, and without any call when cached', async () => {
    const writer = new SecretWriter({ secrets: client.secrets });
    await write(writer, desired({ a: '1' }));
    const compute = vi.fn(() => desired({ a: '1' }));
    server.resetCounts();
    expect((await write(writer, compute)).action).toBe('unchanged');
    expect(compute).not.toHaveBeenCalled();
    expect(server.count('get', 'secrets')).toBe(1);
    expect(server.count('update', 'secrets')).toBe(0);

    // With a cache holding the very resourceVersion written: no call at all.
    const s = await get();
    const cache = { get: () => s, list: () => [s], keys: () => ['apps/db'], size: 1 };
    const cached = new SecretWriter({ secrets: client.secrets, cache });
    await write(cached, compute); // verifies once (GET)
    server.resetCounts();
    expect((await write(cached, compute)).action).toBe('unchanged');
    expect(server.requests).toEqual([]);
    expect(compute).not.toHaveBeenCalled();
  });

  it('rewrites when the source hash changes, and repairs data edited by someone else', async () => {
    const writer = new SecretWriter({ secrets: client.secrets });
    await write(writer, desired({ a: '1' }));
    expect((await write(writer, desired({ a: '2' }), { sourceHash: 'h2' })).action).toBe('updated');
    expect((await get()).data).toEqual({ a: b64('2') });

    const edited = await get();
    await client.secrets.replace({ ...edited, data: { a: b64('tampered'), extra: b64('x') } });
    const compute = vi.fn(() => desired({ a: '2' }));
    expect((await write(writer, compute, { sourceHash: 'h2' })).action).toBe('updated');
    expect(compute).toHaveBeenCalledTimes(1);
    expect((await get()).data).toEqual({ a: b64('2') });
  });

  it('refuses a Secret it does not own, and leaves it alone', async () => {
    seed({ metadata: { name: 'db' }, data: { mine: b64('keep') } });
    const writer = new SecretWriter({ secrets: client.secrets });
    const err = await errorOf(write(writer, desired({ a: '1' })));
    expect(err.code).toBe('SECRET_NOT_OWNED');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('apps/db');
    expect((await get()).data).toEqual({ mine: b64('keep') });
  });

  it('takes over a Secret annotated managed (either family), replacing it', async () => {
    seed({
      metadata: { name: 'db', annotations: { 'sealedsecrets.bitnami.com/managed': 'true' } },
      data: { old: b64('x') },
    });
    const writer = new SecretWriter({ secrets: client.secrets });
    expect((await write(writer, desired({ a: '1' }))).action).toBe('updated');
    const s = await get();
    expect(s.data).toEqual({ a: b64('1') });
    expect(s.metadata.ownerReferences?.[0]?.uid).toBe(owner.metadata.uid);
    // Now controlled by the owner: later writes are allowed without the annotation.
    expect((await write(writer, desired({ a: '2' }), { sourceHash: 'h2' })).action).toBe('updated');
  });

  it('merges into a Secret annotated patch, keeping its other keys and owners', async () => {
    seed({
      metadata: {
        name: 'db',
        labels: { team: 'a' },
        annotations: { 'sealbridge.io/patch': 'true' },
      },
      data: { theirs: b64('t') },
    });
    const writer = new SecretWriter({ secrets: client.secrets });
    await write(writer, desired({ a: '1', b: '2' }, { labels: { app: 'x' } }));
    let s = await get();
    expect(s.data).toEqual({ theirs: b64('t'), a: b64('1'), b: b64('2') });
    expect(s.metadata.labels).toMatchObject({ team: 'a', app: 'x' });
    expect(s.metadata.ownerReferences).toBeUndefined();
    expect(s.metadata.annotations?.[MERGED_KEYS_ANNOTATION]).toBe('a,b');
    // A key it no longer wants is removed; keys it never wrote stay.
    await write(writer, desired({ a: '1' }), { sourceHash: 'h2' });
    s = await get();
    expect(s.data).toEqual({ theirs: b64('t'), a: b64('1') });
  });

  it('refuses to change an immutable Secret or its type, without retrying', async () => {
    const writer = new SecretWriter({ secrets: client.secrets });
    await write(writer, desired({ a: '1' }, { immutable: true }));
    const err = await errorOf(write(writer, desired({ a: '2' }), { sourceHash: 'h2' }));
    expect(err.code).toBe('SECRET_IMMUTABLE');
    expect(err.retryable).toBe(false);
    expect((await get()).data).toEqual({ a: b64('1') });

    await write(writer, desired({ a: '1' }), { name: 'typed' });
    const typed = await errorOf(
      write(writer, desired({ a: '1' }, { type: 'kubernetes.io/tls' }), {
        name: 'typed',
        sourceHash: 'h2',
      }),
    );
    expect(typed.code).toBe('SECRET_IMMUTABLE');
    expect(typed.message).toContain('type');
  });

  it('retries a 409 Conflict with a fresh read', async () => {
    const writer = new SecretWriter({ secrets: client.secrets });
    await write(writer, desired({ a: '1' }));
    server.faults.failNext({
      status: 409,
      count: 2,
      match: { verb: 'update', resource: 'secrets' },
    });
    expect((await write(writer, desired({ a: '2' }), { sourceHash: 'h2' })).action).toBe('updated');
    expect((await get()).data).toEqual({ a: b64('2') });
  });

  it('writes nothing when computing the Secret fails', async () => {
    const writer = new SecretWriter({ secrets: client.secrets });
    await write(writer, desired({ a: '1' }));
    const failing = () => {
      throw new SealbridgeError('NO_MATCHING_KEY', 'no key could decrypt item "a"');
    };
    const err = await errorOf(write(writer, failing, { sourceHash: 'h2' }));
    expect(err.code).toBe('NO_MATCHING_KEY');
    expect((await get()).data).toEqual({ a: b64('1') });
  });

  it('creates without an ownerReference when asked, and still recognises its Secret', async () => {
    const writer = new SecretWriter({ secrets: client.secrets });
    const policy: WritePolicy = { ...OWNED, ownerReference: false };
    await write(writer, desired({ a: '1' }), { policy });
    const s = await get();
    expect(s.metadata.ownerReferences).toBeUndefined();
    expect(managedSecretOwnerKeys(s, 'SealedSecret')).toEqual(['apps/db']);
    expect((await write(writer, desired({ a: '2' }), { policy, sourceHash: 'h2' })).action).toBe(
      'updated',
    );
  });

  it('with create: false, a missing Secret is a retryable not-found', async () => {
    const writer = new SecretWriter({ secrets: client.secrets });
    const err = await errorOf(
      write(writer, desired({ a: '1' }), { policy: { ...OWNED, create: false, adopt: 'any' } }),
    );
    expect(err.code).toBe('KUBE_NOT_FOUND');
    expect(err.retryable).toBe(true);
  });

  it('creates straight away when the synced cache says the Secret is missing', async () => {
    const empty = {
      get: () => undefined,
      list: () => [],
      keys: () => [],
      size: 0,
      hasSynced: () => true,
    };
    const writer = new SecretWriter({ secrets: client.secrets, cache: empty });
    await write(writer, desired({ a: '1' }));
    expect(server.count('get', 'secrets')).toBe(0);
    // A foreign Secret the cache does not know of: the create collides and ownership is checked.
    seed({ metadata: { name: 'other' }, data: {} });
    const err = await errorOf(write(writer, desired({ a: '1' }), { name: 'other' }));
    expect(err.code).toBe('SECRET_NOT_OWNED');
  });

  it('maps managed Secrets to their owners', () => {
    const s: KubeObject = {
      metadata: {
        namespace: 'ns',
        name: 's',
        ownerReferences: [
          {
            apiVersion: 'sealbridge.io/v1alpha1',
            kind: 'SealedSecret',
            name: 'o',
            uid: 'u',
            controller: true,
          },
        ],
      },
    };
    expect(managedSecretOwnerKeys(s, 'SealedSecret')).toEqual(['ns/o']);
    expect(managedSecretOwnerKeys(s, 'ExternalSecret')).toEqual([]);
  });
});
