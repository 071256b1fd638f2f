// age master keys through age-encryption: X25519 (age1…) and the post-quantum hybrid (age1pq1…).
// The enc field is an ASCII-armored age file whose payload is the data key (or Shamir part).
import { Decrypter, Encrypter, armor } from 'age-encryption';
import { SealbridgeError } from '../../errors.ts';
import { fieldOf, type MasterKey } from '../metadata.ts';
import type { KeyContext, KeyService, WrapResult } from './registry.ts';

export function ageKey(recipient: string): MasterKey {
  const r = recipient.trim();
  if (r.startsWith('ssh-')) {
    throw new SealbridgeError(
      'UNSUPPORTED_KEY',
      'SSH keys as age recipients are not supported by this build; use an age1… recipient',
    );
  }
  if (!/^age1[0-9a-z]+$/.test(r)) {
    throw new SealbridgeError('UNSUPPORTED_KEY', `not an age recipient: ${r.slice(0, 12)}…`);
  }
  return { type: 'age', fields: { recipient: r, enc: '' } };
}

export class AgeKeyService implements KeyService {
  readonly type = 'age' as const;
  readonly name = 'age';

  async wrap(key: MasterKey, dataKey: Uint8Array): Promise<WrapResult> {
    const recipient = fieldOf(key, 'recipient');
    const e = new Encrypter();
    try {
      e.addRecipient(recipient);
    } catch (err) {
      throw new SealbridgeError(
        'UNSUPPORTED_KEY',
        `age recipient ${recipient.slice(0, 16)}… is not supported: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return { enc: armor.encode(await e.encrypt(dataKey)) };
  }

  async unwrap(key: MasterKey, ctx: KeyContext): Promise<Uint8Array> {
    const identities = ctx.keys.ageIdentities();
    if (identities.length === 0) {
      throw new SealbridgeError(
        'NO_MATCHING_KEY',
        'no age identity available (set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE, or create keys.txt)',
      );
    }
    let file: Uint8Array;
    try {
      file = armor.decode(fieldOf(key, 'enc'));
    } catch (err) {
      throw new SealbridgeError(
        'CIPHERTEXT_MALFORMED',
        'the age enc field is not a valid armored age file',
        { cause: err },
      );
    }
    const d = new Decrypter();
    for (const id of identities) d.addIdentity(id);
    try {
      return await d.decrypt(file);
    } catch (err) {
      throw new SealbridgeError(
        'NO_MATCHING_KEY',
        `none of the ${identities.length} age identities opens it`,
        { cause: err },
      );
    }
  }
}
