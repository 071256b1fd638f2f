// `npm run bench -- kube`: the Kubernetes runtime's own costs, each against a floor measured in
// the same run: work-queue throughput against a bare Set+array FIFO; informer sync of 5,000 custom
// resources plus 5,000 metadata-only Secrets (server in a child process) against one raw
// fetch+JSON.parse of the same lists, with the heap and RSS that costs; watch fan-in against the
// server's own write rate; KubeClient writes against raw fetch POSTs.
import { systemClock } from '../../src/clock.ts';
import { createInformer } from '../../src/kube/informer.ts';
import type { SecretObject } from '../../src/kube/types.ts';
import { WorkQueue } from '../../src/kube/workqueue.ts';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, type BenchModule, type BenchReporter } from '../helpers/bench.ts';
import { startKubeTestServerProcess } from '../servers/kube/child.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';

const N = 5_000;

function now(): number {
  return performance.now();
}

async function queueRate(): Promise<number> {
  const q = new WorkQueue<string>({ clock: systemClock });
  const keys = Array.from({ length: 50_000 }, (_, i) => `ns/k${i % 5_000}`);
  const start = now();
  for (const k of keys) q.add(k);
  let done = 0;
  while (q.len() > 0) {
    const item = await q.get();
    if (item === undefined) break;
    q.done(item.key);
    done++;
  }
  const secs = (now() - start) / 1000;
  if (done !== 5_000) throw new Error(`queue handed out ${done} keys`);
  return keys.length / secs;
}

async function fifoFloor(): Promise<number> {
  const keys = Array.from({ length: 50_000 }, (_, i) => `ns/k${i % 5_000}`);
  const start = now();
  const dirty = new Set<string>();
  const fifo: string[] = [];
  for (const k of keys) {
    if (dirty.has(k)) continue;
    dirty.add(k);
    fifo.push(k);
  }
  let head = 0;
  while (head < fifo.length) {
    const k = fifo[head++]!;
    dirty.delete(k);
    await Promise.resolve();
  }
  return keys.length / ((now() - start) / 1000);
}

function seedObjects(): [string, string, object][] {
  const blob = 'A'.repeat(700);
  const out: [string, string, object][] = [];
  for (let i = 0; i < N; i++) {
    const ns = `ns${i % 50}`;
    out.push([
      'sealedsecrets.sealbridge.io',
      ns,
      { metadata: { name: `s${i}` }, spec: { encryptedData: { a: blob, b: blob, c: blob } } },
    ]);
    out.push(['secrets', ns, { metadata: { name: `s${i}` }, data: { a: blob, b: blob, c: blob } }]);
  }
  return out;
}

async function rawListSeconds(url: string): Promise<number> {
  const start = now();
  const a = (await (await fetch(`${url}/apis/sealbridge.io/v1alpha1/sealedsecrets`)).json()) as {
    items: unknown[];
  };
  const b = (await (
    await fetch(`${url}/api/v1/secrets`, {
      headers: { Accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' },
    })
  ).json()) as { items: unknown[] };
  if (a.items.length + b.items.length !== 2 * N) throw new Error('short list');
  return (now() - start) / 1000;
}

interface ProbeResult {
  readonly seconds: number;
  readonly objects: number;
  readonly heapMiB: number;
  readonly rssMiB: number;
  readonly rssBeforeMiB: number;
}

/** Syncs both informers in a fresh process from a server in another: figures hold only the runtime. */
async function syncFromChild(): Promise<ProbeResult & { floor: number }> {
  const child = await startKubeTestServerProcess({ logRequests: false });
  try {
    const objects = seedObjects();
    for (let i = 0; i < objects.length; i += 1_000)
      await child.call('seed', objects.slice(i, i + 1_000));
    await rawListSeconds(child.url);
    const floor = await rawListSeconds(child.url);
    const probe = fork(
      fileURLToPath(new URL('./kube-sync-probe.ts', import.meta.url)),
      [await child.call('kubeconfigYaml')],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const result = await new Promise<ProbeResult>((resolve, reject) => {
      probe.once('message', (m: ProbeResult) => {
        resolve(m);
      });
      probe.once('exit', (code) => {
        reject(new Error(`sync probe exited (${String(code)})`));
      });
    });
    probe.kill();
    if (result.objects !== 2 * N) throw new Error(`probe synced ${result.objects} objects`);
    return { ...result, floor };
  } finally {
    await child.close();
  }
}

/** Watch fan-in with the server in process: objects created server-side until both caches have them. */
async function watchRate(): Promise<{ rate: number; floor: number }> {
  const server = await KubeTestServer.start({ logRequests: false });
  const client = kubeClientFor(server);
  const secrets = createInformer<SecretObject>({
    source: client.secrets,
    clock: systemClock,
    metadataOnly: true,
    relistPeriodMs: 0,
  });
  secrets.start();
  await secrets.waitForSync();
  while (server.openWatches() < 1)
    await new Promise((r) => {
      setTimeout(r, 1);
    });
  const t = server.resource('secrets');
  const start = now();
  for (let i = 0; i < N; i++)
    server.objects.create(t, 'watch', { metadata: { name: `w${i}`, namespace: 'watch' } });
  const writeSecs = (now() - start) / 1000;
  while (secrets.size < N)
    await new Promise((r) => {
      setTimeout(r, 1);
    });
  const secs = (now() - start) / 1000;
  await secrets.stop();
  await server.close();
  return { rate: N / secs, floor: N / writeSecs };
}

async function writeRates(server: KubeTestServer): Promise<{ client: number; raw: number }> {
  const client = kubeClientFor(server);
  const concurrency = 16;
  const run = async (fn: (i: number) => Promise<unknown>): Promise<number> => {
    let next = 0;
    const start = now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < 2_000) await fn(next++);
      }),
    );
    return 2_000 / ((now() - start) / 1000);
  };
  const round = Math.random().toString(36).slice(2, 7);
  const viaClient = await run((i) =>
    client.secrets.create({
      metadata: { name: `c${round}-${i}`, namespace: 'w' },
      data: { a: 'QQ==' },
    }),
  );
  const viaFetch = await run((i) =>
    fetch(`${server.url}/api/v1/namespaces/w/secrets`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ metadata: { name: `r${round}-${i}` }, data: { a: 'QQ==' } }),
    }).then((r) => r.text()),
  );
  return { client: viaClient, raw: viaFetch };
}

