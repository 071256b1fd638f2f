// The `keys generate` command's work. Output targets are checked before the (slow) key
// generation, and a failed second file removes the first, so nothing is left half-written.
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.ts';
import { buildKeySecret, TLS_CERT, TLS_KEY } from '../../src/crypto/key-secret.ts';
import { generateSealingKey } from '../../src/crypto/keygen.ts';
import { exportPrivateKeyPem, type PrivateKeyFormat } from '../../src/crypto/keys.ts';
import { SealbridgeError } from '../../src/errors.ts';
import { chooseFormat, formatManifest } from '../../src/manifest/format.ts';
import type { CliContext } from '../context.ts';
import { atomicWrite, resolvePath } from '../io.ts';
import type { KeysGenerateFlags } from '../commands/keys.ts';
import { access } from 'node:fs/promises';

interface Targets {
  readonly keyFile: string | undefined;
  readonly certFile: string | undefined;
}

function flagError(message: string): SealbridgeError {
  return new SealbridgeError('INVALID_FLAG', message);
}

function targets(ctx: CliContext, flags: KeysGenerateFlags): Targets {
  if (flags.outDir !== undefined && (flags.outKey !== undefined || flags.outCert !== undefined)) {
    throw flagError('use either --out-dir or --out-key/--out-cert');
  }
  if (flags.outDir !== undefined) {
    const dir = resolvePath(ctx, flags.outDir);
    return { keyFile: join(dir, TLS_KEY), certFile: join(dir, TLS_CERT) };
  }
  if ((flags.outKey === undefined) !== (flags.outCert === undefined)) {
    throw flagError(
      'give both --out-key and --out-cert (seal needs the certificate, unseal the key)',
    );
  }
  return {
    keyFile: flags.outKey === undefined ? undefined : resolvePath(ctx, flags.outKey),
    certFile: flags.outCert === undefined ? undefined : resolvePath(ctx, flags.outCert),
  };
}

async function refuseExisting(
  paths: readonly (string | undefined)[],
  force: boolean,
): Promise<void> {
  if (force) return;
  for (const path of paths) {
    if (path === undefined) continue;
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    if (exists)
      throw new SealbridgeError(
        'IO_ERROR',
        `refusing to overwrite existing file ${path} (use --force)`,
      );
  }
}

function checkFlags(flags: KeysGenerateFlags, t: Targets): void {
  const secret = flags.secret === true;
  if (!secret && t.keyFile === undefined) {
    throw flagError('say where the key goes: --out-key and --out-cert, --out-dir, or --secret');
  }
  if (secret && (flags.namespace ?? '') === '')
    throw flagError("--secret needs --namespace (the controller's namespace)");
  if (
    !secret &&
    (flags.namespace !== undefined ||
      flags.name !== undefined ||
      flags.write !== undefined ||
      flags.bitnamiLabel === true)
  ) {
    throw flagError('--namespace, --name, --bitnami-label and -w only apply with --secret');
  }
}

async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new SealbridgeError('IO_ERROR', `cannot create directory ${dir}: ${code}`, {
      cause: err,
    });
  }
}

async function writePemFiles(
  t: Targets,
  keyPem: string,
  certPem: string,
  force: boolean,
): Promise<void> {
  if (t.keyFile === undefined || t.certFile === undefined) return;
  await atomicWrite(t.keyFile, keyPem, { overwrite: force, mode: 0o600, forceMode: true });
  try {
    await atomicWrite(t.certFile, certPem, { overwrite: force, mode: 0o644 });
  } catch (err) {
    await unlink(t.keyFile).catch(() => undefined);
    throw err;
  }
}

export async function runKeysGenerate(ctx: CliContext, flags: KeysGenerateFlags): Promise<void> {
  const t = targets(ctx, flags);
  checkFlags(flags, t);
  const secretFile = flags.write === undefined ? undefined : resolvePath(ctx, flags.write);
  await refuseExisting([t.keyFile, t.certFile, secretFile], flags.force === true);
  const key = await generateSealingKey({
    clock: systemClock,
    commonName: flags.commonName,
    keyBits: Number(flags.keySize),
    validityDays: Number(flags.validityDays),
  });
  const keyPem = exportPrivateKeyPem(key.privateKey, flags.keyFormat as PrivateKeyFormat);
  let manifest: string | undefined;
  if (flags.secret === true) {
    const secret = buildKeySecret({
      namespace: flags.namespace ?? '',
      name: flags.name,
      privateKeyPem: key.privateKeyPem,
      certPem: key.certPem,
      bitnamiLabel: flags.bitnamiLabel === true,
    });
    manifest = formatManifest(secret, chooseFormat(flags.format, flags.write, 'yaml'));
  }
  if (flags.outDir !== undefined) await makeDir(resolvePath(ctx, flags.outDir));
  await writePemFiles(t, keyPem, key.certPem, flags.force === true);
  if (manifest !== undefined && secretFile !== undefined) {
    await atomicWrite(secretFile, manifest, {
      overwrite: flags.force === true,
      mode: 0o600,
      forceMode: true,
    });
  } else if (manifest !== undefined) {
    ctx.stdout.write(manifest);
  }
  const wrote = [t.keyFile, t.certFile, secretFile].filter((p): p is string => p !== undefined);
  ctx.stderr.write(
    `generated RSA-${flags.keySize} sealing key ${key.fingerprint}, certificate valid until ${key.notAfter.toISOString()}` +
      (wrote.length > 0 ? `; wrote ${wrote.join(', ')}` : '') +
      '\n',
  );
}
