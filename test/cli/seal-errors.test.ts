// Every bad input the issue lists gives exactly one line on stderr and a non-zero exit, and a
// -w or --merge-into target is left byte-for-byte as it was.
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { fixturePath } from '../crypto/fixtures.ts';

const cert = fixturePath('cert-a.pem');
const good =
  'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: team-a\nstringData:\n  password: CANARY-9c1e\n';

interface Case {
  readonly name: string;
  readonly stdin: string;
  readonly args?: readonly string[];
  readonly message: RegExp;
}

const inputCases: Case[] = [
  {
    name: 'malformed YAML',
    stdin: 'kind: Secret\nmetadata: {name: x\n',
    message: /^sealbridge: stdin: document 1: invalid YAML at line \d+, column \d+: .+$/,
  },
  {
    name: 'malformed JSON',
    stdin: '{"kind": "Secret", "metadata": {"name": "x"},}',
    message: /^sealbridge: stdin: document 1 \(starting at line 1\): invalid JSON: .+$/,
  },
  {
    name: 'truncated JSON',
    stdin: '{"kind": "Secret", "metadata": {"name": "x"}',
    message:
      /^sealbridge: stdin: invalid JSON at line 1, column \d+: unexpected end of input \(truncated\?\)$/,
  },
  {
    name: 'a kind other than Secret',
    stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
    message: /^sealbridge: stdin: document 1: expected a v1 Secret, got v1\/ConfigMap$/,
  },
  {
    name: 'invalid base64 in data',
    stdin: 'kind: Secret\nmetadata: {name: x, namespace: n}\ndata: {pw: "CANARY!!"}\n',
    message: /^sealbridge: stdin: document 1: data\.pw of Secret x is not valid base64$/,
  },
  {
    name: 'a missing name',
    stdin: 'kind: Secret\nmetadata: {namespace: n}\nstringData: {a: b}\n',
    message: /^sealbridge: stdin: document 1: Secret has no metadata\.name$/,
  },
  {
    name: 'a namespace that conflicts with --namespace',
    stdin: good,
    args: ['--namespace', 'other'],
    message:
      /^sealbridge: stdin: document 1: Secret db is in namespace "team-a" but --namespace says "other"$/,
  },
  {
    name: 'no namespace at all under strict scope',
    stdin: 'kind: Secret\nmetadata: {name: x}\nstringData: {a: b}\n',
    message:
      /^sealbridge: stdin: document 1: Secret x has no namespace; strict scope binds .* \(seal does not read a kubeconfig\)$/,
  },
  {
    name: 'empty data',
    stdin: 'kind: Secret\nmetadata: {name: x, namespace: n}\n',
    message:
      /^sealbridge: stdin: document 1: Secret x has no data or stringData \(pass --allow-empty-data to seal it anyway\)$/,
  },
  {
    name: 'an error in the second document',
    stdin: `${good}---\nkind: Secret\nmetadata: {}\n`,
    message: /^sealbridge: stdin: document 2: Secret has no metadata\.name$/,
  },
  { name: 'no input', stdin: '', message: /^sealbridge: stdin: no Secret found in the input$/ },
];

const certCases: Case[] = [
  {
    name: 'a garbage certificate',
    stdin: good,
    args: ['--cert', fixturePath('cert-garbage.pem')],
    message: /^sealbridge: .*cert-garbage\.pem: not a certificate: no PEM certificate found$/,
  },
  {
    name: 'a private key instead of a certificate',
    stdin: good,
    args: ['--cert', fixturePath('key-a.pem')],
    message:
      /^sealbridge: .*key-a\.pem: not a certificate: found a PEM RSA PRIVATE KEY, not a CERTIFICATE$/,
  },
  {
    name: 'a non-RSA certificate',
    stdin: good,
    args: ['--cert', fixturePath('cert-ec.pem')],
    message: /^sealbridge: .*cert-ec\.pem: certificate has a ec key; sealing needs RSA$/,
  },
  {
    name: 'an expired certificate',
    stdin: good,
    args: ['--cert', fixturePath('cert-expired.pem')],
    message:
      /^sealbridge: .*cert-expired\.pem: certificate expired on 2020-01-31T00:00:00\.000Z; fetch the controller's current certificate$/,
  },
  {
    name: 'a missing certificate file',
    stdin: good,
    args: ['--cert', '/nonexistent/cert.pem'],
    message: /^sealbridge: cannot read certificate \/nonexistent\/cert\.pem: ENOENT$/,
  },
];

