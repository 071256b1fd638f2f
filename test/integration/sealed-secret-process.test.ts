// The built CLI as a real process: `node bin/sealbridge.js controller` (dist/, as the container
// runs it, so the worker threads load the compiled .js worker) reconciles a SealedSecret, and a
// real SIGTERM drains, releases the Lease and exits 0. Skipped, visibly, when dist/ is not built
// (`npm ci` builds it; so does `npm run build`).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared-testdata.ts';
import {
  CONTROLLER_NS,
  clientFor,
  eventually,
  fixtureKey,
  KubeTestServer,
  readyState,
  SEALED,
  sealed,
  seedKeySecret,
} from './harness.ts';

const bin = resolve(REPO_ROOT, 'bin', 'sealbridge.js');
const built = existsSync(resolve(REPO_ROOT, 'dist', 'src', 'main.js'));
let child: ChildProcess | undefined;
let server: KubeTestServer | undefined;

afterEach(async () => {
  child?.kill('SIGKILL');
  await server?.close();
});

describe.skipIf(!built)('sealbridge controller as a process', () => {
  it('reconciles, and on SIGTERM releases the Lease and exits 0', async () => {
    server = await KubeTestServer.start({ bookmarkIntervalMs: 200 });
    const client = clientFor(server);
    const key = fixtureKey('a');
    seedKeySecret(server, key, 'key-a');
    const dir = mkdtempSync(join(tmpdir(), 'sealbridge-proc-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfigYaml());
    const logs: string[] = [];
    child = spawn(
      process.execPath,
      [
        bin,
        'controller',
        '--kubeconfig',
        kubeconfig,
        '--listen-addr',
        '127.0.0.1:0',
        '--listen-metrics-addr',
        '127.0.0.1:0',
        '--open-threads',
        '1',
      ],
      {
        env: { ...process.env, POD_NAMESPACE: CONTROLLER_NS, POD_NAME: 'proc-test' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
    const exited = new Promise<number | null>((r) => child?.once('exit', r));

    await client.resource(SEALED).create(sealed('db', { password: 'p' }, key));
    await readyState(client, 'db', 'True');
    const lease = () =>
      client.leases.find({ namespace: CONTROLLER_NS, name: 'sealbridge-controller' });
    expect((await lease())?.spec?.holderIdentity).toMatch(/^proc-test-/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((await lease())?.spec?.holderIdentity).toBe('');
    const text = logs.join('');
    expect(text).toContain('"msg":"released the lease"');
    expect(text).toContain('"msg":"stopped"');
    await eventually(() => (server!.openWatches() === 0 ? true : undefined), 'watches closed');
  });
});
