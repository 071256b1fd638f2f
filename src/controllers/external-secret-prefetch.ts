// Window prefetch: the first periodic refresh of a window for a store reads, at once, every remote
// key that the store's other ExternalSecrets with the same refreshInterval will read in that
// window (each of them refreshes exactly once per window). The reads go out together, so AWS packs
// them into full BatchGetSecretValue calls (20 secrets each) instead of the near-empty batches
// that refreshes spread over the window would make, and every later refresh of the window is
// served from the cycle cache. Reads use the window start as `notOlderThan`, like the refreshes.
// Failures are ignored here: each ExternalSecret's own read reports them (errors are not cached).
// The keys come straight from the cached objects (no parse), so this stays cheap at 10,000.
import { durationToMs, tryParseGoDuration } from '../api/duration.ts';
import type { ObjectCacheReader } from '../kube/object-cache.ts';
import type { KubeObject } from '../kube/types.ts';
import type { RemoteRef, SecretProvider } from '../providers/types.ts';
import { storeKey, type StoreIndex } from './external-secret-stores.ts';

export interface PrefetchRequest {
  /** storeKey() of the store. */
  readonly store: string;
  /** Only consumers in this namespace (a referent store's client is per namespace). */
  readonly namespace?: string | undefined;
  readonly intervalMs: number;
  readonly windowStart: number;
  readonly provider: SecretProvider;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function storeOf(ref: unknown, ns: string | undefined): string | undefined {
  if (!isObj(ref)) return undefined;
  const name = str(ref['name']);
  if (name === undefined || name === '') return undefined;
  return storeKey(
    ref['kind'] === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore',
    ns,
    name,
  );
}

/** Periodic interval in ms of a raw ExternalSecret (ESO default 1h), or undefined if not periodic. */
function periodicIntervalMs(spec: Obj): number | undefined {
  const policy = str(spec['refreshPolicy']) ?? 'Periodic';
  if (policy !== 'Periodic') return undefined;
  const ns = tryParseGoDuration(str(spec['refreshInterval']) ?? '1h');
  return ns === undefined || ns <= 0n ? undefined : durationToMs(ns);
}

function remoteRef(v: unknown): RemoteRef | undefined {
  if (!isObj(v)) return undefined;
  const key = str(v['key']);
  if (key === undefined || key === '') return undefined;
  const version = str(v['version']);
  return {
    key,
    ...(version === undefined || version === '' ? {} : { version }),
    metadataPolicy: v['metadataPolicy'] === 'Fetch' ? 'Fetch' : 'None',
  };
}

export class WindowPrefetcher {
  readonly #index: StoreIndex;
  readonly #objects: ObjectCacheReader<KubeObject>;
  readonly #signal: AbortSignal;
  /** store|namespace|interval → the window already prefetched. */
  readonly #done = new Map<string, number>();

  constructor(options: {
    index: StoreIndex;
    externalSecrets: ObjectCacheReader<KubeObject>;
    signal?: AbortSignal;
  }) {
    this.#index = options.index;
    this.#objects = options.externalSecrets;
    this.#signal = options.signal ?? new AbortController().signal;
  }

  /** Starts the window's reads if nobody did yet; returns how many remote secrets it asked for. */
  prefetch(req: PrefetchRequest): number {
    const id = `${req.store}|${req.namespace ?? ''}|${String(req.intervalMs)}`;
    if ((this.#done.get(id) ?? -Infinity) >= req.windowStart) return 0;
    this.#done.set(id, req.windowStart);
    const refs = new Map<string, RemoteRef>();
    for (const esKey of this.#index.consumers(req.store)) {
      if (req.namespace !== undefined && !esKey.startsWith(`${req.namespace}/`)) continue;
      const raw = this.#objects.get(esKey);
      const spec = (raw as { spec?: unknown } | undefined)?.spec;
      if (raw === undefined || !isObj(spec) || periodicIntervalMs(spec) !== req.intervalMs)
        continue;
      const ns = raw.metadata.namespace;
      const own = storeOf(spec['secretStoreRef'], ns);
      const items: [unknown, unknown][] = [];
      for (const d of Array.isArray(spec['data']) ? (spec['data'] as unknown[]) : []) {
        if (isObj(d)) items.push([d['sourceRef'], d['remoteRef']]);
      }
      for (const d of Array.isArray(spec['dataFrom']) ? (spec['dataFrom'] as unknown[]) : []) {
        if (isObj(d)) items.push([d['sourceRef'], d['extract']]);
      }
      for (const [source, refObj] of items) {
        const s = isObj(source) ? (storeOf(source['storeRef'], ns) ?? own) : own;
        const ref = remoteRef(refObj);
        if (s !== req.store || ref === undefined) continue;
        refs.set(`${ref.key}\u0000${ref.version ?? ''}\u0000${ref.metadataPolicy ?? ''}`, ref);
      }
    }
    const options = { notOlderThan: req.windowStart };
    for (const ref of refs.values()) {
      req.provider.getSecret(ref, this.#signal, options).catch(() => undefined);
    }
    return refs.size;
  }
}
