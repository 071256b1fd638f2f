// dotenv as sops reads it: `KEY=VALUE` split at the first `=` with nothing trimmed or unquoted
// (sops #965), `\n` escapes for newlines, `#` lines as comments. All values are strings.
import { SealbridgeError } from '../../errors.ts';
import { Comment, SopsRawStr, TreeMap, TreeSeq, type Value } from '../tree.ts';

export function parseDotenv(src: string, file = 'input'): TreeMap {
  const m = new TreeMap();
  const lines = src.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? '';
    if (line.length === 0) continue;
    if (line.startsWith('#')) {
      m.items.push(new Comment(line.slice(1)));
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) {
      throw new SealbridgeError(
        'INVALID_INPUT',
        `${file}: invalid dotenv line ${n + 1}: no "=" found`,
      );
    }
    m.items.push({ key: line.slice(0, eq), value: line.slice(eq + 1).replaceAll('\\n', '\n') });
  }
  return m;
}

function text(v: Value, key: string): string {
  if (v instanceof TreeMap || v instanceof TreeSeq) {
    throw new SealbridgeError(
      'SOPS_FORMAT_UNSUPPORTED',
      `dotenv cannot hold the nested value at ${key}`,
    );
  }
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (v instanceof SopsRawStr) return Buffer.from(v.bytes).toString('utf8');
  if (typeof v === 'object') return Buffer.from('bytes' in v ? v.bytes : []).toString('utf8');
  return String(v);
}

export function emitDotenv(m: TreeMap): string {
  let out = '';
  for (const item of m.items) {
    if (item instanceof Comment) out += `#${item.value}\n`;
    else out += `${item.key}=${text(item.value, item.key).replaceAll('\n', '\\n')}\n`;
  }
  return out;
}
