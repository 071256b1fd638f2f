// One store per file format: load plain or encrypted bytes into branches (+ metadata), emit them
// back. The format comes from the file extension unless --input-type/--output-type say otherwise.
import { extname } from 'node:path';
import { SealbridgeError } from '../../errors.ts';
import { flatten, unflatten } from '../flatten.ts';
import { readMetadata, writeMetadata, type SopsMetadata } from '../metadata.ts';
import { Comment, SopsRawStr, TreeMap, TreeSeq, type Branches, type Value } from '../tree.ts';
import { emitDotenv, parseDotenv } from './dotenv.ts';
import { emitIni, parseIni } from './ini.ts';
import { emitJsonValue, jsonIndent, parseJson } from './json.ts';
import { emitYaml, emitYamlValue } from './yaml-emit.ts';
import { parseYaml } from './yaml-parse.ts';
import { isUtf8 } from 'node:buffer';

export const FORMATS = ['yaml', 'json', 'dotenv', 'ini', 'binary'] as const;
export type SopsFormat = (typeof FORMATS)[number];

const META_KEY = 'sops';
const FLAT_PREFIX = 'sops_';

export function isFormat(s: string): s is SopsFormat {
  return (FORMATS as readonly string[]).includes(s);
}

/** sops's choice of store by extension (anything unknown is binary). */
export function formatFromPath(path: string): SopsFormat {
  switch (extname(path).toLowerCase()) {
    case '.yaml':
    case '.yml':
      return 'yaml';
    case '.json':
      return 'json';
    case '.env':
      return 'dotenv';
    case '.ini':
      return 'ini';
    default:
      return 'binary';
  }
}

export interface StoreOptions {
  /** stores.yaml.indent (default 4). */
  readonly yamlIndent?: number;
  /** stores.json.indent / json_binary.indent: N spaces, -1 or unset for a tab. */
  readonly jsonIndent?: number;
}

export interface LoadedEncrypted {
  readonly branches: Branches;
  readonly metadata: SopsMetadata;
}

export interface Store {
  readonly format: SopsFormat;
  loadPlain(input: Uint8Array, file: string): Branches;
  loadEncrypted(input: Uint8Array, file: string): LoadedEncrypted;
  emitPlain(branches: Branches): Buffer;
  emitEncrypted(branches: Branches, metadata: SopsMetadata): Buffer;
  /** `--extract` of a non-mapping, non-string value. */
  emitValue(v: Value): Buffer;
  /** Whether plain input already carries sops metadata (encrypting it again is refused). */
  hasMetadata(branches: Branches): boolean;
}

function text(input: Uint8Array): string {
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
}

function missing(file: string): SealbridgeError {
  return new SealbridgeError(
    'SOPS_METADATA_MISSING',
    `${file}: sops metadata not found (is this file encrypted?)`,
  );
}

/** Takes the nested `sops` mapping out of every branch; metadata comes from the first. */
function extractNested(branches: Branches, file: string): LoadedEncrypted {
  let meta: TreeMap | undefined;
  branches.forEach((b, i) => {
    const idx = b.items.findIndex((it) => !(it instanceof Comment) && it.key === META_KEY);
    if (idx < 0) return;
    const entry = b.items[idx] as { key: string; value: Value };
    if (i === 0) {
      if (!(entry.value instanceof TreeMap)) {
        throw new SealbridgeError(
          'SOPS_METADATA_INVALID',
          `${file}: the sops entry is not a mapping`,
        );
      }
      meta = entry.value;
    }
    b.items.splice(idx, 1);
  });
  if (meta === undefined) throw missing(file);
  const found = meta;
  return { branches, metadata: withFile(file, () => readMetadata(found)) };
}

function withFile<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SealbridgeError) {
      throw new SealbridgeError(err.code, `${file}: ${err.message}`, {
        cause: err,
        exitCode: err.exitCode,
      });
    }
    throw err;
  }
}

