// Writes YAML the way sops does: the tree becomes go-yaml v3 nodes (comments as head comments of
// the next key or item, trailing comments as the foot comment of the last value) and is printed
// with go-yaml v3's layout rules (indent 4 by default, sequences indented inside mappings, block
// literals for multi-line strings, double quotes for strings that would read back as another
// type). Written from go-yaml's observable behaviour, checked against the real library output.
import type { TreeMap } from '../tree.ts';
import { at, type Value } from '../tree.ts';
import {
  mapNode,
  toNode,
  type MapNode,
  type ScalarNode,
  type SeqNode,
  type YNode,
} from './yaml-nodes.ts';
import { analyzeScalar, isBreak, isPrintable } from './yaml-scalar.ts';

// ---------------------------------------------------------------- the printer

/** What the enclosing construct pushed before a child: it decides the child's indentation. */
type Parent = 'doc' | 'key' | 'value' | 'item' | 'flow';

class Printer {
  readonly #chunks: string[] = [];
  #line = '';
  readonly #best: number;
  #column = 0;
  #indention = true;
  #whitespace = true;
  #footIndent = -1;
  #indent = -1;
  readonly #indents: number[] = [];
  #flowLevel = 0;
  #head = '';
  #foot = '';

  constructor(indent: number) {
    this.#best = indent < 2 || indent > 9 ? 2 : indent;
  }

  /** The output. (go-yaml's encoder clears "open ended" before the stream end: never `...`.) */
  result(): string {
    this.#chunks.push(this.#line);
    return this.#chunks.join('');
  }

