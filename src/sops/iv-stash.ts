// sops reuses the IV of a value whose plaintext, type and path are unchanged when a file is
// re-encrypted with the same data key (edit, set, updatekeys), so unchanged lines keep their
// ciphertext and Git diffs stay small. Decryption fills the stash; encryption consults it.

export class IvStash {
  readonly #ivs = new Map<string, Uint8Array>();

  static #key(type: string, plaintext: Uint8Array | string, aad: string): string {
    const text =
      typeof plaintext === 'string' ? plaintext : Buffer.from(plaintext).toString('latin1');
    return `${type}\u0000${aad}\u0000${text}`;
  }

  remember(type: string, plaintext: Uint8Array | string, aad: string, iv: Uint8Array): void {
    this.#ivs.set(IvStash.#key(type, plaintext, aad), iv);
  }

  lookup(type: string, plaintext: Uint8Array | string, aad: string): Uint8Array | undefined {
    if (this.#ivs.size === 0) return undefined;
    return this.#ivs.get(IvStash.#key(type, plaintext, aad));
  }

  get size(): number {
    return this.#ivs.size;
  }
}
