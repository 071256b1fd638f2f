// `sealbridge sops …` end to end, in-process: flags, files, exit codes, no partial output.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { ageIdentity, type AgePair } from '../sops/helpers.ts';

const PLAIN = 'apiVersion: v1\nkind: Secret\nstringData:\n    password: hunter2\n    user: admin\n';

let a: AgePair;
let b: AgePair;
let dir: string;
beforeAll(async () => {
  [a, b] = await Promise.all([ageIdentity(), ageIdentity()]);
});

function fresh(): string {
  dir = mkdtempSync(join(tmpdir(), 'sb-sops-cli-'));
  writeFileSync(join(dir, 'secret.yaml'), PLAIN);
  return dir;
}

const envA = (): Record<string, string> => ({ SOPS_AGE_KEY: a.identity, HOME: '/nonexistent' });
const envB = (): Record<string, string> => ({ SOPS_AGE_KEY: b.identity, HOME: '/nonexistent' });

async function encrypted(extra: string[] = []): Promise<string> {
  const res = await runCli(['sops', 'encrypt', '--age', a.recipient, ...extra, 'secret.yaml'], {
    cwd: fresh(),
    env: { HOME: '/nonexistent' },
  });
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  writeFileSync(join(dir, 'secret.enc.yaml'), res.stdout);
  return res.stdout;
}

const encOf = (text: string, key: string): string =>
  new RegExp(`${key}: (ENC\\[[^\\]]*\\])`).exec(text)![1]!;

