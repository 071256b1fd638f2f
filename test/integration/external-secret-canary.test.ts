// No secret value ever reaches a log line, an Event, a status or a metric: canary values are
// planted in the remote store and in credentials, pushed through successes and through every
// kind of failure, and everything observable is scanned for them.
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

const VALUE = 'CANARY-value-7f3a9c';
const TOKEN = 'CANARY-token-41be02';
const ES = 'externalsecrets.sealbridge.io';
let env: Env;
let vault: VaultTestServer;

beforeEach(async () => {
  env = await startEnv();
  vault = await VaultTestServer.start({ now: () => env.clock.now() });
  vault.state.addMount('secret', 2);
  vault.state.put('secret', 'app/db', { password: VALUE, nested: { k: VALUE } });
  vault.state.createToken({ id: 'good-token' });
  env.create('secrets', 'team-a', stringSecret('tok', { token: 'good-token' }));
  env.create('secrets', 'team-a', stringSecret('badtok', { token: TOKEN }));
  const spec = (ref: string) => ({
    vault: {
      server: vault.url,
      path: 'secret',
      auth: { tokenSecretRef: { name: ref, key: 'token' } },
    },
  });
  env.create('secretstores.sealbridge.io', 'team-a', secretStore('vault', spec('tok')));
  env.create('secretstores.sealbridge.io', 'team-a', secretStore('bad', spec('badtok')));
});

afterEach(async () => {
  await env.close();
  await vault.close();
});

describe('canary values', () => {
  it('never appear in logs, Events, statuses or metrics, on success or failure', async () => {
    const cases: Record<string, object> = {
      ok: { data: [{ secretKey: 'p', remoteRef: { key: 'app/db', property: 'password' } }] },
      // Template failures that handle the value: bad base64, bad JSON, failing function.
      b64: {
        data: [{ secretKey: 'p', remoteRef: { key: 'app/db', property: 'password' } }],
        target: { template: { data: { x: '{{ .p | b64dec }}' } } },
      },
      json: {
        data: [{ secretKey: 'p', remoteRef: { key: 'app/db', property: 'password' } }],
        target: { template: { data: { x: '{{ (.p | fromJson).a }}' } } },
      },
      fail: {
        data: [{ secretKey: 'p', remoteRef: { key: 'app/db', property: 'password' } }],
        target: { template: { data: { x: '{{ fail .p }}' } } },
      },
      atoi: {
        data: [{ secretKey: 'p', remoteRef: { key: 'app/db', property: 'password' } }],
        target: { template: { data: { x: '{{ slice .p 1 999 }}' } } },
      },
      // Decoding and extraction failures on the value itself.
      decode: {
        data: [
          {
            secretKey: 'p',
            remoteRef: { key: 'app/db', property: 'password', decodingStrategy: 'Base64' },
          },
        ],
      },
      extract: { dataFrom: [{ extract: { key: 'app/db', property: 'password' } }] },
      missing: { data: [{ secretKey: 'p', remoteRef: { key: 'app/db', property: 'nope' } }] },
      nested: { dataFrom: [{ extract: { key: 'app/db', property: 'nested' } }] },
    };
    for (const [name, spec] of Object.entries(cases)) {
      env.create(
        ES,
        'team-a',
        externalSecret(name, { secretStoreRef: { name: 'vault' }, ...spec }),
      );
    }
    env.create(
      ES,
      'team-a',
      externalSecret('badtoken', {
        secretStoreRef: { name: 'bad' },
        data: [{ secretKey: 'p', remoteRef: { key: 'app/db', property: 'password' } }],
      }),
    );
    await until(() => env.ready('team-a', 'ok')?.status === 'True', 'ok');
    await until(() => env.ready('team-a', 'nested')?.status === 'True', 'nested');
    for (const name of [
      'b64',
      'json',
      'fail',
      'atoi',
      'decode',
      'extract',
      'missing',
      'badtoken',
    ]) {
      await until(() => env.ready('team-a', name)?.reason === 'SecretSyncedError', name);
    }
    expect(env.secretData('team-a', 'ok')).toEqual({ p: VALUE });
    const seen = await env.observable();
    expect(seen.length).toBeGreaterThan(1000);
    expect(seen).not.toContain(VALUE);
    expect(seen).not.toContain(TOKEN);
    expect(seen).not.toContain(Buffer.from(VALUE).toString('base64'));
    expect(seen).not.toContain(Buffer.from(TOKEN).toString('base64'));
  });
});
