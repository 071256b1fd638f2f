// Shared plumbing for the `sealbridge sops` commands: reading input (file or stdin), choosing
// formats, finding .sops.yaml, building the key source and the master keys from flags.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SopsEnvConfig } from '../config.ts';
import { SealbridgeError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { formatFromPath, isFormat, type SopsFormat, type StoreOptions } from './formats/index.ts';
import { ageKey } from './keys/age.ts';
import { defaultKeyServices } from './keys/defaults.ts';
import { cloudKeyOptionsFromEnv } from './keys/cloud-env.ts';
import { keySourceFromEnv } from './keys/env-source.ts';
import { pgpKey } from './keys/pgp.ts';
import type { KeyServiceRegistry } from './keys/registry.ts';
import type { KeySource } from './keys/source.ts';
import { KEY_TYPES, type KeyType, type MasterKey } from './metadata.ts';
import type { CryptRules } from './rules.ts';
import {
  findConfigFile,
  keysFromFlatFields,
  parseSopsConfig,
  selectRule,
  type CreationRule,
  type SopsConfig,
} from './sops-config.ts';

export interface SopsIo {
  readonly cwd: string;
  readonly env: SopsEnvConfig;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly clock?: Clock;
  readonly registry?: KeyServiceRegistry;
}

/** Flags shared by the sops subcommands (commander camel-cases them). */
export interface SopsFlags {
  readonly inPlace?: boolean;
  readonly output?: string;
  readonly inputType?: string;
  readonly outputType?: string;
  readonly ignoreMac?: boolean;
  readonly age?: string;
  readonly pgp?: string;
  readonly kms?: string;
  readonly awsProfile?: string;
  readonly gcpKms?: string;
  readonly hcVaultTransit?: string;
  readonly azureKv?: string;
  readonly encryptedRegex?: string;
  readonly unencryptedRegex?: string;
  readonly encryptedSuffix?: string;
  readonly unencryptedSuffix?: string;
  readonly encryptedCommentRegex?: string;
  readonly unencryptedCommentRegex?: string;
  readonly macOnlyEncrypted?: boolean;
  readonly shamirSecretSharingThreshold?: string;
  readonly config?: string;
  readonly filenameOverride?: string;
  readonly pgpKeyFile?: string[];
  readonly indent?: string;
  readonly extract?: string;
}

export interface Input {
  readonly bytes: Buffer;
  /** The file path, or undefined for stdin. */
  readonly path: string | undefined;
  /** The name used in messages. */
  readonly label: string;
}

export async function readInput(file: string | undefined, io: SopsIo): Promise<Input> {
  if (file === undefined || file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
    return { bytes: Buffer.concat(chunks), path: undefined, label: '(stdin)' };
  }
  const path = resolve(io.cwd, file);
  try {
    return { bytes: readFileSync(path), path, label: file };
  } catch (err) {
    throw new SealbridgeError(
      'IO_ERROR',
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: err },
    );
  }
}

function typeFlag(v: string | undefined, flag: string): SopsFormat | undefined {
  if (v === undefined) return undefined;
  const norm = v === 'env' ? 'dotenv' : v === 'yml' ? 'yaml' : v;
  if (!isFormat(norm))
    throw new SealbridgeError(
      'INVALID_FLAG',
      `${flag} must be one of yaml, json, dotenv, ini, binary (got ${v})`,
    );
  return norm;
}

export function formats(input: Input, flags: SopsFlags): { input: SopsFormat; output: SopsFormat } {
  const named = flags.filenameOverride ?? input.path;
  const inFormat =
    typeFlag(flags.inputType, '--input-type') ??
    (named !== undefined ? formatFromPath(named) : 'yaml');
  return { input: inFormat, output: typeFlag(flags.outputType, '--output-type') ?? inFormat };
}

export function loadConfig(input: Input, flags: SopsFlags, io: SopsIo): SopsConfig | undefined {
  let path = flags.config !== undefined ? resolve(io.cwd, flags.config) : undefined;
  if (path === undefined) {
    const named =
      flags.filenameOverride !== undefined ? resolve(io.cwd, flags.filenameOverride) : input.path;
    path = findConfigFile(named !== undefined ? dirname(named) : io.cwd, existsSync);
  }
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SealbridgeError(
      'IO_ERROR',
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: err },
    );
  }
  return parseSopsConfig(text, path);
}

