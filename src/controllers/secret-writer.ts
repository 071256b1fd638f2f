// The one way Sealbridge controllers write a target Secret (SealedSecret, SopsSecret,
// ExternalSecret). Usage:
//
//   const writer = new SecretWriter({ secrets: client.secrets, cache: managedSecrets, fieldManager: 'sealbridge' });
//   const out = await writer.write({
//     owner,                                   // the SealedSecret/ExternalSecret/… as read (apiVersion, kind, uid)
//     namespace, name,                         // the target Secret
//     policy: { create: true, ownerReference: true, adopt: 'owned', mode: 'auto' },
//     sourceHash,                              // hash of every input the desired Secret is computed from
//     desired: async () => ({ type, immutable, labels, annotations, data }),   // data values base64
//     signal,
//   });
//   out.action === 'unchanged' | 'created' | 'updated'
//
// Rules (docs/controller.md "Writing Secrets"):
//  - Ownership: an existing Secret is written only if it is controlled by the owner, carries the
//    owner's marker, or is annotated `managed`/`patch` (ours or Bitnami's); otherwise SECRET_NOT_OWNED
//    (not retryable). `adopt: 'any'` (ESO Merge) lifts that.
//  - Every written Secret gets the label sealbridge.io/managed-by=<kind> (owned Secrets are watched,
//    metadata-only, by that label), the owner marker, and two hash annotations: the source hash and a
//    hash of what was written. When both still match, the write is skipped and `desired()` is never
//    called, so a no-op reconcile costs no decryption; when the cached metadata shows the very
//    resourceVersion this writer last wrote or verified, it costs no API call either.
//  - Optimistic concurrency: updates carry the resourceVersion; a 409 re-reads and retries.
//  - Immutable Secrets and type changes give SECRET_IMMUTABLE (not retryable): Kubernetes refuses them.
//  - A failure of `desired()` (decryption, provider, template) writes nothing: the last good Secret stays.
import { SealbridgeError } from '../errors.ts';
import { isAlreadyExists, isConflict } from '../kube/errors.ts';
import type { ObjectCacheReader } from '../kube/object-cache.ts';
import type { ResourceClient } from '../kube/resource-client.ts';
import type { KubeObject, SecretObject } from '../kube/types.ts';
import {
  decideOwnership,
  effectiveSourceHash,
  isCurrent,
  newSecret,
  nextSecret,
  notOwnedError,
  OWNER_ANNOTATION,
  sameSecret,
  SOURCE_HASH_ANNOTATION,
  type DesiredSecret,
  type WritePolicy,
} from './secret-writer-plan.ts';

export {
  DATA_HASH_ANNOTATION,
  MANAGED_BY_LABEL,
  MERGED_KEYS_ANNOTATION,
  OWNER_ANNOTATION,
  SOURCE_HASH_ANNOTATION,
  managedByValue,
  ownerReferenceTo,
  type DesiredSecret,
  type WriteMode,
  type WritePolicy,
} from './secret-writer-plan.ts';

export interface SecretWriterOptions {
  readonly secrets: ResourceClient<SecretObject>;
  /** The metadata-only informer cache of managed Secrets (label MANAGED_BY_LABEL), if any. */
  readonly cache?: (ObjectCacheReader<SecretObject> & { hasSynced?(): boolean }) | undefined;
  readonly fieldManager?: string | undefined;
  /** Attempts on 409 Conflict before giving up with a retryable error (default 5). */
  readonly conflictRetries?: number | undefined;
}

export interface WriteRequest {
  readonly owner: KubeObject;
  readonly namespace: string;
  readonly name: string;
  readonly policy: WritePolicy;
  /** A hash of every input `desired()` depends on (spec, template, options); never of plaintext alone. */
  readonly sourceHash: string;
  /** Computes the Secret; called at most once, and only when a write may be needed. */
  readonly desired: () => DesiredSecret | Promise<DesiredSecret>;
  readonly signal?: AbortSignal | undefined;
}

export type WriteAction = 'unchanged' | 'created' | 'updated';

export interface WriteResult {
  readonly action: WriteAction;
  /** The Secret's resourceVersion after the write (or as verified). */
  readonly resourceVersion: string | undefined;
  /** Whether desired() was called. */
  readonly computed: boolean;
}

interface Verified {
  readonly rv: string;
  readonly hash: string;
}

