// Status conditions and the StatusReporter against the test API server: the status subresource,
// observedGeneration, transition times, skipping unchanged writes, 409 retries and Events.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  conditionMessage,
  conditionOf,
  StatusReporter,
  withCondition,
  type StatusObject,
} from '../../src/controllers/status.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { EventSink } from '../../src/kube/events.ts';
import { FakeClock } from '../kube/fake-clock.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';

const SEALED = {
  group: 'sealbridge.io',
  version: 'v1alpha1',
  plural: 'sealedsecrets',
  kind: 'SealedSecret',
  namespaced: true,
};

let server: KubeTestServer;
let client: KubeClient;
let clock: FakeClock;
let recorded: { type: string; reason: string; message: string }[];
let reporter: StatusReporter<StatusObject>;

beforeEach(async () => {
  server = await KubeTestServer.start();
  client = kubeClientFor(server);
  clock = new FakeClock();
  recorded = [];
  const events: EventSink = {
    event: (_obj, type, reason, message) => recorded.push({ type, reason, message }),
  };
  reporter = new StatusReporter({ resource: client.resource<StatusObject>(SEALED), events, clock });
});
afterEach(async () => {
  await server.close();
});

async function create(): Promise<StatusObject> {
  return client.resource<StatusObject>(SEALED).create({
    metadata: { name: 'db', namespace: 'apps' },
    spec: { encryptedData: {} },
  } as StatusObject);
}

const get = () => client.resource<StatusObject>(SEALED).get({ namespace: 'apps', name: 'db' });

describe('withCondition', () => {
  it('keeps the transition time while the status holds and moves it on a flip', () => {
    const t0 = Date.UTC(2026, 0, 1);
    let list = withCondition(undefined, { type: 'Ready', status: 'False', reason: 'A' }, t0);
    expect(list[0]?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    list = withCondition(list, { type: 'Ready', status: 'False', reason: 'B' }, t0 + 60_000);
    expect(list[0]).toMatchObject({ reason: 'B', lastTransitionTime: '2026-01-01T00:00:00Z' });
    expect(list[0]?.lastUpdateTime).toBe('2026-01-01T00:01:00Z');
    list = withCondition(list, { type: 'Ready', status: 'True', reason: 'B' }, t0 + 120_000);
    expect(list[0]?.lastTransitionTime).toBe('2026-01-01T00:02:00Z');
    const same = withCondition(list, { type: 'Ready', status: 'True', reason: 'B' }, t0 + 1e6);
    expect(same).toEqual(list);
  });

  it('makes messages one bounded line', () => {
    expect(conditionMessage('a\n  b\n')).toBe('a b');
    expect(conditionMessage('x'.repeat(5000))).toHaveLength(1024);
  });
});

describe('StatusReporter', () => {
  it('writes Ready, observedGeneration and fields through the status subresource', async () => {
    const obj = await create();
    const r = await reporter.report(obj, {
      ready: true,
      reason: 'Unsealed',
      message: 'SealedSecret unsealed',
      fields: { keyFingerprint: 'abc' },
      conditionTypes: ['Ready', 'Synced'],
    });
    expect(r).toBe('updated');
    expect(server.count('update', 'sealedsecrets/status')).toBe(1);
    const fresh = await get();
    expect(fresh.status).toMatchObject({ observedGeneration: 1, keyFingerprint: 'abc' });
    expect(conditionOf(fresh)).toMatchObject({ status: 'True', reason: 'Unsealed' });
    expect(conditionOf(fresh, 'Synced')).toMatchObject({ status: 'True' });
    // The same report again changes nothing and costs no call.
    expect(
      await reporter.report(fresh, {
        ready: true,
        reason: 'Unsealed',
        message: 'SealedSecret unsealed',
        fields: { keyFingerprint: 'abc' },
        conditionTypes: ['Ready', 'Synced'],
      }),
    ).toBe('unchanged');
    expect(server.count('update', 'sealedsecrets/status')).toBe(1);
  });

  it('removes a field given as undefined and records a Warning event on failure', async () => {
    let obj = await create();
    await reporter.report(obj, {
      ready: true,
      reason: 'Unsealed',
      message: '',
      fields: { keyFingerprint: 'abc' },
    });
    obj = await get();
    await reporter.report(obj, {
      ready: false,
      reason: 'UnsealFailed',
      message: 'no key could decrypt item "a"',
      fields: { keyFingerprint: undefined },
      event: true,
    });
    const fresh = await get();
    expect(fresh.status?.['keyFingerprint']).toBeUndefined();
    expect(conditionOf(fresh)).toMatchObject({ status: 'False', reason: 'UnsealFailed' });
    expect(recorded).toEqual([
      { type: 'Warning', reason: 'UnsealFailed', message: 'no key could decrypt item "a"' },
    ]);
  });

  it('re-reads and re-applies on 409, and reports a deleted object as gone', async () => {
    const stale = await create();
    await client.resource<StatusObject>(SEALED).replace({
      ...(await get()),
      metadata: { ...(await get()).metadata, labels: { changed: 'yes' } },
    });
    expect(await reporter.report(stale, { ready: true, reason: 'Unsealed', message: '' })).toBe(
      'updated',
    );
    expect(conditionOf(await get())?.status).toBe('True');
    await client.resource(SEALED).delete({ namespace: 'apps', name: 'db' });
    expect(await reporter.report(stale, { ready: false, reason: 'X', message: '' })).toBe('gone');
  });
});
