import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, PatchError, type Json } from './patch.ts';
import {
  matchesFields,
  matchesSelector,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from './selectors.ts';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'sealbridge.io/managed': 'true', n: '5' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web, db)', true],
    ['app notin (web)', false],
    ['app,tier', true],
    ['!missing', true],
    ['!app', false],
    ['sealbridge.io/managed=true', true],
    ['app=web,tier=back', false],
    ['n>4', true],
    ['n<5', false],
  ];
  it.each(cases)('%s → %s', (sel, want) => {
    expect(matchesSelector(parseLabelSelector(sel), labels)).toBe(want);
  });

  it('rejects malformed selectors', () => {
    for (const bad of ['app in web', 'a b', '=x', 'app=(x)']) {
      expect(() => parseLabelSelector(bad), bad).toThrow(SelectorError);
    }
  });

  it('field selectors compare dotted paths', () => {
    const obj = { metadata: { name: 'a', namespace: 'n' }, type: 'Opaque' };
    expect(matchesFields(parseFieldSelector('metadata.name=a,type=Opaque'), obj)).toBe(true);
    expect(matchesFields(parseFieldSelector('metadata.namespace!=n'), obj)).toBe(false);
  });
});

const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom<Json>(null, true, false, 0, 1, 'a', 'b'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('patches', () => {
  it('merge patch: keys set to null are removed, objects merge recursively, the rest replaces', () => {
    expect(
      mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { a: null, b: { c: null, x: 1 }, e: [2] }),
    ).toEqual({ b: { d: 3, x: 1 }, e: [2] });
  });

  it('merge patch is idempotent (property)', () => {
    fc.assert(
      fc.property(json, json, (target, patch) => {
        const once = mergePatch(target, patch);
        expect(mergePatch(once, patch)).toEqual(once);
      }),
    );
  });

  it('JSON patch supports add/remove/replace/move/copy/test with pointer escapes', () => {
    const doc = { metadata: { labels: { 'a/b': '1' } }, list: [1, 2] };
    const out = jsonPatch(doc, [
      { op: 'add', path: '/metadata/labels/c~0d', value: '2' },
      { op: 'replace', path: '/metadata/labels/a~1b', value: '3' },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'remove', path: '/list/0' },
      { op: 'copy', from: '/list', path: '/copy' },
      { op: 'move', from: '/copy', path: '/moved' },
      { op: 'test', path: '/moved/0', value: 2 },
    ]);
    expect(out).toEqual({
      metadata: { labels: { 'a/b': '3', 'c~d': '2' } },
      list: [2, 3],
      moved: [2, 3],
    });
    expect(doc.list).toEqual([1, 2]);
  });

  it('JSON patch fails cleanly on bad paths and failed tests', () => {
    expect(() => jsonPatch({}, [{ op: 'remove', path: '/nope' }])).toThrow(PatchError);
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(PatchError);
    expect(() => jsonPatch({ a: [] }, [{ op: 'add', path: '/a/5', value: 1 }])).toThrow(PatchError);
    expect(() => jsonPatch({}, { op: 'add' })).toThrow(PatchError);
  });
});
