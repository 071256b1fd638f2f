// The `unseal` command's work. All SealedSecrets are opened before anything is printed, so a
// failure never leaves half the Secrets on stdout or in the -w file.
import { validateSealedSecret } from '../../src/api/sealed-secret.ts';
import { keysFromText } from '../../src/crypto/key-files.ts';
import { Keyring, type KeyringKey } from '../../src/crypto/keyring.ts';
import { unsealSealedSecret } from '../../src/crypto/unseal.ts';
import { SealbridgeError } from '../../src/errors.ts';
import { chooseFormat, formatManifests } from '../../src/manifest/format.ts';
import { parseManifests } from '../../src/manifest/parse.ts';
import type { CliContext } from '../context.ts';
import { atomicWrite, readFileBytes, readInput, resolvePath } from '../io.ts';
import type { UnsealFlags } from '../commands/unseal.ts';

async function loadKeyring(ctx: CliContext, files: readonly string[]): Promise<Keyring> {
  const keys: KeyringKey[] = [];
  for (const file of files) {
    keys.push(...keysFromText((await readFileBytes(ctx, file)).toString('utf8'), file));
  }
  return new Keyring(keys);
}

export async function runUnseal(ctx: CliContext, flags: UnsealFlags): Promise<void> {
  const files = flags.privateKey ?? [];
  if (files.length === 0)
    throw new SealbridgeError('INVALID_FLAG', '--private-key needs at least one file');
  const keyring = await loadKeyring(ctx, files);
  const input = await readInput(ctx, flags.file);
  const docs = parseManifests(input.text, { source: input.source });
  if (docs.length === 0)
    throw new SealbridgeError(
      'INVALID_INPUT',
      `${input.source}: no SealedSecret found in the input`,
    );
  const secrets = docs.map(
    (doc) => unsealSealedSecret(validateSealedSecret(doc), { keyring }).secret,
  );
  const text = formatManifests(secrets, chooseFormat(flags.format, flags.output, 'yaml'));
  if (flags.output === undefined || flags.output === '-') ctx.stdout.write(text);
  else
    await atomicWrite(resolvePath(ctx, flags.output), text, {
      overwrite: true,
      mode: 0o600,
      forceMode: true,
    });
}
