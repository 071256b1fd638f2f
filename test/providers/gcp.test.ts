// The real @google-cloud/secret-manager gRPC client through our provider, against the gRPC test
// server built from the client's own protos.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleAuth, JWT } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSecretManager, type SecretManagerServer } from '../servers/gcp/secret-manager.ts';
import { harness, signal, store, str, type Harness } from './support/harness.ts';
import { selfSignedCert, type TestCert } from './support/tls.ts';

function serviceAccountKey(email: string): { json: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const json = JSON.stringify({
    type: 'service_account',
    project_id: 'key-project',
    private_key_id: 'kid-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: email,
    client_id: '1',
    token_uri: 'https://oauth2.googleapis.com/token',
  });
  return { json, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

describe('GCP Secret Manager, emulator mode (plaintext, no credentials)', () => {
  let sm: SecretManagerServer;
  let h: Harness;

  beforeEach(async () => {
    sm = await startSecretManager({ pageSize: 2 });
    h = harness({ endpoints: { gcpSecretManager: sm.grpc.endpoint, gcpInsecure: true } });
    sm.state.add('projects/p1/secrets/db', JSON.stringify({ user: 'app', password: 'v1' }), {
      labels: { team: 'a' },
      annotations: { owner: 'ops' },
    });
    sm.state.add('projects/p1/secrets/db', JSON.stringify({ user: 'app', password: 'v2' }));
  });

  afterEach(async () => {
    await h.registry.close();
    await sm.grpc.close();
  });

  const gcpStore = (extra: Record<string, unknown> = {}, name = 'gcp') =>
    store({ gcpsm: { projectID: 'p1', ...extra } }, { name });

  it('reads latest and numbered versions, properties and labels', async () => {
    const p = await h.provider(gcpStore());
    expect(str(await p.getSecret({ key: 'db', property: 'password' }, signal()))).toBe('v2');
    expect(
      str(await p.getSecret({ key: 'db', property: 'password', version: '1' }, signal())),
    ).toBe('v1');
    expect(
      str(
        await p.getSecret(
          { key: 'db', metadataPolicy: 'Fetch', property: 'labels.team' },
          signal(),
        ),
      ),
    ).toBe('a');
    expect(
      str(
        await p.getSecret(
          { key: 'db', metadataPolicy: 'Fetch', property: 'annotations.owner' },
          signal(),
        ),
      ),
    ).toBe('ops');
    await expect(p.getSecret({ key: 'nope' }, signal())).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
    });
  });

  it('LatestOrFail fails on a disabled latest version; LatestOrFetch falls back to the newest enabled one', async () => {
    sm.state.setState('projects/p1/secrets/db', 2, 'DISABLED');
    const fail = await h.provider(gcpStore());
    await expect(fail.getSecret({ key: 'db' }, signal())).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
    });
    const fetch = await h.provider(
      gcpStore({ secretVersionSelectionPolicy: 'LatestOrFetch' }, 'fetch'),
    );
    expect(str(await fetch.getSecret({ key: 'db', property: 'password' }, signal()))).toBe('v1');
    expect(sm.grpc.calls.count('ListSecretVersions')).toBe(1);
  });

  it('uses regional resource names for a location', async () => {
    sm.state.add('projects/p1/locations/europe-west1/secrets/regional', 'near');
    const p = await h.provider(gcpStore({ location: 'europe-west1' }, 'regional'));
    expect(str(await p.getSecret({ key: 'regional' }, signal()))).toBe('near');
  });

  it('finds by labels and name regexp across pages, then reads each secret', async () => {
    for (const n of ['a1', 'a2', 'b1', 'b2', 'b3'])
      sm.state.add(`projects/p1/secrets/${n}`, `val-${n}`, { labels: { kind: n[0]! } });
    const p = await h.provider(gcpStore());
    const byLabel = await p.find({ tags: { kind: 'b' } }, signal());
    expect([...byLabel.entries()].map(([k, v]) => [k, str(v)])).toEqual([
      ['b1', 'val-b1'],
      ['b2', 'val-b2'],
      ['b3', 'val-b3'],
    ]);
    expect(sm.grpc.calls.count('ListSecrets')).toBe(2);
    const byName = await p.find({ name: { regexp: '^a' } }, signal());
    expect([...byName.keys()]).toEqual(['a1', 'a2']);
    const folded = await p.find({ name: { regexp: '(?i)^B[13]$' } }, signal());
    expect([...folded.keys()]).toEqual(['b1', 'b3']);
    await expect(p.find({ path: 'x/' }, signal())).rejects.toMatchObject({
      code: 'PROVIDER_INVALID_CONFIG',
    });
  });

  it('honours RetryInfo on RESOURCE_EXHAUSTED and retries UNAVAILABLE', async () => {
    const p = await h.provider(gcpStore());
    sm.grpc.faults.inject({ op: 'AccessSecretVersion', kind: 'throttle', retryAfterSeconds: 4 });
    h.clock.sleeps.length = 0;
    expect(str(await p.getSecret({ key: 'db', property: 'user' }, signal()))).toBe('app');
    expect(h.clock.sleeps).toContain(4000);
    expect(sm.grpc.calls.count('AccessSecretVersion')).toBe(2);
    sm.grpc.faults.inject({
      op: 'AccessSecretVersion',
      kind: 'error',
      code: 'UNAVAILABLE',
      times: 2,
    });
    await p.getSecret({ key: 'db', version: '1' }, signal());
    expect(sm.grpc.calls.count('AccessSecretVersion')).toBe(5);
  });

  it('coalesces concurrent reads, and never serialises stores behind one lock', async () => {
    const a = await h.provider(gcpStore({}, 'a'));
    const b = await h.provider(gcpStore({}, 'b'));
    await Promise.all(
      Array.from({ length: 30 }, () => a.getSecret({ key: 'db', property: 'user' }, signal())),
    );
    expect(sm.grpc.calls.count('AccessSecretVersion')).toBe(1);
    // Store a's next call hangs on the server; store b's call still completes.
    sm.grpc.faults.inject({ op: 'AccessSecretVersion', kind: 'hang' });
    const abort = new AbortController();
    const hanging = a.getSecret({ key: 'db', version: '1' }, abort.signal);
    await new Promise((r) => setTimeout(r, 50));
    expect(str(await b.getSecret({ key: 'db', property: 'user' }, signal()))).toBe('app');
    abort.abort(new Error('test done'));
    await expect(hanging).rejects.toThrow('test done');
  });
});

