// Which REST collection an operation talks to. Core resources have group ''; their paths start
// with /api/v1, every other group's with /apis/<group>/<version>.

export interface ResourceDescriptor {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural, as in the URL path (`secrets`, `sealedsecrets`). */
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export const SECRETS: ResourceDescriptor = {
  group: '',
  version: 'v1',
  plural: 'secrets',
  kind: 'Secret',
  namespaced: true,
};
export const CONFIG_MAPS: ResourceDescriptor = {
  group: '',
  version: 'v1',
  plural: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
};
export const NAMESPACES: ResourceDescriptor = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
};
export const EVENTS: ResourceDescriptor = {
  group: '',
  version: 'v1',
  plural: 'events',
  kind: 'Event',
  namespaced: true,
};
export const SERVICE_ACCOUNTS: ResourceDescriptor = {
  group: '',
  version: 'v1',
  plural: 'serviceaccounts',
  kind: 'ServiceAccount',
  namespaced: true,
};
export const SERVICES: ResourceDescriptor = {
  group: '',
  version: 'v1',
  plural: 'services',
  kind: 'Service',
  namespaced: true,
};
export const LEASES: ResourceDescriptor = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  kind: 'Lease',
  namespaced: true,
};

export function apiVersionOf(r: ResourceDescriptor): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** A short name for logs, metrics and error messages: `secrets`, `sealedsecrets.sealbridge.io`. */
export function resourceName(r: ResourceDescriptor): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`;
}

export interface PathParts {
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
  readonly subresource?: string | undefined;
}

/** The REST path of a collection, an object or an object's subresource. */
export function resourcePath(r: ResourceDescriptor, parts: PathParts = {}): string {
  const root = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const ns =
    r.namespaced && parts.namespace !== undefined && parts.namespace !== ''
      ? `/namespaces/${encodeURIComponent(parts.namespace)}`
      : '';
  let path = `${root}${ns}/${r.plural}`;
  if (parts.name !== undefined) path += `/${encodeURIComponent(parts.name)}`;
  if (parts.subresource !== undefined) path += `/${parts.subresource}`;
  return path;
}
