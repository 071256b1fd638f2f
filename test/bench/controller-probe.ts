// Child process for controller.bench.ts: runs the real controller (startController) against the
// test API server in another process, so its RSS and CPU are the controller's own. It reports when
// all N SealedSecrets are Ready (from its own metrics), then keeps running for the latency phase
// until told to stop. It runs the compiled controller from dist/ when built (as the container
// does), with the heap flags deploy/deployment.yaml sets in NODE_OPTIONS (see CONTROLLER_NODE_OPTIONS).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { existsSync } from 'node:fs';
import type * as ConfigModule from '../../src/config.ts';
import type * as MainModule from '../../src/main.ts';

// The compiled controller (dist/, as the container runs it) when built, else the sources.
const dist = new URL('../../dist/src/main.js', import.meta.url);
const useDist = existsSync(dist);
const { controllerConfig } = (await import(
  useDist ? '../../dist/src/config.js' : '../../src/config.ts'
)) as typeof ConfigModule;
const { startController } = (await import(
  useDist ? dist.href : '../../src/main.ts'
)) as typeof MainModule;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const [kubeconfig = '', expected = '0', extraFlags = '{}'] = process.argv.slice(2);
const want = Number(expected);
const send = (m: object): void => {
  process.send?.(m);
};

const rssBefore = process.memoryUsage().rss;
const start = performance.now();
const config = controllerConfig(
  {
    namespace: 'sealbridge',
    listenAddr: '127.0.0.1:0',
    listenMetricsAddr: '127.0.0.1:0',
    keyRenewPeriod: '0',
    logLevel: 'warn',
    ...(JSON.parse(extraFlags) as object),
  },
  {},
);
const ctl = await startController(config, {
  env: {},
  kubeconfigText: kubeconfig,
  logDestination: { write: () => undefined },
});

async function ready(): Promise<number> {
  const metric = ctl.registry.getSingleMetric('sealbridge_sealedsecrets');
  const values = (await metric?.get())?.values ?? [];
  return values.find((v) => v.labels['ready'] === 'True')?.value ?? 0;
}

async function rsaOps(): Promise<number> {
  const metric = ctl.registry.getSingleMetric('sealbridge_unseal_rsa_operations_total');
  return (await metric?.get())?.values[0]?.value ?? 0;
}

// Poll rarely: each look walks the 5,000 cached objects (a Prometheus scrape does it once per interval).
while ((await ready()) < want) await new Promise((r) => setTimeout(r, 250));
const seconds = (performance.now() - start) / 1000;
const rssSynced = process.memoryUsage().rss;
gc();
send({
  type: 'synced',
  seconds,
  rsaOps: await rsaOps(),
  rssMiB: rssSynced / 2 ** 20,
  rssAfterGcMiB: process.memoryUsage().rss / 2 ** 20,
  heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
  rssBeforeMiB: rssBefore / 2 ** 20,
  dist: useDist,
});

process.on('message', (m: { type?: string }) => {
  if (m.type !== 'stop') return;
  const rss = process.memoryUsage().rss / 2 ** 20;
  void ctl.shutdown().then(() => {
    send({ type: 'stopped', rssMiB: rss });
    process.exit(0);
  });
});
