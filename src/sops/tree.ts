// The SOPS document tree, format-independent. It mirrors sops's own model: an ordered mapping whose
// items are key/value pairs or comments, ordered sequences whose elements may be comments, and
// typed scalar leaves. Leaf types map to the `type:` of an ENC[] value:
//   string → str, boolean → bool, bigint → int, number → float, SopsBytes → bytes,
//   SopsTime → time, null → (never encrypted), Comment → comment.

export class Comment {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
}

/** Raw bytes (`type:bytes`); kept apart from strings so they re-encrypt with the same type. */
export class SopsBytes {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}

/** A timestamp leaf (`type:time`), kept as its RFC 3339 text so it round-trips exactly. */
export class SopsTime {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/**
 * A `type:str` value whose bytes are not valid UTF-8 (binary files): kept as raw bytes so the
 * plaintext, MAC and output stay byte-exact.
 */
export class SopsRawStr {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}

export type Scalar = string | boolean | bigint | number | null | SopsBytes | SopsTime | SopsRawStr;
export type Value = Scalar | TreeMap | TreeSeq;

export interface MapEntry {
  key: string;
  value: Value;
}
export type MapItem = MapEntry | Comment;
export type SeqItem = Value | Comment;

export class TreeMap {
  readonly items: MapItem[];
  constructor(items: MapItem[] = []) {
    this.items = items;
  }

  /** The first entry with this key (sops keys are unique in practice, but duplicates are kept). */
  get(key: string): Value | undefined {
    for (const item of this.items) {
      if (!(item instanceof Comment) && item.key === key) return item.value;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.items.some((i) => !(i instanceof Comment) && i.key === key);
  }

  set(key: string, value: Value): void {
    for (const item of this.items) {
      if (!(item instanceof Comment) && item.key === key) {
        item.value = value;
        return;
      }
    }
    this.items.push({ key, value });
  }

  delete(key: string): boolean {
    const idx = this.items.findIndex((i) => !(i instanceof Comment) && i.key === key);
    if (idx < 0) return false;
    this.items.splice(idx, 1);
    return true;
  }

  entries(): MapEntry[] {
    const out: MapEntry[] = [];
    for (const item of this.items) if (!(item instanceof Comment)) out.push(item);
    return out;
  }
}

export class TreeSeq {
  readonly items: SeqItem[];
  constructor(items: SeqItem[] = []) {
    this.items = items;
  }
}

/** A document: one branch per YAML document (other formats always have exactly one). */
export type Branches = TreeMap[];

export function isEntry(item: MapItem): item is MapEntry {
  return !(item instanceof Comment);
}

/** Deep copy, so an operation on a decrypted tree never mutates the caller's tree. */
export function cloneValue(v: Value): Value {
  if (v instanceof TreeMap) {
    return new TreeMap(
      v.items.map((i) => (i instanceof Comment ? i : { key: i.key, value: cloneValue(i.value) })),
    );
  }
  if (v instanceof TreeSeq) {
    return new TreeSeq(v.items.map((i) => (i instanceof Comment ? i : cloneValue(i))));
  }
  return v;
}

export function cloneBranches(b: Branches): Branches {
  return b.map((m) => cloneValue(m) as TreeMap);
}

/**
 * A plain JavaScript view of a tree (comments dropped): maps become objects, sequences arrays,
 * ints become numbers when they are safe integers and strings otherwise, bytes become Buffers.
 */
export function toPlain(v: Value): unknown {
  if (v instanceof TreeMap) {
    const out: Record<string, unknown> = {};
    for (const e of v.entries()) out[e.key] = toPlain(e.value);
    return out;
  }
  if (v instanceof TreeSeq) {
    const out: unknown[] = [];
    for (const i of v.items) if (!(i instanceof Comment)) out.push(toPlain(i));
    return out;
  }
  if (typeof v === 'bigint') {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  }
  if (v instanceof SopsBytes || v instanceof SopsRawStr) return Buffer.from(v.bytes);
  if (v instanceof SopsTime) return v.text;
  return v;
}

/** Element `i` of an array the caller knows to be long enough (an internal error otherwise). */
export function at<T>(arr: readonly T[], i: number): T {
  const v = arr[i];
  if (v === undefined) throw new RangeError(`index ${i} out of range`);
  return v;
}
