// The controller-facing CLI against a running controller reached through the API server's service
// proxy, as kubeseal does: `seal --fetch-cert`, `cert --fetch`, `validate` and `reencrypt` (which
// must change nothing but ciphertexts, keeping comments and formatting).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openValue } from '../../src/crypto/hybrid.ts';
import { runCli } from '../helpers/cli.ts';
import {
  CONTROLLER_NS,
  fixtureKey,
  KubeTestServer,
  sealed,
  seedKeySecret,
  startCtl,
  type FixtureKey,
  type Started,
} from './harness.ts';

const keyA = fixtureKey('a');
const keyB = fixtureKey('b');
let server: KubeTestServer;
let started: Started;
let dir: string;
let kubeconfig: string;
let newest: FixtureKey;
let older: FixtureKey;

beforeAll(async () => {
  server = await KubeTestServer.start();
  seedKeySecret(server, keyA, 'key-a');
  seedKeySecret(server, keyB, 'key-b');
  started = await startCtl(server);
  await started.ctl.keys.waitForSync();
  server.registerService({
    namespace: CONTROLLER_NS,
    name: 'sealbridge-controller',
    portName: 'http',
    target: `http://127.0.0.1:${started.ctl.apiPort}`,
  });
  newest = started.ctl.keys.newest()?.fingerprint === keyA.fingerprint ? keyA : keyB;
  older = newest === keyA ? keyB : keyA;
  dir = mkdtempSync(join(tmpdir(), 'sealbridge-cli-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfigYaml());
});
afterAll(async () => {
  await started.ctl.shutdown();
  await server.close();
});

const secretYaml = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
stringData:
  password: s3cret
`;

describe('controller-facing CLI', () => {
  it('seals with --fetch-cert and shows the fetched certificate with cert --fetch', async () => {
    const res = await runCli(['seal', '--fetch-cert', '--kubeconfig', kubeconfig], {
      stdin: secretYaml,
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const ss = parseYaml(res.stdout) as { spec: { encryptedData: { password: string } } };
    const value = ss.spec.encryptedData.password;
    expect(openValue(value, Buffer.from('apps/db'), newest.privateKey).toString()).toBe('s3cret');
    expect(server.count('proxy', 'services')).toBeGreaterThan(0);

    const cert = await runCli(['cert', '--fetch', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(cert.code).toBe(0);
    expect(JSON.parse(cert.stdout)).toMatchObject({ fingerprint: newest.fingerprint });

    const missing = await runCli([
      'cert',
      '--fetch',
      '--kubeconfig',
      kubeconfig,
      '--controller-name',
      'nope',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no Service sealbridge/nope');
  });

  it('validates files: ok, or why not, with exit code 1', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, JSON.stringify(sealed('db', { p: 'x' }, older)));
    const ok = await runCli(['validate', good, '--kubeconfig', kubeconfig]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`ok      ${good}: apps/db\n`);

    const moved = join(dir, 'moved.yaml');
    const obj = sealed('db', { p: 'x' }, older);
    writeFileSync(
      moved,
      JSON.stringify({ ...obj, metadata: { name: 'elsewhere', namespace: 'apps' } }),
    );
    const bad = await runCli(['validate', good, moved, '--kubeconfig', kubeconfig]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      `FAILED  ${moved}: apps/elsewhere: unable to decrypt sealed secret: no key could decrypt`,
    );
    expect(bad.stderr).toContain('1 of 2 SealedSecrets cannot be opened');
  });

  it('re-encrypts files in place: only ciphertexts change', async () => {
    const tree = join(dir, 'repo');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(tree, 'apps'), { recursive: true });
    const oldObj = sealed('db', { password: 'pw', user: 'u' }, older);
    const oldPw = oldObj.spec.encryptedData['password']!;
    const oldUser = oldObj.spec.encryptedData['user']!;
    const yaml = `# Database credentials: keep this comment
apiVersion: sealbridge.io/v1alpha1
kind: SealedSecret
metadata:
  name: db       # aligned comment
  namespace: apps
spec:
  encryptedData:
    password: "${oldPw}"
    user: ${oldUser}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: untouched}
`;
    const file = join(tree, 'apps', 'db.sealed.yaml');
    writeFileSync(file, yaml);
    writeFileSync(join(tree, 'README.md'), 'not a manifest');
    const dry = await runCli(['reencrypt', tree, '--kubeconfig', kubeconfig, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(`${file}: would re-encrypt 2 value(s), 0 already current\n`);
    expect(readFileSync(file, 'utf8')).toBe(yaml);

    const res = await runCli(['reencrypt', tree, '--kubeconfig', kubeconfig]);
    expect(res.code).toBe(0);
    const after = readFileSync(file, 'utf8');
    const parsed = parseYaml(after.split('---')[0]!) as {
      spec: { encryptedData: Record<string, string> };
    };
    const newPw = parsed.spec.encryptedData['password']!;
    const newUser = parsed.spec.encryptedData['user']!;
    expect(openValue(newPw, Buffer.from('apps/db'), newest.privateKey).toString()).toBe('pw');
    expect(openValue(newUser, Buffer.from('apps/db'), newest.privateKey).toString()).toBe('u');
    // Exactly the old text with the two values swapped.
    expect(after).toBe(yaml.replace(oldPw, newPw).replace(oldUser, newUser));

    const again = await runCli(['reencrypt', file, '--kubeconfig', kubeconfig]);
    expect(again.stdout).toBe(`${file}: re-encrypted 0 value(s), 2 already current\n`);
    expect(readFileSync(file, 'utf8')).toBe(after);
  });
});
