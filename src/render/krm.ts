// kustomize integration.
//  - KRM function (`config.kubernetes.io/function: {exec: {path: …}}`, kustomize build
//    --enable-alpha-plugins --enable-exec): a ResourceList on stdin, a ResourceList on stdout.
//    `items` are transformed (SopsSecrets and SealedSecrets opened, SOPS-encrypted resources
//    decrypted); `functionConfig.files` are generated (read from disk and rendered), the KSOPS
//    use case.
//  - Legacy exec plugin (kustomize and `kubectl kustomize --enable-alpha-plugins`): kustomize runs
//    the plugin with the generator config's path; the files it lists are rendered to stdout.
// Generator files are read as written on disk, before kustomize transforms anything: a SOPS MAC
// covers the file as encrypted, and a namespace or label kustomize adds would break it. Paths are
// relative to the kustomization directory and may not leave it (kustomize's default load
// restriction).
import { isAbsolute, relative, resolve } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { SealbridgeError } from '../errors.ts';
import { isPlainObject, type UnknownObject } from '../manifest/types.ts';
import { openDocument, type OpenOptions, type Opened } from './open.ts';
import { renderInput, type RenderInput } from './render.ts';

export const RESOURCE_LIST_KIND = 'ResourceList';
const RESOURCE_LIST_VERSIONS = ['config.kubernetes.io/v1', 'config.kubernetes.io/v1alpha1'];
/** Annotations kustomize adds to items for its own bookkeeping; outside any SOPS MAC. */
const KUSTOMIZE_ANNOTATION = /^(internal\.)?config\.kubernetes\.io\//;
/** Of those, the ones that still describe an item after its kind changed. */
const KEEP_ON_REPLACE =
  /^config\.kubernetes\.io\/(path|index)$|^internal\.config\.kubernetes\.io\/(path|index)$/;

export interface GeneratorConfig {
  readonly files: readonly string[];
  readonly failOnUndecryptable?: boolean | undefined;
  readonly namespace?: string | undefined;
}

export function isResourceList(obj: unknown): obj is UnknownObject {
  return (
    isPlainObject(obj) &&
    obj['kind'] === RESOURCE_LIST_KIND &&
    RESOURCE_LIST_VERSIONS.includes(String(obj['apiVersion']))
  );
}

/** The generator config: `files` (required list), optional failOnUndecryptable and namespace. */
export function parseGeneratorConfig(obj: unknown, where: string): GeneratorConfig {
  if (!isPlainObject(obj)) throw new SealbridgeError('INVALID_INPUT', `${where}: not a mapping`);
  const files = obj['files'];
  if (!Array.isArray(files) || files.some((f) => typeof f !== 'string' || f === '')) {
    throw new SealbridgeError('INVALID_INPUT', `${where}: files must be a list of file paths`);
  }
  const fail = obj['failOnUndecryptable'];
  if (fail !== undefined && typeof fail !== 'boolean')
    throw new SealbridgeError(
      'INVALID_INPUT',
      `${where}: failOnUndecryptable must be true or false`,
    );
  const ns = obj['namespace'];
  if (ns !== undefined && typeof ns !== 'string')
    throw new SealbridgeError('INVALID_INPUT', `${where}: namespace must be a string`);
  return {
    files: files as string[],
    ...(fail === undefined ? {} : { failOnUndecryptable: fail }),
    ...(ns === undefined ? {} : { namespace: ns }),
  };
}

/** Reads the generator's files, refusing paths outside `root`. */
export function generatorInputs(
  config: GeneratorConfig,
  root: string,
  read: (path: string) => string,
): RenderInput[] {
  return config.files.map((f) => {
    const path = resolve(root, f);
    const rel = relative(root, path);
    if (isAbsolute(f) || rel.startsWith('..') || isAbsolute(rel)) {
      throw new SealbridgeError(
        'INVALID_INPUT',
        `generator file ${f} is outside the kustomization directory`,
      );
    }
    return { source: f, text: read(path) };
  });
}

