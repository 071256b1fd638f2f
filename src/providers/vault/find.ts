// dataFrom.find for Vault: a recursive LIST under find.path (or the whole mount), filtered by
// the name regexp (against the path below the mount) and, on KV v2, by custom_metadata tags.
import type { VaultProvider } from '../../api/secret-store.ts';
import { ProviderError } from '../errors.ts';
import { compileFindRegexp } from '../find-regexp.ts';
import type { FindSpec } from '../types.ts';
import { listPath, locate, metadataPath, type KvLocation } from './paths.ts';

/** What find needs from the backend. */
export interface VaultLister {
  listFolder(path: string, signal: AbortSignal): Promise<string[]>;
  read(path: string, call: string, what: string, signal: AbortSignal): Promise<unknown>;
}

const MAX_SECRETS = 10_000;
const MAX_DEPTH = 32;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function walk(
  lister: VaultLister,
  store: VaultProvider,
  root: KvLocation,
  signal: AbortSignal,
): Promise<string[]> {
  const found: string[] = [];
  let level = [root.rest];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > MAX_DEPTH) break;
    const listings = await Promise.all(
      level.map(async (rest) => ({
        rest,
        keys: await lister.listFolder(listPath({ mount: root.mount, rest }, store.version), signal),
      })),
    );
    const next: string[] = [];
    for (const { rest, keys } of listings) {
      for (const k of keys) {
        const child = rest === '' ? k : `${rest}/${k}`;
        if (k.endsWith('/')) next.push(child.slice(0, -1));
        else found.push(child);
      }
    }
    if (found.length > MAX_SECRETS) {
      throw new ProviderError(
        'PROVIDER_INVALID_CONFIG',
        `find matched more than ${MAX_SECRETS} Vault secrets; narrow find.path`,
      );
    }
    level = next;
  }
  return found;
}

function tagsMatch(custom: unknown, tags: Readonly<Record<string, string>>): boolean {
  if (!isObj(custom)) return false;
  return Object.entries(tags).every(([k, v]) => custom[k] === v);
}

export async function findVaultSecrets(
  lister: VaultLister,
  store: VaultProvider,
  spec: FindSpec,
  signal: AbortSignal,
): Promise<string[]> {
  const label = 'vault find';
  const tags = spec.tags !== undefined && Object.keys(spec.tags).length > 0 ? spec.tags : undefined;
  if (tags !== undefined && store.version !== 'v2') {
    throw new ProviderError(
      'PROVIDER_INVALID_CONFIG',
      `${label}: find by tags needs KV v2 (custom_metadata)`,
    );
  }
  const root = locate(store.path, spec.path ?? '', store.version);
  if (root.mount === '') {
    throw new ProviderError(
      'PROVIDER_INVALID_CONFIG',
      `${label}: set spec.provider.vault.path or a find.path that starts with the mount`,
    );
  }
  const regexp = spec.name === undefined ? undefined : compileFindRegexp(spec.name.regexp, label);
  const names = (await walk(lister, store, root, signal)).filter((n) => regexp?.test(n) ?? true);
  let selected = names;
  if (tags !== undefined) {
    const checks = await Promise.all(
      names.map(async (n) => {
        const body = await lister.read(
          metadataPath({ mount: root.mount, rest: n }),
          'read-metadata',
          `metadata of ${JSON.stringify(n)}`,
          signal,
        );
        const data = isObj(body) ? body['data'] : undefined;
        return isObj(data) && tagsMatch(data['custom_metadata'], tags);
      }),
    );
    selected = names.filter((_, i) => checks[i] === true);
  }
  // Without a store path the mount is part of every key, so the keys stay readable.
  const withMount = store.path === undefined || store.path === '';
  return selected.map((n) => (withMount ? `${root.mount}/${n}` : n)).sort();
}
