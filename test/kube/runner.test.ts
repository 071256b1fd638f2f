import { describe, expect, it } from 'vitest';
import { Controller, controllerOwnerKey, type Reconciler } from '../../src/controllers/runner.ts';
import { SealbridgeError } from '../../src/errors.ts';
import { createMetrics, createRegistry } from '../../src/metrics.ts';
import { kubeResponseError } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { FakeClock, flush } from './fake-clock.ts';
import { FakeInformer } from './fake-informer.ts';

const obj = (
  name: string,
  generation = 1,
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject => ({
  apiVersion: 'sealbridge.io/v1alpha1',
  kind: 'SealedSecret',
  metadata: { name, namespace: 'ns', generation, uid: `uid-${name}`, ...extra },
});

function setup(
  reconcile: Reconciler['reconcile'],
  options: { workers?: number; secondary?: FakeInformer } = {},
) {
  const clock = new FakeClock();
  const primary = new FakeInformer('sealedsecrets');
  const registry = createRegistry();
  const metrics = createMetrics(registry, clock);
  const controller = new Controller({
    kind: 'SealedSecret',
    reconciler: { reconcile },
    primary,
    clock,
    metrics,
    workers: options.workers ?? 2,
    rateLimiter: { baseDelayMs: 100, maxDelayMs: 10_000, qps: 1e6, burst: 1e6 },
    ...(options.secondary === undefined
      ? {}
      : {
          secondary: [
            {
              informer: options.secondary,
              map: (o: KubeObject) => controllerOwnerKey(o, 'SealedSecret'),
            },
          ],
        }),
  });
  return { clock, primary, controller, registry };
}

describe('Controller runner', () => {
  it('starts workers only after the informers have synced, then reconciles every cached object', async () => {
    const calls: string[] = [];
    const { primary, controller } = setup((key) => {
      calls.push(key);
      return Promise.resolve({});
    });
    let started = false;
    const starting = controller.start().then(() => (started = true));
    await flush();
    expect(started).toBe(false);
    expect(controller.ready()).toBe(false);
    expect(calls).toEqual([]);
    primary.sync([obj('a'), obj('b')]);
    await starting;
    await flush();
    expect(controller.ready()).toBe(true);
    expect(calls.sort()).toEqual(['ns/a', 'ns/b']);
    await controller.stop();
  });

  it('ignores status-only updates but reconciles spec, label and deletion changes', async () => {
    const calls: string[] = [];
    const { primary, controller } = setup((key) => {
      calls.push(key);
      return Promise.resolve({});
    });
    primary.sync([obj('a')]);
    await controller.start();
    await flush();
    calls.length = 0;
    primary.upsert({ ...obj('a'), status: { ready: true } } as KubeObject);
    await flush();
    expect(calls).toEqual([]);
    primary.upsert(obj('a', 2));
    await flush();
    primary.upsert(obj('a', 2, { labels: { x: 'y' } }));
    await flush();
    primary.remove(obj('a', 2));
    await flush();
    expect(calls).toEqual(['ns/a', 'ns/a', 'ns/a']);
    await controller.stop();
  });

  it('maps secondary objects to their controller owner', async () => {
    const calls: string[] = [];
    const secrets = new FakeInformer('secrets');
    const { primary, controller } = setup(
      (key) => {
        calls.push(key);
        return Promise.resolve({});
      },
      { secondary: secrets },
    );
    primary.sync([obj('owner')]);
    secrets.sync([]);
    await controller.start();
    await flush();
    calls.length = 0;
    const owned: KubeObject = {
      metadata: {
        name: 'owner',
        namespace: 'ns',
        ownerReferences: [
          {
            apiVersion: 'sealbridge.io/v1alpha1',
            kind: 'SealedSecret',
            name: 'owner',
            uid: 'uid-owner',
            controller: true,
          },
        ],
      },
    };
    secrets.upsert(owned);
    await flush();
    secrets.remove(owned);
    await flush();
    secrets.upsert({ metadata: { name: 'unowned', namespace: 'ns' } });
    await flush();
    expect(calls).toEqual(['ns/owner', 'ns/owner']);
    await controller.stop();
  });

  it('retries a failing key with exponential backoff, then forgets the failures after success', async () => {
    let attempts = 0;
    const { clock, primary, controller, registry } = setup(async () => {
      await Promise.resolve();
      attempts++;
      if (attempts <= 3) throw kubeResponseError({ verb: 'update', resource: 'secrets' }, 503, {});
      return {};
    });
    primary.sync([obj('a')]);
    await controller.start();
    await flush();
    expect(attempts).toBe(1);
    await clock.advance(99);
    expect(attempts).toBe(1);
    await clock.advance(1);
    expect(attempts).toBe(2);
    await clock.advance(199);
    expect(attempts).toBe(2);
    await clock.advance(1);
    expect(attempts).toBe(3);
    await clock.advance(400);
    expect(attempts).toBe(4);
    expect(controller.queue.numRequeues('ns/a')).toBe(0);
    await clock.advance(60_000);
    expect(attempts).toBe(4);
    const text = await registry.metrics();
    expect(text).toContain('sealbridge_reconcile_total{kind="SealedSecret",result="error"} 3');
    expect(text).toContain('sealbridge_reconcile_total{kind="SealedSecret",result="success"} 1');
    expect(text).toContain('sealbridge_workqueue_retries_total{queue="SealedSecret"} 3');
    await controller.stop();
  });

  it('honours a Retry-After longer than the backoff', async () => {
    let attempts = 0;
    const { clock, primary, controller } = setup(async () => {
      await Promise.resolve();
      attempts++;
      if (attempts === 1)
        throw kubeResponseError({ verb: 'get', resource: 'secrets' }, 429, {
          details: { retryAfterSeconds: 7 },
        });
      return {};
    });
    primary.sync([obj('a')]);
    await controller.start();
    await flush();
    await clock.advance(6_999);
    expect(attempts).toBe(1);
    await clock.advance(1);
    expect(attempts).toBe(2);
    await controller.stop();
  });

  it('does not hot-retry a non-retryable error: it waits for the backoff cap (or a change)', async () => {
    let attempts = 0;
    const { clock, primary, controller } = setup(async () => {
      await Promise.resolve();
      attempts++;
      throw new SealbridgeError('DECRYPTION_FAILED', 'no key opens this value');
    });
    primary.sync([obj('a')]);
    await controller.start();
    await flush();
    await clock.advance(9_999);
    expect(attempts).toBe(1);
    await clock.advance(1);
    expect(attempts).toBe(2);
    primary.upsert(obj('a', 2));
    await flush();
    expect(attempts).toBe(3);
    await controller.stop();
  });

  it('requeueAfterMs schedules a periodic refresh in the periodic lane', async () => {
    const calls: string[] = [];
    const { clock, primary, controller } = setup((key) => {
      calls.push(key);
      return Promise.resolve({ requeueAfterMs: 60_000 });
    });
    primary.sync([obj('a')]);
    await controller.start();
    await flush();
    expect(controller.queue.delayed()).toBe(1);
    await clock.advance(60_000);
    expect(calls).toEqual(['ns/a', 'ns/a']);
    await controller.stop();
  });

  it('never reconciles one key on two workers at once, however many events arrive', async () => {
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    const gates: (() => void)[] = [];
    const { primary, controller } = setup(
      async () => {
        calls++;
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((resolve) => gates.push(resolve));
        active--;
        return {};
      },
      { workers: 4 },
    );
    primary.sync([obj('a')]);
    await controller.start();
    await flush();
    for (let g = 2; g < 12; g++) primary.upsert(obj('a', g));
    await flush();
    expect(calls).toBe(1);
    gates.shift()?.();
    await flush();
    expect(calls).toBe(2);
    gates.shift()?.();
    await flush();
    expect(calls).toBe(2);
    expect(maxActive).toBe(1);
    await controller.stop();
  });

  it('stop() drains in-flight reconciles and drops queued keys', async () => {
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const { primary, controller } = setup(
      async (key) => {
        calls.push(key);
        if (key === 'ns/a') await new Promise<void>((resolve) => (release = resolve));
        return {};
      },
      { workers: 1 },
    );
    primary.sync([obj('a'), obj('b')]);
    await controller.start();
    await flush();
    expect(calls).toEqual(['ns/a']);
    let stopped = false;
    const stopping = controller.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    expect(controller.ready()).toBe(false);
    release();
    await stopping;
    expect(calls).toEqual(['ns/a']);
  });

  it('stop() aborts reconciles that outlive the drain deadline', async () => {
    let aborted: unknown;
    const { clock, primary, controller } = setup(
      (_key, signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            resolve({});
          });
        }),
      { workers: 1 },
    );
    primary.sync([obj('a')]);
    await controller.start();
    await flush();
    const stopping = controller.stop({ deadlineMs: 5_000 });
    await clock.advance(4_999);
    expect(aborted).toBeUndefined();
    await clock.advance(1);
    await stopping;
    expect(aborted).toBeInstanceOf(SealbridgeError);
    expect((aborted as SealbridgeError).code).toBe('SHUTTING_DOWN');
  });
});
