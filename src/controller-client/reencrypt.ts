// `sealbridge reencrypt`: rewrites SealedSecrets in files to the controller's newest key through
// POST /v1/rotate, so no plaintext ever leaves the cluster. Only ciphertexts change: each old value
// is replaced by its new one in the file's own text, so comments, key order, quoting and
// indentation stay exactly as they were. Should a value not appear verbatim (a YAML scalar folded
// over lines), the YAML is edited as a document instead, which keeps comments.
import { isScalar, parseAllDocuments, visit } from 'yaml';
import { isSealedSecretApiVersion, SEALED_SECRET_KIND } from '../api/group.ts';
import { validateSealedSecret } from '../api/sealed-secret.ts';
import { SealbridgeError } from '../errors.ts';
import { looksLikeJson, parseManifests } from '../manifest/parse.ts';
import { isPlainObject, type UnknownObject } from '../manifest/types.ts';

export interface Rewrite {
  readonly text: string;
  /** SealedSecrets found, values re-sealed, and values that already used the newest key. */
  readonly objects: number;
  readonly resealed: number;
  readonly current: number;
}

export type Rotator = (json: string) => Promise<UnknownObject>;

function values(obj: UnknownObject): Map<string, string> {
  const out = new Map<string, string>();
  const spec = isPlainObject(obj['spec']) ? obj['spec'] : {};
  const enc = isPlainObject(spec['encryptedData']) ? spec['encryptedData'] : {};
  for (const [k, v] of Object.entries(enc)) if (typeof v === 'string') out.set(`item:${k}`, v);
  if (typeof spec['data'] === 'string') out.set('data', spec['data']);
  return out;
}

function replaceStructurally(
  text: string,
  pairs: ReadonlyMap<string, string>,
  source: string,
): string {
  if (looksLikeJson(text)) {
    throw new SealbridgeError(
      'INVALID_INPUT',
      `${source}: a value to replace was not found verbatim`,
    );
  }
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs))
    throw new SealbridgeError('INVALID_YAML', `${source}: cannot edit the YAML`);
  for (const doc of docs) {
    visit(doc, {
      Scalar(_key, node) {
        if (isScalar(node) && typeof node.value === 'string') {
          const next = pairs.get(node.value.replace(/\s+/g, ''));
          if (next !== undefined) node.value = next;
        }
      },
    });
  }
  return docs.map((d) => d.toString()).join('');
}

/** Re-encrypts every SealedSecret in `text`; other documents are left alone. */
export async function reencryptText(
  text: string,
  source: string,
  rotate: Rotator,
): Promise<Rewrite> {
  const docs = parseManifests(text, { source });
  const pairs = new Map<string, string>();
  let objects = 0;
  let current = 0;
  for (const doc of docs) {
    if (
      doc.object['kind'] !== SEALED_SECRET_KIND ||
      !isSealedSecretApiVersion(doc.object['apiVersion'])
    )
      continue;
    validateSealedSecret(doc);
    objects++;
    const before = values(doc.object);
    const after = values(await rotate(JSON.stringify(doc.object)));
    for (const [k, old] of before) {
      const next = after.get(k);
      if (next === undefined) {
        throw new SealbridgeError(
          'ROTATION_FAILED',
          `${source}: the controller's answer lacks ${k}`,
        );
      }
      if (next === old) current++;
      else pairs.set(old.replace(/\s+/g, ''), next);
    }
  }
  let out = text;
  let verbatim = true;
  for (const [old, next] of pairs) {
    if (!out.includes(old)) {
      verbatim = false;
      continue;
    }
    out = out.split(old).join(next);
  }
  if (!verbatim) out = replaceStructurally(out, pairs, source);
  return { text: out, objects, resealed: pairs.size, current };
}
