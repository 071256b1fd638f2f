// Function sets a caller can choose when parsing. ESO (engine v2) and Sealed Secrets both use
// Go's builtins plus Sprig without env/expandenv/getHostByName; this interpreter implements the
// Sprig subset users reach for, so both sets are the same list today. Functions that touch the
// environment, the network, the clock or random output (other than bcrypt salts) are absent.
import { BUILTINS } from './builtins.ts';
import { SPRIG_COLLECTIONS } from './sprig-collections.ts';
import { SPRIG_CRYPTO } from './sprig-crypto.ts';
import { SPRIG_ENCODING } from './sprig-encoding.ts';
import { SPRIG_REGEX } from './sprig-regex.ts';
import { SPRIG_STRINGS } from './sprig-strings.ts';
import type { FunctionSet, TemplateFunction } from './types.ts';

/** Merges function tables; later tables override earlier ones (as Go's Funcs does). */
export function functionSet(
  ...tables: readonly ReadonlyMap<string, TemplateFunction>[]
): FunctionSet {
  const out = new Map<string, TemplateFunction>();
  for (const t of tables) for (const [k, v] of t) out.set(k, v);
  return out;
}

/** Go text/template's predefined functions only. */
export const GO_BUILTINS: FunctionSet = BUILTINS;

/** Builtins plus the Sprig subset (and ESO's toYaml/fromYaml). */
export const DEFAULT_FUNCTIONS: FunctionSet = functionSet(
  BUILTINS,
  SPRIG_STRINGS,
  SPRIG_COLLECTIONS,
  SPRIG_ENCODING,
  SPRIG_CRYPTO,
  SPRIG_REGEX,
);

/** The set ExternalSecret templates (engineVersion v2) use. */
export const ESO_FUNCTIONS: FunctionSet = DEFAULT_FUNCTIONS;

/** The set SealedSecret `template.data` uses. */
export const SEALED_SECRET_FUNCTIONS: FunctionSet = DEFAULT_FUNCTIONS;
