// `seal --merge-into FILE`: seals new items for an existing SealedSecret (its name, namespace and
// scope, not the input Secret's) and adds or replaces them in `spec.encryptedData`, leaving the
// rest of the file alone. YAML is edited as a document, so comments and key order survive.
import type { KeyObject } from 'node:crypto';
import { isDocument, parseAllDocuments, type Document } from 'yaml';
import { sealedSecretRef, validateSealedSecret, type SealedSecret } from '../api/sealed-secret.ts';
import { SealbridgeError } from '../errors.ts';
import { looksLikeJson, parseManifests } from '../manifest/parse.ts';
import { isPlainObject, type KubeObject, type StringMap } from '../manifest/types.ts';
import { scopeFromAnnotations, scopeLabel } from './scope.ts';
import { sealItems } from './seal-secret.ts';

export interface MergeTarget {
  readonly source: string;
  readonly sealedSecret: SealedSecret;
  /** The object as read, so fields we do not model survive a JSON rewrite. */
  readonly raw: KubeObject;
  readonly format: 'json' | 'yaml';
  readonly yamlDocument: Document | undefined;
}

/** Parses the file to merge into; it must hold exactly one SealedSecret. */
export function readMergeTarget(text: string, source: string): MergeTarget {
  const docs = parseManifests(text, { source, expandLists: false });
  const first = docs[0];
  if (first === undefined || docs.length !== 1) {
    throw new SealbridgeError(
      'INVALID_MANIFEST',
      `${source}: --merge-into needs a file with exactly one SealedSecret, found ${docs.length} documents`,
    );
  }
  const sealedSecret = validateSealedSecret(first);
  if (sealedSecret.spec.data !== undefined) {
    throw new SealbridgeError(
      'INVALID_INPUT',
      `${source}: cannot merge into a SealedSecret that uses the deprecated spec.data`,
    );
  }
  const raw = first.object;
  if (looksLikeJson(text))
    return { source, sealedSecret, raw, format: 'json', yamlDocument: undefined };
  const yamlDocument = parseAllDocuments(text, { prettyErrors: false });
  const doc = Array.isArray(yamlDocument)
    ? yamlDocument.find((d) => d.contents !== null)
    : undefined;
  return {
    source,
    sealedSecret,
    raw,
    format: 'yaml',
    yamlDocument: doc && isDocument(doc) ? doc : undefined,
  };
}

/** Seals `values` for the target's scope, namespace and name. */
export function sealForTarget(
  target: MergeTarget,
  values: ReadonlyMap<string, Uint8Array>,
  publicKey: KeyObject,
): StringMap {
  const ss = target.sealedSecret;
  const scope = scopeFromAnnotations(ss.metadata.annotations);
  if (scope !== 'cluster-wide' && (ss.metadata.namespace ?? '') === '') {
    throw new SealbridgeError(
      'INVALID_INPUT',
      `${target.source}: SealedSecret ${ss.metadata.name} has no namespace, which its ${scope} scope needs`,
    );
  }
  const label = scopeLabel(scope, { namespace: ss.metadata.namespace, name: ss.metadata.name });
  return sealItems(values, label, publicKey);
}

/** The new file text with `items` added to or replacing entries of spec.encryptedData. */
export function mergeItems(target: MergeTarget, items: Readonly<StringMap>): string {
  if (target.format === 'yaml' && target.yamlDocument !== undefined) {
    const doc = target.yamlDocument;
    for (const [key, value] of Object.entries(items))
      doc.setIn(['spec', 'encryptedData', key], value);
    return doc.toString({ lineWidth: 0, minContentWidth: 0 });
  }
  const spec = isPlainObject(target.raw['spec']) ? target.raw['spec'] : {};
  const existing = isPlainObject(spec['encryptedData']) ? spec['encryptedData'] : {};
  const merged = { ...target.raw, spec: { ...spec, encryptedData: { ...existing, ...items } } };
  return `${JSON.stringify(merged, null, 2)}\n`;
}

export function describeTarget(target: MergeTarget): string {
  return `SealedSecret ${sealedSecretRef(target.sealedSecret)}`;
}
