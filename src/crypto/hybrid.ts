// The Sealed Secrets hybrid cipher, byte-compatible with Bitnami's pkg/crypto:
//   uint16 big-endian len(R) ‖ R ‖ AES-256-GCM(K, nonce = 12 zero bytes)(plaintext) ‖ 16-byte tag
// where K is a fresh 32-byte session key per value and R = RSA-OAEP(SHA-256, MGF1-SHA-256,
// label)(K). A zero nonce is safe only because K is never reused. Everything runs on node:crypto.
//
// openBytes() is a pure function of (ciphertext, label, key) with no shared state, so the
// controller can move it to worker threads (KeyObjects are transferable with postMessage).
import {
  constants,
  createCipheriv,
  createDecipheriv,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { SealbridgeError } from '../errors.ts';
import { decodeBase64Strict } from '../manifest/base64.ts';

const SESSION_KEY_BYTES = 32;
const TAG_BYTES = 16;
const ZERO_NONCE = Buffer.alloc(12);
const LENGTH_BYTES = 2;

/** The parts of a sealed value, located without any cryptography. */
export interface Envelope {
  readonly wrappedKey: Buffer;
  readonly body: Buffer;
  readonly tag: Buffer;
}

/** Size in bytes of an RSA key's modulus (512 for RSA-4096): the length of R it produces. */
export function modulusBytes(key: KeyObject): number {
  return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

/** Encrypts one value for `publicKey` (an RSA public KeyObject) under an OAEP label. */
export function sealBytes(plaintext: Uint8Array, label: Uint8Array, publicKey: KeyObject): Buffer {
  const sessionKey = randomBytes(SESSION_KEY_BYTES);
  const wrapped = publicEncrypt(
    {
      key: publicKey,
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256',
      oaepLabel: label,
    },
    sessionKey,
  );
  if (wrapped.length > 0xffff) {
    throw new SealbridgeError(
      'UNSUPPORTED_KEY',
      'RSA key is too large for the sealed-secrets format',
    );
  }
  const cipher = createCipheriv('aes-256-gcm', sessionKey, ZERO_NONCE);
  const body = cipher.update(plaintext);
  const final = cipher.final();
  const tag = cipher.getAuthTag();
  const out = Buffer.allocUnsafe(
    LENGTH_BYTES + wrapped.length + body.length + final.length + TAG_BYTES,
  );
  out.writeUInt16BE(wrapped.length, 0);
  let at = LENGTH_BYTES;
  at += wrapped.copy(out, at);
  at += body.copy(out, at);
  at += final.copy(out, at);
  tag.copy(out, at);
  return out;
}

/** Splits a sealed value into its parts; throws CIPHERTEXT_TOO_SHORT when it cannot hold them. */
export function parseEnvelope(ciphertext: Uint8Array): Envelope {
  const buf = Buffer.isBuffer(ciphertext)
    ? ciphertext
    : Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  if (buf.length < LENGTH_BYTES) {
    throw new SealbridgeError('CIPHERTEXT_TOO_SHORT', 'sealed value is too short');
  }
  const rsaLength = buf.readUInt16BE(0);
  const bodyStart = LENGTH_BYTES + rsaLength;
  if (rsaLength === 0 || buf.length < bodyStart + TAG_BYTES) {
    throw new SealbridgeError('CIPHERTEXT_TOO_SHORT', 'sealed value is too short (truncated?)');
  }
  return {
    wrappedKey: buf.subarray(LENGTH_BYTES, bodyStart),
    body: buf.subarray(bodyStart, buf.length - TAG_BYTES),
    tag: buf.subarray(buf.length - TAG_BYTES),
  };
}

/**
 * Unwraps the session key with one RSA private operation. Throws DECRYPTION_FAILED when this key
 * (or this label) does not fit: the caller may try another key.
 */
export function unwrapSessionKey(
  envelope: Envelope,
  label: Uint8Array,
  privateKey: KeyObject,
): Buffer {
  if (envelope.wrappedKey.length !== modulusBytes(privateKey)) {
    throw new SealbridgeError(
      'DECRYPTION_FAILED',
      'the value was sealed for a key of another size',
    );
  }
  let sessionKey: Buffer;
  try {
    sessionKey = privateDecrypt(
      {
        key: privateKey,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
        oaepLabel: label,
      },
      envelope.wrappedKey,
    );
  } catch (err) {
    throw new SealbridgeError('DECRYPTION_FAILED', 'wrong key or wrong scope label', {
      cause: err,
    });
  }
  if (sessionKey.length !== SESSION_KEY_BYTES) {
    throw new SealbridgeError('DECRYPTION_FAILED', 'unwrapped session key has the wrong size');
  }
  return sessionKey;
}

/** AES-256-GCM with the zero nonce; throws CIPHERTEXT_MALFORMED when authentication fails. */
export function decryptBody(envelope: Envelope, sessionKey: Uint8Array): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', sessionKey, ZERO_NONCE, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(envelope.tag);
    const head = decipher.update(envelope.body);
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch (err) {
    throw new SealbridgeError(
      'CIPHERTEXT_MALFORMED',
      'sealed value failed authentication (modified or truncated)',
      { cause: err },
    );
  }
}

/** Opens one sealed value with one private key: exactly one RSA operation. */
export function openBytes(
  ciphertext: Uint8Array,
  label: Uint8Array,
  privateKey: KeyObject,
): Buffer {
  const envelope = parseEnvelope(ciphertext);
  return decryptBody(envelope, unwrapSessionKey(envelope, label, privateKey));
}

/** sealBytes, as the standard base64 string stored in `encryptedData`. */
export function sealValue(plaintext: Uint8Array, label: Uint8Array, publicKey: KeyObject): string {
  return sealBytes(plaintext, label, publicKey).toString('base64');
}

/** Decodes the standard base64 of `encryptedData`; throws CIPHERTEXT_MALFORMED on bad input. */
export function decodeSealedValue(text: string): Buffer {
  const bytes = decodeBase64Strict(text.trim());
  if (bytes === undefined) {
    throw new SealbridgeError('CIPHERTEXT_MALFORMED', 'sealed value is not valid base64');
  }
  return bytes;
}

/** openBytes on a base64 value. */
export function openValue(text: string, label: Uint8Array, privateKey: KeyObject): Buffer {
  return openBytes(decodeSealedValue(text), label, privateKey);
}
