// The pure half of the secret writer: may this controller write an existing Secret, in which
// mode, and what exactly should the Secret look like afterwards. No I/O here, so every rule is
// unit-testable. See secret-writer.ts for the flow around it and docs/controller.md for the rules.
import { createHash } from 'node:crypto';
import { OWNERSHIP_ANNOTATIONS } from '../api/annotations.ts';
import { SealbridgeError } from '../errors.ts';
import type { KubeObject, OwnerReference, SecretObject } from '../kube/types.ts';

/** Label on every Secret a Sealbridge controller writes: the owner's kind in lower case. */
export const MANAGED_BY_LABEL = 'sealbridge.io/managed-by';
/** `<Kind>/<name>` of the owner (same namespace), for Secrets that carry no ownerReference. */
export const OWNER_ANNOTATION = 'sealbridge.io/owner';
/** Hash of the inputs the Secret was computed from (the caller's sourceHash plus owner and policy). */
export const SOURCE_HASH_ANNOTATION = 'sealbridge.io/source-hash';
/** Hash of what was written (the managed view below): an edit by anyone else changes it. */
export const DATA_HASH_ANNOTATION = 'sealbridge.io/data-hash';
/** Merge mode: the data keys this controller wrote, so keys it no longer wants can be removed. */
export const MERGED_KEYS_ANNOTATION = 'sealbridge.io/merged-keys';

const HASH_ANNOTATIONS = new Set([SOURCE_HASH_ANNOTATION, DATA_HASH_ANNOTATION]);

export type WriteMode = 'replace' | 'merge';

export interface WritePolicy {
  /** Create the Secret when it does not exist (false: only write into an existing one). */
  readonly create: boolean;
  /** Make the owner the Secret's controller ownerReference (garbage collection with the owner). */
  readonly ownerReference: boolean;
  /**
   * Which existing Secrets may be written. 'owned': controlled by the owner, or marked as written
   * for it, or annotated `managed`/`patch` (either family), as Bitnami's controller allows.
   * 'any': every existing Secret (ESO's creationPolicy Merge).
   */
  readonly adopt: 'owned' | 'any';
  /**
   * 'replace': data, labels and annotations become exactly the desired ones (plus markers).
   * 'merge': desired items are laid over the existing ones. 'auto': merge when the existing
   * Secret is annotated `patch` (either family), else replace, as Bitnami does.
   */
  readonly mode: WriteMode | 'auto';
}

/** What the caller wants the Secret to hold. `data` values are base64, as the API sends them. */
export interface DesiredSecret {
  readonly type?: string | undefined;
  readonly immutable?: boolean | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
  readonly data: Readonly<Record<string, string>>;
}

export interface Ownership {
  readonly allowed: boolean;
  readonly mode: WriteMode;
  /** Whether the controller ownerReference is (re)set; false leaves ownerReferences alone. */
  readonly touchOwnerReferences: boolean;
}

type StrMap = Readonly<Record<string, string>>;

function anyFamily(annotations: StrMap | undefined, which: 'managed' | 'patch'): boolean {
  return Object.values(OWNERSHIP_ANNOTATIONS).some((f) => annotations?.[f[which]] === 'true');
}

export function ownerMarker(owner: KubeObject): string {
  return `${owner.kind ?? ''}/${owner.metadata.name ?? ''}`;
}

export function managedByValue(owner: KubeObject): string {
  return (owner.kind ?? '').toLowerCase();
}

