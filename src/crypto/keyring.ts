// Every private key a controller (or an offline recovery) holds, newest first, each named by its
// fingerprint. open() tries the hinted key first (the one that opened this SealedSecret last
// time), so with a right hint it costs exactly one RSA operation; otherwise it walks the ring
// newest first, skipping keys of the wrong size without touching RSA. The result says which key
// opened the value, so the caller can store it as the next hint.
import type { KeyObject } from 'node:crypto';
import { SealbridgeError } from '../errors.ts';
import {
  decodeSealedValue,
  decryptBody,
  modulusBytes,
  parseEnvelope,
  unwrapSessionKey,
} from './hybrid.ts';
import { keyFingerprint } from './keys.ts';

export interface KeyringKey {
  readonly fingerprint: string;
  readonly privateKey: KeyObject;
  /** The certificate's notBefore; orders keys by default (Bitnami's CertNotBefore). */
  readonly notBefore?: Date | undefined;
  /** The key Secret's creationTimestamp; orders keys with `order: 'creation-timestamp'`. */
  readonly createdAt?: Date | undefined;
  /** Where the key came from, for messages (a file name or namespace/name); never key material. */
  readonly source?: string | undefined;
}

export type KeyOrder = 'cert-not-before' | 'creation-timestamp';

export interface OpenOptions {
  /** Fingerprint to try first. An unknown fingerprint is ignored. */
  readonly hint?: string | undefined;
  /** Names the value in errors, e.g. "password in SealedSecret ns/name". */
  readonly item?: string | undefined;
  /** The label as text, for errors ("" = cluster-wide). Defaults to the label bytes as UTF-8. */
  readonly labelText?: string | undefined;
}

export interface OpenResult {
  readonly plaintext: Buffer;
  /** Fingerprint of the key that opened it. */
  readonly fingerprint: string;
  /** RSA private operations spent (1 when the hint was right). */
  readonly attempts: number;
}

interface Entry extends KeyringKey {
  readonly modulusBytes: number;
}

function timeOf(key: KeyringKey, order: KeyOrder): number {
  const date =
    order === 'creation-timestamp'
      ? (key.createdAt ?? key.notBefore)
      : (key.notBefore ?? key.createdAt);
  return date?.getTime() ?? 0;
}

/** Makes a KeyringKey from a bare private key (fingerprint computed). */
export function keyringKey(
  privateKey: KeyObject,
  extra: Omit<KeyringKey, 'fingerprint' | 'privateKey'> = {},
): KeyringKey {
  return { ...extra, privateKey, fingerprint: keyFingerprint(privateKey) };
}

export class Keyring {
  readonly #entries: readonly Entry[];
  readonly #byFingerprint: ReadonlyMap<string, Entry>;

  /** Duplicate fingerprints (the same key from two backups) are kept once. */
  constructor(keys: Iterable<KeyringKey>, order: KeyOrder = 'cert-not-before') {
    const unique = new Map<string, Entry>();
    for (const key of keys) {
      if (!unique.has(key.fingerprint)) {
        unique.set(key.fingerprint, { ...key, modulusBytes: modulusBytes(key.privateKey) });
      }
    }
    this.#entries = [...unique.values()].sort((a, b) => timeOf(b, order) - timeOf(a, order));
    this.#byFingerprint = new Map(this.#entries.map((e) => [e.fingerprint, e]));
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Keys newest first. */
  keys(): readonly KeyringKey[] {
    return this.#entries;
  }

  /** The newest key: the one new values are sealed with. */
  newest(): KeyringKey | undefined {
    return this.#entries[0];
  }

  get(fingerprint: string): KeyringKey | undefined {
    return this.#byFingerprint.get(fingerprint);
  }

  /** The order open() tries keys in for a given hint. */
  tryOrder(hint?: string): readonly KeyringKey[] {
    const first = hint === undefined ? undefined : this.#byFingerprint.get(hint);
    return first === undefined
      ? this.#entries
      : [first, ...this.#entries.filter((e) => e !== first)];
  }

  /**
   * Opens a sealed value (bytes or its base64 text). Throws NO_MATCHING_KEY naming the item and
   * the label when no key fits; CIPHERTEXT_TOO_SHORT / CIPHERTEXT_MALFORMED for damaged input.
   */
  open(ciphertext: Uint8Array | string, label: Uint8Array, options: OpenOptions = {}): OpenResult {
    const bytes = typeof ciphertext === 'string' ? decodeSealedValue(ciphertext) : ciphertext;
    const envelope = parseEnvelope(bytes);
    let attempts = 0;
    for (const entry of this.tryOrder(options.hint) as readonly Entry[]) {
      if (entry.modulusBytes !== envelope.wrappedKey.length) continue;
      attempts++;
      let sessionKey: Buffer;
      try {
        sessionKey = unwrapSessionKey(envelope, label, entry.privateKey);
      } catch (err) {
        if (err instanceof SealbridgeError && err.code === 'DECRYPTION_FAILED') continue;
        throw err;
      }
      // The RSA layer accepted this key, so a failure here is tampering, not a wrong key.
      return {
        plaintext: decryptBody(envelope, sessionKey),
        fingerprint: entry.fingerprint,
        attempts,
      };
    }
    throw this.#noKey(options, label, attempts);
  }

  #noKey(options: OpenOptions, label: Uint8Array, attempts: number): SealbridgeError {
    const item = options.item ?? 'value';
    const text = options.labelText ?? Buffer.from(label).toString('utf8');
    const scope = text === '' ? 'cluster-wide (empty label)' : `label "${text}"`;
    const tried =
      this.#entries.length === 0
        ? 'no keys loaded'
        : `tried ${attempts} of ${this.#entries.length} key${this.#entries.length === 1 ? '' : 's'}`;
    return new SealbridgeError(
      'NO_MATCHING_KEY',
      `no key could decrypt ${item} with ${scope} (${tried}): wrong key, or sealed for another scope, namespace or name`,
    );
  }
}
