import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync as read } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportPrivateKeyPem } from '../../src/crypto/keys.ts';
import { formatManifest } from '../../src/manifest/format.ts';
import { runCli } from '../helpers/cli.ts';
import { hasSharedTestdata, sharedPath } from '../helpers/shared-testdata.ts';
import { fixturePath, testKey } from '../crypto/fixtures.ts';

const a = testKey('a');
const b = testKey('b');
const secret = (name: string, ns = 'team-a'): string =>
  `apiVersion: v1\nkind: Secret\nmetadata: {name: ${name}, namespace: ${ns}, labels: {app: x}}\ntype: Opaque\nstringData: {password: CANARY-unseal-${name}}\n`;

function docs(text: string): any[] {
  const all = parseAllDocuments(text);
  return (Array.isArray(all) ? all : []).map((d) => d.toJS());
}

let dir = '';
let sealedA = '';
let sealedB = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-unseal-'));
  sealedA = (
    await runCli(['seal', '--cert', a.certPath], { stdin: `${secret('one')}---\n${secret('two')}` })
  ).stdout;
  sealedB = (await runCli(['seal', '--cert', b.certPath, '-o', 'json'], { stdin: secret('three') }))
    .stdout;
});

function bitnamiBackup(): string {
  const item = (k: typeof a, name: string, label: string): object => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name,
      namespace: 'kube-system',
      labels: { 'sealedsecrets.bitnami.com/sealed-secrets-key': label },
    },
    data: {
      'tls.crt': Buffer.from(k.certPem).toString('base64'),
      'tls.key': Buffer.from(k.keyPem).toString('base64'),
    },
  });
  return formatManifest(
    {
      apiVersion: 'v1',
      kind: 'List',
      items: [item(a, 'k1', 'active'), item(b, 'k2', 'compromised')],
    },
    'yaml',
  );
}

describe('sealbridge unseal', () => {
  it('opens every SealedSecret with a PEM key and prints the Secrets', async () => {
    const res = await runCli(['unseal', '--private-key', a.keyPath], { stdin: sealedA });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = docs(res.stdout);
    expect(out.map((d) => d.metadata.name)).toEqual(['one', 'two']);
    expect(out[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'one', namespace: 'team-a', labels: { app: 'x' } },
      type: 'Opaque',
      data: { password: Buffer.from('CANARY-unseal-one').toString('base64') },
    });
  });

  it('takes repeated and comma-separated keys, PKCS#8, and key Secret backups incl. Bitnami v1/Lists', async () => {
    const pk8 = join(dir, 'b.pk8.pem');
    writeFileSync(pk8, exportPrivateKeyPem(b.privateKey, 'pkcs8'));
    const both = `${sealedA}---\n${docs(sealedB)
      .map((d) => formatManifest(d, 'yaml').replace(/^---\n/, ''))
      .join('')}`;
    const comma = await runCli(['unseal', '-k', `${a.keyPath},${pk8}`], { stdin: both });
    expect(docs(comma.stdout).map((d) => d.metadata.name)).toEqual(['one', 'two', 'three']);
    const backup = join(dir, 'backup.yaml');
    writeFileSync(backup, bitnamiBackup());
    const fromBackup = await runCli(['unseal', '--private-key', backup, '-o', 'json'], {
      stdin: sealedB,
    });
    expect(fromBackup.code).toBe(0);
    expect(JSON.parse(fromBackup.stdout).metadata.name).toBe('three');
  });

  it('writes -w with mode 0600', async () => {
    const out = join(dir, 'plain.yaml');
    const res = await runCli(['unseal', '-k', a.keyPath, '-w', out], { stdin: sealedA });
    expect(res).toMatchObject({ code: 0, stdout: '' });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toContain('kind: Secret');
  });

  it.skipIf(!hasSharedTestdata)(
    'opens a kubeseal --raw vector wrapped in a Bitnami SealedSecret',
    async () => {
      const vectors = JSON.parse(read(sharedPath('sealed-secrets', 'vectors.json'), 'utf8'));
      const ss = {
        apiVersion: 'bitnami.com/v1alpha1',
        kind: 'SealedSecret',
        metadata: { name: 'my-secret', namespace: 'my-namespace' },
        spec: { encryptedData: { k: vectors.cases[0].ct } },
      };
      const res = await runCli(['unseal', '-k', sharedPath('sealed-secrets', 'key.pem')], {
        stdin: JSON.stringify(ss),
      });
      expect(res.code).toBe(0);
      expect(Buffer.from(docs(res.stdout)[0].data.k, 'base64').toString()).toBe(
        vectors.cases[0].pt,
      );
    },
  );
});

