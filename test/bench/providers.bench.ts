// Provider-level benchmark for the ExternalSecret workload of issue 4: 10,000 ExternalSecrets ×
// 3 keys over 1,000 distinct remote secrets, read through the real SDK clients against the test
// servers. Each provider runs twice in one process: coalescing + batching on, and off (ESO's
// model: one provider call per key per reconcile). Reported per mode: provider calls for the
// first full sync and for one refresh cycle (server-side counts), time to the first full sync
// (ratio against the "off" run of the same provider), and RSS of the whole bench process (test
// servers included, so it is an upper bound). `--scale=0.1` shrinks the load.
import { Registry } from 'prom-client';
import { parseSecretStore } from '../../src/api/secret-store-validate.ts';
import type { SecretStoreObject } from '../../src/api/secret-store.ts';
import { systemClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createProviderMetrics } from '../../src/providers/metrics.ts';
import type { ProviderEndpoints } from '../../src/providers/options.ts';
import { ProviderRegistry } from '../../src/providers/registry.ts';
import type { SecretProvider } from '../../src/providers/types.ts';
import type { BenchModule, BenchReporter } from '../helpers/bench.ts';
import { rssMiB } from '../helpers/bench.ts';
import { FakeKube } from '../providers/support/fake-kube.ts';
import { AwsTestServer } from '../servers/aws/server.ts';
import { SecretsManagerState, installSecretsManager } from '../servers/aws/secrets-manager.ts';
import { startSecretManager } from '../servers/gcp/secret-manager.ts';
import { VaultTestServer } from '../servers/vault/server.ts';

interface Target {
  readonly name: string;
  readonly store: SecretStoreObject;
  readonly endpoints: ProviderEndpoints;
  readonly kube: FakeKube;
  /** Provider calls that read secret values, from the server's own counters. */
  readonly calls: () => number;
  readonly close: () => Promise<void>;
}

const WORKERS = 64;
const signal = new AbortController().signal;

function storeObj(provider: Record<string, unknown>): SecretStoreObject {
  return parseSecretStore({
    apiVersion: 'sealbridge.io/v1alpha1',
    kind: 'SecretStore',
    metadata: { name: 'bench', namespace: 'bench', generation: 1 },
    spec: { provider },
  });
}

async function vaultTarget(distinct: number): Promise<Target> {
  const server = await VaultTestServer.start();
  server.state.addMount('secret', 2);
  for (let i = 0; i < distinct; i++)
    server.state.put('secret', `app/s${i}`, { a: `a${i}`, b: `b${i}`, c: `c${i}` });
  const kube = new FakeKube();
  kube.setSecret('bench', 'vault', { token: server.state.createToken() });
  return {
    name: 'vault',
    store: storeObj({
      vault: {
        server: server.url,
        path: 'secret',
        auth: { tokenSecretRef: { name: 'vault', key: 'token' } },
      },
    }),
    endpoints: {},
    kube,
    calls: () => server.calls.count('read'),
    close: () => server.close(),
  };
}

async function awsTarget(distinct: number): Promise<Target> {
  const server = await AwsTestServer.start();
  const sm = new SecretsManagerState();
  installSecretsManager(server, sm);
  for (let i = 0; i < distinct; i++)
    sm.put(`app/s${i}`, JSON.stringify({ a: `a${i}`, b: `b${i}`, c: `c${i}` }));
  server.addAccessKey('AKIABENCH', 'bench-secret');
  const kube = new FakeKube();
  kube.setSecret('bench', 'aws', { id: 'AKIABENCH', secret: 'bench-secret' });
  return {
    name: 'aws',
    store: storeObj({
      aws: {
        service: 'SecretsManager',
        region: 'eu-west-1',
        auth: {
          secretRef: {
            accessKeyIDSecretRef: { name: 'aws', key: 'id' },
            secretAccessKeySecretRef: { name: 'aws', key: 'secret' },
          },
        },
      },
    }),
    endpoints: { awsSecretsManager: server.url },
    kube,
    calls: () => server.calls.count('GetSecretValue') + server.calls.count('BatchGetSecretValue'),
    close: () => server.close(),
  };
}

async function gcpTarget(distinct: number): Promise<Target> {
  const sm = await startSecretManager();
  for (let i = 0; i < distinct; i++)
    sm.state.add(
      `projects/p/secrets/s${i}`,
      JSON.stringify({ a: `a${i}`, b: `b${i}`, c: `c${i}` }),
    );
  return {
    name: 'gcp',
    store: storeObj({ gcpsm: { projectID: 'p' } }),
    endpoints: { gcpSecretManager: sm.grpc.endpoint, gcpInsecure: true },
    kube: new FakeKube(),
    calls: () => sm.grpc.calls.count('AccessSecretVersion'),
    close: () => sm.grpc.close(),
  };
}

