// Encrypt-then-decrypt round trips over arbitrary trees: value types, comments and key order
// survive in YAML; values and key order in JSON; strings in dotenv.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptDocument } from '../../src/sops/decrypt.ts';
import { encryptBranches } from '../../src/sops/encrypt.ts';
import type { SopsFormat } from '../../src/sops/formats/index.ts';
import { ageKey } from '../../src/sops/keys/age.ts';
import { keySourceFromMaterial, type KeySource } from '../../src/sops/keys/source.ts';
import {
  Comment,
  TreeMap,
  TreeSeq,
  type MapEntry,
  type MapItem,
  type SeqItem,
  type Value,
} from '../../src/sops/tree.ts';
import { ageIdentity, type AgePair } from './helpers.ts';

const keyArb = fc
  .string({
    unit: fc.constantFrom(...Array.from('abcXYZ019 _-.:#@é😀"\'')),
    minLength: 1,
    maxLength: 12,
  })
  .filter((k) => k !== 'sops' && !k.endsWith('_unencrypted') && !k.startsWith('sops_'));

const commentArb = fc
  .string({ unit: fc.constantFrom(...'ab c#:é-'.split('')), maxLength: 10 })
  .map((s) => new Comment(' ' + s));

const scalarArb: fc.Arbitrary<Value> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
  fc.boolean(),
  fc.constant(null),
);

function treeArb(withComments: boolean): fc.Arbitrary<TreeMap> {
  const { map } = fc.letrec<{ map: TreeMap; seq: TreeSeq; value: Value }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalarArb,
      tie('map'),
      tie('seq'),
    ),
    map: fc
      .uniqueArray(
        fc.tuple(
          keyArb,
          tie('value'),
          withComments ? fc.option(commentArb, { freq: 4 }) : fc.constant(null),
        ),
        {
          selector: ([k]) => k,
          maxLength: 4,
        },
      )
      .map((entries) => {
        const m = new TreeMap();
        for (const [key, value, comment] of entries) {
          if (comment) m.items.push(comment);
          m.items.push({ key, value });
        }
        return m;
      }),
    // Comments go in mappings only: sops/go-yaml drop a list's leading comment when its first
    // item carries one too, so lists with comments do not always survive in sops either.
    seq: fc.array(tie('value'), { maxLength: 3 }).map((items) => new TreeSeq(items)),
  }));
  return map;
}

let id: AgePair;
let keys: KeySource;
beforeAll(async () => {
  id = await ageIdentity();
  keys = keySourceFromMaterial({ age: [id.identity] });
});

async function roundTrip(tree: TreeMap, format: SopsFormat): Promise<TreeMap> {
  const enc = await encryptBranches([tree], {
    format,
    keyGroups: [[ageKey(id.recipient)]],
    keys: keySourceFromMaterial({}),
  });
  const doc = await decryptDocument(enc.output, { format, keys });
  expect(doc.macVerified).toBe(true);
  return doc.branches[0]!;
}

/** The tree without comments: values, types and key order. */
function strip(v: Value): Value {
  if (v instanceof TreeMap)
    return new TreeMap(v.entries().map((e) => ({ key: e.key, value: strip(e.value) })));
  if (v instanceof TreeSeq)
    return new TreeSeq(v.items.filter((i): i is Value => !(i instanceof Comment)).map(strip));
  return v;
}

/** Every comment in document order (a comment opening a list item's mapping is written before
 * the item's dash, as go-yaml does, so its level may change but never its order). */
function comments(v: Value, out: string[] = []): string[] {
  const items: (MapItem | SeqItem)[] = v instanceof TreeMap || v instanceof TreeSeq ? v.items : [];
  for (const i of items) {
    if (i instanceof Comment) out.push(i.value);
    else comments(v instanceof TreeMap ? (i as MapEntry).value : (i as Value), out);
  }
  return out;
}

describe('encrypt → decrypt round trips', () => {
  it('YAML keeps types, comments and key order', async () => {
    await fc.assert(
      fc.asyncProperty(treeArb(true), async (tree) => {
        const back = await roundTrip(tree, 'yaml');
        expect(strip(back)).toEqual(strip(tree));
        expect(comments(back)).toEqual(comments(tree));
      }),
      { numRuns: 60 },
    );
  });

  it('JSON keeps types and key order', async () => {
    await fc.assert(
      fc.asyncProperty(treeArb(false), async (tree) => {
        expect(await roundTrip(tree, 'json')).toEqual(tree);
      }),
      { numRuns: 60 },
    );
  });

  it('dotenv keeps string values, key order and comments', async () => {
    const envKey = fc
      .string({ unit: fc.constantFrom(...'ABC_xyz019 .-'.split('')), minLength: 1, maxLength: 10 })
      .filter((k) => !k.startsWith('sops_') && !k.startsWith('#'));
    const envValue = fc
      .string({ maxLength: 20 })
      .filter((v) => !v.includes('\\n') && !v.includes('\r'));
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(envKey, envValue, fc.option(commentArb, { freq: 4 })), {
          selector: ([k]) => k,
          minLength: 1,
          maxLength: 6,
        }),
        async (entries) => {
          const tree = new TreeMap();
          for (const [key, value, c] of entries) {
            if (c) tree.items.push(c);
            tree.items.push({ key, value });
          }
          expect(await roundTrip(tree, 'dotenv')).toEqual(tree);
        },
      ),
      { numRuns: 40 },
    );
  });
});
