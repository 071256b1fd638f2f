import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeClient } from '../../../src/kube/client.ts';
import { kubeEnvConfig } from '../../../src/config.ts';
import { startKubeTestServerProcess, type KubeTestServerProcess } from './child.ts';

let child: KubeTestServerProcess;

beforeAll(async () => {
  child = await startKubeTestServerProcess();
});
afterAll(async () => {
  await child.close();
});

describe('test API server in a child process', () => {
  it('serves clients over HTTP and answers control calls over IPC', async () => {
    expect(child.pid).not.toBe(process.pid);
    const n = await child.call('seed', [
      ['secrets', 'a', { metadata: { name: 'one' } }],
      ['sealedsecrets.sealbridge.io', 'a', { metadata: { name: 'two' }, spec: {} }],
    ]);
    expect(n).toBe(2);
    const { client } = createKubeClient(
      { kubeconfigText: await child.call('kubeconfigYaml') },
      kubeEnvConfig({}),
    );
    expect((await client.secrets.list({ namespace: 'a' })).items).toHaveLength(1);
    await child.call('failNext', { status: 503, match: { verb: 'get' } });
    await expect(client.secrets.get({ namespace: 'a', name: 'one' })).rejects.toThrow(/HTTP 503/);
    expect(await child.call('count', 'get', 'secrets')).toBe(1);
    await expect(
      child.call('create', 'secrets', 'a', { metadata: { name: 'one' } }),
    ).rejects.toThrow(/already exists/);
  });
});
