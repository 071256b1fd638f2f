// The RBAC in deploy/ against what the controller really does: run it against the test API server
// (keys generated, SealedSecrets reconciled, a Secret repaired, an Event recorded, the Lease taken
// and released) and check that every request it made is allowed by the rendered ClusterRole and
// namespace Role. Skipped, visibly, where kubectl is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTROLLER_NS,
  clientFor,
  fixtureKey,
  KubeTestServer,
  readyState,
  sealed,
  secretWith,
  startCtl,
} from '../integration/harness.ts';
import { hasKubectl, render, type Rule } from './render.ts';

describe.skipIf(!hasKubectl())('deploy/ RBAC covers the controller', () => {
  let server: KubeTestServer;
  const keyA = fixtureKey('a');

  beforeAll(async () => {
    server = await KubeTestServer.start({ bookmarkIntervalMs: 100 });
    const client = clientFor(server);
    const { ctl } = await startCtl(server, { keySize: '2048', alsoBitnami: true });
    await ctl.keys.waitForSync();
    for (let i = 0; i < 500 && ctl.keys.keyring().size === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    // Seal for the key it generated, so the full write path runs.
    const pem = ctl.keys.newest()!;
    const key = {
      ...keyA,
      publicKey: (await import('node:crypto')).createPublicKey(pem.privateKey!),
      fingerprint: pem.fingerprint!,
    };
    // The test's own writes bypass HTTP, so the request log holds only the controller's writes
    // (the test's reads are gets, which the controller may do too).
    const ssType = server.resource('sealedsecrets.sealbridge.io');
    server.objects.create(ssType, 'apps', sealed('db', { p: 'v' }, key));
    server.objects.create(ssType, 'apps', sealed('broken', { p: 'v' }, keyA));
    const s = await secretWith(client, 'db', (d) => d['p'] === 'v');
    server.objects.update(server.resource('secrets'), 'apps', 'db', { ...s, data: { p: 'eA==' } });
    await secretWith(client, 'db', (d) => d['p'] === 'v');
    await readyState(client, 'broken', 'False');
    await ctl.shutdown();
  });
  afterAll(async () => {
    await server.close();
  });

  it('allows every request the controller made', () => {
    const objects = render();
    const rulesOf = (kind: string, name: string): Rule[] =>
      objects.find((o) => o.kind === kind && o.metadata.name === name)?.['rules'] as Rule[];
    const cluster = rulesOf('ClusterRole', 'sealbridge-controller');
    const own = rulesOf('Role', 'sealbridge-controller');
    const denied = new Set<string>();
    for (const r of server.requests) {
      if (r.verb === 'discovery') continue;
      const [plural, ...group] = r.resource.split('.');
      const apiGroup = group.join('.');
      const resource = r.subresource === undefined ? plural! : `${plural!}/${r.subresource}`;
      const verb = r.verb === 'get' && r.query.get('watch') === 'true' ? 'watch' : r.verb;
      const ok = (rules: Rule[]) =>
        rules.some(
          (x) =>
            x.apiGroups.includes(apiGroup) &&
            x.resources.includes(resource) &&
            x.verbs.includes(verb),
        );
      if (!ok(cluster) && !(r.namespace === CONTROLLER_NS && ok(own)))
        denied.add(`${verb} ${r.resource} ${resource} ns=${r.namespace ?? '-'}`);
    }
    expect(server.requests.length).toBeGreaterThan(20);
    expect([...denied]).toEqual([]);
  });
});
