// RSA keys in and out of PEM (PKCS#1 "RSA PRIVATE KEY" as Bitnami stores them, and PKCS#8), and
// the fingerprint that names a key everywhere: SHA-256 of the public key's DER SubjectPublicKeyInfo,
// lowercase hex. It is the same whether computed from the private key or from the certificate.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SealbridgeError } from '../errors.ts';

export type PrivateKeyFormat = 'pkcs1' | 'pkcs8';

function assertRsa(key: KeyObject, source: string): void {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new SealbridgeError(
      'UNSUPPORTED_KEY',
      `${source}: ${key.asymmetricKeyType ?? 'unknown'} key is not supported: sealing keys are RSA`,
    );
  }
}

/**
 * Parses a PEM private key (PKCS#1 or PKCS#8, unencrypted). Throws INVALID_PRIVATE_KEY for
 * anything else, UNSUPPORTED_KEY for non-RSA keys. `source` names the input in messages.
 */
export function parsePrivateKeyPem(pem: string | Buffer, source: string): KeyObject {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new SealbridgeError(
      'INVALID_PRIVATE_KEY',
      `${source}: encrypted private keys are not supported`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch (err) {
    throw new SealbridgeError(
      'INVALID_PRIVATE_KEY',
      `${source}: not a PEM private key (PKCS#1 or PKCS#8)`,
      {
        cause: err,
      },
    );
  }
  assertRsa(key, source);
  return key;
}

export function exportPrivateKeyPem(key: KeyObject, format: PrivateKeyFormat = 'pkcs1'): string {
  return key.export({ type: format, format: 'pem' }).toString();
}

/** The fingerprint of an RSA key, from its private or public half. */
export function keyFingerprint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const der = pub.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/** A short form for humans (first 16 hex digits), like a Git short hash. */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, 16);
}
