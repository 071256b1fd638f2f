import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValue } from '../../../src/providers/decoding.ts';
import { lookupProperty, splitPath, valueBytes, valueMap } from '../../../src/providers/value.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const ctx = { store: 'SecretStore a/b', key: 'k' };
const v = (s: string) => ({ bytes: enc.encode(s) });

describe('property selection', () => {
  it('prefers an exact top-level key, then a dotted path with escapes and indexes', () => {
    const doc = {
      'a.b': 'literal',
      a: { b: 'nested', 'c.d': 'escaped', list: [{ x: 1 }, { x: 2 }] },
    };
    expect(lookupProperty(doc, 'a.b')).toBe('literal');
    expect(lookupProperty(doc, 'a.c\\.d')).toBe('escaped');
    expect(lookupProperty(doc, 'a.list.1.x')).toBe(2);
    expect(lookupProperty(doc, 'a.list.#')).toBe(2);
    expect(lookupProperty(doc, 'a.list.01')).toBeUndefined();
    expect(lookupProperty(doc, 'a.__proto__')).toBeUndefined();
    expect(splitPath('x\\.y.z')).toEqual(['x.y', 'z']);
  });

  it('returns strings verbatim and other JSON as JSON text', () => {
    const value = v(JSON.stringify({ s: 'text', n: 1.5, b: true, o: { k: [1] }, z: null }));
    expect(dec.decode(valueBytes(value, 's', ctx))).toBe('text');
    expect(dec.decode(valueBytes(value, 'n', ctx))).toBe('1.5');
    expect(dec.decode(valueBytes(value, 'b', ctx))).toBe('true');
    expect(dec.decode(valueBytes(value, 'o', ctx))).toBe('{"k":[1]}');
    expect(dec.decode(valueBytes(value, 'z', ctx))).toBe('');
    expect([...valueMap(value, undefined, ctx).keys()]).toEqual(['s', 'n', 'b', 'o', 'z']);
  });

  it('gives typed errors that never quote the value', () => {
    const secret = 'not-json-SUPERSECRET';
    for (const fn of [
      () => valueBytes(v(secret), 'x', ctx),
      () => valueMap(v(secret), undefined, ctx),
      () => valueMap(v('"just a string"'), undefined, ctx),
    ]) {
      let err: unknown;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({
        code: expect.stringMatching(/^PROVIDER_(VALUE_INVALID|PROPERTY_MISSING)$/),
      });
      expect((err as Error).message).not.toContain('SUPERSECRET');
    }
    expect(() => valueBytes(v('{"a":1}'), 'b', ctx)).toThrow(
      expect.objectContaining({ code: 'PROVIDER_PROPERTY_MISSING' }),
    );
  });

  it('finds every top-level key of any JSON object (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        for (const [k, val] of Object.entries(obj)) {
          expect(lookupProperty(JSON.parse(JSON.stringify(obj)), k)).toEqual(
            JSON.parse(JSON.stringify(val)),
          );
        }
      }),
    );
  });
});

describe('decodingStrategy', () => {
  const d = (s: string, strategy: 'Auto' | 'Base64' | 'Base64URL' | 'None') =>
    dec.decode(decodeValue(enc.encode(s), strategy, () => 'k'));

  it('decodes strictly and leaves ordinary text alone under Auto', () => {
    expect(d('aGVsbG8=', 'Base64')).toBe('hello');
    expect(d('aGVs\nbG8=', 'Base64')).toBe('hello');
    expect(d('-_8=', 'Base64URL')).toBe(dec.decode(new Uint8Array([0xfb, 0xff])));
    expect(d('hello world', 'Auto')).toBe('hello world');
    expect(d('abc', 'Auto')).toBe('abc');
    expect(d('aGVsbG8=', 'None')).toBe('aGVsbG8=');
    expect(() => d('aGVsbG8', 'Base64')).toThrow(
      expect.objectContaining({ code: 'PROVIDER_VALUE_INVALID' }),
    );
    expect(() => d('a+b/', 'Base64URL')).toThrow(
      expect.objectContaining({ code: 'PROVIDER_VALUE_INVALID' }),
    );
  });

  it('round-trips any bytes through Base64, Base64URL and Auto (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const std = enc.encode(Buffer.from(bytes).toString('base64'));
        const url = enc.encode(
          Buffer.from(bytes)
            .toString('base64url')
            .padEnd(Math.ceil((bytes.length * 4) / 3 / 4) * 4, '='),
        );
        expect([...decodeValue(std, 'Base64', () => 'k')]).toEqual([...bytes]);
        expect([...decodeValue(std, 'Auto', () => 'k')]).toEqual([...bytes]);
        expect([...decodeValue(url, 'Base64URL', () => 'k')]).toEqual([...bytes]);
      }),
    );
  });
});
