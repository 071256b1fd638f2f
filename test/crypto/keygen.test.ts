import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/crypto/certificate.ts';
import { openBytes, sealBytes } from '../../src/crypto/hybrid.ts';
import { generateSealingKey, type GeneratedKey } from '../../src/crypto/keygen.ts';
import { keyFingerprint, parsePrivateKeyPem } from '../../src/crypto/keys.ts';

const at = Date.parse('2026-03-04T05:06:07.890Z');
const clock = { now: () => at, sleep: () => Promise.resolve() };

describe('generateSealingKey (RSA-4096, the default)', () => {
  let key: GeneratedKey;
  beforeAll(async () => {
    key = await generateSealingKey({ clock, commonName: 'sealbridge' });
  });

  it('makes an RSA-4096 PKCS#1 key whose fingerprint matches the certificate', () => {
    expect(key.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(key.privateKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
    const cert = parseCertificate(key.certPem, 'generated');
    expect(cert.fingerprint).toBe(key.fingerprint);
    expect(keyFingerprint(parsePrivateKeyPem(key.privateKeyPem, 'k'))).toBe(key.fingerprint);
  });

  it('self-signs a SHA-256 CA certificate valid for 3650 days from the clock', () => {
    const x509 = new X509Certificate(key.certPem);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.subject).toBe('CN=sealbridge');
    expect(x509.validFromDate.toISOString()).toBe('2026-03-04T05:06:07.000Z');
    expect(x509.validToDate.getTime() - x509.validFromDate.getTime()).toBe(3650 * 86_400_000);
    expect(key.notBefore.getTime()).toBe(x509.validFromDate.getTime());
    const f = forge.pki.certificateFromPem(key.certPem);
    expect(forge.pki.oids[f.siginfo.algorithmOid]).toBe('sha256WithRSAEncryption');
    const bc = f.getExtension('basicConstraints') as { cA: boolean; critical: boolean };
    expect(bc.cA).toBe(true);
    expect(bc.critical).toBe(true);
    const ku = f.getExtension('keyUsage') as { encipherOnly: boolean; critical: boolean };
    expect(ku.encipherOnly).toBe(true);
    expect(ku.critical).toBe(true);
    const serial = BigInt(`0x${x509.serialNumber}`);
    expect(serial > 0n && serial < 2n ** 128n).toBe(true);
  });

  it('seals and opens with the new pair', () => {
    const cert = parseCertificate(key.certPem, 'generated');
    const ct = sealBytes(Buffer.from('v'), Buffer.from('a/b'), cert.publicKey);
    expect(openBytes(ct, Buffer.from('a/b'), key.privateKey).toString()).toBe('v');
  });
});

describe('generateSealingKey options', () => {
  it('makes an empty DN when asked (Bitnami default) and honours size and validity', async () => {
    const key = await generateSealingKey({ clock, commonName: '', keyBits: 2048, validityDays: 1 });
    const x509 = new X509Certificate(key.certPem);
    expect([undefined, '']).toContain(x509.subject); // node reports an empty DN as undefined
    expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(key.notAfter.getTime() - key.notBefore.getTime()).toBe(86_400_000);
  });

  it('refuses odd sizes and validities', async () => {
    await expect(generateSealingKey({ clock, keyBits: 1024 })).rejects.toThrow(
      /key size must be one of/,
    );
    await expect(generateSealingKey({ clock, validityDays: 0 })).rejects.toThrow(/validity/);
  });
});
