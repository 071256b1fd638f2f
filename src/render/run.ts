// The `sealbridge render` command's work: keys from the environment as sops finds them (age,
// PGP key files, cloud key services) plus --private-key sealing keys; then one of three modes:
//  - paths / stdin → a YAML stream on stdout;
//  - a ResourceList on stdin → a ResourceList on stdout (kustomize KRM exec function);
//  - --generator CONFIG → the config's files rendered (kustomize legacy exec plugin, KSOPS-style).
// Output is written only once everything rendered.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import type { Env } from '../config.ts';
import { renderEnvConfig, sopsEnvConfig } from '../config.ts';
import { keysFromText } from '../crypto/key-files.ts';
import { Keyring, type KeyringKey } from '../crypto/keyring.ts';
import { SealbridgeError } from '../errors.ts';
import { decryptionOrder } from '../sops/cli-setup.ts';
import { cloudKeyOptionsFromEnv } from '../sops/keys/cloud-env.ts';
import { defaultKeyServices } from '../sops/keys/defaults.ts';
import { keySourceFromEnv } from '../sops/keys/env-source.ts';
import { collectInputs } from './inputs.ts';
import {
  generatorInputs,
  isResourceList,
  parseGeneratorConfig,
  renderResourceList,
} from './krm.ts';
import type { OpenOptions } from './open.ts';
import { renderToYaml } from './render.ts';

export interface RenderFlags {
  readonly privateKey?: readonly string[];
  readonly pgpKeyFile?: readonly string[];
  readonly namespace?: string;
  readonly failOnUndecryptable?: boolean;
  readonly generator?: string;
}

export interface RenderIo {
  readonly cwd: string;
  readonly env: Env;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c) : Buffer.from(c as Uint8Array);
    size += b.length;
    if (size > 64 * 1024 * 1024)
      throw new SealbridgeError('IO_ERROR', 'stdin: input is larger than 64 MiB');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function readFile(io: RenderIo, path: string, what: string): string {
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (err) {
    throw new SealbridgeError(
      'IO_ERROR',
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

function options(flags: RenderFlags, io: RenderIo): OpenOptions {
  const cfg = sopsEnvConfig(io.env);
  const read = (p: string): string => readFileSync(resolve(io.cwd, p), 'utf8');
  const keys = keySourceFromEnv(
    cfg,
    read,
    (flags.pgpKeyFile ?? []).map((f) => resolve(io.cwd, f)),
  );
  const sealing: KeyringKey[] = [];
  for (const f of flags.privateKey ?? [])
    sealing.push(...keysFromText(readFile(io, f, 'private key file'), f));
  const order = decryptionOrder({ env: cfg });
  const namespace = flags.namespace ?? renderEnvConfig(io.env).argocdAppNamespace;
  return {
    keys,
    registry: defaultKeyServices(cloudKeyOptionsFromEnv(cfg.cloud, read)),
    ...(order === undefined ? {} : { decryptionOrder: order }),
    ...(sealing.length === 0 ? {} : { keyring: new Keyring(sealing) }),
    ...(namespace === undefined ? {} : { namespace }),
    failOnUndecryptable: flags.failOnUndecryptable === true,
    warn: (m) => io.stderr.write(`sealbridge: warning: ${m}\n`),
  };
}

function firstDocument(text: string): unknown {
  try {
    return parseYaml(text.split(/^---\s*$/m).find((d) => d.trim() !== '') ?? '');
  } catch {
    return undefined;
  }
}

export async function runRender(
  paths: readonly string[],
  flags: RenderFlags,
  io: RenderIo,
): Promise<void> {
  const o = options(flags, io);
  const read = (p: string): string => readFile(io, p, 'file');
  if (flags.generator !== undefined) {
    if (paths.length > 0)
      throw new SealbridgeError(
        'INVALID_FLAG',
        '--generator takes no paths: the config lists the files',
      );
    const config = parseGeneratorConfig(
      parseYaml(read(flags.generator)) as unknown,
      flags.generator,
    );
    const out = await renderToYaml(
      generatorInputs(config, io.cwd, (p) => readFile(io, p, 'file')),
      {
        ...o,
        ...(config.failOnUndecryptable === undefined
          ? {}
          : { failOnUndecryptable: config.failOnUndecryptable }),
        ...(config.namespace === undefined ? {} : { namespace: config.namespace }),
      },
    );
    io.stdout.write(out);
    return;
  }
  let stdinText: string | undefined;
  const stdin = async (): Promise<string> => (stdinText ??= await readStream(io.stdin));
  if (paths.length === 0 || (paths.length === 1 && paths[0] === '-')) {
    const text = await stdin();
    const first = firstDocument(text);
    if (isResourceList(first)) {
      const list = await renderResourceList(first, o, {
        root: io.cwd,
        read: (p) => readFile(io, p, 'file'),
      });
      io.stdout.write(stringify(list, { lineWidth: 0, aliasDuplicateObjects: false }));
      return;
    }
  }
  const inputs = await collectInputs(paths, io.cwd, stdin);
  io.stdout.write(await renderToYaml(inputs, o));
}
