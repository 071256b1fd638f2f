// Stores end to end: SecretStore status reasons, namespace isolation, ClusterSecretStore
// conditions and referent credentials, and store repair re-queueing the ExternalSecrets that
// use the store at once. The runner's backoff is set to 10 minutes in these tests, so an
// ExternalSecret that recovers within the hang guard can only have been re-queued.
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
let goodToken: string;
const ES = 'externalsecrets.sealbridge.io';
const SS = 'secretstores.sealbridge.io';
const CSS = 'clustersecretstores.sealbridge.io';

beforeEach(async () => {
  env = await startEnv({
    namespaces: ['team-a', 'team-b', { name: 'team-c', labels: { env: 'prod' } }],
  });
  vault = await VaultTestServer.start({ now: () => env.clock.now() });
  vault.state.addMount('secret', 2);
  vault.state.put('secret', 'app/db', { password: 'pw-1' });
  goodToken = vault.state.createToken({ id: 'good-token' });
});

afterEach(async () => {
  await env.close();
  await vault.close();
});

const data = [{ secretKey: 'password', remoteRef: { key: 'app/db', property: 'password' } }];
const vaultSpec = (auth: Record<string, unknown>) => ({
  vault: { server: vault.url, path: 'secret', auth },
});
const storeCondition = (kind: string, ns: string | undefined, name: string) =>
  (
    env.get(kind, ns, name) as
      | { status?: { conditions?: { status: string; reason: string; message: string }[] } }
      | undefined
  )?.status?.conditions?.[0];

describe('SecretStore status', () => {
  it('is Valid with working credentials and InvalidProviderConfig with a bad spec or bad credentials', async () => {
    env.create('secrets', 'team-a', stringSecret('tok', { token: goodToken }));
    env.create(
      SS,
      'team-a',
      secretStore('good', vaultSpec({ tokenSecretRef: { name: 'tok', key: 'token' } })),
    );
    env.create(
      SS,
      'team-a',
      secretStore('nokey', {
        vault: { path: 'secret', auth: { tokenSecretRef: { name: 'tok', key: 'token' } } },
      }),
    );
    env.create('secrets', 'team-a', stringSecret('badtok', { token: 'not-a-token' }));
    env.create(
      SS,
      'team-a',
      secretStore('bad', vaultSpec({ tokenSecretRef: { name: 'badtok', key: 'token' } })),
    );
    await until(() => storeCondition(SS, 'team-a', 'good')?.reason === 'Valid', 'good');
    await until(
      () => storeCondition(SS, 'team-a', 'nokey')?.reason === 'InvalidProviderConfig',
      'nokey',
    );
    await until(
      () => storeCondition(SS, 'team-a', 'bad')?.reason === 'InvalidProviderConfig',
      'bad',
    );
    expect(storeCondition(SS, 'team-a', 'good')?.status).toBe('True');
    expect(storeCondition(SS, 'team-a', 'nokey')?.message).toContain('spec.provider.vault.server');
    expect(storeCondition(SS, 'team-a', 'bad')).toMatchObject({ status: 'False' });
  });
});

