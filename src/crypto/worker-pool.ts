// Opens sealed values on worker threads, so RSA-4096 private-key operations (about 3 ms each) use
// every core while the main thread keeps serving watches and HTTP. Each worker holds a copy of
// the keyring; a batch (all values of one object) goes to the least busy worker. With
// `threads: 0` everything runs inline on the calling thread (tests, small tools).
//
// The worker file is resolved next to this one with this file's own extension, so it works from
// source (.ts under Node's type stripping, e.g. in vitest) and from dist (.js).
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SealbridgeError, errorMessage, type ErrorCode } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import {
  openBatch,
  type OpenBatchRequest,
  type OpenBatchResult,
  type WireKey,
} from './open-batch.ts';
import { Keyring, type KeyOrder, type KeyringKey } from './keyring.ts';

export type {
  OpenBatchItem,
  OpenBatchRequest,
  OpenBatchResult,
  OpenedValue,
} from './open-batch.ts';

/** What the controller and the HTTP server use to open values. */
export interface ValueOpener {
  /** Worker threads in use (0: inline). */
  readonly threads: number;
  /** Replaces the keys every worker holds. */
  setKeys(keys: readonly KeyringKey[], order?: KeyOrder): void;
  /** Opens one object's values; per-value failures come back in `result.error`. */
  open(request: OpenBatchRequest): Promise<OpenBatchResult>;
  close(): Promise<void>;
}

export interface ValueOpenerOptions {
  /** Default: the number of cores. 0 runs inline. */
  readonly threads?: number | undefined;
  readonly logger?: Logger | undefined;
}

type Reply =
  | { readonly id: number; readonly ok: true; readonly result: OpenBatchResult }
  | { readonly id: number; readonly ok: false; readonly code: ErrorCode; readonly message: string };

interface Pending {
  readonly resolve: (r: OpenBatchResult) => void;
  readonly reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker | undefined;
  readonly pending: Map<number, Pending>;
}

function wireKeys(keys: readonly KeyringKey[]): WireKey[] {
  return keys.map((k) => ({
    fingerprint: k.fingerprint,
    privateKey: k.privateKey,
    notBefore: k.notBefore?.getTime(),
    createdAt: k.createdAt?.getTime(),
    source: k.source,
  }));
}

class InlineOpener implements ValueOpener {
  readonly threads = 0;
  #keyring = new Keyring([]);
  setKeys(keys: readonly KeyringKey[], order: KeyOrder = 'cert-not-before'): void {
    this.#keyring = new Keyring(keys, order);
  }
  open(request: OpenBatchRequest): Promise<OpenBatchResult> {
    try {
      return Promise.resolve(openBatch(this.#keyring, request));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

class WorkerPool implements ValueOpener {
  readonly threads: number;
  readonly #log: Logger;
  readonly #url: URL;
  readonly #slots: Slot[];
  #keys: { keys: WireKey[]; order: KeyOrder } = { keys: [], order: 'cert-not-before' };
  #nextId = 1;
  #closed = false;

  constructor(threads: number, logger: Logger) {
    this.threads = threads;
    this.#log = logger.child({ component: 'open-pool' });
    const self = fileURLToPath(import.meta.url);
    this.#url = new URL(`./open-worker${extname(self)}`, import.meta.url);
    this.#slots = Array.from({ length: threads }, () => ({
      worker: undefined,
      pending: new Map(),
    }));
  }

  setKeys(keys: readonly KeyringKey[], order: KeyOrder = 'cert-not-before'): void {
    this.#keys = { keys: wireKeys(keys), order };
    for (const slot of this.#slots) slot.worker?.postMessage({ type: 'keys', ...this.#keys });
  }

  open(request: OpenBatchRequest): Promise<OpenBatchResult> {
    if (this.#closed) {
      return Promise.reject(new SealbridgeError('SHUTTING_DOWN', 'the value opener is closed'));
    }
    let slot = this.#slots[0];
    for (const s of this.#slots)
      if (slot === undefined || s.pending.size < slot.pending.size) slot = s;
    if (slot === undefined) return Promise.reject(new Error('no worker slots'));
    const worker = this.#workerFor(slot);
    const id = this.#nextId++;
    return new Promise<OpenBatchResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      if (slot.pending.size === 1) worker.ref();
      worker.postMessage({ type: 'open', id, ...request });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      this.#slots.map(async (slot) => {
        const w = slot.worker;
        slot.worker = undefined;
        this.#failAll(slot, new SealbridgeError('SHUTTING_DOWN', 'the value opener is closed'));
        if (w !== undefined) await w.terminate();
      }),
    );
  }

  #workerFor(slot: Slot): Worker {
    if (slot.worker !== undefined) return slot.worker;
    // A worker's heap holds only keys and one batch at a time: small limits keep its memory
    // (and the process RSS) low, with frequent cheap scavenges instead of a large young generation.
    const worker = new Worker(this.#url, {
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 48 },
    });
    worker.unref();
    worker.postMessage({ type: 'keys', ...this.#keys });
    worker.on('message', (reply: Reply) => {
      const p = slot.pending.get(reply.id);
      if (p === undefined) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new SealbridgeError(reply.code, reply.message));
    });
    const lost = (why: string): void => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      if (!this.#closed)
        this.#log.error({ err: why }, 'value-opening worker stopped; restarting on demand');
      this.#failAll(
        slot,
        new SealbridgeError('INTERNAL', `value-opening worker stopped: ${why}`, {
          retryable: true,
        }),
      );
    };
    worker.on('error', (err) => {
      lost(errorMessage(err));
    });
    worker.on('exit', (code) => {
      lost(`exit code ${code}`);
    });
    slot.worker = worker;
    return worker;
  }

  #failAll(slot: Slot, err: Error): void {
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  }
}

/** A pool of `threads` workers (default: one per core), or an inline opener for 0. */
export function createValueOpener(options: ValueOpenerOptions = {}): ValueOpener {
  const threads = options.threads ?? availableParallelism();
  if (threads <= 0) return new InlineOpener();
  return new WorkerPool(threads, options.logger ?? silentLogger);
}
