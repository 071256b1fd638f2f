// Reading an ExternalSecret's data: ESO's merge order, not-found handling per deletionPolicy,
// key conversion and rewrites, nullBytePolicy, sourceRef stores, and the Secret that results.
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/providers/errors.ts';
import type { FindSpec, RemoteRef, SecretProvider } from '../../src/providers/types.ts';
import {
  convertKey,
  fetchExternalSecretData,
} from '../../src/controllers/external-secret-fetch.ts';
import {
  ExternalSecretSpecCache,
  storeRefsOf,
} from '../../src/controllers/external-secret-spec.ts';
import {
  desiredSecretOf,
  sourceHashOf,
  writePolicyFor,
} from '../../src/controllers/external-secret-target.ts';
import type { KubeObject } from '../../src/kube/types.ts';

const enc = new TextEncoder();
const dec = (d: Record<string, Uint8Array>) =>
  Object.fromEntries(Object.entries(d).map(([k, v]) => [k, new TextDecoder().decode(v)]));

class FakeProvider implements SecretProvider {
  readonly kind = 'vault' as const;
  readonly reads: { ref: RemoteRef; notOlderThan: number | undefined }[] = [];
  readonly values: Record<string, Record<string, unknown> | string>;
  constructor(values: Record<string, Record<string, unknown> | string>) {
    this.values = values;
  }
  #value(key: string): Record<string, unknown> | string {
    const v = this.values[key];
    if (v === undefined)
      throw new ProviderError('PROVIDER_NOT_FOUND', `store: key "${key}" not found`);
    return v;
  }
  getSecret(ref: RemoteRef, _s: AbortSignal, o?: { notOlderThan?: number }): Promise<Uint8Array> {
    this.reads.push({ ref, notOlderThan: o?.notOlderThan });
    const v = this.#value(ref.key);
    if (ref.property === undefined)
      return Promise.resolve(enc.encode(typeof v === 'string' ? v : JSON.stringify(v)));
    const p = (v as Record<string, unknown>)[ref.property];
    if (p === undefined)
      return Promise.reject(new ProviderError('PROVIDER_PROPERTY_MISSING', 'missing'));
    return Promise.resolve(enc.encode(typeof p === 'string' ? p : JSON.stringify(p)));
  }
  getSecretMap(ref: RemoteRef): Promise<Map<string, Uint8Array>> {
    const v = this.#value(ref.key);
    return Promise.resolve(
      new Map(Object.entries(v as object).map(([k, x]) => [k, enc.encode(String(x))])),
    );
  }
  find(spec: FindSpec): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const [k, v] of Object.entries(this.values)) {
      if (spec.path === undefined || k.startsWith(spec.path))
        out.set(k, enc.encode(JSON.stringify(v)));
    }
    return Promise.resolve(out);
  }
  validate(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function raw(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'sealbridge.io/v1alpha1',
    kind: 'ExternalSecret',
    metadata: { name: 'es', namespace: 'team-a', uid: 'u1', generation: 1, ...meta },
    spec: { secretStoreRef: { name: 'main' }, ...spec },
  } as KubeObject;
}

function compile(spec: Record<string, unknown>, meta?: Record<string, unknown>) {
  const r = new ExternalSecretSpecCache().get(raw(spec, meta));
  if (!r.ok) throw r.error;
  return r.value;
}

async function fetch(spec: Record<string, unknown>, providers: Record<string, FakeProvider>) {
  const c = compile(spec);
  return fetchExternalSecretData(c, {
    providerFor: (item) => {
      const name = item.sourceRef?.storeRef.name ?? 'main';
      const p = providers[name];
      return p === undefined ? Promise.reject(new Error('no store')) : Promise.resolve(p);
    },
    notOlderThan: 1234,
    signal: new AbortController().signal,
  });
}

const main = () =>
  new FakeProvider({
    'app/db': { user: 'app', password: 'pw' },
    'app/api': { token: 't', 'bad key/x': 'v', user: 'from-extract' },
    'team/one': { v: 1 },
  });

