// The tree walk shared by encryption and decryption, computing the MAC on the way: SHA-512 over
// the Go text of every leaf in document order (keys, comments and nulls excluded), seeded with
// sha256("sops") and limited to encrypted leaves when mac_only_encrypted is set.
import { createHash, type Hash } from 'node:crypto';
import { SealbridgeError } from '../errors.ts';
import { describe, leafBytes, type Leaf, type ValueCipher } from './cipher.ts';
import type { PathState, RuleSet } from './rules.ts';
import { Comment, TreeMap, TreeSeq, at, type Branches, type Value } from './tree.ts';

/** sha256("sops"): the MAC seed that tells a mac_only_encrypted MAC apart from a full one. */
const MAC_ONLY_ENCRYPTED_SEED = Buffer.from(
  '8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69',
  'hex',
);

type LeafFn = (leaf: Leaf, aad: string, encrypt: boolean) => Leaf;

interface WalkCtx {
  readonly rules: RuleSet;
  readonly onLeaf: LeafFn;
  readonly comments: string[][];
}

function aadOf(prefix: string): string {
  return prefix === '' ? ':' : prefix;
}

function walkValue(ctx: WalkCtx, v: Value, state: PathState, prefix: string): Value {
  if (v instanceof TreeMap) {
    walkMap(ctx, v, state, prefix);
    return v;
  }
  if (v instanceof TreeSeq) {
    walkSeq(ctx, v, state, prefix);
    return v;
  }
  if (v === null) return null;
  const enc = ctx.rules.shouldEncrypt(state, ctx.comments, false);
  return ctx.onLeaf(v, aadOf(prefix), enc) as Value;
}

function walkComment(ctx: WalkCtx, c: Comment, state: PathState, prefix: string): Comment {
  const enc = ctx.rules.shouldEncrypt(state, ctx.comments, true);
  const out = ctx.onLeaf(c, aadOf(prefix), enc);
  if (out instanceof Comment) return out;
  if (typeof out === 'string') return new Comment(out);
  throw new SealbridgeError('INTERNAL', 'comment walk produced a non-comment');
}

function walkMap(ctx: WalkCtx, m: TreeMap, state: PathState, prefix: string): void {
  const level: string[] = [];
  if (ctx.rules.usesComments) ctx.comments.push(level);
  const items = m.items;
  for (let i = 0; i < items.length; i++) {
    const item = at(items, i);
    if (item instanceof Comment) {
      level.push(item.value);
      items[i] = walkComment(ctx, item, state, prefix);
      continue;
    }
    const key = item.key;
    item.value = walkValue(ctx, item.value, ctx.rules.descend(state, key), prefix + key + ':');
    level.length = 0;
  }
  if (ctx.rules.usesComments) ctx.comments.pop();
}

function walkSeq(ctx: WalkCtx, s: TreeSeq, state: PathState, prefix: string): void {
  const level: string[] = [];
  if (ctx.rules.usesComments) ctx.comments.push(level);
  const items = s.items;
  for (let i = 0; i < items.length; i++) {
    const item = at(items, i);
    if (item instanceof Comment) {
      level.push(item.value);
      items[i] = walkComment(ctx, item, state, prefix);
      continue;
    }
    items[i] = walkValue(ctx, item, state, prefix);
    level.length = 0;
  }
  if (ctx.rules.usesComments) ctx.comments.pop();
}

function newMac(macOnlyEncrypted: boolean): Hash {
  const h = createHash('sha512');
  if (macOnlyEncrypted) h.update(MAC_ONLY_ENCRYPTED_SEED);
  return h;
}

function hashLeaf(h: Hash, v: Leaf): void {
  if (v instanceof Comment) return;
  const { text } = leafBytes(v);
  h.update(text);
}

export interface WalkOptions {
  readonly rules: RuleSet;
  readonly macOnlyEncrypted: boolean;
}

/** Encrypts the branches in place; returns the uppercase-hex MAC of the plaintext. */
export function encryptTree(branches: Branches, cipher: ValueCipher, opts: WalkOptions): string {
  const h = newMac(opts.macOnlyEncrypted);
  const onLeaf: LeafFn = (leaf, aad, enc) => {
    if (!opts.macOnlyEncrypted || enc) hashLeaf(h, leaf);
    if (!enc) return leaf;
    const out = cipher.encrypt(leaf, aad);
    return leaf instanceof Comment ? new Comment(out) : out;
  };
  const ctx: WalkCtx = { rules: opts.rules, onLeaf, comments: [] };
  for (const b of branches) walkMap(ctx, b, opts.rules.rootState(), '');
  return h.digest('hex').toUpperCase();
}

export interface DecryptWalkResult {
  readonly mac: string;
  /** Comments that looked encrypted but did not open (sops keeps them as they are). */
  readonly undecryptableComments: number;
}

/** Decrypts the branches in place; returns the recomputed MAC. Throws on any bad value. */
export function decryptTree(
  branches: Branches,
  cipher: ValueCipher,
  opts: WalkOptions,
): DecryptWalkResult {
  const h = newMac(opts.macOnlyEncrypted);
  let undecryptable = 0;
  const onLeaf: LeafFn = (leaf, aad, enc) => {
    let v: Leaf = leaf;
    if (enc) {
      if (leaf instanceof Comment) {
        try {
          v = leaf.value === '' ? leaf : cipher.decrypt(leaf.value, aad);
          if (!(v instanceof Comment)) v = leaf; // a non-comment ENC value in a comment slot
        } catch {
          // Comments were clear text before sops 3.6; keep one that does not open, as sops does.
          undecryptable++;
          v = leaf;
        }
      } else if (typeof leaf !== 'string') {
        throw new SealbridgeError(
          'SOPS_VALUE_INVALID',
          `value at ${describe(aad)} should be encrypted but is a clear ${leafBytes(leaf).type}`,
        );
      } else if (leaf !== '') {
        v = cipher.decrypt(leaf, aad);
      }
    }
    if (!opts.macOnlyEncrypted || enc) hashLeaf(h, v);
    return v;
  };
  const ctx: WalkCtx = { rules: opts.rules, onLeaf, comments: [] };
  for (const b of branches) walkMap(ctx, b, opts.rules.rootState(), '');
  return { mac: h.digest('hex').toUpperCase(), undecryptableComments: undecryptable };
}
