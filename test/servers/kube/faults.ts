// Programmable faults and call accounting for the test API server. Tests make the next N matching
// requests fail (5xx, 429 with Retry-After), add latency, force 410 on watches, and then assert on
// what the server saw: `counts` by "verb resource" and the request log.

export interface RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** get, list, watch, create, update, patch, delete, deletecollection, proxy, discovery. */
  readonly verb: string;
  /** `secrets`, `sealedsecrets.sealbridge.io` (core resources have no group suffix); '' if none. */
  readonly resource: string;
  readonly plural: string;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

export interface LoggedRequest extends RequestInfo {
  status: number;
  readonly at: number;
}

/** A predicate, or fields that must all match (`resource` matches a plural or a full name). */
export type RequestMatch =
  | ((r: RequestInfo) => boolean)
  | {
      readonly verb?: string | readonly string[];
      readonly resource?: string;
      readonly subresource?: string;
      readonly namespace?: string;
      readonly name?: string;
    };

export function matches(m: RequestMatch | undefined, r: RequestInfo): boolean {
  if (m === undefined) return true;
  if (typeof m === 'function') return m(r);
  if (m.verb !== undefined) {
    const verbs: readonly string[] = typeof m.verb === 'string' ? [m.verb] : m.verb;
    if (!verbs.includes(r.verb)) return false;
  }
  if (m.resource !== undefined && m.resource !== r.resource && m.resource !== r.plural)
    return false;
  if (m.subresource !== undefined && m.subresource !== r.subresource) return false;
  if (m.namespace !== undefined && m.namespace !== r.namespace) return false;
  return m.name === undefined || m.name === r.name;
}

export interface FailureSpec {
  /** How many matching requests fail (default 1). */
  readonly count?: number;
  /** HTTP status (default 503). */
  readonly status?: number;
  readonly message?: string;
  /** Sent as Retry-After and details.retryAfterSeconds (429 usually). */
  readonly retryAfterSeconds?: number;
  readonly match?: RequestMatch;
}

interface Armed<T> {
  remaining: number;
  readonly match: RequestMatch | undefined;
  readonly value: T;
}

export interface Failure {
  readonly status: number;
  readonly message: string | undefined;
  readonly retryAfterSeconds: number | undefined;
}

function take<T>(list: Armed<T>[], r: RequestInfo): T | undefined {
  for (const a of list) {
    if (a.remaining > 0 && matches(a.match, r)) {
      a.remaining--;
      return a.value;
    }
  }
  return undefined;
}

export class Faults {
  readonly #failures: Armed<Failure>[] = [];
  readonly #latency: Armed<number>[] = [];
  readonly #expire: Armed<true>[] = [];
  readonly #drop: (match: RequestMatch | undefined, mode: 'end' | 'destroy' | 'stall') => number;
  readonly #compact: () => void;

  constructor(hooks: {
    drop: (match: RequestMatch | undefined, mode: 'end' | 'destroy' | 'stall') => number;
    compact: () => void;
  }) {
    this.#drop = hooks.drop;
    this.#compact = hooks.compact;
  }

  /** The next `count` matching requests get `status` (a Status body, like the real server). */
  failNext(spec: FailureSpec = {}): void {
    this.#failures.push({
      remaining: spec.count ?? 1,
      match: spec.match,
      value: {
        status: spec.status ?? 503,
        message: spec.message,
        retryAfterSeconds: spec.retryAfterSeconds,
      },
    });
  }

  /** Delays matching requests by `ms` (the next `count` of them, or all until clear()). */
  addLatency(ms: number, options: { match?: RequestMatch; count?: number } = {}): void {
    this.#latency.push({ remaining: options.count ?? Infinity, match: options.match, value: ms });
  }

  /** The next `count` matching watches get a 410 Expired ERROR event and end. */
  expireNextWatch(options: { match?: RequestMatch; count?: number } = {}): void {
    this.#expire.push({ remaining: options.count ?? 1, match: options.match, value: true });
  }

  /**
   * Ends every open watch that matches. 'end' finishes the response cleanly (what the API
   * server does on timeout); 'destroy' cuts the connection (a proxy or node dying).
   */
  dropWatches(options: { match?: RequestMatch; mode?: 'end' | 'destroy' } = {}): number {
    return this.#drop(options.match, options.mode ?? 'destroy');
  }

  /**
   * Open watches that match stop delivering events (bookmarks too) but stay connected: the silent
   * watch death informers must survive through their periodic relist. New watches are unaffected.
   */
  stallWatches(options: { match?: RequestMatch } = {}): number {
    return this.#drop(options.match, 'stall');
  }

  /** Forgets all watch history: resuming from any earlier resourceVersion gets 410. */
  compactHistory(): void {
    this.#compact();
  }

  clear(): void {
    this.#failures.length = 0;
    this.#latency.length = 0;
    this.#expire.length = 0;
  }

  takeFailure(r: RequestInfo): Failure | undefined {
    return take(this.#failures, r);
  }

  latencyFor(r: RequestInfo): number {
    return take(this.#latency, r) ?? 0;
  }

  takeExpire(r: RequestInfo): boolean {
    return take(this.#expire, r) === true;
  }
}
