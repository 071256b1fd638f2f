// KV v1 and v2 routes with Vault's real JSON shapes.
import type { Reply, RouteRequest } from './server.ts';
import { denied, notFound } from './server.ts';
import type { KvMount, TokenRecord, VaultState } from './state.ts';

function allowed(t: TokenRecord, path: string): boolean {
  return t.paths === undefined || t.paths.some((p) => path.startsWith(p));
}

function envelope(data: unknown): Record<string, unknown> {
  return {
    request_id: 'test',
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
  };
}

function listKeys(m: KvMount, prefix: string): string[] {
  const base = prefix === '' ? '' : `${prefix}/`;
  const keys = new Set<string>();
  for (const p of m.secrets.keys()) {
    if (!p.startsWith(base)) continue;
    const rest = p.slice(base.length);
    const slash = rest.indexOf('/');
    keys.add(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  return [...keys].sort();
}

export function kvRoute(
  state: VaultState,
  token: TokenRecord,
  path: string,
  r: RouteRequest,
): Reply {
  const [mountName = '', ...restParts] = path.split('/');
  const mount = state.mount(r.namespace, mountName);
  if (mount === undefined)
    return { status: 404, body: { errors: [`no handler for route "${path}"`] } };
  if (!allowed(token, path)) return denied;
  if (r.method !== 'GET') return { status: 405, body: { errors: ['unsupported operation'] } };
  if (mount.version === 1) {
    const rest = restParts.join('/').replace(/\/$/, '');
    if (r.isList) {
      const keys = listKeys(mount, rest);
      return keys.length === 0 ? notFound : { status: 200, body: envelope({ keys }) };
    }
    const s = mount.secrets.get(rest);
    const data = s?.versions.at(-1)?.data;
    return data == null
      ? notFound
      : { status: 200, body: { ...envelope(data), lease_duration: 2764800 } };
  }
  const [kind, ...pathParts] = restParts;
  const rest = pathParts.join('/').replace(/\/$/, '');
  if (kind === 'metadata') {
    if (r.isList) {
      const keys = listKeys(mount, rest);
      return keys.length === 0 ? notFound : { status: 200, body: envelope({ keys }) };
    }
    const s = mount.secrets.get(rest);
    if (s === undefined) return notFound;
    const versions = Object.fromEntries(
      s.versions.map((v, i) => [
        String(i + 1),
        { created_time: v.createdTime, deletion_time: v.deletionTime, destroyed: v.destroyed },
      ]),
    );
    return {
      status: 200,
      body: envelope({
        cas_required: false,
        current_version: s.versions.length,
        oldest_version: 1,
        max_versions: 0,
        custom_metadata: Object.keys(s.customMetadata).length === 0 ? null : s.customMetadata,
        versions,
      }),
    };
  }
  if (kind !== 'data') return { status: 404, body: { errors: [`no handler for route "${path}"`] } };
  const s = mount.secrets.get(rest);
  if (s === undefined) return notFound;
  const wanted = r.url.searchParams.get('version');
  const n = wanted === null || wanted === '0' ? s.versions.length : Number(wanted);
  const v = s.versions[n - 1];
  if (v === undefined) return notFound;
  const metadata = {
    created_time: v.createdTime,
    custom_metadata: Object.keys(s.customMetadata).length === 0 ? null : s.customMetadata,
    deletion_time: v.deletionTime,
    destroyed: v.destroyed,
    version: n,
  };
  if (v.deletionTime !== '' || v.destroyed)
    return { status: 404, body: envelope({ data: null, metadata }) };
  return { status: 200, body: envelope({ data: v.data, metadata }) };
}