export class SecretWriter {
  readonly #o: SecretWriterOptions;
  /** namespace/name → the resourceVersion this writer last wrote or checked, with its source hash. */
  readonly #verified = new Map<string, Verified>();

  constructor(options: SecretWriterOptions) {
    this.#o = options;
  }

  /** Drops what this writer remembers about a Secret (its owner is gone). */
  forget(namespace: string, name: string): void {
    this.#verified.delete(`${namespace}/${name}`);
  }

  async write(req: WriteRequest): Promise<WriteResult> {
    const key = `${req.namespace}/${req.name}`;
    const hash = effectiveSourceHash(req.sourceHash, req.owner, req.policy);
    const cached = this.#o.cache?.get(key);
    const seen = this.#verified.get(key);
    if (
      cached !== undefined &&
      seen !== undefined &&
      seen.hash === hash &&
      cached.metadata.resourceVersion === seen.rv &&
      cached.metadata.annotations?.[SOURCE_HASH_ANNOTATION] === hash
    ) {
      return { action: 'unchanged', resourceVersion: seen.rv, computed: false };
    }
    let desired: DesiredSecret | undefined;
    const compute = async (): Promise<DesiredSecret> => (desired ??= await req.desired());
    const ref = { namespace: req.namespace, name: req.name };
    const opts = { signal: req.signal, fieldManager: this.#o.fieldManager };
    // Not in the synced cache of managed Secrets: most likely it does not exist, so try to create
    // first and read only if that collides (saves a GET per new object).
    // A write that may not create (ESO Merge) targets Secrets not labelled yet: always read.
    const cacheSaysMissing =
      req.policy.create && cached === undefined && this.#o.cache?.hasSynced?.() === true;
    let existing = cacheSaysMissing ? undefined : await this.#o.secrets.find(ref, opts);
    const attempts = this.#o.conflictRetries ?? 5;
    for (let i = 0; i < attempts; i++) {
      if (existing === undefined) {
        if (!req.policy.create) {
          throw new SealbridgeError(
            'KUBE_NOT_FOUND',
            `Secret ${key} does not exist, and this object only writes into an existing Secret`,
            { retryable: true },
          );
        }
        const input = { ...req, sourceHash: hash, desired: await compute() };
        try {
          const created = await this.#o.secrets.create(newSecret(input), opts);
          return this.#done(key, hash, 'created', created, true);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          existing = await this.#o.secrets.find(ref, opts);
          continue;
        }
      }
      const own = decideOwnership(existing, req.owner, req.policy);
      if (!own.allowed) throw notOwnedError(req.namespace, req.name, req.owner);
      if (desired === undefined && isCurrent(existing, own, hash)) {
        return this.#done(key, hash, 'unchanged', existing, false);
      }
      const next = nextSecret(
        existing,
        { ...req, sourceHash: hash, desired: await compute() },
        own,
      );
      if (sameSecret(existing, next)) return this.#done(key, hash, 'unchanged', existing, true);
      try {
        const updated = await this.#o.secrets.replace(next, opts);
        return this.#done(key, hash, 'updated', updated, true);
      } catch (err) {
        if (!isConflict(err)) throw err;
        existing = await this.#o.secrets.find(ref, opts);
      }
    }
    throw new SealbridgeError(
      'KUBE_CONFLICT',
      `Secret ${key} kept changing while it was being written (${attempts} conflicts); will retry`,
      { retryable: true },
    );
  }

  #done(
    key: string,
    hash: string,
    action: WriteAction,
    secret: SecretObject,
    computed: boolean,
  ): WriteResult {
    const rv = secret.metadata.resourceVersion;
    if (rv !== undefined) this.#verified.set(key, { rv, hash });
    return { action, resourceVersion: rv, computed };
  }
}

/**
 * Owner keys (`namespace/name`) of a managed Secret, for a secondary watch: its controller
 * ownerReference of `kind`, else the owner marker annotation.
 */
export function managedSecretOwnerKeys(secret: KubeObject, kind: string): string[] {
  const ns = secret.metadata.namespace ?? '';
  const ref = secret.metadata.ownerReferences?.find(
    (r) => r.controller === true && r.kind === kind,
  );
  if (ref !== undefined) return [`${ns}/${ref.name}`];
  const marker = secret.metadata.annotations?.[OWNER_ANNOTATION];
  if (marker?.startsWith(`${kind}/`) === true) return [`${ns}/${marker.slice(kind.length + 1)}`];
  return [];
}
