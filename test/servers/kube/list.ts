// LIST: selectors, an indexed lookup when the field selector pins a name, and limit/continue
// paging served from a snapshot taken at the first page (so pages are consistent, like etcd's
// paginated reads at one revision).
import { randomUUID } from 'node:crypto';
import { apiVersion, type ResourceType } from './resource-types.ts';
import { pinnedName } from './selectors.ts';
import { expired } from './status.ts';
import { matchesFilter, type Obj, type ObjectStore, type WatchFilter } from './store.ts';
import { present } from './watch.ts';

export interface ListBody {
  readonly kind: string;
  readonly apiVersion: string;
  readonly metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  readonly items: unknown[];
}

type Snapshots = Map<string, { items: Obj[]; rv: number }>;

function select(store: ObjectStore, t: ResourceType, f: WatchFilter): Obj[] {
  const name = pinnedName(f.fields);
  if (name !== undefined && (f.namespace !== undefined || !t.namespaced)) {
    const one = store.get(t, f.namespace, name);
    return one !== undefined && matchesFilter(f, one) ? [one] : [];
  }
  return store.list(t, f.namespace).filter((o) => matchesFilter(f, o));
}

export function listObjects(
  store: ObjectStore,
  snapshots: Snapshots,
  t: ResourceType,
  f: WatchFilter,
  q: URLSearchParams,
  metadataOnly: boolean,
): ListBody {
  const limit = Number(q.get('limit') ?? '0');
  const token = q.get('continue');
  let items: Obj[];
  let rv: number;
  let offset = 0;
  let id: string | undefined;
  if (token !== null && token !== '') {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      id?: string;
      offset?: number;
    };
    const snap = parsed.id === undefined ? undefined : snapshots.get(parsed.id);
    if (snap === undefined) {
      throw expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      );
    }
    ({ items, rv } = snap);
    id = parsed.id;
    offset = parsed.offset ?? 0;
  } else {
    items = select(store, t, f);
    rv = store.resourceVersion;
  }
  let page = items.slice(offset);
  const meta: ListBody['metadata'] = { resourceVersion: String(rv) };
  if (limit > 0 && page.length > limit) {
    page = page.slice(0, limit);
    id ??= randomUUID();
    snapshots.set(id, { items, rv });
    meta.continue = Buffer.from(JSON.stringify({ id, offset: offset + limit })).toString(
      'base64url',
    );
    meta.remainingItemCount = items.length - offset - limit;
  } else if (id !== undefined) {
    snapshots.delete(id);
  }
  return {
    kind: metadataOnly ? 'PartialObjectMetadataList' : `${t.kind}List`,
    apiVersion: metadataOnly ? 'meta.k8s.io/v1' : apiVersion(t),
    metadata: meta,
    items: page.map((o) => present(o, metadataOnly)),
  };
}
