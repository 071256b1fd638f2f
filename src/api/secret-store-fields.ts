// Small typed readers for validating untrusted store objects. Each records an issue with the
// field path instead of throwing, so one validation pass reports every problem at once.
import type { SecretKeySelector, ServiceAccountSelector, StoreKind } from './secret-store.ts';

export interface StoreIssue {
  /** JSON-ish path, e.g. `spec.provider.vault.auth.kubernetes.role`. */
  readonly path: string;
  readonly message: string;
}

export interface FieldContext {
  readonly issues: StoreIssue[];
  readonly kind: StoreKind;
  /** The store's namespace (SecretStore only). */
  readonly namespace: string | undefined;
}

export type Obj = Readonly<Record<string, unknown>>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function issue(ctx: FieldContext, path: string, message: string): void {
  ctx.issues.push({ path, message });
}

export function readObj(ctx: FieldContext, o: Obj, key: string, path: string): Obj | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    issue(ctx, `${path}.${key}`, 'must be an object');
    return undefined;
  }
  return v;
}

export function readString(
  ctx: FieldContext,
  o: Obj,
  key: string,
  path: string,
  required = false,
): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    if (required) issue(ctx, `${path}.${key}`, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') {
    issue(ctx, `${path}.${key}`, 'must be a string');
    return undefined;
  }
  return v;
}

export function readEnum<T extends string>(
  ctx: FieldContext,
  o: Obj,
  key: string,
  path: string,
  allowed: readonly T[],
): T | undefined {
  const v = readString(ctx, o, key, path);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    issue(ctx, `${path}.${key}`, `must be one of ${allowed.join(', ')}`);
    return undefined;
  }
  return v as T;
}

export function readBool(
  ctx: FieldContext,
  o: Obj,
  key: string,
  path: string,
): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    issue(ctx, `${path}.${key}`, 'must be a boolean');
    return undefined;
  }
  return v;
}

export function readStringList(
  ctx: FieldContext,
  o: Obj,
  key: string,
  path: string,
): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    issue(ctx, `${path}.${key}`, 'must be a list of strings');
    return undefined;
  }
  return v;
}

export function readStringMap(
  ctx: FieldContext,
  o: Obj,
  key: string,
  path: string,
): Record<string, string> | undefined {
  const v = readObj(ctx, o, key, path);
  if (v === undefined) return undefined;
  if (!Object.values(v).every((x) => typeof x === 'string')) {
    issue(ctx, `${path}.${key}`, 'must map strings to strings');
    return undefined;
  }
  return { ...(v as Record<string, string>) };
}

/** A namespaced store may only name its own namespace; a cluster store may name any. */
function checkNamespace(ctx: FieldContext, ns: string | undefined, path: string): void {
  if (ctx.kind === 'SecretStore' && ns !== undefined && ns !== ctx.namespace) {
    issue(
      ctx,
      `${path}.namespace`,
      'must be empty or the SecretStore’s own namespace (a namespaced SecretStore cannot use credentials from another namespace)',
    );
  }
}

export function readSecretKeySelector(
  ctx: FieldContext,
  o: Obj,
  key: string,
  path: string,
  opts: { required?: boolean; keyRequired?: boolean } = {},
): SecretKeySelector | undefined {
  const sel = readObj(ctx, o, key, path);
  const p = `${path}.${key}`;
  if (sel === undefined) {
    if (opts.required === true) issue(ctx, p, 'is required');
    return undefined;
  }
  const name = readString(ctx, sel, 'name', p, true);
  const k = readString(ctx, sel, 'key', p, opts.keyRequired ?? true);
  const namespace = readString(ctx, sel, 'namespace', p);
  checkNamespace(ctx, namespace, p);
  if (name === undefined) return undefined;
  return {
    name,
    ...(k === undefined ? {} : { key: k }),
    ...(namespace === undefined ? {} : { namespace }),
  };
}

export function readServiceAccountSelector(
  ctx: FieldContext,
  o: Obj,
  key: string,
  path: string,
): ServiceAccountSelector | undefined {
  const sel = readObj(ctx, o, key, path);
  if (sel === undefined) return undefined;
  const p = `${path}.${key}`;
  const name = readString(ctx, sel, 'name', p, true);
  const namespace = readString(ctx, sel, 'namespace', p);
  const audiences = readStringList(ctx, sel, 'audiences', p);
  checkNamespace(ctx, namespace, p);
  if (name === undefined) return undefined;
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(audiences === undefined ? {} : { audiences }),
  };
}
