// The real node-vault client (through our provider) against the Vault test server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/providers/errors.ts';
import { VaultTestServer } from '../servers/vault/server.ts';
import { harness, signal, store, str, type Harness } from './support/harness.ts';
import { selfSignedCert } from './support/tls.ts';

let server: VaultTestServer;
let h: Harness;

beforeEach(async () => {
  h = harness();
  server = await VaultTestServer.start({ now: () => h.clock.now() });
  server.state.addMount('secret', 2);
  server.state.addMount('kv1', 1);
  server.state.put('secret', 'app/db', {
    username: 'app',
    password: 's3cr3t',
    nested: { a: [1, { b: 'deep' }] },
  });
  server.state.put('secret', 'app/db', { username: 'app', password: 'rotated' });
  server.state.put('kv1', 'legacy', { token: 'v1-value' });
});

afterEach(async () => {
  await h.registry.close();
  await server.close();
});

function tokenStore(extra: Record<string, unknown> = {}, version = 'v2') {
  const token = server.state.createToken({ id: 'static-token-1' });
  h.kube.setSecret('team-a', 'vault-token', { token });
  return store({
    vault: {
      server: server.url,
      path: version === 'v2' ? 'secret' : 'kv1',
      version,
      auth: { tokenSecretRef: { name: 'vault-token', key: 'token' } },
      ...extra,
    },
  });
}

describe('Vault KV reads', () => {
  it('reads KV v2: whole value, property, gjson path, version and custom metadata', async () => {
    server.state.put(
      'secret',
      'meta',
      { x: '1' },
      { customMetadata: { owner: 'team-a', env: 'prod' } },
    );
    const p = await h.provider(tokenStore());
    expect(JSON.parse(str(await p.getSecret({ key: 'app/db' }, signal())))).toEqual({
      username: 'app',
      password: 'rotated',
    });
    expect(str(await p.getSecret({ key: 'app/db', property: 'password' }, signal()))).toBe(
      'rotated',
    );
    expect(
      str(await p.getSecret({ key: 'app/db', property: 'password', version: '1' }, signal())),
    ).toBe('s3cr3t');
    expect(
      str(await p.getSecret({ key: 'app/db', property: 'nested.a.1.b', version: '1' }, signal())),
    ).toBe('deep');
    expect(str(await p.getSecret({ key: 'secret/app/db', property: 'username' }, signal()))).toBe(
      'app',
    );
    expect(
      str(await p.getSecret({ key: 'meta', metadataPolicy: 'Fetch', property: 'owner' }, signal())),
    ).toBe('team-a');
    const map = await p.getSecretMap({ key: 'app/db' }, signal());
    expect([...map.keys()].sort()).toEqual(['password', 'username']);
    expect(server.calls.count('read-metadata')).toBe(1);
  });

  it('reads KV v1', async () => {
    const p = await h.provider(tokenStore({}, 'v1'));
    expect(str(await p.getSecret({ key: 'legacy', property: 'token' }, signal()))).toBe('v1-value');
  });

  it('maps missing keys, missing properties and deleted versions to typed errors', async () => {
    const p = await h.provider(tokenStore());
    await expect(p.getSecret({ key: 'nope' }, signal())).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
    });
    await expect(
      p.getSecret({ key: 'app/db', property: 'missing' }, signal()),
    ).rejects.toMatchObject({
      code: 'PROVIDER_PROPERTY_MISSING',
    });
    server.state.deleteLatest('secret', 'app/db');
    await expect(
      p.getSecret({ key: 'app/db' }, signal(), { notOlderThan: h.clock.now() + 1 }),
    ).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
    });
  });

  it('sends X-Vault-Namespace and fails with PROVIDER_AUTH outside the token namespace', async () => {
    server.state.addMount('secret', 2, 'team-ns');
    server.state.put('secret', 'x', { v: 'in-namespace' }, { namespace: 'team-ns' });
    const token = server.state.createToken({ namespace: 'team-ns' });
    h.kube.setSecret('team-a', 'ns-token', { token });
    const ok = store(
      {
        vault: {
          server: server.url,
          path: 'secret',
          namespace: 'team-ns',
          auth: { tokenSecretRef: { name: 'ns-token', key: 'token' } },
        },
      },
      { name: 'ns' },
    );
    expect(str(await (await h.provider(ok)).getSecret({ key: 'x', property: 'v' }, signal()))).toBe(
      'in-namespace',
    );
    const wrong = store(
      {
        vault: {
          server: server.url,
          path: 'secret',
          namespace: 'other',
          auth: { tokenSecretRef: { name: 'ns-token', key: 'token' } },
        },
      },
      { name: 'wrong' },
    );
    await expect((await h.provider(wrong)).getSecret({ key: 'x' }, signal())).rejects.toMatchObject(
      { code: 'PROVIDER_AUTH' },
    );
  });

  it('trusts exactly the caBundle for an HTTPS server', async () => {
    const tls = selfSignedCert();
    const secure = await VaultTestServer.start({ tls, now: () => h.clock.now() });
    try {
      secure.state.addMount('secret', 2);
      secure.state.put('secret', 'a', { v: 'over-tls' });
      h.kube.setSecret('team-a', 'tls-token', { token: secure.state.createToken() });
      const auth = { tokenSecretRef: { name: 'tls-token', key: 'token' } };
      const caBundle = Buffer.from(tls.cert).toString('base64');
      const withCa = store(
        { vault: { server: secure.url, path: 'secret', caBundle, auth } },
        { name: 'tls' },
      );
      expect(
        str(await (await h.provider(withCa)).getSecret({ key: 'a', property: 'v' }, signal())),
      ).toBe('over-tls');
      const withoutCa = store(
        { vault: { server: secure.url, path: 'secret', auth } },
        { name: 'notls' },
      );
      await expect(
        (await h.provider(withoutCa)).getSecret({ key: 'a' }, signal()),
      ).rejects.toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
      });
    } finally {
      await secure.close();
    }
  });
});

