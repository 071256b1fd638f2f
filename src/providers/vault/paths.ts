// Vault KV paths, following ESO: `path` is the mount; a key that already starts with the mount
// has it removed; KV v2 reads go to `<mount>/data/<key>` and metadata/list to
// `<mount>/metadata/<key>`. Without `path`, the key's first segment is the mount.
import type { VaultKVVersion } from '../../api/secret-store.ts';

export interface KvLocation {
  readonly mount: string;
  /** Path below the mount, no leading or trailing slash. */
  readonly rest: string;
}

function trim(s: string): string {
  return s.replace(/^\/+|\/+$/g, '');
}

export function locate(
  mount: string | undefined,
  key: string,
  version: VaultKVVersion,
): KvLocation {
  let k = trim(key);
  if (mount !== undefined && mount !== '') {
    const m = trim(mount);
    if (k.startsWith(`${m}/`)) {
      k = k.slice(m.length + 1);
      if (version === 'v2' && k.startsWith('data/')) k = k.slice('data/'.length);
    }
    return { mount: m, rest: k };
  }
  const slash = k.indexOf('/');
  if (slash < 0) return { mount: k, rest: '' };
  let rest = k.slice(slash + 1);
  if (version === 'v2' && rest.startsWith('data/')) rest = rest.slice('data/'.length);
  return { mount: k.slice(0, slash), rest };
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

export function dataPath(loc: KvLocation, version: VaultKVVersion): string {
  return version === 'v2' ? join(loc.mount, 'data', loc.rest) : join(loc.mount, loc.rest);
}

export function metadataPath(loc: KvLocation): string {
  return join(loc.mount, 'metadata', loc.rest);
}

/** Where LIST goes for a folder (KV v2 lists metadata). */
export function listPath(loc: KvLocation, version: VaultKVVersion): string {
  return version === 'v2' ? metadataPath(loc) : join(loc.mount, loc.rest);
}

/** Encodes each segment, so a key cannot smuggle `..`, `?` or `#` into the request. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((seg) => {
      if (seg === '.' || seg === '..') throw new RangeError('path segment . or .. is not allowed');
      return encodeURIComponent(seg);
    })
    .join('/');
}
