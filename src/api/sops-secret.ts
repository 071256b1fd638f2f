// SopsSecret (sealbridge.io/v1alpha1): a Secret whose values are SOPS-encrypted in the object
// itself, so `sops` and `sealbridge sops` edit it like any SOPS file and the controller turns it
// into a v1 Secret of the same name.
//
//   apiVersion: sealbridge.io/v1alpha1
//   kind: SopsSecret
//   metadata: {name: db, namespace: app}
//   spec:
//     decryption: {secretRef: {name: sops-keys}}    # optional: Flux-style key Secret, same namespace
//     template: {type: Opaque, immutable: false, metadata: {labels: {}, annotations: {}}}
//     data: {tls.key: ENC[…]}                       # base64 values once decrypted, like Secret.data
//     stringData: {password: ENC[…]}                # text values, like Secret.stringData
//   sops: {…, encrypted_regex: ^(data|stringData)$, mac_only_encrypted: true}
//
// What survives `kubectl apply`, the API server and GitOps tools (see docs/sops-secret.md): only
// the values under spec.data and spec.stringData are encrypted, and with mac_only_encrypted the
// MAC covers exactly those values. Metadata, labels, annotations, status and the order the API
// server gives keys in are outside it; the controller hashes the encrypted values in canonical
// order (spec.data, then spec.stringData, keys in byte order), which is the order Sealbridge
// writes and the API server serves.
import { SealbridgeError } from '../errors.ts';
import {
  describeDocument,
  isPlainObject,
  metadataOf,
  stringOr,
  type ManifestDocument,
  type StringMap,
} from '../manifest/types.ts';
import { SEALBRIDGE_API_VERSION, SEALBRIDGE_GROUP } from './group.ts';

export const SOPS_SECRET_KIND = 'SopsSecret';
export const SOPS_SECRET_PLURAL = 'sopssecrets';
export const SOPS_SECRET_API_VERSION = SEALBRIDGE_API_VERSION;

/** The crypt rule every SopsSecret uses; `sealbridge sops encrypt` applies it by default. */
export const SOPS_SECRET_ENCRYPTED_REGEX = '^(data|stringData)$';
/** The payload maps, in the order the MAC covers them. */
export const SOPS_SECRET_PAYLOAD_FIELDS = ['data', 'stringData'] as const;

export interface SopsSecretTemplate {
  type?: string;
  immutable?: boolean;
  metadata?: { labels?: StringMap; annotations?: StringMap };
}

export interface SopsSecretSpec {
  decryption?: { secretRef?: { name: string } };
  template?: SopsSecretTemplate;
  /** Encrypted values; base64 once decrypted. */
  data?: Record<string, unknown>;
  /** Encrypted values; text once decrypted. */
  stringData?: Record<string, unknown>;
}

export interface SopsSecret {
  apiVersion: typeof SOPS_SECRET_API_VERSION;
  kind: typeof SOPS_SECRET_KIND;
  metadata: { name: string; namespace?: string; uid?: string; generation?: number } & Record<
    string,
    unknown
  >;
  spec: SopsSecretSpec;
  /** The SOPS metadata block, as written by sops (top level, like every SOPS file). */
  sops: Record<string, unknown>;
}

export function isSopsSecretObject(obj: unknown): boolean {
  return (
    isPlainObject(obj) &&
    obj['kind'] === SOPS_SECRET_KIND &&
    typeof obj['apiVersion'] === 'string' &&
    obj['apiVersion'].startsWith(`${SEALBRIDGE_GROUP}/`)
  );
}

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

function payload(
  value: unknown,
  field: string,
  where: string,
): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) invalid(where, `${field} must be a map`);
  for (const [k, v] of Object.entries(value)) {
    if (!/^[-._a-zA-Z0-9]+$/.test(k) || k.length > 253)
      invalid(where, `${field}: ${JSON.stringify(k.slice(0, 64))} is not a valid Secret key`);
    if (isPlainObject(v) || Array.isArray(v)) invalid(where, `${field}.${k} must be a scalar`);
  }
  return value;
}