export function ruleFor(
  config: SopsConfig | undefined,
  input: Input,
  flags: SopsFlags,
  io: SopsIo,
): CreationRule | undefined {
  if (config === undefined) return undefined;
  const named = flags.filenameOverride ?? input.path ?? resolve(io.cwd, 'stdin');
  return selectRule(config, resolve(io.cwd, named));
}

export function storeOptions(config: SopsConfig | undefined, flags: SopsFlags): StoreOptions {
  const base = config?.stores ?? {};
  if (flags.indent === undefined) return base;
  const n = Number(flags.indent);
  if (!Number.isInteger(n))
    throw new SealbridgeError('INVALID_FLAG', '--indent must be an integer');
  return { yamlIndent: n, jsonIndent: n };
}

export function keySource(flags: SopsFlags, io: SopsIo): KeySource {
  return keySourceFromEnv(
    io.env,
    (p) => readFileSync(resolve(io.cwd, p), 'utf8'),
    (flags.pgpKeyFile ?? []).map((f) => resolve(io.cwd, f)),
  );
}

export function registry(io: SopsIo): KeyServiceRegistry {
  return (
    io.registry ??
    defaultKeyServices(
      cloudKeyOptionsFromEnv(io.env.cloud, (p) => readFileSync(resolve(io.cwd, p), 'utf8')),
    )
  );
}

/** Master keys named by flags (or SOPS_AGE_RECIPIENTS / SOPS_PGP_FP); empty when none. */
export function keysFromFlags(flags: SopsFlags, io: SopsIo): MasterKey[] {
  const fields: Record<string, unknown> = {
    age: flags.age ?? io.env.ageRecipients,
    pgp: flags.pgp ?? io.env.pgpFingerprints,
    kms: flags.kms,
    aws_profile: flags.awsProfile,
    gcp_kms: flags.gcpKms,
    hc_vault_transit_uri: flags.hcVaultTransit,
    azure_keyvault: flags.azureKv,
  };
  return keysFromFlatFields(fields, 'command line');
}

export function rulesFromFlags(flags: SopsFlags): CryptRules | undefined {
  const r: Record<string, string> = {};
  const add = (k: string, v: string | undefined): void => {
    if (v !== undefined && v !== '') r[k] = v;
  };
  add('encryptedRegex', flags.encryptedRegex);
  add('unencryptedRegex', flags.unencryptedRegex);
  add('encryptedSuffix', flags.encryptedSuffix);
  add('unencryptedSuffix', flags.unencryptedSuffix);
  add('encryptedCommentRegex', flags.encryptedCommentRegex);
  add('unencryptedCommentRegex', flags.unencryptedCommentRegex);
  if (Object.keys(r).length > 1) {
    throw new SealbridgeError(
      'INVALID_FLAG',
      'only one of the --encrypted-*/--unencrypted-* rule flags may be given',
    );
  }
  return Object.keys(r).length === 0 ? undefined : r;
}

export function thresholdFlag(flags: SopsFlags): number | undefined {
  if (flags.shamirSecretSharingThreshold === undefined) return undefined;
  const n = Number(flags.shamirSecretSharingThreshold);
  if (!Number.isInteger(n) || n < 0)
    throw new SealbridgeError(
      'INVALID_FLAG',
      '--shamir-secret-sharing-threshold must be a non-negative integer',
    );
  return n;
}

export function decryptionOrder(io: Pick<SopsIo, 'env'>): KeyType[] | undefined {
  const raw = io.env.decryptionOrder;
  if (raw === undefined || raw.trim() === '') return undefined;
  const order = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const t of order) {
    if (!(KEY_TYPES as readonly string[]).includes(t)) {
      throw new SealbridgeError(
        'INVALID_FLAG',
        `SOPS_DECRYPTION_ORDER names an unknown key type: ${t}`,
      );
    }
  }
  return order as KeyType[];
}

export { ageKey, pgpKey };
