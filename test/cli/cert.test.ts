import { describe, expect, it } from 'vitest';
import { keyFingerprint } from '../../src/crypto/keys.ts';
import { runCli } from '../helpers/cli.ts';
import { fixturePath, testKey } from '../crypto/fixtures.ts';

const a = testKey('a');

describe('sealbridge cert', () => {
  it('prints fingerprint, subject, validity and key size', async () => {
    const res = await runCli(['cert', fixturePath('cert-a.pem')]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`fingerprint: ${keyFingerprint(a.privateKey)}\n`);
    expect(res.stdout).toContain('subject:     CN=sealbridge-test-a\n');
    expect(res.stdout).toMatch(/not before: {2}20\d\d-\d\d-\d\dT/);
    expect(res.stdout).toMatch(/not after: {3}20\d\d-/);
    expect(res.stdout).toMatch(/expired: {5}no \(\d+ days left\)/);
    expect(res.stdout).toContain('key:         RSA 4096 bits\n');
  });

  it('prints JSON and shows expired certificates without refusing them', async () => {
    const res = await runCli(['cert', '--cert', fixturePath('cert-expired.pem'), '-o', 'json']);
    expect(res.code).toBe(0);
    const info = JSON.parse(res.stdout);
    expect(info).toMatchObject({
      expired: true,
      keyBits: 2048,
      subject: 'CN=expired',
      notAfter: '2020-01-31T00:00:00.000Z',
    });
  });

  it('reads the environment and refuses garbage, non-RSA and missing certificates', async () => {
    expect(
      (await runCli(['cert'], { env: { SEALED_SECRETS_CERT: fixturePath('cert-a.pem') } })).code,
    ).toBe(0);
    for (const [args, msg] of [
      [[fixturePath('cert-garbage.pem')], /not a certificate: no PEM certificate found/],
      [[fixturePath('cert-ec.pem')], /sealing needs RSA/],
      [[], /no certificate: pass FILE\|URL, --cert, or set SEALBRIDGE_CERT/],
    ] as const) {
      const res = await runCli(['cert', ...args]);
      expect(res.code).not.toBe(0);
      expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(msg);
    }
  });
});
