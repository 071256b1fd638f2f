// The key-service abstraction: one service per metadata key type wraps a data key (or a Shamir
// part) for a master key and unwraps it again. age and PGP ship here; AWS KMS, GCP KMS, Vault
// transit, Azure Key Vault and HuaweiCloud KMS register into the same registry later, without
// any change to the format code. Entries of a type with no service still parse and round-trip.
import { SealbridgeError } from '../../errors.ts';
import type { KeyType, MasterKey } from '../metadata.ts';
import type { KeySource } from './source.ts';

export interface KeyContext {
  readonly keys: KeySource;
  /** Clock time in ms, for created_at. */
  readonly now: number;
  readonly signal?: AbortSignal;
}

export interface WrapResult {
  readonly enc: string;
  /** Extra fields the service fills in (e.g. aws_profile); never secret. */
  readonly fields?: Readonly<Record<string, string>>;
}

export interface KeyService {
  readonly type: KeyType;
  /** Human name for messages: "age", "PGP", "AWS KMS", … */
  readonly name: string;
  wrap(key: MasterKey, dataKey: Uint8Array, ctx: KeyContext): Promise<WrapResult>;
  unwrap(key: MasterKey, ctx: KeyContext): Promise<Uint8Array>;
}

export const KEY_TYPE_NAMES: Readonly<Record<KeyType, string>> = {
  age: 'age',
  pgp: 'PGP',
  kms: 'AWS KMS',
  gcp_kms: 'GCP KMS',
  hc_vault: 'Vault transit',
  azure_kv: 'Azure Key Vault',
  hckms: 'HuaweiCloud KMS',
};

export class KeyServiceRegistry {
  readonly #services = new Map<KeyType, KeyService>();

  register(service: KeyService): this {
    this.#services.set(service.type, service);
    return this;
  }

  get(type: KeyType): KeyService | undefined {
    return this.#services.get(type);
  }

  /** The service for a type, or the honest error that this build cannot use it. */
  require(type: KeyType): KeyService {
    const svc = this.#services.get(type);
    if (svc === undefined) {
      throw new SealbridgeError(
        'SOPS_KEY_SERVICE_FAILED',
        `${KEY_TYPE_NAMES[type]} key service is not available in this build`,
      );
    }
    return svc;
  }

  types(): KeyType[] {
    return [...this.#services.keys()];
  }
}
