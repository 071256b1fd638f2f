// Vault KV v1/v2 behind the ProviderBackend contract: reads (with ?version= on v2), custom
// metadata for metadataPolicy Fetch, and recursive LIST for find. One token per client, from
// VaultTokenManager; a 403 on a token we created triggers one fresh login, not a loop.
import type { VaultProvider } from '../../api/secret-store.ts';
import type { BackendInit } from '../backend.ts';
import { ProviderError, isProviderError } from '../errors.ts';
import type { FetchRequest, FindSpec, ProviderBackend, RemoteValue } from '../types.ts';
import { VaultApi, vaultError } from './api.ts';
import { tokenSource } from './auth.ts';
import { findVaultSecrets } from './find.ts';
import { dataPath, encodePath, locate, metadataPath } from './paths.ts';
import { VaultTokenManager } from './token.ts';

const utf8 = new TextEncoder();

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonValue(obj: Record<string, unknown>): RemoteValue {
  return { bytes: utf8.encode(JSON.stringify(obj)), json: obj };
}

interface Session {
  readonly api: VaultApi;
  readonly tokens: VaultTokenManager;
}

export class VaultBackend implements ProviderBackend {
  readonly kind = 'vault' as const;
  readonly #init: BackendInit<VaultProvider>;
  #session: Promise<Session> | undefined;

  constructor(init: BackendInit<VaultProvider>) {
    this.#init = init;
  }

  async fetch(req: FetchRequest, signal: AbortSignal): Promise<RemoteValue> {
    const spec = this.#init.spec;
    const loc = locate(spec.path, req.key, spec.version);
    const what = `read of key ${JSON.stringify(req.key)}`;
    if (req.metadata) {
      if (spec.version !== 'v2') {
        throw new ProviderError(
          'PROVIDER_INVALID_CONFIG',
          `${this.#init.label}: metadataPolicy Fetch needs KV v2`,
        );
      }
      const body = await this.read(metadataPath(loc), 'read-metadata', what, signal);
      const data = isObj(body) ? body['data'] : undefined;
      const custom = isObj(data) && isObj(data['custom_metadata']) ? data['custom_metadata'] : {};
      return jsonValue(custom);
    }
    let path = dataPath(loc, spec.version);
    if (spec.version === 'v2' && req.version !== undefined) {
      if (!/^\d+$/.test(req.version)) {
        throw new ProviderError(
          'PROVIDER_INVALID_CONFIG',
          `${this.#init.label}: key ${JSON.stringify(req.key)}: version must be a number`,
        );
      }
      path += `?version=${req.version}`;
    }
    const body = await this.read(path, 'read', what, signal);
    const outer = isObj(body) ? body['data'] : undefined;
    const data = spec.version === 'v2' ? (isObj(outer) ? outer['data'] : undefined) : outer;
    // KV v2 answers a deleted (not destroyed) version with data: null.
    if (!isObj(data)) {
      throw new ProviderError(
        'PROVIDER_NOT_FOUND',
        `${this.#init.label}: key ${JSON.stringify(req.key)} has no data`,
      );
    }
    return jsonValue(data);
  }

  list(spec: FindSpec, signal: AbortSignal): Promise<string[]> {
    return findVaultSecrets(this, this.#init.spec, spec, signal);
  }

  /** LIST a folder; [] when it does not exist. */
  async listFolder(path: string, signal: AbortSignal): Promise<string[]> {
    return this.#withToken(
      'list',
      `list of ${JSON.stringify(path)}`,
      signal,
      async (api, token, s) => {
        try {
          return await api.list(encodePath(path), token, s);
        } catch (err) {
          const mapped = vaultError(err, 'list', this.#init.label);
          if (isProviderError(mapped) && mapped.code === 'PROVIDER_NOT_FOUND') return [];
          throw err;
        }
      },
    );
  }

  async read(path: string, call: string, what: string, signal: AbortSignal): Promise<unknown> {
    const [p, query] = path.split('?', 2) as [string, string | undefined];
    const full = query === undefined ? encodePath(p) : `${encodePath(p)}?${query}`;
    return this.#withToken(call, what, signal, (api, token, s) => api.read(full, token, s));
  }

  async validate(signal: AbortSignal): Promise<void> {
    await this.#withToken('lookup-self', 'token lookup', signal, (api, token, s) =>
      api.lookupSelf(token, s),
    );
  }

  async close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined) return;
    let s: Session;
    try {
      s = await session;
    } catch {
      return;
    }
    try {
      await s.tokens.close(new AbortController().signal);
    } catch (err) {
      this.#init.ctx.logger.warn(
        { code: isProviderError(err) ? err.code : 'error' },
        'revoking the vault token on close failed',
      );
    } finally {
      s.api.close();
    }
  }

  async #withToken<T>(
    call: string,
    what: string,
    signal: AbortSignal,
    fn: (api: VaultApi, token: string, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const { api, tokens } = await this.#sessionFor();
    for (let attempt = 0; ; attempt++) {
      // The token is obtained outside the call's concurrency slot: a login takes a slot itself.
      const token = await tokens.token(signal);
      try {
        return await this.#init.runner.call(call, signal, async (s) => {
          try {
            return await fn(api, token, s);
          } catch (err) {
            throw vaultError(err, what, this.#init.label);
          }
        });
      } catch (err) {
        // A token we created can be revoked or expire early server-side: log in once more.
        const authFailure = isProviderError(err) && err.code === 'PROVIDER_AUTH';
        if (!authFailure || tokens.isStatic || attempt > 0 || signal.aborted) throw err;
        tokens.invalidate(token);
      }
    }
  }

  #sessionFor(): Promise<Session> {
    this.#session ??= this.#open().catch((err: unknown) => {
      this.#session = undefined;
      throw err;
    });
    return this.#session;
  }

  async #open(): Promise<Session> {
    const { spec, ctx, creds, runner, lifetime, label } = this.#init;
    const ca = await this.#caBundle(lifetime);
    const api = new VaultApi({
      server: spec.server,
      label,
      nowMs: () => ctx.clock.now(),
      ...(spec.namespace === undefined ? {} : { namespace: spec.namespace }),
      ...(spec.auth.namespace === undefined ? {} : { authNamespace: spec.auth.namespace }),
      ...(ca === undefined ? {} : { ca }),
      ...(spec.headers === undefined ? {} : { headers: spec.headers }),
      ...(spec.readYourWrites === undefined ? {} : { readYourWrites: spec.readYourWrites }),
      ...(spec.forwardInconsistent === undefined
        ? {}
        : { forwardInconsistent: spec.forwardInconsistent }),
    });
    const source = tokenSource(spec.auth, api, runner, creds);
    return { api, tokens: new VaultTokenManager(source, ctx.clock, ctx.logger, lifetime) };
  }

  async #caBundle(signal: AbortSignal): Promise<string | undefined> {
    const { spec, creds } = this.#init;
    if (spec.caBundle !== undefined) return Buffer.from(spec.caBundle, 'base64').toString('utf8');
    const p = spec.caProvider;
    if (p === undefined) return undefined;
    const field = 'spec.provider.vault.caProvider';
    return p.type === 'Secret'
      ? creds.secretString(
          {
            name: p.name,
            key: p.key,
            ...(p.namespace === undefined ? {} : { namespace: p.namespace }),
          },
          field,
          signal,
        )
      : creds.configMapString(p, field, signal);
  }
}
