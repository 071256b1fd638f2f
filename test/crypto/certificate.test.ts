import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certSourceFromSpec, loadCertificate } from '../../src/crypto/cert-source.ts';
import { assertCurrent, isExpired, parseCertificate } from '../../src/crypto/certificate.ts';
import { keyFingerprint, parsePrivateKeyPem, exportPrivateKeyPem } from '../../src/crypto/keys.ts';
import { SealbridgeError } from '../../src/errors.ts';
import { hasSharedTestdata, sharedPath } from '../helpers/shared-testdata.ts';
import { fixturePath, fixtureText, testKey, FIXTURES } from './fixtures.ts';

const a = testKey('a');
const now = Date.parse('2026-12-01T00:00:00Z');

function errorOf(fn: () => unknown): SealbridgeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SealbridgeError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('certificates', () => {
  it('reads a PEM certificate: fingerprint equals the private key fingerprint', () => {
    const cert = parseCertificate(a.certPem, 'cert-a.pem');
    expect(cert.fingerprint).toBe(keyFingerprint(a.privateKey));
    expect(cert.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(cert.keyBits).toBe(4096);
    expect(cert.subject).toBe('CN=sealbridge-test-a');
    expect(cert.certificateSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('reads DER too', () => {
    const der = Buffer.from(a.certPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    expect(parseCertificate(der, 'der').fingerprint).toBe(keyFingerprint(a.publicKey));
  });

  it.skipIf(!hasSharedTestdata)('reads the kubeseal controller certificate (empty subject)', () => {
    const cert = parseCertificate(
      readFileSync(sharedPath('sealed-secrets', 'cert.pem')),
      'cert.pem',
    );
    const key = parsePrivateKeyPem(
      readFileSync(sharedPath('sealed-secrets', 'key.pem')),
      'key.pem',
    );
    expect(cert.subject).toBe('');
    expect(cert.fingerprint).toBe(keyFingerprint(key));
  });

  it('refuses garbage, a private key, and a non-RSA certificate with clear messages', () => {
    expect(errorOf(() => parseCertificate(fixtureText('cert-garbage.pem'), 'g.pem')).message).toBe(
      'g.pem: not a certificate: no PEM certificate found',
    );
    expect(errorOf(() => parseCertificate(a.keyPem, 'k.pem')).message).toMatch(
      /found a PEM RSA PRIVATE KEY/,
    );
    expect(errorOf(() => parseCertificate(Buffer.from([1, 2, 3]), 'bin')).code).toBe(
      'INVALID_CERTIFICATE',
    );
    const ec = errorOf(() => parseCertificate(fixtureText('cert-ec.pem'), 'ec.pem'));
    expect(ec.code).toBe('UNSUPPORTED_KEY');
    expect(ec.message).toMatch(/ec key; sealing needs RSA/);
  });

  it('knows when a certificate has expired', () => {
    const expired = parseCertificate(fixtureText('cert-expired.pem'), 'old.pem');
    expect(isExpired(expired, now)).toBe(true);
    expect(
      errorOf(() => {
        assertCurrent(expired, now, 'old.pem');
      }).code,
    ).toBe('CERTIFICATE_EXPIRED');
    expect(() => {
      assertCurrent(parseCertificate(a.certPem, 'a'), now, 'a');
    }).not.toThrow();
  });
});

describe('private keys', () => {
  it('reads PKCS#1 and PKCS#8 PEM with the same fingerprint', () => {
    const pkcs8 = exportPrivateKeyPem(a.privateKey, 'pkcs8');
    expect(pkcs8).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(exportPrivateKeyPem(a.privateKey, 'pkcs1')).toBe(a.keyPem);
    expect(keyFingerprint(parsePrivateKeyPem(pkcs8, 'p8'))).toBe(
      keyFingerprint(parsePrivateKeyPem(a.keyPem, 'p1')),
    );
    expect(keyFingerprint(createPublicKey(a.privateKey))).toBe(keyFingerprint(a.privateKey));
  });

  it('refuses garbage, encrypted and non-RSA keys', () => {
    expect(errorOf(() => parsePrivateKeyPem('nope', 'x')).code).toBe('INVALID_PRIVATE_KEY');
    expect(
      errorOf(() =>
        parsePrivateKeyPem(
          '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n',
          'x',
        ),
      ).message,
    ).toMatch(/encrypted private keys are not supported/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(errorOf(() => parsePrivateKeyPem(ec, 'ec.pem')).message).toBe(
      'ec.pem: ec key is not supported: sealing keys are RSA',
    );
  });
});

describe('certificate sources', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const auth = `Basic ${Buffer.from('user:pw').toString('base64')}`;
      if (req.url === '/auth/cert.pem' && req.headers.authorization === auth) {
        res.writeHead(200).end(a.certPem);
      } else if (req.url === '/v1/cert.pem') {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(a.certPem);
      } else {
        res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((r) =>
        server.close(() => {
          r();
        }),
      ),
  );

  it('loads from a relative path, a file:// URL and http://', async () => {
    for (const spec of [
      'cert-a.pem',
      pathToFileURL(fixturePath('cert-a.pem')).href,
      `${base}/v1/cert.pem`,
    ]) {
      const cert = await loadCertificate(certSourceFromSpec(spec, { cwd: FIXTURES }), {
        nowMs: now,
      });
      expect(cert.fingerprint).toBe(keyFingerprint(a.privateKey));
    }
  });

  it('reports HTTP errors, missing files and bad schemes', async () => {
    await expect(
      loadCertificate(certSourceFromSpec(`${base}/nope`, { cwd: '/' }), { nowMs: now }),
    ).rejects.toThrow(/HTTP 404/);
    await expect(
      loadCertificate(certSourceFromSpec('missing.pem', { cwd: FIXTURES }), { nowMs: now }),
    ).rejects.toThrow(/cannot read certificate missing.pem: ENOENT/);
    expect(() => certSourceFromSpec('ftp://x/cert.pem', { cwd: '/' })).toThrow(
      /unsupported certificate URL scheme/,
    );
  });

  it('sends URL credentials as basic auth', async () => {
    const url = `${base.replace('http://', 'http://user:pw@')}/auth/cert.pem`;
    await expect(
      loadCertificate(certSourceFromSpec(`${base}/auth/cert.pem`, { cwd: '/' }), { nowMs: now }),
    ).rejects.toThrow(/404/);
    await expect(
      loadCertificate(certSourceFromSpec(url, { cwd: '/' }), { nowMs: now }),
    ).resolves.toBeDefined();
  });

  it('never shows URL credentials in messages', async () => {
    const url = `${base.replace('http://', 'http://user:hunter2@')}/nope`;
    const err = await loadCertificate(certSourceFromSpec(url, { cwd: '/' }), { nowMs: now }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('refuses expired certificates unless asked to show them', async () => {
    const src = certSourceFromSpec('cert-expired.pem', { cwd: FIXTURES });
    await expect(loadCertificate(src, { nowMs: now })).rejects.toThrow(
      /certificate expired on 2020-01-31/,
    );
    await expect(loadCertificate(src, { nowMs: now, allowExpired: true })).resolves.toBeDefined();
  });
});
