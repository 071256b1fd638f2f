import { describe, expect, it } from 'vitest';
import { createInformer } from '../../src/kube/informer.ts';
import { kubeResponseError } from '../../src/kube/errors.ts';
import type { ListOptions, ListWatcher, WatchOptions } from '../../src/kube/resource-client.ts';
import { SECRETS } from '../../src/kube/resources.ts';
import type { KubeObject, ObjectList, WatchEvent } from '../../src/kube/types.ts';
import { FakeClock, flush } from './fake-clock.ts';

const unavailable = () =>
  kubeResponseError({ verb: 'list', resource: 'secrets' }, 503, { reason: 'ServiceUnavailable' });

/** A scripted source: list answers and watch streams are taken from queues. */
class ScriptedSource implements ListWatcher<KubeObject> {
  readonly resource = SECRETS;
  readonly lists: (ObjectList<KubeObject> | Error)[] = [];
  listOptions: (ListOptions | undefined)[] = [];
  readonly watches: (WatchEvent<KubeObject>[] | Error | 'hang')[] = [];
  listCalls = 0;
  watchCalls: WatchOptions[] = [];

  list(o?: ListOptions): Promise<ObjectList<KubeObject>> {
    this.listCalls++;
    this.listOptions.push(o);
    const next = this.lists.shift() ?? { items: [], resourceVersion: '1' };
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }

  async *watch(o: WatchOptions): AsyncGenerator<WatchEvent<KubeObject>> {
    this.watchCalls.push(o);
    const next = this.watches.shift() ?? 'hang';
    if (next instanceof Error) throw next;
    if (next === 'hang') {
      await new Promise<void>((_resolve, reject) => {
        o.signal.addEventListener(
          'abort',
          () => {
            reject(new Error('aborted'));
          },
          { once: true },
        );
      });
      return;
    }
    for (const ev of next) yield ev;
  }
}

function recordingClock(): { clock: FakeClock; sleeps: number[] } {
  const clock = new FakeClock();
  const sleeps: number[] = [];
  const sleep = clock.sleep.bind(clock);
  clock.sleep = (ms, signal) => {
    sleeps.push(Math.round(ms));
    return sleep(ms, signal);
  };
  return { clock, sleeps };
}

describe('Informer retry behaviour (fake clock)', () => {
  it('backs off exponentially with a cap between failed lists', async () => {
    const source = new ScriptedSource();
    for (let i = 0; i < 8; i++) source.lists.push(unavailable());
    const { clock, sleeps } = recordingClock();
    const informer = createInformer({
      source,
      clock,
      random: () => 0.999999,
      backoff: { initialMs: 100, maxMs: 3000 },
      relistPeriodMs: 0,
    });
    informer.start();
    for (let i = 0; i < 8; i++) await clock.advance(3000);
    expect(informer.hasSynced()).toBe(true);
    expect(source.listCalls).toBe(9);
    expect(sleeps.slice(0, 8)).toEqual([100, 200, 400, 800, 1600, 3000, 3000, 3000]);
    await informer.stop();
  });

  it('jitter keeps every delay within [0.5, 1] of the exponential step', async () => {
    const source = new ScriptedSource();
    for (let i = 0; i < 5; i++) source.lists.push(unavailable());
    const { clock, sleeps } = recordingClock();
    const informer = createInformer({
      source,
      clock,
      random: () => 0,
      backoff: { initialMs: 100 },
      relistPeriodMs: 0,
    });
    informer.start();
    for (let i = 0; i < 5; i++) await clock.advance(2000);
    expect(sleeps.slice(0, 5)).toEqual([50, 100, 200, 400, 800]);
    await informer.stop();
  });

  it('re-watches at once after a normal end, and backs off after an instant empty one', async () => {
    const source = new ScriptedSource();
    const obj = (rv: string): KubeObject => ({
      metadata: { name: 'a', namespace: 'n', resourceVersion: rv },
    });
    source.lists.push({ items: [], resourceVersion: '10' });
    source.watches.push([{ type: 'ADDED', object: obj('11') }]);
    source.watches.push([{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '15' } } }]);
    source.watches.push([]);
    const { clock, sleeps } = recordingClock();
    const informer = createInformer({
      source,
      clock,
      random: () => 0.999999,
      backoff: { initialMs: 100 },
      relistPeriodMs: 0,
    });
    informer.start();
    await flush(20);
    expect(source.watchCalls.map((w) => w.resourceVersion)).toEqual(['10', '11', '15']);
    expect(sleeps).toEqual([100]);
    await clock.advance(100);
    expect(source.watchCalls.map((w) => w.resourceVersion)).toEqual(['10', '11', '15', '15']);
    expect(source.listCalls).toBe(1);
    expect(source.watchCalls.every((w) => w.allowWatchBookmarks === true)).toBe(true);
    await informer.stop();
  });

  it('schedules the periodic relist with jitter and relists when it is due', async () => {
    const source = new ScriptedSource();
    source.lists.push({ items: [], resourceVersion: '1' });
    const { clock } = recordingClock();
    const informer = createInformer({ source, clock, random: () => 0.5, relistPeriodMs: 60_000 });
    informer.start();
    await flush(10);
    expect(source.listCalls).toBe(1);
    await clock.advance(59_999);
    expect(source.listCalls).toBe(1);
    await clock.advance(1);
    expect(source.listCalls).toBe(2);
    await informer.stop();
  });

  it('restarts a paged list without paging when the continue token expires', async () => {
    const source = new ScriptedSource();
    const obj = (name: string): KubeObject => ({
      metadata: { name, namespace: 'n', resourceVersion: '5' },
    });
    source.lists.push({ items: [obj('a')], resourceVersion: '5', continue: 'tok' });
    source.lists.push(
      kubeResponseError({ verb: 'list', resource: 'secrets' }, 410, { reason: 'Expired' }),
    );
    source.lists.push({ items: [obj('a'), obj('b')], resourceVersion: '6' });
    const { clock } = recordingClock();
    const informer = createInformer({ source, clock, relistPeriodMs: 0, pageSize: 1 });
    informer.start();
    await informer.waitForSync();
    expect(source.listOptions.map((o) => [o?.limit, o?.continue])).toEqual([
      [1, undefined],
      [1, 'tok'],
      [undefined, undefined],
    ]);
    expect(informer.keys().sort()).toEqual(['n/a', 'n/b']);
    await flush();
    expect(source.watchCalls[0]?.resourceVersion).toBe('6');
    await informer.stop();
  });

  it('backs off when the watch expires again right after every relist (no hot loop)', async () => {
    const source = new ScriptedSource();
    const gone = () =>
      kubeResponseError({ verb: 'watch', resource: 'secrets' }, 410, { reason: 'Expired' });
    for (let i = 0; i < 4; i++) source.watches.push(gone());
    const { clock, sleeps } = recordingClock();
    const informer = createInformer({
      source,
      clock,
      random: () => 0.999999,
      backoff: { initialMs: 100 },
      relistPeriodMs: 0,
    });
    informer.start();
    await flush(20);
    expect(source.listCalls).toBe(1);
    expect(sleeps).toEqual([100]);
    for (let i = 0; i < 4; i++) await clock.advance(1_000);
    expect(source.listCalls).toBe(5);
    expect(sleeps).toEqual([100, 200, 400, 800]);
    await informer.stop();
  });
});
