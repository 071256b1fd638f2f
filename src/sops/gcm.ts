// AES-256-GCM for many small values under one data key, with arbitrary IV lengths (sops uses 32).
// node:crypto's createCipheriv costs ~20 µs per call here, which dominates a 100,000-value file;
// this keeps one native AES-ECB context per data key (OpenSSL, constant-time block cipher) for the
// counter-mode keystream, and does GHASH in JavaScript with per-byte tables derived from H.
// Correctness is checked against node:crypto's aes-256-gcm in test/sops/gcm.test.ts.
import { createCipheriv, timingSafeEqual, type Cipheriv } from 'node:crypto';

const TAG_BYTES = 16;

export class GcmKey {
  readonly #ecb: Cipheriv;
  /** 16 byte positions × 256 byte values × 4 words: T[j][b] = (b at byte j) · H in GF(2^128). */
  readonly #table: Uint32Array;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError('AES-256-GCM needs a 32-byte key');
    this.#ecb = createCipheriv('aes-256-ecb', key, null);
    this.#ecb.setAutoPadding(false);
    const h = this.#ecb.update(Buffer.alloc(16));
    this.#table = buildTable(h);
  }

  /** Encrypts; returns ciphertext (same length as plaintext) and the 16-byte tag. */
  seal(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): { data: Buffer; tag: Buffer } {
    const j0 = this.#j0(iv);
    const stream = this.#keystream(j0, plaintext.length);
    const data = Buffer.allocUnsafe(plaintext.length);
    for (let i = 0; i < plaintext.length; i++)
      data[i] = (plaintext[i] ?? 0) ^ (stream[16 + i] ?? 0);
    const tag = this.#tag(stream, aad, data);
    return { data, tag };
  }

  /** Decrypts and authenticates; returns null when the tag does not match. */
  open(iv: Uint8Array, data: Uint8Array, tag: Uint8Array, aad: Uint8Array): Buffer | null {
    if (tag.length !== TAG_BYTES || iv.length === 0) return null;
    const j0 = this.#j0(iv);
    const stream = this.#keystream(j0, data.length);
    const expected = this.#tag(stream, aad, data);
    if (!timingSafeEqual(expected, tag)) return null;
    const out = Buffer.allocUnsafe(data.length);
    for (let i = 0; i < data.length; i++) out[i] = (data[i] ?? 0) ^ (stream[16 + i] ?? 0);
    return out;
  }

  #j0(iv: Uint8Array): Uint8Array {
    if (iv.length === 12) {
      const j = new Uint8Array(16);
      j.set(iv);
      j[15] = 1;
      return j;
    }
    const s = new Uint32Array(4);
    this.#ghashBytes(s, iv);
    this.#ghashLengths(s, 0, iv.length);
    return wordsToBytes(s);
  }

  /** E(J0) followed by E(inc32^k(J0)) for enough blocks to cover `length` bytes. */
  #keystream(j0: Uint8Array, length: number): Buffer {
    const blocks = 1 + Math.ceil(length / 16);
    const counters = Buffer.allocUnsafe(blocks * 16);
    const base =
      (((j0[12] ?? 0) << 24) | ((j0[13] ?? 0) << 16) | ((j0[14] ?? 0) << 8) | (j0[15] ?? 0)) >>> 0;
    for (let b = 0; b < blocks; b++) {
      const off = b * 16;
      counters.set(j0.subarray(0, 12), off);
      counters.writeUInt32BE((base + b) >>> 0, off + 12);
    }
    return this.#ecb.update(counters);
  }

  #tag(stream: Buffer, aad: Uint8Array, data: Uint8Array): Buffer {
    const s = new Uint32Array(4);
    this.#ghashBytes(s, aad);
    this.#ghashBytes(s, data);
    this.#ghashLengths(s, aad.length, data.length);
    const tag = Buffer.allocUnsafe(16);
    for (let w = 0; w < 4; w++)
      tag.writeUInt32BE(((s[w] ?? 0) ^ stream.readUInt32BE(w * 4)) >>> 0, w * 4);
    return tag;
  }

  /** Absorbs bytes (zero-padded to a block boundary) into the GHASH state. */
  #ghashBytes(s: Uint32Array, bytes: Uint8Array): void {
    for (let off = 0; off < bytes.length; off += 16) {
      for (let i = 0; i < 16; i++) {
        const b = off + i < bytes.length ? (bytes[off + i] ?? 0) : 0;
        const w = i >> 2;
        s[w] = (s[w] ?? 0) ^ (b << (24 - 8 * (i & 3)));
      }
      this.#mulH(s);
    }
  }

  #ghashLengths(s: Uint32Array, aadLen: number, dataLen: number): void {
    const aBits = aadLen * 8;
    const cBits = dataLen * 8;
    s[0] = (s[0] ?? 0) ^ Math.floor(aBits / 0x100000000);
    s[1] = (s[1] ?? 0) ^ (aBits >>> 0);
    s[2] = (s[2] ?? 0) ^ Math.floor(cBits / 0x100000000);
    s[3] = (s[3] ?? 0) ^ (cBits >>> 0);
    this.#mulH(s);
  }

  #mulH(s: Uint32Array): void {
    const t = this.#table;
    let z0 = 0;
    let z1 = 0;
    let z2 = 0;
    let z3 = 0;
    for (let j = 0; j < 16; j++) {
      const b = ((s[j >> 2] ?? 0) >>> (24 - 8 * (j & 3))) & 0xff;
      const idx = (j * 256 + b) * 4;
      z0 ^= t[idx] ?? 0;
      z1 ^= t[idx + 1] ?? 0;
      z2 ^= t[idx + 2] ?? 0;
      z3 ^= t[idx + 3] ?? 0;
    }
    s[0] = z0;
    s[1] = z1;
    s[2] = z2;
    s[3] = z3;
  }
}

