// ESO's decodingStrategy. Base64 and Base64URL are strict (padding required, like Go's
// StdEncoding/URLEncoding), so `Auto` leaves ordinary text alone exactly as ESO does: it tries
// Base64, then Base64URL, and otherwise returns the bytes unchanged.
import { ProviderError } from './errors.ts';
import type { DecodingStrategy } from './types.ts';

const latin1 = new TextDecoder('latin1');
const STD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9_-]*={0,2}$/;

function strictDecode(bytes: Uint8Array, alphabet: RegExp): Uint8Array | undefined {
  // Go's decoder skips CR and LF anywhere; nothing else.
  const text = latin1.decode(bytes).replace(/[\r\n]/g, '');
  if (text.length % 4 !== 0 || !alphabet.test(text)) return undefined;
  const encoding = alphabet === STD ? 'base64' : 'base64url';
  return new Uint8Array(Buffer.from(text, encoding));
}

export function decodeValue(
  bytes: Uint8Array,
  strategy: DecodingStrategy | undefined,
  describe: () => string,
): Uint8Array {
  switch (strategy ?? 'None') {
    case 'None':
      return bytes;
    case 'Base64': {
      const out = strictDecode(bytes, STD);
      if (out === undefined) throw invalid('Base64', describe);
      return out;
    }
    case 'Base64URL': {
      const out = strictDecode(bytes, URL_SAFE);
      if (out === undefined) throw invalid('Base64URL', describe);
      return out;
    }
    case 'Auto':
      return strictDecode(bytes, STD) ?? strictDecode(bytes, URL_SAFE) ?? bytes;
  }
}

function invalid(strategy: string, describe: () => string): ProviderError {
  return new ProviderError(
    'PROVIDER_VALUE_INVALID',
    `${describe()}: value is not valid ${strategy} (decodingStrategy ${strategy})`,
  );
}
