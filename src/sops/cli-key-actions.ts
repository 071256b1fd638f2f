// `sops rotate` (new data key) and `sops updatekeys` (re-wrap the existing data key for the
// .sops.yaml rule's key groups, no rotation).
import { SealbridgeError } from '../errors.ts';
import { systemClock } from '../clock.ts';
import { writeFileAtomic } from './atomic-write.ts';
import {
  decryptionOrder,
  formats,
  keySource,
  keysFromFlags,
  loadConfig,
  readInput,
  registry,
  ruleFor,
  storeOptions,
  type SopsFlags,
  type SopsIo,
} from './cli-setup.ts';
import { newDataKey, recoverDataKey, wrapDataKey } from './data-key.ts';
import { storeFor } from './formats/index.ts';
import { type SopsMetadata } from './metadata.ts';

import { identity, open, reseal, write } from './cli-common.ts';

export interface RotateFlags extends SopsFlags {
  readonly addAge?: string;
  readonly rmAge?: string;
  readonly addPgp?: string;
  readonly rmPgp?: string;
  readonly addKms?: string;
  readonly rmKms?: string;
  readonly addGcpKms?: string;
  readonly rmGcpKms?: string;
  readonly addHcVaultTransit?: string;
  readonly rmHcVaultTransit?: string;
}

export async function runRotate(
  file: string | undefined,
  flags: RotateFlags,
  io: SopsIo,
): Promise<void> {
  const input = await readInput(file, io);
  const fmt = formats(input, flags);
  const doc = await open(input, fmt.input, flags, io);
  const add = keysFromFlags(
    {
      age: flags.addAge ?? '',
      pgp: flags.addPgp ?? '',
      ...(flags.addKms ? { kms: flags.addKms } : {}),
      ...(flags.addGcpKms ? { gcpKms: flags.addGcpKms } : {}),
      ...(flags.addHcVaultTransit ? { hcVaultTransit: flags.addHcVaultTransit } : {}),
    },
    { ...io, env: { ...io.env, ageRecipients: undefined, pgpFingerprints: undefined } },
  );
  const rm = keysFromFlags(
    {
      age: flags.rmAge ?? '',
      pgp: flags.rmPgp ?? '',
      ...(flags.rmKms ? { kms: flags.rmKms } : {}),
      ...(flags.rmGcpKms ? { gcpKms: flags.rmGcpKms } : {}),
      ...(flags.rmHcVaultTransit ? { hcVaultTransit: flags.rmHcVaultTransit } : {}),
    },
    { ...io, env: { ...io.env, ageRecipients: undefined, pgpFingerprints: undefined } },
  );
  const rmIds = new Set(rm.map(identity));
  const groups = doc.metadata.keyGroups.map((g, i) => {
    const kept = g
      .filter((k) => !rmIds.has(identity(k)))
      .map((k) => ({ type: k.type, fields: { ...k.fields, enc: '' } }));
    return i === 0 ? [...kept, ...add] : kept;
  });
  const dataKey = newDataKey();
  const wrapped = await wrapDataKey(groups, dataKey, doc.metadata.shamirThreshold, {
    registry: registry(io),
    keys: keySource(flags, io),
    now: (io.clock ?? systemClock).now(),
  });
  const sealed = reseal(doc, wrapped, dataKey, io, {
    threshold: doc.metadata.shamirThreshold,
    reuseIvs: false,
  });
  const store = storeFor(fmt.output, storeOptions(loadConfig(input, flags, io), flags));
  write(store.emitEncrypted(sealed.branches, sealed.metadata), input, flags, io);
}

export interface UpdateKeysFlags extends SopsFlags {
  readonly yes?: boolean;
}

async function confirm(io: SopsIo): Promise<boolean> {
  io.stderr.write('Is this okay? (y/n): ');
  let text = '';
  for await (const c of io.stdin) {
    text += typeof c === 'string' ? c : c.toString('utf8');
    if (text.includes('\n')) break;
  }
  return /^\s*y(es)?\s*$/i.test(text.split('\n')[0] ?? '');
}

/** updatekeys: re-wrap the existing data key for the creation rule's key groups (no rotation). */
export async function runUpdateKeys(
  file: string,
  flags: UpdateKeysFlags,
  io: SopsIo,
): Promise<void> {
  const input = await readInput(file, io);
  const fmt = formats(input, flags);
  const config = loadConfig(input, flags, io);
  if (config === undefined)
    throw new SealbridgeError(
      'SOPS_CONFIG_INVALID',
      `${input.label}: no .sops.yaml found for updatekeys`,
    );
  const rule = ruleFor(config, input, flags, io);
  if (rule === undefined)
    throw new SealbridgeError('SOPS_NO_CREATION_RULE', `${input.label}: no creation rule`);
  const store = storeFor(fmt.input, storeOptions(config, flags));
  const loaded = store.loadEncrypted(input.bytes, input.label);
  const before = loaded.metadata.keyGroups.map((g) => g.map(identity).sort());
  const after = rule.keyGroups.map((g) => g.map(identity).sort());
  const threshold = rule.shamirThreshold;
  if (
    JSON.stringify(before) === JSON.stringify(after) &&
    threshold === loaded.metadata.shamirThreshold
  ) {
    io.stderr.write(`sealbridge: ${input.label}: already up to date\n`);
    return;
  }
  const oldIds = new Set(before.flat());
  const newIds = new Set(after.flat());
  for (const id of newIds) if (!oldIds.has(id)) io.stderr.write(`+++ ${id.split('|')[0]}\n`);
  for (const id of oldIds) if (!newIds.has(id)) io.stderr.write(`--- ${id.split('|')[0]}\n`);
  if (flags.yes !== true && !(await confirm(io))) {
    throw new SealbridgeError(
      'INVALID_INPUT',
      `${input.label}: updatekeys not confirmed; nothing written (use -y to skip the question)`,
    );
  }
  const opts = {
    registry: registry(io),
    keys: keySource(flags, io),
    now: (io.clock ?? systemClock).now(),
  };
  const order = decryptionOrder(io);
  const dataKey = await recoverDataKey(loaded.metadata, {
    ...opts,
    ...(order ? { decryptionOrder: order } : {}),
  });
  const groups = await wrapDataKey(rule.keyGroups, dataKey, threshold, opts);
  const metadata: SopsMetadata = {
    ...loaded.metadata,
    keyGroups: groups,
    shamirThreshold: groups.length > 1 ? threshold : 0,
  };
  if (input.path === undefined)
    throw new SealbridgeError('INVALID_FLAG', 'updatekeys needs a file');
  writeFileAtomic(input.path, store.emitEncrypted(loaded.branches, metadata));
  io.stderr.write(`sealbridge: ${input.label}: key groups updated\n`);
}
