// Opening and wrapping the data key: any one key of a group opens that group's part (tried in
// sops's decryption order: age, then PGP, then the rest); with several groups the parts are
// Shamir shares and `shamir_threshold` of them (all, when 0) rebuild the key.
import { randomBytes } from 'node:crypto';
import { SealbridgeError, errorMessage } from '../errors.ts';
import {
  keyLabel,
  rfc3339,
  withEnc,
  type KeyType,
  type MasterKey,
  type SopsMetadata,
} from './metadata.ts';
import type { KeyContext, KeyServiceRegistry } from './keys/registry.ts';
import { shamirCombine, shamirSplit } from './shamir.ts';
import { at } from './tree.ts';

export const DATA_KEY_BYTES = 32;
export const DEFAULT_DECRYPTION_ORDER: readonly KeyType[] = ['age', 'pgp'];

export interface DataKeyOptions extends KeyContext {
  readonly registry: KeyServiceRegistry;
  readonly decryptionOrder?: readonly KeyType[];
}

function ordered(group: readonly MasterKey[], order: readonly KeyType[]): MasterKey[] {
  const rank = (k: MasterKey): number => {
    const i = order.indexOf(k.type);
    return i < 0 ? order.length : i;
  };
  return group
    .map((k, i) => ({ k, i }))
    .sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i)
    .map((x) => x.k);
}

interface Problems {
  readonly messages: string[];
  /** Some key failed for a reason that may pass (throttling, an unreachable service). */
  transient: boolean;
}

async function openGroup(
  group: readonly MasterKey[],
  opts: DataKeyOptions,
  problems: Problems,
): Promise<Uint8Array | undefined> {
  for (const key of ordered(group, opts.decryptionOrder ?? DEFAULT_DECRYPTION_ORDER)) {
    try {
      const svc = opts.registry.require(key.type);
      return await svc.unwrap(key, opts);
    } catch (err) {
      if (opts.signal?.aborted === true) throw err;
      if (err instanceof SealbridgeError && err.retryable) problems.transient = true;
      problems.messages.push(`${keyLabel(key)}: ${errorMessage(err)}`);
    }
  }
  return undefined;
}

/** Recovers the data key, or throws SOPS_DATA_KEY_UNAVAILABLE listing why each key failed. */
export async function recoverDataKey(md: SopsMetadata, opts: DataKeyOptions): Promise<Uint8Array> {
  const groups = md.keyGroups;
  const parts: Uint8Array[] = [];
  const report: string[] = [];
  let transient = false;
  const need = groups.length > 1 && md.shamirThreshold > 0 ? md.shamirThreshold : groups.length;
  // Stop once enough parts are open: the remaining groups' services are not called at all.
  for (let g = 0; g < groups.length && parts.length < need; g++) {
    const problems: Problems = { messages: [], transient: false };
    const part = await openGroup(at(groups, g), opts, problems);
    if (part !== undefined) parts.push(part);
    else {
      transient ||= problems.transient;
      report.push(
        `${groups.length > 1 ? `group ${g + 1}: ` : ''}${problems.messages.join('; ') || 'no keys'}`,
      );
    }
  }
  let key: Uint8Array;
  if (groups.length > 1) {
    if (parts.length < need) {
      throw new SealbridgeError(
        'SOPS_DATA_KEY_UNAVAILABLE',
        `could not open the data key: ${parts.length} of ${need} required key groups opened (${report.join(' | ')})`,
        { retryable: transient },
      );
    }
    key = shamirCombine(parts);
  } else {
    const only = parts[0];
    if (only === undefined) {
      throw new SealbridgeError(
        'SOPS_DATA_KEY_UNAVAILABLE',
        `could not open the data key (${report.join(' | ')})`,
        { retryable: transient },
      );
    }
    key = only;
  }
  if (key.length !== DATA_KEY_BYTES) {
    throw new SealbridgeError(
      'SOPS_DATA_KEY_UNAVAILABLE',
      `the recovered data key has ${key.length} bytes, not ${DATA_KEY_BYTES}`,
    );
  }
  return key;
}

export function newDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(DATA_KEY_BYTES));
}

/** Wraps the data key (or its Shamir parts) for every master key; returns the filled groups. */
export async function wrapDataKey(
  groups: readonly (readonly MasterKey[])[],
  dataKey: Uint8Array,
  threshold: number,
  opts: DataKeyOptions,
): Promise<MasterKey[][]> {
  if (groups.length === 0 || groups.every((g) => g.length === 0)) {
    throw new SealbridgeError(
      'SOPS_CONFIG_INVALID',
      'no master keys given: use --age, --pgp, … or a .sops.yaml creation rule',
    );
  }
  if (groups.some((g) => g.length === 0)) {
    throw new SealbridgeError('SOPS_CONFIG_INVALID', 'a key group has no keys');
  }
  const parts =
    groups.length === 1
      ? [dataKey]
      : shamirSplit(dataKey, groups.length, threshold > 0 ? threshold : groups.length);
  const out: MasterKey[][] = [];
  for (let g = 0; g < groups.length; g++) {
    const filled: MasterKey[] = [];
    for (const key of at(groups, g)) {
      const svc = opts.registry.require(key.type);
      let res;
      try {
        res = await svc.wrap(key, at(parts, g), opts);
      } catch (err) {
        throw new SealbridgeError(
          'SOPS_KEY_SERVICE_FAILED',
          `could not wrap the data key for ${keyLabel(key)}: ${errorMessage(err)}`,
          { cause: err, retryable: err instanceof SealbridgeError && err.retryable },
        );
      }
      const base = withEnc(key, res.enc, key.type === 'age' ? undefined : rfc3339(opts.now));
      filled.push({ type: base.type, fields: { ...base.fields, ...(res.fields ?? {}) } });
    }
    out.push(filled);
  }
  return out;
}
