// The real AWS SDK v3 clients (Secrets Manager, STS) through our provider, against the AWS test
// server's JSON 1.1 and STS query protocols.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsTestServer } from '../servers/aws/server.ts';
import { SecretsManagerState, installSecretsManager } from '../servers/aws/secrets-manager.ts';
import { installSts, type IssuedCredentials } from '../servers/aws/sts.ts';
import { FakeClock } from './support/fake-clock.ts';
import { harness, signal, store, str, type Harness } from './support/harness.ts';

let server: AwsTestServer;
let sm: SecretsManagerState;
let issued: IssuedCredentials[];
let h: Harness;
const assumeAllowed: { principal: string; role: string; externalId: string | undefined }[] = [];

beforeEach(async () => {
  assumeAllowed.length = 0;
  const clock = new FakeClock('auto', Date.now());
  server = await AwsTestServer.start({ now: () => clock.now() });
  sm = new SecretsManagerState();
  installSecretsManager(server, sm, 2);
  issued = installSts(server, {
    acceptWebIdentity: (token, role) =>
      h.kube.issuedTokens.includes(token) && role === 'arn:aws:iam::123456789012:role/irsa',
    allowAssumeRole: (principal, role, externalId) => {
      assumeAllowed.push({ principal, role, externalId });
      return !role.endsWith('/forbidden');
    },
    durationSeconds: 3600,
  });
  server.addAccessKey('AKIASTATIC', 'static-secret', { principal: 'user/ci' });
  h = harness({ clock, endpoints: { awsSecretsManager: server.url, awsSts: server.url } });
  h.kube.setSecret('team-a', 'aws-creds', { id: 'AKIASTATIC', secret: 'static-secret' });
  sm.put('db', JSON.stringify({ user: 'app', password: 'pw1', nested: { list: ['a', 'b'] } }), {
    team: 'a',
    env: 'prod',
  });
  sm.put('db', JSON.stringify({ user: 'app', password: 'pw2' }));
  sm.put('cert', new Uint8Array([0, 1, 2, 255]));
});

afterEach(async () => {
  await h.registry.close();
  await server.close();
});

const staticAuth = {
  secretRef: {
    accessKeyIDSecretRef: { name: 'aws-creds', key: 'id' },
    secretAccessKeySecretRef: { name: 'aws-creds', key: 'secret' },
  },
};

function awsStore(extra: Record<string, unknown> = {}, name = 'aws') {
  return store(
    { aws: { service: 'SecretsManager', region: 'eu-west-1', auth: staticAuth, ...extra } },
    { name },
  );
}

describe('AWS Secrets Manager reads', () => {
  it('reads with static keys: value, JSON path, stages, version ids, binary and tags', async () => {
    const p = await h.provider(awsStore());
    expect(str(await p.getSecret({ key: 'db', property: 'password' }, signal()))).toBe('pw2');
    expect(
      str(
        await p.getSecret(
          { key: 'db', property: 'nested.list.1', version: 'AWSPREVIOUS' },
          signal(),
        ),
      ),
    ).toBe('b');
    const firstId = [...sm.secrets.get('db')!.versions][0]!.id;
    expect(
      str(
        await p.getSecret(
          { key: 'db', property: 'password', version: `uuid/${firstId}` },
          signal(),
        ),
      ),
    ).toBe('pw1');
    expect([...(await p.getSecret({ key: 'cert' }, signal()))]).toEqual([0, 1, 2, 255]);
    expect(
      str(await p.getSecret({ key: 'db', metadataPolicy: 'Fetch', property: 'env' }, signal())),
    ).toBe('prod');
    expect(new Set(server.signedBy)).toEqual(new Set(['AKIASTATIC']));
  });

  it('fails with PROVIDER_AUTH for unknown keys and PROVIDER_NOT_FOUND for missing secrets', async () => {
    h.kube.setSecret('team-a', 'bad-creds', { id: 'AKIAWRONG', secret: 'x' });
    const bad = awsStore(
      {
        auth: {
          secretRef: {
            accessKeyIDSecretRef: { name: 'bad-creds', key: 'id' },
            secretAccessKeySecretRef: { name: 'bad-creds', key: 'secret' },
          },
        },
      },
      'bad',
    );
    await expect((await h.provider(bad)).getSecret({ key: 'db' }, signal())).rejects.toMatchObject({
      code: 'PROVIDER_AUTH',
    });
    const p = await h.provider(awsStore());
    await expect(p.getSecret({ key: 'missing' }, signal())).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
    });
    await expect(p.getSecret({ key: 'db', version: 'NOPE' }, signal())).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
    });
  });

  it('applies the store prefix', async () => {
    sm.put('team-a/api', 'prefixed');
    const p = await h.provider(awsStore({ prefix: 'team-a/' }, 'prefixed'));
    expect(str(await p.getSecret({ key: 'api' }, signal()))).toBe('prefixed');
  });
});

