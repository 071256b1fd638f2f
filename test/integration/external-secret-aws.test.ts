// ExternalSecrets end to end against AWS Secrets Manager: the real AWS SDK v3 clients through the
// controller, against the AWS test server (JSON 1.1 and STS). Static keys, IRSA (TokenRequest +
// AssumeRoleWithWebIdentity) and the default chain; batching and coalescing across
// ExternalSecrets by call counts; an outage that keeps the Secret intact.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsTestServer } from '../servers/aws/server.ts';
import { SecretsManagerState, installSecretsManager } from '../servers/aws/secrets-manager.ts';
import { installSts } from '../servers/aws/sts.ts';
import {
  externalSecret,
  secretStore,
  startEnv,
  stringSecret,
  until,
  type Env,
} from './external-secret-env.ts';

let env: Env;
let aws: AwsTestServer;
let sm: SecretsManagerState;
const ES = 'externalsecrets.sealbridge.io';
const ROLE = 'arn:aws:iam::123456789012:role/irsa';

beforeEach(async () => {
  aws = await AwsTestServer.start();
  sm = new SecretsManagerState();
  installSecretsManager(aws, sm);
  installSts(aws, {
    acceptWebIdentity: (token, role) => env.kube.objects.tokens.has(token) && role === ROLE,
    allowAssumeRole: () => true,
    durationSeconds: 3600,
  });
  aws.addAccessKey('AKIASTATIC', 'static-secret', { principal: 'user/ci' });
  aws.addAccessKey('AKIAAMBIENT', 'ambient-secret', { principal: 'user/node' });
  env = await startEnv({
    providerEndpoints: { awsSecretsManager: aws.url, awsSts: aws.url },
    providerOverrides: {
      awsDefaultCredentials: () =>
        Promise.resolve({ accessKeyId: 'AKIAAMBIENT', secretAccessKey: 'ambient-secret' }),
    },
  });
  for (let i = 0; i < 5; i++)
    sm.put(`app/s${i}`, JSON.stringify({ a: `a${i}`, b: `b${i}`, c: `c${i}` }));
  env.create(
    'secrets',
    'team-a',
    stringSecret('aws-creds', { id: 'AKIASTATIC', secret: 'static-secret' }),
  );
});

afterEach(async () => {
  await env.close();
  await aws.close();
});

const staticAuth = {
  secretRef: {
    accessKeyIDSecretRef: { name: 'aws-creds', key: 'id' },
    secretAccessKeySecretRef: { name: 'aws-creds', key: 'secret' },
  },
};
const awsStore = (name: string, auth?: Record<string, unknown>) =>
  secretStore(name, {
    aws: {
      service: 'SecretsManager',
      region: 'eu-west-1',
      ...(auth === undefined ? {} : { auth }),
    },
  });
const threeKeys = (i: number) =>
  ['a', 'b', 'c'].map((p) => ({ secretKey: p, remoteRef: { key: `app/s${i % 5}`, property: p } }));
const valueCalls = () => aws.calls.count('GetSecretValue') + aws.calls.count('BatchGetSecretValue');

