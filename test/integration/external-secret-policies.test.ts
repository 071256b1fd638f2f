// creationPolicy Owner/Orphan/Merge/None, deletionPolicy Retain/Delete/Merge, immutable, target
// renames and ownership refusals, end to end (real controller, Kubernetes and Vault test servers).
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
const ES = 'externalsecrets.sealbridge.io';

beforeEach(async () => {
  env = await startEnv();
  vault = await VaultTestServer.start({ now: () => env.clock.now() });
  vault.state.addMount('secret', 2);
  vault.state.put('secret', 'app/db', { username: 'app', password: 'pw-1' });
  vault.state.put('secret', 'app/extra', { flag: 'on' });
  env.create(
    'secrets',
    'team-a',
    stringSecret('vault-token', { token: vault.state.createToken() }),
  );
  env.create(
    'secretstores.sealbridge.io',
    'team-a',
    secretStore('vault', {
      vault: {
        server: vault.url,
        path: 'secret',
        auth: { tokenSecretRef: { name: 'vault-token', key: 'token' } },
      },
    }),
  );
});

afterEach(async () => {
  await env.close();
  await vault.close();
});

function es(name: string, target: Record<string, unknown>, data?: unknown[]): void {
  env.create(
    ES,
    'team-a',
    externalSecret(name, {
      secretStoreRef: { name: 'vault' },
      target,
      data: data ?? [
        { secretKey: 'password', remoteRef: { key: 'app/db', property: 'password' } },
        { secretKey: 'flag', remoteRef: { key: 'app/extra', property: 'flag' } },
      ],
    }),
  );
}

const ready = (name: string) => env.ready('team-a', name);
const refresh = (name: string): void => {
  env.clock.offset += 2 * 3_600_000;
  env.controllers.running!.externalSecrets.enqueue(`team-a/${name}`);
};

describe('creationPolicy', () => {
  it('Owner: the Secret is owned and garbage-collected with the ExternalSecret', async () => {
    es('owned', { creationPolicy: 'Owner' });
    await until(() => ready('owned')?.status === 'True', 'Ready');
    expect(env.secret('team-a', 'owned')?.metadata.ownerReferences?.[0]?.name).toBe('owned');
    env.remove(ES, 'team-a', 'owned');
    await until(() => env.secret('team-a', 'owned') === undefined, 'garbage collection');
  });

  it('Orphan: the Secret is created without an owner and outlives the ExternalSecret', async () => {
    es('orphan', { creationPolicy: 'Orphan' });
    await until(() => ready('orphan')?.status === 'True', 'Ready');
    const s = env.secret('team-a', 'orphan')!;
    expect(s.metadata.ownerReferences ?? []).toEqual([]);
    expect(s.metadata.annotations?.['sealbridge.io/owner']).toBe('ExternalSecret/orphan');
    // Still managed: an edit is restored.
    env.update('secrets', 'team-a', 'orphan', (o) => ({ ...o, data: {} }));
    await until(() => env.secretData('team-a', 'orphan')?.['flag'] === 'on', 'restored');
    env.remove(ES, 'team-a', 'orphan');
    await new Promise((r) => setTimeout(r, 100));
    expect(env.secretData('team-a', 'orphan')).toEqual({ password: 'pw-1', flag: 'on' });
  });

  it('Merge: waits for the Secret (SecretMissing), then merges into it keeping its other keys and type', async () => {
    es('merge', { name: 'shared', creationPolicy: 'Merge' });
    await until(() => ready('merge')?.reason === 'SecretMissing', 'SecretMissing');
    expect(ready('merge')?.status).toBe('False');
    expect(env.secret('team-a', 'shared')).toBeUndefined();
    env.create('secrets', 'team-a', {
      metadata: { name: 'shared', labels: { app: 'web' } },
      type: 'kubernetes.io/basic-auth',
      stringData: { username: 'admin', password: 'old' },
    });
    refresh('merge');
    await until(() => ready('merge')?.reason === 'SecretSynced', 'merged');
    const s = env.secret('team-a', 'shared')!;
    expect(s.type).toBe('kubernetes.io/basic-auth');
    expect(s.metadata.labels).toMatchObject({ app: 'web' });
    expect(s.metadata.ownerReferences ?? []).toEqual([]);
    expect(env.secretData('team-a', 'shared')).toEqual({
      username: 'admin',
      password: 'pw-1',
      flag: 'on',
    });
    expect(s.metadata.annotations?.['sealbridge.io/merged-keys']).toBe('flag,password');
  });

  it('None: reads the values but writes no Secret', async () => {
    es('none', { creationPolicy: 'None' });
    await until(() => ready('none')?.status === 'True', 'Ready');
    expect(env.secret('team-a', 'none')).toBeUndefined();
    expect(vault.calls.count('read')).toBeGreaterThanOrEqual(1);
  });

  it('refuses to take over a Secret it does not manage, unless it is annotated managed', async () => {
    env.create('secrets', 'team-a', stringSecret('taken', { mine: 'yes' }));
    es('taker', { name: 'taken' });
    await until(() => ready('taker')?.reason === 'SecretSyncedError', 'refused');
    expect(ready('taker')?.message).toContain('not managed by ExternalSecret taker');
    expect(env.secretData('team-a', 'taken')).toEqual({ mine: 'yes' });
    env.update('secrets', 'team-a', 'taken', (o) => ({
      ...o,
      metadata: { ...o.metadata, annotations: { 'sealbridge.io/managed': 'true' } },
    }));
    env.update(ES, 'team-a', 'taker', (o) => ({
      ...o,
      metadata: { ...o.metadata, labels: { retry: '1' } },
    }));
    await until(() => ready('taker')?.status === 'True', 'taken over');
    expect(env.secretData('team-a', 'taken')).toEqual({ password: 'pw-1', flag: 'on' });
  });

  it('deletes the old owned Secret when the target is renamed', async () => {
    es('renamed', { name: 'first' });
    await until(() => env.secret('team-a', 'first') !== undefined, 'first');
    env.update(ES, 'team-a', 'renamed', (o) => ({
      ...o,
      spec: { ...(o['spec'] as object), target: { name: 'second' } },
    }));
    await until(() => env.secret('team-a', 'second') !== undefined, 'second');
    await until(() => env.secret('team-a', 'first') === undefined, 'first deleted');
  });

  it('immutable: writes an immutable Secret, and a later change fails without touching it', async () => {
    es('frozen', { immutable: true });
    await until(() => ready('frozen')?.status === 'True', 'Ready');
    expect(env.secret('team-a', 'frozen')?.immutable).toBe(true);
    vault.state.put('secret', 'app/db', { username: 'app', password: 'pw-2' });
    refresh('frozen');
    await until(() => ready('frozen')?.reason === 'SecretSyncedError', 'refused');
    expect(ready('frozen')?.message).toContain('immutable');
    expect(env.secretData('team-a', 'frozen')?.['password']).toBe('pw-1');
  });
});

