// ExternalSecrets end to end against Vault: the real controller and node-vault, the Kubernetes
// API test server and the Vault test server. Auth by token, Kubernetes (TokenRequest) and AppRole;
// token reuse and renewal; templates; dataFrom extract and find with rewrite.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultTestServer } from '../servers/vault/server.ts';
import {
  externalSecret,
  secretStore,
  startEnv,
  stringSecret,
  until,
  type Env,
} from './external-secret-env.ts';

let env: Env;
let vault: VaultTestServer;

beforeEach(async () => {
  env = await startEnv();
  vault = await VaultTestServer.start({ now: () => env.clock.now() });
  vault.state.addMount('secret', 2);
  vault.state.put('secret', 'app/db', { username: 'app', password: 'pw-1' });
  vault.state.put('secret', 'app/api', { token: 'api-token-1', 'weird key!': 'x' });
});

afterEach(async () => {
  await env.close();
  await vault.close();
});

function tokenStore(name = 'vault', ns = 'team-a'): void {
  env.create(
    'secrets',
    ns,
    stringSecret('vault-token', { token: vault.state.createToken({ id: `tok-${name}` }) }),
  );
  env.create(
    'secretstores.sealbridge.io',
    ns,
    secretStore(name, {
      vault: {
        server: vault.url,
        path: 'secret',
        auth: { tokenSecretRef: { name: 'vault-token', key: 'token' } },
      },
    }),
  );
}

const dbData = [
  { secretKey: 'user', remoteRef: { key: 'app/db', property: 'username' } },
  { secretKey: 'password', remoteRef: { key: 'app/db', property: 'password' } },
];

