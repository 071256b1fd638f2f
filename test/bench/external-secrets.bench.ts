// `npm run bench -- external-secrets`: issue 4's workload through the real controller and the
// real Kubernetes API protocol. 10,000 ExternalSecrets × 3 keys over 1,000 distinct remote
// secrets, spread over Vault, AWS Secrets Manager and GCP Secret Manager (one ClusterSecretStore
// each, ~3,333 ExternalSecrets and ~333 remote secrets per provider), refreshInterval 60 s.
// The same workload runs twice, each in a fresh controller process against fresh servers:
// coalescing + batching off (ESO's per-key, per-reconcile model: the floor for call counts) and on.
// Per mode and provider: provider calls (counted by the test servers) for the first full sync and
// for one refresh cycle (the first whole refresh window after the sync); time to the first full
// sync; p99 from creating one new ExternalSecret to its Secret while the 10,000 refresh, against
// the same latency on an idle controller; controller RSS. The test servers run in this process;
// the controller runs alone in a forked child that samples its own RSS, so RSS is the controller's.
// Options: --scale=0.1 (fewer objects), --interval=60 (seconds), --only=on|off,
// --node-flags='…' (the controller's V8 flags; default the recommended heap cap, '' for none).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, percentile, type BenchModule, type BenchReporter } from '../helpers/bench.ts';
import { AwsTestServer } from '../servers/aws/server.ts';
import { SecretsManagerState, installSecretsManager } from '../servers/aws/secrets-manager.ts';
import { startSecretManager, type SecretManagerServer } from '../servers/gcp/secret-manager.ts';
import { KubeTestServer } from '../servers/kube/index.ts';
import { VaultTestServer } from '../servers/vault/server.ts';

const PROVIDERS = ['vault', 'aws', 'gcp'] as const;
type Provider = (typeof PROVIDERS)[number];
const NAMESPACES = 20;
/** The heap settings docs/external-secrets.md recommends for ~10,000 ExternalSecrets. */
const RECOMMENDED_NODE_FLAGS = '--max-old-space-size=144 --max-semi-space-size=1';

interface Sizes {
  readonly es: number;
  readonly distinct: number;
  readonly intervalS: number;
  /** Extra V8/Node flags for the controller process (e.g. a heap cap, as a Deployment sets). */
  readonly nodeFlags: readonly string[];
}

interface Servers {
  readonly kube: KubeTestServer;
  readonly vault: VaultTestServer;
  readonly aws: AwsTestServer;
  readonly gcp: SecretManagerServer;
  /** Serves the latency probes, so their reads do not count against the workload. */
  readonly probeVault: VaultTestServer;
  readonly distinct: Record<Provider, number>;
  calls(): Record<Provider, number>;
  close(): Promise<void>;
}

