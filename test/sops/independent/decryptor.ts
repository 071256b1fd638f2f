// An independent SOPS decryptor written from the format description (shared/reference/sops.md),
// sharing no code with src/: node:crypto for AES-256-GCM and SHA-512, age-encryption for the
// data key. It reads the JSON layout (sops's JSON store) and checks the MAC.
import { createDecipheriv, createHash } from 'node:crypto';
import { Decrypter, armor } from 'age-encryption';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ENC = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]$/;

function openValue(key: Buffer, enc: string, aad: string): Json {
  const m = ENC.exec(enc);
  if (!m) throw new Error(`not an ENC value at ${aad}`);
  const [, data, iv, tag, type = ''] = m;
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv!, 'base64'));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(Buffer.from(tag!, 'base64'));
  const text = Buffer.concat([d.update(Buffer.from(data!, 'base64')), d.final()]).toString('utf8');
  switch (type) {
    case 'str':
      return text;
    case 'int':
    case 'float':
      return Number(text);
    case 'bool':
      return text === 'True';
    default:
      throw new Error(`unexpected type ${type}`);
  }
}

/** The text sops hashes for a leaf; numbers here are small or non-integral. */
function macText(v: Json): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  throw new Error('not a leaf');
}

export async function independentDecrypt(
  fileText: string,
  ageIdentity: string,
): Promise<{ [k: string]: Json }> {
  const doc = JSON.parse(fileText) as { [k: string]: Json };
  const meta = doc['sops'] as { [k: string]: Json };
  delete doc['sops'];
  const age = (meta['age'] as { enc: string }[] | undefined) ?? [];
  const dec = new Decrypter();
  dec.addIdentity(ageIdentity);
  let key: Buffer | undefined;
  for (const entry of age) {
    try {
      key = Buffer.from(await dec.decrypt(armor.decode(entry.enc)));
      break;
    } catch {
      // try the next entry
    }
  }
  if (key === undefined) throw new Error('no age entry opens');
  const suffix =
    (meta['unencrypted_suffix'] as string | undefined) ??
    (meta['encrypted_regex'] ? undefined : '_unencrypted');
  const encRegex = meta['encrypted_regex']
    ? new RegExp(meta['encrypted_regex'] as string)
    : undefined;
  const hash = createHash('sha512');
  const walk = (v: Json, path: string[]): Json => {
    if (Array.isArray(v)) return v.map((x) => walk(x, path));
    if (v !== null && typeof v === 'object') {
      const out: { [k: string]: Json } = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, [...path, k]);
      return out;
    }
    if (v === null) return null;
    let encrypted = true;
    if (suffix !== undefined && path.some((p) => p.endsWith(suffix))) encrypted = false;
    if (encRegex !== undefined) encrypted = path.some((p) => encRegex.test(p));
    const aad = path.join(':') + ':';
    const plain = encrypted && v !== '' ? openValue(key, v as string, aad) : v;
    if (plain !== '') hash.update(macText(plain));
    return plain;
  };
  const result = walk(doc, []) as { [k: string]: Json };
  const mac = openValue(key, meta['mac'] as string, meta['lastmodified'] as string);
  if (mac !== hash.digest('hex').toUpperCase()) throw new Error('MAC mismatch');
  return result;
}