const bench: BenchModule = {
  title: 'Kubernetes runtime: queue, informers, client (against the test API server)',
  async run(report: BenchReporter) {
    const q: number[] = [];
    const f: number[] = [];
    for (let r = 0; r < 5; r++) {
      q.push(await queueRate());
      f.push(await fifoFloor());
    }
    const qm = median(q);
    report.figure({
      name: 'work queue add+get+done',
      value: qm,
      unit: 'ops/s',
      ratio: qm / median(f),
      note: 'floor: Set+array FIFO with one await per key',
    });

    const syncs: number[] = [];
    const floors: number[] = [];
    const rss: number[] = [];
    const heap: number[] = [];
    const base: number[] = [];
    for (let r = 0; r < 3; r++) {
      const s = await syncFromChild();
      syncs.push(s.seconds);
      floors.push(s.floor);
      rss.push(s.rssMiB - s.rssBeforeMiB);
      heap.push(s.heapMiB);
      base.push(s.rssBeforeMiB);
    }
    const sync = median(syncs);
    report.figure({
      name: `informer sync, ${N} SealedSecrets (3 × 700 B) + ${N} metadata-only Secrets`,
      value: (2 * N) / sync,
      unit: 'objects/s',
      ratio: median(floors) / sync,
      note: `floor: one raw fetch+JSON.parse of both lists, ${((2 * N) / median(floors)).toFixed(0)} objects/s; server in a child process`,
    });
    report.figure({ name: 'heap held by both caches after GC', value: median(heap), unit: 'MiB' });
    report.figure({
      name: 'RSS growth of a fresh process from start of sync to synced',
      value: median(rss),
      unit: 'MiB',
      note: `RSS before: ${median(base).toFixed(0)} MiB (Node + client-node loaded); server in another process`,
    });

    const w: number[] = [];
    const wf: number[] = [];
    for (let r = 0; r < 3; r++) {
      const x = await watchRate();
      w.push(x.rate);
      wf.push(x.floor);
    }
    report.figure({
      name: 'watch events into the cache',
      value: median(w),
      unit: 'events/s',
      ratio: median(w) / median(wf),
      note: 'floor: the in-process server creating the objects with the watch attached',
    });

    const server = await KubeTestServer.start({ logRequests: false });
    const c: number[] = [];
    const raw: number[] = [];
    for (let r = 0; r < 3; r++) {
      const w = await writeRates(server);
      c.push(w.client);
      raw.push(w.raw);
    }
    await server.close();
    report.figure({
      name: 'KubeClient creates (16 concurrent)',
      value: median(c),
      unit: 'req/s',
      ratio: median(c) / median(raw),
      note: 'floor: raw fetch POSTs to the same server',
    });
  },
};

export default bench;