async function startServers(sizes: Sizes): Promise<Servers> {
  const kube = await KubeTestServer.start({ logRequests: false, historyLimit: 200_000 });
  const vault = await VaultTestServer.start();
  const probeVault = await VaultTestServer.start();
  const aws = await AwsTestServer.start();
  const sm = new SecretsManagerState();
  installSecretsManager(aws, sm);
  aws.addAccessKey('AKIABENCH', 'bench-secret');
  const gcp = await startSecretManager();
  const third = Math.floor(sizes.distinct / 3);
  const distinct = { vault: sizes.distinct - 2 * third, aws: third, gcp: third };
  vault.state.addMount('secret', 2);
  for (let i = 0; i < distinct.vault; i++)
    vault.state.put('secret', `app/s${i}`, { v: `vault-${i}` });
  probeVault.state.addMount('secret', 2);
  for (let i = 0; i < 3; i++) probeVault.state.put('secret', `app/s${i}`, { v: `probe-${i}` });
  for (let i = 0; i < distinct.aws; i++) sm.put(`app/s${i}`, JSON.stringify({ v: `aws-${i}` }));
  for (let i = 0; i < distinct.gcp; i++)
    gcp.state.add(`projects/bench/secrets/s${i}`, JSON.stringify({ v: `gcp-${i}` }));
  const r = (n: string) => kube.resource(n);
  for (const ns of [
    'sealbridge',
    'probe',
    ...Array.from({ length: NAMESPACES }, (_, i) => `ns${i}`),
  ]) {
    kube.objects.create(r('namespaces'), undefined, { metadata: { name: ns } });
  }
  const secret = (name: string, data: Record<string, string>) =>
    kube.objects.create(r('secrets'), 'sealbridge', { metadata: { name }, stringData: data });
  secret('vault-token', { token: vault.state.createToken() });
  secret('probe-token', { token: probeVault.state.createToken() });
  secret('aws-creds', { id: 'AKIABENCH', secret: 'bench-secret' });
  const css = (name: string, provider: object) =>
    kube.objects.create(r('clustersecretstores.sealbridge.io'), undefined, {
      apiVersion: 'sealbridge.io/v1alpha1',
      kind: 'ClusterSecretStore',
      metadata: { name },
      spec: { provider },
    });
  css('vault', {
    vault: {
      server: vault.url,
      path: 'secret',
      auth: { tokenSecretRef: { name: 'vault-token', key: 'token', namespace: 'sealbridge' } },
    },
  });
  css('probe', {
    vault: {
      server: probeVault.url,
      path: 'secret',
      auth: { tokenSecretRef: { name: 'probe-token', key: 'token', namespace: 'sealbridge' } },
    },
  });
  css('aws', {
    aws: {
      service: 'SecretsManager',
      region: 'eu-west-1',
      auth: {
        secretRef: {
          accessKeyIDSecretRef: { name: 'aws-creds', key: 'id', namespace: 'sealbridge' },
          secretAccessKeySecretRef: { name: 'aws-creds', key: 'secret', namespace: 'sealbridge' },
        },
      },
    },
  });
  css('gcp', { gcpsm: { projectID: 'bench' } });
  return {
    kube,
    vault,
    aws,
    gcp,
    probeVault,
    distinct,
    calls: () => ({
      vault: vault.calls.count('read'),
      aws: aws.calls.count('GetSecretValue') + aws.calls.count('BatchGetSecretValue'),
      gcp: gcp.grpc.calls.count('AccessSecretVersion'),
    }),
    close: async () => {
      await kube.close();
      await vault.close();
      await probeVault.close();
      await aws.close();
      await gcp.grpc.close();
    },
  };
}

function providerOf(i: number): Provider {
  return PROVIDERS[i % 3] ?? 'vault';
}

function esObject(name: string, i: number, s: Servers, intervalS: number, probe = false): object {
  const p = providerOf(i);
  const q = Math.floor(i / 3);
  const d = probe ? 3 : s.distinct[p];
  return {
    apiVersion: 'sealbridge.io/v1alpha1',
    kind: 'ExternalSecret',
    metadata: { name },
    spec: {
      refreshInterval: `${intervalS}s`,
      secretStoreRef: { name: probe ? 'probe' : p, kind: 'ClusterSecretStore' },
      data: [0, 1, 2].map((j) => ({
        secretKey: `k${j}`,
        remoteRef: {
          key: p === 'gcp' ? `s${(q * 3 + j) % d}` : `app/s${(q * 3 + j) % d}`,
          property: 'v',
        },
      })),
    },
  };
}

/** Follows Secret creations and ExternalSecret refresh times in the server's store. */
class Tracker {
  readonly secretAt = new Map<string, number>();
  readonly refreshed = new Map<string, number>();
  readonly #waiters = new Set<() => void>();

  constructor(kube: KubeTestServer) {
    const all = { namespace: undefined, labels: [], fields: [] };
    kube.store.subscribe(kube.resource('secrets'), {
      filter: all,
      deliver: (c) => {
        const key = `${c.obj.metadata.namespace ?? ''}/${c.obj.metadata.name}`;
        if (c.type === 'ADDED' && !this.secretAt.has(key))
          this.secretAt.set(key, performance.now());
        this.#wake();
      },
    });
    kube.store.subscribe(kube.resource('externalsecrets.sealbridge.io'), {
      filter: all,
      deliver: (c) => {
        const t = (c.obj['status'] as { refreshTime?: string } | undefined)?.refreshTime;
        if (t === undefined) return;
        this.refreshed.set(
          `${c.obj.metadata.namespace ?? ''}/${c.obj.metadata.name}`,
          Date.parse(t),
        );
        this.#wake();
      },
    });
  }

  #wake(): void {
    for (const w of this.#waiters) w();
  }

  async until(cond: () => boolean, what: string, timeoutMs = 900_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 200);
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        const waiters = this.#waiters;
        waiters.add(done);
      });
    }
  }
}

interface ChildHandle {
  readonly child: ChildProcess;
  rss: number;
  peak: number;
  heap: number;
  stop(): Promise<void>;
}

