/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- client-node's APIs take plain objects for its model classes */
// ServiceAccount TokenRequests and the service proxy, through the real client-node.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeTestServer } from './index.ts';

let server: KubeTestServer;
let core: CoreV1Api;

async function code(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
  return 200;
}

beforeAll(async () => {
  server = await KubeTestServer.start();
  core = server.kubeConfig().makeApiClient(CoreV1Api);
});

afterAll(async () => {
  expect(server.internalErrors).toEqual([]);
  await server.close();
});

describe('ServiceAccount tokens', () => {
  it('issues a TokenRequest for an existing ServiceAccount and 404s for a missing one', async () => {
    await core.createNamespacedServiceAccount({
      namespace: 'sub',
      body: { metadata: { name: 'vault-auth' } },
    });
    const tr = await core.createNamespacedServiceAccountToken({
      namespace: 'sub',
      name: 'vault-auth',
      body: { spec: { audiences: ['vault'], expirationSeconds: 900 } },
    });
    const token = tr.status?.token ?? '';
    expect(token.split('.')).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      sub: string;
      aud: string[];
    };
    expect(claims.sub).toBe('system:serviceaccount:sub:vault-auth');
    expect(claims.aud).toEqual(['vault']);
    expect(server.objects.tokens.get(token)).toMatchObject({
      namespace: 'sub',
      serviceAccount: 'vault-auth',
      audiences: ['vault'],
    });
    expect(tr.status?.expirationTimestamp).toBeInstanceOf(Date);
    expect(
      await code(
        core.createNamespacedServiceAccountToken({
          namespace: 'sub',
          name: 'ghost',
          body: { spec: { audiences: [] } },
        }),
      ),
    ).toBe(404);
    expect(server.count('create', 'serviceaccounts/token')).toBe(2);
  });
});

describe('service proxy', () => {
  let backend: Server;
  beforeAll(async () => {
    backend = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(req.url === '/v1/verify' ? 409 : 200, { 'Content-Type': 'text/plain' });
        res.end(`${req.method ?? ''} ${req.url ?? ''} ${Buffer.concat(chunks).toString()}`);
      });
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    backend.close();
  });

  it('routes GET through a registered handler, as kubeseal --fetch-cert does', async () => {
    server.registerService({
      namespace: 'kube-system',
      name: 'sealbridge',
      handler: (req) => ({
        status: 200,
        headers: { 'Content-Type': 'text/plain' },
        body: `cert for ${req.path}`,
      }),
    });
    const body = await core.connectGetNamespacedServiceProxyWithPath({
      namespace: 'kube-system',
      name: 'http:sealbridge:',
      path: 'v1/cert.pem',
    });
    expect(body).toBe('cert for /v1/cert.pem');
    expect(server.count('proxy', 'services')).toBe(1);
  });

  it('forwards to a target URL, with method and body, and passes the backend status through', async () => {
    server.registerService({
      namespace: 'kube-system',
      name: 'backend',
      port: 8080,
      target: `http://127.0.0.1:${(backend.address() as AddressInfo).port}`,
    });
    const res = await fetch(
      `${server.url}/api/v1/namespaces/kube-system/services/backend:8080/proxy/v1/verify`,
      { method: 'POST', body: '{"x":1}' },
    );
    expect(res.status).toBe(409);
    expect(await res.text()).toBe('POST /v1/verify {"x":1}');
  });

  it('answers 404 for a missing Service and 503 when nothing serves it', async () => {
    expect(
      (await fetch(`${server.url}/api/v1/namespaces/kube-system/services/missing/proxy/`)).status,
    ).toBe(404);
    await core.createNamespacedService({
      namespace: 'kube-system',
      body: { metadata: { name: 'no-endpoints' }, spec: { ports: [{ port: 80 }] } },
    });
    expect(
      (await fetch(`${server.url}/api/v1/namespaces/kube-system/services/no-endpoints/proxy/`))
        .status,
    ).toBe(503);
    expect(
      (
        await fetch(
          `${server.url}/api/v1/namespaces/kube-system/services/sealbridge:9999/proxy/v1/cert.pem`,
        )
      ).status,
    ).toBe(503);
  });
});
