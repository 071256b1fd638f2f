// The controller's sealing keys, loaded from key Secrets in its own namespace and kept current by
// a watch: a key Secret added, relabelled (e.g. `compromised`) or deleted takes effect without a
// restart (Bitnami's standing complaint, #414/#1819). The informer is metadata-only, so no Secret
// data is cached by it; each key Secret's data is read with one GET when its resourceVersion
// changes, parsed, and kept only as KeyObjects plus the certificate PEM.
//
// Key Secrets: ours (`sealbridge.io/sealing-key`), Bitnami's (`sealedsecrets.bitnami.com/
// sealed-secrets-key`), and Bitnami's legacy unlabelled `sealed-secrets-key`. Label value `active`
// loads a key; anything else disables it (disabled wins when the two labels disagree).
import type { KeyObject } from 'node:crypto';
import { BITNAMI_LEGACY_KEY_NAME, SEALING_KEY_LABELS } from '../api/annotations.ts';
import type { Clock } from '../clock.ts';
import { parseKeySecret, TLS_CERT } from '../crypto/key-secret.ts';
import { Keyring, type KeyOrder, type KeyringKey } from '../crypto/keyring.ts';
import { errorMessage } from '../errors.ts';
import type { Informer } from '../kube/informer.ts';
import { createInformer, type InformerObserver } from '../kube/informer.ts';
import type { ResourceClient } from '../kube/resource-client.ts';
import { objectKey, type SecretObject } from '../kube/types.ts';
import { silentLogger, type Logger } from '../log.ts';

/** Set on imported keys: the original key Secret's creation time (keeps key order right). */
export const ORIGINAL_CREATED_ANNOTATION = 'sealbridge.io/original-creation-timestamp';

export type KeyState = 'active' | 'disabled' | 'invalid';

/** What the store knows about one key Secret (never the key material in anything printable). */
export interface StoredKey {
  /** namespace/name of the key Secret. */
  readonly secret: string;
  readonly resourceVersion: string | undefined;
  readonly state: KeyState;
  readonly fingerprint: string | undefined;
  readonly privateKey: KeyObject | undefined;
  readonly certPem: string | undefined;
  readonly notBefore: Date | undefined;
  readonly notAfter: Date | undefined;
  readonly createdAt: Date | undefined;
  /** Why an invalid key Secret could not be used. */
  readonly problem?: string | undefined;
}

export interface KeyStoreOptions {
  readonly secrets: ResourceClient<SecretObject>;
  /** The controller's namespace, where key Secrets live. */
  readonly namespace: string;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** Which key is newest: the certificate's notBefore (default, as Bitnami) or the Secret's creation. */
  readonly order?: KeyOrder | undefined;
  readonly observer?: InformerObserver | undefined;
  readonly relistPeriodMs?: number | undefined;
  /** For tests: the informer to use instead of a new metadata-only one. */
  readonly informer?: Informer<SecretObject> | undefined;
}

export type KeyStoreListener = (keyring: Keyring) => void;

function looksLikeKeySecret(s: SecretObject): boolean {
  const labels = s.metadata.labels ?? {};
  return (
    labels[SEALING_KEY_LABELS.sealbridge] !== undefined ||
    labels[SEALING_KEY_LABELS.bitnami] !== undefined ||
    s.metadata.name === BITNAMI_LEGACY_KEY_NAME
  );
}

