// Reads YAML into the SOPS tree the way sops (go-yaml v3 nodes) does: key order, every
// comment line as a tree item in document order, scalar types resolved as go-yaml resolves
// them, aliases expanded, one branch per document. The `yaml` package's CST parser does the
// lexing; attaching comments to the right mapping matters because a comment's path is its AAD.
import { CST, Parser } from 'yaml';
import { SealbridgeError } from '../../errors.ts';
import { Comment, TreeMap, TreeSeq, at, cloneValue, type Branches, type Value } from '../tree.ts';
import { CommentPlacer, type CommentLine } from './yaml-comments.ts';
import { typeScalar } from './yaml-typing.ts';

type Tok = CST.Token;
type Src = CST.SourceToken;

class YamlReader {
  readonly #src: string;
  readonly #lineStarts: number[] = [0];
  readonly #anchors = new Map<string, Value>();
  readonly #file: string;
  readonly #placer: CommentPlacer;

  constructor(src: string, file: string) {
    this.#src = src;
    this.#placer = new CommentPlacer((o) => this.#contentAfter(o));
    this.#file = file;
    for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1))
      this.#lineStarts.push(i + 1);
  }

  fail(offset: number, msg: string): SealbridgeError {
    const line = this.#line(offset);
    return new SealbridgeError(
      'INVALID_YAML',
      `${this.#file}: invalid YAML at line ${line}: ${msg}`,
    );
  }

  #line(offset: number): number {
    let lo = 0;
    let hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  column(offset: number): number {
    return offset - (this.#lineStarts[this.#line(offset) - 1] ?? 0);
  }

  /** Comment texts (without '#') among tokens, with their columns and blank-line separation. */
  comments(tokens: readonly Tok[] | undefined): CommentLine[] {
    const out: CommentLine[] = [];
    if (!tokens) return out;
    let newlines = 0;
    for (const t of tokens) {
      if (t.type === 'comment') {
        const blankBefore = out.length === 0 ? newlines >= 1 : newlines >= 2;
        out.push({
          text: t.source.slice(1),
          col: this.column(t.offset),
          blankBefore,
          offset: t.offset,
        });
        newlines = 0;
      } else if (t.type === 'newline') newlines++;
      else if (t.type === 'error') throw this.fail(t.offset, t.message);
    }
    return out;
  }

  /** Whether any content (not blank, not a comment, not a document marker) follows `offset`. */
  #contentAfter(offset: number): boolean {
    let i = this.#src.indexOf('\n', offset);
    while (i >= 0 && i < this.#src.length) {
      const next = this.#src.indexOf('\n', i + 1);
      const line = this.#src.slice(i + 1, next < 0 ? undefined : next).trim();
      if (line.startsWith('---') || line.startsWith('...')) return false;
      if (line !== '' && !line.startsWith('#')) return true;
      if (next < 0) return false;
      i = next;
    }
    return false;
  }

  props(tokens: readonly Tok[] | undefined): { anchor?: string; tag?: string } {
    const p: { anchor?: string; tag?: string } = {};
    if (!tokens) return p;
    for (const t of tokens) {
      if (t.type === 'anchor') p.anchor = t.source.slice(1);
      else if (t.type === 'tag') p.tag = t.source;
    }
    return p;
  }

  /** A node and the comments that go-yaml would give sops before it (line comments). */
  node(
    tok: Tok | undefined | null,
    props: { anchor?: string; tag?: string },
  ): { value: Value; before: string[] } {
    const before: string[] = [];
    let value: Value;
    if (tok === undefined || tok === null) value = null;
    else {
      // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- the default rejects every other token
      switch (tok.type) {
        case 'block-map':
          value = this.blockMap(tok, []);
          break;
        case 'block-seq':
          value = this.blockSeq(tok, []);
          break;
        case 'flow-collection':
          value = this.flow(tok);
          for (const c of this.comments(tok.end)) before.push(c.text);
          break;
        case 'alias': {
          const name = tok.source.slice(1);
          const target = this.#anchors.get(name);
          if (target === undefined) throw this.fail(tok.offset, `unknown anchor "${name}"`);
          value = cloneValue(target);
          for (const c of this.comments(tok.end)) before.push(c.text);
          break;
        }
        case 'scalar':
        case 'single-quoted-scalar':
        case 'double-quoted-scalar':
        case 'block-scalar':
          value = this.scalar(tok, props.tag);
          for (const c of this.comments(tok.type === 'block-scalar' ? tok.props : tok.end))
            before.push(c.text);
          break;
        case 'error':
          throw this.fail(tok.offset, tok.message);
        default:
          throw this.fail(tok.offset, `unexpected ${tok.type}`);
      }
    }
    if (props.anchor !== undefined) this.#anchors.set(props.anchor, value);
    return { value, before };
  }

  scalar(tok: CST.FlowScalar | CST.BlockScalar, tag: string | undefined): Value {
    let err: string | undefined;
    const r = CST.resolveAsScalar(tok, true, (_o, _c, m) => {
      err ??= m;
    });
    if (err !== undefined) throw this.fail(tok.offset, err);
    const text = r.value;
    const plain = r.type === 'PLAIN';
    return typeScalar(text, plain, tag, (m) => this.fail(tok.offset, m));
  }

  blockMap(tok: CST.BlockMap, lead: string[]): TreeMap {
    const m = new TreeMap(lead.map((c) => new Comment(c)));
    this.#placer.markBlock(m);
    const items = tok.items;
    let last: Value | undefined;
    for (let i = 0; i < items.length; i++) {
      const it: CST.CollectionItem = at(items, i);
      const startComments = this.comments(it.start);
      if (it.key === undefined && it.sep === undefined && it.value === undefined) {
        // Trailing comments: those indented at this mapping's level stay; the rest belong to an
        // enclosing block and are handed up.
        this.#placer.trailing(m.items, startComments, tok.indent, last);
        continue;
      }
      this.#placer.flush(m.items);
      for (const c of startComments) m.items.push(new Comment(c.text));
      const keyProps = this.props(it.start);
      if (it.key === null || it.key === undefined)
        throw this.fail(it.start[0]?.offset ?? tok.offset, 'a mapping key is missing');
      const keyNode = this.node(it.key, keyProps);
      if (typeof keyNode.value !== 'string') {
        throw this.fail(
          it.key.offset,
          `mapping keys must be strings (sops supports only string keys)`,
        );
      }
      for (const c of keyNode.before) m.items.push(new Comment(c));
      const sep = it.sep ?? [];
      const sepSplit = this.#splitSep(sep);
      for (const c of sepSplit.inline) m.items.push(new Comment(c));
      const valueTok = it.value;
      const isBlock = valueTok?.type === 'block-map' || valueTok?.type === 'block-seq';
      let lead: string[] = [];
      if (isBlock) lead = sepSplit.after;
      else for (const c of sepSplit.after) m.items.push(new Comment(c));
      const v = this.#value(valueTok, this.props(sep), lead);
      for (const c of v.before) m.items.push(new Comment(c));
      m.items.push({ key: keyNode.value, value: v.value });
      last = v.value;
      this.#placer.drain(m.items, tok.indent);
    }
    return m;
  }

  /** Comments in a key's separator: on the ':' line (line comments) and on lines after it. */
  #splitSep(sep: readonly Src[]): { inline: string[]; after: string[] } {
    const inline: string[] = [];
    const after: string[] = [];
    let sawNewline = false;
    for (const t of sep) {
      if (t.type === 'newline') sawNewline = true;
      else if (t.type === 'comment') (sawNewline ? after : inline).push(t.source.slice(1));
      else if ((t.type as string) === 'error')
        throw this.fail(t.offset, (t as unknown as CST.ErrorToken).message);
    }
    return { inline, after };
  }

  #value(
    tok: Tok | undefined,
    props: { anchor?: string; tag?: string },
    lead: string[],
  ): { value: Value; before: string[] } {
    if (tok?.type === 'block-map') {
      const v = this.blockMap(tok, lead);
      if (props.anchor !== undefined) this.#anchors.set(props.anchor, v);
      return { value: v, before: [] };
    }
    if (tok?.type === 'block-seq') {
      const v = this.blockSeq(tok, lead);
      if (props.anchor !== undefined) this.#anchors.set(props.anchor, v);
      return { value: v, before: [] };
    }
    return this.node(tok, props);
  }

  blockSeq(tok: CST.BlockSequence, lead: string[]): TreeSeq {
    const s = new TreeSeq(lead.map((c) => new Comment(c)));
    this.#placer.markBlock(s);
    let last: Value | undefined;
    for (const it of tok.items) {
      const startComments = this.comments(it.start);
      const hasItem = it.start.some((t) => t.type === 'seq-item-ind');
      if (!hasItem) {
        this.#placer.trailing(s.items, startComments, tok.indent, last);
        continue;
      }
      const ind = it.start.findIndex((t) => t.type === 'seq-item-ind');
      this.#placer.flush(s.items);
      for (const c of this.comments(it.start.slice(0, ind))) {
        s.items.push(new Comment(c.text));
      }
      const after = it.start.slice(ind + 1);
      const sepSplit = this.#splitSep(after);
      const valueTok = it.value;
      const isBlock = valueTok?.type === 'block-map' || valueTok?.type === 'block-seq';
      let lead2: string[] = [];
      if (isBlock) lead2 = [...sepSplit.inline, ...sepSplit.after];
      else for (const c of [...sepSplit.inline, ...sepSplit.after]) s.items.push(new Comment(c));
      const v = this.#value(valueTok, this.props(after), lead2);
      for (const c of v.before) s.items.push(new Comment(c));
      s.items.push(v.value);
      last = v.value;
      this.#placer.drain(s.items, tok.indent);
    }
    return s;
  }

  flow(tok: CST.FlowCollection): TreeMap | TreeSeq {
    const isMap = tok.start.source === '{';
    const closing = tok.end.find((t) => t.type === 'flow-map-end' || t.type === 'flow-seq-end');
    if (!closing || (closing.source === '}') !== isMap)
      throw this.fail(tok.offset, 'unterminated flow collection');
    const out = isMap ? new TreeMap() : new TreeSeq();
    for (const it of tok.items) {
      for (const c of this.comments(it.start)) out.items.push(new Comment(c.text));
      const hasKey =
        it.key !== undefined || (it.sep?.some((t) => t.type === 'map-value-ind') ?? false);
      if (it.key === undefined && it.sep === undefined && it.value === undefined) continue;
      const valueProps = this.props(it.sep ?? it.start);
      if (isMap || hasKey) {
        const keyNode = this.node(it.key ?? null, this.props(it.start));
        if (typeof keyNode.value !== 'string') {
          throw this.fail(
            it.key?.offset ?? tok.offset,
            'mapping keys must be strings (sops supports only string keys)',
          );
        }
        for (const c of this.comments(it.sep)) out.items.push(new Comment(c.text));
        const v = this.node(it.value, valueProps);
        const entry = { key: keyNode.value, value: v.value };
        if (out instanceof TreeMap) out.items.push(entry);
        else out.items.push(new TreeMap([entry]));
      } else {
        const v = this.node(it.value, this.props(it.start));
        (out as TreeSeq).items.push(v.value);
      }
    }
    return out;
  }

  document(doc: CST.Document, lead: string[]): TreeMap {
    for (const c of this.comments(doc.start)) lead.push(c.text);
    const props = this.props(doc.start);
    const tok = doc.value;
    let m: TreeMap;
    if (tok === undefined) m = new TreeMap(lead.map((c) => new Comment(c)));
    else if (tok.type === 'block-map') {
      m = this.blockMap(tok, lead);
      if (props.anchor !== undefined) this.#anchors.set(props.anchor, m);
    } else if (tok.type === 'flow-collection' && tok.start.source === '{') {
      m = this.flow(tok) as TreeMap;
      m.items.unshift(...lead.map((c) => new Comment(c)));
    } else if (tok.type === 'block-seq' || tok.type === 'flow-collection') {
      throw this.fail(
        tok.offset,
        'YAML documents that are sequences are not supported (wrap the list in a mapping)',
      );
    } else {
      const v = this.node(tok, props);
      if (v.value !== null)
        throw this.fail(tok.offset, 'YAML documents that are plain values are not supported');
      m = new TreeMap(lead.map((c) => new Comment(c)));
    }
    this.#placer.flush(m.items);
    for (const c of this.comments(doc.end)) m.items.push(new Comment(c.text));
    return m;
  }
}

export function parseYaml(src: string, file = 'input'): Branches {
  const reader = new YamlReader(src, file);
  const branches: Branches = [];
  let lead: string[] = [];
  for (const tok of new Parser().parse(src)) {
    if (tok.type === 'document') {
      branches.push(reader.document(tok, lead));
      lead = [];
    } else if (tok.type === 'comment') lead.push(tok.source.slice(1));
    else if (tok.type === 'error') throw reader.fail(tok.offset, tok.message);
    else if (tok.type === 'doc-end') {
      for (const c of reader.comments(tok.end)) {
        const last = branches[branches.length - 1];
        if (last) last.items.push(new Comment(c.text));
      }
    }
  }
  if (branches.length === 0) branches.push(new TreeMap(lead.map((c) => new Comment(c))));
  else if (lead.length > 0)
    at(branches, branches.length - 1).items.push(...lead.map((c) => new Comment(c)));
  return branches;
}
