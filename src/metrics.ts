// Prometheus metrics on a private Registry (never prom-client's global one), created in the
// composition root and passed to whoever records. Labels are closed sets (kind, result, lane,
// informer, verb, resource type, status code): an object's name or namespace is never a label.
//
// Other modules add their metrics to the same Registry with the same pattern:
//
//   export function createProviderMetrics(registry: Registry) {
//     return {
//       calls: new Counter({ name: `${METRIC_PREFIX}provider_calls_total`, help: '…',
//                            labelNames: ['provider', 'call', 'outcome'] as const, registers: [registry] }),
//     };
//   }
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from './clock.ts';
import type { RequestObserver } from './kube/api-caller.ts';
import type { InformerObserver } from './kube/informer.ts';
import type { QueueObserver } from './kube/workqueue.ts';

export { Registry };
export const METRIC_PREFIX = 'sealbridge_';

/** A private registry; `processMetrics` adds prom-client's process/runtime metrics to it. */
export function createRegistry(options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics === true)
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

/** What the metrics need from an informer (src/kube/informer.ts's Informer satisfies it). */
export interface TrackedInformer {
  readonly name: string;
  hasSynced(): boolean;
  lastHeardFrom(): number | undefined;
}

export type ReconcileOutcome = 'success' | 'requeue' | 'error';

export interface RuntimeMetrics {
  readonly registry: Registry;
  /** One reconcile finished: result is success, requeue (asked to run again) or error. */
  reconciled(kind: string, result: ReconcileOutcome, seconds: number): void;
  queueObserver(queue: string): QueueObserver;
  informerObserver(): InformerObserver;
  /** Reports the informer's synced state and last-heard age at every scrape. */
  trackInformer(informer: TrackedInformer): void;
  requestObserver(): RequestObserver;
  setLeader(leading: boolean): void;
}

const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(registry: Registry, clock: Clock): RuntimeMetrics {
  const registers = [registry];
  const reconcileTotal = new Counter({
    name: `${METRIC_PREFIX}reconcile_total`,
    help: 'Reconciles finished, by kind and result (success, requeue, error).',
    labelNames: ['kind', 'result'] as const,
    registers,
  });
  const reconcileDuration = new Histogram({
    name: `${METRIC_PREFIX}reconcile_duration_seconds`,
    help: 'Time spent in one reconcile, by kind.',
    labelNames: ['kind'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const depth = new Gauge({
    name: `${METRIC_PREFIX}workqueue_depth`,
    help: 'Keys waiting in a work queue, by lane (priority: new and changed objects; periodic: refreshes).',
    labelNames: ['queue', 'lane'] as const,
    registers,
  });
  const adds = new Counter({
    name: `${METRIC_PREFIX}workqueue_adds_total`,
    help: 'Keys added to a work queue (a key already queued is not counted again).',
    labelNames: ['queue', 'lane'] as const,
    registers,
  });
  const latency = new Histogram({
    name: `${METRIC_PREFIX}workqueue_queue_duration_seconds`,
    help: 'How long a key waited in the queue before a worker took it.',
    labelNames: ['queue'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const retries = new Counter({
    name: `${METRIC_PREFIX}workqueue_retries_total`,
    help: 'Rate-limited retries scheduled after failed reconciles.',
    labelNames: ['queue'] as const,
    registers,
  });
  const informers = new Set<TrackedInformer>();
  new Gauge({
    name: `${METRIC_PREFIX}informer_synced`,
    help: '1 once the informer has applied its first list.',
    labelNames: ['informer'] as const,
    registers,
    collect() {
      for (const i of informers) this.set({ informer: i.name }, i.hasSynced() ? 1 : 0);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}informer_last_heard_age_seconds`,
    help: 'Seconds since the informer last heard from the API server (list, event or bookmark).',
    labelNames: ['informer'] as const,
    registers,
    collect() {
      for (const i of informers) {
        const heard = i.lastHeardFrom();
        if (heard !== undefined) this.set({ informer: i.name }, (clock.now() - heard) / 1000);
      }
    },
  });
  const lists = new Counter({
    name: `${METRIC_PREFIX}informer_lists_total`,
    help: 'Full lists by informers, by reason (initial, expired, periodic).',
    labelNames: ['informer', 'reason'] as const,
    registers,
  });
  const watchEnds = new Counter({
    name: `${METRIC_PREFIX}informer_watch_ends_total`,
    help: 'Watches that ended, by reason (closed by the server, error, expired).',
    labelNames: ['informer', 'reason'] as const,
    registers,
  });
  const leader = new Gauge({
    name: `${METRIC_PREFIX}leader`,
    help: '1 while this replica holds the leader lease.',
    registers,
  });
  const requests = new Counter({
    name: `${METRIC_PREFIX}kube_requests_total`,
    help: 'Kubernetes API requests, by verb, resource type and HTTP status (0: no response).',
    labelNames: ['verb', 'resource', 'code'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: `${METRIC_PREFIX}kube_request_duration_seconds`,
    help: 'Kubernetes API request latency to the response headers, by verb.',
    labelNames: ['verb'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  leader.set(0);

  return {
    registry,
    reconciled(kind, result, seconds) {
      reconcileTotal.inc({ kind, result });
      reconcileDuration.observe({ kind }, seconds);
    },
    queueObserver(queue) {
      return {
        depth: (lane, n) => {
          depth.set({ queue, lane }, n);
        },
        added: (lane) => {
          adds.inc({ queue, lane });
        },
        latency: (s) => {
          latency.observe({ queue }, s);
        },
        retried: () => {
          retries.inc({ queue });
        },
      };
    },
    informerObserver() {
      return {
        listed: (informer, reason) => {
          lists.inc({ informer, reason });
        },
        watchEnded: (informer, reason) => {
          watchEnds.inc({ informer, reason });
        },
      };
    },
    trackInformer(informer) {
      informers.add(informer);
    },
    requestObserver() {
      return ({ verb, resource, code, seconds }) => {
        requests.inc({ verb, resource, code: String(code) });
        requestDuration.observe({ verb }, seconds);
      };
    },
    setLeader(leading) {
      leader.set(leading ? 1 : 0);
    },
  };
}
