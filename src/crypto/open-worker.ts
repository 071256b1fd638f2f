// Worker-thread side of the value-opening pool (worker-pool.ts). It holds a copy of the keyring
// (KeyObjects cross threads with postMessage) and opens batches of sealed values, exactly as the
// in-process Keyring does: same key order, same hint rule, same typed errors. Plaintext goes back
// to the parent thread only, as transferred buffers; it never leaves the process.
import { parentPort } from 'node:worker_threads';
import { SealbridgeError, errorMessage } from '../errors.ts';
import { openBatch, type OpenBatchRequest, type WireKey } from './open-batch.ts';
import { Keyring } from './keyring.ts';

type Message =
  | {
      readonly type: 'keys';
      readonly keys: readonly WireKey[];
      readonly order: 'cert-not-before' | 'creation-timestamp';
    }
  | ({ readonly type: 'open'; readonly id: number } & OpenBatchRequest);

let keyring = new Keyring([]);
const port = parentPort;

port?.on('message', (msg: Message) => {
  if (msg.type === 'keys') {
    keyring = new Keyring(
      msg.keys.map((k) => ({
        ...k,
        notBefore: toDate(k.notBefore),
        createdAt: toDate(k.createdAt),
      })),
      msg.order,
    );
    return;
  }
  try {
    const result = openBatch(keyring, msg);
    const transfer = result.opened.map((o) => o.plaintext.buffer as ArrayBuffer);
    port.postMessage({ id: msg.id, ok: true, result }, transfer);
  } catch (err) {
    const code = err instanceof SealbridgeError ? err.code : 'INTERNAL';
    port.postMessage({ id: msg.id, ok: false, code, message: errorMessage(err) });
  }
});

function toDate(ms: number | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(ms);
}
