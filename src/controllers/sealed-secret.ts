// The SealedSecret reconciler, with Bitnami's semantics (docs/controller.md):
//  - the scope comes from the object's own annotations (ours or Bitnami's); values are opened on
//    the worker pool, the key that opened them last time (status.keyFingerprint) tried first;
//  - the template supplies labels, annotations, type, immutable and `data` templates;
//  - the Secret gets a controller ownerReference unless the template says skip-set-owner-references;
//  - an existing Secret is written only if owned, or annotated managed/patch (patch merges);
//  - status: observedGeneration, Ready (and Bitnami's Synced) with reason and message, keyFingerprint;
//    Events: Normal `Unsealed` when the Secret changed, Warning on failure.
// A failure never touches the existing Secret. Opening failures for want of a key retry with
// backoff (and at once when keys change); bad input, unowned or immutable Secrets are not
// hot-retried. A Secret that is current costs no decryption and, once verified, no API call.
import { createHash } from 'node:crypto';
import { OWNERSHIP_ANNOTATIONS } from '../api/annotations.ts';
import type { SealedSecretApiVersion } from '../api/group.ts';
import { validateSealedSecret, type SealedSecret } from '../api/sealed-secret.ts';
import { scopeFromAnnotations } from '../crypto/scope.ts';
import type { UnsealResult } from '../crypto/unseal.ts';
import type { ValueOpener } from '../crypto/worker-pool.ts';
import { isSealbridgeError, SealbridgeError, type ErrorCode } from '../errors.ts';
import type { ObjectCacheReader } from '../kube/object-cache.ts';
import { parseObjectKey, type KubeObject } from '../kube/types.ts';
import type { SecretManifest } from '../manifest/types.ts';
import type { Reconciler, ReconcileResult } from './runner.ts';
import type { DesiredSecret, SecretWriter, WritePolicy } from './secret-writer.ts';
import type { StatusObject, StatusReporter } from './status.ts';
import { openSealedSecret } from './sealed-secret-open.ts';

export const REASONS = {
  unsealed: 'Unsealed',
  unsealFailed: 'UnsealFailed',
  notOwned: 'SecretNotOwned',
  immutable: 'SecretImmutable',
  invalid: 'InvalidSpec',
  updateFailed: 'UpdateFailed',
} as const;

/** Condition types written: Ready, plus Bitnami's Synced (Argo CD's health check reads it). */
export const SEALED_CONDITIONS = ['Ready', 'Synced'] as const;

const UNSEAL_CODES = new Set<ErrorCode>([
  'NO_MATCHING_KEY',
  'CIPHERTEXT_TOO_SHORT',
  'CIPHERTEXT_MALFORMED',
  'DECRYPTION_FAILED',
  'INVALID_MANIFEST',
  'INVALID_INPUT',
  'INVALID_BASE64',
  'WRONG_KIND',
  'MISSING_NAME',
  'TEMPLATE_PARSE',
  'TEMPLATE_EXEC',
  'TEMPLATE_UNKNOWN_FUNCTION',
  'TEMPLATE_MISSING_KEY',
]);

export interface SealedSecretReconcilerOptions {
  readonly cache: ObjectCacheReader<KubeObject>;
  readonly apiVersion: SealedSecretApiVersion;
  readonly writer: SecretWriter;
  readonly status: StatusReporter<StatusObject>;
  readonly opener: ValueOpener;
  readonly acceptDeprecatedData: boolean;
  /** Called after values were opened, with the RSA operations it took (metrics). */
  readonly onOpened?: ((attempts: number) => void) | undefined;
}

export function skipOwnerReference(ss: SealedSecret): boolean {
  const a = ss.spec.template?.metadata?.annotations;
  return Object.values(OWNERSHIP_ANNOTATIONS).some((f) => a?.[f.skipSetOwnerReferences] === 'true');
}

