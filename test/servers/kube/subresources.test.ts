/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- client-node's APIs take plain objects for its model classes */
// Status subresource and generation, finalizers, ownerReference cascade, namespaces,
// ServiceAccount tokens and the service proxy, through the real client-node.
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../kube/wait.ts';
import { KubeTestServer } from './index.ts';

let server: KubeTestServer;
let core: CoreV1Api;
let custom: CustomObjectsApi;
const ss = { group: 'sealbridge.io', version: 'v1alpha1', plural: 'sealedsecrets' } as const;
type Cr = {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    generation: number;
    finalizers?: string[];
    deletionTimestamp?: string;
  };
  spec?: unknown;
  status?: unknown;
};

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
  const kc = server.kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
});

afterAll(async () => {
  expect(server.internalErrors).toEqual([]);
  await server.close();
});

const createCr = async (name: string, extra: Record<string, unknown> = {}): Promise<Cr> =>
  (await custom.createNamespacedCustomObject({
    ...ss,
    namespace: 'sub',
    body: {
      apiVersion: 'sealbridge.io/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name },
      spec: { v: 1 },
      status: { ignored: true },
      ...extra,
    },
  })) as Cr;

describe('status subresource and generation', () => {
  it('drops status on create, bumps generation on spec changes only, and keeps status out of main-resource writes', async () => {
    const c = await createCr('gen');
    expect(c.status).toBeUndefined();
    expect(c.metadata.generation).toBe(1);
    const specChanged = (await custom.replaceNamespacedCustomObject({
      ...ss,
      namespace: 'sub',
      name: 'gen',
      body: { ...c, spec: { v: 2 }, status: { sneaky: 1 } },
    })) as Cr;
    expect(specChanged.metadata.generation).toBe(2);
    expect(specChanged.status).toBeUndefined();
    const withStatus = (await custom.replaceNamespacedCustomObjectStatus({
      ...ss,
      namespace: 'sub',
      name: 'gen',
      body: {
        ...specChanged,
        spec: { v: 99 },
        metadata: { ...specChanged.metadata, labels: { ignored: 'yes' } },
        status: { observedGeneration: 2 },
      },
    })) as Cr & { metadata: { labels?: unknown } };
    expect(withStatus.status).toEqual({ observedGeneration: 2 });
    expect(withStatus.spec).toEqual({ v: 2 });
    expect(withStatus.metadata.labels).toBeUndefined();
    expect(withStatus.metadata.generation).toBe(2);
    const labelled = (await custom.patchNamespacedCustomObject(
      { ...ss, namespace: 'sub', name: 'gen', body: { metadata: { labels: { a: 'b' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Cr;
    expect(labelled.metadata.generation).toBe(2);
    expect(labelled.status).toEqual({ observedGeneration: 2 });
    const patchedStatus = (await custom.patchNamespacedCustomObjectStatus(
      { ...ss, namespace: 'sub', name: 'gen', body: { status: { observedGeneration: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Cr;
    expect(patchedStatus.status).toEqual({ observedGeneration: 3 });
    expect(server.count('update', 'sealedsecrets.sealbridge.io/status')).toBe(1);
    expect(server.count('patch', 'sealedsecrets/status')).toBe(1);
  });

  it('a status write with a stale resourceVersion is a 409, and CR updates require one', async () => {
    const c = await createCr('stale');
    await custom.replaceNamespacedCustomObjectStatus({
      ...ss,
      namespace: 'sub',
      name: 'stale',
      body: { ...c, status: { n: 1 } },
    });
    expect(
      await code(
        custom.replaceNamespacedCustomObjectStatus({
          ...ss,
          namespace: 'sub',
          name: 'stale',
          body: { ...c, status: { n: 2 } },
        }),
      ),
    ).toBe(409);
    const noRv: Record<string, unknown> = { ...c.metadata };
    delete noRv['resourceVersion'];
    expect(
      await code(
        custom.replaceNamespacedCustomObject({
          ...ss,
          namespace: 'sub',
          name: 'stale',
          body: { ...c, metadata: noRv },
        }),
      ),
    ).toBe(422);
  });

  it('core kinds have no status subresource here', async () => {
    await core.createNamespacedSecret({
      namespace: 'sub',
      body: { metadata: { name: 'nostatus' } },
    });
    const res = await fetch(`${server.url}/api/v1/namespaces/sub/secrets/nostatus/status`);
    expect(res.status).toBe(404);
  });
});

describe('deletion', () => {
  it('garbage-collects dependents of a deleted owner in the background (cascading)', async () => {
    const owner = await createCr('owner');
    const ref = {
      apiVersion: 'sealbridge.io/v1alpha1',
      kind: 'SealedSecret',
      name: 'owner',
      uid: owner.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
    await core.createNamespacedSecret({
      namespace: 'sub',
      body: { metadata: { name: 'owned', ownerReferences: [ref] } },
    });
    await core.createNamespacedConfigMap({
      namespace: 'sub',
      body: { metadata: { name: 'owned-cm', ownerReferences: [ref] } },
    });
    await core.createNamespacedSecret({
      namespace: 'sub',
      body: {
        metadata: {
          name: 'grandchild',
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: 'owned-cm',
              uid: (await core.readNamespacedConfigMap({ namespace: 'sub', name: 'owned-cm' }))
                .metadata!.uid!,
            },
          ],
        },
      },
    });
    await core.createNamespacedSecret({
      namespace: 'sub',
      body: { metadata: { name: 'bystander' } },
    });
    await custom.deleteNamespacedCustomObject({ ...ss, namespace: 'sub', name: 'owner' });
    const exists = async (name: string) =>
      (await code(core.readNamespacedSecret({ namespace: 'sub', name }))) === 200;
    await waitFor(
      () => server.store.get(server.resource('secrets'), 'sub', 'grandchild') === undefined,
      'cascade',
    );
    expect(await exists('owned')).toBe(false);
    expect(await exists('bystander')).toBe(true);
  });

  it('deletes an object created for an owner that no longer exists (dangling ownerReference)', async () => {
    const owner = await createCr('short-lived');
    await custom.deleteNamespacedCustomObject({ ...ss, namespace: 'sub', name: 'short-lived' });
    await core.createNamespacedSecret({
      namespace: 'sub',
      body: {
        metadata: {
          name: 'too-late',
          ownerReferences: [
            {
              apiVersion: 'sealbridge.io/v1alpha1',
              kind: 'SealedSecret',
              name: 'short-lived',
              uid: owner.metadata.uid,
            },
          ],
        },
      },
    });
    await waitFor(
      () => server.store.get(server.resource('secrets'), 'sub', 'too-late') === undefined,
      'dangling GC',
    );
  });

  it('keeps a dependent that still has another live owner, and orphans on request', async () => {
    const a = await createCr('owner-a');
    const b = await createCr('owner-b');
    const refTo = (o: Cr) => ({
      apiVersion: 'sealbridge.io/v1alpha1',
      kind: 'SealedSecret',
      name: o.metadata.name,
      uid: o.metadata.uid,
    });
    await core.createNamespacedSecret({
      namespace: 'sub',
      body: { metadata: { name: 'two-owners', ownerReferences: [refTo(a), refTo(b)] } },
    });
    const c = await createCr('owner-c');
    await core.createNamespacedSecret({
      namespace: 'sub',
      body: { metadata: { name: 'orphan', ownerReferences: [refTo(c)] } },
    });
    await custom.deleteNamespacedCustomObject({ ...ss, namespace: 'sub', name: 'owner-a' });
    await custom.deleteNamespacedCustomObject({
      ...ss,
      namespace: 'sub',
      name: 'owner-c',
      propagationPolicy: 'Orphan',
    });
    await new Promise((resolve) => setImmediate(resolve));
    const kept = await core.readNamespacedSecret({ namespace: 'sub', name: 'two-owners' });
    expect(kept.metadata?.ownerReferences).toHaveLength(2);
    const orphan = await core.readNamespacedSecret({ namespace: 'sub', name: 'orphan' });
    expect(orphan.metadata?.ownerReferences).toBeUndefined();
  });

  it('honours finalizers: delete marks, removing the last finalizer deletes', async () => {
    const c = await createCr('final', {
      metadata: { name: 'final', finalizers: ['sealbridge.io/cleanup'] },
    });
    const marked = (await custom.deleteNamespacedCustomObject({
      ...ss,
      namespace: 'sub',
      name: 'final',
    })) as Cr;
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    const current = (await custom.getNamespacedCustomObject({
      ...ss,
      namespace: 'sub',
      name: 'final',
    })) as Cr;
    expect(current.metadata.uid).toBe(c.metadata.uid);
    await custom.replaceNamespacedCustomObject({
      ...ss,
      namespace: 'sub',
      name: 'final',
      body: { ...current, metadata: { ...current.metadata, finalizers: [] } },
    });
    expect(
      await code(custom.getNamespacedCustomObject({ ...ss, namespace: 'sub', name: 'final' })),
    ).toBe(404);
  });

  it('delete preconditions: a stale resourceVersion is a 409', async () => {
    const s = await core.createNamespacedSecret({
      namespace: 'sub',
      body: { metadata: { name: 'pre' } },
    });
    await core.patchNamespacedSecret({
      namespace: 'sub',
      name: 'pre',
      body: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }],
    });
    expect(
      await code(
        core.deleteNamespacedSecret({
          namespace: 'sub',
          name: 'pre',
          body: { preconditions: { resourceVersion: s.metadata!.resourceVersion! } },
        }),
      ),
    ).toBe(409);
  });

  it('deleting a namespace deletes what is in it', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedSecret({
      namespace: 'doomed',
      body: { metadata: { name: 'inside' } },
    });
    expect((await core.readNamespace({ name: 'doomed' })).metadata?.name).toBe('doomed');
    await core.deleteNamespace({ name: 'doomed' });
    expect((await core.listNamespacedSecret({ namespace: 'doomed' })).items).toHaveLength(0);
  });
});
