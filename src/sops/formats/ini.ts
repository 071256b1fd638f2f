// INI as sops reads and writes it through go-ini: sections of string keys, a comment attaches to
// the section or key that follows it, inline `#`/`;` comments are cut, quoted and `"""` values
// are unquoted; output aligns `=` per section and quotes values the way go-ini does.
import { SealbridgeError } from '../../errors.ts';
import { Comment, SopsRawStr, TreeMap, TreeSeq, at, type Value } from '../tree.ts';

const DEFAULT_SECTION = 'DEFAULT';

interface IniKey {
  name: string;
  value: string;
  comment: string;
}
interface IniSection {
  name: string;
  comment: string;
  keys: IniKey[];
}

function stripCommentChar(c: string): string {
  if (c.startsWith(';')) return c.replace(/^[; ]+/, '');
  if (c.startsWith('#')) return c.replace(/^[# ]+/, '');
  return c;
}

function unquoteKey(k: string): string {
  if (
    k.length >= 2 &&
    ((k.startsWith('"') && k.endsWith('"')) || (k.startsWith('`') && k.endsWith('`')))
  )
    return k.slice(1, -1);
  if (k.length >= 6 && k.startsWith('"""') && k.endsWith('"""')) return k.slice(3, -3);
  return k;
}

/** Parses INI text into go-ini's model: ordered sections with their keys and comments. */
function parseSections(src: string, file: string): IniSection[] {
  const lines = src.replace(/^\uFEFF/, '').split(/\r?\n/);
  const sections: IniSection[] = [{ name: DEFAULT_SECTION, comment: '', keys: [] }];
  let cur = at(sections, 0);
  let comment: string[] = [];
  const fail = (n: number, msg: string): SealbridgeError =>
    new SealbridgeError('INVALID_INPUT', `${file}: invalid INI at line ${n + 1}: ${msg}`);
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] ?? '').trim();
    if (line === '') continue;
    if (line.startsWith('#') || line.startsWith(';')) {
      comment.push(line);
      continue;
    }
    if (line.startsWith('[')) {
      const close = line.indexOf(']');
      if (close < 0) throw fail(n, 'unclosed section header');
      const name = line.slice(1, close).trim();
      let sec = sections.find((s) => s.name === name);
      if (sec === undefined) {
        sec = { name, comment: '', keys: [] };
        sections.push(sec);
      }
      if (comment.length > 0) sec.comment = comment.join('\n');
      comment = [];
      cur = sec;
      continue;
    }
    const delim = line.search(/[=:]/);
    if (delim < 0) throw fail(n, 'key-value delimiter not found');
    const name = unquoteKey(line.slice(0, delim).trim());
    const keyComment = comment.join('\n');
    comment = [];
    let rest = line.slice(delim + 1).trim();
    let value: string;
    if (rest.startsWith('"""')) {
      let body = rest.slice(3);
      let end = body.indexOf('"""');
      while (end < 0) {
        n++;
        if (n >= lines.length) throw fail(n - 1, 'unterminated """ value');
        body += '\n' + (lines[n] ?? '');
        end = body.indexOf('"""');
      }
      value = body.slice(0, end);
    } else if (rest.startsWith('`')) {
      const end = rest.indexOf('`', 1);
      if (end < 0) throw fail(n, 'unterminated ` value');
      value = rest.slice(1, end);
    } else {
      while (rest.endsWith('\\') && n + 1 < lines.length) {
        rest = rest.slice(0, -1) + (lines[++n] ?? '').trim();
      }
      const hash = rest.search(/[#;]/);
      if (hash >= 0) {
        comment.push(rest.slice(hash));
        rest = rest.slice(0, hash).trim();
      }
      if (
        rest.length >= 2 &&
        ((rest.startsWith('"') && rest.endsWith('"')) ||
          (rest.startsWith("'") && rest.endsWith("'")))
      ) {
        rest = rest.slice(1, -1);
      }
      value = rest;
    }
    const existing = cur.keys.find((k) => k.name === name);
    if (existing) existing.value = value;
    else cur.keys.push({ name, value, comment: keyComment });
  }
  return sections;
}

export function parseIni(src: string, file = 'input'): TreeMap {
  const root = new TreeMap();
  for (const sec of parseSections(src, file)) {
    const items = new TreeMap();
    if (sec.comment !== '') items.items.push(new Comment(stripCommentChar(sec.comment)));
    for (const k of sec.keys) {
      items.items.push({ key: k.name, value: k.value });
      if (k.comment !== '') items.items.push(new Comment(stripCommentChar(k.comment)));
    }
    root.items.push({ key: sec.name, value: items });
  }
  return root;
}

function valText(v: Value, where: string): string {
  if (v instanceof TreeMap || v instanceof TreeSeq) {
    throw new SealbridgeError(
      'SOPS_FORMAT_UNSUPPORTED',
      `INI cannot hold the nested value at ${where}`,
    );
  }
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'number') return v.toFixed(6);
  if (v instanceof SopsRawStr) return Buffer.from(v.bytes).toString('utf8');
  if (typeof v === 'object') return 'text' in v ? v.text : Buffer.from(v.bytes).toString('utf8');
  return String(v);
}