function withAnnotations(obj: UnknownObject, extra: Record<string, string>): UnknownObject {
  if (Object.keys(extra).length === 0) return obj;
  const meta = isPlainObject(obj['metadata']) ? obj['metadata'] : {};
  const ann = isPlainObject(meta['annotations']) ? meta['annotations'] : {};
  return { ...obj, metadata: { ...meta, annotations: { ...ann, ...extra } } };
}

/** Splits kustomize's bookkeeping annotations off an item (restored on the way out). */
function strip(item: UnknownObject): { clean: UnknownObject; saved: Record<string, string> } {
  const meta = isPlainObject(item['metadata']) ? item['metadata'] : undefined;
  const ann =
    meta !== undefined && isPlainObject(meta['annotations']) ? meta['annotations'] : undefined;
  if (meta === undefined || ann === undefined) return { clean: item, saved: {} };
  const saved: Record<string, string> = {};
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ann)) {
    if (KUSTOMIZE_ANNOTATION.test(k) && typeof v === 'string') saved[k] = v;
    else kept[k] = v;
  }
  const nextMeta: Record<string, unknown> = { ...meta };
  if (Object.keys(kept).length === 0) delete nextMeta['annotations'];
  else nextMeta['annotations'] = kept;
  return { clean: { ...item, metadata: nextMeta }, saved };
}

function itemOut(
  item: UnknownObject,
  opened: Opened,
  saved: Record<string, string>,
): UnknownObject {
  if (opened.kind === 'unchanged') return item;
  if (opened.kind === 'yaml') {
    const obj = parseYaml(opened.text) as unknown;
    if (!isPlainObject(obj))
      throw new SealbridgeError('INTERNAL', 'decrypted item is not a mapping');
    return withAnnotations(obj, saved);
  }
  const kept = Object.fromEntries(Object.entries(saved).filter(([k]) => KEEP_ON_REPLACE.test(k)));
  return withAnnotations(opened.object, kept);
}

function objectsOf(text: string): UnknownObject[] {
  const docs = parseAllDocuments(text);
  return (Array.isArray(docs) ? docs : [])
    .map((d) => d.toJS() as unknown)
    .filter((o): o is UnknownObject => isPlainObject(o));
}

/** Runs `render` as a KRM function over a ResourceList. */
export async function renderResourceList(
  list: UnknownObject,
  o: OpenOptions,
  files: { readonly root: string; readonly read: (path: string) => string },
): Promise<UnknownObject> {
  const raw = list['items'];
  if (raw !== undefined && raw !== null && !Array.isArray(raw))
    throw new SealbridgeError('INVALID_INPUT', 'ResourceList: items must be a list');
  const items: UnknownObject[] = [];
  for (const [i, item] of (Array.isArray(raw) ? raw : []).entries()) {
    if (!isPlainObject(item))
      throw new SealbridgeError('INVALID_INPUT', `ResourceList: item ${i + 1} is not an object`);
    const { clean, saved } = strip(item);
    const where = `ResourceList item ${i + 1}`;
    const opened = await openDocument(
      { object: clean, yaml: undefined, source: 'ResourceList', index: i + 1, where },
      o,
    );
    items.push(itemOut(item, opened, saved));
  }
  const fc = list['functionConfig'];
  if (isPlainObject(fc) && fc['files'] !== undefined) {
    const config = parseGeneratorConfig(fc, 'functionConfig');
    const opts: OpenOptions = {
      ...o,
      ...(config.failOnUndecryptable === undefined
        ? {}
        : { failOnUndecryptable: config.failOnUndecryptable }),
      ...(config.namespace === undefined ? {} : { namespace: config.namespace }),
    };
    for (const input of generatorInputs(config, files.root, files.read)) {
      for (const text of await renderInput(input, opts)) items.push(...objectsOf(text));
    }
  }
  return { apiVersion: list['apiVersion'], kind: RESOURCE_LIST_KIND, items };
}
