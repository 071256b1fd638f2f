// Pure decryption API (no file I/O): bytes or text in, plaintext tree out. Used by the CLI, and
// by the later SopsSecret controller and `render`, which pass keys from a Kubernetes Secret.
import { SealbridgeError } from '../errors.ts';
import { systemClock, type Clock } from '../clock.ts';
import { ValueCipher } from './cipher.ts';
import { recoverDataKey } from './data-key.ts';
import { storeFor, type SopsFormat, type StoreOptions } from './formats/index.ts';
import { IvStash } from './iv-stash.ts';
import { defaultKeyServices } from './keys/defaults.ts';
import type { KeyServiceRegistry } from './keys/registry.ts';
import type { KeySource } from './keys/source.ts';
import { macAad, type KeyType, type SopsMetadata } from './metadata.ts';
import { RuleSet } from './rules.ts';
import type { Branches } from './tree.ts';
import { decryptTree } from './walk.ts';

/** Exit code sops uses for a MAC mismatch. */
export const MAC_MISMATCH_EXIT_CODE = 51;

export interface DecryptOptions {
  readonly format: SopsFormat;
  readonly keys: KeySource;
  readonly registry?: KeyServiceRegistry;
  /** Skip the MAC check (sops --ignore-mac); also accepts files without a MAC. */
  readonly ignoreMac?: boolean;
  /** Name used in messages (a path, or an object reference). */
  readonly file?: string;
  readonly storeOptions?: StoreOptions;
  readonly decryptionOrder?: readonly KeyType[];
  readonly clock?: Clock;
  /**
   * Record each value's IV so that re-encrypting with the same data key keeps unchanged values'
   * ciphertexts (set/unset/edit). Off by default: plain reads skip the bookkeeping.
   */
  readonly keepIvs?: boolean;
  /** A data key the caller already holds (skips the key services). */
  readonly dataKey?: Uint8Array;
  readonly signal?: AbortSignal;
}

export interface DecryptedDocument {
  readonly format: SopsFormat;
  readonly branches: Branches;
  readonly metadata: SopsMetadata;
  readonly dataKey: Uint8Array;
  /** IVs of the values as found (when keepIvs), so re-encrypting unchanged values keeps their ciphertext. */
  readonly stash: IvStash;
  readonly macVerified: boolean;
  /** Comments that looked encrypted but did not open (kept as they were). */
  readonly undecryptableComments: number;
}

function toBytes(input: string | Uint8Array): Uint8Array {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
}

function prefix(file: string, err: unknown): unknown {
  if (err instanceof SealbridgeError && !err.message.startsWith(`${file}:`)) {
    return new SealbridgeError(err.code, `${file}: ${err.message}`, {
      cause: err,
      exitCode: err.exitCode,
      retryable: err.retryable,
    });
  }
  return err;
}

/** Decrypts a SOPS document and verifies its MAC. Throws a typed error; never returns partial data. */
export async function decryptDocument(
  input: string | Uint8Array,
  opts: DecryptOptions,
): Promise<DecryptedDocument> {
  const file = opts.file ?? 'input';
  try {
    const store = storeFor(opts.format, opts.storeOptions);
    const { branches, metadata } = store.loadEncrypted(toBytes(input), file);
    const dataKey =
      opts.dataKey ??
      (await recoverDataKey(metadata, {
        registry: opts.registry ?? defaultKeyServices(),
        keys: opts.keys,
        now: (opts.clock ?? systemClock).now(),
        ...(opts.decryptionOrder ? { decryptionOrder: opts.decryptionOrder } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      }));
    const stash = new IvStash();
    const cipher = new ValueCipher(dataKey, opts.keepIvs === true ? stash : undefined);
    const rules = new RuleSet(metadata.rules);
    const walked = decryptTree(branches, cipher, {
      rules,
      macOnlyEncrypted: metadata.macOnlyEncrypted,
    });
    let macVerified = false;
    if (!opts.ignoreMac) {
      if (metadata.mac === '') {
        throw new SealbridgeError(
          'SOPS_MAC_MISSING',
          'the file has no MAC; refusing to trust it (use --ignore-mac to decrypt anyway)',
          {
            exitCode: MAC_MISMATCH_EXIT_CODE,
          },
        );
      }
      let stored: unknown;
      try {
        stored = cipher.decrypt(metadata.mac, macAad(metadata.lastModified));
      } catch (err) {
        throw new SealbridgeError(
          'SOPS_MAC_MISMATCH',
          'MAC mismatch: the MAC does not authenticate against lastmodified (tampered metadata or wrong data key)',
          {
            cause: err,
            exitCode: MAC_MISMATCH_EXIT_CODE,
          },
        );
      }
      if (stored !== walked.mac) {
        throw new SealbridgeError(
          'SOPS_MAC_MISMATCH',
          'MAC mismatch: the file content was modified after it was encrypted',
          {
            exitCode: MAC_MISMATCH_EXIT_CODE,
          },
        );
      }
      macVerified = true;
    }
    return {
      format: opts.format,
      branches,
      metadata,
      dataKey,
      stash,
      macVerified,
      undecryptableComments: walked.undecryptableComments,
    };
  } catch (err) {
    throw prefix(file, err);
  }
}

/** The plaintext document in a format (the input format by default). */
export function emitPlain(
  doc: Pick<DecryptedDocument, 'branches' | 'format'>,
  format?: SopsFormat,
  storeOptions?: StoreOptions,
): Buffer {
  return storeFor(format ?? doc.format, storeOptions).emitPlain(doc.branches);
}
