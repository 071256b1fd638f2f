// Re-encrypting a SealedSecret to the newest sealing key, for POST /v1/rotate (and through it
// `sealbridge reencrypt`). Values are opened on the worker pool and sealed again under the same
// scope label; the plaintext stays in this process and is wiped after use. Only ciphertexts
// change: values already sealed with the newest key are returned untouched (no churn in Git), and
// every other field of the object comes back exactly as it was sent.
import { createPublicKey } from 'node:crypto';
import { sealedSecretRef, type SealedSecret } from '../api/sealed-secret.ts';
import { sealValue } from '../crypto/hybrid.ts';
import { scopeFromAnnotations, scopeLabelText } from '../crypto/scope.ts';
import type { OpenBatchItem, ValueOpener } from '../crypto/worker-pool.ts';
import { SealbridgeError } from '../errors.ts';
import type { StoredKey } from '../keys/key-store.ts';
import { isPlainObject, type UnknownObject } from '../manifest/types.ts';

export interface RotateResult {
  readonly object: UnknownObject;
  /** Values sealed again, and values that already used the newest key. */
  readonly resealed: number;
  readonly unchanged: number;
}

export async function rotateSealedSecret(
  ss: SealedSecret,
  raw: UnknownObject,
  options: { readonly opener: ValueOpener; readonly newest: StoredKey | undefined },
): Promise<RotateResult> {
  const newest = options.newest;
  if (newest?.privateKey === undefined || newest.fingerprint === undefined) {
    throw new SealbridgeError('NO_MATCHING_KEY', 'the controller has no active sealing key', {
      retryable: true,
    });
  }
  const ref = sealedSecretRef(ss);
  const labelText = scopeLabelText(scopeFromAnnotations(ss.metadata.annotations), {
    namespace: ss.metadata.namespace,
    name: ss.metadata.name,
  });
  const label = Buffer.from(labelText, 'utf8');
  const deprecated = ss.spec.data !== undefined;
  const entries: [string, string][] = deprecated
    ? [['', ss.spec.data ?? '']]
    : Object.entries(ss.spec.encryptedData ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const items: OpenBatchItem[] = entries.map(([k, value]) => ({
    value,
    item: deprecated ? `spec.data of SealedSecret ${ref}` : `item "${k}" of SealedSecret ${ref}`,
  }));
  const opened = await options.opener.open({ items, label, labelText });
  if (opened.error !== undefined)
    throw new SealbridgeError(opened.error.code, opened.error.message);
  const publicKey = createPublicKey(newest.privateKey);
  const out: Record<string, string> = {};
  let resealed = 0;
  entries.forEach(([k, value], i) => {
    const o = opened.opened[i];
    if (o === undefined) return;
    if (o.fingerprint === newest.fingerprint) {
      out[k] = value;
    } else {
      out[k] = sealValue(o.plaintext, label, publicKey);
      resealed++;
    }
    o.plaintext.fill(0);
  });
  const spec = isPlainObject(raw['spec']) ? raw['spec'] : {};
  const nextSpec = deprecated
    ? { ...spec, data: out[''] }
    : {
        ...spec,
        encryptedData: {
          ...(isPlainObject(spec['encryptedData']) ? spec['encryptedData'] : {}),
          ...out,
        },
      };
  return { object: { ...raw, spec: nextSpec }, resealed, unchanged: entries.length - resealed };
}
