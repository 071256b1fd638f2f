// Entry point of the child process started by child.ts.
import { KubeTestServer } from './server.ts';
import type { ChildCalls } from './child.ts';

const server = await KubeTestServer.start(JSON.parse(process.argv[2] ?? '{}') as object);

const calls: ChildCalls = {
  seed(objects) {
    for (const [resource, ns, obj] of objects)
      server.objects.create(server.resource(resource), ns, obj);
    return objects.length;
  },
  create: (resource, ns, obj) => server.objects.create(server.resource(resource), ns, obj),
  count: (verb, resource) => server.count(verb, resource),
  openWatches: (resource) => server.openWatches(resource),
  resetCounts: () => {
    server.resetCounts();
  },
  failNext: (spec) => {
    server.faults.failNext(spec);
  },
  addLatency: (ms, options) => {
    server.faults.addLatency(ms, options);
  },
  dropWatches: (options) => server.faults.dropWatches(options),
  compactHistory: () => {
    server.faults.compactHistory();
  },
  kubeconfigYaml: (ns) => server.kubeconfigYaml(ns),
};

process.on('message', (m: { id: number; op: keyof ChildCalls; args: unknown[] }) => {
  try {
    const fn = calls[m.op] as (...a: unknown[]) => unknown;
    process.send?.({ id: m.id, ok: true, value: fn(...m.args) });
  } catch (err) {
    process.send?.({
      id: m.id,
      ok: false,
      error: err instanceof Error ? err.message : String(err),
    });
  }
});
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
process.send?.({ url: server.url });
