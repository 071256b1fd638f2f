import { describe, expect, it } from 'vitest';
import type { SecretStoreObject } from '../../../src/api/secret-store.ts';
import { silentLogger } from '../../../src/log.ts';
import type { ProviderContext } from '../../../src/providers/options.ts';
import { ProviderRegistry, type ProviderFactory } from '../../../src/providers/registry.ts';
import type { SecretProvider } from '../../../src/providers/types.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { FakeKube } from '../support/fake-kube.ts';
import { store } from '../support/harness.ts';

const sig = (): AbortSignal => new AbortController().signal;

function fakeFactory() {
  const built: { store: SecretStoreObject; ctx: ProviderContext; closed: boolean }[] = [];
  let fail = false;
  const factory: ProviderFactory = {
    create: (s, ctx) => {
      if (fail) return Promise.reject(new Error('build failed'));
      const rec = { store: s, ctx, closed: false };
      built.push(rec);
      const p: SecretProvider = {
        kind: 'vault',
        getSecret: () => Promise.resolve(new Uint8Array()),
        getSecretMap: () => Promise.resolve(new Map()),
        find: () => Promise.resolve(new Map()),
        validate: () => Promise.resolve(),
        close: () => {
          rec.closed = true;
          return Promise.resolve();
        },
      };
      return Promise.resolve(p);
    },
  };
  return { factory, built, setFail: (v: boolean) => (fail = v) };
}

function vaultSpec(ref: Record<string, unknown> = { name: 'tok', key: 'token' }) {
  return { vault: { server: 'https://vault.example', auth: { tokenSecretRef: ref } } };
}

describe('ProviderRegistry', () => {
  it('keeps one client per store, rebuilding on spec generation or credential changes only', async () => {
    const kube = new FakeKube();
    kube.setSecret('team-a', 'tok', { token: 'x' });
    const f = fakeFactory();
    const reg = new ProviderRegistry({
      kube,
      clock: new FakeClock('manual'),
      logger: silentLogger,
      factory: f.factory,
    });
    const s1 = store(vaultSpec(), { generation: 1 });
    const p1 = await reg.get(s1, 'team-a', sig());
    const statusOnly = { ...s1, metadata: { ...s1.metadata, resourceVersion: '999' } };
    expect(await reg.get(statusOnly, 'team-a', sig())).toBe(p1);
    const p2 = await reg.get(store(vaultSpec(), { generation: 2 }), 'team-a', sig());
    expect(p2).not.toBe(p1);
    await new Promise((r) => setTimeout(r, 0));
    expect(f.built[0]!.closed).toBe(true);
    kube.setSecret('team-a', 'tok', { token: 'rotated' });
    const p3 = await reg.get(store(vaultSpec(), { generation: 2 }), 'team-a', sig());
    expect(p3).not.toBe(p2);
    expect(f.built).toHaveLength(3);
    await reg.close();
    expect(f.built.every((b) => b.closed)).toBe(true);
  });

  it('caches a referent ClusterSecretStore per consumer namespace', async () => {
    const kube = new FakeKube();
    kube.setSecret('ns1', 'tok', { token: 'a' });
    kube.setSecret('ns2', 'tok', { token: 'b' });
    const f = fakeFactory();
    const reg = new ProviderRegistry({
      kube,
      clock: new FakeClock('manual'),
      logger: silentLogger,
      factory: f.factory,
    });
    const css = store(vaultSpec(), { kind: 'ClusterSecretStore', name: 'shared' });
    const a = await reg.get(css, 'ns1', sig());
    const b = await reg.get(css, 'ns2', sig());
    expect(a).not.toBe(b);
    expect(await reg.get(css, 'ns1', sig())).toBe(a);
    expect(f.built.map((x) => x.ctx.consumerNamespace)).toEqual(['ns1', 'ns2']);
    const pinned = store(vaultSpec({ name: 'tok', key: 'token', namespace: 'ns1' }), {
      kind: 'ClusterSecretStore',
      name: 'pinned',
    });
    expect(await reg.get(pinned, 'ns2', sig())).toBe(await reg.get(pinned, 'ns3', sig()));
    await reg.evict('ClusterSecretStore', undefined, 'shared');
    expect(f.built.slice(0, 2).every((x) => x.closed)).toBe(true);
  });

  it('refuses a SecretStore that names another namespace, even if validation was bypassed', async () => {
    const f = fakeFactory();
    const reg = new ProviderRegistry({
      kube: new FakeKube(),
      clock: new FakeClock('manual'),
      logger: silentLogger,
      factory: f.factory,
    });
    const valid = store(vaultSpec());
    const sneaky: SecretStoreObject = {
      ...valid,
      spec: {
        provider: {
          vault: {
            ...valid.spec.provider.vault!,
            auth: { tokenSecretRef: { name: 'tok', key: 'token', namespace: 'kube-system' } },
          },
        },
      },
    };
    await expect(reg.get(sneaky, 'team-a', sig())).rejects.toMatchObject({
      code: 'STORE_FORBIDDEN',
    });
    expect(f.built).toHaveLength(0);
  });

  it('does not cache failed builds, and closes idle clients on sweep', async () => {
    const clock = new FakeClock('manual');
    const f = fakeFactory();
    const reg = new ProviderRegistry({
      kube: new FakeKube(),
      clock,
      logger: silentLogger,
      factory: f.factory,
      idleTtlMs: 1000,
    });
    f.setFail(true);
    await expect(reg.get(store(vaultSpec()), 'team-a', sig())).rejects.toThrow('build failed');
    expect(reg.size).toBe(0);
    f.setFail(false);
    await reg.get(store(vaultSpec()), 'team-a', sig());
    clock.advance(1001);
    await reg.sweep();
    expect(reg.size).toBe(0);
    expect(f.built[0]!.closed).toBe(true);
  });
});
