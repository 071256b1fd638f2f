// bcrypt ($2a$, as Go's golang.org/x/crypto/bcrypt writes it) for Sprig's htpasswd and bcrypt
// functions. node:crypto has no bcrypt, so this implements Provos and Mazières' EksBlowfish from
// the published algorithm: Blowfish initialised from pi, the expensive key schedule, and 64
// encryptions of "OrpheanBeholderScryDoubt".
import { PI_HEX_DIGITS } from './blowfish-pi.ts';

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const BCRYPT_MAX_PASSWORD_BYTES = 72;
export const BCRYPT_DEFAULT_COST = 10;

interface State {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
}

function initialState(): State {
  const words = new Uint32Array(18 + 1024);
  for (let i = 0; i < words.length; i++)
    words[i] = parseInt(PI_HEX_DIGITS.slice(i * 8, i * 8 + 8), 16);
  return { p: words.subarray(0, 18), s: words.subarray(18) };
}

/** Encrypts the block in lr[0], lr[1] in place. */
function encrypt(st: State, lr: Uint32Array): void {
  const { p, s } = st;
  let l = lr[0] ?? 0;
  let r = lr[1] ?? 0;
  for (let i = 0; i < 16; i += 2) {
    l ^= p[i] ?? 0;
    r ^=
      ((((s[l >>> 24] ?? 0) + (s[256 | ((l >>> 16) & 0xff)] ?? 0)) ^
        (s[512 | ((l >>> 8) & 0xff)] ?? 0)) +
        (s[768 | (l & 0xff)] ?? 0)) |
      0;
    r ^= p[i + 1] ?? 0;
    l ^=
      ((((s[r >>> 24] ?? 0) + (s[256 | ((r >>> 16) & 0xff)] ?? 0)) ^
        (s[512 | ((r >>> 8) & 0xff)] ?? 0)) +
        (s[768 | (r & 0xff)] ?? 0)) |
      0;
  }
  lr[0] = r ^ (p[17] ?? 0);
  lr[1] = l ^ (p[16] ?? 0);
}

/** Reads a 32-bit word from `data`, cycling, starting at pos[0]. */
function streamWord(data: Uint8Array, pos: Uint32Array): number {
  let w = 0;
  let j = pos[0] ?? 0;
  for (let i = 0; i < 4; i++) {
    w = (w << 8) | (data[j] ?? 0);
    j = (j + 1) % data.length;
  }
  pos[0] = j;
  return w >>> 0;
}

function expandKey(st: State, key: Uint8Array, salt: Uint8Array | undefined): void {
  const kp = new Uint32Array(1);
  for (let i = 0; i < 18; i++) st.p[i] = (st.p[i] ?? 0) ^ streamWord(key, kp);
  const lr = new Uint32Array(2);
  const sp = new Uint32Array(1);
  const fill = (arr: Uint32Array): void => {
    for (let i = 0; i < arr.length; i += 2) {
      if (salt !== undefined) {
        lr[0] = (lr[0] ?? 0) ^ streamWord(salt, sp);
        lr[1] = (lr[1] ?? 0) ^ streamWord(salt, sp);
      }
      encrypt(st, lr);
      arr[i] = lr[0] ?? 0;
      arr[i + 1] = lr[1] ?? 0;
    }
  };
  fill(st.p);
  fill(st.s);
}

function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    out += BCRYPT_ALPHABET[b0 >>> 2] ?? '';
    out += BCRYPT_ALPHABET[((b0 & 3) << 4) | (b1 >>> 4)] ?? '';
    if (i + 1 >= bytes.length) break;
    out += BCRYPT_ALPHABET[((b1 & 15) << 2) | (b2 >>> 6)] ?? '';
    if (i + 2 >= bytes.length) break;
    out += BCRYPT_ALPHABET[b2 & 63] ?? '';
  }
  return out;
}

/** Decodes bcrypt's base64; returns undefined on a character outside its alphabet. */
export function decodeBcryptBase64(text: string, length: number): Uint8Array | undefined {
  const vals: number[] = [];
  for (const ch of text) {
    const v = BCRYPT_ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    vals.push(v);
  }
  const out = new Uint8Array(length);
  let o = 0;
  for (let i = 0; i < vals.length && o < length; i += 4) {
    const [c0 = 0, c1 = 0, c2 = 0, c3 = 0] = vals.slice(i, i + 4);
    out[o++] = (c0 << 2) | (c1 >>> 4);
    if (o < length && i + 2 < vals.length) out[o++] = ((c1 & 15) << 4) | (c2 >>> 2);
    if (o < length && i + 3 < vals.length) out[o++] = ((c2 & 3) << 6) | c3;
  }
  return o === length ? out : undefined;
}

export interface BcryptOptions {
  readonly cost: number;
  /** 16 bytes of salt. */
  readonly salt: Uint8Array;
  /** The version written into the hash; all three hash the same for passwords of ≤ 72 bytes. */
  readonly version?: '2a' | '2b' | '2y';
}

/**
 * Hashes a password (at most 72 bytes, as current Go bcrypt requires) into the modular crypt
 * format `$2a$10$<22 chars salt><31 chars hash>`. Throws RangeError on bad arguments.
 */
export function bcryptHash(password: Uint8Array, opts: BcryptOptions): string {
  if (!Number.isInteger(opts.cost) || opts.cost < 4 || opts.cost > 31)
    throw new RangeError('bcrypt cost must be 4..31');
  if (opts.salt.length !== 16) throw new RangeError('bcrypt salt must be 16 bytes');
  if (password.length > BCRYPT_MAX_PASSWORD_BYTES)
    throw new RangeError('bcrypt password longer than 72 bytes');
  const key = new Uint8Array(password.length + 1);
  key.set(password);
  const st = initialState();
  expandKey(st, key, opts.salt);
  const rounds = 2 ** opts.cost;
  for (let i = 0; i < rounds; i++) {
    expandKey(st, key, undefined);
    expandKey(st, opts.salt, undefined);
  }
  const ctext = new Uint32Array(6);
  const magic = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');
  for (let i = 0; i < 6; i++) ctext[i] = magic.readUInt32BE(i * 4);
  const lr = new Uint32Array(2);
  for (let block = 0; block < 6; block += 2) {
    lr[0] = ctext[block] ?? 0;
    lr[1] = ctext[block + 1] ?? 0;
    for (let i = 0; i < 64; i++) encrypt(st, lr);
    ctext[block] = lr[0];
    ctext[block + 1] = lr[1];
  }
  const out = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) out.writeUInt32BE(ctext[i] ?? 0, i * 4);
  const cost = String(opts.cost).padStart(2, '0');
  return `$${opts.version ?? '2a'}$${cost}$${encodeBase64(opts.salt)}${encodeBase64(out.subarray(0, 23))}`;
}

/** Recomputes a modular-crypt bcrypt hash and compares; false for malformed hashes. */
export function bcryptVerify(password: Uint8Array, hash: string): boolean {
  const m = /^\$(2a|2b|2y)\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(hash);
  if (m === null) return false;
  const salt = decodeBcryptBase64(m[3] ?? '', 16);
  if (salt === undefined || password.length > BCRYPT_MAX_PASSWORD_BYTES) return false;
  const version = m[1] as '2a' | '2b' | '2y';
  return bcryptHash(password, { cost: Number(m[2]), salt, version }) === hash;
}
