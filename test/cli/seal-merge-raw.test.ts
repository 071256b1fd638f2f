import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Keyring, keyringKey } from '../../src/crypto/keyring.ts';
import { runCli } from '../helpers/cli.ts';
import { fixturePath, testKey } from '../crypto/fixtures.ts';

const a = testKey('a');
const ring = new Keyring([keyringKey(a.privateKey)]);
const cert = fixturePath('cert-a.pem');

function tmp(name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-merge-')), name);
  writeFileSync(file, content);
  return file;
}

describe('seal --merge-into', () => {
  it('adds and replaces items in place with the file scope, keeping comments and other items', async () => {
    const first = await runCli(['seal', '--cert', cert, '--scope', 'namespace-wide'], {
      stdin:
        'kind: Secret\napiVersion: v1\nmetadata: {name: db, namespace: team-a}\nstringData: {a: one, b: two}\n',
    });
    const file = tmp('sealed.yaml', `# managed by hand\n${first.stdout.replace(/^---\n/, '')}`);
    const oldA = parse(readFileSync(file, 'utf8')).spec.encryptedData.a as string;
    const res = await runCli(['seal', '--cert', cert, '--merge-into', file], {
      // kubectl create secret ... --dry-run: another name, no namespace; the file decides.
      stdin:
        'kind: Secret\napiVersion: v1\nmetadata: {name: tmp}\nstringData: {b: TWO, c: three}\n',
    });
    expect(res).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# managed by hand\n')).toBe(true);
    const ss = parse(text);
    expect(ss.spec.encryptedData.a).toBe(oldA);
    const open = (k: string): string =>
      ring.open(ss.spec.encryptedData[k], Buffer.from('team-a')).plaintext.toString();
    expect([open('a'), open('b'), open('c')]).toEqual(['one', 'TWO', 'three']);
  });

  it('merges into JSON files and keeps unknown fields', async () => {
    const file = tmp(
      'sealed.json',
      JSON.stringify({
        apiVersion: 'bitnami.com/v1alpha1',
        kind: 'SealedSecret',
        metadata: { name: 'db', namespace: 'ns' },
        spec: { encryptedData: {}, extra: 'kept' },
      }),
    );
    const res = await runCli(['seal', '--cert', cert, '--merge-into', file], {
      stdin: 'kind: Secret\napiVersion: v1\nmetadata: {name: x}\nstringData: {k: v}\n',
    });
    expect(res.code).toBe(0);
    const ss = JSON.parse(readFileSync(file, 'utf8'));
    expect(ss.apiVersion).toBe('bitnami.com/v1alpha1');
    expect(ss.spec.extra).toBe('kept');
    expect(ring.open(ss.spec.encryptedData.k, Buffer.from('ns/db')).plaintext.toString()).toBe('v');
  });
});

describe('seal --raw', () => {
  it('seals stdin bytes or a --from-file value and prints only base64 without a newline', async () => {
    const strict = await runCli(['seal', '--raw', '--cert', cert, '-n', 'ns', '--name', 'db'], {
      stdin: 'p@ss\n',
    });
    expect(strict.code).toBe(0);
    expect(strict.stdout).toMatch(/^Ag[A-Za-z0-9+/]+=*$/);
    expect(ring.open(strict.stdout, Buffer.from('ns/db')).plaintext.toString()).toBe('p@ss\n');
    const file = tmp('value.bin', 'from file');
    const nw = await runCli([
      'seal',
      '--raw',
      '--cert',
      cert,
      '-n',
      'ns',
      '--scope',
      'namespace-wide',
      '--from-file',
      `key=${file}`,
    ]);
    expect(ring.open(nw.stdout, Buffer.from('ns')).plaintext.toString()).toBe('from file');
    const cw = await runCli([
      'seal',
      '--raw',
      '--cert',
      cert,
      '--scope',
      'cluster-wide',
      '--from-file',
      file,
    ]);
    expect(ring.open(cw.stdout, Buffer.alloc(0)).plaintext.toString()).toBe('from file');
  });

  it('reports a missing --from-file', async () => {
    const res = await runCli([
      'seal',
      '--raw',
      '--cert',
      cert,
      '--scope',
      'cluster-wide',
      '--from-file',
      '/nonexistent/v',
    ]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toBe('sealbridge: cannot read /nonexistent/v: ENOENT\n');
  });
});