describe('fetchExternalSecretData', () => {
  it('merges dataFrom in order, then data (data wins), passing the cycle bound to every read', async () => {
    const p = main();
    const out = await fetch(
      {
        dataFrom: [{ extract: { key: 'app/api' } }, { extract: { key: 'app/db' } }],
        data: [{ secretKey: 'user', remoteRef: { key: 'app/db', property: 'password' } }],
      },
      { main: p },
    );
    expect(dec(out.data)).toEqual({ token: 't', bad_key_x: 'v', user: 'pw', password: 'pw' });
    expect(p.reads.every((r) => r.notOlderThan === 1234)).toBe(true);
  });

  it('converts keys with Default and Unicode, or rewrites them instead', async () => {
    expect(convertKey('a/b c.d-é', 'Default')).toBe('a_b_c.d-é');
    expect(convertKey('a/b', 'Unicode')).toBe('a_U002f_b');
    const unicode = await fetch(
      { dataFrom: [{ extract: { key: 'app/api', conversionStrategy: 'Unicode' } }] },
      { main: main() },
    );
    expect(Object.keys(unicode.data)).toContain('bad_U0020_key_U002f_x');
    const rewritten = await fetch(
      {
        dataFrom: [
          { find: { path: 'team/' }, rewrite: [{ regexp: { source: '^team/', target: 'x-' } }] },
        ],
      },
      { main: main() },
    );
    expect(dec(rewritten.data)).toEqual({ 'x-one': '{"v":1}' });
    await expect(
      fetch(
        {
          dataFrom: [
            { find: { path: 'team/' }, rewrite: [{ regexp: { source: '^team', target: 'x' } }] },
          ],
        },
        { main: main() },
      ),
    ).rejects.toMatchObject({
      code: 'EXTERNAL_SECRET_REWRITE',
      message: expect.stringContaining('not a valid Secret key'),
    });
  });

  it('a missing remote secret fails under Retain, and is skipped under Delete and Merge', async () => {
    const spec = (deletionPolicy: string) => ({
      target: {
        deletionPolicy,
        ...(deletionPolicy === 'Delete' ? { creationPolicy: 'Owner' } : {}),
      },
      data: [
        { secretKey: 'a', remoteRef: { key: 'gone' } },
        { secretKey: 'b', remoteRef: { key: 'app/db', property: 'user' } },
      ],
    });
    await expect(fetch(spec('Retain'), { main: main() })).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
      message: expect.stringContaining('spec.data[0] (key "gone")'),
    });
    for (const policy of ['Delete', 'Merge']) {
      const out = await fetch(spec(policy), { main: main() });
      expect(dec(out.data)).toEqual({ b: 'app' });
      expect(out.missing).toEqual(['spec.data[0] (key "gone")']);
    }
    // Other errors are never skipped.
    await expect(
      fetch(
        {
          target: { deletionPolicy: 'Merge' },
          data: [{ secretKey: 'a', remoteRef: { key: 'app/db', property: 'nope' } }],
        },
        { main: main() },
      ),
    ).rejects.toMatchObject({ code: 'PROVIDER_PROPERTY_MISSING' });
  });

  it('nullBytePolicy Fail refuses a value with a NUL byte; Ignore keeps it', async () => {
    const p = new FakeProvider({ bin: 'a\u0000b' });
    await expect(
      fetch(
        { data: [{ secretKey: 'x', remoteRef: { key: 'bin', nullBytePolicy: 'Fail' } }] },
        { main: p },
      ),
    ).rejects.toMatchObject({ message: expect.stringContaining('NUL byte') });
    const ok = await fetch({ data: [{ secretKey: 'x', remoteRef: { key: 'bin' } }] }, { main: p });
    expect([...ok.data['x']!]).toEqual([97, 0, 98]);
  });

  it('reads each item from its sourceRef store', async () => {
    const other = new FakeProvider({ k: { v: 'other' } });
    const out = await fetch(
      {
        data: [
          { secretKey: 'a', remoteRef: { key: 'app/db', property: 'user' } },
          {
            secretKey: 'b',
            remoteRef: { key: 'k', property: 'v' },
            sourceRef: { storeRef: { name: 'other', kind: 'ClusterSecretStore' } },
          },
        ],
      },
      { main: main(), other },
    );
    expect(dec(out.data)).toEqual({ a: 'app', b: 'other' });
    expect(
      storeRefsOf(
        raw({
          data: [
            {
              secretKey: 'b',
              remoteRef: { key: 'k' },
              sourceRef: { storeRef: { name: 'other', kind: 'ClusterSecretStore' } },
            },
          ],
        }),
      ),
    ).toEqual([
      { kind: 'SecretStore', name: 'main' },
      { kind: 'ClusterSecretStore', name: 'other' },
    ]);
  });
});

