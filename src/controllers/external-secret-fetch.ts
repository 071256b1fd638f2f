// Reads everything an ExternalSecret asks for, with ESO's semantics: dataFrom items (extract or
// find) in order, then data items, later ones winning on key clashes. A remote secret that does
// not exist is an error under deletionPolicy Retain and is skipped under Delete and Merge.
// dataFrom keys are rewritten, or else converted (conversionStrategy), and must be valid Secret
// keys. Items are read concurrently, so reads of one ExternalSecret batch and coalesce too.
import { isValidSecretKey } from '../api/external-secret-fields.ts';
import type {
  ConversionStrategy,
  ExternalSecretData,
  ExternalSecretDataFrom,
} from '../api/external-secret.ts';
import { isSealbridgeError, SealbridgeError } from '../errors.ts';
import { isProviderError, ProviderError } from '../providers/errors.ts';
import type { SecretProvider } from '../providers/types.ts';
import type { CompiledExternalSecret } from './external-secret-spec.ts';

export interface FetchContext {
  /** The provider serving an item (its sourceRef store, else the ExternalSecret's). */
  readonly providerFor: (
    item: ExternalSecretData | ExternalSecretDataFrom,
  ) => Promise<SecretProvider>;
  readonly notOlderThan: number;
  readonly signal: AbortSignal;
}

export interface FetchedData {
  readonly data: Record<string, Uint8Array>;
  /** Items skipped because their remote secret does not exist (deletionPolicy Delete/Merge). */
  readonly missing: readonly string[];
}

/** ESO's key conversion: characters other than letters, digits, '-', '.', '_' are replaced. */
export function convertKey(key: string, strategy: ConversionStrategy): string {
  let out = '';
  for (const ch of key) {
    if (/[\p{L}\p{N}._-]/u.test(ch)) out += ch;
    else if (strategy === 'Unicode')
      out += `_U${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}_`;
    else out += '_';
  }
  return out;
}

function put(target: Record<string, Uint8Array>, key: string, value: Uint8Array): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Prefixes an error with where in the spec it came from, keeping its code and retry hints. */
function located(where: string, err: unknown): Error {
  if (isProviderError(err)) {
    return new ProviderError(err.code, `${where}: ${err.message}`, {
      retryable: err.retryable,
      ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
    });
  }
  if (isSealbridgeError(err)) {
    return new SealbridgeError(err.code, `${where}: ${err.message}`, { retryable: err.retryable });
  }
  return err instanceof Error ? err : new Error(String(err));
}

function checkNullBytes(where: string, value: Uint8Array, policy: string): void {
  if (policy === 'Fail' && value.includes(0)) {
    throw new SealbridgeError(
      'PROVIDER_VALUE_INVALID',
      `${where}: the value contains a NUL byte (nullBytePolicy: Fail)`,
    );
  }
}

function mapKeys(
  where: string,
  map: Map<string, Uint8Array>,
  item: ExternalSecretDataFrom,
  rewriter: ((d: Record<string, Uint8Array>) => Record<string, Uint8Array>) | undefined,
): Record<string, Uint8Array> {
  const plain: Record<string, Uint8Array> = {};
  for (const [k, v] of map) put(plain, k, v);
  let out: Record<string, Uint8Array>;
  if (rewriter !== undefined) {
    out = rewriter(plain);
  } else {
    const strategy = item.extract?.conversionStrategy ?? item.find?.conversionStrategy ?? 'Default';
    out = {};
    for (const [k, v] of Object.entries(plain)) {
      const converted = convertKey(k, strategy);
      if (Object.hasOwn(out, converted)) {
        throw new SealbridgeError(
          'EXTERNAL_SECRET_REWRITE',
          `${where}: keys convert to the same name ${JSON.stringify(converted)}; add a rewrite`,
        );
      }
      put(out, converted, v);
    }
  }
  for (const k of Object.keys(out)) {
    if (!isValidSecretKey(k)) {
      throw new SealbridgeError(
        'EXTERNAL_SECRET_REWRITE',
        `${where}: ${JSON.stringify(k)} is not a valid Secret key; add a rewrite`,
      );
    }
  }
  return out;
}

