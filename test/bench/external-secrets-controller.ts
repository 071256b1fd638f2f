// Child process for external-secrets.bench.ts: the real ExternalSecret controller (runtime,
// informers, queue, reconcilers, provider registry, SDK clients, Event recorder) and nothing else,
// so the RSS it reports is the controller's own. The test servers run in the parent.
// argv[2]: JSON { kubeconfig, endpoints, tuning, workers }. IPC: sends {type:'started'} once
// workers run, {type:'rss', rss, heap} every 500 ms; on {type:'stop'} closes and exits.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { systemClock } from '../../src/clock.ts';
import { kubeEnvConfig } from '../../src/config.ts';
import { createExternalSecretControllers } from '../../src/controllers/external-secret-controllers.ts';
import { createKubeClient } from '../../src/kube/client.ts';
import { EventRecorder } from '../../src/kube/events.ts';
import { createLogger } from '../../src/log.ts';
import { createMetrics, createRegistry } from '../../src/metrics.ts';
import type { ProviderEndpoints, ProviderTuning } from '../../src/providers/options.ts';

interface Args {
  readonly kubeconfig: string;
  readonly endpoints: ProviderEndpoints;
  readonly tuning: Partial<ProviderTuning>;
  readonly workers: number;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const { client } = createKubeClient({ kubeconfigText: args.kubeconfig }, kubeEnvConfig({}));
const registry = createRegistry({ processMetrics: false });
const metrics = createMetrics(registry, systemClock);
const logger = createLogger({ level: 'warn', destination: process.stderr });
const events = new EventRecorder({
  events: client.events,
  clock: systemClock,
  component: 'sealbridge-controller',
  logger,
});
const controllers = createExternalSecretControllers({
  client,
  clock: systemClock,
  logger,
  metrics,
  events,
  providerEndpoints: args.endpoints,
  providerTuning: args.tuning,
  workers: args.workers,
});
controllers.startInformers();
await controllers.start();
process.send?.({ type: 'started' });
let peak = 0;
const sample = (): { rss: number; heap: number } => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  return { rss: m.rss, heap: m.heapUsed };
};
const timer = setInterval(() => {
  process.send?.({ type: 'rss', ...sample(), peak });
}, 500);
process.on('message', (m: { type?: string }) => {
  if (m.type === 'gc') {
    gc();
    const m = process.memoryUsage();
    process.send?.({ type: 'rss', ...sample(), peak, afterGc: true, detail: m });
    return;
  }
  if (m.type !== 'stop') return;
  clearInterval(timer);
  void controllers
    .close({ deadlineMs: 5_000 })
    .then(() => events.flush())
    .finally(() => process.exit(0));
});