describe('ExternalSecret with AWS Secrets Manager', () => {
  it('static keys, IRSA and the default chain each sync an ExternalSecret', async () => {
    env.create('serviceaccounts', 'team-a', {
      metadata: { name: 'app', annotations: { 'eks.amazonaws.com/role-arn': ROLE } },
    });
    env.create('secretstores.sealbridge.io', 'team-a', awsStore('static', staticAuth));
    env.create(
      'secretstores.sealbridge.io',
      'team-a',
      awsStore('irsa', { jwt: { serviceAccountRef: { name: 'app' } } }),
    );
    env.create('secretstores.sealbridge.io', 'team-a', awsStore('ambient'));
    for (const store of ['static', 'irsa', 'ambient']) {
      env.create(
        ES,
        'team-a',
        externalSecret(store, { secretStoreRef: { name: store }, data: threeKeys(1) }),
      );
    }
    for (const store of ['static', 'irsa', 'ambient']) {
      await until(() => env.ready('team-a', store)?.status === 'True', store);
      expect(env.secretData('team-a', store)).toEqual({ a: 'a1', b: 'b1', c: 'c1' });
    }
    expect(aws.calls.count('AssumeRoleWithWebIdentity')).toBe(1);
    const tokens = [...env.kube.objects.tokens.values()];
    expect(tokens).toEqual([
      expect.objectContaining({ namespace: 'team-a', serviceAccount: 'app' }),
    ]);
    expect(tokens[0]!.audiences).toEqual(['sts.amazonaws.com']);
    expect(new Set(aws.signedBy)).toEqual(
      new Set(['AKIASTATIC', 'AKIAAMBIENT', expect.stringMatching(/^ASIA/)]),
    );
  });

  it('30 ExternalSecrets × 3 keys over 5 remote secrets cost at most one call per secret per cycle', async () => {
    env.create('secretstores.sealbridge.io', 'team-a', awsStore('static', staticAuth));
    await until(
      () => env.get('secretstores.sealbridge.io', 'team-a', 'static')?.['status'] !== undefined,
      'store',
    );
    for (let i = 0; i < 30; i++) {
      env.create(
        ES,
        'team-a',
        externalSecret(`es${i}`, { secretStoreRef: { name: 'static' }, data: threeKeys(i) }),
      );
    }
    for (let i = 0; i < 30; i++)
      await until(() => env.ready('team-a', `es${i}`)?.status === 'True', `es${i}`);
    // 90 key reads, 5 distinct secrets: batched and coalesced into at most 5 value calls.
    expect(valueCalls()).toBeLessThanOrEqual(5);
    expect(aws.calls.count('GetSecretValue')).toBe(0);
    // One refresh cycle later (the next window), again at most one call per distinct secret.
    const before = valueCalls();
    env.clock.offset += 2 * 3_600_000;
    for (let i = 0; i < 30; i++) env.controllers.running!.externalSecrets.enqueue(`team-a/es${i}`);
    const refreshed = (i: number) =>
      Date.parse(
        String(
          (
            env.externalSecret('team-a', `es${i}`)?.['status'] as
              { refreshTime?: string } | undefined
          )?.refreshTime,
        ),
      ) >=
      env.clock.now() - 60_000;
    await until(() => Array.from({ length: 30 }, (_, i) => i).every(refreshed), 'cycle');
    expect(valueCalls() - before).toBeGreaterThanOrEqual(1);
    expect(valueCalls() - before).toBeLessThanOrEqual(5);
    const metrics = await env.registry.metrics();
    expect(metrics).toMatch(
      /sealbridge_provider_coalesced_total\{provider="aws",source="(cache|inflight)"\} [1-9]/,
    );
    expect(metrics).toMatch(/sealbridge_provider_batched_secrets_total\{provider="aws"\} [1-9]/);
  });

  it('keeps the last good Secret through an outage, reports it, and recovers', async () => {
    env.create('secretstores.sealbridge.io', 'team-a', awsStore('static', staticAuth));
    env.create(
      ES,
      'team-a',
      externalSecret('db', { secretStoreRef: { name: 'static' }, data: threeKeys(2) }),
    );
    await until(() => env.ready('team-a', 'db')?.status === 'True', 'Ready');
    const before = env.secret('team-a', 'db')!;
    sm.put('app/s2', JSON.stringify({ a: 'new-a', b: 'new-b', c: 'new-c' }));
    aws.faults.inject({ op: /GetSecretValue/, kind: 'error', status: 503, times: 1_000 });
    env.clock.offset += 2 * 3_600_000;
    env.controllers.running!.externalSecrets.enqueue('team-a/db');
    await until(() => env.ready('team-a', 'db')?.reason === 'SecretSyncedError', 'outage reported');
    expect(env.ready('team-a', 'db')?.message).toMatch(/unavailable|503|failed/i);
    expect(env.secret('team-a', 'db')).toEqual(before);
    await env.events.flush();
    await until(
      () => env.eventsFor('db').some((e) => e.type === 'Warning' && e.reason === 'UpdateFailed'),
      'warning event',
    );
    aws.faults.clear();
    env.controllers.running!.externalSecrets.enqueue('team-a/db');
    await until(() => env.secretData('team-a', 'db')?.['a'] === 'new-a', 'recovered');
    await until(() => env.ready('team-a', 'db')?.status === 'True', 'Ready again');
  });
});
