// The ExternalSecret controllers inside the real `sealbridge controller` composition (main.ts):
// registered with the other controllers, sharing the managed-Secret cache and writer, running
// while leading, and revoking the Vault tokens they created at shutdown.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultTestServer } from '../servers/vault/server.ts';
import { clientFor, decoded, eventually, readyOf, startCtl, KubeTestServer } from './harness.ts';
import type { Started } from './harness.ts';

let server: KubeTestServer;
let vault: VaultTestServer;
let started: Started | undefined;

beforeEach(async () => {
  server = await KubeTestServer.start({ bookmarkIntervalMs: 50 });
  vault = await VaultTestServer.start();
  vault.state.addMount('secret', 2);
  vault.state.put('secret', 'app/db', { password: 'from-vault' });
  vault.addKubernetesRole('apps', { acceptJwt: (jwt) => server.objects.tokens.has(jwt) });
  const r = (n: string) => server.resource(n);
  for (const ns of ['sealbridge', 'apps'])
    server.objects.create(r('namespaces'), undefined, { metadata: { name: ns } });
  server.objects.create(r('serviceaccounts'), 'apps', { metadata: { name: 'reader' } });
  server.objects.create(r('secretstores.sealbridge.io'), 'apps', {
    apiVersion: 'sealbridge.io/v1alpha1',
    kind: 'SecretStore',
    metadata: { name: 'vault' },
    spec: {
      provider: {
        vault: {
          server: vault.url,
          path: 'secret',
          auth: { kubernetes: { role: 'apps', serviceAccountRef: { name: 'reader' } } },
        },
      },
    },
  });
});

afterEach(async () => {
  await started?.ctl.shutdown();
  started = undefined;
  await vault.close();
  await server.close();
});

describe('sealbridge controller with ExternalSecrets', () => {
  it('syncs an ExternalSecret and revokes its Vault token at shutdown', async () => {
    started = await startCtl(server);
    const client = clientFor(server);
    server.objects.create(server.resource('externalsecrets.sealbridge.io'), 'apps', {
      apiVersion: 'sealbridge.io/v1alpha1',
      kind: 'ExternalSecret',
      metadata: { name: 'db' },
      spec: {
        secretStoreRef: { name: 'vault' },
        data: [{ secretKey: 'password', remoteRef: { key: 'app/db', property: 'password' } }],
      },
    });
    const es = await eventually(async () => {
      const o = await client
        .resource({
          group: 'sealbridge.io',
          version: 'v1alpha1',
          plural: 'externalsecrets',
          kind: 'ExternalSecret',
          namespaced: true,
        })
        .find({ namespace: 'apps', name: 'db' });
      return readyOf(o)?.status === 'True' ? o : undefined;
    }, 'ExternalSecret Ready');
    expect(readyOf(es)?.reason).toBe('SecretSynced');
    expect(decoded(await client.secrets.find({ namespace: 'apps', name: 'db' }))).toEqual({
      password: 'from-vault',
    });
    const store = await eventually(
      () =>
        readyOf(server.store.get(server.resource('secretstores.sealbridge.io'), 'apps', 'vault'))
          ?.reason,
      'store status',
    );
    expect(store).toBe('Valid');
    expect(vault.state.liveTokenCount('kubernetes')).toBe(1);
    await started.ctl.shutdown();
    expect(vault.state.liveTokenCount('kubernetes')).toBe(0);
    expect(vault.calls.count('revoke-self')).toBe(1);
  });
});