describe('AWS credentials', () => {
  it('IRSA: one TokenRequest and one AssumeRoleWithWebIdentity per credential lifetime', async () => {
    h.kube.setServiceAccountAnnotations('team-a', 'app', {
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/irsa',
    });
    const p = await h.provider(
      store({
        aws: {
          service: 'SecretsManager',
          region: 'eu-west-1',
          auth: { jwt: { serviceAccountRef: { name: 'app' } } },
        },
      }),
    );
    for (let i = 0; i < 5; i++)
      await p.getSecret({ key: 'db' }, signal(), { notOlderThan: h.clock.now() + 1 });
    expect(server.calls.count('AssumeRoleWithWebIdentity')).toBe(1);
    expect(h.kube.tokenRequests).toEqual([
      { namespace: 'team-a', serviceAccount: 'app', audiences: ['sts.amazonaws.com'] },
    ]);
    expect(server.signedBy.every((k) => k === issued[0]!.accessKeyId)).toBe(true);
    // 56 minutes later the credentials are within 5 minutes of expiry: exchanged again.
    h.clock.set(h.clock.now() + 56 * 60_000);
    await p.getSecret({ key: 'db' }, signal(), { notOlderThan: h.clock.now() + 1 });
    expect(server.calls.count('AssumeRoleWithWebIdentity')).toBe(2);
    expect(server.signedBy.at(-1)).toBe(issued[1]!.accessKeyId);
  });

  it('IRSA: a refused web identity or a missing role annotation is a typed error', async () => {
    h.kube.setServiceAccountAnnotations('team-a', 'other', {
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/not-trusted',
    });
    const refused = store(
      {
        aws: {
          service: 'SecretsManager',
          region: 'eu-west-1',
          auth: { jwt: { serviceAccountRef: { name: 'other' } } },
        },
      },
      { name: 'refused' },
    );
    await expect(
      (await h.provider(refused)).getSecret({ key: 'db' }, signal()),
    ).rejects.toMatchObject({ code: 'PROVIDER_AUTH' });
    const bare = store(
      {
        aws: {
          service: 'SecretsManager',
          region: 'eu-west-1',
          auth: { jwt: { serviceAccountRef: { name: 'plain' } } },
        },
      },
      { name: 'bare' },
    );
    await expect((await h.provider(bare)).validate(signal())).rejects.toMatchObject({
      code: 'PROVIDER_INVALID_CONFIG',
    });
  });

  it('assumes additionalRoles then role on top of static keys, with external ID and session tags, cached', async () => {
    const p = await h.provider(
      awsStore({
        additionalRoles: ['arn:aws:iam::123456789012:role/hop'],
        role: 'arn:aws:iam::123456789012:role/reader',
        externalID: 'ext-1',
        sessionTags: [{ key: 'team', value: 'a' }],
      }),
    );
    for (let i = 0; i < 3; i++)
      await p.getSecret({ key: 'db' }, signal(), { notOlderThan: h.clock.now() + 1 });
    expect(server.calls.count('AssumeRole')).toBe(2);
    expect(assumeAllowed.map((a) => [a.principal, a.role])).toEqual([
      ['user/ci', 'arn:aws:iam::123456789012:role/hop'],
      [expect.stringContaining('assumed-role/hop'), 'arn:aws:iam::123456789012:role/reader'],
    ]);
    expect(issued.at(-1)!.tags).toEqual({ team: 'a' });
    expect(server.signedBy.at(-1)).toBe(issued.at(-1)!.accessKeyId);
    const denied = await h.provider(
      awsStore({ role: 'arn:aws:iam::123456789012:role/forbidden' }, 'denied'),
    );
    await expect(denied.getSecret({ key: 'db' }, signal())).rejects.toMatchObject({
      code: 'PROVIDER_AUTH',
    });
  });

  it('uses the SDK default credential chain when the store has no auth', async () => {
    const saved = { ...process.env };
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIASTATIC';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'static-secret';
    process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
    try {
      const p = await h.provider(
        store({ aws: { service: 'SecretsManager', region: 'eu-west-1' } }, { name: 'ambient' }),
      );
      expect(str(await p.getSecret({ key: 'db', property: 'user' }, signal()))).toBe('app');
      await p.validate(signal());
    } finally {
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED']) {
        if (saved[k] === undefined) Reflect.deleteProperty(process.env, k);
        else process.env[k] = saved[k];
      }
    }
  });
});

