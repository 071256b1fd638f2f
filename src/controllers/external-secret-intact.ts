// Is a managed Secret still what the controller wrote? Asked when an ExternalSecret is not due
// for a refresh (ESO's isSecretValid): a Secret that was deleted or edited is restored at once.
// The metadata-only cache answers without an API call when it shows the resourceVersion last
// written or verified; otherwise one GET compares the data hash annotation with the data (the
// same hashes the shared SecretWriter stamps). Secret data is never kept.
import type { ObjectCacheReader } from '../kube/object-cache.ts';
import type { ResourceClient } from '../kube/resource-client.ts';
import type { KubeObject, SecretObject } from '../kube/types.ts';
import {
  DATA_HASH_ANNOTATION,
  SOURCE_HASH_ANNOTATION,
  dataHash,
  decideOwnership,
  type WritePolicy,
} from './secret-writer-plan.ts';

export interface IntactCheckOptions {
  readonly secrets: ResourceClient<SecretObject>;
  /** Metadata-only cache of managed Secrets. */
  readonly cache: ObjectCacheReader<SecretObject> & { hasSynced?(): boolean };
}

export interface IntactRequest {
  readonly owner: KubeObject;
  readonly namespace: string;
  readonly name: string;
  readonly policy: WritePolicy;
  readonly signal?: AbortSignal | undefined;
}

export class IntactCheck {
  readonly #o: IntactCheckOptions;
  /** namespace/name → resourceVersion known to be intact. */
  readonly #verified = new Map<string, string>();

  constructor(options: IntactCheckOptions) {
    this.#o = options;
  }

  /** After a write (or a verified no-op): this resourceVersion is what we want. */
  remember(namespace: string, name: string, resourceVersion: string | undefined): void {
    if (resourceVersion === undefined) this.#verified.delete(`${namespace}/${name}`);
    else this.#verified.set(`${namespace}/${name}`, resourceVersion);
  }

  forget(namespace: string, name: string): void {
    this.#verified.delete(`${namespace}/${name}`);
  }

  /** The source hash on the cached Secret, if any (what the last write was computed from). */
  cachedSourceHash(namespace: string, name: string): string | undefined {
    return this.#o.cache.get(`${namespace}/${name}`)?.metadata.annotations?.[
      SOURCE_HASH_ANNOTATION
    ];
  }

  async intact(req: IntactRequest): Promise<boolean> {
    const key = `${req.namespace}/${req.name}`;
    const cached = this.#o.cache.get(key);
    const rv = cached?.metadata.resourceVersion;
    if (rv !== undefined && this.#verified.get(key) === rv) return true;
    // Not in the synced cache of managed Secrets: gone (or never labelled by us).
    if (cached === undefined && this.#o.cache.hasSynced?.() === true) return false;
    const existing = await this.#o.secrets.find(
      { namespace: req.namespace, name: req.name },
      { signal: req.signal },
    );
    if (existing === undefined) return false;
    const own = decideOwnership(existing, req.owner, req.policy);
    const ann = existing.metadata.annotations;
    const ok =
      own.allowed &&
      ann?.[SOURCE_HASH_ANNOTATION] !== undefined &&
      ann[DATA_HASH_ANNOTATION] === dataHash(existing, own.mode);
    if (ok) this.remember(req.namespace, req.name, existing.metadata.resourceVersion);
    return ok;
  }
}