/** The controller ownerReference pointing at `owner`. */
export function ownerReferenceTo(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Decides whether and how an existing Secret may be written for `owner`. */
export function decideOwnership(
  existing: KubeObject,
  owner: KubeObject,
  policy: WritePolicy,
): Ownership {
  const meta = existing.metadata;
  const controller = meta.ownerReferences?.find((r) => r.controller === true);
  const controlledByUs = controller !== undefined && controller.uid === owner.metadata.uid;
  const managed = anyFamily(meta.annotations, 'managed');
  const patch = anyFamily(meta.annotations, 'patch');
  const markedOurs =
    meta.annotations?.[OWNER_ANNOTATION] === ownerMarker(owner) &&
    meta.labels?.[MANAGED_BY_LABEL] === managedByValue(owner) &&
    controller === undefined;
  const allowed = policy.adopt === 'any' || controlledByUs || markedOurs || managed || patch;
  const mode: WriteMode = policy.mode === 'auto' ? (patch ? 'merge' : 'replace') : policy.mode;
  // Bitnami: a patched Secret keeps its owners unless it is also annotated managed.
  const touchOwnerReferences = mode === 'replace' || managed;
  return { allowed, mode, touchOwnerReferences };
}

export function notOwnedError(namespace: string, name: string, owner: KubeObject): SealbridgeError {
  return new SealbridgeError(
    'SECRET_NOT_OWNED',
    `Secret ${namespace}/${name} already exists and is not managed by ${owner.kind ?? 'this object'} ${owner.metadata.name ?? ''}; ` +
      `annotate it sealbridge.io/managed: "true" (or patch: "true") to let Sealbridge take it over`,
  );
}

function sorted(map: StrMap | undefined): [string, string][] {
  return Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function hashJson(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** The hash stored as SOURCE_HASH_ANNOTATION: the caller's inputs, the owner's uid and the policy. */
export function effectiveSourceHash(
  sourceHash: string,
  owner: KubeObject,
  policy: WritePolicy,
): string {
  return hashJson([sourceHash, owner.metadata.uid ?? '', policy]).slice(0, 32);
}

export function mergedKeysOf(secret: KubeObject): string[] {
  const raw = secret.metadata.annotations?.[MERGED_KEYS_ANNOTATION];
  return raw === undefined || raw === '' ? [] : raw.split(',');
}

/**
 * What the data hash covers. Replace mode: type, immutable, all data, labels and annotations
 * (except the hash annotations themselves). Merge mode: type and the data keys we wrote.
 */
export function managedView(secret: SecretObject, mode: WriteMode): unknown {
  const type = secret.type ?? 'Opaque';
  if (mode === 'merge') {
    const keys = new Set(mergedKeysOf(secret));
    return ['merge', type, sorted(secret.data).filter(([k]) => keys.has(k))];
  }
  const annotations = sorted(secret.metadata.annotations).filter(([k]) => !HASH_ANNOTATIONS.has(k));
  return [
    'replace',
    type,
    secret.immutable === true,
    sorted(secret.data),
    sorted(secret.metadata.labels),
    annotations,
  ];
}

export function dataHash(secret: SecretObject, mode: WriteMode): string {
  return hashJson(managedView(secret, mode)).slice(0, 32);
}

interface NextInput {
  readonly namespace: string;
  readonly name: string;
  readonly owner: KubeObject;
  readonly policy: WritePolicy;
  readonly desired: DesiredSecret;
  readonly sourceHash: string;
}

function ownerRefs(
  current: readonly OwnerReference[] | undefined,
  owner: KubeObject,
  set: boolean,
): OwnerReference[] {
  const uid = owner.metadata.uid;
  // Setting ours replaces any other controller (there can be only one); otherwise only ours goes.
  const kept = (current ?? []).filter((r) => r.uid !== uid && !(set && r.controller === true));
  return set && uid !== undefined && uid !== '' ? [...kept, ownerReferenceTo(owner)] : kept;
}

function withHashes(secret: SecretObject, mode: WriteMode, sourceHash: string): SecretObject {
  const annotations: Record<string, string> = {
    ...secret.metadata.annotations,
    [SOURCE_HASH_ANNOTATION]: sourceHash,
  };
  const draft = { ...secret, metadata: { ...secret.metadata, annotations } };
  annotations[DATA_HASH_ANNOTATION] = dataHash(draft, mode);
  return draft;
}

/** The Secret to create when none exists. */
export function newSecret(input: NextInput): SecretObject {
  const { desired, owner } = input;
  const refs = ownerRefs(undefined, owner, input.policy.ownerReference);
  const secret: SecretObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: { ...desired.labels, [MANAGED_BY_LABEL]: managedByValue(owner) },
      annotations: { ...desired.annotations, [OWNER_ANNOTATION]: ownerMarker(owner) },
      ...(refs.length > 0 ? { ownerReferences: refs } : {}),
    },
    type: desired.type ?? 'Opaque',
    data: { ...desired.data },
    ...(desired.immutable === true ? { immutable: true } : {}),
  };
  return withHashes(secret, 'replace', input.sourceHash);
}

/**
 * The existing Secret after this write. Throws SECRET_IMMUTABLE (not retryable) when the change
 * touches what Kubernetes never lets change: data of an immutable Secret, or the type.
 */
export function nextSecret(existing: SecretObject, input: NextInput, own: Ownership): SecretObject {
  const { desired, owner } = input;
  const meta = existing.metadata;
  const type = desired.type ?? 'Opaque';
  const where = `Secret ${input.namespace}/${input.name}`;
  if ((existing.type ?? 'Opaque') !== type) {
    throw new SealbridgeError(
      'SECRET_IMMUTABLE',
      `${where} has type ${existing.type ?? 'Opaque'}, and a Secret's type cannot change to ${type}: delete the Secret to have it recreated`,
    );
  }
  const markers = { [OWNER_ANNOTATION]: ownerMarker(owner) };
  const managedBy = { [MANAGED_BY_LABEL]: managedByValue(owner) };
  let data: Record<string, string>;
  let labels: Record<string, string>;
  let annotations: Record<string, string>;
  if (own.mode === 'replace') {
    data = { ...desired.data };
    labels = { ...desired.labels, ...managedBy };
    annotations = { ...desired.annotations, ...markers };
  } else {
    const dropped = new Set(mergedKeysOf(existing).filter((k) => !(k in desired.data)));
    data = Object.fromEntries(Object.entries(existing.data ?? {}).filter(([k]) => !dropped.has(k)));
    Object.assign(data, desired.data);
    labels = { ...meta.labels, ...desired.labels, ...managedBy };
    annotations = { ...meta.annotations, ...desired.annotations, ...markers };
    annotations[MERGED_KEYS_ANNOTATION] = Object.keys(desired.data).sort().join(',');
  }
  const refs = own.touchOwnerReferences
    ? ownerRefs(meta.ownerReferences, owner, input.policy.ownerReference)
    : [...(meta.ownerReferences ?? [])];
  const immutable = existing.immutable === true || desired.immutable === true;
  if (
    existing.immutable === true &&
    JSON.stringify(sorted(existing.data)) !== JSON.stringify(sorted(data))
  ) {
    throw new SealbridgeError(
      'SECRET_IMMUTABLE',
      `${where} is immutable and its data differs from what is wanted: delete the Secret to have it recreated`,
    );
  }
  const next: SecretObject = {
    ...existing,
    metadata: {
      ...meta,
      labels,
      annotations,
      ownerReferences: refs.length > 0 ? refs : undefined,
    },
    type,
    data,
    ...(immutable ? { immutable: true } : {}),
  };
  return withHashes(next, own.mode, input.sourceHash);
}

/** Whether a write would change anything the writer manages. */
export function sameSecret(a: SecretObject, b: SecretObject): boolean {
  const view = (s: SecretObject): unknown => [
    s.type ?? 'Opaque',
    s.immutable === true,
    sorted(s.data),
    sorted(s.metadata.labels),
    sorted(s.metadata.annotations),
    s.metadata.ownerReferences ?? [],
  ];
  return JSON.stringify(view(a)) === JSON.stringify(view(b));
}

/**
 * True when `existing` is exactly what a write with this source hash produced and nobody has
 * edited it since: then nothing needs computing (no decryption) and nothing is written.
 */
export function isCurrent(existing: SecretObject, own: Ownership, sourceHash: string): boolean {
  const ann = existing.metadata.annotations;
  return (
    own.allowed &&
    ann?.[SOURCE_HASH_ANNOTATION] === sourceHash &&
    ann[DATA_HASH_ANNOTATION] === dataHash(existing, own.mode)
  );
}
