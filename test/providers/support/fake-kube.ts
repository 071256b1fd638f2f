// In-memory implementations of the provider's Kubernetes dependencies.
import type {
  ConfigMapKeyReader,
  KubeDeps,
  SecretKeyReader,
  ServiceAccountReader,
  ServiceAccountTokenIssuer,
} from '../../../src/providers/deps.ts';

const utf8 = new TextEncoder();

export interface TokenRequestRecord {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly audiences: readonly string[];
}

export class FakeKube implements KubeDeps {
  readonly #secrets = new Map<string, { rv: number; data: Map<string, Uint8Array> }>();
  readonly #configMaps = new Map<string, { rv: number; data: Map<string, string> }>();
  readonly #annotations = new Map<string, Record<string, string>>();
  readonly tokenRequests: TokenRequestRecord[] = [];
  readonly secretReads: string[] = [];
  #rv = 1;
  #tokenSeq = 0;
  /** Tokens issued, newest last; tests register them with the fake Vault/STS server. */
  readonly issuedTokens: string[] = [];
  now: () => number = Date.now;
  onIssue: ((token: string, record: TokenRequestRecord) => void) | undefined;

  setSecret(namespace: string, name: string, data: Record<string, string | Uint8Array>): void {
    const map = new Map<string, Uint8Array>();
    for (const [k, v] of Object.entries(data))
      map.set(k, typeof v === 'string' ? utf8.encode(v) : v);
    this.#secrets.set(`${namespace}/${name}`, { rv: ++this.#rv, data: map });
  }

  deleteSecret(namespace: string, name: string): void {
    this.#secrets.delete(`${namespace}/${name}`);
  }

  setConfigMap(namespace: string, name: string, data: Record<string, string>): void {
    this.#configMaps.set(`${namespace}/${name}`, {
      rv: ++this.#rv,
      data: new Map(Object.entries(data)),
    });
  }

  setServiceAccountAnnotations(
    namespace: string,
    name: string,
    annotations: Record<string, string>,
  ): void {
    this.#annotations.set(`${namespace}/${name}`, annotations);
  }

  readonly secrets: SecretKeyReader = {
    read: (namespace, name, key) => {
      this.secretReads.push(`${namespace}/${name}#${key}`);
      return Promise.resolve(this.#secrets.get(`${namespace}/${name}`)?.data.get(key));
    },
    resourceVersion: (namespace, name) => {
      const s = this.#secrets.get(`${namespace}/${name}`);
      return Promise.resolve(s === undefined ? undefined : String(s.rv));
    },
  };

  readonly configMaps: ConfigMapKeyReader = {
    read: (namespace, name, key) =>
      Promise.resolve(this.#configMaps.get(`${namespace}/${name}`)?.data.get(key)),
    resourceVersion: (namespace, name) => {
      const c = this.#configMaps.get(`${namespace}/${name}`);
      return Promise.resolve(c === undefined ? undefined : String(c.rv));
    },
  };

  readonly tokens: ServiceAccountTokenIssuer = {
    issue: (namespace, serviceAccount, audiences, ttlSeconds) => {
      const record = { namespace, serviceAccount, audiences: [...audiences] };
      this.tokenRequests.push(record);
      const token = `sa-jwt.${namespace}.${serviceAccount}.${++this.#tokenSeq}`;
      this.issuedTokens.push(token);
      this.onIssue?.(token, record);
      return Promise.resolve({ token, expiresAt: this.now() + ttlSeconds * 1000 });
    },
  };

  readonly serviceAccounts: ServiceAccountReader = {
    annotations: (namespace, name) =>
      Promise.resolve(this.#annotations.get(`${namespace}/${name}`)),
  };
}
