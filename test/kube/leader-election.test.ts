import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import {
  LeaderElector,
  microTime,
  type LeaderElectionOptions,
} from '../../src/kube/leader-election.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';
import { FakeClock, flush } from './fake-clock.ts';
import { FakeLeases } from './fake-leases.ts';
import { waitFor } from './wait.ts';

interface Candidate {
  elector: LeaderElector;
  abort: AbortController;
  done: Promise<void>;
  started: number;
  stopped: number;
}

function candidate(
  identity: string,
  opts: Omit<LeaderElectionOptions, 'identity' | 'onStartedLeading'>,
): Candidate {
  const c = { abort: new AbortController(), started: 0, stopped: 0 } as Candidate;
  c.elector = new LeaderElector({
    ...opts,
    identity,
    onStartedLeading: () => {
      c.started++;
    },
    onStoppedLeading: () => {
      c.stopped++;
    },
  });
  c.done = c.elector.run(c.abort.signal);
  return c;
}

describe('LeaderElector on a fake clock', () => {
  const timing = {
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    random: () => 0,
  };

  it('rejects timings where the leader could outlive its lease', () => {
    const leases = new FakeLeases();
    expect(
      () =>
        new LeaderElector({
          leases: leases.client(),
          namespace: 'ns',
          name: 'l',
          identity: 'a',
          clock: new FakeClock(),
          leaseDurationMs: 10_000,
          renewDeadlineMs: 10_000,
          onStartedLeading: () => undefined,
        }),
    ).toThrow(/leaseDuration > renewDeadline/);
  });

  it('one candidate leads, the other waits; the standby takes over within one lease duration (+retry) after the leader stops renewing', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases();
    const base = { leases: leases.client(), namespace: 'ns', name: 'lease', clock, ...timing };
    const a = candidate('a', { ...base, releaseOnCancel: false });
    await flush(10);
    const b = candidate('b', base);
    for (let t = 0; t < 20; t++) await clock.advance(1000);
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(b.elector.leader()).toBe('a');
    expect(leases.lease?.spec?.holderIdentity).toBe('a');
    // The leader crashes: it stops renewing and never releases.
    const lastRenewal = Date.parse(leases.lease?.spec?.renewTime ?? '');
    a.abort.abort();
    await a.done;
    expect(leases.lease?.spec?.holderIdentity).toBe('a');
    let takeover: number | undefined;
    for (let t = 0; t < 80 && takeover === undefined; t++) {
      await clock.advance(250);
      if (b.elector.isLeader()) takeover = clock.now();
    }
    expect(takeover).toBeDefined();
    const after = takeover! - lastRenewal;
    expect(after).toBeGreaterThanOrEqual(15_000);
    expect(after).toBeLessThanOrEqual(15_000 + 2 * 2_000 * 1.2 + 250);
    expect(leases.lease?.spec?.holderIdentity).toBe('b');
    expect(leases.lease?.spec?.leaseTransitions).toBe(1);
    b.abort.abort();
    await Promise.all([a.done, b.done]);
  });

  it('a leader that cannot renew for renewDeadline steps down before its lease expires elsewhere', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases();
    const a = candidate('a', {
      leases: leases.client(),
      namespace: 'ns',
      name: 'lease',
      clock,
      ...timing,
    });
    await clock.advance(3000);
    expect(a.elector.isLeader()).toBe(true);
    const lastRenewal = Date.parse(leases.lease?.spec?.renewTime ?? '');
    leases.down = true;
    let steppedDown: number | undefined;
    for (let t = 0; t < 40 && steppedDown === undefined; t++) {
      await clock.advance(250);
      if (!a.elector.isLeader()) steppedDown = clock.now();
    }
    expect(a.stopped).toBe(1);
    expect(steppedDown! - lastRenewal).toBeLessThan(15_000);
    expect(steppedDown! - lastRenewal).toBeGreaterThanOrEqual(10_000);
    a.abort.abort();
    await a.done;
  });

  it('renews with one write per period and no GET (compare-and-swap on the cached copy)', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases();
    const a = candidate('a', {
      leases: leases.client(),
      namespace: 'ns',
      name: 'lease',
      clock,
      ...timing,
      random: () => 0.5,
    });
    await clock.advance(100);
    const writes = leases.writes;
    const reads = leases.reads;
    await clock.advance(20_000);
    expect(leases.writes - writes).toBe(10);
    expect(leases.reads).toBe(reads);
    expect(leases.lease?.spec?.renewTime).toBe(microTime(clock.now() - 100));
    a.abort.abort();
    await a.done;
  });

  it('formats MicroTime with six fractional digits', () => {
    expect(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05.678000Z');
  });
});