function validateTemplate(value: unknown, where: string): SopsSecretTemplate | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) invalid(where, 'spec.template must be an object');
  const out: SopsSecretTemplate = {};
  const type = value['type'];
  if (type !== undefined && type !== null) {
    if (typeof type !== 'string' || type === '')
      invalid(where, 'spec.template.type must be a string');
    out.type = type;
  }
  const immutable = value['immutable'];
  if (immutable !== undefined && immutable !== null) {
    if (typeof immutable !== 'boolean')
      invalid(where, 'spec.template.immutable must be true or false');
    out.immutable = immutable;
  }
  const meta = value['metadata'];
  if (meta !== undefined && meta !== null) {
    if (!isPlainObject(meta)) invalid(where, 'spec.template.metadata must be an object');
    const labels = stringMap(meta['labels'], 'spec.template.metadata.labels', where);
    const annotations = stringMap(meta['annotations'], 'spec.template.metadata.annotations', where);
    out.metadata = {
      ...(labels === undefined ? {} : { labels }),
      ...(annotations === undefined ? {} : { annotations }),
    };
  }
  return out;
}

function validateSpec(value: unknown, where: string): SopsSecretSpec {
  if (!isPlainObject(value)) invalid(where, 'spec is missing');
  const spec: SopsSecretSpec = {};
  const dec = value['decryption'];
  if (dec !== undefined && dec !== null) {
    if (!isPlainObject(dec)) invalid(where, 'spec.decryption must be an object');
    const ref = dec['secretRef'];
    if (ref !== undefined && ref !== null) {
      const name = isPlainObject(ref) ? ref['name'] : undefined;
      if (typeof name !== 'string' || name === '')
        invalid(where, 'spec.decryption.secretRef.name must be a Secret name');
      if (isPlainObject(ref) && ref['namespace'] !== undefined)
        invalid(
          where,
          "spec.decryption.secretRef.namespace is not allowed: keys come from the SopsSecret's own namespace",
        );
      spec.decryption = { secretRef: { name } };
    }
  }
  const template = validateTemplate(value['template'], where);
  if (template !== undefined) spec.template = template;
  const data = payload(value['data'], 'spec.data', where);
  if (data !== undefined) spec.data = data;
  const stringData = payload(value['stringData'], 'spec.stringData', where);
  if (stringData !== undefined) spec.stringData = stringData;
  return spec;
}

/** Validates an object (from the API server or a manifest) as a SopsSecret. */
export function validateSopsSecret(obj: Record<string, unknown>, where: string): SopsSecret {
  if (!isSopsSecretObject(obj)) {
    const got = `${stringOr(obj['apiVersion']) ?? '?'}/${stringOr(obj['kind']) ?? '?'}`;
    throw new SealbridgeError(
      'WRONG_KIND',
      `${where}: expected a SopsSecret (${SOPS_SECRET_API_VERSION}), got ${got}`,
    );
  }
  if (obj['apiVersion'] !== SOPS_SECRET_API_VERSION)
    invalid(where, `apiVersion must be ${SOPS_SECRET_API_VERSION}`);
  const meta = metadataOf(obj);
  const name = meta?.['name'];
  if (meta === undefined || typeof name !== 'string' || name === '') {
    throw new SealbridgeError('MISSING_NAME', `${where}: SopsSecret has no metadata.name`);
  }
  const sops = obj['sops'];
  if (!isPlainObject(sops)) {
    throw new SealbridgeError(
      'SOPS_METADATA_MISSING',
      `${where}: the SopsSecret has no sops metadata block; encrypt it with sops or sealbridge sops encrypt`,
    );
  }
  return {
    apiVersion: SOPS_SECRET_API_VERSION,
    kind: SOPS_SECRET_KIND,
    metadata: meta as SopsSecret['metadata'],
    spec: validateSpec(obj['spec'], where),
    sops,
  };
}

/** validateSopsSecret for a manifest document (names the file and document in errors). */
export function validateSopsSecretDocument(doc: ManifestDocument): SopsSecret {
  return validateSopsSecret(doc.object, describeDocument(doc));
}

/** `namespace/name`, or the name alone. */
export function sopsSecretRef(ss: Pick<SopsSecret, 'metadata'>): string {
  const ns = ss.metadata.namespace;
  return ns === undefined || ns === '' ? ss.metadata.name : `${ns}/${ss.metadata.name}`;
}
