// The SealedSecret reconciler on its own (no runner, no informers): what one reconcile does with
// the API (test server), the worker pool (inline) and the key hint. The end-to-end behaviour is in
// test/integration/sealed-secret*.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SealedSecretReconciler, sealedSourceHash } from '../../src/controllers/sealed-secret.ts';
import { SecretWriter } from '../../src/controllers/secret-writer.ts';
import { StatusReporter, type StatusObject } from '../../src/controllers/status.ts';
import { systemClock } from '../../src/clock.ts';
import { validateSealedSecret } from '../../src/api/sealed-secret.ts';
import { keyringKey } from '../../src/crypto/keyring.ts';
import { createValueOpener, type ValueOpener } from '../../src/crypto/worker-pool.ts';
import { SealbridgeError } from '../../src/errors.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { fixtureKey, readyOf, SEALED, sealed } from '../integration/harness.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';

const keyA = fixtureKey('a');
const keyB = fixtureKey('b');
let server: KubeTestServer;
let client: KubeClient;
let opener: ValueOpener;
let opened: number[];
let cache: Map<string, KubeObject>;
let reconciler: SealedSecretReconciler;
const signal = new AbortController().signal;

beforeEach(async () => {
  server = await KubeTestServer.start();
  client = kubeClientFor(server);
  opener = createValueOpener({ threads: 0 });
  opener.setKeys([
    keyringKey(keyA.privateKey, { notBefore: new Date(2027, 0, 1) }),
    keyringKey(keyB.privateKey, { notBefore: new Date(2026, 0, 1) }),
  ]);
  opened = [];
  cache = new Map();
  const reader = {
    get: (k: string) => cache.get(k),
    list: () => [...cache.values()],
    keys: () => [...cache.keys()],
    get size() {
      return cache.size;
    },
  };
  reconciler = new SealedSecretReconciler({
    cache: reader,
    apiVersion: 'sealbridge.io/v1alpha1',
    writer: new SecretWriter({ secrets: client.secrets }),
    status: new StatusReporter<StatusObject>({
      resource: client.resource<StatusObject>(SEALED),
      clock: systemClock,
    }),
    opener,
    acceptDeprecatedData: true,
    onOpened: (n) => opened.push(n),
  });
});
afterEach(async () => {
  await opener.close();
  await server.close();
});

async function put(obj: KubeObject): Promise<KubeObject> {
  const created = await client.resource(SEALED).create(obj);
  cache.set(`apps/${created.metadata.name ?? ''}`, created);
  return created;
}

async function refresh(name: string): Promise<KubeObject> {
  const o = await client.resource(SEALED).get({ namespace: 'apps', name });
  cache.set(`apps/${name}`, o);
  return o;
}

