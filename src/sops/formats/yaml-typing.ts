// go-yaml v3's typing of a scalar as sops sees it: plain text is resolved (int, float, bool, null,
// timestamp → time), quoted and block text is a string, explicit core tags are honoured.
import { SopsTime, type Value } from '../tree.ts';
import { resolvePlain, timestampText } from './yaml-scalar.ts';

/** Applies go-yaml's typing to a scalar: plain text is resolved, quoted/block text is a string. */
export function typeScalar(
  text: string,
  plain: boolean,
  tag: string | undefined,
  fail: (m: string) => Error,
): Value {
  const t = tag === undefined ? undefined : tag.replace(/^tag:yaml\.org,2002:/, '!!');
  if (t === '!!str' || t === '!!binary' || t === '!!timestamp' || t === '!') {
    if (t === '!!binary') return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
    return text;
  }
  if (t === undefined && !plain) return text;
  if (t !== undefined && !['!!int', '!!float', '!!bool', '!!null'].includes(t)) {
    // Unknown local tags keep their text as a string, as go-yaml does for interface{} targets.
    return plain ? valueOf(text) : text;
  }
  const r = resolvePlain(text);
  if (t === undefined) return valueOfResolved(r, text);
  const want = t.slice(2);
  if (want === 'float' && r.tag === 'int') return Number(r.value);
  if (r.tag !== want) throw fail(`cannot decode "${text}" as ${t}`);
  return valueOfResolved(r, text);
}

function valueOf(text: string): Value {
  return valueOfResolved(resolvePlain(text), text);
}

function valueOfResolved(r: ReturnType<typeof resolvePlain>, text: string): Value {
  // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- strings and "<<" keep their text
  switch (r.tag) {
    case 'null':
      return null;
    case 'bool':
      return r.value;
    case 'int':
      return r.value;
    case 'float':
      return r.value;
    case 'timestamp':
      // go-yaml decodes these to time.Time, which sops encrypts as type:time.
      return new SopsTime(timestampText(text));
    default:
      // Strings and "<<".
      return text;
  }
}