describe('GCP Secret Manager over TLS with service-account credentials', () => {
  let tls: TestCert;
  let sm: SecretManagerServer;
  let h: Harness;
  const key = serviceAccountKey('reader@p1.iam.gserviceaccount.com');
  const dir = mkdtempSync(join(tmpdir(), 'sealbridge-gcp-'));

  beforeAll(() => {
    tls = selfSignedCert();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    sm = await startSecretManager({ tls });
    sm.state.addServiceAccount('reader@p1.iam.gserviceaccount.com', key.publicKey);
    sm.state.add('projects/key-project/secrets/api', 'from-key-project');
    h = harness({
      endpoints: {
        gcpSecretManager: `localhost:${sm.grpc.endpoint.split(':')[1]}`,
        gcpCaPem: tls.cert,
      },
    });
    h.kube.setSecret('team-a', 'gcp-sa', { 'key.json': key.json });
  });

  afterEach(async () => {
    await h.registry.close();
    await sm.grpc.close();
  });

  it('authenticates with the key from a Secret (project from the key) and is refused with a wrong key', async () => {
    const p = await h.provider(
      store({
        gcpsm: {
          auth: { secretRef: { secretAccessKeySecretRef: { name: 'gcp-sa', key: 'key.json' } } },
        },
      }),
    );
    expect(str(await p.getSecret({ key: 'api' }, signal()))).toBe('from-key-project');
    expect(sm.state.authenticated).toContain('reader@p1.iam.gserviceaccount.com');
    const other = serviceAccountKey('reader@p1.iam.gserviceaccount.com');
    h.kube.setSecret('team-a', 'gcp-sa-wrong', { 'key.json': other.json });
    const wrong = await h.provider(
      store(
        {
          gcpsm: {
            auth: {
              secretRef: { secretAccessKeySecretRef: { name: 'gcp-sa-wrong', key: 'key.json' } },
            },
          },
        },
        { name: 'wrong' },
      ),
    );
    await expect(wrong.getSecret({ key: 'api' }, signal())).rejects.toMatchObject({
      code: 'PROVIDER_AUTH',
    });
  });

  it('uses ambient Application Default Credentials when the store has no auth', async () => {
    const file = join(dir, 'adc.json');
    writeFileSync(file, key.json);
    const saved = process.env['GOOGLE_APPLICATION_CREDENTIALS'];
    process.env['GOOGLE_APPLICATION_CREDENTIALS'] = file;
    try {
      const p = await h.provider(store({ gcpsm: { projectID: 'key-project' } }, { name: 'adc' }));
      expect(str(await p.getSecret({ key: 'api' }, signal()))).toBe('from-key-project');
      expect(sm.state.authenticated).toContain('reader@p1.iam.gserviceaccount.com');
    } finally {
      if (saved === undefined)
        Reflect.deleteProperty(process.env, 'GOOGLE_APPLICATION_CREDENTIALS');
      else process.env['GOOGLE_APPLICATION_CREDENTIALS'] = saved;
    }
  });

  it('accepts an injected ambient GoogleAuth', async () => {
    const parsed = JSON.parse(key.json) as { client_email: string; private_key: string };
    const jwt = new JWT({
      email: parsed.client_email,
      key: parsed.private_key,
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
    h = harness({
      endpoints: {
        gcpSecretManager: `localhost:${sm.grpc.endpoint.split(':')[1]}`,
        gcpCaPem: tls.cert,
      },
      overrides: { gcpAmbientAuth: new GoogleAuth({ authClient: jwt }) },
    });
    const p = await h.provider(
      store({ gcpsm: { projectID: 'key-project' } }, { name: 'injected' }),
    );
    expect(str(await p.getSecret({ key: 'api' }, signal()))).toBe('from-key-project');
  });
});
