// Label and field selectors in their string form, parsed the way the API server parses them.
// Supported: `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k>n`, `k<n`.

export type Requirement =
  | { readonly op: 'exists' | 'notexists'; readonly key: string }
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: ReadonlySet<string> }
  | { readonly op: 'gt' | 'lt'; readonly key: string; readonly value: number };

export type Selector = readonly Requirement[];

export class SelectorError extends Error {}

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  terms.push(cur);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function key(k: string, term: string): string {
  const t = k.trim();
  if (!KEY.test(t))
    throw new SelectorError(`unable to parse requirement: invalid label key "${term}"`);
  return t;
}

function value(v: string, term: string): string {
  const t = v.trim();
  if (!VALUE.test(t))
    throw new SelectorError(`unable to parse requirement: invalid label value "${term}"`);
  return t;
}

function parseSet(k: string, op: 'in' | 'notin', rest: string, term: string): Requirement {
  const m = /^\((.*)\)$/.exec(rest.trim());
  if (m === null) throw new SelectorError(`unable to parse requirement: "${term}"`);
  const values = new Set((m[1] ?? '').split(',').map((v) => value(v, term)));
  return { op, key: key(k, term), values };
}

function parseTerm(term: string): Requirement {
  if (term.startsWith('!')) return { op: 'notexists', key: key(term.slice(1), term) };
  const setMatch = /^(\S+)\s+(in|notin)\s*(\(.*\))$/.exec(term);
  if (setMatch !== null) {
    return parseSet(setMatch[1] ?? '', setMatch[2] as 'in' | 'notin', setMatch[3] ?? '', term);
  }
  const opMatch = /^([^!=<>\s]+)\s*(==|!=|=|>|<)\s*(.*)$/.exec(term);
  if (opMatch === null) return { op: 'exists', key: key(term, term) };
  const [, k = '', op = '', v = ''] = opMatch;
  if (op === '>' || op === '<') {
    const n = Number(v.trim());
    if (!Number.isInteger(n)) throw new SelectorError(`unable to parse requirement: "${term}"`);
    return { op: op === '>' ? 'gt' : 'lt', key: key(k, term), value: n };
  }
  const values = new Set([value(v, term)]);
  return { op: op === '!=' ? 'notin' : 'in', key: key(k, term), values };
}

export function parseLabelSelector(s: string | null | undefined): Selector {
  if (s === null || s === undefined || s.trim() === '') return [];
  return splitTerms(s).map(parseTerm);
}

export function matchesSelector(
  selector: Selector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  for (const r of selector) {
    const v = labels?.[r.key];
    switch (r.op) {
      case 'exists':
        if (v === undefined) return false;
        break;
      case 'notexists':
        if (v !== undefined) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.has(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.has(v)) return false;
        break;
      case 'gt':
      case 'lt': {
        const n = Number(v);
        if (v === undefined || !Number.isInteger(n)) return false;
        if (r.op === 'gt' ? n <= r.value : n >= r.value) return false;
        break;
      }
    }
  }
  return true;
}

export interface FieldRequirement {
  readonly path: readonly string[];
  readonly value: string;
  readonly negate: boolean;
}

/** `metadata.name=x,metadata.namespace!=y`; any dotted path of string-valued fields. */
export function parseFieldSelector(s: string | null | undefined): FieldRequirement[] {
  if (s === null || s === undefined || s.trim() === '') return [];
  return s.split(',').map((term) => {
    const m = /^\s*([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(term);
    if (m === null) throw new SelectorError(`invalid field selector: "${term}"`);
    return { path: (m[1] ?? '').split('.'), value: m[3] ?? '', negate: m[2] === '!=' };
  });
}

function fieldValue(obj: unknown, path: readonly string[]): string {
  let cur: unknown = obj;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return '';
}

export function matchesFields(reqs: readonly FieldRequirement[], obj: unknown): boolean {
  return reqs.every((r) => (fieldValue(obj, r.path) === r.value) !== r.negate);
}

/** The name a field selector pins, for an indexed lookup instead of a scan. */
export function pinnedName(reqs: readonly FieldRequirement[]): string | undefined {
  const r = reqs.find((q) => !q.negate && q.path.join('.') === 'metadata.name');
  return r?.value;
}
