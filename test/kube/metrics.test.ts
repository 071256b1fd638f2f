import { describe, expect, it } from 'vitest';
import { createMetrics, createRegistry } from '../../src/metrics.ts';
import { FakeClock } from './fake-clock.ts';

describe('runtime metrics', () => {
  it('registers on a private registry only, with closed label sets', async () => {
    const clock = new FakeClock();
    const registry = createRegistry();
    const m = createMetrics(registry, clock);
    m.reconciled('SealedSecret', 'success', 0.02);
    const q = m.queueObserver('SealedSecret');
    q.depth?.('priority', 3);
    q.added?.('periodic');
    q.latency?.(0.5);
    q.retried?.();
    m.informerObserver().listed?.('secrets', 'initial', 10);
    m.informerObserver().watchEnded?.('secrets', 'expired');
    const heard = clock.now();
    m.trackInformer({ name: 'secrets', hasSynced: () => true, lastHeardFrom: () => heard });
    await clock.advance(12_000);
    m.requestObserver()({ verb: 'get', resource: 'secrets', code: 200, seconds: 0.003 });
    m.setLeader(true);
    const text = await registry.metrics();
    expect(text).toContain('sealbridge_reconcile_total{kind="SealedSecret",result="success"} 1');
    expect(text).toContain('sealbridge_reconcile_duration_seconds_count{kind="SealedSecret"} 1');
    expect(text).toContain('sealbridge_workqueue_depth{queue="SealedSecret",lane="priority"} 3');
    expect(text).toContain(
      'sealbridge_workqueue_adds_total{queue="SealedSecret",lane="periodic"} 1',
    );
    expect(text).toContain(
      'sealbridge_workqueue_queue_duration_seconds_count{queue="SealedSecret"} 1',
    );
    expect(text).toContain('sealbridge_workqueue_retries_total{queue="SealedSecret"} 1');
    expect(text).toContain('sealbridge_informer_synced{informer="secrets"} 1');
    expect(text).toContain('sealbridge_informer_last_heard_age_seconds{informer="secrets"} 12');
    expect(text).toContain(
      'sealbridge_informer_lists_total{informer="secrets",reason="initial"} 1',
    );
    expect(text).toContain(
      'sealbridge_informer_watch_ends_total{informer="secrets",reason="expired"} 1',
    );
    expect(text).toContain(
      'sealbridge_kube_requests_total{verb="get",resource="secrets",code="200"} 1',
    );
    expect(text).toContain('sealbridge_leader 1');
    const { register } = await import('prom-client');
    expect(await register.metrics()).not.toContain('sealbridge_');
  });

  it('two registries do not collide (each process part can build its own)', () => {
    const clock = new FakeClock();
    expect(() => {
      createMetrics(createRegistry(), clock);
      createMetrics(createRegistry(), clock);
    }).not.toThrow();
  });
});