describe('deletionPolicy when the remote secret is gone', () => {
  it('Retain: an error, and the Secret is kept', async () => {
    es('retain', { deletionPolicy: 'Retain' });
    await until(() => ready('retain')?.status === 'True', 'Ready');
    vault.state.deleteLatest('secret', 'app/db');
    refresh('retain');
    await until(() => ready('retain')?.reason === 'SecretSyncedError', 'error');
    expect(ready('retain')?.message).toContain('spec.data[0]');
    expect(env.secretData('team-a', 'retain')).toEqual({ password: 'pw-1', flag: 'on' });
  });

  it('Merge: the missing keys are dropped and the rest kept', async () => {
    es('merge-del', { deletionPolicy: 'Merge' });
    await until(() => ready('merge-del')?.status === 'True', 'Ready');
    vault.state.deleteLatest('secret', 'app/db');
    refresh('merge-del');
    await until(() => env.secretData('team-a', 'merge-del')?.['password'] === undefined, 'dropped');
    expect(env.secretData('team-a', 'merge-del')).toEqual({ flag: 'on' });
    expect(ready('merge-del')?.status).toBe('True');
  });

  it('Delete: the Secret is deleted once nothing is left, and recreated when the data returns', async () => {
    es('del', { deletionPolicy: 'Delete' }, [
      { secretKey: 'password', remoteRef: { key: 'app/db', property: 'password' } },
    ]);
    await until(() => ready('del')?.status === 'True', 'Ready');
    vault.state.deleteLatest('secret', 'app/db');
    refresh('del');
    await until(() => ready('del')?.reason === 'SecretDeleted', 'deleted');
    expect(env.secret('team-a', 'del')).toBeUndefined();
    vault.state.put('secret', 'app/db', { username: 'app', password: 'back' });
    refresh('del');
    await until(() => env.secretData('team-a', 'del')?.['password'] === 'back', 'recreated');
  });
});