function withNested(branches: Branches, md: SopsMetadata): Branches {
  const m = writeMetadata(md);
  return branches.map((b) => {
    if (b.has(META_KEY)) {
      throw new SealbridgeError(
        'SOPS_ALREADY_ENCRYPTED',
        'the document already has a top-level "sops" key, which is reserved for metadata',
      );
    }
    return new TreeMap([...b.items, { key: META_KEY, value: m }]);
  });
}

function hasTopKey(branches: Branches, key: string): boolean {
  return branches.some((b) => b.has(key));
}

class YamlStore implements Store {
  readonly format = 'yaml' as const;
  readonly #indent: number;
  constructor(o: StoreOptions) {
    this.#indent = o.yamlIndent ?? 4;
  }
  loadPlain(input: Uint8Array, file: string): Branches {
    return parseYaml(text(input), file);
  }
  loadEncrypted(input: Uint8Array, file: string): LoadedEncrypted {
    return extractNested(parseYaml(text(input), file), file);
  }
  emitPlain(branches: Branches): Buffer {
    return Buffer.from(emitYaml(branches, { indent: this.#indent }), 'utf8');
  }
  emitEncrypted(branches: Branches, md: SopsMetadata): Buffer {
    return Buffer.from(emitYaml(withNested(branches, md), { indent: this.#indent }), 'utf8');
  }
  emitValue(v: Value): Buffer {
    return Buffer.from(emitYamlValue(v), 'utf8');
  }
  hasMetadata(branches: Branches): boolean {
    return hasTopKey(branches, META_KEY);
  }
}

class JsonStore implements Store {
  readonly format: 'json' | 'binary' = 'json';
  readonly #indent: string;
  constructor(o: StoreOptions) {
    this.#indent = jsonIndent(o.jsonIndent);
  }
  loadPlain(input: Uint8Array, file: string): Branches {
    return [parseJson(text(input), file)];
  }
  loadEncrypted(input: Uint8Array, file: string): LoadedEncrypted {
    return extractNested([parseJson(text(input), file)], file);
  }
  emitPlain(branches: Branches): Buffer {
    return Buffer.from(emitJsonValue(branches[0] ?? new TreeMap(), this.#indent) + '\n', 'utf8');
  }
  emitEncrypted(branches: Branches, md: SopsMetadata): Buffer {
    return this.emitPlain(withNested(branches.slice(0, 1), md));
  }
  emitValue(v: Value): Buffer {
    return Buffer.from(emitJsonValue(v, this.#indent), 'utf8');
  }
  hasMetadata(branches: Branches): boolean {
    return hasTopKey(branches, META_KEY);
  }
}

/** Any file: the whole content is one `data` string, stored in a JSON envelope. */
class BinaryStore extends JsonStore {
  override readonly format = 'binary' as const;
  override loadPlain(input: Uint8Array): Branches {
    const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const value: Value = isUtf8(buf) ? buf.toString('utf8') : new SopsRawStr(new Uint8Array(buf));
    return [new TreeMap([{ key: 'data', value }])];
  }
  override emitPlain(branches: Branches): Buffer {
    const data = branches[0]?.get('data');
    if (typeof data === 'string') return Buffer.from(data, 'utf8');
    if (data instanceof SopsRawStr) return Buffer.from(data.bytes);
    throw new SealbridgeError(
      'SOPS_FORMAT_UNSUPPORTED',
      'binary output needs a string "data" entry in the document',
    );
  }
  override emitValue(): Buffer {
    throw new SealbridgeError(
      'SOPS_FORMAT_UNSUPPORTED',
      'binary files are not structured; --extract is not possible',
    );
  }
  override hasMetadata(): boolean {
    return false;
  }
}

class DotenvStore implements Store {
  readonly format = 'dotenv' as const;
  loadPlain(input: Uint8Array, file: string): Branches {
    return [parseDotenv(text(input), file)];
  }
  loadEncrypted(input: Uint8Array, file: string): LoadedEncrypted {
    const all = parseDotenv(text(input), file);
    const data = new TreeMap();
    const pairs: [string, string][] = [];
    for (const item of all.items) {
      if (!(item instanceof Comment) && item.key.startsWith(FLAT_PREFIX)) {
        pairs.push([
          item.key.slice(FLAT_PREFIX.length),
          typeof item.value === 'string' ? item.value : '',
        ]);
      } else data.items.push(item);
    }
    if (pairs.length === 0) throw missing(file);
    return { branches: [data], metadata: withFile(file, () => readMetadata(unflatten(pairs))) };
  }
  emitPlain(branches: Branches): Buffer {
    return Buffer.from(emitDotenv(branches[0] ?? new TreeMap()), 'utf8');
  }
  emitEncrypted(branches: Branches, md: SopsMetadata): Buffer {
    const b = branches[0] ?? new TreeMap();
    for (const e of b.entries()) {
      if (e.key.startsWith(FLAT_PREFIX)) {
        throw new SealbridgeError(
          'SOPS_ALREADY_ENCRYPTED',
          `key ${e.key} uses the prefix "sops_" reserved for metadata`,
        );
      }
    }
    const flat = flatten(writeMetadata(md), FLAT_PREFIX);
    const out = new TreeMap([...b.items, ...flat.map(([key, value]) => ({ key, value }))]);
    return this.emitPlain([out]);
  }
  emitValue(v: Value): Buffer {
    if (typeof v === 'string') return Buffer.from(v, 'utf8');
    throw new SealbridgeError(
      'SOPS_FORMAT_UNSUPPORTED',
      'the dotenv store can only print string values',
    );
  }
  hasMetadata(branches: Branches): boolean {
    return (branches[0]?.entries() ?? []).some((e) => e.key.startsWith(FLAT_PREFIX));
  }
}

class IniStore implements Store {
  readonly format = 'ini' as const;
  loadPlain(input: Uint8Array, file: string): Branches {
    return [parseIni(text(input), file)];
  }
  loadEncrypted(input: Uint8Array, file: string): LoadedEncrypted {
    const root = parseIni(text(input), file);
    const section = root.get(META_KEY);
    if (!(section instanceof TreeMap)) throw missing(file);
    root.delete(META_KEY);
    const pairs: [string, string][] = section
      .entries()
      .map((e) => [e.key, typeof e.value === 'string' ? e.value.replaceAll('\\n', '\n') : '']);
    return { branches: [root], metadata: withFile(file, () => readMetadata(unflatten(pairs))) };
  }
  emitPlain(branches: Branches): Buffer {
    return Buffer.from(emitIni(branches[0] ?? new TreeMap()), 'utf8');
  }
  emitEncrypted(branches: Branches, md: SopsMetadata): Buffer {
    const b = branches[0] ?? new TreeMap();
    if (b.has(META_KEY)) {
      throw new SealbridgeError(
        'SOPS_ALREADY_ENCRYPTED',
        'the INI file already has a [sops] section',
      );
    }
    const flat = flatten(writeMetadata(md)).map(([key, value]) => ({
      key,
      value: value.replaceAll('\n', '\\n'),
    }));
    return this.emitPlain([new TreeMap([...b.items, { key: META_KEY, value: new TreeMap(flat) }])]);
  }
  emitValue(v: Value): Buffer {
    if (v instanceof TreeMap || v instanceof TreeSeq) {
      return Buffer.from(emitJsonValue(v, ''), 'utf8');
    }
    return Buffer.from(emitJsonValue(v, ''), 'utf8');
  }
  hasMetadata(branches: Branches): boolean {
    return hasTopKey(branches, META_KEY);
  }
}

export function storeFor(format: SopsFormat, opts: StoreOptions = {}): Store {
  switch (format) {
    case 'yaml':
      return new YamlStore(opts);
    case 'json':
      return new JsonStore(opts);
    case 'binary':
      return new BinaryStore(opts);
    case 'dotenv':
      return new DotenvStore();
    case 'ini':
      return new IniStore();
  }
}