describe('sealbridge sops', () => {
  it('encrypts to stdout and decrypts with SOPS_AGE_KEY', async () => {
    const enc = await encrypted(['--encrypted-regex', '^stringData$']);
    expect(enc).toContain('kind: Secret');
    expect(enc).not.toContain('hunter2');
    expect(enc).toContain('encrypted_regex: ^stringData$');
    const dec = await runCli(['sops', 'decrypt', 'secret.enc.yaml'], { cwd: dir, env: envA() });
    expect(dec.code).toBe(0);
    expect(dec.stdout).toBe(PLAIN);
  });

  it('--extract prints one value; --output-type converts', async () => {
    await encrypted();
    const one = await runCli(
      ['sops', 'decrypt', '--extract', '["stringData"]["password"]', 'secret.enc.yaml'],
      { cwd: dir, env: envA() },
    );
    expect(one.stdout).toBe('hunter2');
    const json = await runCli(['sops', 'decrypt', '--output-type', 'json', 'secret.enc.yaml'], {
      cwd: dir,
      env: envA(),
    });
    expect(JSON.parse(json.stdout)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      stringData: { password: 'hunter2', user: 'admin' },
    });
    const missing = await runCli(['sops', 'decrypt', '--extract', '["nope"]', 'secret.enc.yaml'], {
      cwd: dir,
      env: envA(),
    });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/secret\.enc\.yaml: .*\["nope"\]/);
  });

  it('-i encrypts in place and --output writes a new file, atomically', async () => {
    fresh();
    expect(
      (await runCli(['sops', 'encrypt', '-i', '--age', a.recipient, 'secret.yaml'], { cwd: dir }))
        .code,
    ).toBe(0);
    expect(readFileSync(join(dir, 'secret.yaml'), 'utf8')).toContain('ENC[AES256_GCM');
    const out = await runCli(['sops', 'decrypt', '--output', 'plain.yaml', 'secret.yaml'], {
      cwd: dir,
      env: envA(),
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('');
    expect(readFileSync(join(dir, 'plain.yaml'), 'utf8')).toBe(PLAIN);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = await runCli(['sops', 'encrypt', '--age', a.recipient, 'secret.yaml'], {
      cwd: dir,
    });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already');
  });

  it('a MAC mismatch exits 51 and writes nothing', async () => {
    const enc = await encrypted(['--encrypted-regex', '^stringData$']);
    writeFileSync(join(dir, 'secret.enc.yaml'), enc.replace('kind: Secret', 'kind: Evil'));
    const res = await runCli(['sops', 'decrypt', '--output', 'out.yaml', 'secret.enc.yaml'], {
      cwd: dir,
      env: envA(),
    });
    expect(res.code).toBe(51);
    expect(res.stderr).toMatch(/^sealbridge: secret\.enc\.yaml: MAC mismatch/);
    expect(res.stdout).toBe('');
    expect(existsSync(join(dir, 'out.yaml'))).toBe(false);
    const inPlace = await runCli(['sops', 'decrypt', '-i', 'secret.enc.yaml'], {
      cwd: dir,
      env: envA(),
    });
    expect(inPlace.code).toBe(51);
    expect(readFileSync(join(dir, 'secret.enc.yaml'), 'utf8')).toContain('kind: Evil');
    const ignored = await runCli(['sops', 'decrypt', '--ignore-mac', 'secret.enc.yaml'], {
      cwd: dir,
      env: envA(),
    });
    expect(ignored.code).toBe(0);
    expect(ignored.stdout).toContain('kind: Evil');
  });

  it('a wrong key names the file and the reason', async () => {
    await encrypted();
    const res = await runCli(['sops', 'decrypt', 'secret.enc.yaml'], { cwd: dir, env: envB() });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^sealbridge: secret\.enc\.yaml: could not open the data key \(age age1.*none of the 1 age identities opens it\)/,
    );
    expect(res.stdout).toBe('');
  });

  it.each([
    ['--kms', 'arn:aws:kms:us-east-1:111122223333:nokey', 'not an AWS KMS key ARN'],
    ['--gcp-kms', 'projects/p/keyRings/r', 'not a GCP KMS key resource ID'],
    ['--hc-vault-transit', 'https://vault.example:8200/v1/sops/keys/k', 'no Vault token available'],
  ])('%s fails clearly, before any network call, when it cannot work', async (flag, value, why) => {
    fresh();
    const res = await runCli(['sops', 'encrypt', flag, value, 'secret.yaml'], {
      cwd: dir,
      env: { HOME: '/nonexistent' },
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('could not wrap the data key');
    expect(res.stderr).toContain(why);
    expect(res.stdout).toBe('');
  });

  it('uses the .sops.yaml creation rule when no key flag is given', async () => {
    fresh();
    writeFileSync(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - path_regex: secret\\.yaml$\n    encrypted_regex: ^stringData$\n    age: ${a.recipient}\n`,
    );
    const res = await runCli(['sops', 'encrypt', 'secret.yaml'], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('encrypted_regex: ^stringData$');
    expect(res.stdout).toContain(a.recipient);
  });

  it('rotate makes a new data key; --add-age adds a recipient', async () => {
    const enc = await encrypted();
    const res = await runCli(['sops', 'rotate', '--add-age', b.recipient, 'secret.enc.yaml'], {
      cwd: dir,
      env: envA(),
    });
    expect(res.code).toBe(0);
    expect(encOf(res.stdout, 'password')).not.toBe(encOf(enc, 'password'));
    writeFileSync(join(dir, 'rotated.yaml'), res.stdout);
    const withB = await runCli(['sops', 'decrypt', 'rotated.yaml'], { cwd: dir, env: envB() });
    expect(withB.stdout).toBe(PLAIN);
  });

  it("updatekeys -y re-wraps the same data key for the rule's recipients", async () => {
    const enc = await encrypted();
    writeFileSync(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - age: ${a.recipient},${b.recipient}\n`,
    );
    const declined = await runCli(['sops', 'updatekeys', 'secret.enc.yaml'], {
      cwd: dir,
      env: envA(),
      stdin: 'n\n',
    });
    expect(declined.code).not.toBe(0);
    expect(readFileSync(join(dir, 'secret.enc.yaml'), 'utf8')).toBe(enc);
    const res = await runCli(['sops', 'updatekeys', '-y', 'secret.enc.yaml'], {
      cwd: dir,
      env: envA(),
    });
    expect(res.code).toBe(0);
    const updated = readFileSync(join(dir, 'secret.enc.yaml'), 'utf8');
    expect(updated).toContain(b.recipient);
    // Not a rotation: values and MAC are untouched.
    expect(encOf(updated, 'password')).toBe(encOf(enc, 'password'));
    expect(encOf(updated, 'mac')).toBe(encOf(enc, 'mac'));
    expect(
      (await runCli(['sops', 'decrypt', 'secret.enc.yaml'], { cwd: dir, env: envB() })).stdout,
    ).toBe(PLAIN);
  });

  it('set and unset re-encrypt with the same data key; unchanged values keep their ciphertext', async () => {
    const enc = await encrypted();
    const set = await runCli(
      ['sops', 'set', 'secret.enc.yaml', '["stringData"]["password"]', '"s3cret"'],
      { cwd: dir, env: envA() },
    );
    expect(set.code).toBe(0);
    const after = readFileSync(join(dir, 'secret.enc.yaml'), 'utf8');
    expect(encOf(after, 'user')).toBe(encOf(enc, 'user'));
    expect(encOf(after, 'password')).not.toBe(encOf(enc, 'password'));
    const unset = await runCli(['sops', 'unset', 'secret.enc.yaml', '["stringData"]["user"]'], {
      cwd: dir,
      env: envA(),
    });
    expect(unset.code).toBe(0);
    const dec = await runCli(['sops', 'decrypt', 'secret.enc.yaml'], { cwd: dir, env: envA() });
    expect(dec.stdout).toBe('apiVersion: v1\nkind: Secret\nstringData:\n    password: s3cret\n');
    const again = await runCli(['sops', 'unset', 'secret.enc.yaml', '["stringData"]["user"]'], {
      cwd: dir,
      env: envA(),
    });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('not found');
    expect(
      (
        await runCli(
          ['sops', 'unset', '--idempotent', 'secret.enc.yaml', '["stringData"]["user"]'],
          { cwd: dir, env: envA() },
        )
      ).code,
    ).toBe(0);
    const bad = await runCli(['sops', 'set', 'secret.enc.yaml', '["x"]', 'not json'], {
      cwd: dir,
      env: envA(),
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('JSON');
  });

  it('reads stdin with --input-type and handles dotenv', async () => {
    const res = await runCli(['sops', 'encrypt', '--input-type', 'dotenv', '--age', a.recipient], {
      stdin: 'A=1\n#note\nB=two words\n',
      cwd: fresh(),
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^A=ENC\[/m);
    expect(res.stdout).toMatch(/^sops_age__list_0__map_recipient=age1/m);
    const dec = await runCli(['sops', 'decrypt', '--input-type', 'dotenv'], {
      stdin: res.stdout,
      env: envA(),
    });
    expect(dec.stdout).toBe('A=1\n#note\nB=two words\n');
  });

  it('explains every flag in --help', async () => {
    const res = await runCli(['sops', 'encrypt', '--help']);
    expect(res.code).toBe(0);
    for (const flag of [
      '--in-place',
      '--output',
      '--input-type',
      '--output-type',
      '--age',
      '--pgp',
      '--kms',
      '--gcp-kms',
      '--hc-vault-transit',
      '--encrypted-regex',
      '--encrypted-comment-regex',
    ]) {
      expect(res.stdout).toContain(flag);
    }
  });
});
