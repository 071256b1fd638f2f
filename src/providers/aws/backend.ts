// AWS Secrets Manager behind the ProviderBackend contract. Reads of the current version are
// batched: concurrent GetSecretValue requests within a short window (or 20 of them) become one
// BatchGetSecretValue, with per-secret errors mapped one by one. Versioned reads (stage or
// `uuid/<id>`) use GetSecretValue; metadataPolicy Fetch reads tags with DescribeSecret.
import {
  BatchGetSecretValueCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
  type SecretValueEntry,
} from '@aws-sdk/client-secrets-manager';
import type { AWSProvider } from '../../api/secret-store.ts';
import type { BackendInit } from '../backend.ts';
import { Batcher } from '../batcher.ts';
import { ProviderError, raceAbort } from '../errors.ts';
import type { FetchRequest, FindSpec, ProviderBackend, RemoteValue } from '../types.ts';
import { awsCredentials } from './credentials.ts';
import { awsError, classifyAws } from './errors.ts';
import { listAwsSecrets } from './find.ts';

const utf8 = new TextEncoder();
export const BATCH_LIMIT = 20;

function toValue(entry: {
  SecretString?: string | undefined;
  SecretBinary?: Uint8Array | undefined;
}): RemoteValue | undefined {
  if (entry.SecretString !== undefined) return { bytes: utf8.encode(entry.SecretString) };
  if (entry.SecretBinary !== undefined) return { bytes: entry.SecretBinary };
  return undefined;
}

export class AwsBackend implements ProviderBackend {
  readonly kind = 'aws' as const;
  readonly #init: BackendInit<AWSProvider>;
  readonly #client: SecretsManagerClient;
  readonly #closeSts: () => void;
  readonly #batcher: Batcher<RemoteValue>;

