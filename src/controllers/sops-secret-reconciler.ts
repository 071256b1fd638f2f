// Reconciles one SopsSecret into the Secret of the same name, with the shared SecretWriter and
// StatusReporter (the same ownership, drift repair, status and Events as SealedSecret):
//  1. Validate the object; a malformed one gets Ready=False/InvalidSopsSecret and no Secret write.
//  2. Hand the writer a source hash of everything the Secret is computed from (payload, sops
//     block, template, key reference). When the existing Secret was written from the same source
//     and nobody edited it, nothing is decrypted and nothing is written.
//  3. Otherwise read the keys (Flux-style Secret, default keys, ambient identity), decrypt and
//     verify the MAC, and write. Any failure leaves the existing Secret exactly as it was.
//  4. Status: Ready=True/Decrypted, or Ready=False with a reason and a message that never holds
//     a value; an Event when the Secret changes or a failure is reported. Transient failures
//     (KMS throttling, API errors) throw so the runner backs off; permanent ones (wrong key,
//     MAC mismatch) are retried on a slow period, which also picks up a fixed key Secret.
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { OWNERSHIP_ANNOTATIONS, isTrue } from '../api/annotations.ts';
import { validateSopsSecret, type SopsSecret } from '../api/sops-secret.ts';
import { errorMessage, isSealbridgeError, type ErrorCode } from '../errors.ts';
import type { EventSink } from '../kube/events.ts';
import type { ObjectCacheReader } from '../kube/object-cache.ts';
import { parseObjectKey } from '../kube/types.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { KeyType } from '../sops/metadata.ts';
import type { ReconcileResult, Reconciler } from './runner.ts';
import { canonicalPayload, openSopsSecret } from './sops-secret-open.ts';
import type { SopsKeyResolver } from './sops-secret-keys.ts';
import type { SecretWriter, WritePolicy } from './secret-writer.ts';
import type { StatusObject, StatusReporter } from './status.ts';

export const SOPS_SECRET_REASONS = {
  decrypted: 'Decrypted',
  invalid: 'InvalidSopsSecret',
  macMismatch: 'MacMismatch',
  decryptionFailed: 'DecryptionFailed',
  keysNotFound: 'KeysNotFound',
  notOwned: 'SecretNotOwned',
  immutable: 'SecretImmutable',
  failed: 'SyncFailed',
} as const;

const REASON_BY_CODE: Partial<Record<ErrorCode, string>> = {
  SOPS_MAC_MISMATCH: SOPS_SECRET_REASONS.macMismatch,
  SOPS_MAC_MISSING: SOPS_SECRET_REASONS.macMismatch,
  SOPS_METADATA_INVALID: SOPS_SECRET_REASONS.invalid,
  SOPS_METADATA_MISSING: SOPS_SECRET_REASONS.invalid,
  SOPS_FORMAT_UNSUPPORTED: SOPS_SECRET_REASONS.invalid,
  INVALID_MANIFEST: SOPS_SECRET_REASONS.invalid,
  INVALID_BASE64: SOPS_SECRET_REASONS.invalid,
  INVALID_JSON: SOPS_SECRET_REASONS.invalid,
  WRONG_KIND: SOPS_SECRET_REASONS.invalid,
  MISSING_NAME: SOPS_SECRET_REASONS.invalid,
  SOPS_DATA_KEY_UNAVAILABLE: SOPS_SECRET_REASONS.decryptionFailed,
  SOPS_KEY_SERVICE_FAILED: SOPS_SECRET_REASONS.decryptionFailed,
  SOPS_VALUE_INVALID: SOPS_SECRET_REASONS.decryptionFailed,
  NO_MATCHING_KEY: SOPS_SECRET_REASONS.decryptionFailed,
  INVALID_PRIVATE_KEY: SOPS_SECRET_REASONS.decryptionFailed,
  UNSUPPORTED_KEY: SOPS_SECRET_REASONS.decryptionFailed,
  KUBE_NOT_FOUND: SOPS_SECRET_REASONS.keysNotFound,
  SECRET_NOT_OWNED: SOPS_SECRET_REASONS.notOwned,
  SECRET_IMMUTABLE: SOPS_SECRET_REASONS.immutable,
};

