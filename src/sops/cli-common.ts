// Helpers shared by the sops subcommands: opening an encrypted input, writing output (stdout,
// --output or in place, atomically), re-sealing with a data key, master-key identity.
import { resolve } from 'node:path';
import { SealbridgeError } from '../errors.ts';
import { writeFileAtomic } from './atomic-write.ts';
import {
  decryptionOrder,
  keySource,
  loadConfig,
  registry,
  storeOptions,
  type Input,
  type SopsFlags,
  type SopsIo,
} from './cli-setup.ts';
import { decryptDocument, type DecryptedDocument } from './decrypt.ts';
import { sealBranches } from './encrypt.ts';
import { type SopsFormat } from './formats/index.ts';
import { keyLabel, type MasterKey, type SopsMetadata } from './metadata.ts';

export function write(
  data: Buffer,
  input: Input,
  flags: SopsFlags,
  io: SopsIo,
  inPlaceDefault = false,
): void {
  if (flags.inPlace === true && flags.output !== undefined) {
    throw new SealbridgeError('INVALID_FLAG', '--in-place and --output cannot be used together');
  }
  if (flags.output !== undefined) {
    writeFileAtomic(resolve(io.cwd, flags.output), data);
    return;
  }
  if (flags.inPlace === true || inPlaceDefault) {
    if (input.path === undefined)
      throw new SealbridgeError('INVALID_FLAG', '--in-place needs a file, not stdin');
    writeFileAtomic(input.path, data);
    return;
  }
  io.stdout.write(data);
}

export async function open(
  input: Input,
  fmt: SopsFormat,
  flags: SopsFlags,
  io: SopsIo,
  keepIvs = false,
): Promise<DecryptedDocument> {
  const config = loadConfig(input, flags, io);
  const order = decryptionOrder(io);
  return decryptDocument(input.bytes, {
    format: fmt,
    keys: keySource(flags, io),
    registry: registry(io),
    ignoreMac: flags.ignoreMac === true,
    keepIvs,
    file: input.label,
    storeOptions: storeOptions(config, flags),
    ...(order ? { decryptionOrder: order } : {}),
    ...(io.clock ? { clock: io.clock } : {}),
  });
}

export function reseal(
  doc: DecryptedDocument,
  groups: MasterKey[][],
  dataKey: Uint8Array,
  io: SopsIo,
  opts: { threshold: number; reuseIvs: boolean },
): { branches: DecryptedDocument['branches']; metadata: SopsMetadata } {
  return sealBranches(
    doc.branches,
    dataKey,
    {
      keyGroups: groups,
      shamirThreshold: groups.length > 1 ? opts.threshold : 0,
      rules: doc.metadata.rules,
      macOnlyEncrypted: doc.metadata.macOnlyEncrypted,
    },
    { ...(io.clock ? { clock: io.clock } : {}), ...(opts.reuseIvs ? { stash: doc.stash } : {}) },
  );
}

export function identity(k: MasterKey): string {
  return (
    keyLabel(k) +
    '|' +
    JSON.stringify(
      Object.entries(k.fields)
        .filter(([n]) => !['enc', 'created_at'].includes(n))
        .sort(),
    )
  );
}

/** rotate: a new data key for the same (or --add/--rm adjusted) master keys. */
