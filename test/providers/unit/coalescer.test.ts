import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../../src/providers/coalescer.ts';
import { FakeClock } from '../support/fake-clock.ts';

function deferred<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: Error) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const sig = (): AbortSignal => new AbortController().signal;

function make(clock: FakeClock, defaultMaxAgeMs = 1000, maxEntries = 100) {
  const shared: string[] = [];
  const c = new Coalescer<string>({
    clock,
    defaultMaxAgeMs,
    retainMs: 60_000,
    maxEntries,
    onShared: (s) => shared.push(s),
  });
  return { c, shared };
}

describe('Coalescer', () => {
  it('shares one in-flight load between concurrent callers', async () => {
    const clock = new FakeClock('manual');
    const { c, shared } = make(clock);
    const d = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return d.promise;
    };
    const all = Promise.all([
      c.get('k', undefined, sig(), load),
      c.get('k', undefined, sig(), load),
      c.get('k', undefined, sig(), load),
    ]);
    d.resolve('v');
    expect(await all).toEqual(['v', 'v', 'v']);
    expect(loads).toBe(1);
    expect(shared).toEqual(['inflight', 'inflight']);
  });

  it('serves the cache within the default age, and reloads after it', async () => {
    const clock = new FakeClock('manual');
    const { c, shared } = make(clock, 1000);
    let n = 0;
    const load = () => Promise.resolve(`v${++n}`);
    expect(await c.get('k', undefined, sig(), load)).toBe('v1');
    clock.advance(999);
    expect(await c.get('k', undefined, sig(), load)).toBe('v1');
    clock.advance(2);
    expect(await c.get('k', undefined, sig(), load)).toBe('v2');
    expect(shared).toEqual(['cache']);
  });

  it('honours notOlderThan for the cache and for joining a flight', async () => {
    const clock = new FakeClock('manual');
    const { c } = make(clock, 60_000);
    let n = 0;
    const load = () => Promise.resolve(`v${++n}`);
    const t0 = clock.now();
    await c.get('k', t0, sig(), load);
    clock.advance(10);
    expect(await c.get('k', t0, sig(), load)).toBe('v1');
    expect(await c.get('k', clock.now(), sig(), load)).toBe('v2');
    const d = deferred<string>();
    const first = c.get('slow', undefined, sig(), () => d.promise);
    clock.advance(5);
    const second = c.get('slow', clock.now(), sig(), () => Promise.resolve('fresh'));
    d.resolve('stale');
    expect(await first).toBe('stale');
    expect(await second).toBe('fresh');
  });

  it('shares errors with the callers of a flight but does not cache them', async () => {
    const clock = new FakeClock('manual');
    const { c } = make(clock);
    let n = 0;
    const failing = () => Promise.reject(new Error(`boom${++n}`));
    const results = await Promise.allSettled([
      c.get('k', undefined, sig(), failing),
      c.get('k', undefined, sig(), failing),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(n).toBe(1);
    await expect(c.get('k', undefined, sig(), failing)).rejects.toThrow('boom2');
  });

  it('lets one caller give up without failing the others', async () => {
    const clock = new FakeClock('manual');
    const { c } = make(clock);
    const d = deferred<string>();
    const quitter = new AbortController();
    const a = c.get('k', undefined, quitter.signal, () => d.promise);
    const b = c.get('k', undefined, sig(), () => d.promise);
    quitter.abort(new Error('gone'));
    await expect(a).rejects.toThrow('gone');
    d.resolve('v');
    expect(await b).toBe('v');
  });

  it('keeps at most maxEntries values', async () => {
    const clock = new FakeClock('manual');
    const { c } = make(clock, 60_000, 3);
    for (const k of ['a', 'b', 'c', 'd', 'e'])
      await c.get(k, undefined, sig(), () => Promise.resolve(k));
    expect(c.cachedEntries).toBe(3);
  });
});
