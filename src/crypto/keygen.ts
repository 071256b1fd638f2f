// Sealing-key generation: an RSA key pair from node:crypto (OpenSSL, fast) and a self-signed
// X.509 certificate built with node-forge, shaped like the Bitnami controller's: CA, 10 years,
// sha256WithRSA, random 128-bit serial, KeyUsage critical encipherOnly. node-forge is imported
// lazily here and nowhere on the seal path.
import { createPrivateKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { Clock } from '../clock.ts';
import { SealbridgeError } from '../errors.ts';
import { exportPrivateKeyPem, keyFingerprint } from './keys.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Bitnami's --key-ttl default: 87600h. */
export const DEFAULT_VALIDITY_DAYS = 3650;
export const DEFAULT_KEY_BITS = 4096;
export const ALLOWED_KEY_BITS = [2048, 3072, 4096] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface GenerateOptions {
  readonly clock: Clock;
  /** Subject and issuer common name; empty means an empty DN, as Bitnami's default. */
  readonly commonName?: string;
  readonly keyBits?: number;
  readonly validityDays?: number;
}

export interface GeneratedKey {
  readonly privateKey: KeyObject;
  /** PKCS#1 PEM, as Bitnami stores `tls.key`. */
  readonly privateKeyPem: string;
  readonly certPem: string;
  readonly fingerprint: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A positive serial below 2^128, as hex without leading zero bytes issues. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // DER integers are signed; keep it positive.
  if (bytes[0] === 0) bytes[0] = 1; // and minimally encoded.
  return bytes.toString('hex');
}

function checkOptions(bits: number, days: number): void {
  if (!(ALLOWED_KEY_BITS as readonly number[]).includes(bits)) {
    throw new SealbridgeError(
      'INVALID_FLAG',
      `key size must be one of ${ALLOWED_KEY_BITS.join(', ')} bits`,
    );
  }
  if (!Number.isInteger(days) || days < 1 || days > 36500) {
    throw new SealbridgeError(
      'INVALID_FLAG',
      'validity must be a whole number of days between 1 and 36500',
    );
  }
}

/** Builds the self-signed certificate for `privateKeyPem` with node-forge. */
export async function selfSignedCertificate(
  privateKeyPem: string,
  options: { notBefore: Date; notAfter: Date; commonName: string },
): Promise<string> {
  const { default: forge } = await import('node-forge');
  const forgeKey = forge.pki.privateKeyFromPem(privateKeyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = options.notBefore;
  cert.validity.notAfter = options.notAfter;
  const dn = options.commonName === '' ? [] : [{ name: 'commonName', value: options.commonName }];
  cert.setSubject(dn);
  cert.setIssuer(dn);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', encipherOnly: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forgeKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** Generates a sealing key and its certificate. */
export async function generateSealingKey(options: GenerateOptions): Promise<GeneratedKey> {
  const bits = options.keyBits ?? DEFAULT_KEY_BITS;
  const days = options.validityDays ?? DEFAULT_VALIDITY_DAYS;
  checkOptions(bits, days);
  const { privateKey: pem } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const privateKey = createPrivateKey(pem);
  // Whole seconds: X.509 times have no fractions, and the Date we return must equal the cert's.
  const now = Math.floor(options.clock.now() / 1000) * 1000;
  const notBefore = new Date(now);
  const notAfter = new Date(now + days * DAY_MS);
  const certPem = await selfSignedCertificate(pem, {
    notBefore,
    notAfter,
    commonName: options.commonName ?? '',
  });
  return {
    privateKey,
    privateKeyPem: exportPrivateKeyPem(privateKey, 'pkcs1'),
    certPem,
    fingerprint: keyFingerprint(privateKey),
    notBefore,
    notAfter,
  };
}