describe('LeaderElector against the test API server', () => {
  let server: KubeTestServer;
  afterEach(async () => {
    await server.close();
  });

  it('two candidates: exactly one leads at any time, and a release hands over without waiting for expiry', async () => {
    server = await KubeTestServer.start();
    const client = kubeClientFor(server);
    // A long lease: a takeover that happens at all within this test came from the release.
    const opts = {
      leases: client.leases,
      namespace: 'sealbridge',
      name: 'controller',
      clock: systemClock,
      leaseDurationMs: 60_000,
      renewDeadlineMs: 40_000,
      retryPeriodMs: 20,
    };
    let overlap = 0;
    const a = candidate('a', opts);
    await waitFor(() => a.elector.isLeader(), 'a leads');
    const b = candidate('b', opts);
    const probe = setInterval(() => {
      if (a.elector.isLeader() && b.elector.isLeader()) overlap++;
    }, 1);
    await waitFor(() => server.count('get', 'leases') >= 6, 'b has tried several times');
    expect(b.elector.isLeader()).toBe(false);
    expect(b.elector.leader()).toBe('a');
    a.abort.abort();
    await a.done;
    const released = await client.leases.get({ namespace: 'sealbridge', name: 'controller' });
    expect(released.spec?.holderIdentity === '' || released.spec?.holderIdentity === 'b').toBe(
      true,
    );
    await waitFor(() => b.elector.isLeader(), 'b takes over after release');
    clearInterval(probe);
    expect(overlap).toBe(0);
    expect(a.started).toBe(1);
    expect(a.stopped).toBe(1);
    const lease = await client.leases.get({ namespace: 'sealbridge', name: 'controller' });
    expect(lease.spec?.holderIdentity).toBe('b');
    // a created it (0); the release keeps the count; b's acquisition is one transition.
    expect(lease.spec?.leaseTransitions).toBe(1);
    b.abort.abort();
    await b.done;
    expect(server.internalErrors).toEqual([]);
  });

  it('a crashed leader (no release) is replaced once its lease expires', async () => {
    server = await KubeTestServer.start();
    const client = kubeClientFor(server);
    const opts = {
      leases: client.leases,
      namespace: 'sealbridge',
      name: 'controller',
      clock: systemClock,
      leaseDurationMs: 300,
      renewDeadlineMs: 200,
      retryPeriodMs: 20,
      releaseOnCancel: false,
    };
    const a = candidate('a', opts);
    await waitFor(() => a.elector.isLeader(), 'a leads');
    const b = candidate('b', opts);
    await waitFor(() => b.elector.leader() === 'a', 'b sees a');
    a.abort.abort();
    await a.done;
    expect(
      (await client.leases.get({ namespace: 'sealbridge', name: 'controller' })).spec
        ?.holderIdentity,
    ).toBe('a');
    await waitFor(() => b.elector.isLeader(), 'b takes over after expiry');
    b.abort.abort();
    await b.done;
  });

  it('two candidates racing for a missing lease: the create conflict leaves exactly one leader', async () => {
    server = await KubeTestServer.start();
    const client = kubeClientFor(server);
    const opts = {
      leases: client.leases,
      namespace: 'sealbridge',
      name: 'race',
      clock: systemClock,
      leaseDurationMs: 60_000,
      renewDeadlineMs: 40_000,
      retryPeriodMs: 20,
    };
    const cs = ['a', 'b', 'c'].map((id) => candidate(id, opts));
    await waitFor(() => cs.some((c) => c.elector.isLeader()), 'a leader');
    await waitFor(() => server.count('get', 'leases') >= 12, 'several rounds');
    expect(cs.filter((c) => c.elector.isLeader())).toHaveLength(1);
    for (const c of cs) c.abort.abort();
    await Promise.all(cs.map((c) => c.done));
  });
});
