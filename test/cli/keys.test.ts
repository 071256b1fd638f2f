import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseKeySecret } from '../../src/crypto/key-secret.ts';
import { parseCertificate } from '../../src/crypto/certificate.ts';
import { keyFingerprint, parsePrivateKeyPem } from '../../src/crypto/keys.ts';
import { runCli } from '../helpers/cli.ts';

const fast = ['--key-size', '2048'];

describe('sealbridge keys generate', () => {
  it('writes PEM files (key 0600, cert 0644) that seal and unseal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-keys-'));
    const res = await runCli(['keys', 'generate', '--out-dir', dir, ...fast]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(
      /^generated RSA-2048 sealing key [0-9a-f]{64}, certificate valid until .*; wrote .*tls\.key, .*tls\.crt\n$/,
    );
    expect(statSync(join(dir, 'tls.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'tls.crt')).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir).sort()).toEqual(['tls.crt', 'tls.key']);
    const key = parsePrivateKeyPem(readFileSync(join(dir, 'tls.key')), 'k');
    const cert = parseCertificate(readFileSync(join(dir, 'tls.crt')), 'c');
    expect(cert.fingerprint).toBe(keyFingerprint(key));
    expect(cert.subject).toBe('CN=sealbridge');
    const sealed = await runCli(['seal', '--cert', join(dir, 'tls.crt')], {
      stdin:
        'kind: Secret\napiVersion: v1\nmetadata: {name: a, namespace: b}\nstringData: {k: v}\n',
    });
    const opened = await runCli(['unseal', '--private-key', join(dir, 'tls.key')], {
      stdin: sealed.stdout,
    });
    expect(opened.stdout).toContain(`k: ${Buffer.from('v').toString('base64')}`);
  });

  it('writes PKCS#8 with --key-format and named files with --out-key/--out-cert', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-keys-'));
    const res = await runCli(
      [
        'keys',
        'generate',
        '--out-key',
        'k.pem',
        '--out-cert',
        'c.pem',
        '--key-format',
        'pkcs8',
        ...fast,
      ],
      { cwd: dir },
    );
    expect(res.code).toBe(0);
    expect(readFileSync(join(dir, 'k.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('never overwrites without --force, and leaves existing files untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-keys-'));
    writeFileSync(join(dir, 'tls.crt'), 'old cert\n');
    const res = await runCli(['keys', 'generate', '--out-dir', dir, ...fast]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(
      /^sealbridge: refusing to overwrite existing file .*tls\.crt \(use --force\)\n$/,
    );
    expect(readFileSync(join(dir, 'tls.crt'), 'utf8')).toBe('old cert\n');
    expect(existsSync(join(dir, 'tls.key'))).toBe(false);
    const forced = await runCli(['keys', 'generate', '--out-dir', dir, '--force', ...fast]);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'tls.crt'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
  });

  it('prints a key Secret manifest that parses as an active sealbridge key', async () => {
    const res = await runCli([
      'keys',
      'generate',
      '--secret',
      '-n',
      'sealbridge',
      '--name',
      'key1',
      '--bitnami-label',
      ...fast,
    ]);
    expect(res.code).toBe(0);
    const obj = parse(res.stdout) as Record<string, unknown>;
    expect(obj['type']).toBe('kubernetes.io/tls');
    const parsed = parseKeySecret(obj);
    expect(parsed).toMatchObject({
      name: 'key1',
      namespace: 'sealbridge',
      active: true,
      source: 'sealbridge',
    });
    expect(res.stderr).toContain(parsed.fingerprint);
  });

  it('writes the key Secret with -w, mode 0600, JSON by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-keys-'));
    const out = join(dir, 'key.json');
    const res = await runCli(['keys', 'generate', '--secret', '-n', 'ns', '-w', out, ...fast]);
    expect(res.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(out, 'utf8')).metadata.generateName).toBe('sealbridge-key-');
  });

  it('refuses incomplete or conflicting flags', async () => {
    for (const [args, msg] of [
      [[], /say where the key goes/],
      [['--out-key', 'k.pem'], /give both --out-key and --out-cert/],
      [['--secret'], /--secret needs --namespace/],
      [['--out-dir', '.', '--out-key', 'k'], /either --out-dir or --out-key/],
      [['--out-dir', '.', '-n', 'x'], /only apply with --secret/],
      [['--secret', '-n', 'x', '--validity-days', '0'], /validity must be/],
    ] as const) {
      const res = await runCli(['keys', 'generate', ...args], {
        cwd: mkdtempSync(join(tmpdir(), 'sb-keys-')),
      });
      expect(res.code).not.toBe(0);
      expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(msg);
    }
  });

  it('explains its flags', async () => {
    const res = await runCli(['keys', 'generate', '--help']);
    for (const flag of [
      '--out-key',
      '--out-cert',
      '--out-dir',
      '--secret',
      '--namespace',
      '--name',
      '--force',
      '--key-size',
      '--key-format',
    ]) {
      expect(res.stdout).toContain(flag);
    }
  });
});
