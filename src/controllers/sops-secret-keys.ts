// Where a SopsSecret's keys come from, as Flux's kustomize-controller finds them:
//  - spec.decryption.secretRef: a Secret in the SopsSecret's own namespace whose entries are
//    recognised by name: `*.agekey` (age identities), `*.asc` (armored PGP keys),
//    `sops.vault-token`, `sops.aws-kms` (YAML credentials), `sops.gcp-kms` (a service-account key);
//  - an optional controller-wide key Secret (like Flux's --sops-age-secret), used after it;
//  - the pod's ambient cloud identity for AWS KMS and GCP KMS (IRSA / Workload Identity), which can
//    be limited to some namespaces: whoever can create a SopsSecret can have any file that the
//    controller's identity opens decrypted into their namespace.
// The key Secret is read with one GET per decryption (never cached, never logged), and only when
// the writer actually needs to decrypt.
import { SealbridgeError } from '../errors.ts';
import { isNotFound } from '../kube/errors.ts';
import type { ResourceClient } from '../kube/resource-client.ts';
import type { SecretObject } from '../kube/types.ts';
import { decodeBase64Strict } from '../manifest/base64.ts';
import { defaultKeyServices, type CloudKeyOptions } from '../sops/keys/defaults.ts';
import type { KeyServiceRegistry } from '../sops/keys/registry.ts';
import {
  combineKeySources,
  emptyKeySource,
  keySourceFromSecretData,
  type KeySource,
} from '../sops/keys/source.ts';
import type { SopsSecret } from '../api/sops-secret.ts';

/** Which namespaces may use the controller's own cloud identity: all, none, or a list. */
export type AmbientPolicy = 'all' | 'none' | readonly string[];

export interface SopsKeyResolverOptions {
  readonly secrets: ResourceClient<SecretObject>;
  /** Endpoints and Vault settings for the key services (no credentials: those come from Secrets). */
  readonly cloud?: CloudKeyOptions | undefined;
  /** A controller-wide key Secret, tried after the SopsSecret's own. */
  readonly defaultKeys?: { readonly namespace: string; readonly name: string } | undefined;
  readonly ambient?: AmbientPolicy | undefined;
}

export interface ResolvedKeys {
  readonly keys: KeySource;
  readonly registry: KeyServiceRegistry;
}

function decoded(secret: SecretObject): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    const bytes = decodeBase64Strict(v);
    if (bytes !== undefined) out[k] = bytes;
  }
  return out;
}

export class SopsKeyResolver {
  readonly #o: SopsKeyResolverOptions;
  readonly #withAmbient: KeyServiceRegistry;
  readonly #withoutAmbient: KeyServiceRegistry;

  constructor(options: SopsKeyResolverOptions) {
    this.#o = options;
    const cloud = options.cloud ?? {};
    this.#withAmbient = defaultKeyServices(cloud);
    this.#withoutAmbient = defaultKeyServices({
      ...cloud,
      aws: { ...cloud.aws, ambient: false },
      gcp: { ...cloud.gcp, ambient: false },
    });
  }

  ambientAllowed(namespace: string): boolean {
    const p = this.#o.ambient ?? 'all';
    if (p === 'all') return true;
    if (p === 'none') return false;
    return p.includes(namespace);
  }

  async resolve(ss: SopsSecret, signal?: AbortSignal): Promise<ResolvedKeys> {
    const namespace = ss.metadata.namespace ?? '';
    const sources: KeySource[] = [];
    const ref = ss.spec.decryption?.secretRef;
    if (ref !== undefined) {
      sources.push(await this.#read(namespace, ref.name, 'spec.decryption.secretRef', signal));
    }
    const d = this.#o.defaultKeys;
    if (d !== undefined)
      sources.push(await this.#read(d.namespace, d.name, 'the default key Secret', signal));
    const keys = sources.length === 0 ? emptyKeySource() : combineKeySources(...sources);
    return {
      keys,
      registry: this.ambientAllowed(namespace) ? this.#withAmbient : this.#withoutAmbient,
    };
  }

  async #read(
    namespace: string,
    name: string,
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<KeySource> {
    let secret: SecretObject;
    try {
      secret = await this.#o.secrets.get({ namespace, name }, { signal });
    } catch (err) {
      if (isNotFound(err)) {
        throw new SealbridgeError(
          'KUBE_NOT_FOUND',
          `${what}: Secret ${namespace}/${name} does not exist`,
          { retryable: false },
        );
      }
      throw err;
    }
    return keySourceFromSecretData(decoded(secret));
  }
}
