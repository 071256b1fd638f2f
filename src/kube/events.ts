// An Event recorder with client-go's habits, so a hot loop cannot flood the API server:
//  - the same event (object, type, reason, message) again bumps `count` on the existing Event
//    with one PATCH instead of creating a new one (an LRU cache remembers recent Events);
//  - more than 10 different messages for one object and reason within 10 minutes are folded
//    into one "(combined from similar events): …" Event;
//  - a token bucket per object (burst 25, one more every 5 minutes) drops the rest.
// Recording never blocks or fails a reconcile: writes run in the background; flush() awaits them.
// Messages are shown to anyone who can read Events: never put secret values in them.
import type { Clock } from '../clock.ts';
import { errorMessage } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { isNotFound } from './errors.ts';
import type { ResourceClient } from './resource-client.ts';
import type { EventObject, KubeObject, ObjectReference } from './types.ts';

export type EventType = 'Normal' | 'Warning';

/** What reconcilers use. */
export interface EventSink {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export interface EventRecorderOptions {
  readonly events: ResourceClient<EventObject>;
  readonly clock: Clock;
  /** source.component and reportingComponent, e.g. 'sealbridge-controller'. */
  readonly component: string;
  /** source.host and reportingInstance (the pod name). */
  readonly instance?: string | undefined;
  readonly logger?: Logger | undefined;
  /** Remembered Events for count bumps (default 4096). */
  readonly cacheSize?: number | undefined;
  /** Per-object bucket (default burst 25, one token per 300 s). */
  readonly burst?: number | undefined;
  readonly refillSeconds?: number | undefined;
}

const MAX_MESSAGE = 1024;
const AGGREGATE_AFTER = 10;
const AGGREGATE_WINDOW_MS = 600_000;

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function truncate(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 1)}…`;
}

export class EventRecorder implements EventSink {
  readonly #o: EventRecorderOptions;
  readonly #log: Logger;
  readonly #recorded = new Map<string, Recorded>();
  readonly #similar = new Map<string, { since: number; messages: Set<string> }>();
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #chains = new Map<string, Promise<void>>();

  constructor(options: EventRecorderOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'events' });
  }

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const ref: ObjectReference = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
    };
    const objectKey = [ref.kind, ref.namespace, ref.name, ref.uid].join('|');
    if (!this.#allow(objectKey)) {
      this.#log.debug({ reason }, 'event dropped by the per-object rate limit');
      return;
    }
    const similarKey = `${objectKey}|${type}|${reason}`;
    const { text, aggregated } = this.#aggregate(similarKey, truncate(message));
    // Folded events share one Event (its message shows the latest); others dedup on the message.
    const key = aggregated ? `${similarKey}|(combined)` : `${similarKey}|${text}`;
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.#write(key, ref, type, reason, text))
      .catch((err: unknown) => {
        this.#log.warn({ reason, err: errorMessage(err) }, 'could not record event');
      })
      .finally(() => {
        if (this.#chains.get(key) === next) this.#chains.delete(key);
      });
    this.#chains.set(key, next);
  }

  /** Resolves when every event recorded so far has been written (or has failed). */
  async flush(): Promise<void> {
    while (this.#chains.size > 0) await Promise.all([...this.#chains.values()]);
  }

  #allow(objectKey: string): boolean {
    const burst = this.#o.burst ?? 25;
    const perToken = (this.#o.refillSeconds ?? 300) * 1000;
    const now = this.#o.clock.now();
    const b = this.#buckets.get(objectKey) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.at) / perToken);
    b.at = now;
    this.#buckets.set(objectKey, b);
    if (this.#buckets.size > (this.#o.cacheSize ?? 4096)) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  #aggregate(similarKey: string, message: string): { text: string; aggregated: boolean } {
    const now = this.#o.clock.now();
    let s = this.#similar.get(similarKey);
    if (s === undefined || now - s.since > AGGREGATE_WINDOW_MS) {
      s = { since: now, messages: new Set() };
      this.#similar.set(similarKey, s);
      if (this.#similar.size > (this.#o.cacheSize ?? 4096)) {
        const oldest = this.#similar.keys().next().value;
        if (oldest !== undefined) this.#similar.delete(oldest);
      }
    }
    s.messages.add(message);
    return s.messages.size > AGGREGATE_AFTER
      ? { text: truncate(`(combined from similar events): ${message}`), aggregated: true }
      : { text: message, aggregated: false };
  }

  async #write(
    key: string,
    ref: ObjectReference,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const now = this.#o.clock.now();
    const seen = this.#recorded.get(key);
    if (seen !== undefined) {
      try {
        await this.#o.events.patch(
          { namespace: seen.namespace, name: seen.name },
          { count: seen.count + 1, lastTimestamp: rfc3339(now), message },
        );
        seen.count++;
        this.#touch(key, seen);
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        // The Event expired (TTL) or was deleted: create a fresh one below.
      }
    }
    const namespace = ref.namespace ?? 'default';
    const name = `${(ref.name ?? 'event').slice(0, 200)}.${(BigInt(now) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`;
    const ts = rfc3339(now);
    await this.#o.events.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: ts,
      lastTimestamp: ts,
      source: {
        component: this.#o.component,
        ...(this.#o.instance === undefined ? {} : { host: this.#o.instance }),
      },
      reportingComponent: this.#o.component,
      reportingInstance: this.#o.instance ?? '',
    });
    this.#touch(key, { name, namespace, count: 1, firstTimestamp: ts });
  }

  #touch(key: string, rec: Recorded): void {
    this.#recorded.delete(key);
    this.#recorded.set(key, rec);
    if (this.#recorded.size > (this.#o.cacheSize ?? 4096)) {
      const oldest = this.#recorded.keys().next().value;
      if (oldest !== undefined) this.#recorded.delete(oldest);
    }
  }
}
