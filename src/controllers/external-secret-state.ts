// What the controller remembers about each ExternalSecret between reconciles. The informer cache
// lags behind our own status writes, so the last refresh, the last synced spec version and the
// outcome are kept here too, and the newer of memory and status wins; after a restart the
// status alone decides. Counts by outcome feed a gauge (never object names).
import { syncedResourceVersion } from '../api/external-secret-render.ts';
import { ES_REASONS } from '../api/external-secret.ts';
import type { KubeObject } from '../kube/types.ts';
import { conditionOf, type StatusObject } from './status.ts';

export interface EsState {
  readonly uid: string;
  /** Start of the last successful refresh (epoch ms). */
  refreshedAt: number | undefined;
  /** syncedResourceVersion of the last successful refresh. */
  syncedRV: string | undefined;
  /** The last attempt failed. Undefined: not attempted since this process started. */
  failed: boolean | undefined;
  /** The Secret last written, for cleanup when the ExternalSecret goes. */
  target: string | undefined;
}

export class EsStates {
  readonly #states = new Map<string, EsState>();

  /** The state for `raw`; a new one when the key now names a different object (new uid). */
  of(key: string, raw: KubeObject): EsState {
    const uid = raw.metadata.uid ?? '';
    let s = this.#states.get(key);
    if (s?.uid !== uid) {
      s = {
        uid,
        refreshedAt: undefined,
        syncedRV: undefined,
        failed: undefined,
        target: undefined,
      };
      this.#states.set(key, s);
    }
    return s;
  }

  peek(key: string): EsState | undefined {
    return this.#states.get(key);
  }

  delete(key: string): void {
    this.#states.delete(key);
  }

  /** ExternalSecrets by their last outcome in this process: ok, failed, unknown. */
  counts(): { ok: number; failed: number; unknown: number } {
    const c = { ok: 0, failed: 0, unknown: 0 };
    for (const s of this.#states.values()) {
      if (s.failed === true) c.failed++;
      else if (s.failed === false) c.ok++;
      else c.unknown++;
    }
    return c;
  }
}

interface EsStatus {
  readonly refreshTime?: unknown;
  readonly syncedResourceVersion?: unknown;
  readonly binding?: { readonly name?: unknown };
}

function statusOf(raw: StatusObject): EsStatus {
  return raw.status ?? {};
}

/** The later of the remembered refresh and status.refreshTime (whole seconds). */
export function lastRefreshOf(raw: StatusObject, state: EsState): number | undefined {
  const t = statusOf(raw).refreshTime;
  const parsed = typeof t === 'string' ? Date.parse(t) : NaN;
  const fromStatus = Number.isFinite(parsed) ? parsed : undefined;
  if (state.refreshedAt === undefined) return fromStatus;
  return fromStatus === undefined ? state.refreshedAt : Math.max(fromStatus, state.refreshedAt);
}

/** ESO's syncedResourceVersion of the object as it is now. */
export function syncedVersionOf(raw: KubeObject): string {
  const m = raw.metadata;
  return syncedResourceVersion({
    ...(m.generation === undefined ? {} : { generation: m.generation }),
    ...(m.labels === undefined ? {} : { labels: { ...m.labels } }),
    ...(m.annotations === undefined ? {} : { annotations: { ...m.annotations } }),
  });
}

/** Whether the spec, labels and annotations last synced are the current ones. */
export function isSynced(raw: StatusObject, state: EsState): boolean {
  const recorded = state.syncedRV ?? statusOf(raw).syncedResourceVersion;
  return recorded === syncedVersionOf(raw);
}

/** Whether the last attempt failed (status Ready=False with SecretSyncedError after a restart). */
export function hasFailed(raw: StatusObject, state: EsState): boolean {
  if (state.failed !== undefined) return state.failed;
  const ready = conditionOf(raw);
  return ready?.status === 'False' && ready.reason === ES_REASONS.syncedError;
}

/** Whether the ExternalSecret would gain from a retry now (not known to be Ready). */
export function needsRetry(raw: StatusObject | undefined, state: EsState | undefined): boolean {
  if (state?.failed !== undefined) return state.failed;
  if (raw === undefined) return false;
  return conditionOf(raw)?.status !== 'True';
}

/** The Secret named in status.binding (the last one written). */
export function boundSecretOf(raw: StatusObject): string | undefined {
  const name = statusOf(raw).binding?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** RFC 3339 in whole seconds, as metav1.Time serialises. */
export function rfc3339Seconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
