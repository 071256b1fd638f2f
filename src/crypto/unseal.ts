// SealedSecret → v1 Secret, as Bitnami's controller builds it: the label comes from the
// SealedSecret's own (top-level) scope annotations, namespace and name; `encryptedData` items are
// opened with the keyring; the template supplies metadata (name and namespace forced), type and
// immutable; the deprecated `spec.data` form holds the whole Secret as one ciphertext.
//
// `spec.template.data` holds Go templates. Rendering them is the template interpreter's job
// (src/template): callers pass it as `renderTemplateData`. Without one, values that contain no
// template action (`{{`) are used literally, which is exactly what Go would output; anything
// else is refused rather than half-done.
import { OWNERSHIP_ANNOTATIONS } from '../api/annotations.ts';
import { SEALED_SECRET_KIND } from '../api/group.ts';
import { sealedSecretRef, type SealedSecret } from '../api/sealed-secret.ts';
import { SealbridgeError } from '../errors.ts';
import { stripServerMetadata } from '../manifest/metadata.ts';
import { secretValues, validateSecret } from '../manifest/secret.ts';
import {
  isPlainObject,
  type ObjectMeta,
  type SecretManifest,
  type StringMap,
} from '../manifest/types.ts';
import type { Keyring } from './keyring.ts';
import { scopeFromAnnotations, scopeLabelText } from './scope.ts';

/**
 * Renders `spec.template.data` (item key → Go template) with the decrypted items as input and
 * returns the rendered items, which override decrypted items of the same name.
 */
export type TemplateDataRenderer = (
  templates: Readonly<StringMap>,
  values: ReadonlyMap<string, Buffer>,
) => ReadonlyMap<string, Uint8Array>;

export interface UnsealOptions {
  /** A Keyring, or anything with its open() (the controller passes values opened on worker threads). */
  readonly keyring: Pick<Keyring, 'open'>;
  /** Fingerprint of the key that opened this SealedSecret last time (status.keyFingerprint). */
  readonly hint?: string | undefined;
  /** The template interpreter for `spec.template.data`; see the module comment. */
  readonly renderTemplateData?: TemplateDataRenderer | undefined;
  /** Accept Bitnami's deprecated whole-Secret `spec.data` (Bitnami's default is true). */
  readonly acceptDeprecatedData?: boolean | undefined;
}

export interface UnsealResult {
  readonly secret: SecretManifest;
  /** The key that opened the first item: store it as the next hint. Undefined if nothing was sealed. */
  readonly keyFingerprint: string | undefined;
  /** Every distinct key that opened an item (more than one if items were sealed at different times). */
  readonly fingerprints: readonly string[];
  /** RSA private operations spent. */
  readonly attempts: number;
}

interface Opened {
  readonly values: Map<string, Buffer>;
  readonly fingerprints: string[];
  attempts: number;
}

function labelFor(ss: SealedSecret): { label: Buffer; text: string } {
  const scope = scopeFromAnnotations(ss.metadata.annotations);
  try {
    const text = scopeLabelText(scope, {
      namespace: ss.metadata.namespace,
      name: ss.metadata.name,
    });
    return { label: Buffer.from(text, 'utf8'), text };
  } catch {
    throw new SealbridgeError(
      'INVALID_INPUT',
      `SealedSecret ${ss.metadata.name} has no namespace, which its ${scope} scope needs to open it`,
    );
  }
}

function openItems(
  ss: SealedSecret,
  options: UnsealOptions,
  label: { label: Buffer; text: string },
): Opened {
  const opened: Opened = { values: new Map(), fingerprints: [], attempts: 0 };
  let hint = options.hint;
  const ref = sealedSecretRef(ss);
  for (const [key, value] of Object.entries(ss.spec.encryptedData ?? {}).sort(([a], [b]) =>
    a < b ? -1 : 1,
  )) {
    const item = `item "${key}" of SealedSecret ${ref}`;
    let result;
    try {
      result = options.keyring.open(value, label.label, { hint, item, labelText: label.text });
    } catch (err) {
      if (err instanceof SealbridgeError && err.code !== 'NO_MATCHING_KEY') {
        throw new SealbridgeError(err.code, `${item}: ${err.message}`, { cause: err });
      }
      throw err;
    }
    opened.values.set(key, result.plaintext);
    opened.attempts += result.attempts;
    if (!opened.fingerprints.includes(result.fingerprint))
      opened.fingerprints.push(result.fingerprint);
    hint = result.fingerprint; // items of one SealedSecret are usually sealed with one key
  }
  return opened;
}

