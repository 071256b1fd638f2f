// Plants a canary in secret values and credentials, drives every failure path we can provoke
// (missing properties, non-JSON values, bad base64, refused credentials, malformed responses
// whose SDK errors embed the body), and scans logs, error messages and metrics for it.
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsTestServer } from '../servers/aws/server.ts';
import { SecretsManagerState, installSecretsManager } from '../servers/aws/secrets-manager.ts';
import { startSecretManager, type SecretManagerServer } from '../servers/gcp/secret-manager.ts';
import { VaultTestServer } from '../servers/vault/server.ts';
import { FakeClock } from './support/fake-clock.ts';
import { harness, signal, store, type Harness } from './support/harness.ts';

const CANARY = 'CANARY-7f3a9c21-do-not-leak';
/** V8 quotes at most ~10 characters of bad JSON in its error message; a short value fits. */
const SHORT = 'CNRY42';

function describeError(err: unknown): string {
  const e = err as Error & { cause?: unknown };
  return [
    String(err),
    e.message,
    e.stack ?? '',
    JSON.stringify(err),
    inspect(err, { depth: 5 }),
    e.cause === undefined ? '' : inspect(e.cause, { depth: 5 }),
  ].join('\n');
}

async function failures(work: (() => Promise<unknown>)[]): Promise<string[]> {
  const out: string[] = [];
  for (const w of work) {
    try {
      await w();
      out.push('(no error)');
    } catch (err) {
      out.push(describeError(err));
    }
  }
  return out;
}

let h: Harness;
let vault: VaultTestServer;
let aws: AwsTestServer;
let sm: SecretsManagerState;
let gcp: SecretManagerServer;

beforeEach(async () => {
  const clock = new FakeClock('auto', Date.now());
  vault = await VaultTestServer.start({ now: () => clock.now() });
  aws = await AwsTestServer.start({ now: () => clock.now() });
  gcp = await startSecretManager();
  sm = new SecretsManagerState();
  installSecretsManager(aws, sm);
  h = harness({
    clock,
    endpoints: {
      awsSecretsManager: aws.url,
      awsSts: aws.url,
      gcpSecretManager: gcp.grpc.endpoint,
      gcpInsecure: true,
    },
    tuning: { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100, maxRetryAfterMs: 1000 } },
  });
});

afterEach(async () => {
  await h.registry.close();
  await vault.close();
  await aws.close();
  await gcp.grpc.close();
});