describe('SealedSecretReconciler', () => {
  it('uses status.keyFingerprint as the hint: one RSA operation per value', async () => {
    await put(sealed('db', { a: '1', b: '2', c: '3' }, keyB));
    await reconciler.reconcile('apps/db', signal);
    // Newest key (A) tried first for the first value only; the rest follow the hint.
    expect(opened).toEqual([4]);
    const fresh = await refresh('db');
    expect((fresh as StatusObject).status?.['keyFingerprint']).toBe(keyB.fingerprint);
    // Force a re-open (data edited): now the status hint makes it one per value.
    const s = await client.secrets.get({ namespace: 'apps', name: 'db' });
    await client.secrets.replace({ ...s, data: { a: 'eA==' } });
    await reconciler.reconcile('apps/db', signal);
    expect(opened).toEqual([4, 3]);
  });

  it('does not open anything when the Secret is current', async () => {
    await put(sealed('db', { a: '1' }, keyA));
    await reconciler.reconcile('apps/db', signal);
    await refresh('db');
    server.resetCounts();
    await reconciler.reconcile('apps/db', signal);
    expect(opened).toEqual([1]);
    expect(server.count('update', 'secrets')).toBe(0);
    expect(server.count('update', 'sealedsecrets/status')).toBe(0);
  });

  it('reports an invalid spec without retrying it hot', async () => {
    await put({
      apiVersion: 'sealbridge.io/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 'bad', namespace: 'apps' },
      spec: { encryptedData: { a: 42 } },
    } as unknown as KubeObject);
    const err = await reconciler.reconcile('apps/bad', signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SealbridgeError);
    expect((err as SealbridgeError).retryable).toBe(false);
    expect((err as SealbridgeError).message).toBe(
      'SealedSecret apps/bad: spec.encryptedData.a must be a string',
    );
    expect(readyOf(await refresh('bad'))).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
  });

  it('makes a missing key retryable and an immutable Secret not', async () => {
    opener.setKeys([keyringKey(keyA.privateKey)]);
    await put(sealed('other', { a: '1' }, keyB));
    const noKey = await reconciler.reconcile('apps/other', signal).then(
      () => undefined,
      (e: unknown) => e as SealbridgeError,
    );
    expect(noKey).toMatchObject({ code: 'NO_MATCHING_KEY', retryable: true });

    await put(sealed('frozen', { a: '1' }, keyA, { template: { immutable: true } }));
    await reconciler.reconcile('apps/frozen', signal);
    const o = await refresh('frozen');
    const next = sealed('frozen', { a: '2' }, keyA, { template: { immutable: true } });
    await client
      .resource(SEALED)
      .replace({ ...o, spec: (next as { spec: unknown }).spec } as KubeObject);
    await refresh('frozen');
    const frozen = await reconciler.reconcile('apps/frozen', signal).then(
      () => undefined,
      (e: unknown) => e as SealbridgeError,
    );
    expect(frozen).toMatchObject({ code: 'SECRET_IMMUTABLE', retryable: false });
    expect(readyOf(await refresh('frozen'))).toMatchObject({
      status: 'False',
      reason: 'SecretImmutable',
    });
  });

  it('hashes the inputs, never depending on key material or plaintext', () => {
    const ss = validateSealedSecret({
      object: sealed('db', { a: '1' }, keyA) as unknown as Record<string, unknown>,
      source: 't',
      index: 1,
    });
    const h = sealedSourceHash(ss, true);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(sealedSourceHash(ss, false)).not.toBe(h);
    const scoped = {
      ...ss,
      metadata: {
        ...ss.metadata,
        annotations: { 'sealedsecrets.bitnami.com/namespace-wide': 'true' },
      },
    };
    expect(sealedSourceHash(scoped, true)).not.toBe(h);
  });
});

describe('what the controller writes fits crds/sealedsecret.yaml', () => {
  it('uses only status fields the schema declares (nothing would be pruned)', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const crd = parse(
      readFileSync(new URL('../../crds/sealedsecret.yaml', import.meta.url), 'utf8'),
    ) as {
      spec: { versions: { schema: { openAPIV3Schema: { properties: { status: Schema } } } }[] };
    };
    interface Schema {
      properties?: Record<string, Schema>;
      items?: Schema;
    }
    const unknown: string[] = [];
    const check = (value: unknown, schema: Schema, path: string): void => {
      if (Array.isArray(value)) {
        value.forEach((v, i) => {
          check(v, schema.items ?? {}, `${path}[${i}]`);
        });
      } else if (typeof value === 'object' && value !== null && schema.properties !== undefined) {
        for (const [k, v] of Object.entries(value)) {
          const sub = schema.properties[k];
          if (sub === undefined) unknown.push(`${path}.${k}`);
          else check(v, sub, `${path}.${k}`);
        }
      }
    };
    await put(sealed('db', { a: '1' }, keyA));
    await reconciler.reconcile('apps/db', signal);
    opener.setKeys([]);
    await put(sealed('broken', { a: '1' }, keyA));
    await reconciler.reconcile('apps/broken', signal).catch(() => undefined);
    const schema = crd.spec.versions[0]!.schema.openAPIV3Schema.properties.status;
    for (const name of ['db', 'broken'])
      check(((await refresh(name)) as StatusObject).status, schema, 'status');
    expect(unknown).toEqual([]);
  });
});
