// The go-yaml v3 node model sops builds from a tree (its YAML store's appendTreeBranch): comments
// become head comments of the next key or item, trailing comments the foot comment of the last
// value, and every scalar gets the style go-yaml's marshaller picks for it.
import { goFloatG } from '../go-format.ts';
import { Comment, SopsTime, TreeMap, TreeSeq, at, type Scalar, type Value } from '../tree.ts';
import { analyzeScalar, canUsePlain } from './yaml-scalar.ts';

export type Style = 'plain' | 'single' | 'double' | 'literal';

export interface ScalarNode {
  readonly kind: 'scalar';
  readonly text: string;
  readonly style: Style;
  head: string;
  foot: string;
}
export interface MapNode {
  readonly kind: 'map';
  readonly pairs: [ScalarNode, YNode][];
  head: string;
  foot: string;
}
export interface SeqNode {
  readonly kind: 'seq';
  readonly items: YNode[];
  head: string;
  foot: string;
}
export type YNode = ScalarNode | MapNode | SeqNode;

// ---------------------------------------------------------------- tree → nodes (sops's store)

function commentText(lines: string[]): string {
  return '#' + lines.join('\n#');
}

function addHead(node: YNode, lines: string[]): void {
  if (lines.length === 0) return;
  const c = commentText(lines);
  node.head = node.head === '' ? c : c + '\n' + node.head;
}

function addFoot(node: YNode, lines: string[]): void {
  if (lines.length === 0) return;
  const c = commentText(lines);
  node.foot = node.foot === '' ? c : node.foot + '\n' + c;
}

/** The style go-yaml picks when it marshals a Go string at the document root. */
function stringStyle(s: string): Style {
  const a = analyzeScalar(s);
  if (s.includes('\n')) return a.blockAllowed ? 'literal' : 'double';
  if (!canUsePlain(s)) return 'double';
  if (a.blockPlainAllowed) return 'plain';
  return a.singleQuotedAllowed ? 'single' : 'double';
}

function scalarNode(v: Scalar): ScalarNode {
  let text: string;
  let style: Style = 'plain';
  if (typeof v === 'string') {
    text = v;
    style = stringStyle(v);
  } else if (v === null) text = 'null';
  else if (typeof v === 'boolean') text = v ? 'true' : 'false';
  else if (typeof v === 'bigint') text = v.toString();
  else if (typeof v === 'number') {
    text = Number.isNaN(v)
      ? '.nan'
      : v === Infinity
        ? '.inf'
        : v === -Infinity
          ? '-.inf'
          : goFloatG(v);
  } else if (v instanceof SopsTime) text = v.text;
  else {
    text = Buffer.from(v.bytes).toString('utf8');
    style = stringStyle(text);
  }
  return { kind: 'scalar', text, style, head: '', foot: '' };
}

export function toNode(v: Value): YNode {
  if (v instanceof TreeMap) return mapNode(v);
  if (v instanceof TreeSeq) return seqNode(v);
  return scalarNode(v);
}

export function mapNode(m: TreeMap): MapNode {
  const node: MapNode = { kind: 'map', pairs: [], head: '', foot: '' };
  let pending: string[] = [];
  let beginning = true;
  for (const item of m.items) {
    if (item instanceof Comment) {
      pending.push(item.value);
      continue;
    }
    if (beginning) {
      addHead(node, pending);
      pending = [];
      beginning = false;
    }
    const key = scalarNode(item.key);
    addHead(key, pending);
    pending = [];
    node.pairs.push([key, toNode(item.value)]);
  }
  if (pending.length > 0) {
    if (beginning) addHead(node, pending);
    else addFoot(at(node.pairs, node.pairs.length - 1)[1], pending);
  }
  return node;
}

function seqNode(s: TreeSeq): SeqNode {
  const node: SeqNode = { kind: 'seq', items: [], head: '', foot: '' };
  let pending: string[] = [];
  let beginning = true;
  for (const item of s.items) {
    if (item instanceof Comment) {
      pending.push(item.value);
      continue;
    }
    if (beginning) {
      addHead(node, pending);
      pending = [];
      beginning = false;
    }
    const child = toNode(item);
    addHead(child, pending);
    pending = [];
    node.items.push(child);
  }
  if (pending.length > 0) {
    if (beginning) addHead(node, pending);
    else addFoot(at(node.items, node.items.length - 1), pending);
  }
  return node;
}
