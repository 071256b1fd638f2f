// The `sops` metadata block: read in every historical layout (3.13 alphabetical, 3.10–3.12
// struct order, ≤3.9 `kms: []`/`null`, sops 1.x `attention`), written in the 3.13 layout:
// keys sorted, empty lists and empty optional fields omitted. Master-key entries of every type
// keep all their fields, so entries this build cannot open still round-trip untouched.
import { SealbridgeError } from '../errors.ts';
import { normalizeRules, type CryptRules } from './rules.ts';
import { Comment, TreeMap, TreeSeq, type Value } from './tree.ts';

/** The sops release whose file layout Sealbridge writes (`version:` in the metadata). */
export const SOPS_FORMAT_VERSION = '3.13.2';

export const KEY_TYPES = ['age', 'azure_kv', 'gcp_kms', 'hc_vault', 'hckms', 'kms', 'pgp'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** sops's internal group order (kms, gcp_kms, azure_kv, hc_vault, pgp, age, hckms). */
const GROUP_ORDER: readonly KeyType[] = [
  'kms',
  'gcp_kms',
  'azure_kv',
  'hc_vault',
  'pgp',
  'age',
  'hckms',
];

export type FieldValue = string | Readonly<Record<string, string>>;

/** One master key entry: its type and every field as written (enc, recipient, fp, arn, …). */
export interface MasterKey {
  readonly type: KeyType;
  readonly fields: Readonly<Record<string, FieldValue>>;
}

export interface SopsMetadata {
  readonly keyGroups: readonly (readonly MasterKey[])[];
  /** 0 means "all groups" when there is more than one group. */
  readonly shamirThreshold: number;
  readonly lastModified: string;
  /** The encrypted MAC, or "" when the file has none. */
  readonly mac: string;
  readonly version: string;
  readonly rules: CryptRules;
  readonly macOnlyEncrypted: boolean;
}

export function encOf(key: MasterKey): string {
  const e = key.fields['enc'];
  return typeof e === 'string' ? e : '';
}

export function fieldOf(key: MasterKey, name: string): string {
  const v = key.fields[name];
  return typeof v === 'string' ? v : '';
}

export function withEnc(key: MasterKey, enc: string, createdAt?: string): MasterKey {
  const fields: Record<string, FieldValue> = { ...key.fields, enc };
  if (createdAt !== undefined && key.type !== 'age') fields['created_at'] = createdAt;
  return { type: key.type, fields };
}

/** A short, secret-free label for messages: `age1abc…`, `pgp FBC7…`, `kms arn:…`. */
export function keyLabel(key: MasterKey): string {
  const id =
    fieldOf(key, 'recipient') ||
    fieldOf(key, 'fp') ||
    fieldOf(key, 'arn') ||
    fieldOf(key, 'resource_id') ||
    (fieldOf(key, 'vault_address') &&
      `${fieldOf(key, 'vault_address')}/${fieldOf(key, 'engine_path')}/${fieldOf(key, 'key_name')}`) ||
    (fieldOf(key, 'vault_url') && `${fieldOf(key, 'vault_url')}/${fieldOf(key, 'name')}`) ||
    fieldOf(key, 'key_id');
  const short = id.length > 24 ? `${id.slice(0, 20)}…` : id;
  return `${key.type} ${short}`.trim();
}

// ---------------------------------------------------------------- reading

function bad(msg: string): SealbridgeError {
  return new SealbridgeError('SOPS_METADATA_INVALID', `sops metadata: ${msg}`);
}

function scalarText(v: Value | undefined, name: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw bad(`${name} must be a string`);
}

function listOf(v: Value | undefined, name: string): TreeMap[] {
  if (v === undefined || v === null || v === '') return [];
  if (!(v instanceof TreeSeq)) throw bad(`${name} must be a list`);
  const out: TreeMap[] = [];
  for (const item of v.items) {
    if (item instanceof Comment || item === null) continue;
    if (!(item instanceof TreeMap)) throw bad(`${name} entries must be mappings`);
    out.push(item);
  }
  return out;
}

function readKey(type: KeyType, m: TreeMap): MasterKey {
  const fields: Record<string, FieldValue> = {};
  for (const e of m.entries()) {
    if (e.value instanceof TreeMap) {
      const ctx: Record<string, string> = {};
      for (const c of e.value.entries()) ctx[c.key] = scalarText(c.value, `${type}.${e.key}`);
      fields[e.key] = ctx;
    } else if (e.value !== null) {
      fields[e.key] = scalarText(e.value, `${type}.${e.key}`);
    }
  }
  if (typeof fields['enc'] !== 'string' || fields['enc'] === '') {
    throw bad(`a ${type} key entry has no enc field`);
  }
  if (type !== 'age') {
    const created = fields['created_at'];
    if (typeof created !== 'string' || parseRfc3339(created) === null) {
      throw bad(`a ${type} key entry has a missing or invalid created_at`);
    }
  }
  return { type, fields };
}

function readGroup(m: TreeMap): MasterKey[] {
  const group: MasterKey[] = [];
  for (const type of GROUP_ORDER) {
    for (const entry of listOf(m.get(type), type)) group.push(readKey(type, entry));
  }
  return group;
}

function readBool(v: Value | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  return scalarText(v, 'mac_only_encrypted') === 'true';
}

function readInt(v: Value | undefined, name: string): number {
  if (v === undefined || v === null || v === '') return 0;
  const text = scalarText(v, name);
  if (!/^\d+$/.test(text)) throw bad(`${name} is not a non-negative integer`);
  return Number(text);
}

/** Parses the metadata mapping (already unflattened for dotenv/INI). */
export function readMetadata(m: TreeMap): SopsMetadata {
  const lastModified = scalarText(m.get('lastmodified'), 'lastmodified');
  if (parseRfc3339(lastModified) === null)
    throw bad('lastmodified is missing or not an RFC 3339 time');
  const top = readGroup(m);
  let keyGroups: MasterKey[][];
  if (top.length > 0) keyGroups = [top];
  else keyGroups = listOf(m.get('key_groups'), 'key_groups').map(readGroup);
  if (keyGroups.length === 0 || keyGroups.every((g) => g.length === 0))
    throw bad('no master keys found');
  const str = (k: string): string | undefined => {
    const t = scalarText(m.get(k), k);
    return t === '' ? undefined : t;
  };
  const raw: Record<string, string | undefined> = {
    unencryptedSuffix: str('unencrypted_suffix'),
    encryptedSuffix: str('encrypted_suffix'),
    unencryptedRegex: str('unencrypted_regex'),
    encryptedRegex: str('encrypted_regex'),
    unencryptedCommentRegex: str('unencrypted_comment_regex'),
    encryptedCommentRegex: str('encrypted_comment_regex'),
  };
  const rules = Object.fromEntries(
    Object.entries(raw).filter(([, v]) => v !== undefined),
  ) as CryptRules;
  return {
    keyGroups,
    shamirThreshold: readInt(m.get('shamir_threshold'), 'shamir_threshold'),
    lastModified,
    mac: scalarText(m.get('mac'), 'mac'),
    version: scalarText(m.get('version'), 'version'),
    rules: normalizeRules(rules),
    macOnlyEncrypted: readBool(m.get('mac_only_encrypted')),
  };
}

// ---------------------------------------------------------------- writing

function keyToMap(k: MasterKey): TreeMap {
  const names = Object.keys(k.fields).sort();
  const out = new TreeMap();
  for (const name of names) {
    const v = k.fields[name] ?? '';
    if (typeof v === 'string') {
      if (v === '' && !(k.type === 'kms' && name === 'aws_profile')) continue;
      out.items.push({ key: name, value: v });
    } else {
      const ctxNames = Object.keys(v).sort();
      if (ctxNames.length === 0) continue;
      out.items.push({
        key: name,
        value: new TreeMap(ctxNames.map((c) => ({ key: c, value: v[c] ?? '' }))),
      });
    }
  }
  if (k.type === 'kms' && !names.includes('aws_profile')) {
    // sops always writes aws_profile for KMS entries, even when empty.
    out.items.push({ key: 'aws_profile', value: '' });
    out.items.sort((a, b) => cmp((a as { key: string }).key, (b as { key: string }).key));
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function groupEntries(group: readonly MasterKey[]): { key: string; value: Value }[] {
  const out: { key: string; value: Value }[] = [];
  for (const type of KEY_TYPES) {
    const keys = group.filter((k) => k.type === type);
    if (keys.length > 0) out.push({ key: type, value: new TreeSeq(keys.map(keyToMap)) });
  }
  return out;
}

/** The metadata as a mapping in sops 3.13's layout (alphabetical, empties omitted). */
export function writeMetadata(md: SopsMetadata): TreeMap {
  const entries: { key: string; value: Value }[] = [];
  const only = md.keyGroups.length === 1 ? md.keyGroups[0] : undefined;
  if (only !== undefined) entries.push(...groupEntries(only));
  else {
    entries.push({
      key: 'key_groups',
      value: new TreeSeq(md.keyGroups.map((g) => new TreeMap(groupEntries(g)))),
    });
    if (md.shamirThreshold > 0)
      entries.push({ key: 'shamir_threshold', value: BigInt(md.shamirThreshold) });
  }
  entries.push({ key: 'lastmodified', value: md.lastModified });
  entries.push({ key: 'mac', value: md.mac });
  if (md.macOnlyEncrypted) entries.push({ key: 'mac_only_encrypted', value: true });
  const r = md.rules;
  const ruleFields: [string, string | undefined][] = [
    ['encrypted_comment_regex', r.encryptedCommentRegex],
    ['encrypted_regex', r.encryptedRegex],
    ['encrypted_suffix', r.encryptedSuffix],
    ['unencrypted_comment_regex', r.unencryptedCommentRegex],
    ['unencrypted_regex', r.unencryptedRegex],
    ['unencrypted_suffix', r.unencryptedSuffix],
  ];
  for (const [k, v] of ruleFields)
    if (v !== undefined && v !== '') entries.push({ key: k, value: v });
  entries.push({ key: 'version', value: md.version });
  entries.sort((a, b) => cmp(a.key, b.key));
  return new TreeMap(entries);
}

// ---------------------------------------------------------------- time

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses RFC 3339 as Go's time.Parse(time.RFC3339) does; null when invalid. */
export function parseRfc3339(s: string): { ms: number; offset: string } | null {
  const m = RFC3339.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, , off] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(Number(y), month)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  const ms = Date.parse(s.toUpperCase().replace(/\.\d+/, ''));
  if (Number.isNaN(ms)) return null;
  return { ms, offset: (off ?? 'Z').toUpperCase() };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The MAC's AAD: lastmodified re-formatted by Go's Format(time.RFC3339) (no fraction, Z for UTC). */
export function macAad(lastModified: string): string {
  const m = RFC3339.exec(lastModified);
  if (!m) throw bad('lastmodified is not an RFC 3339 time');
  const off = (m[8] ?? 'Z').toUpperCase();
  const zone = off === 'Z' || off === '+00:00' || off === '-00:00' ? 'Z' : off;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`;
}

/** A UTC RFC 3339 timestamp with second precision, as sops writes lastmodified and created_at. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