  // -- low-level writing, tracking column / whitespace / indentation like the Go emitter
  #raw(s: string): void {
    this.#line += s;
    this.#column += s.length;
  }
  #putBreak(): void {
    this.#line += '\n';
    this.#chunks.push(this.#line);
    this.#line = '';
    this.#column = 0;
    this.#indention = true;
  }
  /** A line break from the text itself: "\n" ends the line, other break characters are kept. */
  #writeBreak(ch: string): void {
    if (ch === '\n') {
      this.#putBreak();
      return;
    }
    this.#raw(ch);
    this.#column = 0;
    this.#indention = true;
  }
  #writeIndent(): void {
    const indent = this.#indent < 0 ? 0 : this.#indent;
    if (
      !this.#indention ||
      this.#column > indent ||
      (this.#column === indent && !this.#whitespace)
    ) {
      this.#putBreak();
    }
    if (this.#footIndent === indent) this.#putBreak();
    if (this.#column < indent) this.#raw(' '.repeat(indent - this.#column));
    this.#whitespace = true;
    this.#footIndent = -1;
  }
  #indicator(s: string, needWs: boolean, isWs: boolean, isIndention: boolean): void {
    if (needWs && !this.#whitespace) this.#raw(' ');
    this.#raw(s);
    this.#whitespace = isWs;
    this.#indention = this.#indention && isIndention;
  }
  #increaseIndent(parent: Parent, flow: boolean): void {
    this.#indents.push(this.#indent);
    if (this.#indent < 0) this.#indent = flow ? this.#best : 0;
    else if (parent === 'item') this.#indent += 2;
    else this.#indent = this.#best * Math.floor((this.#indent + this.#best) / this.#best);
  }
  #popIndent(): void {
    this.#indent = this.#indents.pop() ?? -1;
  }
  #writeComment(text: string): void {
    let breaks = false;
    let pound = false;
    for (const ch of text) {
      if (ch === '\n') {
        this.#putBreak();
        breaks = true;
        pound = false;
        continue;
      }
      if (breaks) this.#writeIndent();
      if (!pound) {
        if (ch !== '#') this.#raw('# ');
        pound = true;
      }
      this.#raw(ch);
      this.#indention = false;
      breaks = false;
    }
    if (!breaks) this.#putBreak();
    this.#whitespace = true;
  }
  #processHead(): void {
    if (this.#head === '') return;
    this.#writeIndent();
    this.#writeComment(this.#head);
    this.#head = '';
  }
  #processFoot(): void {
    if (this.#foot === '') return;
    this.#writeIndent();
    this.#writeComment(this.#foot);
    this.#foot = '';
    this.#footIndent = this.#indent < 0 ? 0 : this.#indent;
  }
  /** The comments an event carries become pending when the event is reached. */
  #analyze(head: string, foot: string): void {
    if (head !== '') this.#head = head;
    if (foot !== '') this.#foot = foot;
  }

  // -- documents
  document(root: YNode, first: boolean): void {
    if (!first) {
      this.#writeIndent();
      this.#indicator('---', true, false, false);
      this.#writeIndent();
    }
    this.#analyzeStart(root);
    this.#processHead();
    this.#node(root, 'doc', false);
    if (root.kind === 'scalar') this.#processFoot();
    this.#footIndent = 0;
    this.#processFoot();
    this.#footIndent = -1;
    this.#writeIndent();
  }

  /** Emits a node whose start event was already analyzed. */
  #node(n: YNode, parent: Parent, simpleKey: boolean): void {
    if (n.kind === 'scalar') this.#scalar(n, parent, simpleKey);
    else if (n.kind === 'map') this.#mapping(n, parent);
    else this.#sequence(n, parent);
  }

  #mapping(n: MapNode, parent: Parent): void {
    if (this.#flowLevel > 0 || n.pairs.length === 0) {
      this.#flowEmpty('{', '}', n, parent);
      return;
    }
    // The parent finishes its own step (line and foot comments) before the first key arrives.
    this.#afterStart(parent);
    for (let i = 0; i < n.pairs.length; i++) {
      const [k, v] = at(n.pairs, i);
      this.#analyze(k.head, k.foot);
      if (i === 0) this.#increaseIndent(parent, false);
      this.#processHead();
      this.#writeIndent();
      const simple = !analyzeScalar(k.text).multiline && Buffer.byteLength(k.text) <= 128;
      if (simple) {
        this.#scalar(k, 'key', true);
        this.#analyzeStart(v);
        this.#indicator(':', false, false, false);
      } else {
        this.#indicator('?', true, false, true);
        this.#scalar(k, 'key', false);
        this.#analyzeStart(v);
        this.#writeIndent();
        this.#indicator(':', true, false, true);
      }
      this.#node(v, 'value', false);
      if (v.kind === 'scalar') this.#processFoot();
    }
    this.#analyze('', n.foot);
    this.#processHead();
    this.#popIndent();
  }

  #sequence(n: SeqNode, parent: Parent): void {
    if (this.#flowLevel > 0 || n.items.length === 0) {
      this.#flowEmpty('[', ']', n, parent);
      return;
    }
    this.#afterStart(parent);
    for (let i = 0; i < n.items.length; i++) {
      const item = at(n.items, i);
      this.#analyzeStart(item);
      if (i === 0) this.#increaseIndent(parent, false);
      this.#processHead();
      this.#writeIndent();
      this.#indicator('-', true, false, true);
      this.#node(item, 'item', false);
      if (item.kind === 'scalar') this.#processFoot();
    }
    this.#analyze('', n.foot);
    this.#popIndent();
  }

  /** After a collection's start event, the parent's step ends with its line/foot comments. */
  #afterStart(parent: Parent): void {
    if (parent === 'value' || parent === 'item' || parent === 'doc') this.#processFoot();
  }

  #analyzeStart(n: YNode): void {
    this.#analyze(n.head, n.kind === 'scalar' ? n.foot : '');
  }

  #flowEmpty(open: string, close: string, n: MapNode | SeqNode, parent: Parent): void {
    this.#afterStart(parent);
    this.#indicator(open, true, true, false);
    this.#increaseIndent('flow', true);
    this.#flowLevel++;
    this.#analyze('', n.foot);
    // go-yaml writes a pending head comment before `}` but not before `]`: the comments of a
    // comment-only list stay pending and surface at the next head-comment point (or are lost).
    if (open === '{') this.#processHead();
    this.#flowLevel--;
    this.#popIndent();
    this.#indicator(close, false, false, false);
    this.#processFoot();
  }

  #scalar(n: ScalarNode, parent: Parent, simpleKey: boolean): void {
    const a = analyzeScalar(n.text);
    let style = n.style;
    if (simpleKey && a.multiline) style = 'double';
    if (style === 'plain') {
      if (this.#flowLevel > 0 ? !a.flowPlainAllowed : !a.blockPlainAllowed) style = 'single';
      if (n.text === '' && (this.#flowLevel > 0 || simpleKey)) style = 'single';
    }
    if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
    if (style === 'literal' && (!a.blockAllowed || this.#flowLevel > 0 || simpleKey))
      style = 'double';
    this.#increaseIndent(parent, true);
    if (style === 'plain') this.#plain(n.text);
    else if (style === 'single') this.#single(n.text);
    else if (style === 'double') this.#double(n.text);
    else this.#literal(n.text);
    this.#popIndent();
  }

  #plain(s: string): void {
    if (s !== '' && !this.#whitespace) this.#raw(' ');
    this.#raw(s);
    if (s !== '') this.#whitespace = false;
    this.#indention = false;
  }

  #single(s: string): void {
    this.#indicator("'", true, false, false);
    let breaks = false;
    for (const ch of s) {
      const cp = ch.codePointAt(0) ?? 0;
      if (isBreak(cp)) {
        if (!breaks && ch === '\n') this.#putBreak();
        this.#writeBreak(ch);
        breaks = true;
        continue;
      }
      if (breaks) this.#writeIndent();
      this.#raw(ch === "'" ? "''" : ch);
      this.#indention = false;
      breaks = false;
    }
    this.#indicator("'", false, false, false);
    this.#whitespace = false;
    this.#indention = false;
  }

  #double(s: string): void {
    this.#indicator('"', true, false, false);
    let out = '';
    for (const ch of s) {
      const cp = ch.codePointAt(0) ?? 0;
      if (!isPrintable(cp) || cp === 0xfeff || isBreak(cp) || ch === '"' || ch === '\\')
        out += escape(cp);
      else out += ch;
    }
    this.#raw(out);
    this.#indicator('"', false, false, false);
    this.#whitespace = false;
    this.#indention = false;
  }

  #literal(s: string): void {
    this.#indicator('|', true, false, false);
    const first = s.codePointAt(0);
    if (first !== undefined && (first === 0x20 || isBreak(first))) {
      this.#indicator(String(this.#best), false, false, false);
    }
    const chomp = chompHint(s);
    // go-yaml marks "+" chomping open-ended, but writing the indicator clears the mark again.
    if (chomp !== '') this.#indicator(chomp, false, false, false);
    this.#whitespace = true;
    let breaks = true;
    // go-yaml lets a leading line break double as the header's line end, which drops it from
    // the value on reading back; write the header break so the text survives.
    if (first !== undefined && isBreak(first)) this.#putBreak();
    for (const ch of s) {
      const cp = ch.codePointAt(0) ?? 0;
      if (isBreak(cp)) {
        this.#writeBreak(ch);
        breaks = true;
      } else {
        if (breaks) this.#writeIndent();
        this.#raw(ch);
        this.#indention = false;
        breaks = false;
      }
    }
  }
}

