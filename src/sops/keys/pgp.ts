// OpenPGP master keys through openpgp: the enc field is an armored PGP message of the raw data
// key; `fp` is the recipient key's fingerprint. Keys come from the source as armored blocks;
// parsed keys are cached on the source because RSA key parsing is not free.
import * as openpgp from 'openpgp';
import { SealbridgeError } from '../../errors.ts';
import { fieldOf, type MasterKey } from '../metadata.ts';
import { rfc3339 } from '../metadata.ts';
import type { KeyContext, KeyService, WrapResult } from './registry.ts';
import type { KeySource } from './source.ts';

const CACHE_KEY = 'pgp-keys';

interface Keyring {
  readonly privateKeys: openpgp.PrivateKey[];
  readonly publicKeys: openpgp.Key[];
}

async function keyring(src: KeySource): Promise<Keyring> {
  const cached = src.cache.get(CACHE_KEY) as Promise<Keyring> | undefined;
  if (cached) return cached;
  const p = (async () => {
    const privateKeys: openpgp.PrivateKey[] = [];
    const publicKeys: openpgp.Key[] = [];
    const readBlock = async (block: string): Promise<void> => {
      if (!block.includes('PRIVATE KEY BLOCK')) {
        publicKeys.push(...(await openpgp.readKeys({ armoredKeys: block })));
        return;
      }
      for (const k of await openpgp.readPrivateKeys({ armoredKeys: block })) {
        if (k.isDecrypted()) privateKeys.push(k);
        publicKeys.push(k.toPublic());
      }
    };
    for (const block of src.pgpKeyBlocks()) {
      try {
        await readBlock(block);
      } catch (err) {
        throw new SealbridgeError('INVALID_PRIVATE_KEY', 'a PGP key block could not be read', {
          cause: err,
        });
      }
    }
    return { privateKeys, publicKeys };
  })();
  src.cache.set(CACHE_KEY, p);
  return p;
}

function normFp(fp: string): string {
  return fp.replace(/\s+/g, '').toUpperCase();
}

export function pgpKey(fingerprint: string): MasterKey {
  const fp = normFp(fingerprint);
  if (!/^[0-9A-F]{16,64}$/.test(fp)) {
    throw new SealbridgeError(
      'UNSUPPORTED_KEY',
      `not a PGP fingerprint: ${fingerprint.slice(0, 16)}`,
    );
  }
  return { type: 'pgp', fields: { fp, enc: '', created_at: '' } };
}

function matches(key: openpgp.Key, fp: string): boolean {
  const all = [key.getFingerprint(), ...key.getSubkeys().map((s) => s.getFingerprint())].map(
    normFp,
  );
  return all.some((f) => f === fp || f.endsWith(fp));
}

export class PgpKeyService implements KeyService {
  readonly type = 'pgp' as const;
  readonly name = 'PGP';

  async wrap(key: MasterKey, dataKey: Uint8Array, ctx: KeyContext): Promise<WrapResult> {
    const fp = normFp(fieldOf(key, 'fp'));
    const { publicKeys } = await keyring(ctx.keys);
    const pub = publicKeys.find((k) => matches(k, fp));
    if (pub === undefined) {
      throw new SealbridgeError(
        'NO_MATCHING_KEY',
        `no public key for PGP fingerprint ${fp} (give it with --pgp-key-file or SEALBRIDGE_PGP_KEY_FILE)`,
      );
    }
    // openpgp's declarations pull in stream types the linter cannot resolve; the result of an
    // armored encryption is a string.
    /* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment */
    const armored: unknown = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: dataKey }),
      encryptionKeys: pub,
      format: 'armored',
    });
    /* eslint-enable @typescript-eslint/no-unsafe-class-instance-assignment */
    if (typeof armored !== 'string')
      throw new SealbridgeError('INTERNAL', 'openpgp returned no armored text');
    return { enc: armored.trim(), fields: { created_at: rfc3339(ctx.now), fp } };
  }

  async unwrap(key: MasterKey, ctx: KeyContext): Promise<Uint8Array> {
    const { privateKeys } = await keyring(ctx.keys);
    if (privateKeys.length === 0) {
      throw new SealbridgeError(
        'NO_MATCHING_KEY',
        'no unprotected PGP private key available (give one with --pgp-key-file or SEALBRIDGE_PGP_KEY_FILE)',
      );
    }
    let message: openpgp.Message<Uint8Array>;
    try {
      message = await openpgp.readMessage({ armoredMessage: fieldOf(key, 'enc') });
    } catch (err) {
      throw new SealbridgeError(
        'CIPHERTEXT_MALFORMED',
        'the PGP enc field is not a valid armored message',
        { cause: err },
      );
    }
    try {
      // See wrap(): the binary result is a Uint8Array.
      const result: { data: unknown } = await openpgp.decrypt({
        message,
        decryptionKeys: privateKeys,
        format: 'binary',
      });
      if (!(result.data instanceof Uint8Array)) throw new Error('not binary');
      return result.data;
    } catch (err) {
      throw new SealbridgeError(
        'NO_MATCHING_KEY',
        `none of the ${privateKeys.length} PGP private keys opens it`,
        { cause: err },
      );
    }
  }
}
