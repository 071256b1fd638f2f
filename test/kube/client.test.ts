import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import { isAlreadyExists, isConflict, isNotFound, KubeApiError } from '../../src/kube/errors.ts';
import type { KubeObject, SecretObject } from '../../src/kube/types.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';

let server: KubeTestServer;
let client: KubeClient;
const observed: { verb: string; resource: string; code: number }[] = [];
const CANARY = Buffer.from('canary-secret-value-7f3a').toString('base64');
const SEALED = {
  group: 'sealbridge.io',
  version: 'v1alpha1',
  plural: 'sealedsecrets',
  kind: 'SealedSecret',
  namespaced: true,
};

interface SealedSecret extends KubeObject {
  spec?: { encryptedData?: Record<string, string> };
  status?: { observedGeneration?: number };
}

async function caught(p: Promise<unknown>): Promise<KubeApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KubeApiError) return err;
    throw err;
  }
  throw new Error('expected a KubeApiError');
}

beforeAll(async () => {
  server = await KubeTestServer.start();
  client = kubeClientFor(server, (o) =>
    observed.push({ verb: o.verb, resource: o.resource, code: o.code }),
  );
});

afterAll(async () => {
  expect(server.internalErrors).toEqual([]);
  await server.close();
});

describe('KubeClient', () => {
  it('creates, gets, finds, replaces and deletes Secrets', async () => {
    const created = await client.secrets.create({
      metadata: { name: 'a', namespace: 'c' },
      data: { k: CANARY },
    });
    expect(created.kind).toBe('Secret');
    expect(created.metadata.creationTimestamp).toMatch(/Z$/);
    const got = await client.secrets.get({ namespace: 'c', name: 'a' });
    expect(got.data).toEqual({ k: CANARY });
    expect(await client.secrets.find({ namespace: 'c', name: 'missing' })).toBeUndefined();
    const replaced = await client.secrets.replace({
      ...got,
      metadata: { ...got.metadata, labels: { l: '1' } },
    });
    expect(replaced.metadata.labels).toEqual({ l: '1' });
    await client.secrets.delete({ namespace: 'c', name: 'a' });
    expect(isNotFound(await caught(client.secrets.get({ namespace: 'c', name: 'a' })))).toBe(true);
  });

  it('maps API errors to codes with retryable flags and never puts bodies in messages', async () => {
    const s = await client.secrets.create({
      metadata: { name: 'cas', namespace: 'c' },
      data: { k: CANARY },
    });
    await client.secrets.replace({ ...s, metadata: { ...s.metadata, labels: { v: '1' } } });
    const conflict = await caught(client.secrets.replace({ ...s, data: { k: CANARY } }));
    expect(isConflict(conflict)).toBe(true);
    expect(conflict.retryable).toBe(true);
    expect(conflict.status).toBe(409);
    expect(conflict.message).toBe(
      'update secrets c/cas: Conflict (HTTP 409): Operation cannot be fulfilled on secrets "cas": the object has been modified; please apply your changes to the latest version and try again',
    );
    const exists = await caught(
      client.secrets.create({ metadata: { name: 'cas', namespace: 'c' }, data: { k: CANARY } }),
    );
    expect(isAlreadyExists(exists)).toBe(true);
    const missing = await caught(client.secrets.get({ namespace: 'c', name: 'nope' }));
    expect(missing.code).toBe('KUBE_NOT_FOUND');
    expect(missing.retryable).toBe(false);
    const bad = await caught(
      client.secrets.create({
        metadata: { name: 'bad', namespace: 'c' },
        data: { k: 'not base64!!' },
      }),
    );
    expect(bad.code).toBe('KUBE_INVALID');
    for (const err of [conflict, exists, missing, bad]) {
      expect(err.message).not.toContain(CANARY);
      expect(err.message).not.toContain('not base64!!');
    }
  });

  it('treats 5xx, 429 and unreachable servers as retryable KUBE_API errors, with Retry-After', async () => {
    server.faults.failNext({ status: 503 });
    const unavailable = await caught(client.secrets.list({ namespace: 'c' }));
    expect(unavailable.code).toBe('KUBE_API');
    expect(unavailable.retryable).toBe(true);
    server.faults.failNext({ status: 429, retryAfterSeconds: 4 });
    const throttled = await caught(client.secrets.list({ namespace: 'c' }));
    expect(throttled.retryable).toBe(true);
    expect(throttled.retryAfterMs).toBe(4000);
    const dead = await KubeTestServer.start();
    const deadClient = kubeClientFor(dead);
    await dead.close();
    const unreachable = await caught(deadClient.secrets.get({ namespace: 'c', name: 'x' }));
    expect(unreachable.code).toBe('KUBE_API');
    expect(unreachable.status).toBe(0);
    expect(unreachable.retryable).toBe(true);
    expect(unreachable.message).toMatch(/^get secrets c\/x: cannot reach the API server/);
  });

  it('lists with selectors and as metadata only (no data on the wire)', async () => {
    await client.secrets.create({
      metadata: { name: 'm1', namespace: 'meta', labels: { app: 'x' } },
      data: { k: CANARY },
    });
    await client.secrets.create({
      metadata: { name: 'm2', namespace: 'meta' },
      data: { k: CANARY },
    });
    const full = await client.secrets.list({ namespace: 'meta', labelSelector: 'app=x' });
    expect(full.items.map((i) => i.metadata.name)).toEqual(['m1']);
    expect(Number(full.resourceVersion)).toBeGreaterThan(0);
    const meta = await client.secrets.list({ namespace: 'meta', metadataOnly: true });
    expect(meta.items).toHaveLength(2);
    expect(JSON.stringify(meta.items)).not.toContain(CANARY);
    const paged = await client.secrets.list({ namespace: 'meta', limit: 1 });
    expect(paged.continue).toBeDefined();
  });

  it('custom resources: status through the subresource, merge and JSON patches', async () => {
    const ss = client.resource<SealedSecret>(SEALED);
    const created = await ss.create({
      metadata: { name: 's', namespace: 'c' },
      spec: { encryptedData: { k: 'AgB' } },
    });
    expect(created.apiVersion).toBe('sealbridge.io/v1alpha1');
    const withStatus = await ss.replaceStatus({ ...created, status: { observedGeneration: 1 } });
    expect(withStatus.status).toEqual({ observedGeneration: 1 });
    const merged = await ss.patch(
      { namespace: 'c', name: 's' },
      { metadata: { labels: { a: 'b' } } },
    );
    expect(merged.metadata.labels).toEqual({ a: 'b' });
    const jsonPatched = await ss.patch(
      { namespace: 'c', name: 's' },
      [{ op: 'add', path: '/spec/encryptedData/k2', value: 'AgC' }],
      { type: 'json' },
    );
    expect(jsonPatched.metadata.generation).toBe(2);
    const st = await ss.patchStatus(
      { namespace: 'c', name: 's' },
      { status: { observedGeneration: 2 } },
    );
    expect(st.status?.observedGeneration).toBe(2);
    const dry = await ss.create({ metadata: { name: 'dry', namespace: 'c' } }, { dryRun: true });
    expect(dry.metadata.name).toBe('dry');
    expect(await ss.find({ namespace: 'c', name: 'dry' })).toBeUndefined();
    await ss.delete({ namespace: 'c', name: 's' }, { propagationPolicy: 'Background' });
    expect(await ss.find({ namespace: 'c', name: 's' })).toBeUndefined();
  });

  it('delete preconditions turn a concurrent change into a conflict', async () => {
    const s = await client.secrets.create({ metadata: { name: 'pre', namespace: 'c' } });
    await client.secrets.patch(
      { namespace: 'c', name: 'pre' },
      { metadata: { labels: { x: 'y' } } },
    );
    const err = await caught(
      client.secrets.delete(
        { namespace: 'c', name: 'pre' },
        { preconditions: { resourceVersion: s.metadata.resourceVersion ?? '' } },
      ),
    );
    expect(err.code).toBe('KUBE_CONFLICT');
  });

  it('watches a resource as a stream of typed events', async () => {
    const abort = new AbortController();
    const list = await client.secrets.list({ namespace: 'w' });
    const events: string[] = [];
    const done = (async () => {
      for await (const ev of client.secrets.watch({
        namespace: 'w',
        resourceVersion: list.resourceVersion,
        signal: abort.signal,
      })) {
        if (ev.type === 'ERROR') continue;
        events.push(`${ev.type} ${ev.object.metadata.name ?? ''}`);
        if (events.length === 2) abort.abort();
      }
    })().catch(() => undefined);
    await client.secrets.create({ metadata: { name: 'w1', namespace: 'w' } });
    await client.secrets.delete({ namespace: 'w', name: 'w1' });
    await done;
    expect(events).toEqual(['ADDED w1', 'DELETED w1']);
  });

  it('requests ServiceAccount tokens', async () => {
    await client
      .resource({
        group: '',
        version: 'v1',
        plural: 'serviceaccounts',
        kind: 'ServiceAccount',
        namespaced: true,
      })
      .create({ metadata: { name: 'sa', namespace: 'c' } });
    const t = await client.createServiceAccountToken('c', 'sa', {
      audiences: ['vault'],
      expirationSeconds: 600,
    });
    expect(server.objects.tokens.get(t.token)?.audiences).toEqual(['vault']);
    expect(t.expirationTimestamp).toMatch(/Z$/);
    expect((await caught(client.createServiceAccountToken('c', 'ghost'))).code).toBe(
      'KUBE_NOT_FOUND',
    );
  });

  it('reaches a service through the API server proxy with GET and POST, returning any status', async () => {
    const seen: string[] = [];
    server.registerService({
      namespace: 'sealbridge',
      name: 'controller',
      handler: (req) => {
        seen.push(`${req.method} ${req.path} ${req.scheme}:${req.port} ${req.body.toString()}`);
        if (req.path === '/v1/verify') return { status: 409, body: 'no' };
        return {
          status: 200,
          headers: { 'Content-Type': 'application/x-pem-file' },
          body: '-----BEGIN CERTIFICATE-----\n',
        };
      },
    });
    const cert = await client.proxyService({
      namespace: 'sealbridge',
      service: 'controller',
      scheme: 'http',
      port: 'http',
      path: '/v1/cert.pem',
    });
    expect(cert.status).toBe(200);
    expect(cert.headers['content-type']).toBe('application/x-pem-file');
    expect(cert.body.toString()).toContain('BEGIN CERTIFICATE');
    const verify = await client.proxyService({
      namespace: 'sealbridge',
      service: 'controller',
      path: '/v1/verify',
      method: 'POST',
      body: '{"kind":"SealedSecret"}',
    });
    expect(verify.status).toBe(409);
    expect(seen).toEqual([
      'GET /v1/cert.pem http:http ',
      'POST /v1/verify : {"kind":"SealedSecret"}',
    ]);
    const missing = await client.proxyService({
      namespace: 'sealbridge',
      service: 'nope',
      path: '/v1/cert.pem',
    });
    expect(missing.status).toBe(404);
  });

  it('reports every request to the observer (for metrics)', () => {
    expect(
      observed.some((o) => o.verb === 'create' && o.resource === 'secrets' && o.code === 201),
    ).toBe(true);
    expect(observed.some((o) => o.code === 409)).toBe(true);
    expect(observed.some((o) => o.resource === 'sealedsecrets.sealbridge.io')).toBe(true);
  });

  it('reuses connections (keep-alive) instead of opening one per request', async () => {
    const fresh = await KubeTestServer.start();
    try {
      const c = kubeClientFor(fresh);
      for (let i = 0; i < 30; i++) await c.secrets.list({ namespace: 'x' });
      expect(fresh.count('list', 'secrets')).toBe(30);
      expect(fresh.connections).toBeLessThanOrEqual(2);
    } finally {
      await fresh.close();
    }
  });

  it('refuses namespaced calls without a namespace before sending anything', async () => {
    const before = server.requests.length;
    await expect(client.secrets.get({ name: 'x' })).rejects.toThrow(/namespace required/);
    expect(server.requests.length).toBe(before);
  });

  it('keeps Secret typing for callers', async () => {
    const s: SecretObject = await client.secrets.create({
      metadata: { name: 'typed', namespace: 'c' },
      stringData: { a: 'b' },
    });
    expect(s.data).toEqual({ a: Buffer.from('b').toString('base64') });
  });
});