type Outcome =
  | { readonly kind: 'data'; readonly values: Record<string, Uint8Array> }
  | { readonly kind: 'missing'; readonly where: string };

async function fetchDataFrom(
  c: CompiledExternalSecret,
  index: number,
  ctx: FetchContext,
): Promise<Record<string, Uint8Array>> {
  const item = c.es.spec.dataFrom[index];
  if (item === undefined) return {};
  const where = `spec.dataFrom[${index}]`;
  const provider = await ctx.providerFor(item);
  const options = { notOlderThan: ctx.notOlderThan };
  let map: Map<string, Uint8Array>;
  if (item.extract !== undefined) {
    map = await provider.getSecretMap(item.extract, ctx.signal, options);
    for (const [k, v] of map)
      checkNullBytes(`${where} entry ${JSON.stringify(k)}`, v, item.extract.nullBytePolicy);
  } else if (item.find !== undefined) {
    const f = item.find;
    map = await provider.find(
      {
        ...(f.path === undefined ? {} : { path: f.path }),
        ...(f.name === undefined ? {} : { name: f.name }),
        ...(f.tags === undefined ? {} : { tags: f.tags }),
        decodingStrategy: f.decodingStrategy,
      },
      ctx.signal,
      options,
    );
  } else {
    return {};
  }
  return mapKeys(where, map, item, c.rewriters[index]);
}

async function fetchData(
  c: CompiledExternalSecret,
  index: number,
  ctx: FetchContext,
): Promise<Record<string, Uint8Array>> {
  const item = c.es.spec.data[index];
  if (item === undefined) return {};
  const provider = await ctx.providerFor(item);
  const value = await provider.getSecret(item.remoteRef, ctx.signal, {
    notOlderThan: ctx.notOlderThan,
  });
  checkNullBytes(`spec.data[${index}]`, value, item.remoteRef.nullBytePolicy);
  const out: Record<string, Uint8Array> = {};
  put(out, item.secretKey, value);
  return out;
}

async function guarded(
  where: string,
  skipMissing: boolean,
  work: () => Promise<Record<string, Uint8Array>>,
): Promise<Outcome> {
  try {
    return { kind: 'data', values: await work() };
  } catch (err) {
    if (skipMissing && isProviderError(err) && err.code === 'PROVIDER_NOT_FOUND') {
      return { kind: 'missing', where };
    }
    throw located(where, err);
  }
}

/** Fetches and merges every item; throws the first failure (with its spec location). */
export async function fetchExternalSecretData(
  c: CompiledExternalSecret,
  ctx: FetchContext,
): Promise<FetchedData> {
  const skipMissing = c.es.spec.target.deletionPolicy !== 'Retain';
  const jobs: Promise<Outcome>[] = [
    ...c.es.spec.dataFrom.map((_, i) =>
      guarded(`spec.dataFrom[${i}]`, skipMissing, () => fetchDataFrom(c, i, ctx)),
    ),
    ...c.es.spec.data.map((d, i) =>
      guarded(`spec.data[${i}] (key ${JSON.stringify(d.remoteRef.key)})`, skipMissing, () =>
        fetchData(c, i, ctx),
      ),
    ),
  ];
  const settled = await Promise.allSettled(jobs);
  const data: Record<string, Uint8Array> = {};
  const missing: string[] = [];
  for (const s of settled) {
    if (s.status === 'rejected')
      throw s.reason instanceof Error ? s.reason : new Error(String(s.reason));
    if (s.value.kind === 'missing') missing.push(s.value.where);
    else for (const [k, v] of Object.entries(s.value.values)) put(data, k, v);
  }
  return { data, missing };
}
