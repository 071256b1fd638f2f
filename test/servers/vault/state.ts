// The Vault test server's data: namespaces, KV v1/v2 mounts with versions and custom_metadata,
// tokens with TTLs on an injectable clock, and the Kubernetes/AppRole auth roles tests register.
import { randomBytes } from 'node:crypto';

export interface TokenRecord {
  readonly id: string;
  readonly accessor: string;
  readonly namespace: string;
  /** Seconds; 0 = never expires. */
  ttl: number;
  readonly maxTtl: number;
  readonly renewable: boolean;
  readonly createdAt: number;
  expiresAt: number;
  revoked: boolean;
  /** Path prefixes this token may read; undefined = everything. */
  readonly paths: readonly string[] | undefined;
  readonly source: 'static' | 'kubernetes' | 'approle';
}

export interface RoleOptions {
  readonly ttlSeconds?: number;
  readonly maxTtlSeconds?: number;
  readonly renewable?: boolean;
  readonly paths?: readonly string[];
}

export interface KubernetesRole extends RoleOptions {
  /** Accepts the JWT presented at login (the test decides what is valid). */
  readonly acceptJwt: (jwt: string) => boolean;
}

export interface AppRole extends RoleOptions {
  readonly roleId: string;
  readonly secretId: string;
}

interface KvVersion {
  data: Record<string, unknown> | null;
  readonly createdTime: string;
  deletionTime: string;
  destroyed: boolean;
}

export interface KvSecret {
  readonly versions: KvVersion[];
  customMetadata: Record<string, string>;
}

export interface KvMount {
  readonly version: 1 | 2;
  readonly secrets: Map<string, KvSecret>;
}

export class VaultState {
  readonly now: () => number;
  readonly tokens = new Map<string, TokenRecord>();
  readonly mounts = new Map<string, KvMount>();
  readonly kubernetesRoles = new Map<string, KubernetesRole>();
  readonly appRoles = new Map<string, AppRole>();

  constructor(now: () => number) {
    this.now = now;
  }

  static key(namespace: string, mount: string): string {
    return `${namespace}::${mount}`;
  }

  createToken(
    opts: RoleOptions & { namespace?: string; source?: TokenRecord['source']; id?: string } = {},
  ): string {
    const id = opts.id ?? `hvs.${randomBytes(18).toString('base64url')}`;
    const ttl = opts.ttlSeconds ?? 0;
    const now = this.now();
    this.tokens.set(id, {
      id,
      accessor: randomBytes(12).toString('hex'),
      namespace: opts.namespace ?? '',
      ttl,
      maxTtl: opts.maxTtlSeconds ?? (ttl === 0 ? 0 : ttl * 10),
      renewable: opts.renewable ?? ttl > 0,
      createdAt: now,
      expiresAt: ttl === 0 ? Number.POSITIVE_INFINITY : now + ttl * 1000,
      revoked: false,
      paths: opts.paths,
      source: opts.source ?? 'static',
    });
    return id;
  }

  /** The token if it is live and valid in `namespace` (its own or a child namespace). */
  liveToken(id: string | undefined, namespace: string): TokenRecord | undefined {
    if (id === undefined) return undefined;
    const t = this.tokens.get(id);
    if (t === undefined || t.revoked || this.now() >= t.expiresAt) return undefined;
    const inScope =
      t.namespace === '' || namespace === t.namespace || namespace.startsWith(`${t.namespace}/`);
    return inScope ? t : undefined;
  }

  liveTokenCount(source?: TokenRecord['source']): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (!t.revoked && this.now() < t.expiresAt && (source === undefined || t.source === source))
        n++;
    }
    return n;
  }

  renew(t: TokenRecord, incrementSeconds: number | undefined): void {
    const now = this.now();
    const wanted = incrementSeconds ?? t.ttl;
    const maxEnd = t.maxTtl === 0 ? Number.POSITIVE_INFINITY : t.createdAt + t.maxTtl * 1000;
    t.expiresAt = Math.min(now + wanted * 1000, maxEnd);
    t.ttl = Math.max(0, Math.floor((t.expiresAt - now) / 1000));
  }

  addMount(mount: string, version: 1 | 2, namespace = ''): void {
    this.mounts.set(VaultState.key(namespace, mount), { version, secrets: new Map() });
  }

  mount(namespace: string, mount: string): KvMount | undefined {
    return this.mounts.get(VaultState.key(namespace, mount));
  }

  put(
    mount: string,
    path: string,
    data: Record<string, unknown>,
    opts: { namespace?: string; customMetadata?: Record<string, string> } = {},
  ): number {
    const m = this.mount(opts.namespace ?? '', mount);
    if (m === undefined) throw new Error(`no mount ${mount}`);
    const existing = m.secrets.get(path);
    const version: KvVersion = {
      data,
      createdTime: new Date(this.now()).toISOString(),
      deletionTime: '',
      destroyed: false,
    };
    if (existing === undefined || m.version === 1) {
      m.secrets.set(path, {
        versions: [version],
        customMetadata: opts.customMetadata ?? existing?.customMetadata ?? {},
      });
      return 1;
    }
    existing.versions.push(version);
    if (opts.customMetadata !== undefined) existing.customMetadata = opts.customMetadata;
    return existing.versions.length;
  }

  /** KV v2 soft delete of the latest version. */
  deleteLatest(mount: string, path: string, namespace = ''): void {
    const s = this.mount(namespace, mount)?.secrets.get(path);
    const v = s?.versions.at(-1);
    if (v !== undefined) v.deletionTime = new Date(this.now()).toISOString();
  }
}
