// Private keys from files, for offline recovery: PEM keys (PKCS#1 or PKCS#8, several per file
// allowed), or key Secret backups in YAML or JSON, Bitnami's included, single or in a v1/List.
// A user who names a file wants its keys, so disabled (e.g. `compromised`) keys are used too.
import { SealbridgeError } from '../errors.ts';
import { parseManifests } from '../manifest/parse.ts';
import { describeDocument } from '../manifest/types.ts';
import { keySecretObjects, parseKeySecret, toKeyringKey } from './key-secret.ts';
import { keyringKey, type KeyringKey } from './keyring.ts';
import { parsePrivateKeyPem } from './keys.ts';

const PEM_KEY_BLOCK =
  /-----BEGIN (?:RSA |ENCRYPTED |EC |)PRIVATE KEY-----[\s\S]*?-----END (?:RSA |ENCRYPTED |EC |)PRIVATE KEY-----/g;

function pemKeys(text: string, source: string): KeyringKey[] {
  const blocks = text.match(PEM_KEY_BLOCK) ?? [];
  return blocks.map((block, i) =>
    keyringKey(
      parsePrivateKeyPem(block, blocks.length === 1 ? source : `${source} (key ${i + 1})`),
      { source },
    ),
  );
}

function secretKeys(text: string, source: string): KeyringKey[] {
  const keys: KeyringKey[] = [];
  for (const doc of parseManifests(text, { source, expandLists: false })) {
    const objects = keySecretObjects(doc.object);
    objects.forEach((obj, i) => {
      const where = describeDocument(
        objects.length === 1 && obj === doc.object ? doc : { ...doc, item: i + 1 },
      );
      keys.push({ ...toKeyringKey(parseKeySecret(obj, where)), source: where });
    });
  }
  return keys;
}

/** Every private key in one file's text. Throws when there is none. */
export function keysFromText(text: string, source: string): KeyringKey[] {
  const pemKind = /-----BEGIN ([A-Z ]+)-----/.exec(text)?.[1];
  const isManifest = /^\s*(apiVersion|kind|\{)/m.test(text);
  if (pemKind !== undefined && !pemKind.endsWith('PRIVATE KEY') && !isManifest) {
    throw new SealbridgeError(
      'INVALID_PRIVATE_KEY',
      `${source}: holds a PEM ${pemKind}, not a private key`,
    );
  }
  const keys =
    pemKind !== undefined && !isManifest ? pemKeys(text, source) : secretKeys(text, source);
  if (keys.length === 0) {
    throw new SealbridgeError(
      'INVALID_PRIVATE_KEY',
      `${source}: no private key found (expected PEM or a key Secret)`,
    );
  }
  return keys;
}
