// The resources the test API server serves, and its discovery documents. Custom resources are
// registered by group/version/plural/kind; adding a CRD is one `register` call.

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** CRs with a status subresource: main-resource writes keep status, /status writes only status. */
  readonly statusSubresource: boolean;
  /** Custom resources track metadata.generation and return the object from DELETE. */
  readonly custom: boolean;
}

export type ResourceTypeInput = Omit<ResourceType, 'statusSubresource' | 'custom'> &
  Partial<Pick<ResourceType, 'statusSubresource' | 'custom'>>;

const core = (plural: string, kind: string, namespaced = true): ResourceType => ({
  group: '',
  version: 'v1',
  plural,
  kind,
  namespaced,
  statusSubresource: false,
  custom: false,
});

export const BUILTIN_TYPES: readonly ResourceType[] = [
  core('secrets', 'Secret'),
  core('configmaps', 'ConfigMap'),
  core('namespaces', 'Namespace', false),
  core('events', 'Event'),
  core('serviceaccounts', 'ServiceAccount'),
  core('services', 'Service'),
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    kind: 'Lease',
    namespaced: true,
    statusSubresource: false,
    custom: false,
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    kind: 'Event',
    namespaced: true,
    statusSubresource: false,
    custom: false,
  },
];

const crd = (group: string, kind: string, plural: string, namespaced = true): ResourceType => ({
  group,
  version: 'v1alpha1',
  plural,
  kind,
  namespaced,
  statusSubresource: true,
  custom: true,
});

/** The CRDs Sealbridge serves (plus Bitnami's SealedSecret, for clusters moving over). */
export const SEALBRIDGE_CRDS: readonly ResourceType[] = [
  crd('sealbridge.io', 'SealedSecret', 'sealedsecrets'),
  crd('sealbridge.io', 'SopsSecret', 'sopssecrets'),
  crd('sealbridge.io', 'ExternalSecret', 'externalsecrets'),
  crd('sealbridge.io', 'SecretStore', 'secretstores'),
  crd('sealbridge.io', 'ClusterSecretStore', 'clustersecretstores', false),
  crd('bitnami.com', 'SealedSecret', 'sealedsecrets'),
];

/** `secrets` for the core group, `sealedsecrets.sealbridge.io` otherwise. */
export function typeName(t: { readonly group: string; readonly plural: string }): string {
  return t.group === '' ? t.plural : `${t.plural}.${t.group}`;
}

export function apiVersion(t: ResourceType): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

interface CrdSpec {
  readonly group?: string;
  readonly scope?: string;
  readonly names?: { readonly kind?: string; readonly plural?: string };
  readonly versions?: readonly {
    readonly name?: string;
    readonly served?: boolean;
    readonly subresources?: { readonly status?: unknown };
  }[];
}

export class ResourceRegistry {
  readonly #byPath = new Map<string, ResourceType>();
  readonly #byName = new Map<string, ResourceType>();

  constructor(types: readonly ResourceType[]) {
    for (const t of types) this.register(t);
  }

  register(input: ResourceTypeInput): ResourceType {
    const t: ResourceType = {
      statusSubresource: input.group !== '',
      custom: input.group !== '',
      ...input,
    };
    this.#byPath.set(`${t.group}/${t.version}/${t.plural}`, t);
    this.#byName.set(typeName(t), t);
    return t;
  }

  /**
   * Registers every served version of an apiextensions.k8s.io/v1 CustomResourceDefinition
   * (e.g. a parsed crds/*.yaml), with its scope and status subresource.
   */
  registerCrd(crd: unknown): ResourceType[] {
    const spec = (crd as { spec?: CrdSpec } | null)?.spec;
    const kind = spec?.names?.kind;
    const plural = spec?.names?.plural;
    if (spec?.group === undefined || kind === undefined || plural === undefined) {
      throw new Error('test API server: not a CustomResourceDefinition');
    }
    return (spec.versions ?? [])
      .filter((v) => v.served !== false && v.name !== undefined)
      .map((v) =>
        this.register({
          group: spec.group ?? '',
          version: v.name ?? '',
          plural,
          kind,
          namespaced: spec.scope !== 'Cluster',
          statusSubresource: v.subresources?.status !== undefined,
          custom: true,
        }),
      );
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.#byPath.get(`${group}/${version}/${plural}`);
  }

  /** By `secrets`, `sealedsecrets.sealbridge.io`, or a {group, plural} descriptor. */
  byName(name: string | { readonly group: string; readonly plural: string }): ResourceType {
    const key = typeof name === 'string' ? name : typeName(name);
    const t = this.#byName.get(key);
    if (t === undefined) throw new Error(`test API server: unknown resource ${key}`);
    return t;
  }

  all(): ResourceType[] {
    return [...this.#byPath.values()];
  }

  /** GET /api, /apis, /apis/<group>, /api/v1, /apis/<group>/<version>. */
  discovery(path: string): object | undefined {
    if (path === '/api') return { kind: 'APIVersions', versions: ['v1'] };
    if (path === '/apis') {
      return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.#groups() };
    }
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)(?:\/([^/]+))?)$/.exec(path);
    if (m === null) return undefined;
    const group = m[2] ?? '';
    const version = m[1] ?? m[3];
    if (version === undefined) {
      return this.#groups().find((g) => g.name === group);
    }
    const resources = this.all().filter((t) => t.group === group && t.version === version);
    if (resources.length === 0) return undefined;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group === '' ? version : `${group}/${version}`,
      resources: resources.flatMap((t) => this.#resourceEntries(t)),
    };
  }

  #groups(): { name: string; versions: object[]; preferredVersion: object }[] {
    const groups = new Map<string, Set<string>>();
    for (const t of this.all()) {
      if (t.group === '') continue;
      const versions = groups.get(t.group) ?? new Set<string>();
      versions.add(t.version);
      groups.set(t.group, versions);
    }
    return [...groups].map(([name, versions]) => {
      const vs = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
      return { name, versions: vs, preferredVersion: vs[0] ?? {} };
    });
  }

  #resourceEntries(t: ResourceType): object[] {
    const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
    const main = {
      name: t.plural,
      singularName: t.kind.toLowerCase(),
      namespaced: t.namespaced,
      kind: t.kind,
      verbs,
    };
    const subs: object[] = [];
    if (t.statusSubresource) {
      subs.push({
        name: `${t.plural}/status`,
        singularName: '',
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
    if (t.group === '' && t.plural === 'serviceaccounts') {
      subs.push({
        name: 'serviceaccounts/token',
        singularName: '',
        namespaced: true,
        group: 'authentication.k8s.io',
        version: 'v1',
        kind: 'TokenRequest',
        verbs: ['create'],
      });
    }
    if (t.group === '' && t.plural === 'services') {
      subs.push({
        name: 'services/proxy',
        singularName: '',
        namespaced: true,
        kind: 'ServiceProxyOptions',
        verbs: ['create', 'delete', 'get', 'patch', 'update'],
      });
    }
    return [main, ...subs];
  }
}
