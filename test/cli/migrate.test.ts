// `sealbridge migrate` end to end through the in-process CLI: stdin to stdout, files and
// directories, in-place rewrites that leave unchanged files alone, --strict, and bad input.
import {
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
  mkdirSync,
  readdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const ES = `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db # comment kept
spec:
  secretStoreRef: {name: vault}
  data:
    - secretKey: password
      remoteRef: {key: db, property: password}
`;
const GENERATED = `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: pw}
spec:
  secretStoreRef: {name: vault}
  data:
    - secretKey: a
      remoteRef: {key: k}
  dataFrom:
    - sourceRef: {generatorRef: {kind: Password, name: p}}
`;
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n';

function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-migrate-'));
  mkdirSync(join(dir, 'apps', 'db'), { recursive: true });
  writeFileSync(join(dir, 'apps', 'db', 'es.yaml'), ES);
  writeFileSync(join(dir, 'apps', 'cm.yml'), CM);
  writeFileSync(join(dir, 'apps', 'README.md'), '# not a manifest\n');
  writeFileSync(join(dir, 'apps', '.hidden.yaml'), ES);
  return dir;
}

describe('sealbridge migrate', () => {
  it('converts stdin to stdout and summarises on stderr', async () => {
    const res = await runCli(['migrate'], { stdin: ES });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(ES.replace('external-secrets.io/v1', 'sealbridge.io/v1alpha1'));
    expect(res.stderr).toBe(
      'sealbridge migrate: converted 1 ExternalSecret(s) and 0 store(s); 0 problem(s) to resolve\n',
    );
  });

  it('reports dropped fields with file, document and path, and --strict fails with status 2', async () => {
    const dir = tree();
    writeFileSync(join(dir, 'gen.yaml'), CM + '---\n' + GENERATED);
    const res = await runCli(['migrate', 'gen.yaml'], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(
      'sealbridge migrate: gen.yaml: document 2 ExternalSecret/pw: spec.dataFrom[0]: dropped: generators (sourceRef.generatorRef) are not supported\n',
    );
    expect(res.stdout).toContain('apiVersion: sealbridge.io/v1alpha1');
    const strict = await runCli(['migrate', '--strict', 'gen.yaml'], { cwd: dir });
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(
      'sealbridge: 1 field(s) or document(s) could not be carried over (--strict)\n',
    );
  });

  it('walks directories for manifests and joins them with document separators', async () => {
    const dir = tree();
    const res = await runCli(['migrate', 'apps'], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      CM + '---\n' + ES.replace('external-secrets.io/v1', 'sealbridge.io/v1alpha1'),
    );
  });

  it('rewrites changed files in place and leaves the others untouched', async () => {
    const dir = tree();
    const cm = join(dir, 'apps', 'cm.yml');
    const before = statSync(cm).mtimeMs;
    const res = await runCli(['migrate', '-i', 'apps'], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('sealbridge migrate: rewrote 1 of 2 file(s)\n');
    expect(readFileSync(join(dir, 'apps', 'db', 'es.yaml'), 'utf8')).toContain(
      'name: db # comment kept',
    );
    expect(readFileSync(join(dir, 'apps', 'db', 'es.yaml'), 'utf8')).toContain(
      'sealbridge.io/v1alpha1',
    );
    expect(statSync(cm).mtimeMs).toBe(before);
    expect(readFileSync(join(dir, 'apps', '.hidden.yaml'), 'utf8')).toBe(ES);
    expect(readdirSync(join(dir, 'apps', 'db'))).toEqual(['es.yaml']);
  });

  it('changes no file with --in-place --strict when something cannot be carried over', async () => {
    const dir = tree();
    writeFileSync(join(dir, 'apps', 'gen.yaml'), GENERATED);
    const res = await runCli(['migrate', '-i', '--strict', 'apps'], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('would rewrite 2 of 3 file(s)');
    expect(readFileSync(join(dir, 'apps', 'db', 'es.yaml'), 'utf8')).toBe(ES);
  });

  it('fails cleanly on malformed input and missing paths, writing nothing', async () => {
    const dir = tree();
    writeFileSync(join(dir, 'apps', 'bad.yaml'), 'a: [unclosed\n');
    const res = await runCli(['migrate', '-i', 'apps'], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^sealbridge: apps\/bad\.yaml: document 1: invalid YAML at line \d+, column \d+/,
    );
    expect(readFileSync(join(dir, 'apps', 'db', 'es.yaml'), 'utf8')).toBe(ES);
    const missing = await runCli(['migrate', 'nope.yaml'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('sealbridge: cannot read nope.yaml: ENOENT\n');
    const stdinInPlace = await runCli(['migrate', '-i'], { stdin: ES });
    expect(stdinInPlace.stderr).toBe(
      'sealbridge: --in-place needs files or directories, not stdin\n',
    );
  });

  it('explains itself and each flag in --help', async () => {
    const res = await runCli(['migrate', '--help']);
    expect(res.code).toBe(0);
    for (const text of [
      'Usage: sealbridge migrate',
      '--in-place',
      '--strict',
      'external-secrets.io/v1 and v1beta1',
    ]) {
      expect(res.stdout).toContain(text);
    }
  });
});