function dateOf(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export class KeyStore {
  readonly informer: Informer<SecretObject>;
  readonly namespace: string;
  readonly order: KeyOrder;
  readonly #o: KeyStoreOptions;
  readonly #log: Logger;
  readonly #keys = new Map<string, StoredKey>();
  readonly #loading = new Map<string, Promise<void>>();
  readonly #listeners = new Set<KeyStoreListener>();
  #keyring = new Keyring([]);
  #removeHandlers: (() => void) | undefined;

  constructor(options: KeyStoreOptions) {
    this.#o = options;
    this.namespace = options.namespace;
    this.order = options.order ?? 'cert-not-before';
    this.#log = (options.logger ?? silentLogger).child({ component: 'key-store' });
    this.informer =
      options.informer ??
      createInformer<SecretObject>({
        source: options.secrets,
        namespace: options.namespace,
        metadataOnly: true,
        clock: options.clock,
        logger: options.logger,
        name: 'sealing-keys',
        observer: options.observer,
        relistPeriodMs: options.relistPeriodMs,
      });
  }

  /** Subscribes to the informer and starts it. */
  start(): void {
    this.#removeHandlers ??= this.informer.addHandlers({
      onAdd: (s) => {
        this.#changed(s);
      },
      onUpdate: (_old, s) => {
        this.#changed(s);
      },
      onDelete: (s) => {
        this.#deleted(s);
      },
    });
    this.informer.start();
  }

  async stop(): Promise<void> {
    this.#removeHandlers?.();
    this.#removeHandlers = undefined;
    await this.informer.stop();
  }

  /** Synced: the informer has listed and every key Secret seen so far has been read. */
  hasSynced(): boolean {
    return this.informer.hasSynced() && this.#loading.size === 0;
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await this.informer.waitForSync(signal);
    while (this.#loading.size > 0) await Promise.all([...this.#loading.values()]);
  }

  /** Active keys, newest first. */
  keyring(): Keyring {
    return this.#keyring;
  }

  /** The newest active key with its certificate: the one new values are sealed with. */
  newest(): StoredKey | undefined {
    const fp = this.#keyring.newest()?.fingerprint;
    return fp === undefined ? undefined : this.all().find((k) => k.fingerprint === fp);
  }

  /** Every key Secret seen, including disabled and invalid ones. */
  all(): StoredKey[] {
    return [...this.#keys.values()];
  }

  /** Called with the new keyring whenever the set of active keys changes. */
  onChange(listener: KeyStoreListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads one key Secret now (e.g. right after creating it) instead of waiting for the watch. */
  async refresh(name: string): Promise<void> {
    await this.#load(`${this.namespace}/${name}`, undefined);
  }

  #changed(s: SecretObject): void {
    if (!looksLikeKeySecret(s)) {
      // A label removed: it is no longer a key Secret.
      if (this.#keys.has(objectKey(s))) this.#deleted(s);
      return;
    }
    const key = objectKey(s);
    if (this.#keys.get(key)?.resourceVersion === s.metadata.resourceVersion) return;
    void this.#load(key, s.metadata.resourceVersion);
  }

  #deleted(s: SecretObject): void {
    const key = objectKey(s);
    // Through the same chain as loads, so a read still in flight cannot bring it back.
    void this.#chain(key, () => {
      if (this.#keys.delete(key)) {
        this.#log.info({ secret: key }, 'key Secret removed');
        this.#rebuild();
      }
      return Promise.resolve();
    });
  }

  #load(key: string, rv: string | undefined): Promise<void> {
    return this.#chain(key, () => this.#read(key, rv));
  }

  /** Serialises work per key Secret, in event order. */
  #chain(key: string, step: () => Promise<void>): Promise<void> {
    const previous = this.#loading.get(key) ?? Promise.resolve();
    const next = previous
      .then(step)
      .catch((err: unknown) => {
        this.#log.warn({ secret: key, err: errorMessage(err) }, 'could not read key Secret');
      })
      .finally(() => {
        if (this.#loading.get(key) === next) this.#loading.delete(key);
      });
    this.#loading.set(key, next);
    return next;
  }

  async #read(key: string, rv: string | undefined): Promise<void> {
    const name = key.slice(key.indexOf('/') + 1);
    if (rv !== undefined && this.#keys.get(key)?.resourceVersion === rv) return;
    const secret = await this.#o.secrets.find({ namespace: this.namespace, name });
    if (secret === undefined || !looksLikeKeySecret(secret)) {
      if (this.#keys.delete(key)) this.#rebuild();
      return;
    }
    this.#keys.set(key, this.#parse(key, secret));
    this.#rebuild();
  }

  #parse(key: string, secret: SecretObject): StoredKey {
    const base = {
      secret: key,
      resourceVersion: secret.metadata.resourceVersion,
      createdAt:
        dateOf(secret.metadata.annotations?.[ORIGINAL_CREATED_ANNOTATION]) ??
        dateOf(secret.metadata.creationTimestamp),
    };
    try {
      const parsed = parseKeySecret({ ...secret, kind: 'Secret' }, `key Secret ${key}`);
      const legacy =
        parsed.status === 'unlabelled' && secret.metadata.name === BITNAMI_LEGACY_KEY_NAME;
      const certB64 = secret.data?.[TLS_CERT];
      return {
        ...base,
        state: parsed.active || legacy ? 'active' : 'disabled',
        fingerprint: parsed.fingerprint,
        privateKey: parsed.privateKey,
        certPem:
          certB64 === undefined ? undefined : Buffer.from(certB64, 'base64').toString('utf8'),
        notBefore: parsed.notBefore,
        notAfter: parsed.notAfter,
      };
    } catch (err) {
      this.#log.warn({ secret: key, err: errorMessage(err) }, 'key Secret is not usable');
      return {
        ...base,
        state: 'invalid',
        fingerprint: undefined,
        privateKey: undefined,
        certPem: undefined,
        notBefore: undefined,
        notAfter: undefined,
        problem: errorMessage(err),
      };
    }
  }

  #rebuild(): void {
    const active: KeyringKey[] = [];
    for (const k of this.#keys.values()) {
      if (k.state !== 'active' || k.privateKey === undefined || k.fingerprint === undefined)
        continue;
      active.push({
        fingerprint: k.fingerprint,
        privateKey: k.privateKey,
        notBefore: k.notBefore,
        createdAt: k.createdAt,
        source: k.secret,
      });
    }
    const before = this.#keyring
      .keys()
      .map((k) => k.fingerprint)
      .join(',');
    this.#keyring = new Keyring(active, this.order);
    const after = this.#keyring
      .keys()
      .map((k) => k.fingerprint)
      .join(',');
    if (before === after) return;
    this.#log.info({ active: this.#keyring.size }, 'sealing keys changed');
    for (const l of this.#listeners) {
      try {
        l(this.#keyring);
      } catch (err) {
        this.#log.error({ err: errorMessage(err) }, 'key change listener failed');
      }
    }
  }
}

/**
 * An Informer view of the key store whose "synced" also waits for every key Secret to be read,
 * for a Controller's `alsoWaitFor` (workers must not start before the keys are loaded).
 */
export function keyStoreSyncGate(store: KeyStore): Informer<SecretObject> {
  const i = store.informer;
  return {
    name: i.name,
    get size() {
      return i.size;
    },
    get: (key) => i.get(key),
    list: () => i.list(),
    keys: () => i.keys(),
    start: () => {
      i.start();
    },
    stop: () => i.stop(),
    hasSynced: () => store.hasSynced(),
    waitForSync: (signal) => store.waitForSync(signal),
    lastHeardFrom: () => i.lastHeardFrom(),
    addHandlers: (h) => i.addHandlers(h),
  };
}