describe('Vault auth and tokens', () => {
  function kubernetesStore() {
    server.addKubernetesRole('eso', {
      acceptJwt: (jwt) => h.kube.issuedTokens.includes(jwt),
      ttlSeconds: 300,
      maxTtlSeconds: 3000,
    });
    return store({
      vault: {
        server: server.url,
        path: 'secret',
        auth: {
          kubernetes: { role: 'eso', serviceAccountRef: { name: 'reader', audiences: ['vault'] } },
        },
      },
    });
  }

  it('logs in once with a TokenRequest token and reuses it for every read', async () => {
    const p = await h.provider(kubernetesStore());
    for (let i = 0; i < 10; i++)
      await p.getSecret({ key: 'app/db' }, signal(), { notOlderThan: h.clock.now() + 1 });
    expect(server.calls.count('login:kubernetes')).toBe(1);
    expect(server.calls.count('read')).toBe(10);
    expect(h.kube.tokenRequests).toEqual([
      { namespace: 'team-a', serviceAccount: 'reader', audiences: ['vault'] },
    ]);
    // The same store object again: the registry returns the cached client, no new login.
    const again = await h.provider(kubernetesStore());
    await again.getSecret({ key: 'app/db' }, signal(), { notOlderThan: h.clock.now() + 1 });
    expect(server.calls.count('login:kubernetes')).toBe(1);
  });

  it('renews after two thirds of the TTL, re-logs in once renewal stops paying, and revokes on close', async () => {
    const p = await h.provider(kubernetesStore());
    await p.getSecret({ key: 'app/db' }, signal());
    h.clock.set(h.clock.now() + 150_000); // half the 300 s TTL: no renewal yet
    await p.getSecret({ key: 'app/db' }, signal(), { notOlderThan: h.clock.now() });
    expect(server.calls.count('renew-self')).toBe(0);
    h.clock.set(h.clock.now() + 60_000); // 210 s > 200 s
    await p.getSecret({ key: 'app/db' }, signal(), { notOlderThan: h.clock.now() });
    expect(server.calls.count('renew-self')).toBe(1);
    expect(server.calls.count('login:kubernetes')).toBe(1);
    // Near the 3000 s max TTL a renewal grants too little: the next refresh logs in again and
    // the replaced token is revoked.
    h.clock.set(h.clock.now() + 2_700_000);
    await p.getSecret({ key: 'app/db' }, signal(), { notOlderThan: h.clock.now() });
    expect(server.calls.count('login:kubernetes')).toBe(2);
    await p.close();
    expect(server.state.liveTokenCount('kubernetes')).toBe(0);
    expect(server.calls.count('revoke-self')).toBeGreaterThanOrEqual(1);
  });

  it('logs in again when the server revoked our token, and fails cleanly for bad JWTs', async () => {
    const p = await h.provider(kubernetesStore());
    await p.getSecret({ key: 'app/db' }, signal());
    for (const t of server.state.tokens.values()) t.revoked = true;
    await p.getSecret({ key: 'app/db' }, signal(), { notOlderThan: h.clock.now() + 1 });
    expect(server.calls.count('login:kubernetes')).toBe(2);

    server.addKubernetesRole('strict', { acceptJwt: () => false });
    const bad = store(
      {
        vault: {
          server: server.url,
          path: 'secret',
          auth: { kubernetes: { role: 'strict', serviceAccountRef: { name: 'reader' } } },
        },
      },
      { name: 'bad' },
    );
    await expect(
      (await h.provider(bad)).getSecret({ key: 'app/db' }, signal()),
    ).rejects.toMatchObject({ code: 'PROVIDER_AUTH' });
  });

  it('never revokes a static tokenSecretRef token', async () => {
    const p = await h.provider(tokenStore());
    await p.validate(signal());
    await p.close();
    expect(server.calls.count('revoke-self')).toBe(0);
    expect(server.state.liveToken('static-token-1', '')).toBeDefined();
  });

  it('supports kubernetes auth with a JWT from a Secret, and AppRole with roleRef', async () => {
    server.addKubernetesRole(
      'legacy',
      { acceptJwt: (jwt) => jwt === 'legacy-sa-jwt' },
      'k8s-legacy',
    );
    h.kube.setSecret('team-a', 'sa-token', { token: 'legacy-sa-jwt\n' });
    const k = store(
      {
        vault: {
          server: server.url,
          path: 'secret',
          auth: {
            kubernetes: {
              mountPath: 'k8s-legacy',
              role: 'legacy',
              secretRef: { name: 'sa-token' },
            },
          },
        },
      },
      { name: 'k' },
    );
    expect(
      str(await (await h.provider(k)).getSecret({ key: 'app/db', property: 'username' }, signal())),
    ).toBe('app');

    server.addAppRole({ roleId: 'role-123', secretId: 'secret-456' });
    h.kube.setSecret('team-a', 'approle', { role: 'role-123', secret: 'secret-456' });
    const a = store(
      {
        vault: {
          server: server.url,
          path: 'secret',
          auth: {
            appRole: {
              roleRef: { name: 'approle', key: 'role' },
              secretRef: { name: 'approle', key: 'secret' },
            },
          },
        },
      },
      { name: 'a' },
    );
    const pa = await h.provider(a);
    expect(str(await pa.getSecret({ key: 'app/db', property: 'username' }, signal()))).toBe('app');
    expect(server.calls.count('login:approle')).toBe(1);
    await pa.close();
    expect(server.state.liveTokenCount('approle')).toBe(0);
  });

  it('rebuilds the client when the credential Secret changes', async () => {
    const s = tokenStore();
    const p1 = await h.provider(s);
    await p1.getSecret({ key: 'app/db' }, signal());
    h.kube.setSecret('team-a', 'vault-token', { token: server.state.createToken() });
    const p2 = await h.provider(s);
    expect(p2).not.toBe(p1);
    await expect(p1.getSecret({ key: 'app/db' }, signal())).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
    });
    expect(str(await p2.getSecret({ key: 'app/db', property: 'username' }, signal()))).toBe('app');
  });
});

