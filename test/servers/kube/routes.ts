// URL → what is being asked: discovery, a collection, an object, a subresource or the service proxy.
import type { RequestInfo } from './faults.ts';
import { typeName, type ResourceRegistry, type ResourceType } from './resource-types.ts';

export type Route =
  | { readonly kind: 'discovery'; readonly path: string }
  | { readonly kind: 'misc'; readonly path: string }
  | {
      readonly kind: 'resource';
      readonly resource: ResourceType;
      readonly namespace: string | undefined;
      readonly name: string | undefined;
      readonly subresource: string | undefined;
    }
  | {
      readonly kind: 'proxy';
      readonly namespace: string;
      readonly service: string;
      /** Path on the service, starting with '/'. */
      readonly rest: string;
    }
  | { readonly kind: 'unknown' };

function decode(segs: string[]): string[] {
  return segs.map((s) => decodeURIComponent(s));
}

export function route(registry: ResourceRegistry, pathname: string): Route {
  if (['/version', '/healthz', '/readyz', '/livez', '/openapi/v2'].includes(pathname)) {
    return { kind: 'misc', path: pathname };
  }
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(\/.*)?$/.exec(pathname);
  if (m === null)
    return registry.discovery(pathname) === undefined
      ? { kind: 'unknown' }
      : { kind: 'discovery', path: pathname };
  const group = m[2] ?? '';
  const version = m[1] ?? m[3] ?? '';
  const rest = m[4] ?? '';
  if (rest === '' || rest === '/') return { kind: 'discovery', path: pathname.replace(/\/$/, '') };
  const raw = rest.slice(1).split('/');
  const segs = decode(raw);
  let namespace: string | undefined;
  let i = 0;
  // /namespaces/{ns}/<plural>/... ; but /namespaces and /namespaces/{name}[/status] address Namespaces.
  if (segs[0] === 'namespaces' && segs.length >= 3) {
    namespace = segs[1];
    i = 2;
  }
  const plural = segs[i] ?? '';
  const name = segs[i + 1];
  const sub = segs[i + 2];
  if (plural === 'services' && sub === 'proxy' && namespace !== undefined && name !== undefined) {
    // Like Go's net/http, the proxied path is the decoded one (%2F becomes '/').
    const suffix = segs.slice(i + 3).join('/');
    return { kind: 'proxy', namespace, service: name, rest: `/${suffix}` };
  }
  const resource = registry.lookup(group, version, plural);
  if (resource === undefined || segs.length > i + 3) return { kind: 'unknown' };
  if (namespace !== undefined && !resource.namespaced) return { kind: 'unknown' };
  return { kind: 'resource', resource, namespace, name, subresource: sub };
}

export function describe(
  r: Route,
  method: string,
  pathname: string,
  query: URLSearchParams,
): RequestInfo {
  const base = { method, path: pathname, query };
  if (r.kind === 'proxy') {
    return {
      ...base,
      verb: 'proxy',
      resource: 'services',
      plural: 'services',
      subresource: undefined,
      namespace: r.namespace,
      name: r.service,
    };
  }
  if (r.kind !== 'resource') {
    return {
      ...base,
      verb: r.kind === 'discovery' ? 'discovery' : 'get',
      resource: '',
      plural: '',
      subresource: undefined,
      namespace: undefined,
      name: undefined,
    };
  }
  const watch = query.get('watch');
  const isWatch = watch === 'true' || watch === '1';
  let verb: string;
  switch (method) {
    case 'GET':
      verb = r.name !== undefined ? 'get' : isWatch ? 'watch' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = r.name !== undefined ? 'delete' : 'deletecollection';
      break;
    default:
      verb = method.toLowerCase();
  }
  return {
    ...base,
    verb,
    resource: typeName(r.resource),
    plural: r.resource.plural,
    subresource: r.subresource,
    namespace: r.namespace,
    name: r.name,
  };
}
