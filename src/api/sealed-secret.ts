// SealedSecret: sealbridge.io/v1alpha1, with the same spec as bitnami.com/v1alpha1 so either
// apiVersion is read the same way. validateSealedSecret() turns an untrusted object into this
// type or throws INVALID_MANIFEST naming the field.
import { SealbridgeError } from '../errors.ts';
import {
  describeDocument,
  isPlainObject,
  metadataOf,
  stringOr,
  type ManifestDocument,
  type ObjectMeta,
  type StringMap,
} from '../manifest/types.ts';
import {
  isSealedSecretApiVersion,
  SEALED_SECRET_KIND,
  type SealedSecretApiVersion,
} from './group.ts';

/** Metadata the controller copies onto the Secret (name and namespace are forced to the SealedSecret's). */
export interface SecretTemplateMetadata {
  name?: string;
  namespace?: string;
  labels?: StringMap;
  annotations?: StringMap;
  finalizers?: string[];
  [key: string]: unknown;
}

export interface SecretTemplate {
  metadata?: SecretTemplateMetadata;
  type?: string;
  immutable?: boolean;
  /** Go-template strings rendered with the decrypted items; outputs go into Secret.data. */
  data?: StringMap;
}

export interface SealedSecretSpec {
  /** Item key → base64 hybrid ciphertext. */
  encryptedData?: StringMap;
  template?: SecretTemplate;
  /** Bitnami's deprecated form: one ciphertext (base64) of the whole v1 Secret as JSON. */
  data?: string;
}

export interface SealedSecretCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

export interface SealedSecretStatus {
  observedGeneration?: number;
  conditions?: SealedSecretCondition[];
  /** Fingerprint of the key that opened the SealedSecret last; the keyring's next hint. */
  keyFingerprint?: string;
}

export interface SealedSecret {
  apiVersion: SealedSecretApiVersion;
  kind: 'SealedSecret';
  metadata: ObjectMeta & { name: string };
  spec: SealedSecretSpec;
  status?: SealedSecretStatus;
}

/** The condition type the controller reports, as Bitnami's (Argo CD's health check reads it). */
export const SYNCED_CONDITION = 'Synced';

function invalid(where: string, msg: string): never {
  throw new SealbridgeError('INVALID_MANIFEST', `${where}: ${msg}`);
}

function stringMap(value: unknown, field: string, where: string): StringMap | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) invalid(where, `${field} must be a map of strings`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') invalid(where, `${field}.${k} must be a string`);
  }
  return value as StringMap;
}

function validateTemplate(value: unknown, where: string): SecretTemplate | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) invalid(where, 'spec.template must be an object');
  const out: SecretTemplate = {};
  const meta = value['metadata'];
  if (meta !== undefined && meta !== null) {
    if (!isPlainObject(meta)) invalid(where, 'spec.template.metadata must be an object');
    const labels = stringMap(meta['labels'], 'spec.template.metadata.labels', where);
    const annotations = stringMap(meta['annotations'], 'spec.template.metadata.annotations', where);
    out.metadata = { ...meta };
    if (labels !== undefined) out.metadata.labels = labels;
    if (annotations !== undefined) out.metadata.annotations = annotations;
  }
  const type = value['type'];
  if (type !== undefined && type !== null) {
    if (typeof type !== 'string') invalid(where, 'spec.template.type must be a string');
    out.type = type;
  }
  const immutable = value['immutable'];
  if (immutable !== undefined && immutable !== null) {
    if (typeof immutable !== 'boolean')
      invalid(where, 'spec.template.immutable must be true or false');
    out.immutable = immutable;
  }
  const data = stringMap(value['data'], 'spec.template.data', where);
  if (data !== undefined) out.data = data;
  return out;
}

function validateSpec(value: unknown, where: string): SealedSecretSpec {
  if (!isPlainObject(value)) invalid(where, 'spec is missing');
  const spec: SealedSecretSpec = {};
  const encryptedData = stringMap(value['encryptedData'], 'spec.encryptedData', where);
  if (encryptedData !== undefined) spec.encryptedData = encryptedData;
  const template = validateTemplate(value['template'], where);
  if (template !== undefined) spec.template = template;
  const data = value['data'];
  if (data !== undefined && data !== null) {
    if (typeof data !== 'string') invalid(where, 'spec.data must be a base64 string');
    spec.data = data;
  }
  if (spec.data !== undefined && Object.keys(spec.encryptedData ?? {}).length > 0) {
    invalid(where, 'spec.data (deprecated) and spec.encryptedData cannot be used together');
  }
  return spec;
}

/** Validates an object read from a manifest as a SealedSecret of either apiVersion. */
export function validateSealedSecret(doc: ManifestDocument): SealedSecret {
  const where = describeDocument(doc);
  const obj = doc.object;
  const apiVersion = obj['apiVersion'];
  if (obj['kind'] !== SEALED_SECRET_KIND || !isSealedSecretApiVersion(apiVersion)) {
    const got = `${stringOr(apiVersion) ?? '?'}/${stringOr(obj['kind']) ?? '?'}`;
    throw new SealbridgeError(
      'WRONG_KIND',
      `${where}: expected a SealedSecret (sealbridge.io/v1alpha1 or bitnami.com/v1alpha1), got ${got}`,
    );
  }
  const meta = metadataOf(obj);
  const name = meta?.['name'];
  if (meta === undefined || typeof name !== 'string' || name === '') {
    throw new SealbridgeError('MISSING_NAME', `${where}: SealedSecret has no metadata.name`);
  }
  stringMap(meta['annotations'], 'metadata.annotations', where);
  stringMap(meta['labels'], 'metadata.labels', where);
  const namespace = meta['namespace'];
  if (namespace !== undefined && namespace !== null && typeof namespace !== 'string') {
    invalid(where, 'metadata.namespace must be a string');
  }
  const metadata: SealedSecret['metadata'] = { ...meta, name };
  if (typeof namespace !== 'string') delete metadata.namespace;
  const ss: SealedSecret = {
    apiVersion,
    kind: SEALED_SECRET_KIND,
    metadata,
    spec: validateSpec(obj['spec'], where),
  };
  const status = obj['status'];
  if (isPlainObject(status)) ss.status = status;
  return ss;
}

/** "ns/name" (or "name"), for messages. */
export function sealedSecretRef(ss: Pick<SealedSecret, 'metadata'>): string {
  const ns = ss.metadata.namespace;
  return ns === undefined || ns === '' ? ss.metadata.name : `${ns}/${ss.metadata.name}`;
}