  constructor(init: BackendInit<AWSProvider>) {
    this.#init = init;
    const credentials = awsCredentials(init);
    this.#closeSts = () => {
      for (const c of credentials.sts) c.destroy();
    };
    this.#client = new SecretsManagerClient({
      region: init.spec.region,
      // Retries are ours (CallRunner), so throttling backoff is per store and visible in metrics.
      maxAttempts: 1,
      ...(init.ctx.endpoints.awsSecretsManager === undefined
        ? {}
        : { endpoint: init.ctx.endpoints.awsSecretsManager }),
      ...(credentials.provider === undefined ? {} : { credentials: credentials.provider }),
    });
    this.#batcher = new Batcher<RemoteValue>({
      clock: init.ctx.clock,
      maxBatch: BATCH_LIMIT,
      windowMs: init.ctx.tuning.batchWindowMs,
      signal: init.lifetime,
      run: (ids) => this.#batchGet(ids),
      missing: (id) =>
        new ProviderError(
          'PROVIDER_NOT_FOUND',
          `${init.label}: key ${JSON.stringify(id)} not found`,
        ),
    });
  }

  get client(): SecretsManagerClient {
    return this.#client;
  }

  async fetch(req: FetchRequest, signal: AbortSignal): Promise<RemoteValue> {
    const id = `${this.#init.spec.prefix ?? ''}${req.key}`;
    if (req.metadata) return this.#tags(id, req.key, signal);
    const current = req.version === undefined || req.version === 'AWSCURRENT';
    if (current && this.#init.ctx.tuning.batch) return raceAbort(this.#batcher.enqueue(id), signal);
    return this.#getOne(id, req.key, req.version, signal);
  }

  list(spec: FindSpec, signal: AbortSignal): Promise<string[]> {
    return listAwsSecrets(this, spec, signal);
  }

  /** Runs one SDK call through the store's runner with error mapping. */
  send<T>(
    call: string,
    what: string,
    signal: AbortSignal,
    fn: (s: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const { runner, label, ctx } = this.#init;
    return runner.call(call, signal, async (s) => {
      try {
        return await fn(s);
      } catch (err) {
        throw awsError(err, what, label, ctx.clock.now());
      }
    });
  }

  get init(): BackendInit<AWSProvider> {
    return this.#init;
  }

  async validate(signal: AbortSignal): Promise<void> {
    // Resolving credentials exercises the Secret reads and STS exchanges the store depends on.
    const provider = this.#client.config.credentials;
    await this.send('credentials', 'credential check', signal, () => provider());
  }

  close(): Promise<void> {
    this.#client.destroy();
    this.#closeSts();
    return Promise.resolve();
  }

  async #getOne(
    id: string,
    key: string,
    version: string | undefined,
    signal: AbortSignal,
  ): Promise<RemoteValue> {
    const versionArg =
      version === undefined
        ? {}
        : version.startsWith('uuid/')
          ? { VersionId: version.slice('uuid/'.length) }
          : { VersionStage: version };
    const out = await this.send(
      'GetSecretValue',
      `GetSecretValue of key ${JSON.stringify(key)}`,
      signal,
      (s) =>
        this.#client.send(new GetSecretValueCommand({ SecretId: id, ...versionArg }), {
          abortSignal: s,
        }),
    );
    const value = toValue(out);
    if (value === undefined) {
      throw new ProviderError(
        'PROVIDER_NOT_FOUND',
        `${this.#init.label}: key ${JSON.stringify(key)} has no value`,
      );
    }
    return value;
  }

  async #tags(id: string, key: string, signal: AbortSignal): Promise<RemoteValue> {
    const out = await this.send(
      'DescribeSecret',
      `DescribeSecret of key ${JSON.stringify(key)}`,
      signal,
      (s) => this.#client.send(new DescribeSecretCommand({ SecretId: id }), { abortSignal: s }),
    );
    const tags: Record<string, string> = {};
    for (const t of out.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    return { bytes: utf8.encode(JSON.stringify(tags)), json: tags };
  }

  /** One BatchGetSecretValue for up to 20 ids; each id gets its value or its own error. */
  async #batchGet(ids: readonly string[]): Promise<Map<string, RemoteValue | Error>> {
    const { label, lifetime, ctx } = this.#init;
    const results = new Map<string, RemoteValue | Error>();
    const entries: SecretValueEntry[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const out = await this.send(
        'BatchGetSecretValue',
        `BatchGetSecretValue of ${ids.length} keys`,
        lifetime,
        (s) =>
          this.#client.send(
            new BatchGetSecretValueCommand({
              SecretIdList: [...ids],
              ...(token === undefined ? {} : { NextToken: token }),
            }),
            { abortSignal: s },
          ),
      );
      entries.push(...(out.SecretValues ?? []));
      for (const e of out.Errors ?? []) {
        if (e.SecretId === undefined) continue;
        const name = /^[A-Za-z0-9_.]{1,64}$/.test(e.ErrorCode ?? '')
          ? (e.ErrorCode ?? 'Error')
          : 'Error';
        results.set(
          e.SecretId,
          new ProviderError(
            classifyAws(name, undefined),
            `${label}: key ${JSON.stringify(e.SecretId)}: ${name}`,
          ),
        );
      }
      nextToken = out.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
    ctx.metrics.batched('aws', ids.length);
    for (const id of ids) {
      const entry = entries.find((e) => e.Name === id || e.ARN === id);
      const value = entry === undefined ? undefined : toValue(entry);
      if (value !== undefined) results.set(id, value);
    }
    // An id the batch answered neither way (e.g. a partial ARN) is read on its own.
    const unanswered = ids.filter((id) => !results.has(id));
    await Promise.all(
      unanswered.map(async (id) => {
        try {
          results.set(id, await this.#getOne(id, id, undefined, lifetime));
        } catch (err) {
          results.set(id, err instanceof Error ? err : new Error(String(err)));
        }
      }),
    );
    return results;
  }
}