async function startController(
  s: Servers,
  on: boolean,
  nodeFlags: readonly string[],
): Promise<ChildHandle> {
  const entry = fileURLToPath(new URL('./external-secrets-controller.ts', import.meta.url));
  const args = {
    kubeconfig: s.kube.kubeconfigYaml(),
    endpoints: {
      awsSecretsManager: s.aws.url,
      gcpSecretManager: s.gcp.grpc.endpoint,
      gcpInsecure: true,
    },
    tuning: { coalesce: on, batch: on },
    workers: 16,
  };
  const child = fork(entry, [JSON.stringify(args)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...nodeFlags],
  });
  const h: ChildHandle = {
    child,
    rss: 0,
    peak: 0,
    heap: 0,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          resolve();
        });
        child.send({ type: 'stop' });
      }),
  };
  child.on('message', (m: { type: string; rss?: number; peak?: number; heap?: number }) => {
    if (m.type !== 'rss') return;
    h.rss = m.rss ?? h.rss;
    h.peak = m.peak ?? h.peak;
    h.heap = m.heap ?? h.heap;
  });
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: { type: string }) => {
      if (m.type === 'started') resolve();
    });
    child.once('exit', (code) => {
      reject(new Error(`controller child exited (${String(code)})`));
    });
  });
  return h;
}

