// Sealing scopes and their OAEP labels, exactly as Bitnami's EncryptionLabel: strict binds a
// value to "<namespace>/<name>", namespace-wide to "<namespace>", cluster-wide to nothing. The
// scope of a SealedSecret comes from its top-level annotations, ours or Bitnami's.
import { SCOPE_ANNOTATIONS } from '../api/annotations.ts';
import type { ApiFamily } from '../api/group.ts';
import { SealbridgeError } from '../errors.ts';
import type { StringMap } from '../manifest/types.ts';

export const SCOPES = ['strict', 'namespace-wide', 'cluster-wide'] as const;
export type SealingScope = (typeof SCOPES)[number];

export function isSealingScope(value: unknown): value is SealingScope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

export interface ScopeTarget {
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

/** The label as text, for messages ("" for cluster-wide). Throws when the target is incomplete. */
export function scopeLabelText(scope: SealingScope, target: ScopeTarget): string {
  const ns = target.namespace ?? '';
  const name = target.name ?? '';
  switch (scope) {
    case 'cluster-wide':
      return '';
    case 'namespace-wide':
      if (ns === '') {
        throw new SealbridgeError('INVALID_INPUT', 'namespace-wide scope needs a namespace');
      }
      return ns;
    case 'strict':
      if (ns === '' || name === '') {
        throw new SealbridgeError('INVALID_INPUT', 'strict scope needs a namespace and a name');
      }
      return `${ns}/${name}`;
  }
}

/** The OAEP label bytes for a scope and target. */
export function scopeLabel(scope: SealingScope, target: ScopeTarget): Buffer {
  return Buffer.from(scopeLabelText(scope, target), 'utf8');
}

/** Reads the scope from annotations of either family; cluster-wide wins, as in Bitnami. */
export function scopeFromAnnotations(annotations: Readonly<StringMap> | undefined): SealingScope {
  const a = annotations ?? {};
  const families = Object.values(SCOPE_ANNOTATIONS);
  if (families.some((f) => a[f.clusterWide] === 'true')) return 'cluster-wide';
  if (families.some((f) => a[f.namespaceWide] === 'true')) return 'namespace-wide';
  return 'strict';
}

/**
 * A copy of `annotations` that says `scope` in the given family's words: every scope annotation
 * of both families is removed first, so the result is unambiguous. Strict adds nothing.
 */
export function withScopeAnnotations(
  annotations: Readonly<StringMap> | undefined,
  scope: SealingScope,
  family: ApiFamily,
): StringMap {
  const scopeKeys = new Set<string>(
    Object.values(SCOPE_ANNOTATIONS).flatMap((f) => [f.clusterWide, f.namespaceWide]),
  );
  const out: StringMap = Object.fromEntries(
    Object.entries(annotations ?? {}).filter(([k]) => !scopeKeys.has(k)),
  );
  if (scope === 'cluster-wide') out[SCOPE_ANNOTATIONS[family].clusterWide] = 'true';
  if (scope === 'namespace-wide') out[SCOPE_ANNOTATIONS[family].namespaceWide] = 'true';
  return out;
}
