// Window prefetch: one read per distinct remote key of the store's ExternalSecrets with the same
// interval, once per window, from the cached objects.
import { describe, expect, it } from 'vitest';
import { WindowPrefetcher } from '../../src/controllers/external-secret-prefetch.ts';
import { StoreIndex, storeKey } from '../../src/controllers/external-secret-stores.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import type { RemoteRef, SecretProvider } from '../../src/providers/types.ts';

function es(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { metadata: { namespace: ns, name }, spec } as KubeObject;
}

function provider(reads: { ref: RemoteRef; notOlderThan: number | undefined }[]): SecretProvider {
  return {
    kind: 'aws',
    getSecret: (ref, _s, o) => {
      reads.push({ ref, notOlderThan: o?.notOlderThan });
      return Promise.resolve(new Uint8Array());
    },
    getSecretMap: () => Promise.resolve(new Map()),
    find: () => Promise.resolve(new Map()),
    validate: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

describe('WindowPrefetcher', () => {
  it('reads each distinct key of same-interval consumers once per window', () => {
    const objs = new Map<string, KubeObject>();
    const index = new StoreIndex();
    const css = storeKey('ClusterSecretStore', undefined, 'aws');
    const add = (o: KubeObject, stores: string[]) => {
      const key = `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
      objs.set(key, o);
      index.set(key, stores);
    };
    const ref = { name: 'aws', kind: 'ClusterSecretStore' };
    add(
      es('a', 'one', {
        secretStoreRef: ref,
        refreshInterval: '1m',
        data: [
          { secretKey: 'x', remoteRef: { key: 's1', property: 'p' } },
          { secretKey: 'y', remoteRef: { key: 's2' } },
        ],
        dataFrom: [{ extract: { key: 's3' } }, { find: { path: 'z' } }],
      }),
      [css],
    );
    add(
      es('b', 'two', {
        secretStoreRef: ref,
        refreshInterval: '60s',
        data: [
          { secretKey: 'x', remoteRef: { key: 's1', property: 'q' } },
          { secretKey: 'v', remoteRef: { key: 's1', version: 'AWSPREVIOUS' } },
          {
            secretKey: 'o',
            remoteRef: { key: 'other' },
            sourceRef: { storeRef: { name: 'vault' } },
          },
        ],
      }),
      [css, storeKey('SecretStore', 'b', 'vault')],
    );
    add(
      es('a', 'hourly', {
        secretStoreRef: ref,
        data: [{ secretKey: 'x', remoteRef: { key: 'h' } }],
      }),
      [css],
    );
    add(
      es('a', 'once', {
        secretStoreRef: ref,
        refreshInterval: '1m',
        refreshPolicy: 'OnChange',
        data: [{ secretKey: 'x', remoteRef: { key: 'o' } }],
      }),
      [css],
    );
    const reads: { ref: RemoteRef; notOlderThan: number | undefined }[] = [];
    const p = new WindowPrefetcher({
      index,
      externalSecrets: {
        get: (k) => objs.get(k),
        list: () => [...objs.values()],
        keys: () => [...objs.keys()],
        size: objs.size,
      },
    });
    const req = { store: css, intervalMs: 60_000, windowStart: 600_000, provider: provider(reads) };
    expect(p.prefetch(req)).toBe(4);
    expect(reads.map((r) => [r.ref.key, r.ref.version ?? ''])).toEqual([
      ['s1', ''],
      ['s2', ''],
      ['s3', ''],
      ['s1', 'AWSPREVIOUS'],
    ]);
    expect(reads.every((r) => r.notOlderThan === 600_000 && r.ref.property === undefined)).toBe(
      true,
    );
    expect(p.prefetch(req)).toBe(0);
    expect(p.prefetch({ ...req, windowStart: 660_000 })).toBe(4);
    // A referent store's client is per namespace: only that namespace's consumers.
    expect(p.prefetch({ ...req, namespace: 'b', windowStart: 720_000 })).toBe(2);
  });
});
