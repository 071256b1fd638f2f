// The per-value cipher: ENC[AES256_GCM,data:…,iv:…,tag:…,type:…] with the tree path as AAD.
// Plaintext is the Go text of the leaf (see go-format.ts); a 32-byte random IV, as sops writes.
import { randomBytes } from 'node:crypto';
import { SealbridgeError } from '../errors.ts';
import { GcmKey } from './gcm.ts';
import { goFloatF, goParseBool, goParseFloat, goParseInt, inInt64 } from './go-format.ts';
import type { IvStash } from './iv-stash.ts';
import { isUtf8 } from 'node:buffer';
import { Comment, SopsBytes, SopsRawStr, SopsTime, type Scalar } from './tree.ts';

export type Leaf = Scalar | Comment;
export type RandomSource = (n: number) => Uint8Array;

const PREFIX = 'ENC[AES256_GCM,data:';
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const IV_BYTES = 32;

function isB64(s: string): boolean {
  return s.length % 4 === 0 && B64.test(s);
}

/** IVs from a pooled CSPRNG buffer: one randomFill per 2,048 values instead of one per value. */
export function pooledRandom(): RandomSource {
  let pool = Buffer.alloc(0);
  let off = 0;
  return (n) => {
    if (n > 4096) return randomBytes(n);
    if (off + n > pool.length) {
      pool = randomBytes(64 * 1024);
      off = 0;
    }
    const out = pool.subarray(off, off + n);
    off += n;
    return out;
  };
}

export interface EncValue {
  readonly data: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly type: string;
}

/** Parses an ENC[] string; null when it is not one (callers decide whether that is an error). */
export function parseEnc(s: string): EncValue | null {
  if (!s.startsWith(PREFIX) || !s.endsWith(']')) return null;
  const ivAt = s.indexOf(',iv:', PREFIX.length);
  const tagAt = ivAt < 0 ? -1 : s.indexOf(',tag:', ivAt + 4);
  const typeAt = tagAt < 0 ? -1 : s.indexOf(',type:', tagAt + 5);
  if (typeAt < 0) return null;
  const data = s.slice(PREFIX.length, ivAt);
  const iv = s.slice(ivAt + 4, tagAt);
  const tag = s.slice(tagAt + 5, typeAt);
  const type = s.slice(typeAt + 6, -1);
  if (data === '' || iv === '' || tag === '' || type === '') return null;
  if (!isB64(data) || !isB64(iv) || !isB64(tag)) return null;
  return {
    data: Buffer.from(data, 'base64'),
    iv: Buffer.from(iv, 'base64'),
    tag: Buffer.from(tag, 'base64'),
    type,
  };
}

export function isEncString(s: string): boolean {
  return s.startsWith(PREFIX);
}

/** The Go text sops encrypts and hashes for a leaf, with its ENC type name. */
export function leafBytes(v: Leaf): { type: string; text: string | Uint8Array } {
  if (typeof v === 'string') return { type: 'str', text: v };
  if (typeof v === 'boolean') return { type: 'bool', text: v ? 'True' : 'False' };
  if (typeof v === 'bigint') return { type: 'int', text: v.toString() };
  if (typeof v === 'number') return { type: 'float', text: goFloatF(v) };
  if (v instanceof Comment) return { type: 'comment', text: v.value };
  if (v instanceof SopsBytes) return { type: 'bytes', text: v.bytes };
  if (v instanceof SopsTime) return { type: 'time', text: v.text };
  if (v instanceof SopsRawStr) return { type: 'str', text: v.bytes };
  throw new SealbridgeError('SOPS_VALUE_INVALID', 'null values are never encrypted');
}

function isEmpty(v: Leaf): boolean {
  if (typeof v === 'string') return v === '';
  if (v instanceof Comment) return v.value === '';
  if (v instanceof SopsBytes || v instanceof SopsRawStr) return v.bytes.length === 0;
  return false;
}

function typed(type: string, plain: Buffer): Leaf | undefined {
  const text = plain.toString('utf8');
  switch (type) {
    case 'str':
      return isUtf8(plain) ? text : new SopsRawStr(new Uint8Array(plain));
    case 'comment':
      return new Comment(text);
    case 'bytes':
      return new SopsBytes(new Uint8Array(plain));
    case 'time':
      return new SopsTime(text);
    case 'int':
    case 'int64':
      return goParseInt(text) ?? undefined;
    case 'float':
      return goParseFloat(text) ?? undefined;
    case 'bool':
      return goParseBool(text) ?? undefined;
    default:
      return undefined;
  }
}

