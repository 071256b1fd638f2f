// Vault transit encrypt/decrypt with real AES-256-GCM, `vault:v<N>:` ciphertexts and key
// versions, for the SOPS hc_vault key service.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Reply } from './server.ts';

export class TransitEngine {
  /** key name → versions (index 0 = v1). */
  readonly keys = new Map<string, Buffer[]>();

  createKey(name: string): void {
    if (!this.keys.has(name)) this.keys.set(name, [randomBytes(32)]);
  }

  rotateKey(name: string): void {
    this.createKey(name);
    this.keys.get(name)!.push(randomBytes(32));
  }

  handle(op: string, path: string, body: Record<string, unknown>): Reply {
    const name = path.split('/').slice(2).join('/');
    if (op === 'transit:encrypt') {
      const plaintext = body['plaintext'];
      if (typeof plaintext !== 'string')
        return { status: 400, body: { errors: ['missing plaintext to encrypt'] } };
      this.createKey(name);
      const versions = this.keys.get(name)!;
      const key = versions.at(-1)!;
      const nonce = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, nonce);
      const ct = Buffer.concat([
        c.update(Buffer.from(plaintext, 'base64')),
        c.final(),
        c.getAuthTag(),
      ]);
      const ciphertext = `vault:v${versions.length}:${Buffer.concat([nonce, ct]).toString('base64')}`;
      return { status: 200, body: { data: { ciphertext, key_version: versions.length } } };
    }
    const ciphertext = body['ciphertext'];
    const m =
      typeof ciphertext === 'string' ? /^vault:v(\d+):([A-Za-z0-9+/=]+)$/.exec(ciphertext) : null;
    if (m === null) return { status: 400, body: { errors: ['invalid ciphertext: no prefix'] } };
    const key = this.keys.get(name)?.[Number(m[1]) - 1];
    if (key === undefined) return { status: 400, body: { errors: ['invalid key version'] } };
    const raw = Buffer.from(m[2] ?? '', 'base64');
    try {
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(raw.length - 16));
      const pt = Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]);
      return { status: 200, body: { data: { plaintext: pt.toString('base64') } } };
    } catch {
      return { status: 400, body: { errors: ['cipher: message authentication failed'] } };
    }
  }
}
