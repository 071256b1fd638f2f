// `npm run bench -- controller`: the SealedSecret controller at scale, end to end through the
// Kubernetes API test server (in its own child process) and the real controller (startController,
// in another child process, so RSS and CPU are the controller's own; its worker threads included).
//  1. Sync: 5,000 SealedSecrets × 3 values, 3 RSA-4096 sealing keys in the ring, from a cold
//     start until all 5,000 are Ready. Reported as values opened per second against the floor:
//     raw RSA-4096 OAEP private-key decrypts per second on all cores, measured in the same run
//     (right before and right after each sync, averaged).
//  2. RSS of the controller process with the 5,000 in its caches.
//  3. Steady-state latency: with the 5,000 synced, one new SealedSecret at a time, from the create
//     request to its Secret's ADDED watch event.
// Medians over --rounds (default 3); one more round seals with all three keys in turn (no hint
// can help the first value of each object) and is reported alongside.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../src/clock.ts';
import { parseCertificate } from '../../src/crypto/certificate.ts';
import { sealValue, sealBytes } from '../../src/crypto/hybrid.ts';
import { buildKeySecret } from '../../src/crypto/key-secret.ts';
import { generateSealingKey } from '../../src/crypto/keygen.ts';
import { createKubeClient } from '../../src/kube/client.ts';
import { kubeEnvConfig } from '../../src/config.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { median, percentile, type BenchModule, type BenchReporter } from '../helpers/bench.ts';
import { testKey } from '../crypto/fixtures.ts';
import { startKubeTestServerProcess, type KubeTestServerProcess } from '../servers/kube/child.ts';
import { rsaFloor } from './rsa-floor.ts';
import { createPublicKey, type KeyObject } from 'node:crypto';

const N = 5_000;
/** The NODE_OPTIONS of deploy/deployment.yaml: the controller runs with these heap limits. */
export const CONTROLLER_NODE_OPTIONS = ['--max-old-space-size=256', '--max-semi-space-size=2'];
const ITEMS = 3;
const LATENCY_SAMPLES = 200;

interface Key {
  readonly keyPem: string;
  readonly certPem: string;
  readonly publicKey: KeyObject;
  readonly notBefore: number;
}

interface Synced {
  readonly seconds: number;
  readonly rsaOps: number;
  readonly rssMiB: number;
  readonly rssAfterGcMiB: number;
  readonly heapMiB: number;
  readonly rssBeforeMiB: number;
  readonly dist: boolean;
}

function asKey(keyPem: string, certPem: string): Key {
  const cert = parseCertificate(certPem, 'bench');
  return { keyPem, certPem, publicKey: cert.publicKey, notBefore: cert.notBefore.getTime() };
}

function sealedObject(ns: string, name: string, key: Key): object {
  const label = Buffer.from(`${ns}/${name}`);
  const encryptedData: Record<string, string> = {};
  for (let i = 0; i < ITEMS; i++) {
    encryptedData[`value-${i}`] = sealValue(
      Buffer.from(`secret ${name} ${i} `.repeat(8)),
      label,
      key.publicKey,
    );
  }
  return {
    apiVersion: 'sealbridge.io/v1alpha1',
    kind: 'SealedSecret',
    metadata: { name, namespace: ns },
    spec: { encryptedData },
  };
}

async function seed(
  child: KubeTestServerProcess,
  keys: readonly Key[],
  objects: readonly [string, string, object][],
): Promise<void> {
  await child.call(
    'seed',
    keys.map(
      (k, i) =>
        [
          'secrets',
          'sealbridge',
          buildKeySecret({
            namespace: 'sealbridge',
            name: `key-${i}`,
            privateKeyPem: k.keyPem,
            certPem: k.certPem,
          }),
        ] as [string, string, object],
    ),
  );
  for (let i = 0; i < objects.length; i += 250) await child.call('seed', objects.slice(i, i + 250));
}