describe('no secret value or credential ever leaves through logs, errors or metrics', () => {
  it('holds for Vault, AWS and GCP failure paths', async () => {
    // Vault: the canary is a value, the static token, a JWT and an AppRole secret ID.
    vault.state.addMount('secret', 2);
    vault.state.put('secret', 'plain', { v: CANARY });
    vault.state.put('secret', 'nested', { outer: { inner: CANARY } });
    const goodToken = vault.state.createToken();
    h.kube.setSecret('team-a', 'good', { token: goodToken });
    h.kube.setSecret('team-a', 'bad', { token: `bad-${CANARY}` });
    h.kube.setSecret('team-a', 'jwt', { token: `jwt-${CANARY}` });
    h.kube.setSecret('team-a', 'approle', { secret: `sid-${CANARY}` });
    vault.addKubernetesRole('r', { acceptJwt: () => false });
    vault.addAppRole({ roleId: 'role', secretId: 'other' });
    const v = (name: string, auth: Record<string, unknown>) =>
      store({ vault: { server: vault.url, path: 'secret', auth } }, { name });
    const vGood = await h.provider(v('vgood', { tokenSecretRef: { name: 'good', key: 'token' } }));
    const vBad = await h.provider(v('vbad', { tokenSecretRef: { name: 'bad', key: 'token' } }));
    const vJwt = await h.provider(
      v('vjwt', { kubernetes: { role: 'r', secretRef: { name: 'jwt' } } }),
    );
    const vApp = await h.provider(
      v('vapp', { appRole: { roleId: 'role', secretRef: { name: 'approle', key: 'secret' } } }),
    );
    vault.faults.inject({ op: 'read', kind: 'malformed', body: SHORT, times: 3 });

    // AWS: the canary is a value and the secret access key; one response body is malformed.
    sm.put('plain', CANARY);
    sm.put('json', JSON.stringify({ a: CANARY }));
    aws.addAccessKey('AKIAGOOD', 'good-secret');
    h.kube.setSecret('team-a', 'aws-good', { id: 'AKIAGOOD', secret: 'good-secret' });
    h.kube.setSecret('team-a', 'aws-bad', { id: 'AKIAUNKNOWN', secret: `key-${CANARY}` });
    const a = (name: string, secret: string) =>
      store(
        {
          aws: {
            service: 'SecretsManager',
            region: 'eu-west-1',
            auth: {
              secretRef: {
                accessKeyIDSecretRef: { name: secret, key: 'id' },
                secretAccessKeySecretRef: { name: secret, key: 'secret' },
              },
            },
          },
        },
        { name },
      );
    const aGood = await h.provider(a('agood', 'aws-good'));
    const aBad = await h.provider(a('abad', 'aws-bad'));

    // GCP: the canary is a payload.
    gcp.state.add('projects/p/secrets/plain', CANARY);
    const g = await h.provider(store({ gcpsm: { projectID: 'p' } }, { name: 'g' }));

    const errors = await failures([
      () => vGood.getSecret({ key: 'plain' }, signal()),
      () =>
        vGood.getSecret({ key: 'plain', property: 'v.x' }, signal(), {
          notOlderThan: h.clock.now() + 1,
        }),
      () => vGood.getSecret({ key: 'plain', property: 'v', decodingStrategy: 'Base64' }, signal()),
      () => vGood.getSecretMap({ key: 'nested', property: 'outer.inner' }, signal()),
      () => vBad.getSecret({ key: 'plain' }, signal()),
      () => vJwt.getSecret({ key: 'plain' }, signal()),
      () => vApp.validate(signal()),
      () => aGood.getSecret({ key: 'plain', property: 'x' }, signal()),
      () => aGood.getSecretMap({ key: 'plain' }, signal()),
      () =>
        aGood.getSecret({ key: 'json', property: 'a', decodingStrategy: 'Base64URL' }, signal()),
      () => {
        aws.faults.inject({
          op: 'BatchGetSecretValue',
          kind: 'malformed',
          body: `{"SecretValues": [{"Name": "plain", "SecretString": "${CANARY}"`,
          times: 2,
        });
        return aGood.getSecret({ key: 'plain' }, signal(), { notOlderThan: h.clock.now() + 1 });
      },
      () => {
        aws.faults.inject({ op: 'GetSecretValue', kind: 'malformed', body: SHORT, times: 2 });
        return aGood.getSecret({ key: 'plain', version: 'AWSPREVIOUS' }, signal());
      },
      () => aBad.getSecret({ key: 'plain' }, signal()),
      () => g.getSecret({ key: 'plain', property: 'k' }, signal()),
      () => g.getSecretMap({ key: 'plain' }, signal()),
      () => g.getSecret({ key: 'plain', decodingStrategy: 'Base64' }, signal()),
    ]);
    // Every path failed, and none of them carried the canary.
    expect(errors.map((e, i) => (e === '(no error)' ? i : -1)).filter((i) => i >= 0)).toEqual([]);
    for (const e of errors) {
      expect(e).not.toContain(CANARY);
      expect(e).not.toContain(SHORT);
    }
    expect(errors.join('\n')).toMatch(/PROVIDER_/);
    const logs = h.logs.lines.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(CANARY);
    expect(logs).not.toContain(SHORT);
    const metrics = await h.metrics.metrics();
    expect(metrics).toContain('sealbridge_provider_requests_total');
    expect(metrics).not.toContain(CANARY);
    await h.registry.close();
    expect(h.logs.lines.join('')).not.toContain(CANARY);
  });
});
