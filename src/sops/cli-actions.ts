// The `sealbridge sops` subcommands. Each one computes its whole output before writing anything,
// so a failure (wrong key, MAC mismatch, bad input) leaves files untouched; in-place and
// --output writes are atomic.
import { SealbridgeError } from '../errors.ts';
import {
  formats,
  keySource,
  keysFromFlags,
  loadConfig,
  readInput,
  registry,
  ruleFor,
  rulesFromFlags,
  storeOptions,
  thresholdFlag,
  type Input,
  type SopsFlags,
  type SopsIo,
} from './cli-setup.ts';
import { type DecryptedDocument } from './decrypt.ts';
import { encryptDocument } from './encrypt.ts';
import { describePath, getPath, parsePath, setPath, unsetPath } from './extract.ts';
import { storeFor, type SopsFormat } from './formats/index.ts';
import { parseJson } from './formats/json.ts';
import { TreeMap, type Value } from './tree.ts';

import { open, reseal, write } from './cli-common.ts';

export async function runEncrypt(
  file: string | undefined,
  flags: SopsFlags,
  io: SopsIo,
): Promise<void> {
  const input = await readInput(file, io);
  const fmt = formats(input, flags);
  const config = loadConfig(input, flags, io);
  const flagKeys = keysFromFlags(flags, io);
  const rule = flagKeys.length > 0 ? undefined : ruleFor(config, input, flags, io);
  const keyGroups = flagKeys.length > 0 ? [flagKeys] : (rule?.keyGroups ?? []);
  if (keyGroups.length === 0 || keyGroups.every((g) => g.length === 0)) {
    throw new SealbridgeError(
      'SOPS_NO_CREATION_RULE',
      `${input.label}: no keys to encrypt with: give --age/--pgp/… or add a creation rule to .sops.yaml`,
    );
  }
  const ruleCrypt = rule?.rules;
  const rules =
    rulesFromFlags(flags) ??
    (ruleCrypt && Object.keys(ruleCrypt).length > 0 ? ruleCrypt : undefined);
  const result = await encryptDocument(input.bytes, {
    format: fmt.input,
    outputFormat: fmt.output,
    keyGroups,
    shamirThreshold: thresholdFlag(flags) ?? rule?.shamirThreshold ?? 0,
    ...(rules ? { rules } : {}),
    macOnlyEncrypted: flags.macOnlyEncrypted === true || rule?.macOnlyEncrypted === true,
    keys: keySource(flags, io),
    registry: registry(io),
    storeOptions: storeOptions(config, flags),
    file: input.label,
    ...(io.clock ? { clock: io.clock } : {}),
  });
  write(result.output, input, flags, io);
}

export async function runDecrypt(
  file: string | undefined,
  flags: SopsFlags,
  io: SopsIo,
): Promise<void> {
  const input = await readInput(file, io);
  const fmt = formats(input, flags);
  const doc = await open(input, fmt.input, flags, io);
  if (doc.undecryptableComments > 0) {
    io.stderr.write(
      `sealbridge: warning: ${input.label}: ${doc.undecryptableComments} comment(s) could not be decrypted and were kept as they are\n`,
    );
  }
  const store = storeFor(fmt.output, storeOptions(loadConfig(input, flags, io), flags));
  let out: Buffer;
  if (flags.extract !== undefined) {
    const path = parsePath(flags.extract);
    let v: Value;
    try {
      v = getPath(doc.branches[0] ?? new TreeMap(), path);
    } catch (err) {
      throw new SealbridgeError(
        'SOPS_PATH_NOT_FOUND',
        `${input.label}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (typeof v === 'string') out = Buffer.from(v, 'utf8');
    else if (v instanceof TreeMap) out = store.emitPlain([v]);
    else out = store.emitValue(v);
  } else {
    out = store.emitPlain(doc.branches);
  }
  write(out, input, flags, io);
}

export interface SetFlags extends SopsFlags {
  readonly valueFile?: string;
  readonly valueStdin?: boolean;
  readonly idempotent?: boolean;
}

function parseValue(text: string): Value {
  try {
    return parseJson(`{"v":${text}}`, 'value').get('v') ?? null;
  } catch (err) {
    throw new SealbridgeError(
      'INVALID_JSON',
      `the value must be JSON (quote strings: '"text"'): ${(err as Error).message.replace(/^value: /, '')}`,
      { cause: err },
    );
  }
}

function sameValue(a: Value | undefined, b: Value): boolean {
  const em = (v: Value): string => storeFor('json').emitValue(v).toString();
  return a !== undefined && em(a) === em(b);
}

function rewrite(
  input: Input,
  doc: DecryptedDocument,
  fmt: SopsFormat,
  flags: SopsFlags,
  io: SopsIo,
): void {
  const sealed = reseal(
    doc,
    doc.metadata.keyGroups.map((g) => [...g]),
    doc.dataKey,
    io,
    { threshold: doc.metadata.shamirThreshold, reuseIvs: true },
  );
  const store = storeFor(fmt, storeOptions(loadConfig(input, flags, io), flags));
  write(store.emitEncrypted(sealed.branches, sealed.metadata), input, flags, io, true);
}

/** set: change one value and re-encrypt with the same data key (unchanged values keep their ciphertext). */
export async function runSet(
  file: string,
  pathExpr: string,
  valueText: string | undefined,
  flags: SetFlags,
  io: SopsIo,
): Promise<void> {
  const input = await readInput(file, io);
  const fmt = formats(input, flags);
  const path = parsePath(pathExpr);
  let raw = valueText;
  if (flags.valueFile !== undefined)
    raw = (await readInput(flags.valueFile, io)).bytes.toString('utf8');
  else if (flags.valueStdin === true) raw = (await readInput(undefined, io)).bytes.toString('utf8');
  if (raw === undefined)
    throw new SealbridgeError(
      'INVALID_FLAG',
      'set needs a value (argument, --value-file or --value-stdin)',
    );
  const value = parseValue(raw);
  const doc = await open(input, fmt.input, flags, io, true);
  const root = doc.branches[0] ?? new TreeMap();
  if (flags.idempotent === true) {
    let current: Value | undefined;
    try {
      current = getPath(root, path);
    } catch {
      current = undefined;
    }
    if (sameValue(current, value)) return;
  }
  setPath(root, path, value);
  rewrite(input, doc, fmt.input, flags, io);
}

/** unset: remove one value and re-encrypt with the same data key. */
export async function runUnset(
  file: string,
  pathExpr: string,
  flags: SetFlags,
  io: SopsIo,
): Promise<void> {
  const input = await readInput(file, io);
  const fmt = formats(input, flags);
  const path = parsePath(pathExpr);
  const doc = await open(input, fmt.input, flags, io, true);
  if (!unsetPath(doc.branches[0] ?? new TreeMap(), path)) {
    if (flags.idempotent === true) return;
    throw new SealbridgeError(
      'SOPS_PATH_NOT_FOUND',
      `${input.label}: ${describePath(path)} not found`,
    );
  }
  rewrite(input, doc, fmt.input, flags, io);
}
