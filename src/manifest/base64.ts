// Strict standard base64, as Kubernetes (Go's StdEncoding) and Sealed Secrets accept it: the
// standard alphabet with `=` padding; CR and LF are ignored like Go's decoder does. Node's own
// Buffer.from(s, 'base64') silently skips bad characters, which would hide corrupted input.

const STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes strict base64, or returns undefined when `text` is not valid. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const compact = text.includes('\n') || text.includes('\r') ? text.replace(/[\r\n]/g, '') : text;
  if (!STRICT.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