export function reasonFor(err: unknown): string {
  return (
    (isSealbridgeError(err) ? REASON_BY_CODE[err.code] : undefined) ?? SOPS_SECRET_REASONS.failed
  );
}

export interface SopsSecretReconcilerOptions {
  readonly sopsSecrets: ObjectCacheReader<StatusObject>;
  readonly writer: SecretWriter;
  readonly status: StatusReporter<StatusObject>;
  readonly keys: SopsKeyResolver;
  readonly clock: Clock;
  readonly events?: EventSink | undefined;
  readonly logger?: Logger | undefined;
  /** How soon a permanent failure (wrong key, MAC mismatch) is tried again (default 5 min). */
  readonly retryFailedAfterMs?: number | undefined;
  readonly decryptionOrder?: readonly KeyType[] | undefined;
}

/** Everything the Secret is computed from; the writer stores it to skip no-op reconciles. */
export function sourceHashOf(ss: SopsSecret): string {
  return createHash('sha256')
    .update(
      JSON.stringify([canonicalPayload(ss), ss.spec.template ?? null, ss.spec.decryption ?? null]),
    )
    .digest('hex');
}

function policyFor(ss: SopsSecret): WritePolicy {
  const annotations = ss.spec.template?.metadata?.annotations;
  const skip = Object.values(OWNERSHIP_ANNOTATIONS).some((f) =>
    isTrue(annotations, f.skipSetOwnerReferences),
  );
  return { create: true, ownerReference: !skip, adopt: 'owned', mode: 'auto' };
}

export class SopsSecretReconciler implements Reconciler {
  readonly #o: SopsSecretReconcilerOptions;
  readonly #log: Logger;

  constructor(options: SopsSecretReconcilerOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ controller: 'SopsSecret' });
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> {
    const obj = this.#o.sopsSecrets.get(key);
    if (obj === undefined) {
      // Deleted: the Secret goes with it through its ownerReference (garbage collection).
      const { namespace, name } = parseObjectKey(key);
      this.#o.writer.forget(namespace ?? '', name);
      return undefined;
    }
    if (obj.metadata.deletionTimestamp !== undefined) return undefined;
    let ss: SopsSecret;
    try {
      ss = validateSopsSecret(obj as unknown as Record<string, unknown>, `SopsSecret ${key}`);
    } catch (err) {
      await this.#fail(obj, err, signal);
      return { requeueAfterMs: this.#retryMs() };
    }
    const name = ss.metadata.name;
    const namespace = ss.metadata.namespace ?? '';
    try {
      const res = await this.#o.writer.write({
        owner: obj,
        namespace,
        name,
        policy: policyFor(ss),
        sourceHash: sourceHashOf(ss),
        signal,
        desired: async () => {
          const { keys, registry } = await this.#o.keys.resolve(ss, signal);
          const { secret } = await openSopsSecret(ss, {
            keys,
            registry,
            clock: this.#o.clock,
            signal,
            decryptionOrder: this.#o.decryptionOrder,
          });
          return {
            type: secret.type,
            immutable: secret.immutable,
            labels: secret.metadata.labels,
            annotations: secret.metadata.annotations,
            data: secret.data,
          };
        },
      });
      if (res.action !== 'unchanged') {
        this.#log.info({ key, action: res.action }, 'Secret written from SopsSecret');
      }
      await this.#o.status.report(
        obj,
        {
          ready: true,
          reason: SOPS_SECRET_REASONS.decrypted,
          message: `decrypted into Secret ${name}`,
          event: res.action !== 'unchanged',
        },
        signal,
      );
      return undefined;
    } catch (err) {
      if (signal.aborted) throw err;
      await this.#fail(obj, err, signal);
      if (isSealbridgeError(err) && !err.retryable) return { requeueAfterMs: this.#retryMs() };
      throw err;
    }
  }

  #retryMs(): number {
    return this.#o.retryFailedAfterMs ?? 300_000;
  }

  async #fail(obj: StatusObject, err: unknown, signal: AbortSignal): Promise<void> {
    const reason = reasonFor(err);
    const message = errorMessage(err);
    this.#log.warn(
      {
        object: `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`,
        reason,
        err: message,
      },
      'SopsSecret not synced; the existing Secret is left as it is',
    );
    await this.#o.status.report(obj, { ready: false, reason, message, event: true }, signal);
  }
}