/** Starts the controller probe; resolves when all N are Ready. */
function startProbe(kubeconfig: string): Promise<{ synced: Synced; stop: () => Promise<number> }> {
  const probe = fork(
    fileURLToPath(new URL('./controller-probe.ts', import.meta.url)),
    [kubeconfig, String(N)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, ...CONTROLLER_NODE_OPTIONS],
    },
  );
  return new Promise((resolve, reject) => {
    probe.once('exit', (code) => {
      reject(new Error(`controller probe exited (${String(code)})`));
    });
    probe.once('message', (m: Synced & { type: string }) => {
      resolve({
        synced: m,
        stop: () =>
          new Promise<number>((done) => {
            probe.removeAllListeners('exit');
            probe.once('message', (s: { rssMiB: number }) => {
              done(s.rssMiB);
            });
            probe.send({ type: 'stop' });
          }),
      });
    });
  });
}

/** Create → Secret ADDED, one SealedSecret at a time, watched from this (the bench) process. */
async function latencies(kubeconfig: string, key: Key, round: number): Promise<number[]> {
  const { client } = createKubeClient({ kubeconfigText: kubeconfig }, kubeEnvConfig({}));
  const selector = 'sealbridge.io/managed-by';
  const list = await client.secrets.list({
    namespace: 'latency',
    labelSelector: selector,
    limit: 1,
  });
  const waiting = new Map<string, () => void>();
  const ac = new AbortController();
  const watching = (async () => {
    const stream = client.secrets.watch({
      namespace: 'latency',
      labelSelector: selector,
      resourceVersion: list.resourceVersion,
      signal: ac.signal,
      metadataOnly: true,
    });
    for await (const ev of stream) {
      if (ev.type !== 'ADDED') continue;
      const name = ev.object.metadata.name ?? '';
      waiting.get(name)?.();
    }
  })().catch(() => undefined);
  const resource = client.resource({
    group: 'sealbridge.io',
    version: 'v1alpha1',
    plural: 'sealedsecrets',
    kind: 'SealedSecret',
    namespaced: true,
  });
  const out: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const name = `lat-${round}-${i}`;
    const obj = sealedObject('latency', name, key) as KubeObject;
    const added = new Promise<void>((resolve) => waiting.set(name, resolve));
    const start = performance.now();
    await resource.create(obj);
    await added;
    out.push(performance.now() - start);
    waiting.delete(name);
    await new Promise((r) => setTimeout(r, 20));
  }
  ac.abort();
  await watching;
  return out;
}

interface Round {
  readonly synced: Synced;
  readonly floor: number;
  readonly latency: number[];
  readonly rssEndMiB: number;
}

async function round(
  objects: readonly [string, string, object][],
  keys: readonly Key[],
  newest: Key,
  r: number,
  floorCt: { pem: string; ct: Buffer },
): Promise<Round> {
  // Floor right before and right after the sync, averaged: the machine's load drifts.
  const before = await rsaFloor(floorCt.pem, floorCt.ct, 'bench/floor');
  const child = await startKubeTestServerProcess({ logRequests: false, bookmarkIntervalMs: 1000 });
  try {
    await seed(child, keys, objects);
    const kubeconfig = await child.call('kubeconfigYaml');
    const probe = await startProbe(kubeconfig);
    const latency = await latencies(kubeconfig, newest, r);
    const rssEndMiB = await probe.stop();
    const after = await rsaFloor(floorCt.pem, floorCt.ct, 'bench/floor');
    return { synced: probe.synced, floor: (before + after) / 2, latency, rssEndMiB };
  } finally {
    await child.close();
  }
}

function objectsFor(pick: (i: number) => Key): [string, string, object][] {
  return Array.from({ length: N }, (_, i) => {
    const ns = `team-${i % 50}`;
    return ['sealedsecrets.sealbridge.io', ns, sealedObject(ns, `app-${i}`, pick(i))] as [
      string,
      string,
      object,
    ];
  });
}

