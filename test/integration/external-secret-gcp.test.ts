// ExternalSecrets end to end against GCP Secret Manager: the real @google-cloud/secret-manager
// gRPC client through the controller, against the gRPC test server over TLS. A service-account
// key from a Secret, and ambient credentials (ADC); labels-based find; concurrent ExternalSecrets
// on two stores (no process-wide lock) with one call per remote secret.
import { generateKeyPairSync } from 'node:crypto';
import { GoogleAuth, JWT } from 'google-auth-library';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSecretManager, type SecretManagerServer } from '../servers/gcp/secret-manager.ts';
import { selfSignedCert, type TestCert } from '../providers/support/tls.ts';
import {
  externalSecret,
  secretStore,
  startEnv,
  stringSecret,
  until,
  type Env,
} from './external-secret-env.ts';

function serviceAccountKey(email: string): { json: string; publicKey: string; privateKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const json = JSON.stringify({
    type: 'service_account',
    project_id: 'key-project',
    private_key_id: 'kid-1',
    private_key: pem,
    client_email: email,
    client_id: '1',
    token_uri: 'https://oauth2.googleapis.com/token',
  });
  return {
    json,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: pem,
  };
}

let tls: TestCert;
let sm: SecretManagerServer;
let env: Env;
const ES = 'externalsecrets.sealbridge.io';
const keyed = serviceAccountKey('reader@p1.iam.gserviceaccount.com');
const ambient = serviceAccountKey('node@p1.iam.gserviceaccount.com');

beforeAll(() => {
  tls = selfSignedCert();
});

beforeEach(async () => {
  sm = await startSecretManager({ tls, pageSize: 2 });
  sm.state.addServiceAccount('reader@p1.iam.gserviceaccount.com', keyed.publicKey);
  sm.state.addServiceAccount('node@p1.iam.gserviceaccount.com', ambient.publicKey);
  for (let i = 0; i < 4; i++) {
    sm.state.add(
      `projects/key-project/secrets/s${i}`,
      JSON.stringify({ user: `u${i}`, pass: `p${i}` }),
      {
        labels: { team: i < 2 ? 'a' : 'b' },
      },
    );
  }
  const jwt = new JWT({
    email: 'node@p1.iam.gserviceaccount.com',
    key: ambient.privateKey,
    scopes: ['https://www.googleapis.com/auth/cloud-platform'],
  });
  env = await startEnv({
    providerEndpoints: {
      gcpSecretManager: `localhost:${sm.grpc.endpoint.split(':')[1] ?? ''}`,
      gcpCaPem: tls.cert,
    },
    providerOverrides: { gcpAmbientAuth: new GoogleAuth({ authClient: jwt }) },
  });
  env.create('secrets', 'team-a', stringSecret('gcp-sa', { 'key.json': keyed.json }));
  env.create(
    'secretstores.sealbridge.io',
    'team-a',
    secretStore('keyed', {
      gcpsm: {
        auth: { secretRef: { secretAccessKeySecretRef: { name: 'gcp-sa', key: 'key.json' } } },
      },
    }),
  );
  env.create(
    'secretstores.sealbridge.io',
    'team-a',
    secretStore('ambient', { gcpsm: { projectID: 'key-project' } }),
  );
});

afterEach(async () => {
  await env.close();
  await sm.grpc.close();
});

describe('ExternalSecret with GCP Secret Manager', () => {
  it('authenticates with a service-account key from a Secret, and with ambient credentials', async () => {
    env.create(
      ES,
      'team-a',
      externalSecret('keyed', {
        secretStoreRef: { name: 'keyed' },
        data: [
          { secretKey: 'user', remoteRef: { key: 's0', property: 'user' } },
          { secretKey: 'v1', remoteRef: { key: 's1', version: '1', property: 'pass' } },
        ],
      }),
    );
    env.create(
      ES,
      'team-a',
      externalSecret('ambient', {
        secretStoreRef: { name: 'ambient' },
        dataFrom: [{ extract: { key: 's2' } }],
      }),
    );
    await until(() => env.ready('team-a', 'keyed')?.status === 'True', 'keyed');
    await until(() => env.ready('team-a', 'ambient')?.status === 'True', 'ambient');
    expect(env.secretData('team-a', 'keyed')).toEqual({ user: 'u0', v1: 'p1' });
    expect(env.secretData('team-a', 'ambient')).toEqual({ user: 'u2', pass: 'p2' });
    expect(new Set(sm.state.authenticated)).toEqual(
      new Set(['reader@p1.iam.gserviceaccount.com', 'node@p1.iam.gserviceaccount.com']),
    );
  });

  it('finds by labels with a rewrite, and serves two stores concurrently at one call per secret', async () => {
    env.create(
      ES,
      'team-a',
      externalSecret('found', {
        secretStoreRef: { name: 'keyed' },
        dataFrom: [
          {
            find: { tags: { team: 'b' } },
            rewrite: [{ transform: { template: 'secret-{{ .value | upper }}' } }],
          },
        ],
      }),
    );
    for (let i = 0; i < 10; i++) {
      env.create(
        ES,
        'team-a',
        externalSecret(`es${i}`, {
          secretStoreRef: { name: i % 2 === 0 ? 'keyed' : 'ambient' },
          data: ['user', 'pass'].map((p) => ({
            secretKey: p,
            remoteRef: { key: `s${i % 4}`, property: p },
          })),
        }),
      );
    }
    await until(() => env.ready('team-a', 'found')?.status === 'True', 'found');
    expect(env.secretData('team-a', 'found')).toEqual({
      'secret-S2': JSON.stringify({ user: 'u2', pass: 'p2' }),
      'secret-S3': JSON.stringify({ user: 'u3', pass: 'p3' }),
    });
    for (let i = 0; i < 10; i++)
      await until(() => env.ready('team-a', `es${i}`)?.status === 'True', `es${i}`);
    // Each store reads each of its distinct secrets once: keyed reads s0, s2 (+ s2, s3 for find);
    // ambient reads s1, s3. 20 key reads and a find cost at most 6 AccessSecretVersion calls.
    expect(sm.grpc.calls.count('AccessSecretVersion')).toBeLessThanOrEqual(6);
    expect(env.secretData('team-a', 'es5')).toEqual({ user: 'u1', pass: 'p1' });
  });
});