describe('ExternalSecret with Vault', () => {
  it('syncs with a token, owns the Secret, and reports Ready with refreshTime and binding', async () => {
    tokenStore();
    env.create(
      'externalsecrets.sealbridge.io',
      'team-a',
      externalSecret('db', {
        secretStoreRef: { name: 'vault' },
        data: dbData,
      }),
    );
    await until(() => env.ready('team-a', 'db')?.status === 'True', 'Ready');
    expect(env.secretData('team-a', 'db')).toEqual({ user: 'app', password: 'pw-1' });
    const s = env.secret('team-a', 'db')!;
    expect(s.metadata.labels?.['sealbridge.io/managed-by']).toBe('externalsecret');
    expect(s.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'ExternalSecret', name: 'db', controller: true }),
    ]);
    expect(s.metadata.annotations?.['sealbridge.io/data-hash']).toMatch(/^[0-9a-f]{32}$/);
    const es = env.externalSecret('team-a', 'db') as unknown as { status: Record<string, unknown> };
    expect(es.status['refreshTime']).toMatch(/Z$/);
    expect(es.status['binding']).toEqual({ name: 'db' });
    expect(env.ready('team-a', 'db')).toMatchObject({
      reason: 'SecretSynced',
      message: 'secret synced',
    });
    await until(() => {
      const st = env.get('secretstores.sealbridge.io', 'team-a', 'vault') as
        { status?: { conditions?: { reason?: string }[]; capabilities?: string } } | undefined;
      return (
        st?.status?.conditions?.[0]?.reason === 'Valid' && st.status.capabilities === 'ReadOnly'
      );
    }, 'store Valid');
  });

  it('logs in with a TokenRequest token once, reuses it for every ExternalSecret, and renews it by TTL', async () => {
    env.create('serviceaccounts', 'team-a', { metadata: { name: 'reader' } });
    vault.addKubernetesRole('team-a', {
      acceptJwt: (jwt) => env.kube.objects.tokens.has(jwt),
      ttlSeconds: 300,
      maxTtlSeconds: 3000,
    });
    env.create(
      'secretstores.sealbridge.io',
      'team-a',
      secretStore('vault-k8s', {
        vault: {
          server: vault.url,
          path: 'secret',
          auth: {
            kubernetes: {
              role: 'team-a',
              serviceAccountRef: { name: 'reader', audiences: ['vault'] },
            },
          },
        },
      }),
    );
    for (const name of ['a', 'b', 'c']) {
      env.create(
        'externalsecrets.sealbridge.io',
        'team-a',
        externalSecret(name, {
          secretStoreRef: { name: 'vault-k8s' },
          data: dbData,
        }),
      );
    }
    for (const name of ['a', 'b', 'c'])
      await until(() => env.ready('team-a', name)?.status === 'True', name);
    expect(vault.calls.count('login:kubernetes')).toBe(1);
    const issued = [...env.kube.objects.tokens.values()];
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({ namespace: 'team-a', serviceAccount: 'reader' });
    expect(issued[0]!.audiences).toContain('vault');
    // 210 s later (> 2/3 of the 300 s TTL) a forced refresh renews the token instead of logging in.
    env.clock.offset += 210_000;
    const reads = vault.calls.count('read');
    env.update('externalsecrets.sealbridge.io', 'team-a', 'a', (o) => ({
      ...o,
      metadata: { ...o.metadata, annotations: { 'force-sync': '1' } },
    }));
    await until(() => vault.calls.count('read') > reads, 'forced refresh');
    await until(() => vault.calls.count('renew-self') === 1, 'renewal');
    expect(vault.calls.count('login:kubernetes')).toBe(1);
    // Shutdown revokes the token the controller created.
    await env.controllers.close();
    expect(vault.state.liveTokenCount('kubernetes')).toBe(0);
  });

  it('logs in with AppRole (role ID from a Secret) and renders templates', async () => {
    vault.addAppRole({ roleId: 'role-1', secretId: 'secret-1' });
    env.create(
      'secrets',
      'team-a',
      stringSecret('approle', { role: 'role-1', secret: 'secret-1' }),
    );
    env.create(
      'secretstores.sealbridge.io',
      'team-a',
      secretStore('vault-approle', {
        vault: {
          server: vault.url,
          path: 'secret',
          auth: {
            appRole: {
              roleRef: { name: 'approle', key: 'role' },
              secretRef: { name: 'approle', key: 'secret' },
            },
          },
        },
      }),
    );
    env.create(
      'externalsecrets.sealbridge.io',
      'team-a',
      externalSecret('templated', {
        secretStoreRef: { name: 'vault-approle' },
        data: dbData,
        target: {
          name: 'db-conn',
          template: {
            type: 'kubernetes.io/basic-auth',
            metadata: {
              labels: { app: '{{ .user | upper }}' },
              annotations: { note: 'for {{ .user }}' },
            },
            data: {
              username: '{{ .user }}',
              password: '{{ .password }}',
              dsn: 'postgres://{{ .user }}:{{ .password | urlquery }}@db/{{ "app" }}',
            },
          },
        },
      }),
    );
    await until(() => env.ready('team-a', 'templated')?.status === 'True', 'Ready');
    const s = env.secret('team-a', 'db-conn')!;
    expect(s.type).toBe('kubernetes.io/basic-auth');
    expect(s.metadata.labels).toMatchObject({ app: 'APP' });
    expect(s.metadata.annotations).toMatchObject({ note: 'for app' });
    expect(env.secretData('team-a', 'db-conn')).toEqual({
      username: 'app',
      password: 'pw-1',
      dsn: 'postgres://app:pw-1@db/app',
    });
    expect(vault.calls.count('login:approle')).toBe(1);
  });

  it('extracts whole secrets and finds by path with rewrite, converting invalid key characters', async () => {
    tokenStore();
    vault.state.put('secret', 'team/one', { v: '1' });
    vault.state.put('secret', 'team/sub/two', { v: '2' });
    vault.state.put('secret', 'other/three', { v: '3' });
    env.create(
      'externalsecrets.sealbridge.io',
      'team-a',
      externalSecret('bulk', {
        secretStoreRef: { name: 'vault' },
        dataFrom: [
          { extract: { key: 'app/api' } },
          {
            find: { path: 'team' },
            rewrite: [
              { regexp: { source: '^team/(.*)$', target: 'found-$1' } },
              { regexp: { source: '/', target: '.' } },
            ],
          },
        ],
        data: [{ secretKey: 'token', remoteRef: { key: 'app/db', property: 'username' } }],
      }),
    );
    await until(() => env.ready('team-a', 'bulk')?.status === 'True', 'Ready');
    expect(env.secretData('team-a', 'bulk')).toEqual({
      // extract: 'weird key!' converts to 'weird_key_' (conversionStrategy Default)...
      weird_key_: 'x',
      // ...and data[] wins over dataFrom on the same key.
      token: 'app',
      'found-one': '{"v":"1"}',
      'found-sub.two': '{"v":"2"}',
    });
  });

  it('restores a managed Secret that was edited or deleted, and never rewrites an unchanged one', async () => {
    tokenStore();
    env.create(
      'externalsecrets.sealbridge.io',
      'team-a',
      externalSecret('db', {
        secretStoreRef: { name: 'vault' },
        data: dbData,
      }),
    );
    await until(() => env.ready('team-a', 'db')?.status === 'True', 'Ready');
    // Successful writes only: a create that lost a race to the cache (409) changes nothing.
    const writes = () =>
      env.kube.requests.filter(
        (r) =>
          r.resource === 'secrets' &&
          (r.verb === 'create' || r.verb === 'update') &&
          r.status >= 200 &&
          r.status < 300,
      ).length;
    const before = writes();
    // Edited by hand: restored from the values the controller already has (no extra Vault read
    // needed), keeping the same data.
    env.update('secrets', 'team-a', 'db', (o) => ({
      ...o,
      data: { user: Buffer.from('evil').toString('base64') },
    }));
    await until(() => env.secretData('team-a', 'db')?.['user'] === 'app', 'restored after edit');
    expect(env.secretData('team-a', 'db')).toEqual({ user: 'app', password: 'pw-1' });
    env.remove('secrets', 'team-a', 'db');
    await until(
      () => env.secretData('team-a', 'db')?.['password'] === 'pw-1',
      'recreated after delete',
    );
    const after = writes();
    expect(after - before).toBe(2);
    // The next periodic refresh reads Vault again; unchanged data writes nothing.
    const reads = vault.calls.count('read');
    env.clock.offset += 2 * 3_600_000;
    env.controllers.running!.externalSecrets.enqueue('team-a/db');
    await until(() => vault.calls.count('read') > reads, 'periodic refresh');
    await until(() => env.controllers.running!.externalSecrets.queue.processing() === 0, 'idle');
    expect(writes()).toBe(after);
    // Without a template, ESO copies the ExternalSecret's labels and annotations to the Secret:
    // the force-sync idiom therefore refreshes and stamps the Secret once.
    env.update('externalsecrets.sealbridge.io', 'team-a', 'db', (o) => ({
      ...o,
      metadata: { ...o.metadata, annotations: { 'force-sync': '2' } },
    }));
    await until(
      () => env.secret('team-a', 'db')?.metadata.annotations?.['force-sync'] === '2',
      'force-sync',
    );
    expect(writes()).toBe(after + 1);
  });
});
