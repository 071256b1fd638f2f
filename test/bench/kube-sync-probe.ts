// Child process for kube.bench.ts: syncs two informers from a test API server and reports the
// time, heap and RSS it took, so the figures hold only the runtime and its caches.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { systemClock } from '../../src/clock.ts';
import { kubeEnvConfig } from '../../src/config.ts';
import { createKubeClient } from '../../src/kube/client.ts';
import { createInformer } from '../../src/kube/informer.ts';
import type { KubeObject, SecretObject } from '../../src/kube/types.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const kubeconfig = process.argv[2] ?? '';
const SEALED = {
  group: 'sealbridge.io',
  version: 'v1alpha1',
  plural: 'sealedsecrets',
  kind: 'SealedSecret',
  namespaced: true,
};

const { client } = createKubeClient({ kubeconfigText: kubeconfig }, kubeEnvConfig({}));
gc();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage().rss;
const start = performance.now();
const crs = createInformer<KubeObject>({
  source: client.resource(SEALED),
  clock: systemClock,
  relistPeriodMs: 0,
});
const secrets = createInformer<SecretObject>({
  source: client.secrets,
  clock: systemClock,
  metadataOnly: true,
  relistPeriodMs: 0,
});
crs.start();
secrets.start();
await Promise.all([crs.waitForSync(), secrets.waitForSync()]);
const seconds = (performance.now() - start) / 1000;
gc();
const mem = process.memoryUsage();
await Promise.all([crs.stop(), secrets.stop()]);
process.send?.({
  seconds,
  objects: crs.size + secrets.size,
  heapMiB: (mem.heapUsed - heapBefore) / 1048576,
  rssMiB: mem.rss / 1048576,
  rssBeforeMiB: rssBefore / 1048576,
});
