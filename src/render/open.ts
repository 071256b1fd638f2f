// Opening one document for `render`:
//  - a SOPS-encrypted resource (top-level `sops` block): decrypted and MAC-verified over its own
//    text, as sops and Flux do; it must open, because its ciphertext is useless to a cluster;
//  - a SopsSecret: opened exactly as the controller opens it (canonical payload, MAC over the
//    payload), so what renders locally is what the cluster accepts;
//  - a SealedSecret (sealbridge.io or bitnami.com): unsealed with the --private-key keys;
//  - anything else: passed through untouched.
// A SopsSecret or SealedSecret the given keys cannot open is "undecryptable": passed through
// for the in-cluster controller (with a warning), or an error with --fail-on-undecryptable.
// Anything else that goes wrong (MAC mismatch, malformed input) is always an error.
import { isSealedSecretApiVersion, SEALED_SECRET_KIND } from '../api/group.ts';
import { validateSealedSecret } from '../api/sealed-secret.ts';
import { isSopsSecretObject, validateSopsSecret } from '../api/sops-secret.ts';
import { openSopsSecret } from '../controllers/sops-secret-open.ts';
import { renderSealedTemplateData } from '../controllers/sealed-secret-template.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { unsealSealedSecret } from '../crypto/unseal.ts';
import { SealbridgeError, isSealbridgeError, type ErrorCode } from '../errors.ts';
import { formatManifest } from '../manifest/format.ts';
import { isPlainObject, type UnknownObject } from '../manifest/types.ts';
import { decryptDocument, emitPlain } from '../sops/decrypt.ts';
import type { KeyServiceRegistry } from '../sops/keys/registry.ts';
import type { KeySource } from '../sops/keys/source.ts';
import type { KeyType } from '../sops/metadata.ts';
import { sopsBlockOf, type SplitDocument } from './split.ts';

export interface OpenOptions {
  readonly keys: KeySource;
  readonly registry: KeyServiceRegistry;
  readonly decryptionOrder?: readonly KeyType[] | undefined;
  /** SealedSecret private keys; undefined when none were given. */
  readonly keyring?: Keyring | undefined;
  /** Namespace for SopsSecrets and SealedSecrets that name none (their Secret's namespace). */
  readonly namespace?: string | undefined;
  readonly failOnUndecryptable?: boolean | undefined;
  readonly warn: (message: string) => void;
  readonly signal?: AbortSignal | undefined;
}

/** What a document became: YAML text, or the object (for ResourceList items). */
export type Opened =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'yaml'; readonly text: string }
  | { readonly kind: 'object'; readonly object: UnknownObject };

const NO_KEY: readonly ErrorCode[] = ['SOPS_DATA_KEY_UNAVAILABLE', 'NO_MATCHING_KEY'];

function label(obj: UnknownObject): string {
  const meta = isPlainObject(obj['metadata']) ? obj['metadata'] : {};
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : 'object';
  const name = typeof meta['name'] === 'string' ? meta['name'] : '(unnamed)';
  return `${kind} ${name}`;
}

/** The error with the document and object named once at the front. */
function located(where: string, obj: UnknownObject, err: unknown): unknown {
  if (!isSealbridgeError(err)) return err;
  let msg = err.message.startsWith(`${where}: `)
    ? err.message.slice(where.length + 2)
    : err.message;
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : '';
  if (kind === '' || !msg.startsWith(`${kind} `)) msg = `${label(obj)}: ${msg}`;
  return new SealbridgeError(err.code, `${where}: ${msg}`, { exitCode: err.exitCode });
}

function withNamespace(obj: UnknownObject, ns: string | undefined): UnknownObject {
  const meta = isPlainObject(obj['metadata']) ? obj['metadata'] : {};
  if (ns === undefined || ns === '' || typeof meta['namespace'] === 'string') return obj;
  return { ...obj, metadata: { ...meta, namespace: ns } };
}

function undecryptable(doc: SplitDocument, err: SealbridgeError, o: OpenOptions): Opened {
  const e = located(doc.where, doc.object, err) as SealbridgeError;
  if (o.failOnUndecryptable === true) throw e;
  o.warn(`${e.message}; passed through unchanged`);
  return { kind: 'unchanged' };
}

async function openSops(doc: SplitDocument, o: OpenOptions): Promise<Opened> {
  const text = doc.yaml ?? JSON.stringify(doc.object);
  const decrypted = await decryptDocument(text, {
    format: doc.yaml === undefined ? 'json' : 'yaml',
    keys: o.keys,
    registry: o.registry,
    file: doc.where,
    ...(o.decryptionOrder ? { decryptionOrder: o.decryptionOrder } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return { kind: 'yaml', text: emitPlain(decrypted, 'yaml').toString('utf8') };
}

async function openSopsSecretDoc(doc: SplitDocument, o: OpenOptions): Promise<Opened> {
  const ss = validateSopsSecret(withNamespace(doc.object, o.namespace), doc.where);
  const { secret } = await openSopsSecret(ss, {
    keys: o.keys,
    registry: o.registry,
    decryptionOrder: o.decryptionOrder,
    signal: o.signal,
  });
  return { kind: 'object', object: secret as unknown as UnknownObject };
}

function openSealed(doc: SplitDocument, o: OpenOptions): Opened {
  const ss = validateSealedSecret({
    object: withNamespace(doc.object, o.namespace),
    source: doc.source,
    index: doc.index,
    ...(doc.item === undefined ? {} : { item: doc.item }),
  });
  if (o.keyring === undefined || o.keyring.size === 0) {
    throw new SealbridgeError('NO_MATCHING_KEY', 'no sealing keys given (--private-key)');
  }
  const { secret } = unsealSealedSecret(ss, {
    keyring: o.keyring,
    renderTemplateData: renderSealedTemplateData,
  });
  return { kind: 'object', object: secret as unknown as UnknownObject };
}

function isSealedSecret(obj: UnknownObject): boolean {
  return obj['kind'] === SEALED_SECRET_KIND && isSealedSecretApiVersion(obj['apiVersion']);
}

/** Opens (or passes through) one document. */
export async function openDocument(doc: SplitDocument, o: OpenOptions): Promise<Opened> {
  const obj = doc.object;
  let opener: (() => Promise<Opened>) | undefined;
  let mayPass = false;
  if (isSopsSecretObject(obj)) {
    opener = () => openSopsSecretDoc(doc, o);
    mayPass = true;
  } else if (sopsBlockOf(obj) !== undefined) {
    opener = () => openSops(doc, o);
  } else if (isSealedSecret(obj)) {
    opener = () => Promise.resolve(openSealed(doc, o));
    mayPass = true;
  }
  if (opener === undefined) return { kind: 'unchanged' };
  try {
    return await opener();
  } catch (err) {
    if (mayPass && isSealbridgeError(err) && NO_KEY.includes(err.code)) {
      return undecryptable(doc, err, o);
    }
    throw located(doc.where, obj, err);
  }
}

/** The YAML text of an opened document (without a leading `---`). */
export function openedYaml(opened: Opened, doc: SplitDocument): string {
  if (opened.kind === 'yaml') return opened.text;
  if (opened.kind === 'object') return formatManifest(opened.object, 'yaml').replace(/^---\n/, '');
  return doc.yaml ?? formatManifest(doc.object, 'yaml').replace(/^---\n/, '');
}
