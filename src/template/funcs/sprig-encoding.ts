// Sprig's encoding and hashing functions plus ESO's toYaml/fromYaml. Decoders are strict like Go's
// (padding required, newlines ignored) and fail with a position, never with the input text.
import { createHash } from 'node:crypto';
import { parseDocument, stringify } from 'yaml';
import { fromJs, stringBytes, stringFromBytes, toJs, type GoBytes, type Value } from '../values.ts';
import { decodeJson, encodeJson } from './go-json.ts';
import { fn, FuncError, type TemplateFunction } from './types.ts';

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** base64.StdEncoding.DecodeString: padding required, \r and \n ignored. */
export function decodeBase64Std(input: string): Uint8Array {
  const s = input.replace(/[\r\n]/g, '');
  const bad = /[^A-Za-z0-9+/=]/.exec(s);
  if (bad !== null) throw new FuncError(`illegal base64 data at input byte ${bad.index}`);
  const pad = s.indexOf('=');
  if (s.length % 4 !== 0)
    throw new FuncError(`illegal base64 data at input byte ${s.length - (s.length % 4)}`);
  if (!B64.test(s) || (pad >= 0 && pad < s.length - 2)) {
    throw new FuncError(`illegal base64 data at input byte ${pad >= 0 ? pad : s.length}`);
  }
  return Buffer.from(s, 'base64');
}

const B32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32_ALPHABET[(acc >>> (bits - 5)) & 31] ?? '';
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32_ALPHABET[(acc << (5 - bits)) & 31] ?? '';
  return out + '='.repeat((8 - (out.length % 8)) % 8);
}

function base32Decode(input: string): Uint8Array {
  const s = input.replace(/[\r\n]/g, '');
  if (s.length % 8 !== 0 || !/^[A-Z2-7]*=*$/.test(s)) throw new FuncError('illegal base32 data');
  const body = s.replace(/=+$/, '');
  if (![0, 2, 4, 5, 7].includes(body.length % 8)) throw new FuncError('illegal base32 data');
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const ch of body) {
    acc = ((acc << 5) | B32_ALPHABET.indexOf(ch)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

function hash(alg: string): TemplateFunction['call'] {
  return ([a = '']) =>
    createHash(alg)
      .update(stringBytes(a as string | GoBytes))
      .digest('hex');
}

function adler32(bytes: Uint8Array): bigint {
  let a = 1;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return BigInt(((b << 16) | a) >>> 0);
}

function toYaml(v: Value): string {
  if (v === null) return 'null';
  return stringify(toJs(v), {
    sortMapEntries: true,
    lineWidth: 0,
    aliasDuplicateObjects: false,
  }).replace(/\n$/, '');
}

function fromYaml(text: string): Value {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) throw new FuncError('invalid YAML');
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 100 });
  } catch {
    throw new FuncError('invalid YAML');
  }
  if (js === null || js === undefined) return fromJs({});
  if (typeof js !== 'object' || Array.isArray(js))
    throw new FuncError('YAML document is not a map');
  try {
    return fromJs(js, { maxDepth: 1000 });
  } catch {
    throw new FuncError('YAML document nested too deeply');
  }
}

const str = (v: Value | undefined): string | GoBytes => (v ?? '') as string | GoBytes;
const text = (v: Value | undefined): string => Buffer.from(stringBytes(str(v))).toString('utf8');

function lenient(call: TemplateFunction['call'], fallback: Value): TemplateFunction['call'] {
  return (args, ctx) => {
    try {
      return call(args, ctx);
    } catch (err) {
      if (err instanceof FuncError) return fallback;
      throw err;
    }
  };
}

const toJson =
  (escapeHtml: boolean, indent: string): TemplateFunction['call'] =>
  ([v = null]) =>
    encodeJson(v, { escapeHtml, indent });

export const SPRIG_ENCODING: ReadonlyMap<string, TemplateFunction> = new Map<
  string,
  TemplateFunction
>([
  ['b64enc', fn(['string'], ([a]) => Buffer.from(stringBytes(str(a))).toString('base64'))],
  ['b64dec', fn(['string'], ([a]) => stringFromBytes(decodeBase64Std(text(a))))],
  ['b32enc', fn(['string'], ([a]) => base32Encode(stringBytes(str(a))))],
  ['b32dec', fn(['string'], ([a]) => stringFromBytes(base32Decode(text(a))))],
  ['toJson', fn(['any'], lenient(toJson(true, ''), ''))],
  ['mustToJson', fn(['any'], toJson(true, ''))],
  ['toPrettyJson', fn(['any'], lenient(toJson(true, '  '), ''))],
  ['mustToPrettyJson', fn(['any'], toJson(true, '  '))],
  ['toRawJson', fn(['any'], toJson(false, ''))],
  ['mustToRawJson', fn(['any'], toJson(false, ''))],
  [
    'fromJson',
    fn(
      ['string'],
      lenient(([a]) => decodeJson(text(a)), null),
    ),
  ],
  ['mustFromJson', fn(['string'], ([a]) => decodeJson(text(a)))],
  ['toYaml', fn(['any'], ([v = null]) => toYaml(v))],
  ['fromYaml', fn(['string'], ([a]) => fromYaml(text(a)))],
  ['sha1sum', fn(['string'], hash('sha1'))],
  ['sha256sum', fn(['string'], hash('sha256'))],
  ['sha512sum', fn(['string'], hash('sha512'))],
  ['adler32sum', fn(['string'], ([a]) => adler32(stringBytes(str(a))).toString())],
]);
