// The output of one execution: text and raw bytes (binary secrets stay byte-exact), with a byte cap.
import { SealbridgeError } from '../errors.ts';
import type { GoBytes } from './values.ts';

export class Output {
  private readonly parts: (string | Uint8Array)[] = [];
  private size = 0;
  private binary = false;
  private readonly max: number;

  constructor(maxBytes: number) {
    this.max = maxBytes;
  }

  write(s: string | GoBytes): void {
    if (typeof s === 'string') {
      if (s.length === 0) return;
      this.grow(Buffer.byteLength(s, 'utf8'));
      this.parts.push(s);
      return;
    }
    this.grow(s.bytes.length);
    this.binary = true;
    this.parts.push(s.bytes);
  }

  private grow(n: number): void {
    this.size += n;
    if (this.size > this.max) {
      throw new SealbridgeError('TEMPLATE_EXEC', `template output exceeds ${this.max} bytes`);
    }
  }

  toBytes(): Uint8Array {
    return Buffer.concat(
      this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)),
    );
  }

  toText(): string {
    if (!this.binary) return this.parts.join('');
    return Buffer.from(this.toBytes()).toString('utf8');
  }
}