const bench: BenchModule = {
  title: 'SealedSecret controller: sync 5,000 × 3 values, RSS, steady-state latency',
  async run(report: BenchReporter, args: readonly string[]) {
    const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? '3');
    const a = testKey('a');
    const b = testKey('b');
    const c = await generateSealingKey({
      clock: { ...systemClock, now: () => Date.now() + 86_400_000 },
    });
    const keys = [
      asKey(a.keyPem, a.certPem),
      asKey(b.keyPem, b.certPem),
      asKey(c.privateKeyPem, c.certPem),
    ];
    const newest = keys.reduce((x, y) => (y.notBefore > x.notBefore ? y : x));
    // The floor decrypts exactly what opening a value costs: R, the RSA-OAEP part of a sealed value.
    const envelope = sealBytes(
      Buffer.alloc(1),
      Buffer.from('bench/floor'),
      createPublicKey(newest.keyPem),
    );
    const floorCt = { pem: newest.keyPem, ct: envelope.subarray(2, 2 + envelope.readUInt16BE(0)) };
    const values = N * ITEMS;

    const sealedNewest = objectsFor(() => newest);
    const results: Round[] = [];
    for (let r = 0; r < rounds; r++) {
      const res = await round(sealedNewest, keys, newest, r, floorCt);
      results.push(res);
      report.log(
        `round ${r + 1}: floor ${res.floor.toFixed(0)} dec/s, sync ${res.synced.seconds.toFixed(1)} s (${(values / res.synced.seconds).toFixed(0)} values/s, ${res.synced.rsaOps} RSA ops), ` +
          `RSS ${res.synced.rssMiB.toFixed(0)} MiB (${res.synced.rssAfterGcMiB.toFixed(0)} after GC, ${res.synced.rssBeforeMiB.toFixed(0)} at start, ${res.rssEndMiB.toFixed(0)} at end), ` +
          `latency p50 ${percentile(res.latency, 50).toFixed(1)} ms p99 ${percentile(res.latency, 99).toFixed(1)} ms`,
      );
    }
    const floor = median(results.map((x) => x.floor));
    const rate = median(results.map((x) => values / x.synced.seconds));
    const ratio = median(results.map((x) => values / x.synced.seconds / x.floor));
    report.figure({
      name: 'floor: raw RSA-4096 OAEP private-key decrypts/s, all cores',
      value: floor,
      unit: 'ops/s',
    });
    report.figure({
      name: 'sync 5,000 SealedSecrets × 3 values, 3 keys in the ring',
      value: rate,
      unit: 'values/s',
      ratio,
      goal: '≥ 0.7',
      met: ratio >= 0.7,
      note: `${(rate / ITEMS).toFixed(0)} SealedSecrets/s; ratio = values/s ÷ floor, per round`,
    });
    report.figure({
      name: 'RSA operations per value during the sync',
      value: median(results.map((x) => x.synced.rsaOps / values)),
      unit: 'ops',
    });
    const rss = median(results.map((x) => x.synced.rssMiB));
    report.figure({
      name: 'controller RSS with 5,000 SealedSecrets synced',
      value: rss,
      unit: 'MiB',
      goal: '< 200',
      met: rss < 200,
      note: `controller child process only (API server in another process), worker threads included, ${results[0]?.synced.dist === true ? 'compiled dist/' : 'from sources'}, NODE_OPTIONS ${CONTROLLER_NODE_OPTIONS.join(' ')}; process.memoryUsage().rss when all were Ready`,
    });
    const p50 = median(results.map((x) => percentile(x.latency, 50)));
    const p99 = median(results.map((x) => percentile(x.latency, 99)));
    report.figure({
      name: 'steady state: create SealedSecret → Secret exists, p50',
      value: p50,
      unit: 'ms',
    });
    report.figure({
      name: 'steady state: create SealedSecret → Secret exists, p99',
      value: p99,
      unit: 'ms',
      goal: '< 100',
      met: p99 < 100,
      note: `${LATENCY_SAMPLES} sequential samples per round, 5,000 synced`,
    });

    const mixed = await round(
      objectsFor((i) => keys[i % 3]!),
      keys,
      newest,
      rounds,
      floorCt,
    );
    const mixedRatio = values / mixed.synced.seconds / mixed.floor;
    report.figure({
      name: 'sync with values sealed by all three keys in turn (one round)',
      value: values / mixed.synced.seconds,
      unit: 'values/s',
      ratio: mixedRatio,
      note: `${(mixed.synced.rsaOps / values).toFixed(2)} RSA ops per value: without a status hint the first value of an object tries keys newest first`,
    });
  },
};

export default bench;
