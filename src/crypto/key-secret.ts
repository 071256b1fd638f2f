// Sealing-key Secrets, ours and Bitnami's: `kubernetes.io/tls` with `tls.key` (PKCS#1 PEM) and
// `tls.crt`, labelled `<family label>=active`. Any other label value (e.g. `compromised`)
// disables the key. Pure functions over plain objects: the controller lists the Secrets, these
// helpers turn them into keyring entries, and `keys generate --secret` writes one.
import {
  BITNAMI_LEGACY_KEY_NAME,
  SEALING_KEY_ACTIVE,
  SEALING_KEY_LABELS,
} from '../api/annotations.ts';
import type { ApiFamily } from '../api/group.ts';
import { SealbridgeError } from '../errors.ts';
import { decodeBase64Strict } from '../manifest/base64.ts';
import {
  isPlainObject,
  metadataOf,
  stringOr,
  type KubeObject,
  type ObjectMeta,
  type StringMap,
  type UnknownObject,
} from '../manifest/types.ts';
import { parseCertificate, type SealingCertificate } from './certificate.ts';
import type { KeyringKey } from './keyring.ts';
import { keyFingerprint, parsePrivateKeyPem } from './keys.ts';
import type { KeyObject } from 'node:crypto';

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';
export const TLS_KEY = 'tls.key';
export const TLS_CERT = 'tls.crt';

/** active: labelled active; disabled: labelled anything else; unlabelled: neither label present. */
export type KeyStatus = 'active' | 'disabled' | 'unlabelled';

export interface ParsedKeySecret {
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  readonly fingerprint: string;
  readonly privateKey: KeyObject;
  /** Absent when the Secret has no `tls.crt`. */
  readonly cert: SealingCertificate | undefined;
  readonly notBefore: Date | undefined;
  readonly notAfter: Date | undefined;
  readonly createdAt: Date | undefined;
  readonly active: boolean;
  readonly status: KeyStatus;
  /** Whose label it carries; unlabelled Secrets count as Bitnami's (legacy `sealed-secrets-key`). */
  readonly source: ApiFamily;
}

function labelsOf(obj: UnknownObject): StringMap {
  const labels = metadataOf(obj)?.['labels'];
  const out: StringMap = {};
  if (!isPlainObject(labels)) return out;
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

function metaString(obj: UnknownObject, field: string): string | undefined {
  return stringOr(metadataOf(obj)?.[field]);
}

/** Disabled wins when the two families disagree: a key someone marked compromised stays off. */
export function keyStatus(labels: Readonly<StringMap>): KeyStatus {
  const values = [labels[SEALING_KEY_LABELS.sealbridge], labels[SEALING_KEY_LABELS.bitnami]].filter(
    (v): v is string => v !== undefined,
  );
  if (values.length === 0) return 'unlabelled';
  return values.every((v) => v === SEALING_KEY_ACTIVE) ? 'active' : 'disabled';
}

/** True for Secrets the controller should consider: labelled by either family, or Bitnami's legacy name. */
export function isKeySecret(obj: KubeObject): boolean {
  if (obj.kind !== 'Secret') return false;
  return (
    keyStatus(labelsOf(obj)) !== 'unlabelled' || obj.metadata?.name === BITNAMI_LEGACY_KEY_NAME
  );
}

function field(obj: UnknownObject, key: string, where: string): string | undefined {
  const data = obj['data'];
  const stringData = obj['stringData'];
  if (isPlainObject(stringData) && typeof stringData[key] === 'string') return stringData[key];
  if (!isPlainObject(data) || data[key] === undefined || data[key] === null) return undefined;
  const raw = data[key];
  const bytes = typeof raw === 'string' ? decodeBase64Strict(raw) : undefined;
  if (bytes === undefined) {
    throw new SealbridgeError('INVALID_BASE64', `${where}: data.${key} is not valid base64`);
  }
  return bytes.toString('utf8');
}

function dateOf(text: unknown): Date | undefined {
  if (typeof text !== 'string') return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function describe(obj: UnknownObject, fallback: string): string {
  const name = metaString(obj, 'name');
  const ns = metaString(obj, 'namespace');
  if (name === undefined) return fallback;
  return ns === undefined ? `Secret ${name}` : `Secret ${ns}/${name}`;
}

/**
 * Reads a sealing-key Secret. Throws INVALID_PRIVATE_KEY when `tls.key` is missing or unreadable,
 * or when `tls.crt` belongs to another key. `where` names the object in messages.
 */
export function parseKeySecret(obj: UnknownObject, where = 'key Secret'): ParsedKeySecret {
  const name = describe(obj, where);
  if (obj['kind'] !== 'Secret') {
    throw new SealbridgeError('WRONG_KIND', `${name}: expected a Secret holding a sealing key`);
  }
  const keyPem = field(obj, TLS_KEY, name);
  if (keyPem === undefined) {
    throw new SealbridgeError('INVALID_PRIVATE_KEY', `${name}: has no ${TLS_KEY}`);
  }
  const privateKey = parsePrivateKeyPem(keyPem, `${name} ${TLS_KEY}`);
  const fingerprint = keyFingerprint(privateKey);
  const certPem = field(obj, TLS_CERT, name);
  const cert = certPem === undefined ? undefined : parseCertificate(certPem, `${name} ${TLS_CERT}`);
  if (cert !== undefined && cert.fingerprint !== fingerprint) {
    throw new SealbridgeError(
      'INVALID_PRIVATE_KEY',
      `${name}: ${TLS_CERT} does not belong to ${TLS_KEY}`,
    );
  }
  const labels = labelsOf(obj);
  const status = keyStatus(labels);
  return {
    name: metaString(obj, 'name'),
    namespace: metaString(obj, 'namespace'),
    fingerprint,
    privateKey,
    cert,
    notBefore: cert?.notBefore,
    notAfter: cert?.notAfter,
    createdAt: dateOf(metaString(obj, 'creationTimestamp')),
    active: status === 'active',
    status,
    source: labels[SEALING_KEY_LABELS.sealbridge] === undefined ? 'bitnami' : 'sealbridge',
  };
}

/** The Secrets in one parsed document: itself, or the items of a v1/List. */
export function keySecretObjects(obj: UnknownObject): UnknownObject[] {
  const kind = obj['kind'];
  const items: unknown = obj['items'];
  if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items)) {
    return items.filter(isPlainObject);
  }
  return [obj];
}