function chompHint(s: string): string {
  if (s === '') return '-';
  const cps = Array.from(s, (c) => c.codePointAt(0) ?? 0);
  const last = cps.length - 1;
  if (!isBreak(at(cps, last))) return '-';
  if (last === 0) return '+';
  return isBreak(at(cps, last - 1)) ? '+' : '';
}

const NAMED_ESCAPES: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

function escape(cp: number): string {
  const named = NAMED_ESCAPES[cp];
  if (named !== undefined) return '\\' + named;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return '\\x' + hex.padStart(2, '0');
  if (cp <= 0xffff) return '\\u' + hex.padStart(4, '0');
  return '\\U' + hex.padStart(8, '0');
}

export interface YamlEmitOptions {
  /** Indentation (sops's stores.yaml.indent); go-yaml accepts 2–9 and falls back to 2. */
  readonly indent?: number;
}

/** Emits documents as sops does (each branch one document, separated by `---`). */
export function emitYaml(branches: readonly TreeMap[], opts: YamlEmitOptions = {}): string {
  const p = new Printer(opts.indent ?? 4);
  branches.forEach((b, i) => {
    p.document(mapNode(b), i === 0);
  });
  return p.result();
}

/** A non-mapping value as yaml.Marshal prints it (sops's EmitValue for `--extract`). */
export function emitYamlValue(v: Value): string {
  const p = new Printer(4);
  p.document(toNode(v), true);
  return p.result();
}
