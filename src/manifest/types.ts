// Plain shapes of Kubernetes objects as read from manifests. Manifests are untrusted input, so
// these describe what was validated, not what the parser returns (that is `unknown`).

export type StringMap = Record<string, string>;

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: StringMap;
  annotations?: StringMap;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

/** A v1 Secret as read from or written to a manifest; `data` values are base64. */
export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta & { name: string };
  type?: string;
  immutable?: boolean;
  data?: StringMap;
  stringData?: StringMap;
}

/** An object read from untrusted input: nothing about its fields is known yet. */
export type UnknownObject = Record<string, unknown>;

/** One document of a manifest stream, with where it came from for error messages. */
export interface ManifestDocument {
  readonly object: UnknownObject;
  /** File name, URL or "stdin". */
  readonly source: string;
  /** 1-based document number in the stream. */
  readonly index: number;
  /** 1-based position inside a v1/List document, when the object came from one. */
  readonly item?: number;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` if it is a string, else undefined. */
export function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The metadata of an untrusted object, when it is an object. */
export function metadataOf(obj: UnknownObject): UnknownObject | undefined {
  const meta = obj['metadata'];
  return isPlainObject(meta) ? meta : undefined;
}

/** "stdin: document 2" / "a.yaml: document 1, item 3": the prefix of every manifest error. */
export function describeDocument(doc: Pick<ManifestDocument, 'source' | 'index' | 'item'>): string {
  const item = doc.item === undefined ? '' : `, item ${doc.item}`;
  return `${doc.source}: document ${doc.index}${item}`;
}
