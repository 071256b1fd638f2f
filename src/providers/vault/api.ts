// The Vault HTTP calls Sealbridge makes, on node-vault's read/write/list over our transport.
// Every call names its token explicitly (never node-vault's ambient client.token, which would
// otherwise default to $VAULT_TOKEN), and every failure becomes a ProviderError with the HTTP
// status only.
import nodeVault from 'node-vault';
import { ProviderError } from '../errors.ts';
import {
  createVaultTransport,
  VaultHttpError,
  VaultTransportError,
  type TransportOptions,
} from './transport.ts';

export interface AuthInfo {
  readonly token: string;
  /** Seconds; 0 means no expiry (root or periodic-less static tokens). */
  readonly ttlSeconds: number;
  readonly renewable: boolean;
}

export interface VaultApiOptions extends TransportOptions {
  readonly server: string;
  /** X-Vault-Namespace for data calls. */
  readonly namespace?: string;
  /** X-Vault-Namespace for login/renew/revoke (ESO's auth.namespace); default `namespace`. */
  readonly authNamespace?: string;
  readonly label: string;
}

type NodeVaultClient = ReturnType<typeof nodeVault>;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function vaultError(err: unknown, what: string, label: string): unknown {
  if (err instanceof VaultHttpError) {
    const s = err.status;
    const msg = `${label}: ${what}: Vault answered HTTP ${s}`;
    if (s === 401 || s === 403)
      return new ProviderError('PROVIDER_AUTH', `${msg} (permission denied)`);
    if (s === 404) return new ProviderError('PROVIDER_NOT_FOUND', `${msg} (not found)`);
    if (s === 429) return new ProviderError('PROVIDER_THROTTLED', msg, opt(err.retryAfterMs));
    if (s >= 500 || s === 412)
      return new ProviderError('PROVIDER_UNAVAILABLE', msg, opt(err.retryAfterMs));
    if (s === 400) return new ProviderError('PROVIDER_INVALID_CONFIG', `${msg} (bad request)`);
    return new ProviderError('PROVIDER_UNAVAILABLE', msg, { retryable: false });
  }
  if (err instanceof VaultTransportError) {
    return new ProviderError('PROVIDER_UNAVAILABLE', `${label}: ${what}: ${err.message}`);
  }
  return err;
}

function opt(retryAfterMs: number | undefined): { retryAfterMs?: number } {
  return retryAfterMs === undefined ? {} : { retryAfterMs };
}

function authInfo(body: unknown, label: string, what: string): AuthInfo {
  const auth = isObj(body) ? body['auth'] : undefined;
  const token = isObj(auth) ? auth['client_token'] : undefined;
  if (!isObj(auth) || typeof token !== 'string' || token === '') {
    throw new ProviderError('PROVIDER_AUTH', `${label}: ${what}: Vault returned no client token`);
  }
  const ttl = typeof auth['lease_duration'] === 'number' ? auth['lease_duration'] : 0;
  return { token, ttlSeconds: ttl, renewable: auth['renewable'] === true };
}

export class VaultApi {
  readonly #data: NodeVaultClient;
  readonly #auth: NodeVaultClient;
  readonly #close: () => void;
  readonly #label: string;

  constructor(options: VaultApiOptions) {
    const transport = createVaultTransport(options);
    this.#close = () => {
      transport.close();
    };
    this.#label = options.label;
    this.#data = this.#client(options.server, options.namespace, transport.requestPromise);
    this.#auth = this.#client(
      options.server,
      options.authNamespace ?? options.namespace,
      transport.requestPromise,
    );
  }

  #client(server: string, namespace: string | undefined, rp: unknown): NodeVaultClient {
    const client = nodeVault({
      endpoint: server.replace(/\/+$/, ''),
      apiVersion: 'v1',
      noCustomHTTPVerbs: true,
      'request-promise': rp,
      // node-vault's debug output would include request bodies (secret IDs, JWTs).
      debug: () => undefined,
    });
    // node-vault falls back to VAULT_TOKEN / VAULT_NAMESPACE / VAULT_PREFIX: pin all three.
    const mutable = client as unknown as { token: string; namespace: string; pathPrefix: string };
    mutable.token = '';
    mutable.namespace = namespace ?? '';
    mutable.pathPrefix = '';
    return client;
  }

  async read(path: string, token: string, signal: AbortSignal): Promise<unknown> {
    return (await this.#data.read(path, {
      headers: { 'X-Vault-Token': token },
      signal,
    })) as unknown;
  }

  /** LIST (as GET ?list=1); folder entries end with `/`. */
  async list(path: string, token: string, signal: AbortSignal): Promise<string[]> {
    const body = (await this.#data.list(path, {
      headers: { 'X-Vault-Token': token },
      signal,
    })) as unknown;
    const data = isObj(body) ? body['data'] : undefined;
    const keys = isObj(data) ? data['keys'] : undefined;
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
  }

  async login(
    mount: string,
    payload: Record<string, string>,
    signal: AbortSignal,
  ): Promise<AuthInfo> {
    const body = (await this.#auth.write(`auth/${mount}/login`, payload, {
      headers: {},
      signal,
    })) as unknown;
    this.#forgetAmbientToken();
    return authInfo(body, this.#label, `login at auth/${mount}`);
  }

  async renewSelf(
    token: string,
    incrementSeconds: number | undefined,
    signal: AbortSignal,
  ): Promise<AuthInfo> {
    const payload = incrementSeconds === undefined ? {} : { increment: `${incrementSeconds}s` };
    const body = (await this.#auth.write('auth/token/renew-self', payload, {
      headers: { 'X-Vault-Token': token },
      signal,
    })) as unknown;
    return authInfo(body, this.#label, 'token renewal');
  }

  async revokeSelf(token: string, signal: AbortSignal): Promise<void> {
    await this.#auth.write(
      'auth/token/revoke-self',
      {},
      { headers: { 'X-Vault-Token': token }, signal },
    );
  }

  async lookupSelf(
    token: string,
    signal: AbortSignal,
  ): Promise<{ ttlSeconds: number; renewable: boolean }> {
    const body = (await this.#auth.read('auth/token/lookup-self', {
      headers: { 'X-Vault-Token': token },
      signal,
    })) as unknown;
    const data = isObj(body) ? body['data'] : undefined;
    const ttl = isObj(data) && typeof data['ttl'] === 'number' ? data['ttl'] : 0;
    return { ttlSeconds: ttl, renewable: isObj(data) && data['renewable'] === true };
  }

  #forgetAmbientToken(): void {
    (this.#auth as unknown as { token: string }).token = '';
  }

  close(): void {
    this.#close();
  }
}