describe('the desired Secret', () => {
  const fetched = { user: enc.encode('app'), password: enc.encode('pw') };

  it('without a template: the data, plus the ExternalSecret labels and annotations (not kubectl’s)', () => {
    const c = compile(
      { data: [{ secretKey: 'user', remoteRef: { key: 'x' } }] },
      {
        labels: { team: 'a' },
        annotations: { note: 'n', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
    );
    const d = desiredSecretOf(c, fetched);
    expect(d.data).toEqual({ user: 'YXBw', password: 'cHc=' });
    expect(d.labels).toEqual({ team: 'a' });
    expect(d.annotations).toEqual({ note: 'n' });
    expect(d.type).toBeUndefined();
  });

  it('with a template: type, metadata and data; mergePolicy Merge keeps the fetched keys; immutable', () => {
    const c = compile({
      data: [{ secretKey: 'user', remoteRef: { key: 'x' } }],
      target: {
        immutable: true,
        template: {
          type: 'kubernetes.io/basic-auth',
          mergePolicy: 'Merge',
          metadata: { labels: { u: '{{ .user }}' } },
          data: { joined: '{{ .user }}:{{ .password }}' },
        },
      },
    });
    const d = desiredSecretOf(c, fetched, 'Opaque');
    expect(d.type).toBe('kubernetes.io/basic-auth');
    expect(d.immutable).toBe(true);
    expect(d.labels).toEqual({ u: 'app' });
    expect(Object.keys(d.data).sort()).toEqual(['joined', 'password', 'user']);
    expect(Buffer.from(d.data['joined']!, 'base64').toString()).toBe('app:pw');
  });

  it('the source hash changes with the values and the output-shaping spec, not with the schedule', () => {
    const a = compile({
      refreshInterval: '1h',
      data: [{ secretKey: 'user', remoteRef: { key: 'x' } }],
    });
    const b = compile({
      refreshInterval: '5m',
      data: [{ secretKey: 'user', remoteRef: { key: 'x' } }],
    });
    const c = compile({ data: [{ secretKey: 'user', remoteRef: { key: 'y' } }] });
    expect(sourceHashOf(a, fetched)).toBe(sourceHashOf(b, fetched));
    expect(sourceHashOf(a, fetched)).not.toBe(sourceHashOf(c, fetched));
    expect(sourceHashOf(a, fetched)).not.toBe(
      sourceHashOf(a, { ...fetched, password: enc.encode('pw2') }),
    );
  });

  it('maps creationPolicy onto the shared writer', () => {
    expect(writePolicyFor('Owner')).toEqual({
      create: true,
      ownerReference: true,
      adopt: 'owned',
      mode: 'replace',
    });
    expect(writePolicyFor('Orphan')).toMatchObject({ create: true, ownerReference: false });
    expect(writePolicyFor('Merge')).toEqual({
      create: false,
      ownerReference: false,
      adopt: 'any',
      mode: 'merge',
    });
    expect(writePolicyFor('None')).toBeUndefined();
  });

  it('refuses an invalid spec and template finalizers with a clear error, cached per generation', () => {
    const cache = new ExternalSecretSpecCache();
    const bad = cache.get(raw({ data: [], dataFrom: [] }));
    expect(bad.ok).toBe(false);
    const fin = cache.get(
      raw(
        {
          data: [{ secretKey: 'a', remoteRef: { key: 'x' } }],
          target: { template: { metadata: { finalizers: ['x'] } } },
        },
        { name: 'fin' },
      ),
    );
    expect(fin).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('finalizers') },
    });
    const good = raw(
      {
        data: [{ secretKey: 'a', remoteRef: { key: 'x' } }],
        target: { template: { data: { b: '{{ .a }}' } } },
      },
      { name: 'g' },
    );
    const first = cache.get(good);
    const again = cache.get({ ...good, metadata: { ...good.metadata, labels: { new: 'label' } } });
    expect(first.ok && again.ok && first.value.template === again.value.template).toBe(true);
    expect(again.ok && again.value.es.metadata.labels).toEqual({ new: 'label' });
  });
});
