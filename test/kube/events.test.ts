import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { EventRecorder } from '../../src/kube/events.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { EventObject, KubeObject } from '../../src/kube/types.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';
import { FakeClock } from './fake-clock.ts';

let server: KubeTestServer;
let client: KubeClient;
const subject: KubeObject = {
  apiVersion: 'sealbridge.io/v1alpha1',
  kind: 'SealedSecret',
  metadata: { name: 'db-creds', namespace: 'apps', uid: 'uid-1', resourceVersion: '7' },
};

beforeEach(async () => {
  server = await KubeTestServer.start();
  client = kubeClientFor(server);
});
afterEach(async () => {
  await server.close();
});

async function events(): Promise<EventObject[]> {
  return [...(await client.events.list({ namespace: 'apps' })).items];
}

describe('EventRecorder', () => {
  it('creates an Event with the involved object, source and timestamps', async () => {
    const rec = new EventRecorder({
      events: client.events,
      clock: systemClock,
      component: 'sealbridge-controller',
      instance: 'pod-1',
    });
    rec.event(subject, 'Normal', 'Unsealed', 'SealedSecret unsealed into Secret');
    await rec.flush();
    const [ev] = await events();
    expect(ev).toMatchObject({
      reason: 'Unsealed',
      type: 'Normal',
      count: 1,
      involvedObject: { kind: 'SealedSecret', name: 'db-creds', namespace: 'apps', uid: 'uid-1' },
      source: { component: 'sealbridge-controller', host: 'pod-1' },
      reportingComponent: 'sealbridge-controller',
    });
    expect(ev?.metadata.name).toMatch(/^db-creds\.[0-9a-f]+$/);
  });

  it('bumps count on a repeat instead of creating another Event', async () => {
    const rec = new EventRecorder({ events: client.events, clock: systemClock, component: 'c' });
    for (let i = 0; i < 5; i++)
      rec.event(subject, 'Warning', 'ErrUnsealFailed', 'no key could decrypt');
    await rec.flush();
    const all = await events();
    expect(all).toHaveLength(1);
    expect(all[0]?.count).toBe(5);
    expect(server.count('create', 'events')).toBe(1);
    expect(server.count('patch', 'events')).toBe(4);
  });

  it('creates a fresh Event when the remembered one is gone', async () => {
    const rec = new EventRecorder({ events: client.events, clock: systemClock, component: 'c' });
    rec.event(subject, 'Normal', 'R', 'm');
    await rec.flush();
    const [first] = await events();
    await client.events.delete({ namespace: 'apps', name: first!.metadata.name! });
    rec.event(subject, 'Normal', 'R', 'm');
    await rec.flush();
    const all = await events();
    expect(all).toHaveLength(1);
    expect(all[0]?.metadata.name).not.toBe(first?.metadata.name);
  });

  it('folds more than 10 distinct messages for one object and reason into a combined Event', async () => {
    const rec = new EventRecorder({
      events: client.events,
      clock: new FakeClock(),
      component: 'c',
      burst: 100,
    });
    for (let i = 0; i < 15; i++) rec.event(subject, 'Warning', 'SyncFailed', `attempt ${i} failed`);
    await rec.flush();
    const all = await events();
    expect(all).toHaveLength(11);
    const combined = all.filter((e) => e.message?.startsWith('(combined from similar events): '));
    expect(combined).toHaveLength(1);
    expect(combined[0]?.count).toBe(5);
    expect(combined[0]?.message).toBe('(combined from similar events): attempt 14 failed');
  });

  it('drops events beyond the per-object burst until tokens refill', async () => {
    const clock = new FakeClock();
    const rec = new EventRecorder({
      events: client.events,
      clock,
      component: 'c',
      burst: 3,
      refillSeconds: 60,
    });
    for (let i = 0; i < 6; i++) rec.event(subject, 'Normal', `R${i}`, 'm');
    await rec.flush();
    expect(await events()).toHaveLength(3);
    await clock.advance(60_000);
    rec.event(subject, 'Normal', 'Later', 'm');
    await rec.flush();
    expect(await events()).toHaveLength(4);
  });

  it('never fails the caller when the API is down', async () => {
    const rec = new EventRecorder({ events: client.events, clock: systemClock, component: 'c' });
    server.faults.failNext({ count: 1, status: 500 });
    expect(() => {
      rec.event(subject, 'Normal', 'R', 'm');
    }).not.toThrow();
    await rec.flush();
    expect(await events()).toHaveLength(0);
  });

  it('records events for cluster-scoped objects in the default namespace and truncates long messages', async () => {
    const rec = new EventRecorder({ events: client.events, clock: systemClock, component: 'c' });
    rec.event(
      {
        apiVersion: 'sealbridge.io/v1alpha1',
        kind: 'ClusterSecretStore',
        metadata: { name: 'global', uid: 'u' },
      },
      'Warning',
      'R',
      'x'.repeat(5000),
    );
    await rec.flush();
    const [ev] = (await client.events.list({ namespace: 'default' })).items;
    expect(ev?.message?.length).toBe(1024);
  });
});
