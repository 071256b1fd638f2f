// A key source built from SopsEnvConfig (see src/config.ts): SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, the
// default keys.txt, and a PGP key file (flag or SEALBRIDGE_PGP_KEY_FILE). An explicitly named file
// that cannot be read is an error; a missing default keys.txt is not.
import { SealbridgeError } from '../../errors.ts';
import type { SopsEnvConfig } from '../../config.ts';
import { keySourceFromMaterial, type KeySource } from './source.ts';

export type ReadText = (path: string) => string;

function readNamed(read: ReadText, path: string, what: string): string {
  try {
    return read(path);
  } catch (err) {
    throw new SealbridgeError(
      'IO_ERROR',
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: err },
    );
  }
}

export function keySourceFromEnv(
  cfg: SopsEnvConfig,
  read: ReadText,
  pgpKeyFiles: readonly string[] = [],
): KeySource {
  const age: string[] = [];
  if (cfg.ageKey !== undefined && cfg.ageKey.trim() !== '') age.push(cfg.ageKey);
  if (cfg.ageKeyFile !== undefined && cfg.ageKeyFile !== '')
    age.push(readNamed(read, cfg.ageKeyFile, 'SOPS_AGE_KEY_FILE'));
  if (cfg.ageDefaultKeyFile !== undefined) {
    try {
      age.push(read(cfg.ageDefaultKeyFile));
    } catch {
      // No default keys.txt: fine, other sources may have the key.
    }
  }
  const pgp: string[] = [];
  const files = [...pgpKeyFiles, ...(cfg.pgpKeyFile ? [cfg.pgpKeyFile] : [])];
  for (const f of files) pgp.push(readNamed(read, f, 'PGP key file'));
  return keySourceFromMaterial({
    age,
    pgp,
    secrets: cfg.vaultToken !== undefined ? { 'vault-token': cfg.vaultToken } : {},
  });
}
