import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/providers/batcher.ts';
import { FakeClock } from '../support/fake-clock.ts';

function setup(run: (keys: readonly string[]) => Promise<Map<string, string | Error>>) {
  const clock = new FakeClock('manual');
  const calls: string[][] = [];
  const b = new Batcher<string>({
    clock,
    maxBatch: 20,
    windowMs: 5,
    signal: new AbortController().signal,
    run: (keys) => {
      calls.push([...keys]);
      return run(keys);
    },
    missing: (k) => new Error(`missing ${k}`),
  });
  return { clock, calls, b };
}

/** Advances the manual clock one window at a time, letting timer callbacks run in between. */
async function tick(clock: FakeClock, windows: number): Promise<void> {
  for (let i = 0; i < windows; i++) {
    clock.advance(5);
    await new Promise((r) => setTimeout(r, 0));
  }
}

const echo = (keys: readonly string[]) =>
  Promise.resolve(new Map(keys.map((k) => [k, `v:${k}`] as [string, string | Error])));

describe('Batcher', () => {
  it('sends a full batch at once and the rest when the window ends', async () => {
    const { clock, calls, b } = setup(echo);
    const all = Promise.all(Array.from({ length: 45 }, (_, i) => b.enqueue(`k${i}`)));
    await Promise.resolve();
    expect(calls.map((c) => c.length)).toEqual([20, 20]);
    await tick(clock, 2);
    const values = await all;
    expect(calls.map((c) => c.length)).toEqual([20, 20, 5]);
    expect(values[44]).toBe('v:k44');
  });

  it('shares duplicates within a batch', async () => {
    const { clock, calls, b } = setup(echo);
    const all = Promise.all([b.enqueue('a'), b.enqueue('a'), b.enqueue('b')]);
    await tick(clock, 2);
    expect(await all).toEqual(['v:a', 'v:a', 'v:b']);
    expect(calls).toEqual([['a', 'b']]);
  });

  it('rejects items individually, for missing results and for a failed call', async () => {
    const { clock, b } = setup((keys) =>
      Promise.resolve(new Map<string, string | Error>([[keys[0]!, new Error('denied')]])),
    );
    const r = Promise.allSettled([b.enqueue('x'), b.enqueue('y')]);
    await tick(clock, 2);
    const [x, y] = await r;
    expect(x).toMatchObject({ status: 'rejected', reason: { message: 'denied' } });
    expect(y).toMatchObject({ status: 'rejected', reason: { message: 'missing y' } });

    const failing = setup(() => Promise.reject(new Error('throttled')));
    const both = Promise.allSettled([failing.b.enqueue('p'), failing.b.enqueue('q')]);
    await tick(failing.clock, 2);
    expect((await both).every((s) => s.status === 'rejected')).toBe(true);
  });

  it('keeps a partial batch open while items keep arriving, up to maxWait', async () => {
    const { clock, calls, b } = setup(echo);
    const pending: Promise<string>[] = [b.enqueue('k0')];
    for (let i = 1; i <= 9; i++) {
      await tick(clock, 1);
      pending.push(b.enqueue(`k${i}`));
    }
    expect(calls).toEqual([]);
    await tick(clock, 1); // 10 windows waited: sent although items still came
    expect(calls).toEqual([Array.from({ length: 10 }, (_, i) => `k${i}`)]);
    await Promise.all(pending);
  });

  it('keeps a partial batch open while an earlier batch is in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { clock, calls, b } = setup(async (keys) => {
      if (keys.length === 20) await gate;
      return echo(keys);
    });
    const all = Promise.all(Array.from({ length: 25 }, (_, i) => b.enqueue(`k${i}`)));
    await tick(clock, 3);
    expect(calls.map((c) => c.length)).toEqual([20]);
    release();
    await tick(clock, 2);
    expect(calls.map((c) => c.length)).toEqual([20, 5]);
    await all;
  });
});
