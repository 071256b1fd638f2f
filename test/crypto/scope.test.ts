import { describe, expect, it } from 'vitest';
import {
  scopeFromAnnotations,
  scopeLabel,
  scopeLabelText,
  withScopeAnnotations,
} from '../../src/crypto/scope.ts';

describe('scopes and labels', () => {
  it('builds Bitnami labels', () => {
    const t = { namespace: 'myns', name: 'myname' };
    expect(scopeLabelText('strict', t)).toBe('myns/myname');
    expect(scopeLabelText('namespace-wide', t)).toBe('myns');
    expect(scopeLabelText('cluster-wide', t)).toBe('');
    expect(scopeLabel('cluster-wide', {}).length).toBe(0);
  });

  it('refuses incomplete targets', () => {
    expect(() => scopeLabelText('strict', { namespace: 'a' })).toThrow(/namespace and a name/);
    expect(() => scopeLabelText('namespace-wide', { name: 'a' })).toThrow(/needs a namespace/);
  });

  it('reads ours and Bitnami annotations; cluster-wide wins', () => {
    expect(scopeFromAnnotations(undefined)).toBe('strict');
    expect(scopeFromAnnotations({ 'sealedsecrets.bitnami.com/namespace-wide': 'true' })).toBe(
      'namespace-wide',
    );
    expect(scopeFromAnnotations({ 'sealbridge.io/cluster-wide': 'true' })).toBe('cluster-wide');
    expect(
      scopeFromAnnotations({
        'sealbridge.io/namespace-wide': 'true',
        'sealedsecrets.bitnami.com/cluster-wide': 'true',
      }),
    ).toBe('cluster-wide');
    expect(scopeFromAnnotations({ 'sealbridge.io/cluster-wide': 'false' })).toBe('strict');
  });

  it('rewrites scope annotations in one family, dropping all others', () => {
    const before = {
      keep: 'x',
      'sealedsecrets.bitnami.com/cluster-wide': 'true',
      'sealbridge.io/namespace-wide': 'true',
    };
    expect(withScopeAnnotations(before, 'namespace-wide', 'bitnami')).toEqual({
      keep: 'x',
      'sealedsecrets.bitnami.com/namespace-wide': 'true',
    });
    expect(withScopeAnnotations(before, 'strict', 'sealbridge')).toEqual({ keep: 'x' });
    expect(withScopeAnnotations(undefined, 'cluster-wide', 'sealbridge')).toEqual({
      'sealbridge.io/cluster-wide': 'true',
    });
  });
});
