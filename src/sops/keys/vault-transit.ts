// Vault transit master keys over Vault's HTTP API, as sops uses them: POST
// `<vault_address>/v1/<engine_path>/encrypt/<key_name>` with `{plaintext: base64(data key)}`, and
// `/decrypt/<key_name>` with `{ciphertext: "vault:vN:…"}`. The token comes from the key source
// (VAULT_TOKEN, or Flux's `sops.vault-token`), else ~/.vault-token.
//
// A file names the Vault address its key lives at, so opening an untrusted file would send the
// token wherever it points. With an allowlist configured (SOPS_HC_VAULT_ALLOWLIST, VAULT_ADDR),
// the token only goes to listed addresses.
import http from 'node:http';
import https from 'node:https';
import { SealbridgeError } from '../../errors.ts';
import { fieldOf, keyLabel, type MasterKey } from '../metadata.ts';
import { errnoOf, keyServiceError } from './cloud-common.ts';
import type { KeyContext, KeyService, WrapResult } from './registry.ts';

export interface VaultTransitOptions {
  /** Reads the fallback token (~/.vault-token); undefined when there is none. */
  readonly tokenFile?: (() => string | undefined) | undefined;
  /** Addresses (scheme://host[:port]) a token may be sent to; empty allows any. */
  readonly allowlist?: readonly string[] | undefined;
  /** X-Vault-Namespace (Vault Enterprise). */
  readonly namespace?: string | undefined;
  /** PEM CAs to trust for https addresses; unset uses the system roots. */
  readonly caPem?: string | undefined;
  /** Per-request deadline (default 30 s). */
  readonly timeoutMs?: number | undefined;
  /** Attempts per operation; 5xx, 429 and network failures are retried (default 3). */
  readonly attempts?: number | undefined;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const done = (): void => {
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const stop = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

const MAX_BODY = 1024 * 1024;
const VAULT_CIPHERTEXT = /^vault:v\d+:[A-Za-z0-9+/=]+$/;

/** The origin of an address, with the scheme's default port made explicit; undefined if invalid. */
export function vaultOrigin(address: string): string | undefined {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return `${url.protocol}//${url.hostname.toLowerCase()}:${port}`;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly retryAfter?: string | undefined;
}

function post(
  url: URL,
  token: string,
  payload: object,
  o: VaultTransitOptions,
  signal: AbortSignal | undefined,
): Promise<Reply> {
  const body = JSON.stringify(payload);
  const secure = url.protocol === 'https:';
  return new Promise<Reply>((resolve, reject) => {
    const req = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        // No keep-alive: a CLI must be free to exit as soon as it is done.
        agent: false,
        timeout: o.timeoutMs ?? 30_000,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          accept: 'application/json',
          'x-vault-token': token,
          'x-vault-request': 'true',
          ...(o.namespace === undefined || o.namespace === ''
            ? {}
            : { 'x-vault-namespace': o.namespace }),
        },
        ...(secure && o.caPem !== undefined ? { ca: o.caPem } : {}),
        ...(signal === undefined ? {} : { signal }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY)
            req.destroy(Object.assign(new Error('too large'), { code: 'ETOOLARGE' }));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          let parsed: unknown;
          try {
            const text = Buffer.concat(chunks).toString('utf8');
            parsed = text.trim() === '' ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          const ra = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            body: parsed,
            retryAfter: typeof ra === 'string' ? ra : undefined,
          });
        });
      },
    );
    req.on('timeout', () => {
      req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function hintFor(status: number): string | undefined {
  if (status === 403) return 'permission denied (check the token and its policy)';
  if (status === 404) return 'no transit engine or key at that path';
  if (status === 400)
    return 'Vault refused the request (a tampered or foreign ciphertext, or a wrong key)';
  if (status === 429) return 'rate limited';
  if (status >= 500) return 'Vault is unavailable or sealed';
  return undefined;
}

export class VaultTransitKeyService implements KeyService {
  readonly type = 'hc_vault' as const;
  readonly name = 'Vault transit';
  readonly #o: VaultTransitOptions;
  readonly #allowed: Set<string>;

  constructor(options: VaultTransitOptions = {}) {
    this.#o = options;
    this.#allowed = new Set(
      (options.allowlist ?? []).map((a) => vaultOrigin(a)).filter((a) => a !== undefined),
    );
  }

  async wrap(key: MasterKey, dataKey: Uint8Array, ctx: KeyContext): Promise<WrapResult> {
    const data = await this.#transit(key, ctx, 'encrypt', {
      plaintext: Buffer.from(dataKey).toString('base64'),
    });
    const ciphertext = data['ciphertext'];
    if (typeof ciphertext !== 'string' || !VAULT_CIPHERTEXT.test(ciphertext)) {
      throw keyServiceError('Vault transit', 'encrypt', keyLabel(key), {
        name: 'BadResponse',
        retryable: true,
        hint: 'Vault returned no vault:vN: ciphertext',
      });
    }
    return { enc: ciphertext };
  }

  async unwrap(key: MasterKey, ctx: KeyContext): Promise<Uint8Array> {
    const enc = fieldOf(key, 'enc');
    if (!VAULT_CIPHERTEXT.test(enc)) {
      throw new SealbridgeError(
        'CIPHERTEXT_MALFORMED',
        'the hc_vault enc field is not a vault:vN: ciphertext',
      );
    }
    const data = await this.#transit(key, ctx, 'decrypt', { ciphertext: enc });
    const plaintext = data['plaintext'];
    if (typeof plaintext !== 'string') {
      throw keyServiceError('Vault transit', 'decrypt', keyLabel(key), {
        name: 'BadResponse',
        retryable: true,
        hint: 'Vault returned no plaintext',
      });
    }
    return new Uint8Array(Buffer.from(plaintext, 'base64'));
  }

  #token(ctx: KeyContext): string {
    const fromSource = ctx.keys.secret('vault-token')?.trim();
    if (fromSource !== undefined && fromSource !== '') return fromSource;
    const fromFile = this.#o.tokenFile?.()?.trim();
    if (fromFile !== undefined && fromFile !== '') return fromFile;
    throw new SealbridgeError(
      'NO_MATCHING_KEY',
      'no Vault token available (set VAULT_TOKEN, create ~/.vault-token, or give sops.vault-token)',
    );
  }

  #url(key: MasterKey, op: 'encrypt' | 'decrypt'): URL {
    const address = fieldOf(key, 'vault_address');
    const origin = vaultOrigin(address);
    const engine = fieldOf(key, 'engine_path').replace(/^\/+|\/+$/g, '');
    const name = fieldOf(key, 'key_name');
    if (origin === undefined || engine === '' || name === '' || /[?#]/.test(engine + name)) {
      throw new SealbridgeError(
        'UNSUPPORTED_KEY',
        `${keyLabel(key)}: vault_address, engine_path and key_name must name a transit key`,
      );
    }
    if (this.#allowed.size > 0 && !this.#allowed.has(origin)) {
      throw new SealbridgeError(
        'UNSUPPORTED_KEY',
        `${keyLabel(key)}: ${origin} is not in the Vault allowlist (SOPS_HC_VAULT_ALLOWLIST); the token is not sent there`,
      );
    }
    const base = address.replace(/\/+$/, '');
    const path = `${engine.split('/').map(encodeURIComponent).join('/')}/${op}/${encodeURIComponent(name)}`;
    return new URL(`${base}/v1/${path}`);
  }

  async #attempt(
    req: { url: URL; token: string; payload: object },
    key: MasterKey,
    op: string,
    signal: AbortSignal | undefined,
  ): Promise<{ reply?: Reply; failure?: SealbridgeError }> {
    const { url, token, payload } = req;
    let reply: Reply;
    try {
      reply = await post(url, token, payload, this.#o, signal);
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason as Error;
      const errno = errnoOf(err) ?? 'ERROR';
      return {
        failure: keyServiceError('Vault transit', op, keyLabel(key), {
          name: errno,
          retryable: true,
          hint: 'Vault could not be reached',
        }),
      };
    }
    if (reply.status === 200) return { reply };
    return {
      failure: keyServiceError('Vault transit', op, keyLabel(key), {
        name: 'VaultError',
        status: reply.status,
        retryable: reply.status >= 500 || reply.status === 429,
        hint: hintFor(reply.status),
      }),
    };
  }

  async #transit(
    key: MasterKey,
    ctx: KeyContext,
    op: 'encrypt' | 'decrypt',
    payload: object,
  ): Promise<Record<string, unknown>> {
    const url = this.#url(key, op);
    const token = this.#token(ctx);
    const attempts = Math.max(1, this.#o.attempts ?? 3);
    let failure: SealbridgeError | undefined;
    let reply: Reply | undefined;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await pause(100 * 4 ** (i - 1), ctx.signal);
      ({ reply, failure } = await this.#attempt({ url, token, payload }, key, op, ctx.signal));
      if (failure === undefined || !failure.retryable) break;
    }
    if (failure !== undefined || reply === undefined)
      throw failure ?? new SealbridgeError('INTERNAL', 'no reply');
    const data = (reply.body as { data?: unknown } | undefined)?.data;
    if (typeof data !== 'object' || data === null) {
      throw keyServiceError('Vault transit', op, keyLabel(key), {
        name: 'BadResponse',
        retryable: true,
        hint: 'the answer has no data',
      });
    }
    return data as Record<string, unknown>;
  }
}
