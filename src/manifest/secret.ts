// Validation of v1 Secrets read from manifests, and their values as bytes. Error messages name
// the document and the item key, never the value.
import { SealbridgeError } from '../errors.ts';
import { decodeBase64Strict } from './base64.ts';
import {
  describeDocument,
  isPlainObject,
  type ManifestDocument,
  type ObjectMeta,
  type SecretManifest,
  type StringMap,
  stringOr,
} from './types.ts';

/** Kubernetes data keys: alphanumerics, '-', '_' and '.'. */
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

function fail(
  code: 'WRONG_KIND' | 'MISSING_NAME' | 'INVALID_MANIFEST' | 'INVALID_BASE64',
  where: string,
  msg: string,
): never {
  throw new SealbridgeError(code, `${where}: ${msg}`);
}

function checkStringMap(value: unknown, field: string, where: string): StringMap | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) fail('INVALID_MANIFEST', where, `${field} must be a map of strings`);
  const out: StringMap = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      fail('INVALID_MANIFEST', where, `${field}.${key} must be a string (quote it in YAML)`);
    }
    out[key] = v;
  }
  return out;
}

function checkDataKeys(map: StringMap | undefined, field: string, where: string): void {
  for (const key of Object.keys(map ?? {})) {
    if (!DATA_KEY.test(key) || key === '.' || key === '..') {
      fail(
        'INVALID_MANIFEST',
        where,
        `${field} key ${JSON.stringify(key)} is not a valid Secret key`,
      );
    }
  }
}

function checkMetadata(value: unknown, where: string): ObjectMeta & { name: string } {
  if (!isPlainObject(value)) fail('MISSING_NAME', where, 'Secret has no metadata.name');
  const name = value['name'];
  if (typeof name !== 'string' || name === '') {
    fail('MISSING_NAME', where, 'Secret has no metadata.name');
  }
  const namespace = value['namespace'];
  if (namespace !== undefined && namespace !== null && typeof namespace !== 'string') {
    fail('INVALID_MANIFEST', where, 'metadata.namespace must be a string');
  }
  const labels = checkStringMap(value['labels'], 'metadata.labels', where);
  const annotations = checkStringMap(value['annotations'], 'metadata.annotations', where);
  const out: ObjectMeta & { name: string } = { ...value, name };
  delete out.labels;
  delete out.annotations;
  delete out.namespace;
  if (typeof namespace === 'string') out.namespace = namespace;
  if (labels !== undefined) out.labels = labels;
  if (annotations !== undefined) out.annotations = annotations;
  return out;
}

/**
 * Checks that a document is a v1 Secret with a name, string maps in `data`/`stringData`, and
 * valid base64 in `data`. Returns a typed copy (the input is not modified).
 */
export function validateSecret(doc: ManifestDocument): SecretManifest {
  const where = describeDocument(doc);
  const obj = doc.object;
  const kind = obj['kind'];
  const apiVersion = obj['apiVersion'];
  if (kind !== 'Secret' || (apiVersion !== 'v1' && apiVersion !== undefined)) {
    const got =
      typeof kind === 'string'
        ? [stringOr(apiVersion), kind].filter((s) => s !== undefined).join('/')
        : 'an object without kind';
    fail('WRONG_KIND', where, `expected a v1 Secret, got ${got}`);
  }
  const metadata = checkMetadata(obj['metadata'], where);
  const data = checkStringMap(obj['data'], 'data', where);
  const stringData = checkStringMap(obj['stringData'], 'stringData', where);
  checkDataKeys(data, 'data', where);
  checkDataKeys(stringData, 'stringData', where);
  for (const [key, value] of Object.entries(data ?? {})) {
    if (decodeBase64Strict(value) === undefined) {
      fail('INVALID_BASE64', where, `data.${key} of Secret ${metadata.name} is not valid base64`);
    }
  }
  const type = obj['type'];
  if (type !== undefined && type !== null && typeof type !== 'string') {
    fail('INVALID_MANIFEST', where, 'type must be a string');
  }
  const immutable = obj['immutable'];
  if (immutable !== undefined && immutable !== null && typeof immutable !== 'boolean') {
    fail('INVALID_MANIFEST', where, 'immutable must be true or false');
  }
  const secret: SecretManifest = { apiVersion: 'v1', kind: 'Secret', metadata };
  if (typeof type === 'string') secret.type = type;
  if (typeof immutable === 'boolean') secret.immutable = immutable;
  if (data !== undefined) secret.data = data;
  if (stringData !== undefined) secret.stringData = stringData;
  return secret;
}

/**
 * The Secret's values as bytes: `data` decoded, then `stringData` as UTF-8 on top (the API
 * server merges them the same way, stringData winning). Keys come out sorted, for stable output.
 */
export function secretValues(secret: SecretManifest): Map<string, Buffer> {
  const merged = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    const bytes = decodeBase64Strict(value);
    if (bytes === undefined) {
      throw new SealbridgeError(
        'INVALID_BASE64',
        `data.${key} of Secret ${secret.metadata.name} is not valid base64`,
      );
    }
    merged.set(key, bytes);
  }
  for (const [key, value] of Object.entries(secret.stringData ?? {})) {
    merged.set(key, Buffer.from(value, 'utf8'));
  }
  return new Map([...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
