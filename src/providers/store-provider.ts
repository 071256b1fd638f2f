// The SecretProvider every store gets: a backend's wire operations plus coalescing, the cycle
// cache, property selection and decoding. Property and decoding run after the shared fetch, so
// `property: a` and `property: b` of one remote secret cost one call. With coalescing off, each
// read is its own provider call (ESO's model), which the benchmark uses as the baseline.
import type { Clock } from '../clock.ts';
import { Coalescer } from './coalescer.ts';
import { decodeValue } from './decoding.ts';
import { ProviderError, isProviderError } from './errors.ts';
import type { ProviderMetrics } from './metrics.ts';
import type { ProviderTuning } from './options.ts';
import type {
  FetchOptions,
  FetchRequest,
  FindSpec,
  ProviderBackend,
  ProviderKind,
  RemoteRef,
  RemoteValue,
  SecretProvider,
} from './types.ts';
import { valueBytes, valueMap, type ValueContext } from './value.ts';

export interface StoreProviderOptions {
  readonly backend: ProviderBackend;
  /** The store as named in messages. */
  readonly store: string;
  readonly clock: Clock;
  readonly metrics: ProviderMetrics;
  readonly tuning: ProviderTuning;
  /** Aborted by close(): ends shared flights, batching windows and credential renewal. */
  readonly lifetime: AbortController;
}

function requestKey(r: FetchRequest): string {
  return `v\u0000${r.key}\u0000${r.version ?? ''}\u0000${r.metadata ? 'm' : ''}`;
}

function findKey(spec: FindSpec): string {
  const tags = Object.entries(spec.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `f\u0000${JSON.stringify([spec.path ?? null, spec.name?.regexp ?? null, tags])}`;
}

export class StoreProvider implements SecretProvider {
  readonly kind: ProviderKind;
  readonly #o: StoreProviderOptions;
  readonly #values: Coalescer<RemoteValue>;
  readonly #lists: Coalescer<string[]>;
  #active = 0;
  #idle: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: StoreProviderOptions) {
    this.#o = options;
    this.kind = options.backend.kind;
    const common = {
      clock: options.clock,
      defaultMaxAgeMs: options.tuning.resultTtlMs,
      retainMs: options.tuning.resultRetainMs,
      maxEntries: options.tuning.maxCacheEntries,
      onShared: (source: 'inflight' | 'cache') => {
        options.metrics.coalesced(this.kind, source);
      },
    };
    this.#values = new Coalescer<RemoteValue>(common);
    this.#lists = new Coalescer<string[]>({ ...common, maxEntries: 1_000 });
  }

  async getSecret(
    ref: RemoteRef,
    signal: AbortSignal,
    options?: FetchOptions,
  ): Promise<Uint8Array> {
    return this.#track(async () => {
      const value = await this.#fetch(this.#request(ref), signal, options);
      const ctx = this.#ctx(ref.key);
      const bytes = valueBytes(value, ref.property, ctx);
      return decodeValue(
        bytes,
        ref.decodingStrategy,
        () => `${ctx.store}: key ${JSON.stringify(ref.key)}`,
      );
    });
  }

  async getSecretMap(
    ref: RemoteRef,
    signal: AbortSignal,
    options?: FetchOptions,
  ): Promise<Map<string, Uint8Array>> {
    return this.#track(async () => {
      const value = await this.#fetch(this.#request(ref), signal, options);
      const ctx = this.#ctx(ref.key);
      const map = valueMap(value, ref.property, ctx);
      for (const [k, v] of map) {
        map.set(
          k,
          decodeValue(
            v,
            ref.decodingStrategy,
            () => `${ctx.store}: key ${JSON.stringify(ref.key)}, entry ${JSON.stringify(k)}`,
          ),
        );
      }
      return map;
    });
  }

  async find(
    spec: FindSpec,
    signal: AbortSignal,
    options?: FetchOptions,
  ): Promise<Map<string, Uint8Array>> {
    return this.#track(async () => {
      const names = this.#o.tuning.coalesce
        ? await this.#lists.get(findKey(spec), options?.notOlderThan, signal, () =>
            this.#o.backend.list(spec, this.#o.lifetime.signal),
          )
        : await this.#o.backend.list(spec, signal);
      // A secret deleted between the listing and the read is simply no longer found.
      const values = await Promise.all(
        names.map((name) =>
          this.#fetch({ key: name, version: undefined, metadata: false }, signal, options).catch(
            (err: unknown) => {
              if (isProviderError(err) && err.code === 'PROVIDER_NOT_FOUND') return undefined;
              throw err;
            },
          ),
        ),
      );
      const out = new Map<string, Uint8Array>();
      names.forEach((name, i) => {
        const v = values[i];
        if (v === undefined) return;
        out.set(
          name,
          decodeValue(
            v.bytes,
            spec.decodingStrategy,
            () => `${this.#o.store}: key ${JSON.stringify(name)}`,
          ),
        );
      });
      return out;
    });
  }

  async validate(signal: AbortSignal): Promise<void> {
    await this.#track(() => this.#o.backend.validate(signal));
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    if (this.#active > 0) {
      // A wall-clock grace period: in-flight reads finish, or are cut off by the abort below.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          this.#idle = resolve;
        }),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.#o.tuning.closeGraceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.#o.lifetime.abort(
      new ProviderError('PROVIDER_UNAVAILABLE', `${this.#o.store}: client closed`),
    );
    this.#values.clear();
    this.#lists.clear();
    await this.#o.backend.close();
  }

  async #track<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) {
      throw new ProviderError(
        'PROVIDER_UNAVAILABLE',
        `${this.#o.store}: client was closed (store changed or controller stopping); retry`,
      );
    }
    this.#active++;
    try {
      return await work();
    } finally {
      this.#active--;
      if (this.#active === 0) this.#idle?.();
    }
  }

  #request(ref: RemoteRef): FetchRequest {
    if (ref.key === '') {
      throw new ProviderError(
        'PROVIDER_INVALID_CONFIG',
        `${this.#o.store}: remoteRef.key is empty`,
      );
    }
    return {
      key: ref.key,
      version: ref.version === '' ? undefined : ref.version,
      metadata: ref.metadataPolicy === 'Fetch',
    };
  }

  #ctx(key: string): ValueContext {
    return { store: this.#o.store, key };
  }

  #fetch(req: FetchRequest, signal: AbortSignal, options?: FetchOptions): Promise<RemoteValue> {
    if (!this.#o.tuning.coalesce) return this.#o.backend.fetch(req, signal);
    // Shared flights run on the store's lifetime, not on one caller's signal.
    return this.#values.get(requestKey(req), options?.notOlderThan, signal, () =>
      this.#o.backend.fetch(req, this.#o.lifetime.signal),
    );
  }

  /** Test and benchmark visibility. */
  get stats(): { cached: number; inFlight: number; active: number } {
    return {
      cached: this.#values.cachedEntries,
      inFlight: this.#values.inFlight,
      active: this.#active,
    };
  }
}
