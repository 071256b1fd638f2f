// Opening a whole SealedSecret in the controller: the RSA work runs on the worker pool (all values
// of the object in one batch, the status' keyFingerprint tried first), then the shared
// unsealSealedSecret (src/crypto/unseal.ts) builds the Secret from those results exactly as the
// CLI does: same label rules, template, metadata and typed errors. `spec.template.data` is
// rendered by the safe Go-template interpreter.
import { sealedSecretRef, type SealedSecret } from '../api/sealed-secret.ts';
import type { OpenResult } from '../crypto/keyring.ts';
import { scopeFromAnnotations, scopeLabelText } from '../crypto/scope.ts';
import { unsealSealedSecret, type UnsealResult } from '../crypto/unseal.ts';
import type { OpenBatchItem, ValueOpener } from '../crypto/worker-pool.ts';
import { SealbridgeError } from '../errors.ts';
import { renderSealedTemplateData } from './sealed-secret-template.ts';

export interface OpenSealedOptions {
  readonly opener: ValueOpener;
  /** Fingerprint to try first (status.keyFingerprint). */
  readonly hint?: string | undefined;
  readonly acceptDeprecatedData?: boolean | undefined;
}

type Outcome = OpenResult | SealbridgeError;

function items(ss: SealedSecret): OpenBatchItem[] {
  const ref = sealedSecretRef(ss);
  if (ss.spec.data !== undefined) {
    return [{ value: ss.spec.data, item: `spec.data of SealedSecret ${ref}` }];
  }
  return Object.entries(ss.spec.encryptedData ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => ({ value, item: `item "${key}" of SealedSecret ${ref}` }));
}

function labelOf(ss: SealedSecret): string | undefined {
  try {
    return scopeLabelText(scopeFromAnnotations(ss.metadata.annotations), {
      namespace: ss.metadata.namespace,
      name: ss.metadata.name,
    });
  } catch {
    return undefined; // unsealSealedSecret reports it with the right message
  }
}

/** Opens `ss` into the Secret the controller writes; throws the same typed errors as the CLI. */
export async function openSealedSecret(
  ss: SealedSecret,
  options: OpenSealedOptions,
): Promise<UnsealResult> {
  const labelText = labelOf(ss);
  const outcomes = new Map<string, Outcome>();
  const deprecatedOff = ss.spec.data !== undefined && options.acceptDeprecatedData === false;
  if (labelText !== undefined && !deprecatedOff) {
    const list = items(ss);
    const label = Buffer.from(labelText, 'utf8');
    const r = await options.opener.open({ items: list, label, labelText, hint: options.hint });
    r.opened.forEach((o, i) => {
      const value = list[i]?.value;
      if (value !== undefined) {
        outcomes.set(value, {
          plaintext: Buffer.from(
            o.plaintext.buffer,
            o.plaintext.byteOffset,
            o.plaintext.byteLength,
          ),
          fingerprint: o.fingerprint,
          attempts: o.attempts,
        });
      }
    });
    const failed = list[r.opened.length]?.value;
    if (r.error !== undefined && failed !== undefined) {
      outcomes.set(failed, new SealbridgeError(r.error.code, r.error.message));
    }
  }
  const keyring = {
    open(ciphertext: Uint8Array | string): OpenResult {
      const o = typeof ciphertext === 'string' ? outcomes.get(ciphertext) : undefined;
      if (o === undefined) {
        throw new SealbridgeError('INTERNAL', 'a sealed value was not opened in advance');
      }
      if (o instanceof SealbridgeError) throw o;
      return o;
    },
  };
  return unsealSealedSecret(ss, {
    keyring,
    hint: options.hint,
    acceptDeprecatedData: options.acceptDeprecatedData,
    renderTemplateData: renderSealedTemplateData,
  });
}
