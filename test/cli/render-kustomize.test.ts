// `sealbridge render` inside kustomize: the KRM function protocol (ResourceList on stdin →
// ResourceList on stdout, transformer items and generator files), the legacy exec-plugin
// generator mode (--generator CONFIG), and — when kubectl is installed — a real
// `kubectl kustomize --enable-alpha-plugins` build through the legacy exec plugin.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptDocument } from '../../src/sops/encrypt.ts';
import { ageKey } from '../../src/sops/keys/age.ts';
import { keySourceFromMaterial } from '../../src/sops/keys/source.ts';
import { runCli } from '../helpers/cli.ts';
import { REPO_ROOT } from '../helpers/shared-testdata.ts';
import { ageIdentity, type AgePair } from '../sops/helpers.ts';

const CANARY = 'canary-krm-c4d0';
const SECRET = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${CANARY}\n`;
const SOPS_SECRET = `apiVersion: sealbridge.io/v1alpha1\nkind: SopsSecret\nmetadata:\n  name: api\n  namespace: prod\nspec:\n  stringData:\n    token: ${CANARY}-api\n`;
const KUSTOMIZE_ANN = {
  'config.kubernetes.io/index': '0',
  'internal.config.kubernetes.io/index': '0',
  'internal.config.kubernetes.io/id': '1',
  'config.kubernetes.io/path': 'secret.yaml',
};

let age: AgePair;
let secretEnc: string;
let sopsSecretEnc: string;

beforeAll(async () => {
  age = await ageIdentity();
  const enc = async (text: string, regex?: string): Promise<string> =>
    (
      await encryptDocument(text, {
        format: 'yaml',
        keyGroups: [[ageKey(age.recipient)]],
        keys: keySourceFromMaterial({}),
        ...(regex === undefined ? {} : { rules: { encryptedRegex: regex } }),
      })
    ).output.toString();
  // A whole-file MAC (no mac_only_encrypted): it must be read from disk, untransformed.
  secretEnc = await enc(SECRET, '^(data|stringData)$');
  sopsSecretEnc = await enc(SOPS_SECRET);
});

const env = (): Record<string, string> => ({ HOME: '/nonexistent', SOPS_AGE_KEY: age.identity });

function withAnnotations(
  obj: Record<string, any>,
  ann: Record<string, string>,
): Record<string, any> {
  return {
    ...obj,
    metadata: { ...obj['metadata'], annotations: { ...obj['metadata']['annotations'], ...ann } },
  };
}

describe('render as a kustomize KRM function', () => {
  it('answers a ResourceList: items transformed with kustomize annotations kept, generator files appended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-krm-'));
    writeFileSync(join(dir, 'secret.enc.yaml'), secretEnc);
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { a: 'b' },
    };
    const list = {
      apiVersion: 'config.kubernetes.io/v1',
      kind: 'ResourceList',
      items: [
        withAnnotations(configMap, { 'config.kubernetes.io/index': '0' }),
        // An item that went through kustomize carries its bookkeeping annotations: outside the MAC.
        withAnnotations(parse(secretEnc) as Record<string, any>, KUSTOMIZE_ANN),
        withAnnotations(parse(sopsSecretEnc) as Record<string, any>, KUSTOMIZE_ANN),
      ],
      functionConfig: {
        apiVersion: 'sealbridge.io/v1alpha1',
        kind: 'SealbridgeRender',
        metadata: { name: 'secrets' },
        files: ['secret.enc.yaml'],
      },
    };
    const res = await runCli(['render'], { stdin: stringify(list), env: env(), cwd: dir });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = parse(res.stdout) as { kind: string; items: Record<string, any>[] };
    expect(out.kind).toBe('ResourceList');
    expect(out.items.map((i) => `${i['kind']}/${i['metadata']['name']}`)).toEqual([
      'ConfigMap/c',
      'Secret/db',
      'Secret/api',
      'Secret/db',
    ]);
    expect(out.items[0]).toEqual(withAnnotations(configMap, { 'config.kubernetes.io/index': '0' }));
    expect(out.items[1]!['stringData']).toEqual({ password: CANARY });
    expect(out.items[1]!['metadata']['annotations']).toEqual(KUSTOMIZE_ANN);
    expect(out.items[1]!['sops']).toBeUndefined();
    // A SopsSecret became a Secret: kustomize's id no longer applies, its path does.
    expect(out.items[2]!['metadata']['annotations']).toEqual({
      'config.kubernetes.io/index': '0',
      'internal.config.kubernetes.io/index': '0',
      'config.kubernetes.io/path': 'secret.yaml',
    });
    expect(Buffer.from(out.items[2]!['data']['token'], 'base64').toString()).toBe(`${CANARY}-api`);
    expect(out.items[3]!['stringData']).toEqual({ password: CANARY });
  });

  it('--generator renders the listed files; paths may not leave the directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-gen-'));
    writeFileSync(join(dir, 'secret.enc.yaml'), secretEnc);
    writeFileSync(join(dir, 'api.enc.yaml'), sopsSecretEnc);
    writeFileSync(
      join(dir, 'gen.yaml'),
      'apiVersion: sealbridge.io/v1alpha1\nkind: SealbridgeRender\nmetadata:\n  name: s\nfiles:\n  - secret.enc.yaml\n  - api.enc.yaml\n',
    );
    const res = await runCli(['render', '--generator', 'gen.yaml'], { cwd: dir, env: env() });
    expect(res.stderr).toBe('');
    const docs = parseAllDocuments(res.stdout).map((d) => d.toJS() as Record<string, any>);
    expect(docs.map((d) => d['kind'])).toEqual(['Secret', 'Secret']);
    writeFileSync(join(dir, 'bad.yaml'), 'kind: SealbridgeRender\nfiles: [../outside.yaml]\n');
    const bad = await runCli(['render', '--generator', 'bad.yaml'], { cwd: dir, env: env() });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('outside the kustomization directory');
    writeFileSync(join(dir, 'nofiles.yaml'), 'kind: SealbridgeRender\n');
    const none = await runCli(['render', '--generator', 'nofiles.yaml'], { cwd: dir, env: env() });
    expect(none.stderr).toContain('files must be a list of file paths');
  });
});

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasKubectl)('kubectl kustomize with the legacy exec plugin', () => {
  it('builds a kustomization whose generator decrypts files before kustomize transforms them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-kustomize-'));
    const pluginDir = join(
      dir,
      'xdg',
      'kustomize',
      'plugin',
      'sealbridge.io',
      'v1alpha1',
      'sealbridgerender',
    );
    mkdirSync(pluginDir, { recursive: true });
    const plugin = join(pluginDir, 'SealbridgeRender');
    // What deploy/examples/kustomize ships, with the CLI run from source instead of the image.
    const main = resolve(REPO_ROOT, 'cli', 'main.ts');
    writeFileSync(
      plugin,
      [
        '#!/bin/sh',
        `exec "${process.execPath}" --input-type=module -e "const m = await import('${main}'); process.exitCode = await m.main(['node', 'sealbridge', 'render', '--generator', process.argv[1]]);" "$1"`,
        '',
      ].join('\n'),
    );
    chmodSync(plugin, 0o755);
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'secret.enc.yaml'), secretEnc);
    writeFileSync(join(app, 'api.enc.yaml'), sopsSecretEnc);
    writeFileSync(
      join(app, 'secrets-generator.yaml'),
      'apiVersion: sealbridge.io/v1alpha1\nkind: SealbridgeRender\nmetadata:\n  name: secrets\nfiles:\n  - secret.enc.yaml\n  - api.enc.yaml\n',
    );
    writeFileSync(
      join(app, 'kustomization.yaml'),
      'namespace: prod\nlabels:\n  - pairs:\n      team: payments\ngenerators:\n  - secrets-generator.yaml\n',
    );
    const out = execFileSync('kubectl', ['kustomize', '--enable-alpha-plugins', app], {
      env: {
        PATH: process.env['PATH'] ?? '',
        XDG_CONFIG_HOME: join(dir, 'xdg'),
        HOME: dir,
        SOPS_AGE_KEY: age.identity,
      },
      encoding: 'utf8',
    });
    const docs = parseAllDocuments(out).map((d) => d.toJS() as Record<string, any>);
    expect(
      docs.map((d) => `${d['kind']}/${d['metadata']['namespace']}/${d['metadata']['name']}`).sort(),
    ).toEqual(['Secret/prod/api', 'Secret/prod/db']);
    const db = docs.find((d) => d['metadata']['name'] === 'db')!;
    expect(db['stringData']).toEqual({ password: CANARY });
    expect(db['metadata']['labels']).toEqual({ team: 'payments' });
  });
});
