// From a fetched remote value to the bytes an ExternalSecret gets: `property` selection (ESO's
// rule: an exact top-level key first, else a gjson-style dotted path), JSON-to-bytes conversion,
// and the per-key map for `dataFrom.extract`. Error messages name the key and property only:
// JSON.parse messages quote the input, so they are never passed on.
import { ProviderError } from './errors.ts';
import type { RemoteValue } from './types.ts';

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** Where a value came from, for error messages. */
export interface ValueContext {
  readonly store: string;
  readonly key: string;
}

function where(ctx: ValueContext): string {
  return `${ctx.store}: key ${JSON.stringify(ctx.key)}`;
}

/** The value as JSON; the backend's own structure when it has one. */
export function parseJson(value: RemoteValue, ctx: ValueContext): unknown {
  if (value.json !== undefined) return value.json;
  try {
    return JSON.parse(utf8Decoder.decode(value.bytes)) as unknown;
  } catch {
    throw new ProviderError('PROVIDER_VALUE_INVALID', `${where(ctx)}: value is not valid JSON`);
  }
}

/** Splits a gjson-style path on unescaped dots; `\.` is a literal dot. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path.charAt(i);
    if (c === '\\' && i + 1 < path.length) {
      cur += path.charAt(i + 1);
      i++;
    } else if (c === '.') {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function step(node: unknown, segment: string): unknown {
  if (Array.isArray(node)) {
    if (segment === '#') return node.length;
    if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
    return node[Number(segment)] as unknown;
  }
  if (isObject(node) && Object.hasOwn(node, segment)) return node[segment];
  return undefined;
}

/** Looks `property` up in a parsed JSON document; undefined when absent. */
export function lookupProperty(root: unknown, property: string): unknown {
  if (isObject(root) && Object.hasOwn(root, property)) return root[property];
  let node = root;
  for (const segment of splitPath(property)) {
    node = step(node, segment);
    if (node === undefined) return undefined;
  }
  return node;
}

export function selectProperty(value: RemoteValue, property: string, ctx: ValueContext): unknown {
  const root = parseJson(value, ctx);
  const found = lookupProperty(root, property);
  if (found === undefined) {
    throw new ProviderError(
      'PROVIDER_PROPERTY_MISSING',
      `${where(ctx)}: property ${JSON.stringify(property)} does not exist`,
    );
  }
  return found;
}

/** A JSON value as secret bytes: strings verbatim, everything else as JSON text (gjson's String()). */
export function jsonToBytes(v: unknown): Uint8Array {
  if (typeof v === 'string') return utf8.encode(v);
  if (v === null || v === undefined) return new Uint8Array(0);
  if (typeof v === 'number' || typeof v === 'boolean') return utf8.encode(String(v));
  return utf8.encode(JSON.stringify(v));
}

/** getSecret: the whole value, or the selected property. */
export function valueBytes(value: RemoteValue, property: string | undefined, ctx: ValueContext) {
  if (property === undefined || property === '') return value.bytes;
  return jsonToBytes(selectProperty(value, property, ctx));
}

/** getSecretMap: the value (or its property) must be a JSON object; one entry per key. */
export function valueMap(
  value: RemoteValue,
  property: string | undefined,
  ctx: ValueContext,
): Map<string, Uint8Array> {
  const root =
    property === undefined || property === ''
      ? parseJson(value, ctx)
      : selectProperty(value, property, ctx);
  if (!isObject(root)) {
    throw new ProviderError(
      'PROVIDER_VALUE_INVALID',
      `${where(ctx)}: value is not a JSON object, so it cannot be extracted into keys`,
    );
  }
  const out = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(root)) out.set(k, jsonToBytes(v));
  return out;
}
