// `sealbridge render` end to end (in-process CLI): a mixed stream of SOPS-encrypted resources,
// SopsSecrets, SealedSecrets and ordinary objects; directories; multi-document SOPS files;
// undecryptable objects passed through or refused; errors that write nothing and leak nothing.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptDocument } from '../../src/sops/encrypt.ts';
import { ageKey } from '../../src/sops/keys/age.ts';
import { keySourceFromMaterial } from '../../src/sops/keys/source.ts';
import { testKey } from '../crypto/fixtures.ts';
import { runCli } from '../helpers/cli.ts';
import { ageIdentity, type AgePair } from '../sops/helpers.ts';

const CANARY = 'canary-render-2f81';
const CONFIGMAP =
  '# keep this comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n';
const SECRET = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: apps\nstringData:\n  password: ${CANARY}\n`;
const SOPS_SECRET = `apiVersion: sealbridge.io/v1alpha1\nkind: SopsSecret\nmetadata:\n  name: api\nspec:\n  stringData:\n    token: ${CANARY}-api\n`;

let age: AgePair;
let other: AgePair;
let sopsSecretYaml: string;
let sopsSecretEnc: string;
let sopsSecretObj: string;
let sealed: string;
const key = testKey('a');

async function enc(
  text: string,
  extra: { rules?: { encryptedRegex: string }; macOnlyEncrypted?: boolean } = {},
): Promise<string> {
  const res = await encryptDocument(text, {
    format: 'yaml',
    keyGroups: [[ageKey(age.recipient)]],
    keys: keySourceFromMaterial({}),
    ...extra,
  });
  return res.output.toString();
}

beforeAll(async () => {
  [age, other] = await Promise.all([ageIdentity(), ageIdentity()]);
  sopsSecretYaml = await enc(SECRET, { rules: { encryptedRegex: '^(data|stringData)$' } });
  sopsSecretObj = await enc(SOPS_SECRET);
  sopsSecretEnc = sopsSecretObj;
  const s = await runCli(['seal', '--cert', key.certPath], {
    stdin: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: sealed\n  namespace: apps\nstringData:\n  key: ${CANARY}-sealed\n`,
  });
  expect(s.code).toBe(0);
  sealed = s.stdout.replace(/^---\n/, '');
});

const env = (identity = age.identity): Record<string, string> => ({
  HOME: '/nonexistent',
  SOPS_AGE_KEY: identity,
});

function objects(yaml: string): Record<string, any>[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, any>);
}

function decode(secret: Record<string, any>): Record<string, string> {
  return Object.fromEntries(
    Object.entries((secret['data'] ?? {}) as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString(),
    ]),
  );
}

