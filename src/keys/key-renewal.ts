// Sealing-key renewal, as Bitnami's controller does it: a key is generated when there is no active
// key (first start), when the newest active key is older than --key-renew-period (default 720h,
// 0 turns renewal off), or older than --key-cutoff-time. Old keys are never deleted: they keep
// opening what was sealed with them.
//
// Only the leader renews. As a second safety net, the new key Secret's name is derived from the
// newest key Secret that exists (or `genesis` when there is none): two replicas that both decide
// to renew from the same state race to create the same name, and the API server lets exactly one
// win (the other gets AlreadyExists and just reloads).
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { buildKeySecret, DEFAULT_KEY_GENERATE_NAME } from '../crypto/key-secret.ts';
import type { GeneratedKey } from '../crypto/keygen.ts';
import type { KeyOrder } from '../crypto/keyring.ts';
import { errorMessage } from '../errors.ts';
import { isAlreadyExists } from '../kube/errors.ts';
import type { ResourceClient } from '../kube/resource-client.ts';
import type { KubeObject, SecretObject } from '../kube/types.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { KeyStore, StoredKey } from './key-store.ts';

export interface KeyRenewerOptions {
  readonly store: KeyStore;
  readonly secrets: ResourceClient<SecretObject>;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** 0 turns periodic renewal off (a first key is still generated). */
  readonly renewPeriodMs: number;
  /** Keys older than this are renewed (Bitnami's --key-cutoff-time). */
  readonly cutoffTime?: Date | undefined;
  /** Makes a key pair and certificate (generateSealingKey with the configured size, CN and TTL). */
  readonly generate: () => Promise<GeneratedKey>;
  /** Name prefix of generated key Secrets (default `sealbridge-key-`). */
  readonly keyPrefix?: string | undefined;
  /** Also label new keys for Bitnami's controller (both can then use them during a migration). */
  readonly bitnamiLabel?: boolean | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
  /** Called after this replica created a key. */
  readonly onGenerated?: (() => void) | undefined;
  /** Wait after a failed attempt (default 30 s). */
  readonly retryDelayMs?: number | undefined;
}

export interface RenewalDecision {
  readonly due: boolean;
  readonly reason: 'no-active-key' | 'cutoff' | 'period' | 'current';
  /** When the next key is due (epoch ms), if renewal is on. */
  readonly nextAt?: number | undefined;
}

export function keyTime(k: Pick<StoredKey, 'notBefore' | 'createdAt'>, order: KeyOrder): number {
  const d =
    order === 'creation-timestamp' ? (k.createdAt ?? k.notBefore) : (k.notBefore ?? k.createdAt);
  return d?.getTime() ?? 0;
}

/** Reads the flag without letting TypeScript narrow it across awaits. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

export type EnsureResult = 'created' | 'current' | 'raced';

export class KeyRenewer {
  readonly #o: KeyRenewerOptions;
  readonly #log: Logger;

  constructor(options: KeyRenewerOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'key-renewal' });
  }

  decide(nowMs: number): RenewalDecision {
    const { store } = this.#o;
    const newest = store.newest();
    if (newest === undefined) return { due: true, reason: 'no-active-key' };
    const born = keyTime(newest, store.order);
    const cutoff = this.#o.cutoffTime?.getTime();
    if (cutoff !== undefined && born < cutoff) return { due: true, reason: 'cutoff' };
    if (this.#o.renewPeriodMs <= 0) return { due: false, reason: 'current' };
    const nextAt = born + this.#o.renewPeriodMs;
    return nowMs >= nextAt
      ? { due: true, reason: 'period', nextAt }
      : { due: false, reason: 'current', nextAt };
  }

  /** The name the next key Secret gets: derived from the newest key Secret there is. */
  successorName(): string {
    const { store } = this.#o;
    const known = store
      .all()
      .filter((k) => k.fingerprint !== undefined)
      .sort((a, b) => keyTime(b, store.order) - keyTime(a, store.order));
    const prefix = this.#o.keyPrefix ?? DEFAULT_KEY_GENERATE_NAME;
    const newest = known[0]?.fingerprint;
    if (newest === undefined) return `${prefix}genesis`;
    return `${prefix}${createHash('sha256').update(newest).digest('hex').slice(0, 10)}`;
  }

  /** Creates a key if one is due. */
  async ensure(signal?: AbortSignal): Promise<EnsureResult> {
    const decision = this.decide(this.#o.clock.now());
    if (!decision.due) return 'current';
    const name = this.successorName();
    const key = await this.#o.generate();
    const secret = buildKeySecret({
      namespace: this.#o.store.namespace,
      name,
      privateKeyPem: key.privateKeyPem,
      certPem: key.certPem,
      bitnamiLabel: this.#o.bitnamiLabel === true,
      ...(this.#o.labels === undefined ? {} : { labels: this.#o.labels }),
      ...(this.#o.annotations === undefined ? {} : { annotations: this.#o.annotations }),
    }) as KubeObject as SecretObject;
    try {
      await this.#o.secrets.create(secret, { signal });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      this.#log.info({ secret: name }, 'another replica created this key first');
      await this.#o.store.refresh(name);
      return 'raced';
    }
    this.#log.info(
      { secret: name, fingerprint: key.fingerprint, reason: decision.reason },
      'generated a new sealing key',
    );
    this.#o.onGenerated?.();
    await this.#o.store.refresh(name);
    return 'created';
  }

  /** Renews whenever due until `signal` aborts (run it while leading). */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, store } = this.#o;
    await store.waitForSync(signal).catch(() => undefined);
    while (!signal.aborted) {
      let wait: number;
      try {
        await this.ensure(signal);
        const next = this.decide(clock.now()).nextAt;
        wait =
          next === undefined ? 3_600_000 : Math.min(Math.max(next - clock.now(), 1000), 3_600_000);
      } catch (err) {
        if (isAborted(signal)) break;
        this.#log.warn({ err: errorMessage(err) }, 'could not generate a sealing key; will retry');
        wait = this.#o.retryDelayMs ?? 30_000;
      }
      await this.#sleepUntilChange(wait, signal);
    }
  }

  /** Sleeps `ms`, or less when the active keys change (someone deleted or disabled one). */
  async #sleepUntilChange(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return; // an abort listener added now would never fire
    const wake = new AbortController();
    const off = this.#o.store.onChange(() => {
      wake.abort();
    });
    const onAbort = (): void => {
      wake.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.#o.clock.sleep(ms, wake.signal);
    } catch {
      // woken early
    } finally {
      off();
      signal.removeEventListener('abort', onAbort);
    }
  }
}
