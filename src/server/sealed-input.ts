// Reading the SealedSecret a client POSTs to /v1/verify or /v1/rotate (JSON or YAML, exactly one
// object). Bad input is a 400 with a one-line reason; nothing in it can be a secret value, since
// the body holds only ciphertext.
import { validateSealedSecret, type SealedSecret } from '../api/sealed-secret.ts';
import { SealbridgeError } from '../errors.ts';
import { parseManifests } from '../manifest/parse.ts';
import type { UnknownObject } from '../manifest/types.ts';

export interface SealedInput {
  readonly sealedSecret: SealedSecret;
  /** The object as sent, so a rotate answer keeps every field the client had. */
  readonly raw: UnknownObject;
}

export function readSealedInput(body: Buffer): SealedInput {
  const text = body.toString('utf8');
  const docs = parseManifests(text, { source: 'request body', expandLists: false });
  const first = docs[0];
  if (first === undefined || docs.length !== 1) {
    throw new SealbridgeError(
      'INVALID_INPUT',
      `request body: expected exactly one SealedSecret, found ${docs.length} documents`,
    );
  }
  return { sealedSecret: validateSealedSecret(first), raw: first.object };
}
