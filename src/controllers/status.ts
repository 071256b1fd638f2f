// Status and Events for Sealbridge's custom resources (SealedSecret, SopsSecret, ExternalSecret,
// stores). Usage:
//
//   const status = new StatusReporter({ resource: client.resource(SEALED_SECRETS), events, clock });
//   await status.report(obj, {
//     ready: false, reason: 'UnsealFailed', message: err.message,   // never a secret value
//     fields: { keyFingerprint: '…' },        // extra status fields; undefined removes one
//     conditionTypes: ['Ready', 'Synced'],    // default ['Ready']
//     event: true,                            // also record an Event (Warning when not ready)
//   }, signal);
//
//  - Writes go to the status subresource with the object's resourceVersion; on 409 the object is
//    read again and the same status is applied to the fresh copy (a few times).
//  - Nothing is written when the status would not change (observedGeneration, conditions, fields),
//    so a steady-state reconcile costs no API call.
//  - lastTransitionTime moves only when a condition's status changes, as Kubernetes conventions say.
//  - Messages are cut to one line of at most 1,024 characters.
import type { Clock } from '../clock.ts';
import { isConflict, isNotFound } from '../kube/errors.ts';
import type { EventSink } from '../kube/events.ts';
import type { ResourceClient } from '../kube/resource-client.ts';
import type { KubeObject } from '../kube/types.ts';
import { silentLogger, type Logger } from '../log.ts';

export const READY_CONDITION = 'Ready';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
  readonly lastUpdateTime?: string;
  readonly observedGeneration?: number;
}

export interface StatusObject extends KubeObject {
  readonly status?: Readonly<Record<string, unknown>> | undefined;
}

const MAX_MESSAGE = 1024;

/** One line, at most 1,024 characters: safe for a condition or an Event. */
export function conditionMessage(text: string): string {
  const line = text.replace(/\s*\n\s*/g, ' ').trim();
  return line.length <= MAX_MESSAGE ? line : `${line.slice(0, MAX_MESSAGE - 1)}…`;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `conditions` with `next` in place of the condition of the same type. Times are kept when
 * nothing changed; lastTransitionTime moves only when the status flips.
 */
export function withCondition(
  conditions: readonly Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime' | 'lastUpdateTime'>,
  nowMs: number,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const old = i < 0 ? undefined : list[i];
  const same =
    old !== undefined &&
    old.status === next.status &&
    old.reason === next.reason &&
    old.message === next.message &&
    old.observedGeneration === next.observedGeneration;
  if (same) return list;
  const now = rfc3339(nowMs);
  const cond: Condition = {
    ...next,
    lastTransitionTime:
      old !== undefined && old.status === next.status ? (old.lastTransitionTime ?? now) : now,
    lastUpdateTime: now,
  };
  if (i < 0) list.push(cond);
  else list[i] = cond;
  return list;
}

/** The condition of `type` in an object's status, if any. */
export function conditionOf(obj: StatusObject, type = READY_CONDITION): Condition | undefined {
  const list = obj.status?.['conditions'];
  return Array.isArray(list)
    ? (list as Condition[]).find((c) => typeof c === 'object' && c.type === type)
    : undefined;
}

export interface Report {
  readonly ready: boolean;
  /** CamelCase reason, e.g. 'Unsealed', 'UnsealFailed', 'SecretSynced', 'SecretSyncedError'. */
  readonly reason: string;
  /** Human-readable; must never contain a secret value. */
  readonly message: string;
  /** Extra status fields (keyFingerprint, refreshTime, …); an undefined value removes the field. */
  readonly fields?: Readonly<Record<string, unknown>> | undefined;
  /** Condition types to set (default ['Ready']). */
  readonly conditionTypes?: readonly string[] | undefined;
  /** Record an Event with the reason and message (Warning when not ready, else Normal). */
  readonly event?: boolean | undefined;
}

export interface StatusReporterOptions<T extends StatusObject> {
  readonly resource: ResourceClient<T>;
  readonly events?: EventSink | undefined;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  readonly fieldManager?: string | undefined;
  /** Attempts on 409 Conflict (default 3). */
  readonly conflictRetries?: number | undefined;
}

export type ReportResult = 'unchanged' | 'updated' | 'gone';

export class StatusReporter<T extends StatusObject> {
  readonly #o: StatusReporterOptions<T>;
  readonly #log: Logger;

  constructor(options: StatusReporterOptions<T>) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'status' });
  }

  /** The status `obj` should have after this report. */
  statusFor(obj: T, r: Report): Record<string, unknown> {
    const now = this.#o.clock.now();
    const generation = obj.metadata.generation;
    const message = conditionMessage(r.message);
    let conditions = (obj.status?.['conditions'] as Condition[] | undefined) ?? [];
    for (const type of r.conditionTypes ?? [READY_CONDITION]) {
      conditions = withCondition(
        conditions,
        // observedGeneration lives on the status, not per condition: CRD schemas (Bitnami's
        // too) would prune it and every report would look like a change.
        { type, status: r.ready ? 'True' : 'False', reason: r.reason, message },
        now,
      );
    }
    const fields = r.fields ?? {};
    const status: Record<string, unknown> = Object.fromEntries(
      Object.entries({ ...obj.status, ...fields }).filter(([, v]) => v !== undefined),
    );
    if (generation !== undefined) status['observedGeneration'] = generation;
    status['conditions'] = conditions;
    return status;
  }

  /** Writes the status when it changed, and records the Event when asked. */
  async report(obj: T, r: Report, signal?: AbortSignal): Promise<ReportResult> {
    if (r.event === true) {
      this.#o.events?.event(
        obj,
        r.ready ? 'Normal' : 'Warning',
        r.reason,
        conditionMessage(r.message),
      );
    }
    let current = obj;
    const tries = this.#o.conflictRetries ?? 3;
    for (let i = 0; i < tries; i++) {
      const status = this.statusFor(current, r);
      if (JSON.stringify(status) === JSON.stringify(current.status ?? {})) return 'unchanged';
      try {
        await this.#o.resource.replaceStatus(
          { ...current, status },
          { signal, fieldManager: this.#o.fieldManager },
        );
        return 'updated';
      } catch (err) {
        if (isNotFound(err)) return 'gone';
        if (!isConflict(err)) throw err;
        const ref = { namespace: current.metadata.namespace, name: current.metadata.name ?? '' };
        const fresh = await this.#o.resource.find(ref, { signal });
        if (fresh === undefined) return 'gone';
        // Deleted and recreated under the same name: this report was about the old object.
        if (fresh.metadata.uid !== obj.metadata.uid) return 'gone';
        current = fresh;
      }
    }
    this.#log.info(
      { object: `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}` },
      'status kept conflicting; the next reconcile writes it',
    );
    return 'unchanged';
  }
}
