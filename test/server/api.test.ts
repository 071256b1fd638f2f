// The controller's HTTP API through the real controller: the certificate, verify (200/409/400 and
// the per-client rate limit), rotate (re-encrypt to the newest key, only ciphertexts change, no
// plaintext in the answer), probes, and /metrics on its own port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/crypto/certificate.ts';
import { openValue, sealValue } from '../../src/crypto/hybrid.ts';
import {
  fixtureKey,
  KubeTestServer,
  sealed,
  seedKeySecret,
  startCtl,
  type FixtureKey,
  type Started,
} from '../integration/harness.ts';

const keyA = fixtureKey('a');
const keyB = fixtureKey('b');
let server: KubeTestServer;
let started: Started;
let base: string;
let newest: FixtureKey;
let older: FixtureKey;

beforeAll(async () => {
  server = await KubeTestServer.start();
  seedKeySecret(server, keyA, 'key-a');
  seedKeySecret(server, keyB, 'key-b');
  started = await startCtl(server, { rateLimit: '0.5', rateLimitBurst: '3' });
  base = `http://127.0.0.1:${started.ctl.apiPort}`;
  await started.ctl.keys.waitForSync();
  newest = started.ctl.keys.newest()?.fingerprint === keyA.fingerprint ? keyA : keyB;
  older = newest === keyA ? keyB : keyA;
});
afterAll(async () => {
  await started.ctl.shutdown();
  await server.close();
});

function post(path: string, body: string, client = '10.0.0.1'): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', body, headers: { 'X-Forwarded-For': client } });
}

describe('controller HTTP API', () => {
  it('serves the newest certificate', async () => {
    const res = await fetch(`${base}/v1/cert.pem`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-pem-file');
    expect(parseCertificate(await res.text(), 'cert').fingerprint).toBe(newest.fingerprint);
  });

  it('verifies: 200 when it can open, 409 when not, 400 for something else', async () => {
    const ok = JSON.stringify(sealed('db', { p: 'x' }, older));
    expect((await post('/v1/verify', ok, 'c1')).status).toBe(200);
    const wrongScope = sealed('db', { p: 'x' }, keyA);
    const moved = JSON.stringify({ ...wrongScope, metadata: { name: 'other', namespace: 'apps' } });
    const res = await post('/v1/verify', moved, 'c1');
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('no key could decrypt');
    const bad = await post(
      '/v1/verify',
      'kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\n',
      'c2',
    );
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('expected a SealedSecret');
  });

  it('rate-limits verify per client with 429 and Retry-After', async () => {
    const body = JSON.stringify(sealed('db', { p: 'x' }, newest));
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await post('/v1/verify', body, 'greedy')).status);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await post('/v1/verify', body, 'greedy');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await post('/v1/verify', body, 'someone-else')).status).toBe(200);
  });

  it('rotates to the newest key: only old ciphertexts change, everything else stays', async () => {
    const canary = 'rotate-canary-31415';
    const obj = sealed('db', { a: canary }, older, {
      annotations: { note: 'keep me' },
      template: { type: 'Opaque', data: { dsn: '{{ .a }}' } },
    }) as { spec: { encryptedData: Record<string, string> } };
    const current = sealValue(Buffer.from('fresh'), Buffer.from('apps/db'), newest.publicKey);
    obj.spec.encryptedData['b'] = current;
    const res = await post('/v1/rotate', JSON.stringify(obj), 'r1');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(canary);
    expect(text).not.toContain(Buffer.from(canary).toString('base64'));
    const out = JSON.parse(text) as typeof obj & {
      metadata: { annotations: Record<string, string> };
      spec: { template: unknown };
    };
    expect(out.metadata.annotations['note']).toBe('keep me');
    expect(out.spec.template).toEqual({ type: 'Opaque', data: { dsn: '{{ .a }}' } });
    expect(out.spec.encryptedData['b']).toBe(current);
    expect(out.spec.encryptedData['a']).not.toBe(obj.spec.encryptedData['a']);
    expect(
      openValue(out.spec.encryptedData['a']!, Buffer.from('apps/db'), newest.privateKey).toString(),
    ).toBe(canary);

    const foreign = JSON.stringify({ ...obj, metadata: { name: 'x', namespace: 'y' } });
    expect((await post('/v1/rotate', foreign, 'r1')).status).toBe(409);
  });

  it('answers probes and refuses wrong methods and paths', async () => {
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, activeKeys: 2 });
    expect((await fetch(`${base}/v1/verify`)).status).toBe(405);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('exposes Prometheus metrics on the metrics port only', async () => {
    const metrics = await (
      await fetch(`http://127.0.0.1:${started.ctl.metricsPort}/metrics`)
    ).text();
    expect(metrics).toContain(
      'sealbridge_http_requests_total{path="/v1/verify",method="POST",code="429"}',
    );
    expect(metrics).toContain('sealbridge_sealing_keys{state="active"} 2');
    expect(metrics).toMatch(/sealbridge_sealing_key_newest_age_seconds \d/);
    expect(metrics).toContain('sealbridge_leader');
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
  });
});
