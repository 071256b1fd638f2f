// `.sops.yaml`: found by walking up from the file's directory (at most 100 levels; `.sops.yml`
// is not read, as in sops), creation rules matched in order against the path relative to the
// config's directory, first match wins. Keys of every type become master-key entries; types
// without a service fail later with a clear error instead of being dropped.
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parse as parseYamlLib } from 'yaml';
import { SealbridgeError } from '../errors.ts';
import { ageKey } from './keys/age.ts';
import { pgpKey } from './keys/pgp.ts';
import type { MasterKey } from './metadata.ts';
import { compileGoRegex, normalizeRules, type CryptRules } from './rules.ts';
import type { StoreOptions } from './formats/index.ts';

export const CONFIG_NAME = '.sops.yaml';
const MAX_LEVELS = 100;

export interface CreationRule {
  readonly pathRegex?: string;
  readonly keyGroups: MasterKey[][];
  readonly shamirThreshold: number;
  readonly rules: CryptRules;
  readonly macOnlyEncrypted: boolean;
}

export interface SopsConfig {
  readonly path: string;
  readonly creationRules: readonly CreationRule[];
  readonly stores: StoreOptions;
}

/** The nearest .sops.yaml at or above `startDir`. */
export function findConfigFile(
  startDir: string,
  exists: (p: string) => boolean,
): string | undefined {
  let dir = resolve(startDir);
  for (let i = 0; i < MAX_LEVELS; i++) {
    const candidate = join(dir, CONFIG_NAME);
    if (exists(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

function bad(path: string, msg: string): SealbridgeError {
  return new SealbridgeError('SOPS_CONFIG_INVALID', `${path}: ${msg}`);
}

function strings(v: unknown, path: string, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  if (Array.isArray(v)) return v.flatMap((x) => strings(x, path, what));
  throw bad(path, `${what} must be a string or a list of strings`);
}

function kmsKey(
  arn: string,
  role: string,
  context: Record<string, string> | undefined,
  profile: string,
): MasterKey {
  const fields: Record<string, string | Record<string, string>> = {
    arn,
    aws_profile: profile,
    enc: '',
    created_at: '',
  };
  if (role !== '') fields['role'] = role;
  if (context && Object.keys(context).length > 0) fields['context'] = context;
  return { type: 'kms', fields };
}

function vaultKey(uri: string, path: string): MasterKey {
  const m = /^(https?:\/\/[^/]+)\/v1\/(.+)\/keys\/([^/]+)$/.exec(uri.trim());
  if (!m)
    throw bad(
      path,
      `hc_vault_transit_uri must look like https://host:8200/v1/<engine>/keys/<name>, got ${uri}`,
    );
  return {
    type: 'hc_vault',
    fields: {
      vault_address: m[1] ?? '',
      engine_path: m[2] ?? '',
      key_name: m[3] ?? '',
      enc: '',
      created_at: '',
    },
  };
}

function azureKey(url: string, key: string, version: string): MasterKey {
  return {
    type: 'azure_kv',
    fields: { vault_url: url, name: key, version, enc: '', created_at: '' },
  };
}

function azureFromUrl(s: string, path: string): MasterKey {
  const m = /^(https:\/\/[^/]+)\/keys\/([^/]+)(?:\/([^/]*))?$/.exec(s.trim());
  if (!m)
    throw bad(
      path,
      `azure_keyvault must look like https://<vault>.vault.azure.net/keys/<key>/<version>, got ${s}`,
    );
  return azureKey(m[1] ?? '', m[2] ?? '', m[3] ?? '');
}

function kmsFromString(s: string, profile: string): MasterKey {
  const [arn, role] = s.split('+');
  return kmsKey((arn ?? '').trim(), (role ?? '').trim(), undefined, profile);
}

type Raw = Record<string, unknown>;

function text(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

/** Master keys from the flat fields of a rule (kms, age, pgp, …). */
export function keysFromFlatFields(r: Raw, path: string): MasterKey[] {
  const profile = typeof r['aws_profile'] === 'string' ? r['aws_profile'] : '';
  const keys: MasterKey[] = [];
  for (const s of strings(r['kms'], path, 'kms')) keys.push(kmsFromString(s, profile));
  for (const s of strings(r['gcp_kms'], path, 'gcp_kms'))
    keys.push({ type: 'gcp_kms', fields: { resource_id: s, enc: '', created_at: '' } });
  for (const s of strings(r['azure_keyvault'], path, 'azure_keyvault'))
    keys.push(azureFromUrl(s, path));
  for (const s of strings(r['hc_vault_transit_uri'], path, 'hc_vault_transit_uri'))
    keys.push(vaultKey(s, path));
  for (const s of strings(r['hckms'], path, 'hckms'))
    keys.push({ type: 'hckms', fields: { key_id: s, enc: '', created_at: '' } });
  for (const s of strings(r['pgp'], path, 'pgp')) keys.push(pgpKey(s));
  for (const s of strings(r['age'], path, 'age')) keys.push(ageKey(s));
  return keys;
}

function groupFrom(g: Raw, path: string): MasterKey[] {
  const keys: MasterKey[] = [];
  const list = (v: unknown): unknown[] =>
    Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  for (const k of list(g['kms'])) {
    if (typeof k === 'string') keys.push(kmsFromString(k, ''));
    else {
      const o = k as Raw;
      const ctx = o['context'] as Record<string, string> | undefined;
      keys.push(kmsKey(text(o['arn']), text(o['role']), ctx, text(o['aws_profile'])));
    }
  }
  for (const k of list(g['gcp_kms'])) {
    const id = typeof k === 'string' ? k : text((k as Raw)['resource_id']);
    keys.push({ type: 'gcp_kms', fields: { resource_id: id, enc: '', created_at: '' } });
  }
  for (const k of list(g['azure_keyvault'])) {
    if (typeof k === 'string') keys.push(azureFromUrl(k, path));
    else {
      const o = k as Raw;
      keys.push(azureKey(text(o['vaultUrl']), text(o['key']), text(o['version'])));
    }
  }
  for (const k of list(g['hc_vault'])) keys.push(vaultKey(String(k), path));
  for (const k of list(g['hckms']))
    keys.push({
      type: 'hckms',
      fields: {
        key_id: String(typeof k === 'string' ? k : (k as Raw)['key_id']),
        enc: '',
        created_at: '',
      },
    });
  for (const k of strings(g['pgp'], path, 'pgp')) keys.push(pgpKey(k));
  for (const k of strings(g['age'], path, 'age')) keys.push(ageKey(k));
  for (const m of list(g['merge'])) keys.push(...groupFrom(m as Raw, path));
  return keys;
}

function ruleFrom(r: Raw, path: string): CreationRule {
  const str = (k: string): string | undefined =>
    typeof r[k] === 'string' && r[k] !== '' ? r[k] : undefined;
  const raw: Record<string, string | undefined> = {
    unencryptedSuffix: str('unencrypted_suffix'),
    encryptedSuffix: str('encrypted_suffix'),
    unencryptedRegex: str('unencrypted_regex'),
    encryptedRegex: str('encrypted_regex'),
    unencryptedCommentRegex: str('unencrypted_comment_regex'),
    encryptedCommentRegex: str('encrypted_comment_regex'),
  };
  const set = Object.fromEntries(
    Object.entries(raw).filter(([, v]) => v !== undefined),
  ) as CryptRules;
  let rules: CryptRules;
  try {
    rules = Object.keys(set).length === 0 ? {} : normalizeRules(set);
  } catch (err) {
    throw bad(path, (err as Error).message);
  }
  const groupsRaw = r['key_groups'];
  let keyGroups: MasterKey[][];
  if (Array.isArray(groupsRaw) && groupsRaw.length > 0)
    keyGroups = groupsRaw.map((g) => groupFrom((g ?? {}) as Raw, path));
  else keyGroups = [keysFromFlatFields(r, path)];
  const pathRegex = str('path_regex');
  if (pathRegex !== undefined) compileGoRegex(pathRegex);
  const threshold = r['shamir_threshold'];
  return {
    ...(pathRegex !== undefined ? { pathRegex } : {}),
    keyGroups,
    shamirThreshold: typeof threshold === 'number' ? threshold : 0,
    rules,
    macOnlyEncrypted: r['mac_only_encrypted'] === true,
  };
}

export function parseSopsConfig(text: string, path: string): SopsConfig {
  let doc: unknown;
  try {
    doc = parseYamlLib(text, { merge: true });
  } catch (err) {
    throw bad(path, `not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
  const root = (doc ?? {}) as Raw;
  if (typeof root !== 'object' || Array.isArray(root)) throw bad(path, 'must be a mapping');
  const rulesRaw = root['creation_rules'];
  if (rulesRaw !== undefined && rulesRaw !== null && !Array.isArray(rulesRaw))
    throw bad(path, 'creation_rules must be a list');
  const stores = (root['stores'] ?? {}) as Raw;
  const indent = (k: string): number | undefined => {
    const v = ((stores[k] ?? {}) as Raw)['indent'];
    return typeof v === 'number' ? v : undefined;
  };
  const yamlIndent = indent('yaml');
  const jsonIndent = indent('json');
  return {
    path,
    creationRules: ((rulesRaw ?? []) as unknown[]).map((r) => ruleFrom((r ?? {}) as Raw, path)),
    stores: {
      ...(yamlIndent !== undefined ? { yamlIndent } : {}),
      ...(jsonIndent !== undefined ? { jsonIndent } : {}),
    },
  };
}

/** The first creation rule whose path_regex matches the file's path relative to the config. */
export function selectRule(config: SopsConfig, filePath: string): CreationRule {
  const rel = relative(dirname(config.path), resolve(filePath)).split(sep).join('/');
  for (const rule of config.creationRules) {
    if (rule.pathRegex === undefined || compileGoRegex(rule.pathRegex).test(rel)) return rule;
  }
  throw new SealbridgeError(
    'SOPS_NO_CREATION_RULE',
    `${config.path}: no creation rule matches ${rel}`,
  );
}