describe('AWS batching, coalescing and throttling', () => {
  beforeEach(() => {
    for (let i = 0; i < 45; i++) sm.put(`s${i}`, JSON.stringify({ i }));
  });

  it('turns 45 concurrent reads into 3 BatchGetSecretValue calls, with per-secret errors', async () => {
    sm.canRead = (_p, name) => name !== 's7';
    const p = await h.provider(awsStore());
    await p.validate(signal());
    const keys = [...Array.from({ length: 45 }, (_, i) => `s${i}`), 'missing-1', 'missing-2'];
    const results = await Promise.allSettled(
      keys.map((key) => p.getSecret({ key, property: 'i' }, signal())),
    );
    expect(server.calls.count('BatchGetSecretValue')).toBe(3);
    expect(server.calls.count('GetSecretValue')).toBe(0);
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(44);
    expect(results[7]).toMatchObject({ status: 'rejected', reason: { code: 'PROVIDER_AUTH' } });
    expect(results[45]).toMatchObject({
      status: 'rejected',
      reason: { code: 'PROVIDER_NOT_FOUND' },
    });
    expect(str((results[12] as PromiseFulfilledResult<Uint8Array>).value)).toBe('12');
  });

  it('with coalescing and batching off, makes one GetSecretValue per read (the ESO model)', async () => {
    await h.registry.close();
    h = harness({
      clock: h.clock,
      endpoints: { awsSecretsManager: server.url, awsSts: server.url },
      tuning: { coalesce: false, batch: false },
    });
    h.kube.setSecret('team-a', 'aws-creds', { id: 'AKIASTATIC', secret: 'static-secret' });
    const p = await h.provider(awsStore());
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        p.getSecret({ key: `s${i % 10}`, property: 'i' }, signal()),
      ),
    );
    expect(server.calls.count('GetSecretValue')).toBe(30);
    expect(server.calls.count('BatchGetSecretValue')).toBe(0);
  });

  it('coalesces repeated reads of one key into one call per cycle', async () => {
    const p = await h.provider(awsStore());
    const cycle = h.clock.now();
    await Promise.all(
      Array.from({ length: 40 }, () =>
        p.getSecret({ key: 's1', property: 'i' }, signal(), { notOlderThan: cycle }),
      ),
    );
    await p.getSecret({ key: 's1' }, signal(), { notOlderThan: cycle });
    expect(server.calls.count('BatchGetSecretValue')).toBe(1);
    await p.getSecret({ key: 's1' }, signal(), { notOlderThan: h.clock.now() + 1 });
    expect(server.calls.count('BatchGetSecretValue')).toBe(2);
  });

  it('backs off on ThrottlingException, honouring Retry-After, and pauses the whole store', async () => {
    const p = await h.provider(awsStore());
    server.faults.inject({ op: 'BatchGetSecretValue', kind: 'throttle', retryAfterSeconds: 3 });
    h.clock.sleeps.length = 0;
    expect(str(await p.getSecret({ key: 's3', property: 'i' }, signal()))).toBe('3');
    expect(server.calls.count('BatchGetSecretValue')).toBe(2);
    expect(h.clock.sleeps).toContain(3000);
    server.faults.inject({ op: 'GetSecretValue', kind: 'throttle', times: 2 });
    h.clock.sleeps.length = 0;
    await p.getSecret({ key: 's3', version: 'AWSPREVIOUS' }, signal()).catch(() => undefined);
    // No Retry-After: jittered exponential backoff (random fixed at 0.5 → 150 ms, then 300 ms).
    expect(h.clock.sleeps.filter((ms) => ms !== 5)).toEqual([150, 300]);
  });

  it('finds by name regexp (paged ListSecrets), path and tags, then batch-reads the values', async () => {
    sm.put('app/one', 'v1', { team: 'x' });
    sm.put('app/two', 'v2', { team: 'y' });
    const p = await h.provider(awsStore());
    const byName = await p.find({ name: { regexp: '^s4[0-4]$' } }, signal());
    expect([...byName.keys()]).toEqual(['s40', 's41', 's42', 's43', 's44']);
    await expect(p.find({ name: { regexp: '(s4' } }, signal())).rejects.toMatchObject({
      code: 'PROVIDER_INVALID_CONFIG',
      message: expect.stringContaining('missing closing )'),
    });
    expect(server.calls.count('ListSecrets')).toBeGreaterThan(10);
    expect(server.calls.count('BatchGetSecretValue')).toBe(1);
    const byPath = await p.find({ path: 'app/' }, signal());
    expect([...byPath.entries()].map(([k, v]) => [k, str(v)])).toEqual([
      ['app/one', 'v1'],
      ['app/two', 'v2'],
    ]);
    const byTags = await p.find({ tags: { team: 'y' } }, signal());
    expect([...byTags.keys()]).toEqual(['app/two']);
  });
});
