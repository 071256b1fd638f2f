// Opening the sealed values of one object in one go: the unit of work the controller hands to a
// worker thread (worker-pool.ts) or runs inline. Values are opened in the given order; each success
// becomes the hint for the next value, since the items of one SealedSecret are usually sealed with
// one key. The first failure stops the batch and is reported with the values opened before it, so
// the caller sees the same typed error the in-process Keyring would give.
import type { KeyObject } from 'node:crypto';
import { SealbridgeError, type ErrorCode } from '../errors.ts';
import type { Keyring, KeyOrder } from './keyring.ts';

/** A keyring entry as sent to a worker (dates as epoch milliseconds). */
export interface WireKey {
  readonly fingerprint: string;
  readonly privateKey: KeyObject;
  readonly notBefore?: number | undefined;
  readonly createdAt?: number | undefined;
  readonly source?: string | undefined;
}

export interface OpenBatchItem {
  /** The base64 value from encryptedData (or spec.data). */
  readonly value: string;
  /** Names the value in errors, e.g. `item "password" of SealedSecret ns/db`. */
  readonly item: string;
}

export interface OpenBatchRequest {
  readonly items: readonly OpenBatchItem[];
  readonly label: Uint8Array;
  readonly labelText: string;
  /** Fingerprint to try first (status.keyFingerprint). */
  readonly hint?: string | undefined;
}

export interface OpenedValue {
  readonly plaintext: Uint8Array;
  readonly fingerprint: string;
  readonly attempts: number;
}

export interface OpenBatchResult {
  /** One entry per item opened, in order; shorter than `items` when `error` is set. */
  readonly opened: OpenedValue[];
  readonly error?: { readonly code: ErrorCode; readonly message: string } | undefined;
}

export type { KeyOrder };

export function openBatch(keyring: Keyring, req: OpenBatchRequest): OpenBatchResult {
  const opened: OpenedValue[] = [];
  let hint = req.hint;
  for (const { value, item } of req.items) {
    try {
      const r = keyring.open(value, req.label, { hint, item, labelText: req.labelText });
      // A fresh, unshared buffer: safe to transfer between threads.
      const plaintext = new Uint8Array(r.plaintext.length);
      plaintext.set(r.plaintext);
      r.plaintext.fill(0);
      opened.push({ plaintext, fingerprint: r.fingerprint, attempts: r.attempts });
      hint = r.fingerprint;
    } catch (err) {
      if (!(err instanceof SealbridgeError)) throw err;
      return { opened, error: { code: err.code, message: err.message } };
    }
  }
  return { opened };
}