function wordsToBytes(s: Uint32Array): Uint8Array {
  const out = Buffer.allocUnsafe(16);
  for (let w = 0; w < 4; w++) out.writeUInt32BE((s[w] ?? 0) >>> 0, w * 4);
  return out;
}

/** P_k = x^k · H for k = 0..127 (bit 0 is the most significant bit of byte 0), then byte tables. */
function buildTable(h: Buffer): Uint32Array {
  const powers = new Uint32Array(128 * 4);
  let v0 = h.readUInt32BE(0);
  let v1 = h.readUInt32BE(4);
  let v2 = h.readUInt32BE(8);
  let v3 = h.readUInt32BE(12);
  for (let k = 0; k < 128; k++) {
    powers[k * 4] = v0;
    powers[k * 4 + 1] = v1;
    powers[k * 4 + 2] = v2;
    powers[k * 4 + 3] = v3;
    const lsb = v3 & 1;
    v3 = ((v3 >>> 1) | (v2 << 31)) >>> 0;
    v2 = ((v2 >>> 1) | (v1 << 31)) >>> 0;
    v1 = ((v1 >>> 1) | (v0 << 31)) >>> 0;
    v0 = (v0 >>> 1) ^ (lsb ? 0xe1000000 : 0);
  }
  const table = new Uint32Array(16 * 256 * 4);
  for (let j = 0; j < 16; j++) {
    for (let b = 1; b < 256; b++) {
      const low = b & -b;
      const bit = 7 - Math.log2(low);
      const rest = b ^ low;
      const dst = (j * 256 + b) * 4;
      const src = (j * 256 + rest) * 4;
      const p = (j * 8 + bit) * 4;
      for (let w = 0; w < 4; w++)
        table[dst + w] = ((table[src + w] ?? 0) ^ (powers[p + w] ?? 0)) >>> 0;
    }
  }
  return table;
}