function openDeprecatedData(
  ss: SealedSecret,
  options: UnsealOptions,
  label: { label: Buffer; text: string },
): {
  opened: Opened;
  secret: SecretManifest;
} {
  const ref = sealedSecretRef(ss);
  const result = options.keyring.open(ss.spec.data ?? '', label.label, {
    hint: options.hint,
    item: `spec.data of SealedSecret ${ref}`,
    labelText: label.text,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.plaintext.toString('utf8'));
  } catch (err) {
    throw new SealbridgeError(
      'INVALID_MANIFEST',
      `spec.data of SealedSecret ${ref} does not hold a Secret`,
      { cause: err },
    );
  }
  if (!isPlainObject(parsed)) {
    throw new SealbridgeError(
      'INVALID_MANIFEST',
      `spec.data of SealedSecret ${ref} does not hold a Secret`,
    );
  }
  const meta = isPlainObject(parsed['metadata']) ? parsed['metadata'] : {};
  const object = {
    apiVersion: 'v1',
    ...parsed,
    kind: 'Secret',
    metadata: { ...meta, name: ss.metadata.name },
  };
  const secret = validateSecret({ object, source: `spec.data of SealedSecret ${ref}`, index: 1 });
  return {
    secret,
    opened: {
      values: secretValues(secret),
      fingerprints: [result.fingerprint],
      attempts: result.attempts,
    },
  };
}

function renderTemplate(
  ss: SealedSecret,
  values: Map<string, Buffer>,
  options: UnsealOptions,
): void {
  const templates = ss.spec.template?.data;
  if (templates === undefined || Object.keys(templates).length === 0) return;
  if (options.renderTemplateData !== undefined) {
    for (const [key, value] of options.renderTemplateData(templates, values))
      values.set(key, Buffer.from(value));
    return;
  }
  const templated = Object.keys(templates).filter((k) => templates[k]?.includes('{{') === true);
  if (templated.length > 0) {
    throw new SealbridgeError(
      'TEMPLATE_EXEC',
      `SealedSecret ${sealedSecretRef(ss)}: spec.template.data ${templated.map((k) => `"${k}"`).join(', ')} uses templates, and no template renderer is available here`,
    );
  }
  for (const [key, text] of Object.entries(templates)) values.set(key, Buffer.from(text, 'utf8'));
}

function skipOwnerReference(annotations: StringMap | undefined): boolean {
  return Object.values(OWNERSHIP_ANNOTATIONS).some(
    (f) => annotations?.[f.skipSetOwnerReferences] === 'true',
  );
}

function outputMetadata(
  ss: SealedSecret,
  base: ObjectMeta | undefined,
): SecretManifest['metadata'] {
  const meta: SecretManifest['metadata'] = {
    ...stripServerMetadata(base ?? {}),
    name: ss.metadata.name,
  };
  delete meta.generateName;
  if (ss.metadata.namespace !== undefined) meta.namespace = ss.metadata.namespace;
  else delete meta.namespace;
  const uid = ss.metadata.uid;
  if (typeof uid === 'string' && uid !== '' && !skipOwnerReference(meta.annotations)) {
    meta.ownerReferences = [
      {
        apiVersion: ss.apiVersion,
        kind: SEALED_SECRET_KIND,
        name: ss.metadata.name,
        uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
  }
  return meta;
}

/** Opens a whole SealedSecret into the Secret the controller would write. */
export function unsealSealedSecret(ss: SealedSecret, options: UnsealOptions): UnsealResult {
  const label = labelFor(ss);
  const template = ss.spec.template;
  let opened: Opened;
  let base: SecretManifest | undefined;
  if (ss.spec.data !== undefined) {
    if (options.acceptDeprecatedData === false) {
      throw new SealbridgeError(
        'INVALID_INPUT',
        `SealedSecret ${sealedSecretRef(ss)} uses the deprecated spec.data form, which is turned off`,
      );
    }
    ({ opened, secret: base } = openDeprecatedData(ss, options, label));
  } else {
    opened = openItems(ss, options, label);
  }
  renderTemplate(ss, opened.values, options);
  const secret: SecretManifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: outputMetadata(ss, base?.metadata ?? template?.metadata),
  };
  const type = base?.type ?? template?.type;
  const immutable = base?.immutable ?? template?.immutable;
  if (type !== undefined) secret.type = type;
  if (immutable !== undefined) secret.immutable = immutable;
  const data: StringMap = {};
  for (const [key, value] of opened.values) data[key] = value.toString('base64');
  secret.data = data;
  return {
    secret,
    keyFingerprint: opened.fingerprints[0],
    fingerprints: opened.fingerprints,
    attempts: opened.attempts,
  };
}