describe('unseal: bad ciphertext and keys give one line and no output', () => {
  function expectOneLine(
    res: { code: number; stdout: string; stderr: string },
    message: RegExp,
  ): void {
    expect(res.code).not.toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toContain('CANARY');
  }
  const tamper = (text: string, fn: (ct: string) => string): string =>
    text.replace(/password: (\S+)/, (_m, ct: string) => `password: ${fn(ct)}`);

  it('wrong key', async () => {
    expectOneLine(
      await runCli(['unseal', '-k', b.keyPath], { stdin: sealedA }),
      /^sealbridge: no key could decrypt item "password" of SealedSecret team-a\/one with label "team-a\/one" \(tried 1 of 1 key\): wrong key, or sealed for another scope, namespace or name\n$/,
    );
  });

  it('wrong scope: a strict value moved to another namespace or name, or re-annotated', async () => {
    const moved = sealedA.replace('namespace: team-a\nspec', 'namespace: team-b\nspec');
    expectOneLine(
      await runCli(['unseal', '-k', a.keyPath], { stdin: moved }),
      /no key could decrypt item "password" of SealedSecret team-b\/one with label "team-b\/one"/,
    );
    const renamed = sealedA.replace(
      '  name: one\n  namespace: team-a\nspec',
      '  name: other\n  namespace: team-a\nspec',
    );
    expectOneLine(
      await runCli(['unseal', '-k', a.keyPath], { stdin: renamed }),
      /SealedSecret team-a\/other with label "team-a\/other"/,
    );
    const widened = sealedA.replace(
      '  name: one\n',
      '  name: one\n  annotations:\n    sealbridge.io/cluster-wide: "true"\n',
    );
    expectOneLine(
      await runCli(['unseal', '-k', a.keyPath], { stdin: widened }),
      /with cluster-wide \(empty label\)/,
    );
  });

  it('truncated ciphertext', async () => {
    expectOneLine(
      await runCli(['unseal', '-k', a.keyPath], {
        stdin: tamper(sealedA, (ct) => ct.slice(0, 40)),
      }),
      /^sealbridge: item "password" of SealedSecret team-a\/one: sealed value is too short \(truncated\?\)\n$/,
    );
  });

  it('bad base64', async () => {
    expectOneLine(
      await runCli(['unseal', '-k', a.keyPath], {
        stdin: tamper(sealedA, (ct) => `${ct.slice(0, -4)}!!!!`),
      }),
      /^sealbridge: item "password" of SealedSecret team-a\/one: sealed value is not valid base64\n$/,
    );
  });

  it('tampered ciphertext', async () => {
    const flip = (ct: string): string => {
      const buf = Buffer.from(ct, 'base64');
      buf[buf.length - 20] = (buf[buf.length - 20] ?? 0) ^ 1;
      return buf.toString('base64');
    };
    expectOneLine(
      await runCli(['unseal', '-k', a.keyPath], { stdin: tamper(sealedA, flip) }),
      /failed authentication \(modified or truncated\)/,
    );
  });

  it('bad key files and bad input', async () => {
    expectOneLine(
      await runCli(['unseal', '-k', fixturePath('cert-a.pem')], { stdin: sealedA }),
      /^sealbridge: .*cert-a\.pem: holds a PEM CERTIFICATE, not a private key\n$/,
    );
    expectOneLine(
      await runCli(['unseal', '-k', '/nonexistent.pem'], { stdin: sealedA }),
      /^sealbridge: cannot read \/nonexistent\.pem: ENOENT\n$/,
    );
    expectOneLine(
      await runCli(['unseal', '-k', a.keyPath], { stdin: secret('x') }),
      /expected a SealedSecret/,
    );
    const missing = await runCli(['unseal'], { stdin: sealedA });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--private-key/);
  });
});