function expectOneLine(
  res: { code: number; stdout: string; stderr: string },
  message: RegExp,
): void {
  expect(res.code).not.toBe(0);
  expect(res.stdout).toBe('');
  expect(res.stderr.endsWith('\n')).toBe(true);
  expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(res.stderr.trimEnd()).toMatch(message);
  expect(res.stderr).not.toContain('CANARY');
}

describe('seal: bad input', () => {
  let dir = '';
  let target = '';
  const before = 'previous content\n';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-err-'));
    target = join(dir, 'sealed.yaml');
  });

  it.each([...inputCases, ...certCases])(
    '$name: one line on stderr, exit 1, -w file untouched',
    async (c) => {
      writeFileSync(target, before);
      const args =
        c.args?.includes('--cert') === true ? [...c.args] : ['--cert', cert, ...(c.args ?? [])];
      const res = await runCli(['seal', ...args, '-w', target], { stdin: c.stdin });
      expectOneLine(res, c.message);
      expect(readFileSync(target, 'utf8')).toBe(before);
      expect(readdirSync(dir)).toEqual(['sealed.yaml']); // no temp files left behind
    },
  );

  it('refuses a missing certificate setting', async () => {
    expectOneLine(
      await runCli(['seal'], { stdin: good }),
      /^sealbridge: no sealing certificate: pass --cert FILE\|URL or set SEALBRIDGE_CERT$/,
    );
  });

  it('refuses a bad --scope and conflicting flags', async () => {
    const bad = await runCli(['seal', '--cert', cert, '--scope', 'global'], { stdin: good });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/argument 'global' is invalid/);
    for (const [args, msg] of [
      [['--raw', '--merge-into', 'x'], /--raw and --merge-into cannot be used together/],
      [['--from-file', 'x'], /--from-file needs --raw/],
      [['--name', 'x'], /--name is only used with --raw/],
      [['--merge-into', 'x', '-w', 'y'], /do not combine it with -w/],
      [['--raw'], /--raw with strict scope needs --namespace/],
      [['--raw', '-n', 'ns'], /--raw with strict scope needs --name/],
    ] as const) {
      expectOneLine(await runCli(['seal', '--cert', cert, ...args], { stdin: good }), msg);
    }
  });

  it('a failing write leaves no file', async () => {
    const res = await runCli(['seal', '--cert', cert, '-w', join(dir, 'missing-dir', 'out.yaml')], {
      stdin: good,
    });
    expectOneLine(res, /^sealbridge: cannot write .*out\.yaml: ENOENT$/);
    expect(existsSync(join(dir, 'missing-dir'))).toBe(false);
  });
});

describe('seal --merge-into: bad input leaves the file untouched', () => {
  const sealedFile = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-merge-err-'));
    const file = join(dir, 'sealed.yaml');
    writeFileSync(
      file,
      '# keep me\napiVersion: sealbridge.io/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\n  namespace: team-a\nspec:\n  encryptedData:\n    old: AgAAAA==\n',
    );
    return file;
  };

  it.each([
    ...inputCases.filter(
      (c) => !c.name.includes('empty') && !c.name.includes('strict') && !c.name.includes('second'),
    ),
    ...certCases,
  ])('$name', async (c) => {
    const file = sealedFile();
    const before = readFileSync(file, 'utf8');
    const args =
      c.args?.includes('--cert') === true ? [...c.args] : ['--cert', cert, ...(c.args ?? [])];
    const res = await runCli(['seal', ...args, '--merge-into', file], { stdin: c.stdin });
    expect(res.code).not.toBe(0);
    expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('refuses a merge target that is not a SealedSecret, or a namespace that differs from it', async () => {
    const file = sealedFile();
    const before = readFileSync(file, 'utf8');
    const other = good.replace('team-a', 'team-b');
    expectOneLine(
      await runCli(['seal', '--cert', cert, '--merge-into', file], { stdin: other }),
      /namespace "team-b" differs from "team-a" of SealedSecret team-a\/db$/,
    );
    expectOneLine(
      await runCli(['seal', '--cert', cert, '--merge-into', file, '--scope', 'cluster-wide'], {
        stdin: good,
      }),
      /--scope cluster-wide differs from the strict scope of SealedSecret team-a\/db$/,
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
    writeFileSync(file, good);
    expectOneLine(
      await runCli(['seal', '--cert', cert, '--merge-into', file], { stdin: good }),
      /expected a SealedSecret \(sealbridge\.io\/v1alpha1 or bitnami\.com\/v1alpha1\), got v1\/Secret$/,
    );
  });
});
