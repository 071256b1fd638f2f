/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- client-node's APIs take plain objects for its model classes */
// The test API server against the real @kubernetes/client-node: CRUD, optimistic concurrency,
// selectors, paging, discovery and metadata-only responses.
import {
  ApiException,
  ApisApi,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
} from '@kubernetes/client-node';
import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeTestServer } from './index.ts';

let server: KubeTestServer;
let core: CoreV1Api;
let custom: CustomObjectsApi;

async function apiError(
  p: Promise<unknown>,
): Promise<{ code: number; body: { reason?: string; message?: string } }> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    return { code: err.code, body: JSON.parse(String(err.body)) };
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  server = await KubeTestServer.start();
  const kc = server.kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
});

afterAll(async () => {
  expect(server.internalErrors).toEqual([]);
  await server.close();
});

describe('core resources through client-node', () => {
  it('creates a Secret, folding stringData into base64 data, and reads it back', async () => {
    const created = await core.createNamespacedSecret({
      namespace: 'crud',
      body: { metadata: { name: 'one', labels: { app: 'a' } }, stringData: { user: 'admin' } },
    });
    expect(created.data).toEqual({ user: Buffer.from('admin').toString('base64') });
    expect(created.type).toBe('Opaque');
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const read = await core.readNamespacedSecret({ namespace: 'crud', name: 'one' });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    expect(server.count('create', 'secrets')).toBeGreaterThanOrEqual(1);
    expect(server.count('get', 'secrets')).toBeGreaterThanOrEqual(1);
  });

  it('answers 409 AlreadyExists on a duplicate create and 404 NotFound on a missing object', async () => {
    const dup = await apiError(
      core.createNamespacedSecret({ namespace: 'crud', body: { metadata: { name: 'one' } } }),
    );
    expect(dup.code).toBe(409);
    expect(dup.body.reason).toBe('AlreadyExists');
    const missing = await apiError(core.readNamespacedSecret({ namespace: 'crud', name: 'nope' }));
    expect(missing.code).toBe(404);
    expect(missing.body.reason).toBe('NotFound');
  });

  it('rejects a stale resourceVersion with 409 Conflict and accepts the current one', async () => {
    const s = await core.createNamespacedSecret({
      namespace: 'crud',
      body: { metadata: { name: 'cas' } },
    });
    const first = await core.replaceNamespacedSecret({
      namespace: 'crud',
      name: 'cas',
      body: {
        metadata: {
          name: 'cas',
          resourceVersion: s.metadata!.resourceVersion!,
          labels: { v: '1' },
        },
      },
    });
    expect(Number(first.metadata?.resourceVersion)).toBeGreaterThan(
      Number(s.metadata?.resourceVersion),
    );
    const stale = await apiError(
      core.replaceNamespacedSecret({
        namespace: 'crud',
        name: 'cas',
        body: {
          metadata: {
            name: 'cas',
            resourceVersion: s.metadata!.resourceVersion!,
            labels: { v: 'stale' },
          },
        },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    expect(stale.body.message).toContain('the object has been modified');
  });

  it('a write that changes nothing keeps the resourceVersion (no new revision)', async () => {
    const s = await core.readNamespacedSecret({ namespace: 'crud', name: 'cas' });
    const same = await core.replaceNamespacedSecret({ namespace: 'crud', name: 'cas', body: s });
    expect(same.metadata?.resourceVersion).toBe(s.metadata?.resourceVersion);
  });

  it('applies JSON patch (client-node default) and merge patch', async () => {
    await core.patchNamespacedSecret({
      namespace: 'crud',
      name: 'cas',
      body: [{ op: 'add', path: '/metadata/annotations', value: { a: '1' } }],
    });
    const merged = await core.patchNamespacedSecret(
      { namespace: 'crud', name: 'cas', body: { metadata: { annotations: { b: '2', a: null } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.annotations).toEqual({ b: '2' });
    const failed = await apiError(
      core.patchNamespacedSecret({
        namespace: 'crud',
        name: 'cas',
        body: [{ op: 'test', path: '/type', value: 'Wrong' }],
      }),
    );
    expect(failed.code).toBe(422);
  });

  it('refuses to change an immutable Secret and never echoes its data in the error', async () => {
    await core.createNamespacedSecret({
      namespace: 'crud',
      body: {
        metadata: { name: 'frozen' },
        immutable: true,
        data: { k: Buffer.from('canary-value').toString('base64') },
      },
    });
    const err = await apiError(
      core.patchNamespacedSecret(
        {
          namespace: 'crud',
          name: 'frozen',
          body: { data: { k: Buffer.from('other').toString('base64') } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(err.code).toBe(422);
    expect(JSON.stringify(err.body)).not.toContain(Buffer.from('canary-value').toString('base64'));
  });

  it('generateName gives a unique name', async () => {
    const a = await core.createNamespacedSecret({
      namespace: 'crud',
      body: { metadata: { generateName: 'gen-' } },
    });
    const b = await core.createNamespacedSecret({
      namespace: 'crud',
      body: { metadata: { generateName: 'gen-' } },
    });
    expect(a.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(a.metadata?.name).not.toBe(b.metadata?.name);
  });

  it('filters lists by every label selector operator and by field selector', async () => {
    const mk = (name: string, labels: Record<string, string>) =>
      core.createNamespacedSecret({ namespace: 'sel', body: { metadata: { name, labels } } });
    await mk('s1', { tier: 'web', env: 'prod' });
    await mk('s2', { tier: 'db', env: 'prod' });
    await mk('s3', { tier: 'web' });
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (
        await core.listNamespacedSecret({
          namespace: 'sel',
          ...(labelSelector === undefined ? {} : { labelSelector }),
          ...(fieldSelector === undefined ? {} : { fieldSelector }),
        })
      ).items
        .map((i) => i.metadata?.name)
        .sort();
    expect(await names('tier=web')).toEqual(['s1', 's3']);
    expect(await names('tier==web,env=prod')).toEqual(['s1']);
    expect(await names('tier!=web')).toEqual(['s2']);
    expect(await names('tier in (db, web),env')).toEqual(['s1', 's2']);
    expect(await names('tier notin (db)')).toEqual(['s1', 's3']);
    expect(await names('!env')).toEqual(['s3']);
    expect(await names(undefined, 'metadata.name=s2')).toEqual(['s2']);
    expect(await names(undefined, 'metadata.name!=s2')).toEqual(['s1', 's3']);
    const all = await core.listSecretForAllNamespaces({ fieldSelector: 'metadata.namespace=sel' });
    expect(all.items).toHaveLength(3);
    const bad = await apiError(
      core.listNamespacedSecret({ namespace: 'sel', labelSelector: 'tier in web' }),
    );
    expect(bad.code).toBe(400);
  });

  it('pages a list with limit/continue at one consistent resourceVersion', async () => {
    for (let i = 0; i < 7; i++)
      await core.createNamespacedSecret({
        namespace: 'page',
        body: { metadata: { name: `p${i}` } },
      });
    const first = await core.listNamespacedSecret({ namespace: 'page', limit: 3 });
    expect(first.items.map((i) => i.metadata?.name)).toEqual(['p0', 'p1', 'p2']);
    expect(first.metadata?.remainingItemCount).toBe(4);
    await core.createNamespacedSecret({ namespace: 'page', body: { metadata: { name: 'p7' } } });
    const second = await core.listNamespacedSecret({
      namespace: 'page',
      limit: 3,
      _continue: first.metadata!._continue!,
    });
    const third = await core.listNamespacedSecret({
      namespace: 'page',
      limit: 3,
      _continue: second.metadata!._continue!,
    });
    expect(third.items.map((i) => i.metadata?.name)).toEqual(['p6']);
    expect(third.metadata?._continue).toBeUndefined();
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    const expired = await apiError(
      core.listNamespacedSecret({
        namespace: 'page',
        limit: 3,
        _continue: first.metadata!._continue!,
      }),
    );
    expect(expired.code).toBe(410);
  });

  it('answers metadata-only (PartialObjectMetadata) lists and gets when asked through Accept', async () => {
    const base = `${server.url}/api/v1/namespaces/crud/secrets`;
    const list = (await (
      await fetch(base, {
        headers: {
          Accept:
            'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
        },
      })
    ).json()) as { kind: string; items: Record<string, unknown>[] };
    expect(list.kind).toBe('PartialObjectMetadataList');
    expect(list.items.length).toBeGreaterThan(0);
    for (const item of list.items)
      expect(Object.keys(item).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
    const one = (await (
      await fetch(`${base}/frozen`, {
        headers: { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' },
      })
    ).json()) as Record<string, unknown>;
    expect(one['kind']).toBe('PartialObjectMetadata');
    expect(one['data']).toBeUndefined();
  });

  it('validates Lease MicroTimes like the real server, and client-node sends valid ones', async () => {
    const leases = server.kubeConfig().makeApiClient(CoordinationV1Api);
    const now = new V1MicroTime();
    const lease = await leases.createNamespacedLease({
      namespace: 'crud',
      body: {
        metadata: { name: 'l' },
        spec: { holderIdentity: 'a', renewTime: now, acquireTime: now },
      },
    });
    expect(lease.spec?.holderIdentity).toBe('a');
    const res = await fetch(`${server.url}/apis/coordination.k8s.io/v1/namespaces/crud/leases`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        metadata: { name: 'bad' },
        spec: { renewTime: new Date().toISOString() },
      }),
    });
    expect(res.status).toBe(400);
  });

  it('checks an Event against its involved object namespace', async () => {
    const ok = await core.createNamespacedEvent({
      namespace: 'crud',
      body: {
        metadata: { name: 'e1' },
        involvedObject: { kind: 'Secret', namespace: 'crud', name: 'one' },
        reason: 'R',
        message: 'm',
      },
    });
    expect(ok.reason).toBe('R');
    const bad = await apiError(
      core.createNamespacedEvent({
        namespace: 'crud',
        body: { metadata: { name: 'e2' }, involvedObject: { namespace: 'other', name: 'x' } },
      }),
    );
    expect(bad.code).toBe(422);
  });

  it('serves discovery so client-node KubernetesObjectApi can resolve kinds', async () => {
    const kc = server.kubeConfig();
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(['sealbridge.io', 'bitnami.com', 'coordination.k8s.io']),
    );
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const secret = await objects.read({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'one', namespace: 'crud' },
    });
    expect(secret.metadata?.name).toBe('one');
    await custom.createNamespacedCustomObject({
      group: 'sealbridge.io',
      version: 'v1alpha1',
      namespace: 'crud',
      plural: 'sealedsecrets',
      body: {
        apiVersion: 'sealbridge.io/v1alpha1',
        kind: 'SealedSecret',
        metadata: { name: 'via-discovery' },
        spec: {},
      },
    });
    const ss = await objects.read({
      apiVersion: 'sealbridge.io/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 'via-discovery', namespace: 'crud' },
    });
    expect(ss.metadata?.uid).toBeDefined();
  });

  it('makes registering another CRD one call', async () => {
    server.register({
      group: 'example.com',
      version: 'v1',
      plural: 'widgets',
      kind: 'Widget',
      namespaced: false,
    });
    const w = (await custom.createClusterCustomObject({
      group: 'example.com',
      version: 'v1',
      plural: 'widgets',
      body: {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w' },
        spec: { size: 1 },
      },
    })) as { metadata: { generation: number; namespace?: string } };
    expect(w.metadata.generation).toBe(1);
    expect(w.metadata.namespace).toBeUndefined();
  });

  it('registers the repository CRDs from crds/*.yaml with their scope and status subresource', async () => {
    const fresh = await KubeTestServer.start({ crds: [] });
    try {
      const dir = new URL('../../../crds/', import.meta.url);
      const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        for (const doc of parseAllDocuments(readFileSync(new URL(f, dir), 'utf8'))) {
          const crd = doc.toJS() as { kind?: string } | null;
          if (crd?.kind === 'CustomResourceDefinition') fresh.registerCrd(crd);
        }
      }
      const sealed = fresh.resource('sealedsecrets.sealbridge.io');
      expect(sealed).toMatchObject({
        kind: 'SealedSecret',
        namespaced: true,
        statusSubresource: true,
      });
      if (files.includes('clustersecretstore.yaml')) {
        expect(fresh.resource('clustersecretstores.sealbridge.io').namespaced).toBe(false);
      }
    } finally {
      await fresh.close();
    }
  });
});
