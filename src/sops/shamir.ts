// Shamir secret sharing over GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1, as in sops's fork
// of Vault's implementation: one random polynomial per secret byte, each part the y-bytes followed
// by its x coordinate; recovery interpolates at x = 0.
import { randomBytes } from 'node:crypto';
import { SealbridgeError } from '../errors.ts';

function mul(a: number, b: number): number {
  let r = 0;
  let x = a;
  let y = b;
  while (y > 0) {
    if (y & 1) r ^= x;
    x <<= 1;
    if (x & 0x100) x ^= 0x11b;
    y >>= 1;
  }
  return r;
}

function inv(a: number): number {
  if (a === 0) throw new SealbridgeError('INTERNAL', 'division by zero in GF(2^8)');
  // a^254 = a^-1 in GF(2^8)
  let r = 1;
  let base = a;
  let e = 254;
  while (e > 0) {
    if (e & 1) r = mul(r, base);
    base = mul(base, base);
    e >>= 1;
  }
  return r;
}

function evaluate(coeffs: Uint8Array, x: number): number {
  // Horner's rule from the highest degree down; coeffs[0] is the intercept.
  let acc = 0;
  for (let i = coeffs.length - 1; i >= 0; i--) acc = mul(acc, x) ^ (coeffs[i] ?? 0);
  return acc;
}

export type RandomSource = (n: number) => Uint8Array;

/** Splits `secret` into `parts` shares of which any `threshold` recover it. */
export function shamirSplit(
  secret: Uint8Array,
  parts: number,
  threshold: number,
  random: RandomSource = randomBytes,
): Uint8Array[] {
  if (parts < threshold)
    throw new SealbridgeError(
      'SOPS_CONFIG_INVALID',
      'Shamir: parts cannot be less than the threshold',
    );
  if (parts > 255)
    throw new SealbridgeError('SOPS_CONFIG_INVALID', 'Shamir: parts cannot exceed 255');
  if (threshold < 2)
    throw new SealbridgeError('SOPS_CONFIG_INVALID', 'Shamir: threshold must be at least 2');
  if (secret.length === 0)
    throw new SealbridgeError('SOPS_CONFIG_INVALID', 'Shamir: cannot split an empty secret');
  const out = Array.from({ length: parts }, (_, i) => {
    const p = new Uint8Array(secret.length + 1);
    p[secret.length] = i + 1;
    return p;
  });
  secret.forEach((byte, b) => {
    const coeffs = new Uint8Array(threshold);
    coeffs.set(random(threshold - 1), 1);
    coeffs[0] = byte;
    out.forEach((part, i) => {
      part[b] = evaluate(coeffs, i + 1);
    });
  });
  return out;
}

/** Recovers the secret from at least `threshold` parts (fewer give a wrong, not an error, result). */
export function shamirCombine(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length < 2)
    throw new SealbridgeError(
      'SOPS_DATA_KEY_UNAVAILABLE',
      'Shamir: fewer than two parts to combine',
    );
  const len = parts[0]?.length ?? 0;
  if (len < 2 || parts.some((p) => p.length !== len)) {
    throw new SealbridgeError(
      'SOPS_DATA_KEY_UNAVAILABLE',
      'Shamir: parts must be of equal length and longer than one byte',
    );
  }
  const xs = parts.map((p) => p[len - 1] ?? 0);
  if (new Set(xs).size !== xs.length || xs.includes(0)) {
    throw new SealbridgeError(
      'SOPS_DATA_KEY_UNAVAILABLE',
      'Shamir: duplicate or zero part coordinates',
    );
  }
  // Lagrange basis at x = 0: l_i = Π_{j≠i} x_j / (x_i ⊕ x_j).
  const basis = xs.map((xi, i) => {
    let num = 1;
    let den = 1;
    xs.forEach((xj, j) => {
      if (j === i) return;
      num = mul(num, xj);
      den = mul(den, xi ^ xj);
    });
    return mul(num, inv(den));
  });
  const secret = new Uint8Array(len - 1);
  for (let b = 0; b < len - 1; b++) {
    let acc = 0;
    parts.forEach((part, i) => {
      acc ^= mul(part[b] ?? 0, basis[i] ?? 0);
    });
    secret[b] = acc;
  }
  return secret;
}
