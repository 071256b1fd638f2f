// SealedSecret metrics beyond the runner's reconcile counts: which sealing keys are still in use
// (SealedSecrets per key fingerprint, read from the informer caches at scrape time, so retiring a
// key can be judged safely), how many are not Ready, and how many RSA private-key operations
// opening took (with the keyFingerprint hint it is one per value).
import { Counter, Gauge, type Registry } from 'prom-client';
import { shortFingerprint } from '../crypto/keys.ts';
import type { ObjectCacheReader } from '../kube/object-cache.ts';
import type { KubeObject } from '../kube/types.ts';
import { METRIC_PREFIX } from '../metrics.ts';
import { conditionOf, type StatusObject } from './status.ts';

export interface SealedSecretMetrics {
  opened(attempts: number): void;
  /** Adds a cache to count (one per served apiVersion). */
  track(cache: ObjectCacheReader<KubeObject>): void;
}

export function createSealedSecretMetrics(registry: Registry): SealedSecretMetrics {
  const caches: ObjectCacheReader<KubeObject>[] = [];
  const registers = [registry];
  new Gauge({
    name: `${METRIC_PREFIX}sealing_key_objects`,
    help: 'SealedSecrets last opened with each sealing key (short fingerprint): keys still in use.',
    labelNames: ['fingerprint'] as const,
    registers,
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const c of caches) {
        for (const o of c.list()) {
          const fp = (o as StatusObject).status?.['keyFingerprint'];
          if (typeof fp === 'string') counts.set(fp, (counts.get(fp) ?? 0) + 1);
        }
      }
      for (const [fp, n] of counts) this.set({ fingerprint: shortFingerprint(fp) }, n);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}sealedsecrets`,
    help: 'SealedSecrets by Ready condition status (True, False, Unknown: not reconciled yet).',
    labelNames: ['ready'] as const,
    registers,
    collect() {
      const counts: Record<string, number> = { True: 0, False: 0, Unknown: 0 };
      for (const c of caches) {
        for (const o of c.list()) {
          const s = conditionOf(o)?.status ?? 'Unknown';
          counts[s] = (counts[s] ?? 0) + 1;
        }
      }
      for (const [ready, n] of Object.entries(counts)) this.set({ ready }, n);
    },
  });
  const rsa = new Counter({
    name: `${METRIC_PREFIX}unseal_rsa_operations_total`,
    help: 'RSA private-key operations spent opening SealedSecret values (one per value with a right hint).',
    registers,
  });
  return {
    opened: (attempts) => {
      rsa.inc(attempts);
    },
    track: (cache) => {
      caches.push(cache);
    },
  };
}
