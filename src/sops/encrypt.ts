// Pure encryption API (no file I/O): plaintext in, SOPS document out. `sealBranches` is the step
// shared by encrypt, rotate and set: encrypt the values with a data key (reusing stashed IVs),
// compute and encrypt the MAC, and stamp lastmodified and the format version.
import { SealbridgeError } from '../errors.ts';
import { systemClock, type Clock } from '../clock.ts';
import { ValueCipher, pooledRandom, type RandomSource } from './cipher.ts';
import { newDataKey, wrapDataKey } from './data-key.ts';
import { storeFor, type SopsFormat, type StoreOptions } from './formats/index.ts';
import { IvStash } from './iv-stash.ts';
import { defaultKeyServices } from './keys/defaults.ts';
import type { KeyServiceRegistry } from './keys/registry.ts';
import type { KeySource } from './keys/source.ts';
import {
  SOPS_FORMAT_VERSION,
  macAad,
  rfc3339,
  type MasterKey,
  type SopsMetadata,
} from './metadata.ts';
import { RuleSet, type CryptRules } from './rules.ts';
import { cloneBranches, type Branches } from './tree.ts';
import { isSopsSecretBranch, orderSopsSecretPayload } from './canonical-order.ts';
import { encryptTree } from './walk.ts';

export interface SealOptions {
  readonly clock?: Clock;
  readonly random?: RandomSource;
  readonly stash?: IvStash;
  /** Encrypt the given branches in place instead of a copy (when the caller owns them). */
  readonly inPlace?: boolean;
}

/**
 * Encrypts plaintext branches with `dataKey` under `metadata` (whose key groups are already
 * wrapped). Returns new encrypted branches and the metadata with MAC, lastmodified and version.
 */
export function sealBranches(
  plain: Branches,
  dataKey: Uint8Array,
  metadata: Omit<SopsMetadata, 'mac' | 'lastModified' | 'version'>,
  opts: SealOptions = {},
): { branches: Branches; metadata: SopsMetadata } {
  const branches = opts.inPlace === true ? plain : cloneBranches(plain);
  orderSopsSecretPayload(branches);
  // A SopsSecret's MAC must leave out what the API server changes (docs/sops-secret.md).
  const macOnlyEncrypted = metadata.macOnlyEncrypted || branches.some(isSopsSecretBranch);
  const random = opts.random ?? pooledRandom();
  const cipher = new ValueCipher(dataKey, opts.stash ?? new IvStash(), random);
  const rules = new RuleSet(metadata.rules);
  const mac = encryptTree(branches, cipher, { rules, macOnlyEncrypted });
  const lastModified = rfc3339((opts.clock ?? systemClock).now());
  // The MAC is encrypted with a fresh IV: the stash is keyed by plaintext and path, and the MAC
  // of changed content must never reuse an IV.
  const macCipher = new ValueCipher(dataKey, undefined, random);
  return {
    branches,
    metadata: {
      ...metadata,
      macOnlyEncrypted,
      rules: rules.rules,
      lastModified,
      mac: macCipher.encrypt(mac, macAad(lastModified)),
      version: SOPS_FORMAT_VERSION,
    },
  };
}

export interface EncryptOptions {
  readonly format: SopsFormat;
  /** Key groups to wrap the data key for (enc fields empty); more than one means Shamir. */
  readonly keyGroups: readonly (readonly MasterKey[])[];
  readonly shamirThreshold?: number;
  readonly rules?: CryptRules;
  readonly macOnlyEncrypted?: boolean;
  /** Key material: PGP public keys to encrypt to. */
  readonly keys: KeySource;
  readonly registry?: KeyServiceRegistry;
  readonly storeOptions?: StoreOptions;
  /** Output format (defaults to the input format). */
  readonly outputFormat?: SopsFormat;
  readonly file?: string;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  readonly signal?: AbortSignal;
}

export interface EncryptResult {
  readonly output: Buffer;
  readonly metadata: SopsMetadata;
  readonly dataKey: Uint8Array;
}

/** Encrypts already-parsed plaintext branches with a new data key. */
export async function encryptBranches(
  plain: Branches,
  opts: EncryptOptions,
  owned = false,
): Promise<EncryptResult> {
  const clock = opts.clock ?? systemClock;
  const dataKey = newDataKey();
  const groups = await wrapDataKey(opts.keyGroups, dataKey, opts.shamirThreshold ?? 0, {
    registry: opts.registry ?? defaultKeyServices(),
    keys: opts.keys,
    now: clock.now(),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const sealed = sealBranches(
    plain,
    dataKey,
    {
      keyGroups: groups,
      shamirThreshold: groups.length > 1 ? (opts.shamirThreshold ?? 0) : 0,
      rules: opts.rules ?? {},
      macOnlyEncrypted: opts.macOnlyEncrypted ?? false,
    },
    { clock, inPlace: owned, ...(opts.random ? { random: opts.random } : {}) },
  );
  const out = storeFor(opts.outputFormat ?? opts.format, opts.storeOptions);
  return {
    output: out.emitEncrypted(sealed.branches, sealed.metadata),
    metadata: sealed.metadata,
    dataKey,
  };
}

/** Encrypts a plaintext document (text or bytes) with a new data key. */
export async function encryptDocument(
  input: string | Uint8Array,
  opts: EncryptOptions,
): Promise<EncryptResult> {
  const file = opts.file ?? 'input';
  const store = storeFor(opts.format, opts.storeOptions);
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const branches = store.loadPlain(bytes, file);
  if (store.hasMetadata(branches)) {
    throw new SealbridgeError(
      'SOPS_ALREADY_ENCRYPTED',
      `${file}: the file already has sops metadata; it is encrypted already`,
    );
  }
  return encryptBranches(branches, withSopsSecretDefaults(branches, opts), true);
}

/** The crypt rule SopsSecrets need (see docs/sops-secret.md). */
const SOPS_SECRET_RULES: CryptRules = { encryptedRegex: '^(data|stringData)$' };

/**
 * A SopsSecret must be encrypted with mac_only_encrypted (its MAC may not cover fields the API
 * server changes), and without a rule of its own it gets ^(data|stringData)$.
 */
function withSopsSecretDefaults(branches: Branches, opts: EncryptOptions): EncryptOptions {
  if (!branches.some(isSopsSecretBranch)) return opts;
  const hasRule = opts.rules !== undefined && Object.keys(opts.rules).length > 0;
  return { ...opts, macOnlyEncrypted: true, ...(hasRule ? {} : { rules: SOPS_SECRET_RULES }) };
}