export function toKeyringKey(parsed: ParsedKeySecret): KeyringKey {
  const source =
    parsed.name === undefined
      ? undefined
      : parsed.namespace === undefined
        ? parsed.name
        : `${parsed.namespace}/${parsed.name}`;
  return {
    fingerprint: parsed.fingerprint,
    privateKey: parsed.privateKey,
    notBefore: parsed.notBefore,
    createdAt: parsed.createdAt,
    source,
  };
}

export interface BuildKeySecretOptions {
  readonly namespace: string;
  /** A fixed name, or else `generateName` (default `sealbridge-key-`) lets the API server pick. */
  readonly name?: string | undefined;
  readonly generateName?: string | undefined;
  readonly privateKeyPem: string;
  readonly certPem: string;
  /** Also label it for Bitnami's controller, so both can use it during a migration. */
  readonly bitnamiLabel?: boolean;
  readonly labels?: Readonly<StringMap>;
  readonly annotations?: Readonly<StringMap>;
}

export const DEFAULT_KEY_GENERATE_NAME = 'sealbridge-key-';

/** A `kubernetes.io/tls` Secret holding a sealing key, labelled active. */
export function buildKeySecret(options: BuildKeySecretOptions): KubeObject {
  const labels: StringMap = {
    ...options.labels,
    [SEALING_KEY_LABELS.sealbridge]: SEALING_KEY_ACTIVE,
  };
  if (options.bitnamiLabel === true) labels[SEALING_KEY_LABELS.bitnami] = SEALING_KEY_ACTIVE;
  const metadata: ObjectMeta = { namespace: options.namespace, labels };
  if (options.name !== undefined && options.name !== '') metadata.name = options.name;
  else metadata.generateName = options.generateName ?? DEFAULT_KEY_GENERATE_NAME;
  if (options.annotations !== undefined) metadata.annotations = { ...options.annotations };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata,
    type: TLS_SECRET_TYPE,
    data: {
      [TLS_CERT]: Buffer.from(options.certPem, 'utf8').toString('base64'),
      [TLS_KEY]: Buffer.from(options.privateKeyPem, 'utf8').toString('base64'),
    },
  };
}

/**
 * A copy of a key Secret with its status label(s) set: `active`, or a disabling value such as
 * `compromised`. Both families' labels that are present are set; ours is always set.
 */
export function withKeyStatusLabel(obj: KubeObject, value: string): KubeObject {
  const labels: StringMap = { ...labelsOf(obj), [SEALING_KEY_LABELS.sealbridge]: value };
  if (labelsOf(obj)[SEALING_KEY_LABELS.bitnami] !== undefined)
    labels[SEALING_KEY_LABELS.bitnami] = value;
  return { ...obj, metadata: { ...obj.metadata, labels } };
}
