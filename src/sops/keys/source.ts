// Where key material comes from. The CLI builds a source from the environment (SOPS_AGE_KEY,
// SOPS_AGE_KEY_FILE, the default keys.txt, a PGP key file); the in-cluster controller builds one
// from a Kubernetes Secret with Flux's naming (*.agekey, *.asc, sops.vault-token). Parsing is
// lazy and cached per source.
import { SealbridgeError } from '../../errors.ts';

export interface KeyMaterial {
  /** age identity files or strings (AGE-SECRET-KEY-1…, AGE-SECRET-KEY-PQ-1…, comments allowed). */
  readonly age?: readonly string[];
  /** Armored OpenPGP keys, private (to decrypt) or public (to encrypt). */
  readonly pgp?: readonly string[];
  /** Other named secrets for later key services (e.g. "vault-token"). */
  readonly secrets?: Readonly<Record<string, string>>;
}

export interface KeySource {
  /** Every age identity string available. */
  ageIdentities(): readonly string[];
  /** Every armored PGP key block available. */
  pgpKeyBlocks(): readonly string[];
  secret(name: string): string | undefined;
  /** A cache slot services may use for parsed keys (keyed by service). */
  readonly cache: Map<string, unknown>;
}

const AGE_IDENTITY = /^AGE-SECRET-KEY-(?:PQ-)?1[0-9A-Z]+$/;

/** Identity lines from keys.txt-style text: comments and blank lines are skipped. */
export function parseAgeIdentities(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!AGE_IDENTITY.test(line)) {
      throw new SealbridgeError(
        'INVALID_PRIVATE_KEY',
        'age key material contains a line that is not an AGE-SECRET-KEY identity',
      );
    }
    out.push(line);
  }
  return out;
}

/** Splits concatenated armored blocks (a keyring export may hold several). */
export function splitArmor(text: string): string[] {
  const blocks: string[] = [];
  const re =
    /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;
  for (const m of text.matchAll(re)) blocks.push(m[0]);
  return blocks;
}

export function keySourceFromMaterial(m: KeyMaterial): KeySource {
  let age: string[] | undefined;
  let pgp: string[] | undefined;
  return {
    ageIdentities: () => (age ??= (m.age ?? []).flatMap(parseAgeIdentities)),
    pgpKeyBlocks: () => (pgp ??= (m.pgp ?? []).flatMap(splitArmor)),
    secret: (name) => m.secrets?.[name],
    cache: new Map(),
  };
}

/** Combines sources (first one first). */
export function combineKeySources(...sources: KeySource[]): KeySource {
  return {
    ageIdentities: () => sources.flatMap((s) => s.ageIdentities()),
    pgpKeyBlocks: () => sources.flatMap((s) => s.pgpKeyBlocks()),
    secret: (name) => sources.map((s) => s.secret(name)).find((v) => v !== undefined),
    cache: new Map(),
  };
}

/**
 * A source from a Secret's data using Flux's conventions: `*.agekey` (age identities), `*.asc`
 * (armored PGP keys), `sops.vault-token`; other `sops.*` entries are kept as named secrets for the
 * cloud key services (sops.aws-kms, sops.azure-kv, sops.gcp-kms).
 */
export function keySourceFromSecretData(
  data: Readonly<Record<string, string | Uint8Array>>,
): KeySource {
  const age: string[] = [];
  const pgp: string[] = [];
  const secrets: Record<string, string> = {};
  for (const [name, raw] of Object.entries(data)) {
    const value = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
    if (name.endsWith('.agekey')) age.push(value);
    else if (name.endsWith('.asc')) pgp.push(value);
    else if (name === 'sops.vault-token') secrets['vault-token'] = value.trim();
    else if (name.startsWith('sops.')) secrets[name.slice(5)] = value;
  }
  return keySourceFromMaterial({ age, pgp, secrets });
}

export function emptyKeySource(): KeySource {
  return keySourceFromMaterial({});
}