describe('namespace isolation', () => {
  it("never uses another namespace's SecretStore or its credentials", async () => {
    env.create('secrets', 'team-a', stringSecret('tok', { token: goodToken }));
    env.create(
      SS,
      'team-a',
      secretStore('vault', vaultSpec({ tokenSecretRef: { name: 'tok', key: 'token' } })),
    );
    // team-b names team-a's store: a SecretStore is looked up in the ExternalSecret's namespace only.
    env.create(ES, 'team-b', externalSecret('steal', { secretStoreRef: { name: 'vault' }, data }));
    // team-b's own store names team-a's credential Secret: refused at validation.
    env.create(
      SS,
      'team-b',
      secretStore(
        'sneaky',
        vaultSpec({ tokenSecretRef: { name: 'tok', key: 'token', namespace: 'team-a' } }),
      ),
    );
    env.create(
      ES,
      'team-b',
      externalSecret('steal2', { secretStoreRef: { name: 'sneaky' }, data }),
    );
    await until(
      () => env.ready('team-b', 'steal')?.reason === 'SecretSyncedError',
      'steal refused',
    );
    await until(
      () => env.ready('team-b', 'steal2')?.reason === 'SecretSyncedError',
      'steal2 refused',
    );
    expect(env.ready('team-b', 'steal')?.message).toContain(
      'SecretStore team-b/vault does not exist',
    );
    expect(env.ready('team-b', 'steal2')?.message).toContain('own namespace');
    expect(storeCondition(SS, 'team-b', 'sneaky')?.reason).toBe('InvalidProviderConfig');
    expect(env.secret('team-b', 'steal')).toBeUndefined();
    expect(env.secret('team-b', 'steal2')).toBeUndefined();
    // team-a's credential Secret was never read on team-b's behalf.
    const reads = env.kube.requests.filter((r) => r.resource === 'secrets' && r.name === 'tok');
    expect(reads.every((r) => r.namespace === 'team-a')).toBe(true);
    expect(vault.calls.count('read')).toBe(0);
  });

  it('enforces ClusterSecretStore conditions: namespaces, namespaceSelector and namespaceRegexes', async () => {
    env.create('secrets', 'kube-system', stringSecret('tok', { token: goodToken }));
    env.create(
      CSS,
      undefined,
      secretStore(
        'shared',
        vaultSpec({ tokenSecretRef: { name: 'tok', key: 'token', namespace: 'kube-system' } }),
        {
          conditions: [
            { namespaces: ['team-a'] },
            { namespaceSelector: { matchLabels: { env: 'prod' } } },
            { namespaceRegexes: ['^team-d$'] },
          ],
        },
        'ClusterSecretStore',
      ),
    );
    for (const ns of ['team-a', 'team-b', 'team-c']) {
      env.create(
        ES,
        ns,
        externalSecret('db', {
          secretStoreRef: { name: 'shared', kind: 'ClusterSecretStore' },
          data,
        }),
      );
    }
    await until(() => env.ready('team-a', 'db')?.status === 'True', 'team-a allowed by name');
    await until(() => env.ready('team-c', 'db')?.status === 'True', 'team-c allowed by label');
    await until(() => env.ready('team-b', 'db')?.reason === 'SecretSyncedError', 'team-b denied');
    expect(env.ready('team-b', 'db')?.message).toContain(
      'ClusterSecretStore shared does not allow namespace "team-b"',
    );
    expect(env.secret('team-b', 'db')).toBeUndefined();
    expect(env.secretData('team-a', 'db')).toEqual({ password: 'pw-1' });
  });

  it('a referent ClusterSecretStore reads credentials from each consumer namespace', async () => {
    env.create('secrets', 'team-a', stringSecret('tok', { token: goodToken }));
    env.create(
      CSS,
      undefined,
      secretStore(
        'referent',
        vaultSpec({ tokenSecretRef: { name: 'tok', key: 'token' } }),
        {},
        'ClusterSecretStore',
      ),
    );
    env.create(
      ES,
      'team-a',
      externalSecret('db', {
        secretStoreRef: { name: 'referent', kind: 'ClusterSecretStore' },
        data,
      }),
    );
    env.create(
      ES,
      'team-b',
      externalSecret('db', {
        secretStoreRef: { name: 'referent', kind: 'ClusterSecretStore' },
        data,
      }),
    );
    await until(
      () => storeCondition(CSS, undefined, 'referent')?.reason === 'ValidationUnknown',
      'unknown',
    );
    await until(() => env.ready('team-a', 'db')?.status === 'True', 'team-a');
    await until(
      () => env.ready('team-b', 'db')?.reason === 'SecretSyncedError',
      'team-b has no token',
    );
    expect(env.ready('team-b', 'db')?.message).toContain('team-b/tok');
    // team-b creates its own credentials: its ExternalSecret is retried at once.
    env.create('secrets', 'team-b', stringSecret('tok', { token: goodToken }));
    await until(
      () => env.ready('team-b', 'db')?.status === 'True',
      'team-b after its token appeared',
    );
  });
});

describe('store repair re-queues its ExternalSecrets at once', () => {
  it('when the credential Secret is fixed', async () => {
    env.create('secrets', 'team-a', stringSecret('tok', { token: 'wrong' }));
    env.create(
      SS,
      'team-a',
      secretStore('vault', vaultSpec({ tokenSecretRef: { name: 'tok', key: 'token' } })),
    );
    env.create(ES, 'team-a', externalSecret('db', { secretStoreRef: { name: 'vault' }, data }));
    await until(
      () => storeCondition(SS, 'team-a', 'vault')?.reason === 'InvalidProviderConfig',
      'store broken',
    );
    await until(() => env.ready('team-a', 'db')?.reason === 'SecretSyncedError', 'ES failing');
    const queue = env.controllers.running!.externalSecrets.queue;
    // The failed ExternalSecret now waits out a 10-minute backoff.
    await until(() => queue.processing() === 0 && queue.len() === 0, 'idle');
    expect(queue.delayed()).toBeGreaterThan(0);
    env.update('secrets', 'team-a', 'tok', (o) => ({
      ...o,
      data: { token: Buffer.from(goodToken).toString('base64') },
    }));
    await until(() => env.ready('team-a', 'db')?.status === 'True', 'ES ready after the fix');
    expect(storeCondition(SS, 'team-a', 'vault')?.reason).toBe('Valid');
    expect(env.secretData('team-a', 'db')).toEqual({ password: 'pw-1' });
  });

  it('when the store spec is fixed, or the store is created after the ExternalSecret', async () => {
    env.create(ES, 'team-a', externalSecret('early', { secretStoreRef: { name: 'later' }, data }));
    await until(() => env.ready('team-a', 'early')?.reason === 'SecretSyncedError', 'no store yet');
    env.create('secrets', 'team-a', stringSecret('tok', { token: goodToken }));
    env.create(
      SS,
      'team-a',
      secretStore('later', {
        vault: {
          server: 'http://127.0.0.1:1',
          path: 'secret',
          auth: { tokenSecretRef: { name: 'tok', key: 'token' } },
        },
      }),
    );
    // Unreachable server: the ExternalSecret fails on its own, then the store is fixed.
    await until(
      () =>
        (env.ready('team-a', 'early')?.message ?? '').includes('SecretStore team-a/later') &&
        storeCondition(SS, 'team-a', 'later') !== undefined,
      'store seen',
    );
    env.update(SS, 'team-a', 'later', (o) => ({
      ...o,
      spec: { provider: vaultSpec({ tokenSecretRef: { name: 'tok', key: 'token' } }) },
    }));
    await until(() => env.ready('team-a', 'early')?.status === 'True', 'ready after store fix');
  });
});
