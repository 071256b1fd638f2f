// ExternalSecret metrics on the controller's Registry. Reconcile counts and durations come from
// the runner (sealbridge_reconcile_*{kind}); these add what only this controller knows. Labels are
// closed sets: never an object, store or key name.
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../metrics.ts';

export type RefreshResult = 'synced' | 'missing' | 'error';
export type SecretAction = 'unchanged' | 'created' | 'updated' | 'deleted';

export interface ExternalSecretMetrics {
  refreshed(result: RefreshResult): void;
  secretWritten(action: SecretAction): void;
}

export const noopExternalSecretMetrics: ExternalSecretMetrics = {
  refreshed: () => undefined,
  secretWritten: () => undefined,
};

function single<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * Registers the metrics (once per registry). `counts` is read at each scrape: ExternalSecrets by
 * the outcome of their last refresh in this process.
 */
export function createExternalSecretMetrics(
  registry: Registry,
  counts: () => { ok: number; failed: number; unknown: number },
): ExternalSecretMetrics {
  const registers = [registry];
  const refreshes = single(
    registry,
    `${METRIC_PREFIX}externalsecret_refresh_total`,
    () =>
      new Counter({
        name: `${METRIC_PREFIX}externalsecret_refresh_total`,
        help: 'ExternalSecret refreshes (values read from the stores), by result: synced, missing (Merge target absent), error.',
        labelNames: ['result'] as const,
        registers,
      }),
  );
  const writes = single(
    registry,
    `${METRIC_PREFIX}externalsecret_secret_writes_total`,
    () =>
      new Counter({
        name: `${METRIC_PREFIX}externalsecret_secret_writes_total`,
        help: 'What refreshes did to the target Secret: unchanged (no API write), created, updated, deleted.',
        labelNames: ['action'] as const,
        registers,
      }),
  );
  const name = `${METRIC_PREFIX}externalsecret_status`;
  if (registry.getSingleMetric(name) === undefined) {
    new Gauge({
      name,
      help: 'ExternalSecrets by the outcome of their last refresh in this process (ready, failed, unknown: not refreshed yet).',
      labelNames: ['status'] as const,
      registers,
      collect() {
        const c = counts();
        this.set({ status: 'ready' }, c.ok);
        this.set({ status: 'failed' }, c.failed);
        this.set({ status: 'unknown' }, c.unknown);
      },
    });
  }
  return {
    refreshed: (result) => {
      refreshes.inc({ result });
    },
    secretWritten: (action) => {
      writes.inc({ action });
    },
  };
}
