import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../src/manifest/parse.ts';
import { secretValues, validateSecret } from '../../src/manifest/secret.ts';

function one(text: string): ReturnType<typeof validateSecret> {
  const doc = parseManifests(text, { source: 'in.yaml' })[0];
  if (doc === undefined) throw new Error('no document');
  return validateSecret(doc);
}

describe('validateSecret', () => {
  it('accepts a kubectl-made Secret and merges data with stringData (stringData wins)', () => {
    const s = one(
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  creationTimestamp: null\ndata:\n  a: YQ==\n  b: Yg==\nstringData:\n  b: B\n  c: C\n',
    );
    expect(s.metadata.name).toBe('db');
    const values = secretValues(s);
    expect([...values.keys()]).toEqual(['a', 'b', 'c']);
    expect(values.get('b')?.toString()).toBe('B');
  });

  it('refuses other kinds, missing names and bad base64 with the document named', () => {
    expect(() => one('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n')).toThrow(
      'in.yaml: document 1: expected a v1 Secret, got v1/ConfigMap',
    );
    expect(() => one('kind: Secret\nmetadata: {}\n')).toThrow(
      'in.yaml: document 1: Secret has no metadata.name',
    );
    expect(() => one('kind: Secret\n')).toThrow(/has no metadata.name/);
    expect(() => one('kind: Secret\nmetadata: {name: x}\ndata: {pw: "not base64!"}\n')).toThrow(
      'in.yaml: document 1: data.pw of Secret x is not valid base64',
    );
  });

  it('refuses non-string values and invalid keys without echoing values', () => {
    expect(() => one('kind: Secret\nmetadata: {name: x}\nstringData: {port: 5432}\n')).toThrow(
      /stringData.port must be a string \(quote it in YAML\)/,
    );
    expect(() => one('kind: Secret\nmetadata: {name: x}\nstringData: {"a/b": v}\n')).toThrow(
      /not a valid Secret key/,
    );
    expect(() => one('kind: Secret\nmetadata: {name: x, namespace: 3}\n')).toThrow(
      /namespace must be a string/,
    );
    try {
      one('kind: Secret\nmetadata: {name: x}\ndata: {pw: "CANARY$$$"}\n');
    } catch (err) {
      expect((err as Error).message).not.toContain('CANARY');
    }
  });
});
