import { describe, expect, it } from 'vitest';
import { decodeBase64Strict } from '../../src/manifest/base64.ts';
import { chooseFormat, formatManifests } from '../../src/manifest/format.ts';
import { stripServerMetadata } from '../../src/manifest/metadata.ts';
import { parseManifests } from '../../src/manifest/parse.ts';
import { SealbridgeError } from '../../src/errors.ts';

function errorOf(fn: () => unknown): SealbridgeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SealbridgeError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('parseManifests', () => {
  it('reads multi-document YAML, skipping empty documents, with indexes', () => {
    const docs = parseManifests('---\n# only a comment\n---\nkind: A\n---\nkind: B\n...\n', {
      source: 's',
    });
    expect(docs.map((d) => [d.object['kind'], d.index])).toEqual([
      ['A', 2],
      ['B', 3],
    ]);
    expect(docs[0]?.source).toBe('s');
  });

  it('reads one JSON object, several concatenated ones, and JSON with braces inside strings', () => {
    expect(parseManifests('{"kind":"A"}', { source: 's' })).toHaveLength(1);
    const many = parseManifests('{"kind":"A","x":"}{"}\n{\n "kind": "B"\n}\n', { source: 's' });
    expect(many.map((d) => d.object['kind'])).toEqual(['A', 'B']);
    expect(many[0]?.object['x']).toBe('}{');
  });

  it('expands v1/Lists into items, or keeps them when asked', () => {
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ kind: 'A' }, { kind: 'B' }],
    });
    const docs = parseManifests(list, { source: 's' });
    expect(docs.map((d) => [d.object['kind'], d.item])).toEqual([
      ['A', 1],
      ['B', 2],
    ]);
    expect(parseManifests(list, { source: 's', expandLists: false })).toHaveLength(1);
  });

  it('gives one-line typed errors with positions for malformed YAML', () => {
    const err = errorOf(() =>
      parseManifests('kind: A\n---\nkind: B\n  bad: [\n', { source: 'in.yaml' }),
    );
    expect(err.code).toBe('INVALID_YAML');
    expect(err.message).toMatch(/^in\.yaml: document 2: invalid YAML at line \d+, column \d+: /);
    expect(err.message).not.toContain('\n');
    expect(errorOf(() => parseManifests('a: 1\na: 2\n', { source: 's' })).message).toMatch(
      /unique|duplicate/i,
    );
  });

  it('gives one-line typed errors for malformed and truncated JSON', () => {
    const bad = errorOf(() => parseManifests('{"kind": "A",}', { source: 'x.json' }));
    expect(bad.code).toBe('INVALID_JSON');
    expect(bad.message).toMatch(/^x\.json: document 1 \(starting at line 1\): invalid JSON: /);
    const cut = errorOf(() => parseManifests('{"kind": "A"', { source: 'x.json' }));
    expect(cut.message).toBe(
      'x.json: invalid JSON at line 1, column 13: unexpected end of input (truncated?)',
    );
    expect(errorOf(() => parseManifests('{"a":1} junk', { source: 'x' })).message).toMatch(
      /unexpected character "j"/,
    );
  });

  it('refuses documents that are not objects', () => {
    expect(errorOf(() => parseManifests('- a\n- b\n', { source: 's' })).message).toBe(
      's: document 1: expected a Kubernetes object, got an array',
    );
    expect(errorOf(() => parseManifests('just text', { source: 's' })).code).toBe(
      'INVALID_MANIFEST',
    );
    expect(errorOf(() => parseManifests('[1]', { source: 's' })).code).toBe('INVALID_MANIFEST');
  });

  it('limits alias expansion (billion laughs)', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(',')}]`,
      );
    expect(errorOf(() => parseManifests(bomb.join('\n'), { source: 's' })).code).toBe(
      'INVALID_YAML',
    );
  });
});

describe('base64, metadata and formatting', () => {
  it('decodes strict base64 only (newlines allowed, as Go)', () => {
    expect(decodeBase64Strict('aGVsbG8=')?.toString()).toBe('hello');
    expect(decodeBase64Strict('aGVs\nbG8=')?.toString()).toBe('hello');
    expect(decodeBase64Strict('')?.length).toBe(0);
    for (const bad of ['aGVsbG8', 'aGVsbG8=x', 'a*==', 'aGVsbG8-', 'aGVsbG8_', '====']) {
      expect(decodeBase64Strict(bad)).toBeUndefined();
    }
  });

  it('strips server-side metadata and the last-applied annotation', () => {
    expect(
      stripServerMetadata({
        name: 'n',
        namespace: 'ns',
        uid: 'u',
        resourceVersion: '1',
        creationTimestamp: '2020-01-01T00:00:00Z',
        generation: 3,
        managedFields: [],
        selfLink: '/x',
        ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'y' }],
        labels: { a: 'b' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{}}' },
      }),
    ).toEqual({ name: 'n', namespace: 'ns', labels: { a: 'b' } });
  });

  it('prints YAML documents with --- and unfolded long strings, and JSON objects one after another', () => {
    const long = 'A'.repeat(300);
    const yaml = formatManifests([{ a: long }, { b: 1 }], 'yaml');
    expect(yaml).toBe(`---\na: ${long}\n---\nb: 1\n`);
    expect(formatManifests([{ a: 1 }, { b: 2 }], 'json')).toBe('{\n  "a": 1\n}\n{\n  "b": 2\n}\n');
    expect(
      parseManifests(formatManifests([{ kind: 'A' }, { kind: 'B' }], 'json'), { source: 's' }),
    ).toHaveLength(2);
  });

  it('chooses the output format from the flag, the file name, then the default', () => {
    expect(chooseFormat('json', 'x.yaml', 'yaml')).toBe('json');
    expect(chooseFormat(undefined, 'x.JSON', 'yaml')).toBe('json');
    expect(chooseFormat(undefined, 'x.yml', 'json')).toBe('yaml');
    expect(chooseFormat(undefined, undefined, 'yaml')).toBe('yaml');
    expect(() => chooseFormat('xml', undefined, 'yaml')).toThrow(/yaml or json/);
  });
});