/** One reconcile cycle over every ExternalSecret, WORKERS at a time; returns elapsed ms. */
async function cycle(
  provider: SecretProvider,
  target: Target,
  externalSecrets: number,
  distinct: number,
): Promise<number> {
  const start = performance.now();
  const cycleStart = Date.now();
  const prefix = target.name === 'gcp' ? '' : 'app/';
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let es = next++; es < externalSecrets; es = next++) {
      await Promise.all(
        ['a', 'b', 'c'].map((property, j) =>
          provider.getSecret({ key: `${prefix}s${(es * 3 + j) % distinct}`, property }, signal, {
            notOlderThan: cycleStart,
          }),
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return performance.now() - start;
}

async function runMode(target: Target, on: boolean, sizes: { es: number; distinct: number }) {
  const registry = new ProviderRegistry({
    kube: target.kube,
    clock: systemClock,
    logger: silentLogger,
    metrics: createProviderMetrics(new Registry()),
    endpoints: target.endpoints,
    tuning: { coalesce: on, batch: on, maxConcurrency: 32 },
  });
  const provider = await registry.get(target.store, 'bench', signal);
  const before = target.calls();
  const firstMs = await cycle(provider, target, sizes.es, sizes.distinct);
  const firstCalls = target.calls() - before;
  const mid = target.calls();
  await cycle(provider, target, sizes.es, sizes.distinct);
  const refreshCalls = target.calls() - mid;
  const rss = rssMiB();
  await registry.close();
  return { firstMs, firstCalls, refreshCalls, rss };
}

function report(
  r: BenchReporter,
  name: string,
  mode: string,
  m: Awaited<ReturnType<typeof runMode>>,
  distinct: number,
  floorMs?: number,
): void {
  const perSecret = name === 'aws' && mode === 'on' ? 1 / 20 : 1;
  const goal =
    mode === 'on' ? `≤ ${perSecret === 1 ? '1' : '1/20'} call per distinct secret` : undefined;
  for (const [label, calls] of [
    ['first sync', m.firstCalls],
    ['refresh cycle', m.refreshCalls],
  ] as const) {
    r.figure({
      name: `${name} ${mode}: provider calls, ${label}`,
      value: calls,
      unit: 'calls',
      ratio: calls / distinct,
      ...(goal === undefined ? {} : { goal, met: calls / distinct <= perSecret + 1e-9 }),
    });
  }
  r.figure({
    name: `${name} ${mode}: time to first full sync`,
    value: m.firstMs,
    unit: 'ms',
    ...(floorMs === undefined
      ? {}
      : { ratio: m.firstMs / floorMs, note: 'ratio against the off (ESO-model) run' }),
  });
  r.figure({
    name: `${name} ${mode}: RSS`,
    value: m.rss,
    unit: 'MiB',
    note: 'whole bench process: includes the in-process test servers and every SDK loaded so far',
  });
}

const bench: BenchModule = {
  title: 'External-store providers: coalescing and batching vs one call per key',
  async run(r, args) {
    const scaleArg = args.find((a) => a.startsWith('--scale='));
    const scale = scaleArg === undefined ? 1 : Number(scaleArg.slice('--scale='.length));
    const sizes = {
      es: Math.max(1, Math.round(10_000 * scale)),
      distinct: Math.max(1, Math.round(1_000 * scale)),
    };
    r.log(
      `${sizes.es} ExternalSecrets × 3 keys over ${sizes.distinct} remote secrets, ${WORKERS} concurrent reconciles`,
    );
    const only = args
      .find((a) => a.startsWith('--only='))
      ?.slice('--only='.length)
      .split(',');
    const targets = { vault: vaultTarget, aws: awsTarget, gcp: gcpTarget };
    for (const [name, make] of Object.entries(targets)) {
      if (only !== undefined && !only.includes(name)) continue;
      const target = await make(sizes.distinct);
      try {
        const off = await runMode(target, false, sizes);
        const on = await runMode(target, true, sizes);
        report(r, target.name, 'off', off, sizes.distinct);
        report(r, target.name, 'on', on, sizes.distinct, off.firstMs);
      } finally {
        await target.close();
      }
    }
  },
};

export default bench;
