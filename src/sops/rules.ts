// Which leaves get encrypted: sops's six mutually exclusive crypt rules. Suffix and regex rules
// test every path component (so a matching ancestor decides its whole subtree); the comment
// regexes test the comments directly above a value, at every enclosing level.
import { SealbridgeError, errorMessage } from '../errors.ts';
import { GoRegExp } from '../regexp/regexp.ts';
import { at } from './tree.ts';

export interface CryptRules {
  readonly unencryptedSuffix?: string;
  readonly encryptedSuffix?: string;
  readonly unencryptedRegex?: string;
  readonly encryptedRegex?: string;
  readonly unencryptedCommentRegex?: string;
  readonly encryptedCommentRegex?: string;
}

export const DEFAULT_UNENCRYPTED_SUFFIX = '_unencrypted';

const RULE_NAMES = [
  ['unencryptedSuffix', 'unencrypted_suffix'],
  ['encryptedSuffix', 'encrypted_suffix'],
  ['unencryptedRegex', 'unencrypted_regex'],
  ['encryptedRegex', 'encrypted_regex'],
  ['unencryptedCommentRegex', 'unencrypted_comment_regex'],
  ['encryptedCommentRegex', 'encrypted_comment_regex'],
] as const;

/** Refuses more than one rule; with none, sops's default `_unencrypted` suffix applies. */
export function normalizeRules(rules: CryptRules): CryptRules {
  const set = RULE_NAMES.filter(([k]) => (rules[k] ?? '') !== '');
  if (set.length > 1) {
    throw new SealbridgeError(
      'SOPS_METADATA_INVALID',
      `only one crypt rule may be set, found ${set.map(([, n]) => n).join(' and ')}`,
    );
  }
  if (set.length === 0) return { unencryptedSuffix: DEFAULT_UNENCRYPTED_SUFFIX };
  const key = at(set, 0)[0];
  return { [key]: rules[key] };
}

/** A compiled Go (RE2) regular expression: sops's semantics, and linear time on any input. */
export interface Matcher {
  test(text: string): boolean;
}

/**
 * Compiles with the shared RE2 engine: patterns come from files (including the metadata of a
 * file being decrypted), so they must never be able to backtrack catastrophically.
 */
export function compileGoRegex(pattern: string): Matcher {
  try {
    return GoRegExp.compile(pattern);
  } catch (err) {
    throw new SealbridgeError(
      'SOPS_METADATA_INVALID',
      `invalid regular expression ${JSON.stringify(pattern)}: ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * A compiled rule set. `pathDecision` is evaluated incrementally as the walk descends, so deep
 * trees never re-test ancestors; comment rules need the stack of comments seen at each level.
 */
export class RuleSet {
  readonly rules: CryptRules;
  readonly #suffix: string | undefined;
  readonly #suffixEncrypts: boolean;
  readonly #regex: Matcher | undefined;
  readonly #regexEncrypts: boolean;
  readonly #commentRegex: Matcher | undefined;
  readonly #commentEncrypts: boolean;

  constructor(rules: CryptRules) {
    this.rules = normalizeRules(rules);
    const r = this.rules;
    this.#suffix = r.unencryptedSuffix ?? r.encryptedSuffix;
    this.#suffixEncrypts = r.encryptedSuffix !== undefined;
    const re = r.unencryptedRegex ?? r.encryptedRegex;
    this.#regex = re === undefined ? undefined : compileGoRegex(re);
    this.#regexEncrypts = r.encryptedRegex !== undefined;
    const cre = r.unencryptedCommentRegex ?? r.encryptedCommentRegex;
    this.#commentRegex = cre === undefined ? undefined : compileGoRegex(cre);
    this.#commentEncrypts = r.encryptedCommentRegex !== undefined;
  }

  get usesComments(): boolean {
    return this.#commentRegex !== undefined;
  }

  /** Initial path state at the document root (no components yet). */
  rootState(): PathState {
    if (this.#suffix !== undefined) return this.#suffixEncrypts ? 'no' : 'yes';
    if (this.#regex !== undefined) return this.#regexEncrypts ? 'no' : 'yes';
    return 'yes';
  }

  /** State after descending into `key`: once a component matches, the subtree is decided. */
  descend(state: PathState, key: string): PathState {
    if (state === 'fixed-yes' || state === 'fixed-no') return state;
    if (this.#suffix !== undefined && key.endsWith(this.#suffix)) {
      return this.#suffixEncrypts ? 'fixed-yes' : 'fixed-no';
    }
    if (this.#regex?.test(key) === true) return this.#regexEncrypts ? 'fixed-yes' : 'fixed-no';
    return state;
  }

  /** The final decision for a leaf, given its path state and the comments above it. */
  shouldEncrypt(
    state: PathState,
    comments: readonly (readonly string[])[],
    isComment: boolean,
  ): boolean {
    if (this.#commentRegex === undefined) return state === 'yes' || state === 'fixed-yes';
    const re = this.#commentRegex;
    if (!this.#commentEncrypts) {
      for (const level of comments) for (const c of level) if (re.test(c)) return false;
      return true;
    }
    // The matching comment line itself stays clear: skip the last comment of the innermost level
    // when the leaf being decided is that comment.
    const last = comments.length - 1;
    for (let i = 0; i < comments.length; i++) {
      const level = at(comments, i);
      for (let j = 0; j < level.length; j++) {
        if (isComment && i === last && j === level.length - 1) continue;
        if (re.test(at(level, j))) return true;
      }
    }
    return false;
  }
}

export type PathState = 'yes' | 'no' | 'fixed-yes' | 'fixed-no';