interface ModeResult {
  readonly firstSyncMs: number;
  readonly firstCalls: Record<Provider, number>;
  readonly cycleCalls: Record<Provider, number>;
  readonly cycleMs: number;
  readonly probeP99: number;
  readonly probeMedian: number;
  readonly probes: number;
  readonly idleMedian: number;
  readonly rssMiB: number;
  readonly peakMiB: number;
  readonly distinct: Record<Provider, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const diff = (a: Record<Provider, number>, b: Record<Provider, number>) => ({
  vault: a.vault - b.vault,
  aws: a.aws - b.aws,
  gcp: a.gcp - b.gcp,
});

async function probe(s: Servers, t: Tracker, name: string, intervalS: number): Promise<number> {
  const start = performance.now();
  s.kube.objects.create(
    s.kube.resource('externalsecrets.sealbridge.io'),
    'probe',
    esObject(name, 0, s, intervalS, true),
  );
  await t.until(() => t.secretAt.has(`probe/${name}`), `probe ${name}`, 60_000);
  return (t.secretAt.get(`probe/${name}`) ?? start) - start;
}

async function runMode(on: boolean, sizes: Sizes, log: (l: string) => void): Promise<ModeResult> {
  const s = await startServers(sizes);
  const t = new Tracker(s.kube);
  const names: string[] = [];
  const esType = s.kube.resource('externalsecrets.sealbridge.io');
  for (let i = 0; i < sizes.es; i++) {
    const ns = `ns${i % NAMESPACES}`;
    s.kube.objects.create(esType, ns, esObject(`es${i}`, i, s, sizes.intervalS));
    names.push(`${ns}/es${i}`);
  }
  let child: ChildHandle | undefined;
  try {
    const calls0 = s.calls();
    const t0 = performance.now();
    child = await startController(s, on, sizes.nodeFlags);
    await t.until(() => names.every((n) => t.secretAt.has(n)), 'first full sync');
    const firstSyncMs = performance.now() - t0;
    const firstCalls = diff(s.calls(), calls0);
    await t.until(() => names.every((n) => t.refreshed.has(n)), 'first statuses');
    log(`${on ? 'on' : 'off'}: first full sync ${(firstSyncMs / 1000).toFixed(1)} s`);
    // One refresh cycle: the first whole window that starts after the sync.
    const I = sizes.intervalS * 1000;
    const windowStart = Math.ceil((Date.now() + 1_000) / I) * I;
    await sleep(windowStart - Date.now());
    const cycle0 = s.calls();
    const cycleT0 = performance.now();
    const latencies: number[] = [];
    const refreshedAll = () => names.every((n) => (t.refreshed.get(n) ?? 0) >= windowStart);
    let seq = 0;
    while (!refreshedAll() || latencies.length < 20) {
      const name = `p${on ? 'on' : 'off'}${seq++}`;
      const created = probe(s, t, name, sizes.intervalS);
      latencies.push(await Promise.race([created, sleep(250).then(() => created)]));
      if (seq > 5_000) break;
    }
    const cycleMs = performance.now() - cycleT0;
    const cycleCalls = diff(s.calls(), cycle0);
    // Floor: the same probe once the controller is idle again.
    const idle: number[] = [];
    for (let i = 0; i < 15; i++)
      idle.push(await probe(s, t, `idle${on ? 'on' : 'off'}${i}`, sizes.intervalS));
    child.child.send({ type: 'gc' });
    await sleep(1_000);
    log(
      `${on ? 'on' : 'off'}: controller heap after GC ${(child.heap / 1048576).toFixed(0)} MiB, RSS ${(child.rss / 1048576).toFixed(0)} MiB, peak RSS ${(child.peak / 1048576).toFixed(0)} MiB`,
    );
    return {
      firstSyncMs,
      firstCalls,
      cycleCalls,
      cycleMs,
      probeP99: percentile(latencies, 99),
      probeMedian: median(latencies),
      probes: latencies.length,
      idleMedian: median(idle),
      rssMiB: child.rss / 1048576,
      peakMiB: child.peak / 1048576,
      distinct: s.distinct,
    };
  } finally {
    await child?.stop();
    await s.close();
  }
}

function report(r: BenchReporter, mode: 'on' | 'off', m: ModeResult, floor?: ModeResult): void {
  for (const p of PROVIDERS) {
    // AWS batches at most 20 secrets per call: ceil(distinct / 20) calls is the best possible.
    const allowed = p === 'aws' ? Math.ceil(m.distinct[p] / 20) : m.distinct[p];
    const goal =
      mode === 'on' ? `≤ ${p === 'aws' ? '1/20' : '1'} call per distinct secret` : undefined;
    for (const [label, calls] of [
      ['first full sync', m.firstCalls[p]],
      ['one refresh cycle', m.cycleCalls[p]],
    ] as const) {
      const ratio = calls / m.distinct[p];
      r.figure({
        name: `${mode}: ${p} provider calls, ${label} (${m.distinct[p]} distinct secrets)`,
        value: calls,
        unit: 'calls',
        ratio,
        ...(goal === undefined || label === 'first full sync'
          ? {}
          : { goal, met: calls <= allowed }),
        note: 'ratio = calls per distinct remote secret',
      });
    }
  }
  r.figure({
    name: `${mode}: time to first full sync`,
    value: m.firstSyncMs,
    unit: 'ms',
    ...(floor === undefined
      ? {}
      : { ratio: m.firstSyncMs / floor.firstSyncMs, note: 'ratio against the off run' }),
  });
  r.figure({
    name: `${mode}: p99 new ExternalSecret → Secret during the refresh cycle (${m.probes} probes)`,
    value: m.probeP99,
    unit: 'ms',
    ratio: m.probeP99 / m.idleMedian,
    goal: '< 2000 ms',
    met: m.probeP99 < 2000,
    note: `median ${m.probeMedian.toFixed(0)} ms; ratio against the idle median ${m.idleMedian.toFixed(0)} ms; cycle took ${(m.cycleMs / 1000).toFixed(1)} s`,
  });
  r.figure({
    name: `${mode}: controller RSS after the cycle (peak ${m.peakMiB.toFixed(0)} MiB)`,
    value: m.rssMiB,
    unit: 'MiB',
    goal: '< 250 MiB',
    met: m.peakMiB < 250,
    note: 'controller process alone (forked child); servers run in the bench process',
  });
}

const bench: BenchModule = {
  title: 'ExternalSecret controller at scale: coalescing and batching vs one call per key',
  async run(r, args) {
    const num = (flag: string, dflt: number): number => {
      const a = args.find((x) => x.startsWith(`--${flag}=`));
      return a === undefined ? dflt : Number(a.slice(flag.length + 3));
    };
    const scale = num('scale', 1);
    const sizes: Sizes = {
      es: Math.max(3, Math.round(10_000 * scale)),
      distinct: Math.max(3, Math.round(1_000 * scale)),
      intervalS: num('interval', 60),
      nodeFlags: (
        args.find((a) => a.startsWith('--node-flags='))?.slice('--node-flags='.length) ??
        RECOMMENDED_NODE_FLAGS
      )
        .split(' ')
        .filter((f) => f !== ''),
    };
    const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
    r.log(`controller node flags: ${sizes.nodeFlags.join(' ') || '(none)'}`);
    r.log(
      `${sizes.es} ExternalSecrets × 3 keys over ${sizes.distinct} remote secrets (Vault, AWS, GCP), refreshInterval ${sizes.intervalS}s, 16 workers`,
    );
    const off =
      only === 'on'
        ? undefined
        : await runMode(false, sizes, (l) => {
            r.log(l);
          });
    if (off !== undefined) report(r, 'off', off);
    if (only !== 'off') {
      const on = await runMode(true, sizes, (l) => {
        r.log(l);
      });
      report(r, 'on', on, off);
    }
  },
};

export default bench;
