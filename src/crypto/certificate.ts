// Sealing certificates, read with node:crypto's X509Certificate. This is the seal path: it must
// stay lean (no node-forge). kubeseal refuses expired certificates and so do we.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { SealbridgeError } from '../errors.ts';
import { keyFingerprint } from './keys.ts';

export interface CertificateInfo {
  /** Fingerprint of the public key (see keys.ts): the key's identity in Sealbridge. */
  readonly fingerprint: string;
  /** SHA-256 of the certificate's DER, colon-separated, as `openssl x509 -fingerprint -sha256`. */
  readonly certificateSha256: string;
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly keyType: string;
  readonly keyBits: number;
}

export interface SealingCertificate extends CertificateInfo {
  readonly publicKey: KeyObject;
  readonly pem: string;
}

function parseX509(input: string | Uint8Array, source: string): X509Certificate {
  // DER is an ASN.1 SEQUENCE (0x30); anything else must be PEM text.
  const isDer = typeof input !== 'string' && input[0] === 0x30;
  if (!isDer) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
    if (!text.includes('-----BEGIN CERTIFICATE-----')) {
      const what = /-----BEGIN ([A-Z ]+)-----/.exec(text)?.[1];
      const got =
        what === undefined ? 'no PEM certificate found' : `found a PEM ${what}, not a CERTIFICATE`;
      throw new SealbridgeError('INVALID_CERTIFICATE', `${source}: not a certificate: ${got}`);
    }
  }
  try {
    return new X509Certificate(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  } catch (err) {
    throw new SealbridgeError(
      'INVALID_CERTIFICATE',
      `${source}: not a valid X.509 certificate (PEM or DER)`,
      { cause: err },
    );
  }
}

/** One line per DN; node returns them newline-separated, and undefined for an empty DN. */
function dn(text: string | undefined): string {
  return (text ?? '')
    .split('\n')
    .filter((s) => s !== '')
    .join(', ');
}

/**
 * Parses a certificate (PEM or DER) and checks that its key is RSA. Does not check validity
 * dates: `assertCurrent` does, so `sealbridge cert` can still show an expired certificate.
 */
export function parseCertificate(input: string | Uint8Array, source: string): SealingCertificate {
  const x509 = parseX509(input, source);
  const publicKey = x509.publicKey;
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new SealbridgeError(
      'UNSUPPORTED_KEY',
      `${source}: certificate has a ${publicKey.asymmetricKeyType ?? 'unknown'} key; sealing needs RSA`,
    );
  }
  return {
    fingerprint: keyFingerprint(publicKey),
    certificateSha256: x509.fingerprint256,
    subject: dn(x509.subject),
    issuer: dn(x509.issuer),
    serialNumber: x509.serialNumber,
    notBefore: x509.validFromDate,
    notAfter: x509.validToDate,
    keyType: 'RSA',
    keyBits: publicKey.asymmetricKeyDetails?.modulusLength ?? 0,
    publicKey,
    pem: x509.toString(),
  };
}

export function isExpired(cert: Pick<CertificateInfo, 'notAfter'>, nowMs: number): boolean {
  return cert.notAfter.getTime() < nowMs;
}

/** Refuses an expired certificate, as kubeseal does. */
export function assertCurrent(cert: SealingCertificate, nowMs: number, source: string): void {
  if (isExpired(cert, nowMs)) {
    throw new SealbridgeError(
      'CERTIFICATE_EXPIRED',
      `${source}: certificate expired on ${cert.notAfter.toISOString()}; fetch the controller's current certificate`,
    );
  }
}

/** The plain-data view of a certificate, for printing. */
export function certificateInfo(cert: SealingCertificate): CertificateInfo {
  return {
    fingerprint: cert.fingerprint,
    certificateSha256: cert.certificateSha256,
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    keyType: cert.keyType,
    keyBits: cert.keyBits,
  };
}
