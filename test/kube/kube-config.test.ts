import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeEnvConfig } from '../../src/config.ts';
import { createKubeClient } from '../../src/kube/client.ts';
import { loadKubeConfig } from '../../src/kube/kube-config.ts';
import { KubeTestServer } from '../servers/kube/index.ts';

function kubeconfig(
  server: string,
  contexts: { name: string; namespace?: string }[],
  current: string,
): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: contexts.map((c) => ({
      name: c.name,
      context: { cluster: 'c', user: 'u', namespace: c.namespace },
    })),
    'current-context': current,
  });
}

const dir = mkdtempSync(join(tmpdir(), 'sealbridge-kubeconfig-'));
const fileA = join(dir, 'a.yaml');
const fileB = join(dir, 'b.yaml');
writeFileSync(
  fileA,
  kubeconfig('http://127.0.0.1:1', [{ name: 'alpha', namespace: 'team-a' }], 'alpha'),
);
writeFileSync(
  fileB,
  kubeconfig('http://127.0.0.1:2', [{ name: 'beta' }], 'beta')
    .replace(/"name":"c"/g, '"name":"c2"')
    .replace(/"name":"u"/g, '"name":"u2"')
    .replace(/"cluster":"c"/, '"cluster":"c2"')
    .replace(/"user":"u"/, '"user":"u2"'),
);
const noEnv = kubeEnvConfig({});

describe('loadKubeConfig', () => {
  it('uses --kubeconfig first and takes the namespace from the context', () => {
    const cfg = loadKubeConfig({ kubeconfigPath: fileA }, kubeEnvConfig({ KUBECONFIG: fileB }));
    expect(cfg.source).toBe('path');
    expect(cfg.namespace).toBe('team-a');
    expect(cfg.kubeConfig.getCurrentCluster()?.server).toBe('http://127.0.0.1:1');
  });

  it('merges KUBECONFIG files like kubectl: the first file wins current-context', () => {
    const cfg = loadKubeConfig({}, kubeEnvConfig({ KUBECONFIG: [fileA, fileB].join(delimiter) }));
    expect(cfg.source).toBe('KUBECONFIG');
    expect(cfg.kubeConfig.getCurrentContext()).toBe('alpha');
    expect(
      cfg.kubeConfig
        .getContexts()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['alpha', 'beta']);
  });

  it('--context selects another context, and an unknown one is a clear error', () => {
    const cfg = loadKubeConfig(
      { context: 'beta' },
      kubeEnvConfig({ KUBECONFIG: [fileA, fileB].join(delimiter) }),
    );
    expect(cfg.kubeConfig.getCurrentCluster()?.server).toBe('http://127.0.0.1:2');
    expect(cfg.namespace).toBe('default');
    expect(() => loadKubeConfig({ context: 'gamma', kubeconfigPath: fileA }, noEnv)).toThrow(
      'context gamma is not in the kubeconfig',
    );
  });

  it('reads ~/.kube/config from the home directory', () => {
    const home = mkdtempSync(join(tmpdir(), 'sealbridge-home-'));
    mkdirSync(join(home, '.kube'));
    writeFileSync(
      join(home, '.kube', 'config'),
      kubeconfig('http://127.0.0.1:3', [{ name: 'h' }], 'h'),
    );
    const cfg = loadKubeConfig({}, kubeEnvConfig({ HOME: home }));
    expect(cfg.source).toBe('home');
  });

  it('builds an in-cluster config from the service account directory', () => {
    const sa = mkdtempSync(join(tmpdir(), 'sealbridge-sa-'));
    writeFileSync(join(sa, 'token'), 'pod-token');
    writeFileSync(join(sa, 'ca.crt'), 'not really a CA');
    writeFileSync(join(sa, 'namespace'), 'sealbridge\n');
    const env = kubeEnvConfig({
      KUBERNETES_SERVICE_HOST: 'fd00::1',
      KUBERNETES_SERVICE_PORT: '6443',
    });
    const cfg = loadKubeConfig({ preferInCluster: true, serviceAccountDir: sa }, env);
    expect(cfg.source).toBe('in-cluster');
    expect(cfg.namespace).toBe('sealbridge');
    expect(cfg.kubeConfig.getCurrentCluster()?.server).toBe('https://[fd00::1]:6443');
  });

  it('explains what to do when nothing is configured, and rejects missing or broken files', () => {
    expect(() => loadKubeConfig({}, noEnv)).toThrow(/no Kubernetes configuration found/);
    expect(() => loadKubeConfig({ kubeconfigPath: join(dir, 'missing') }, noEnv)).toThrow(
      /does not exist/,
    );
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'clusters: [');
    expect(() => loadKubeConfig({ kubeconfigPath: broken }, noEnv)).toThrow(
      /cannot load kubeconfig/,
    );
  });

  it('createKubeClient talks to a server named in kubeconfig text', async () => {
    const server = await KubeTestServer.start();
    try {
      const { client, config } = createKubeClient(
        { kubeconfigText: server.kubeconfigYaml('apps') },
        noEnv,
      );
      expect(config.namespace).toBe('apps');
      await client.secrets.create({ metadata: { name: 'x', namespace: 'apps' } });
      expect(server.count('create', 'secrets')).toBe(1);
    } finally {
      await server.close();
    }
  });
});
