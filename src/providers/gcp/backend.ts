// GCP Secret Manager behind the ProviderBackend contract: AccessSecretVersion for `latest` or a
// numbered version (with LatestOrFetch falling back to the newest enabled version), GetSecret
// for labels/annotations (metadataPolicy Fetch), ListSecrets for find. gax's own retries are
// off: the store's CallRunner retries, so backoff is per store and there is no global lock.
import type { GCPSMProvider } from '../../api/secret-store.ts';
import type { BackendInit } from '../backend.ts';
import { ProviderError, isProviderError } from '../errors.ts';
import { compileFindRegexp } from '../find-regexp.ts';
import type { FetchRequest, FindSpec, ProviderBackend, RemoteValue } from '../types.ts';
import { createGcpClient, type GcpClient } from './client.ts';
import { crc32c } from './crc32c.ts';
import { gcpError } from './errors.ts';

const utf8 = new TextEncoder();
const MAX_SECRETS = 10_000;

export class GcpBackend implements ProviderBackend {
  readonly kind = 'gcp' as const;
  readonly #init: BackendInit<GCPSMProvider>;
  #client: Promise<GcpClient> | undefined;

  constructor(init: BackendInit<GCPSMProvider>) {
    this.#init = init;
  }

  async fetch(req: FetchRequest, signal: AbortSignal): Promise<RemoteValue> {
    const { client, projectId } = await this.#connect();
    const secret = this.#secretName(projectId, req.key);
    if (req.metadata) {
      const [s] = await this.#call('GetSecret', req.key, signal, (opts) =>
        client.getSecret({ name: secret }, opts),
      );
      const meta = { annotations: { ...(s.annotations ?? {}) }, labels: { ...(s.labels ?? {}) } };
      return { bytes: utf8.encode(JSON.stringify(meta)), json: meta };
    }
    const version = req.version ?? 'latest';
    try {
      return await this.#access(`${secret}/versions/${version}`, req.key, signal);
    } catch (err) {
      const fetchNewest =
        version === 'latest' &&
        this.#init.spec.secretVersionSelectionPolicy === 'LatestOrFetch' &&
        isProviderError(err) &&
        err.code === 'PROVIDER_NOT_FOUND';
      if (!fetchNewest) throw err;
      const newest = await this.#newestEnabled(secret, req.key, signal);
      if (newest === undefined) throw err;
      return this.#access(newest, req.key, signal);
    }
  }

  async list(spec: FindSpec, signal: AbortSignal): Promise<string[]> {
    const { label } = this.#init;
    if (spec.path !== undefined && spec.path !== '') {
      throw new ProviderError(
        'PROVIDER_INVALID_CONFIG',
        `${label}: find.path is not supported by GCP Secret Manager`,
      );
    }
    const { client, projectId } = await this.#connect();
    const regexp = spec.name === undefined ? undefined : compileFindRegexp(spec.name.regexp, label);
    const filter = Object.entries(spec.tags ?? {})
      .map(([k, v]) => `labels.${k}=${JSON.stringify(v)}`)
      .join(' AND ');
    const parent =
      this.#init.spec.location === undefined
        ? `projects/${projectId}`
        : `projects/${projectId}/locations/${this.#init.spec.location}`;
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const token = pageToken;
      const [secrets, , response] = await this.#call('ListSecrets', '(find)', signal, (opts) =>
        client.listSecrets(
          {
            parent,
            pageSize: 250,
            ...(filter === '' ? {} : { filter }),
            ...(token === undefined ? {} : { pageToken: token }),
          },
          { ...opts, autoPaginate: false },
        ),
      );
      for (const s of secrets) {
        const id = (s.name ?? '').split('/').pop() ?? '';
        if (id !== '' && (regexp === undefined || regexp.test(id))) names.push(id);
      }
      if (names.length > MAX_SECRETS) {
        throw new ProviderError(
          'PROVIDER_INVALID_CONFIG',
          `${label}: find matched more than ${MAX_SECRETS} secrets`,
        );
      }
      pageToken = response.nextPageToken ?? undefined;
    } while (pageToken !== undefined && pageToken !== '');
    return names.sort();
  }

  async validate(signal: AbortSignal): Promise<void> {
    await this.#init.runner.call('credentials', signal, () => this.#connect());
  }

  async close(): Promise<void> {
    const pending = this.#client;
    this.#client = undefined;
    if (pending === undefined) return;
    try {
      await (await pending).client.close();
    } catch {
      // A client that never connected has nothing to close.
    }
  }

  #connect(): Promise<GcpClient> {
    this.#client ??= createGcpClient(this.#init).catch((err: unknown) => {
      this.#client = undefined;
      throw err;
    });
    return this.#client;
  }

  #secretName(projectId: string, key: string): string {
    if (key.startsWith('projects/')) return key.replace(/\/versions\/[^/]+$/, '');
    const loc = this.#init.spec.location;
    return loc === undefined
      ? `projects/${projectId}/secrets/${key}`
      : `projects/${projectId}/locations/${loc}/secrets/${key}`;
  }

  async #access(name: string, key: string, signal: AbortSignal): Promise<RemoteValue> {
    const { client } = await this.#connect();
    const [res] = await this.#call('AccessSecretVersion', key, signal, (opts) =>
      client.accessSecretVersion({ name }, opts),
    );
    const data = res.payload?.data;
    const bytes =
      typeof data === 'string'
        ? utf8.encode(data)
        : data instanceof Uint8Array
          ? new Uint8Array(data)
          : new Uint8Array(0);
    const sum = res.payload?.dataCrc32c;
    if (sum !== undefined && sum !== null && String(sum) !== String(crc32c(bytes))) {
      throw new ProviderError(
        'PROVIDER_UNAVAILABLE',
        `${this.#init.label}: key ${JSON.stringify(key)}: payload checksum mismatch`,
      );
    }
    return { bytes };
  }

  async #newestEnabled(
    secret: string,
    key: string,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const { client } = await this.#connect();
    const [versions] = await this.#call('ListSecretVersions', key, signal, (opts) =>
      client.listSecretVersions(
        { parent: secret, filter: 'state:ENABLED', pageSize: 250 },
        { ...opts, autoPaginate: false },
      ),
    );
    let best: { n: number; name: string } | undefined;
    for (const v of versions) {
      const n = Number((v.name ?? '').split('/').pop());
      const enabled = String(v.state) === 'ENABLED' || Number(v.state) === 1;
      if (enabled && Number.isInteger(n) && (best === undefined || n > best.n))
        best = { n, name: v.name ?? '' };
    }
    return best?.name;
  }

  #call<T>(
    call: string,
    key: string,
    signal: AbortSignal,
    fn: (opts: { retry: null; timeout: number }) => Promise<T>,
  ): Promise<T> {
    const { runner, label, ctx } = this.#init;
    const what = key === '(find)' ? call : `${call} of key ${JSON.stringify(key)}`;
    return runner.call(call, signal, async () => {
      try {
        return await fn({ retry: null, timeout: ctx.tuning.attemptTimeoutMs });
      } catch (err) {
        throw gcpError(err, what, label);
      }
    });
  }
}
