import { describe, expect, it } from 'vitest';
import { WorkQueue, type Lane, type QueueItem } from '../../src/kube/workqueue.ts';
import { FakeClock, flush } from './fake-clock.ts';

function queue(clock = new FakeClock(), rateLimiter = {}) {
  const latencies: number[] = [];
  const depths: Record<Lane, number> = { priority: 0, periodic: 0 };
  let retries = 0;
  const q = new WorkQueue<string>({
    clock,
    rateLimiter,
    observer: {
      depth: (lane, n) => (depths[lane] = n),
      latency: (s) => latencies.push(s),
      retried: () => retries++,
    },
  });
  return { q, clock, latencies, depths, retries: () => retries };
}

/** Takes everything currently available without blocking. */
async function drainNow(q: WorkQueue<string>): Promise<QueueItem<string>[]> {
  const out: QueueItem<string>[] = [];
  while (q.len() > 0) {
    const item = await q.get();
    if (item === undefined) break;
    out.push(item);
  }
  return out;
}

describe('WorkQueue', () => {
  it('queues a key once however many times it is added', async () => {
    const { q } = queue();
    for (let i = 0; i < 10; i++) q.add('a');
    q.add('b');
    expect(q.len()).toBe(2);
    const items = await drainNow(q);
    expect(items.map((i) => i.key)).toEqual(['a', 'b']);
  });

  it('never hands a key to two workers; a re-add while processing is queued after done()', async () => {
    const { q } = queue();
    q.add('a');
    const first = await q.get();
    expect(first?.key).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    let second: QueueItem<string> | undefined;
    void q.get().then((i) => (second = i));
    await flush();
    expect(second).toBeUndefined();
    q.done('a');
    await flush();
    expect(second?.key).toBe('a');
    q.done('a');
    expect(q.processing()).toBe(0);
  });

  it('serves the priority lane before the periodic lane, and promotes a periodic key', async () => {
    const { q, depths } = queue();
    q.add('p1', 'periodic');
    q.add('p2', 'periodic');
    q.add('n1', 'priority');
    q.add('p2', 'priority');
    q.add('n2');
    expect(depths).toEqual({ priority: 3, periodic: 1 });
    const items = await drainNow(q);
    expect(items).toEqual([
      { key: 'n1', lane: 'priority' },
      { key: 'p2', lane: 'priority' },
      { key: 'n2', lane: 'priority' },
      { key: 'p1', lane: 'periodic' },
    ]);
    expect(depths).toEqual({ priority: 0, periodic: 0 });
  });

  it('does not demote a priority key added again to the periodic lane', async () => {
    const { q } = queue();
    q.add('a', 'priority');
    q.add('a', 'periodic');
    expect(await drainNow(q)).toEqual([{ key: 'a', lane: 'priority' }]);
  });

  it('addAfter delivers at the deadline and keeps only the earliest pending delay per key', async () => {
    const { q, clock } = queue();
    q.addAfter('a', 1000);
    q.addAfter('a', 5000);
    q.addAfter('b', 500);
    q.addAfter('a', 200);
    expect(q.delayed()).toBe(2);
    await clock.advance(199);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.len()).toBe(1);
    await clock.advance(300);
    expect((await drainNow(q)).map((i) => i.key)).toEqual(['a', 'b']);
    await clock.advance(10_000);
    expect(q.len()).toBe(0);
    expect(q.delayed()).toBe(0);
  });

  it('uses one timer for thousands of delayed keys', async () => {
    const { q, clock } = queue();
    for (let i = 0; i < 10_000; i++) q.addAfter(`k${i}`, 1000 + (i % 100));
    expect(clock.pending).toBe(1);
    await clock.advance(1100);
    expect(q.len()).toBe(10_000);
    expect(clock.pending).toBe(0);
  });

  it('an earlier addAfter re-arms the single timer', async () => {
    const { q, clock } = queue();
    q.addAfter('late', 10_000);
    q.addAfter('early', 10);
    expect(clock.pending).toBe(1);
    await clock.advance(10);
    expect((await drainNow(q)).map((i) => i.key)).toEqual(['early']);
    expect(clock.pending).toBe(1);
  });

  it('addRateLimited backs off exponentially per key up to the cap; forget resets', () => {
    const { q, retries } = queue(new FakeClock(), {
      baseDelayMs: 5,
      maxDelayMs: 1000,
      qps: 1e9,
      burst: 1e9,
    });
    const delays = Array.from({ length: 10 }, () => q.addRateLimited('a'));
    expect(delays).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    expect(q.numRequeues('a')).toBe(10);
    expect(retries()).toBe(10);
    expect(q.addRateLimited('b')).toBe(5);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    expect(q.addRateLimited('a')).toBe(5);
  });

  it('the overall token bucket spaces out a burst of failing keys', () => {
    const { q } = queue(new FakeClock(), { baseDelayMs: 5, maxDelayMs: 60_000, qps: 10, burst: 3 });
    const delays = ['a', 'b', 'c', 'd', 'e'].map((k) => q.addRateLimited(k));
    expect(delays.slice(0, 3)).toEqual([5, 5, 5]);
    expect(delays[3]).toBeCloseTo(100);
    expect(delays[4]).toBeCloseTo(200);
  });

  it('rate-limited retries go to the priority lane once due', async () => {
    const { q, clock } = queue(new FakeClock(), { baseDelayMs: 5 });
    q.add('refresh', 'periodic');
    q.addRateLimited('failed');
    await clock.advance(5);
    expect((await drainNow(q)).map((i) => i.key)).toEqual(['failed', 'refresh']);
  });

  it('reports queue latency from the first add to the hand-out', async () => {
    const { q, clock, latencies } = queue();
    q.add('a');
    await clock.advance(250);
    q.add('a');
    await q.get();
    expect(latencies).toEqual([0.25]);
  });

  it('shutDown wakes idle workers with undefined and ignores later adds', async () => {
    const { q } = queue();
    const waiting = [q.get(), q.get()];
    q.shutDown();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
    q.add('a');
    q.addAfter('b', 10);
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  it('shutDownWithDrain waits for in-flight keys and drops queued ones', async () => {
    const { q } = queue();
    q.add('a');
    q.add('b');
    const a = await q.get();
    let drained = false;
    const p = q.shutDownWithDrain().then(() => (drained = true));
    await flush();
    expect(drained).toBe(false);
    expect(q.len()).toBe(0);
    q.done(a!.key);
    await p;
    expect(drained).toBe(true);
    expect(await q.get()).toBeUndefined();
  });

  it('handles many keys with workers in parallel, each key at most once at a time', async () => {
    const { q } = queue();
    const active = new Set<string>();
    let violations = 0;
    let processed = 0;
    for (let i = 0; i < 200; i++) q.add(`k${i % 50}`);
    const worker = async (): Promise<void> => {
      for (let item = await q.get(); item !== undefined; item = await q.get()) {
        if (active.has(item.key)) violations++;
        active.add(item.key);
        await flush(1);
        if (processed < 100) q.add(item.key);
        processed++;
        active.delete(item.key);
        q.done(item.key);
        if (q.len() === 0 && q.processing() === 0) q.shutDown();
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(violations).toBe(0);
    expect(processed).toBeGreaterThanOrEqual(50);
  });
});
