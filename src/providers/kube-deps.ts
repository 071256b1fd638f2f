// The providers' Kubernetes dependencies (deps.ts) on top of the runtime. A store's credential
// Secrets and ConfigMaps are tracked one object at a time: a metadata-only informer restricted to
// that one name (`metadata.name=<name>` in its namespace) keeps its resourceVersion current and
// reports changes, so nothing else in the cluster is watched and no Secret data is ever cached.
// A value is read with one GET when a store client is built (or logs in), and dropped after use.
// Objects nobody asked about for `idleMs` stop being watched (sweep()).
import type { Clock } from '../clock.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { KubeApi } from '../kube/client.ts';
import { createInformer, type Informer, type InformerObserver } from '../kube/informer.ts';
import { CONFIG_MAPS, SERVICE_ACCOUNTS } from '../kube/resources.ts';
import type { ListWatcher } from '../kube/resource-client.ts';
import type { KubeObject } from '../kube/types.ts';
import type {
  ConfigMapKeyReader,
  IssuedToken,
  KubeDeps,
  SecretKeyReader,
  ServiceAccountReader,
  ServiceAccountTokenIssuer,
} from './deps.ts';

export type CredentialObjectType = 'Secret' | 'ConfigMap';

export interface KubeProviderDepsOptions {
  readonly client: KubeApi;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** A tracked credential object was created, changed or deleted (never for the initial state). */
  readonly onChange?:
    ((type: CredentialObjectType, namespace: string, name: string) => void) | undefined;
  /** Stop watching objects nobody asked about for this long (default 1 hour). */
  readonly idleMs?: number | undefined;
  readonly observer?: InformerObserver | undefined;
}

interface ConfigMapObject extends KubeObject {
  readonly data?: Readonly<Record<string, string>>;
  readonly binaryData?: Readonly<Record<string, string>>;
}

interface Tracked {
  readonly informer: Informer<KubeObject>;
  readonly synced: Promise<void>;
  lastUsed: number;
}

function trackKey(type: CredentialObjectType, namespace: string, name: string): string {
  return `${type}\u0000${namespace}\u0000${name}`;
}

/** KubeDeps backed by the API server; see the file header for what is watched and cached. */
export class KubeProviderDeps implements KubeDeps {
  readonly #o: KubeProviderDepsOptions;
  readonly #log: Logger;
  readonly #tracked = new Map<string, Tracked>();
  #closed = false;

  constructor(options: KubeProviderDepsOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'credential-watch' });
  }

  /** Objects currently watched. */
  get watched(): number {
    return this.#tracked.size;
  }

  readonly secrets: SecretKeyReader = {
    read: async (namespace, name, key, signal) => {
      await this.#ensure('Secret', namespace, name, signal);
      const secret = await this.#o.client.secrets.find({ namespace, name }, { signal });
      const encoded = secret?.data?.[key];
      if (encoded !== undefined) return new Uint8Array(Buffer.from(encoded, 'base64'));
      const plain = secret?.stringData?.[key];
      return plain === undefined ? undefined : new TextEncoder().encode(plain);
    },
    resourceVersion: (namespace, name, signal) =>
      this.#resourceVersion('Secret', namespace, name, signal),
  };

  readonly configMaps: ConfigMapKeyReader = {
    read: async (namespace, name, key, signal) => {
      await this.#ensure('ConfigMap', namespace, name, signal);
      const cm = await this.#o.client
        .resource<ConfigMapObject>(CONFIG_MAPS)
        .find({ namespace, name }, { signal });
      const text = cm?.data?.[key];
      if (text !== undefined) return text;
      const binary = cm?.binaryData?.[key];
      return binary === undefined ? undefined : Buffer.from(binary, 'base64').toString('utf8');
    },
    resourceVersion: (namespace, name, signal) =>
      this.#resourceVersion('ConfigMap', namespace, name, signal),
  };

  readonly tokens: ServiceAccountTokenIssuer = {
    issue: async (
      namespace,
      serviceAccount,
      audiences,
      ttlSeconds,
      signal,
    ): Promise<IssuedToken> => {
      const requestedAt = this.#o.clock.now();
      const res = await this.#o.client.createServiceAccountToken(namespace, serviceAccount, {
        audiences,
        expirationSeconds: ttlSeconds,
        signal,
      });
      const parsed =
        res.expirationTimestamp === undefined ? NaN : Date.parse(res.expirationTimestamp);
      // The API server may shorten the lifetime; trust what it says, else what we asked for.
      const expiresAt = Number.isFinite(parsed) ? parsed : requestedAt + ttlSeconds * 1000;
      return { token: res.token, expiresAt };
    },
  };

  readonly serviceAccounts: ServiceAccountReader = {
    annotations: async (namespace, name, signal) => {
      const sa = await this.#o.client
        .resource(SERVICE_ACCOUNTS)
        .find({ namespace, name }, { signal });
      return sa?.metadata.annotations;
    },
  };

  /** Whether an object is watched (a store references it and asked recently). */
  isTracked(type: CredentialObjectType, namespace: string, name: string): boolean {
    return this.#tracked.has(trackKey(type, namespace, name));
  }

  /** Stops watching objects unused for longer than the idle time. */
  async sweep(): Promise<void> {
    const cutoff = this.#o.clock.now() - (this.#o.idleMs ?? 3_600_000);
    const stopping: Promise<void>[] = [];
    for (const [key, t] of this.#tracked) {
      if (t.lastUsed >= cutoff) continue;
      this.#tracked.delete(key);
      stopping.push(t.informer.stop());
    }
    await Promise.all(stopping);
  }

  /** Stops every watch. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#tracked.values()];
    this.#tracked.clear();
    await Promise.all(all.map((t) => t.informer.stop()));
  }

  async #resourceVersion(
    type: CredentialObjectType,
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const t = await this.#ensure(type, namespace, name, signal);
    return t.informer.get(`${namespace}/${name}`)?.metadata.resourceVersion;
  }

  async #ensure(
    type: CredentialObjectType,
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<Tracked> {
    if (this.#closed) throw new Error('credential watches are closed');
    const key = trackKey(type, namespace, name);
    let t = this.#tracked.get(key);
    if (t === undefined) {
      t = this.#start(type, namespace, name);
      this.#tracked.set(key, t);
    }
    t.lastUsed = this.#o.clock.now();
    await raceSignal(t.synced, signal);
    return t;
  }

  #start(type: CredentialObjectType, namespace: string, name: string): Tracked {
    const source: ListWatcher<KubeObject> =
      type === 'Secret' ? this.#o.client.secrets : this.#o.client.resource(CONFIG_MAPS);
    const informer = createInformer<KubeObject>({
      source,
      clock: this.#o.clock,
      logger: this.#log,
      name: type === 'Secret' ? 'credential-secret' : 'credential-configmap',
      namespace,
      fieldSelector: `metadata.name=${name}`,
      metadataOnly: true,
      observer: this.#o.observer,
    });
    const state = { synced: false };
    const changed = (): void => {
      if (state.synced) this.#o.onChange?.(type, namespace, name);
    };
    informer.addHandlers({ onAdd: changed, onUpdate: changed, onDelete: changed });
    informer.start();
    const synced = informer.waitForSync().then(() => {
      state.synced = true;
    });
    synced.catch(() => undefined);
    return { informer, synced, lastUsed: this.#o.clock.now() };
  }
}

function raceSignal(p: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