function commentLines(c: string, trim: boolean): string {
  return (
    c
      .split('\n')
      .map((l) => {
        if (l === '') return ';';
        if (l[0] !== '#' && l[0] !== ';') return '; ' + (trim ? l.trim() : l);
        return l[0] + ' ' + l.slice(1).trim();
      })
      .join('\n') + '\n'
  );
}

/** Writes sections like go-ini's WriteTo with pretty alignment and section spacing. */
export function emitIni(root: TreeMap): string {
  const sections: IniSection[] = [{ name: DEFAULT_SECTION, comment: '', keys: [] }];
  for (const item of root.items) {
    if (item instanceof Comment) continue;
    if (!(item.value instanceof TreeMap)) {
      throw new SealbridgeError(
        'SOPS_FORMAT_UNSUPPORTED',
        `INI top-level values must be sections, ${item.key} is not`,
      );
    }
    let sec = sections.find((s) => s.name === item.key);
    if (sec === undefined) {
      sec = { name: item.key, comment: '', keys: [] };
      sections.push(sec);
    }
    const entries = item.value.items;
    let first = 0;
    const head = entries[0];
    if (head instanceof Comment) {
      sec.comment = head.value;
      first = 1;
    }
    let last: IniKey | undefined;
    for (let i = first; i < entries.length; i++) {
      const e = at(entries, i);
      if (e instanceof Comment) {
        if (last) last.comment = e.value;
        continue;
      }
      const value = valText(e.value, `${item.key}.${e.key}`);
      const existing = sec.keys.find((k) => k.name === e.key);
      if (existing) {
        existing.value = value;
        last = existing;
      } else {
        last = { name: e.key, value, comment: '' };
        sec.keys.push(last);
      }
    }
  }
  let out = '';
  sections.forEach((sec, i) => {
    if (sec.comment !== '') out += commentLines(sec.comment, false);
    if (i === 0 && sec.name === DEFAULT_SECTION && sec.keys.length === 0) return;
    if (i > 0 || sec.name !== DEFAULT_SECTION) out += `[${sec.name}]\n`;
    const display = sec.keys.map((k) => {
      if (k.name.includes('"') || k.name.includes('=')) return '`' + k.name + '`';
      if (k.name.includes('`')) return '"""' + k.name + '"""';
      return k.name;
    });
    const align = Math.max(0, ...display.map((d) => d.length));
    sec.keys.forEach((k, j) => {
      if (k.comment !== '') out += commentLines(k.comment, true);
      let val = k.value;
      if (/[\n`]/.test(val)) val = '"""' + val + '"""';
      else if (/[#;]/.test(val)) val = '`' + val + '`';
      else if (val.trim().length !== val.length) val = '"' + val + '"';
      const name = at(display, j);
      out += name + ' '.repeat(align - name.length) + ' = ' + val + '\n';
    });
    if (i < sections.length - 1) out += '\n';
  });
  return out;
}
