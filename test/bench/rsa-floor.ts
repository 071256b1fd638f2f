// The floor for controller.bench.ts: raw RSA-4096 OAEP private-key decrypts per second on all
// cores at once (one worker thread per core, each decrypting in a loop for a fixed time), with
// node:crypto and nothing else.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey, privateDecrypt, constants } = require('node:crypto');
const key = createPrivateKey(workerData.pem);
const ct = Buffer.from(workerData.ct, 'base64');
const label = Buffer.from(workerData.label);
const opts = { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label };
const end = performance.now() + workerData.ms;
let n = 0;
const start = performance.now();
while (performance.now() < end) { privateDecrypt(opts, ct); n++; }
parentPort.postMessage(n / ((performance.now() - start) / 1000));
`;

/** Decrypts per second summed over `threads` workers running at the same time. */
export async function rsaFloor(
  pem: string,
  ciphertext: Buffer,
  label: string,
  ms = 2000,
  threads = availableParallelism(),
): Promise<number> {
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(WORKER, {
            eval: true,
            workerData: { pem, ct: ciphertext.toString('base64'), label, ms },
          });
          w.once('message', (rate: number) => {
            resolve(rate);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}