describe('sealbridge render', () => {
  it('turns every encrypted kind into a plain Secret and passes the rest through unchanged', async () => {
    const stream = [CONFIGMAP, sopsSecretYaml, sopsSecretObj, sealed].join('---\n');
    const res = await runCli(['render', '-n', 'apps', '--private-key', key.keyPath], {
      stdin: stream,
      env: env(),
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout.startsWith(`---\n${CONFIGMAP}`)).toBe(true);
    const docs = objects(res.stdout);
    expect(docs.map((d) => `${d['kind']}/${d['metadata']['name']}`)).toEqual([
      'ConfigMap/settings',
      'Secret/db',
      'Secret/api',
      'Secret/sealed',
    ]);
    expect(docs[1]).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'apps' },
      stringData: { password: CANARY },
    });
    expect(docs[2]!['metadata']).toEqual({ name: 'api', namespace: 'apps' });
    expect(decode(docs[2]!)).toEqual({ token: `${CANARY}-api` });
    expect(decode(docs[3]!)).toEqual({ key: `${CANARY}-sealed` });
    expect(res.stdout).not.toContain('sops:');
  });

  it('reads files and directories (recursively, kustomization files skipped) in name order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-render-'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [a.yaml]\n');
    writeFileSync(join(dir, 'a.yaml'), CONFIGMAP);
    writeFileSync(join(dir, 'b', 'secret.sops.yaml'), sopsSecretYaml);
    writeFileSync(join(dir, 'values.yaml'), 'replicas: 3\n');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const res = await runCli(['render', '.'], { cwd: dir, env: env() });
    expect(res.code).toBe(0);
    expect(objects(res.stdout).map((d) => d['metadata']['name'])).toEqual(['settings', 'db']);
    expect(res.stderr).toContain('values.yaml: document 1: not a Kubernetes object');
  });

  it('decrypts a multi-document SOPS file as one file (its MAC covers all documents)', async () => {
    const two = await enc(
      `${SECRET}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: ${CANARY}-c\n`,
    );
    expect(two.match(/^sops:/gm)?.length).toBe(2);
    const res = await runCli(['render', '-'], { stdin: two, env: env() });
    expect(res.stderr).toBe('');
    const docs = objects(res.stdout);
    expect(docs.map((d) => d['kind'])).toEqual(['Secret', 'ConfigMap']);
    expect(docs[1]!['data']).toEqual({ k: `${CANARY}-c` });
  });

  it('passes SopsSecrets and SealedSecrets it cannot open through with a warning, or fails with --fail-on-undecryptable', async () => {
    const stream = [sopsSecretObj, sealed].join('---\n');
    const res = await runCli(['render', '-n', 'apps'], { stdin: stream, env: env(other.identity) });
    expect(res.code).toBe(0);
    expect(objects(res.stdout).map((d) => d['kind'])).toEqual(['SopsSecret', 'SealedSecret']);
    expect(res.stderr).toMatch(
      /stdin: document 1: SopsSecret apps\/api: could not open the data key .*; passed through unchanged/,
    );
    expect(res.stderr).toMatch(
      /stdin: document 2: SealedSecret sealed: no sealing keys given \(--private-key\); passed through unchanged/,
    );
    const strict = await runCli(['render', '-n', 'apps', '--fail-on-undecryptable'], {
      stdin: stream,
      env: env(other.identity),
    });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toMatch(
      /^sealbridge: stdin: document 1: SopsSecret apps\/api: could not open the data key/,
    );
  });

  it('a SOPS-encrypted resource that does not open, or a MAC mismatch, fails and writes nothing', async () => {
    const wrong = await runCli(['render'], {
      stdin: `${CONFIGMAP}---\n${sopsSecretYaml}`,
      env: env(other.identity),
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(
      /^sealbridge: stdin: document 2: Secret db: could not open the data key/,
    );
    const tampered = sopsSecretYaml.replace('  namespace: apps\n', '  namespace: evil\n');
    const mac = await runCli(['render'], { stdin: tampered, env: env() });
    expect(mac.code).toBe(51);
    expect(mac.stdout).toBe('');
    expect(mac.stderr).toContain('MAC mismatch');
    expect(mac.stderr + wrong.stderr).not.toContain(CANARY);
  });

  it('renders a SopsSecret only if the cluster would accept it (canonical payload order)', async () => {
    // Encrypted as another kind (no canonical ordering), the MAC is over file order: b, a.
    const unsorted = await enc(
      SOPS_SECRET.replace('kind: SopsSecret', 'kind: Other').replace(
        `token: ${CANARY}-api`,
        'b: "1"\n    a: "2"',
      ),
      { rules: { encryptedRegex: '^(data|stringData)$' }, macOnlyEncrypted: true },
    );
    const res = await runCli(['render', '-n', 'apps'], {
      stdin: unsorted.replace('kind: Other', 'kind: SopsSecret'),
      env: env(),
    });
    expect(res.code).toBe(51);
    expect(res.stderr).toContain('sealbridge sops rotate -i');
    expect(sopsSecretEnc).toContain('mac_only_encrypted: true');
  });

  it('--help explains every flag', async () => {
    const res = await runCli(['render', '--help']);
    for (const flag of [
      '--private-key',
      '--pgp-key-file',
      '--namespace',
      '--fail-on-undecryptable',
      '--generator',
    ]) {
      expect(res.stdout).toContain(flag);
    }
  });
});