/** Everything the Secret is computed from, hashed (never plaintext: only ciphertext and template). */
export function sealedSourceHash(ss: SealedSecret, acceptDeprecatedData: boolean): string {
  const input = [
    ss.apiVersion,
    ss.metadata.namespace ?? '',
    ss.metadata.name,
    scopeFromAnnotations(ss.metadata.annotations),
    ss.spec,
    acceptDeprecatedData,
  ];
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

function desiredFrom(secret: SecretManifest): DesiredSecret {
  return {
    type: secret.type,
    immutable: secret.immutable,
    labels: secret.metadata.labels,
    annotations: secret.metadata.annotations,
    data: secret.data ?? {},
  };
}

function validate(obj: KubeObject, key: string): SealedSecret {
  const source = `SealedSecret ${key}`;
  try {
    return validateSealedSecret({
      object: obj as unknown as Record<string, unknown>,
      source,
      index: 1,
    });
  } catch (err) {
    if (!isSealbridgeError(err)) throw err;
    throw new SealbridgeError(err.code, err.message.replace(`${source}: document 1`, source), {
      cause: err,
    });
  }
}

function classify(err: unknown): { reason: string; retry: unknown } {
  if (!isSealbridgeError(err)) return { reason: REASONS.updateFailed, retry: err };
  if (err.code === 'SECRET_NOT_OWNED') return { reason: REASONS.notOwned, retry: err };
  if (err.code === 'SECRET_IMMUTABLE') return { reason: REASONS.immutable, retry: err };
  if (UNSEAL_CODES.has(err.code)) {
    // A missing key may arrive (and keys are watched); bad ciphertext or templates will not heal.
    const retry =
      err.code === 'NO_MATCHING_KEY'
        ? new SealbridgeError(err.code, err.message, { retryable: true, cause: err })
        : err;
    return { reason: REASONS.unsealFailed, retry };
  }
  return { reason: REASONS.updateFailed, retry: err };
}

export class SealedSecretReconciler implements Reconciler {
  readonly #o: SealedSecretReconcilerOptions;

  constructor(options: SealedSecretReconcilerOptions) {
    this.#o = options;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const obj = this.#o.cache.get(key);
    const ref = parseObjectKey(key);
    if (obj === undefined) {
      // Deleted: the ownerReference lets the garbage collector remove the Secret.
      this.#o.writer.forget(ref.namespace ?? '', ref.name);
      return {};
    }
    if (obj.metadata.deletionTimestamp !== undefined) return {};
    const owner = { ...obj, apiVersion: this.#o.apiVersion, kind: 'SealedSecret' };
    let ss: SealedSecret;
    try {
      ss = validate(owner, key);
    } catch (err) {
      await this.#fail(owner, REASONS.invalid, err, signal);
      throw err;
    }
    const policy: WritePolicy = {
      create: true,
      ownerReference: !skipOwnerReference(ss),
      adopt: 'owned',
      mode: 'auto',
    };
    const hint = ss.status?.keyFingerprint;
    let opened: UnsealResult | undefined;
    try {
      const written = await this.#o.writer.write({
        owner,
        namespace: ref.namespace ?? '',
        name: ref.name,
        policy,
        sourceHash: sealedSourceHash(ss, this.#o.acceptDeprecatedData),
        desired: async () => {
          opened = await openSealedSecret(ss, {
            opener: this.#o.opener,
            hint,
            acceptDeprecatedData: this.#o.acceptDeprecatedData,
          });
          this.#o.onOpened?.(opened.attempts);
          return desiredFrom(opened.secret);
        },
        signal,
      });
      await this.#o.status.report(
        owner,
        {
          ready: true,
          reason: REASONS.unsealed,
          message: 'SealedSecret unsealed successfully',
          // Only when values were opened now: a stale cached copy must not erase the field.
          fields: opened === undefined ? {} : { keyFingerprint: opened.keyFingerprint },
          conditionTypes: SEALED_CONDITIONS,
          event: written.action !== 'unchanged',
        },
        signal,
      );
      return {};
    } catch (err) {
      const { reason, retry } = classify(err);
      await this.#fail(owner, reason, err, signal);
      throw retry;
    }
  }

  /** Ready=False with the reason and the error's message, and a Warning event. */
  async #fail(obj: StatusObject, reason: string, err: unknown, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const message = err instanceof Error ? err.message : String(err);
    try {
      await this.#o.status.report(
        obj,
        { ready: false, reason, message, conditionTypes: SEALED_CONDITIONS, event: true },
        signal,
      );
    } catch {
      // The original error is what the retry is about; a status write failure is secondary.
    }
  }
}