/** Encrypts and decrypts leaves with one data key; records and reuses IVs through the stash. */
export class ValueCipher {
  readonly #gcm: GcmKey;
  readonly #stash: IvStash | undefined;
  readonly #random: RandomSource;

  /** Without a stash, decryption does not record IVs (plain reads that never re-encrypt). */
  constructor(
    dataKey: Uint8Array,
    stash: IvStash | undefined,
    random: RandomSource = pooledRandom(),
  ) {
    this.#gcm = new GcmKey(dataKey);
    this.#stash = stash;
    this.#random = random;
  }

  /** Returns the ENC[] string, or "" for an empty string/comment/bytes (sops leaves those empty). */
  encrypt(value: Leaf, aad: string): string {
    if (isEmpty(value)) return '';
    if (typeof value === 'bigint' && !inInt64(value)) {
      throw new SealbridgeError(
        'SOPS_VALUE_INVALID',
        `integer at ${aad} is outside the int64 range sops supports`,
      );
    }
    const { type, text } = leafBytes(value);
    const plain = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    const iv = this.#stash?.lookup(type, text, aad) ?? this.#random(IV_BYTES);
    const { data, tag } = this.#gcm.seal(iv, plain, Buffer.from(aad, 'utf8'));
    return `${PREFIX}${data.toString('base64')},iv:${Buffer.from(iv).toString('base64')},tag:${tag.toString('base64')},type:${type}]`;
  }

  /**
   * Decrypts an ENC[] string. Throws SOPS_VALUE_INVALID for a malformed value and
   * DECRYPTION_FAILED when authentication fails (wrong key, tampered value or moved path).
   */
  decrypt(enc: string, aad: string): Leaf {
    const parsed = parseEnc(enc);
    if (parsed === null) {
      throw new SealbridgeError(
        'SOPS_VALUE_INVALID',
        `value at ${describe(aad)} is not a well-formed ENC[AES256_GCM,…] value`,
      );
    }
    // Like Go, the last 16 bytes of data||tag are the tag, whatever the split in the file.
    let data = parsed.data;
    let tag = parsed.tag;
    if (tag.length !== 16) {
      const joined = Buffer.concat([parsed.data, parsed.tag]);
      if (joined.length < 16) {
        throw new SealbridgeError(
          'SOPS_VALUE_INVALID',
          `value at ${describe(aad)} is too short to hold a GCM tag`,
        );
      }
      data = joined.subarray(0, joined.length - 16);
      tag = joined.subarray(joined.length - 16);
    }
    const plain = this.#gcm.open(parsed.iv, data, tag, Buffer.from(aad, 'utf8'));
    if (plain === null) {
      throw new SealbridgeError(
        'DECRYPTION_FAILED',
        `value at ${describe(aad)} failed authentication (tampered, moved, or encrypted with another data key)`,
      );
    }
    const value = typed(parsed.type, plain);
    if (value === undefined) {
      throw new SealbridgeError(
        'SOPS_VALUE_INVALID',
        `value at ${describe(aad)} has unknown type "${parsed.type}" or a plaintext that does not parse as it`,
      );
    }
    // Reuse is only safe for byte-identical plaintext: a value whose canonical text differs
    // (e.g. "true" stored for a bool re-encrypts as "True") must get a fresh IV.
    if (this.#stash !== undefined) {
      if (value instanceof SopsBytes || value instanceof SopsRawStr)
        this.#stash.remember(parsed.type, plain, aad, parsed.iv);
      else if (isUtf8(plain))
        this.#stash.remember(parsed.type, plain.toString('utf8'), aad, parsed.iv);
    }
    return value;
  }
}

/** A readable path for messages: `app:db:password:` → `app.db.password`. Never includes a value. */
export function describe(aad: string): string {
  const p = aad.endsWith(':') ? aad.slice(0, -1) : aad;
  return p === '' ? '(top level)' : p.split(':').join('.');
}
