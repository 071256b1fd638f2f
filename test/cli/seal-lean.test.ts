// The seal path must stay lean: a `sealbridge seal` process never loads the Kubernetes client,
// the cloud SDKs, node-forge or pino. Runs the TypeScript sources in a child process with a
// module hook that records every module loaded.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared-testdata.ts';
import { fixturePath } from '../crypto/fixtures.ts';

const HOOK = `
import { registerHooks } from 'node:module';
const seen = [];
registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
process.on('exit', () => { process.stderr.write('LOADED ' + JSON.stringify(seen) + '\\n'); });
`;

const ENTRY = `
import { main } from ${JSON.stringify(pathToFileURL(resolve(REPO_ROOT, 'cli', 'main.ts')).href)};
process.exitCode = await main(['node', 'sealbridge', ...process.argv.slice(process.argv.indexOf('seal'))]);
`;

describe('seal process footprint', () => {
  it('does not load heavy or unrelated modules', () => {
    const secret =
      'apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\nstringData: {k: v}\n';
    const res = spawnSync(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(HOOK)}`,
        '--input-type=module',
        '-e',
        ENTRY,
        '--',
        'seal',
        '--cert',
        fixturePath('cert-a.pem'),
      ],
      { input: secret, cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(res.stdout).toContain('kind: SealedSecret');
    const line = res.stderr.split('\n').find((l) => l.startsWith('LOADED '));
    expect(line).toBeDefined();
    const loaded = JSON.parse(line!.slice('LOADED '.length)) as string[];
    expect(loaded.some((u) => u.includes('/node_modules/yaml/'))).toBe(true); // the hook works
    for (const heavy of [
      '@kubernetes/client-node',
      'node-forge',
      '/pino/',
      '@aws-sdk',
      '@google-cloud',
      'node-vault',
      'openpgp',
      'age-encryption',
      'prom-client',
    ]) {
      expect(loaded.filter((u) => u.includes(heavy))).toEqual([]);
    }
  });
});