describe('Vault faults, coalescing and find', () => {
  it('retries a 500 and honours Retry-After on 429', async () => {
    const p = await h.provider(tokenStore());
    server.faults.inject({ op: 'read', kind: 'error', status: 500 });
    expect(str(await p.getSecret({ key: 'app/db', property: 'username' }, signal()))).toBe('app');
    expect(server.calls.count('read')).toBe(2);
    server.faults.inject({ op: 'read', kind: 'throttle', retryAfterSeconds: 7, times: 2 });
    h.clock.sleeps.length = 0;
    await p.getSecret({ key: 'app/db' }, signal(), { notOlderThan: h.clock.now() + 1 });
    expect(server.calls.count('read')).toBe(5);
    expect(h.clock.sleeps.filter((ms) => ms === 7000)).toHaveLength(2);
  });

  it('cuts off a hung request at the attempt deadline and retries', async () => {
    await h.registry.close();
    h = harness({ clock: h.clock, tuning: { attemptTimeoutMs: 300 } });
    const p = await h.provider(tokenStore());
    server.faults.inject({ op: 'read', kind: 'hang' });
    expect(str(await p.getSecret({ key: 'app/db', property: 'username' }, signal()))).toBe('app');
    expect(server.calls.count('read')).toBe(2);
  });

  it('gives up after the retry budget with a retryable PROVIDER_UNAVAILABLE', async () => {
    const p = await h.provider(tokenStore());
    server.faults.inject({ op: 'read', kind: 'error', status: 503, times: 10 });
    const err = await p.getSecret({ key: 'app/db' }, signal()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
    expect(server.calls.count('read')).toBe(4);
  });

  it('coalesces concurrent reads of one key, whatever property they select', async () => {
    const p = await h.provider(tokenStore());
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        p.getSecret({ key: 'app/db', property: i % 2 === 0 ? 'username' : 'password' }, signal()),
      ),
    );
    expect(results.map(str).filter((v) => v === 'app')).toHaveLength(30);
    expect(server.calls.count('read')).toBe(1);
  });

  it('finds secrets recursively by path, name regexp and tags', async () => {
    server.state.put('secret', 'team/one', { v: '1' }, { customMetadata: { env: 'prod' } });
    server.state.put('secret', 'team/sub/two', { v: '2' }, { customMetadata: { env: 'prod' } });
    server.state.put('secret', 'team/sub/three', { v: '3' }, { customMetadata: { env: 'dev' } });
    const p = await h.provider(tokenStore());
    const byPath = await p.find({ path: 'team' }, signal());
    expect([...byPath.keys()]).toEqual(['team/one', 'team/sub/three', 'team/sub/two']);
    expect(JSON.parse(str(byPath.get('team/sub/two')!))).toEqual({ v: '2' });
    const byName = await p.find({ name: { regexp: '^team/sub/t' } }, signal());
    expect([...byName.keys()]).toEqual(['team/sub/three', 'team/sub/two']);
    const byTags = await p.find({ path: 'team', tags: { env: 'prod' } }, signal());
    expect([...byTags.keys()]).toEqual(['team/one', 'team/sub/two']);
    // RE2 semantics: a pattern that explodes in a backtracking engine just runs (linear time)...
    const nested = await p.find({ name: { regexp: '(t+)+[wh]' } }, signal());
    expect([...nested.keys()]).toEqual(['team/sub/three', 'team/sub/two']);
    // ...and what RE2 lacks (lookaround) is a configuration error naming the construct.
    await expect(p.find({ name: { regexp: 'team(?=/sub)' } }, signal())).rejects.toMatchObject({
      code: 'PROVIDER_INVALID_CONFIG',
      message: expect.stringContaining('not a valid RE2 regular expression'),
    });
  });
});
