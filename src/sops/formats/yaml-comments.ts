// Where go-yaml puts the comments that follow the last item of a block collection (its foot
// comments). This decides the mapping a comment belongs to, and so the AAD it is encrypted with.
import {
  Comment,
  TreeMap,
  TreeSeq,
  at,
  type MapEntry,
  type MapItem,
  type SeqItem,
  type Value,
} from '../tree.ts';

export type Items = (Comment | { key: string; value: Value } | Value)[];

export interface CommentLine {
  readonly text: string;
  readonly col: number;
  readonly blankBefore: boolean;
  readonly offset: number;
}

export class CommentPlacer {
  /** Block collections (flow ones are not "innermost" for trailing comments). */
  readonly #block = new WeakSet<TreeMap | TreeSeq>();
  readonly #contentAfter: (offset: number) => boolean;

  constructor(contentAfter: (offset: number) => boolean) {
    this.#contentAfter = contentAfter;
  }

  markBlock(c: TreeMap | TreeSeq): void {
    this.#block.add(c);
  }

  /** The items of the deepest block collection that ends with `v`, if any. */
  #innermost(v: Value | undefined): Items | undefined {
    let found: Items | undefined;
    let cur = v;
    while ((cur instanceof TreeMap || cur instanceof TreeSeq) && this.#block.has(cur)) {
      found = cur.items;
      let next: Value | undefined;
      const items: readonly (MapItem | SeqItem)[] = cur.items;
      for (let j = items.length - 1; j >= 0 && next === undefined; j--) {
        const it = items[j];
        if (it === undefined || it instanceof Comment) continue;
        next = cur instanceof TreeMap ? (it as MapEntry).value : (it as Value);
      }
      cur = next;
    }
    return found;
  }

  /** Comments that closed nested blocks handed to this level. */
  #pending: (CommentLine & { headOfNext: boolean })[] = [];

  /**
   * Distributes the comments after a collection's last item the way go-yaml does:
   * - a block directly after the content (no blank line; same column or deeper) is the foot of
   *   the innermost collection whatever its column, unless nothing at all follows it;
   * - after that, a comment at or beyond this level's indentation stays here, a shallower one is
   *   the foot of an enclosing level;
   * - once a blank line has been seen, comments are head comments of whatever comes next.
   */
  trailing(out: Items, comments: CommentLine[], indent: number, last: Value | undefined): void {
    let i = 0;
    const first = comments[0];
    if (first !== undefined && !first.blankBefore) {
      let j = 0;
      while (
        j < comments.length &&
        !at(comments, j).blankBefore &&
        (at(comments, j).col === first.col || at(comments, j).col >= indent)
      )
        j++;
      const followed = j < comments.length || this.#contentAfter(at(comments, j - 1).offset);
      if (followed) {
        const target = this.#innermost(last) ?? out;
        for (; i < j; i++) target.push(new Comment(at(comments, i).text));
      }
    }
    // A blank line right after the content still leaves the comments to the column rule, unless
    // the document ends; a blank line after earlier comments makes the rest head comments.
    const last0 = comments[comments.length - 1];
    const atEnd = last0 === undefined || !this.#contentAfter(last0.offset);
    let head = false;
    for (; i < comments.length; i++) {
      const c = at(comments, i);
      if (c.blankBefore && (i > 0 || atEnd)) head = true;
      if (!head && this.#pending.length === 0 && c.col >= indent) out.push(new Comment(c.text));
      else this.#pending.push({ ...c, headOfNext: head });
    }
  }

  /** At the end of an item: pending foot comments indented at this level land here. */
  drain(out: Items, indent: number): void {
    let i = 0;
    const p = this.#pending;
    while (i < p.length && !at(p, i).headOfNext && at(p, i).col >= indent)
      out.push(new Comment(at(p, i++).text));
    this.#pending = p.slice(i);
  }

  /** Before the next item: everything still pending precedes it. */
  flush(out: Items): void {
    for (const c of this.#pending) out.push(new Comment(c.text));
    this.#pending = [];
  }
}
