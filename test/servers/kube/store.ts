// The test API server's storage: one resourceVersion counter for everything (like etcd), objects
// indexed by namespace/name per resource type, a uid index and an owner→dependents index for garbage
// collection, and a bounded history of changes that watches resume from.
import type { FieldRequirement, Selector } from './selectors.ts';
import { matchesFields, matchesSelector } from './selectors.ts';
import type { ResourceType } from './resource-types.ts';

export interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
  finalizers?: string[];
  [k: string]: unknown;
}

/** A stored object. Stored objects are never mutated: every write stores a new object. */
export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  [k: string]: unknown;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  readonly rv: number;
  readonly type: ChangeType;
  readonly resource: ResourceType;
  readonly obj: Obj;
  /** The object before this change (MODIFIED/DELETED), for selector transitions. */
  readonly prev: Obj | undefined;
}

export interface WatchFilter {
  readonly namespace: string | undefined;
  readonly labels: Selector;
  readonly fields: readonly FieldRequirement[];
}

export interface WatchSink {
  readonly filter: WatchFilter;
  deliver(change: Change): void;
}

export class ExpiredError extends Error {
  constructor(requested: number, oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

export function keyOf(ns: string | undefined, name: string): string {
  return ns === undefined || ns === '' ? name : `${ns}/${name}`;
}

export function objKey(obj: Obj): string {
  return keyOf(obj.metadata.namespace, obj.metadata.name);
}

export function matchesFilter(f: WatchFilter, obj: Obj | undefined): boolean {
  if (obj === undefined) return false;
  if (f.namespace !== undefined && obj.metadata.namespace !== f.namespace) return false;
  return matchesSelector(f.labels, obj.metadata.labels) && matchesFields(f.fields, obj);
}

class TypeState {
  readonly objects = new Map<string, Obj>();
  readonly byNamespace = new Map<string, Set<string>>();
  readonly sinks = new Set<WatchSink>();
}

export interface StoreOptions {
  /** How many changes watches can resume across; older resourceVersions get 410 Expired. */
  readonly historyLimit: number;
}

export class ObjectStore {
  #rv = 1000;
  readonly #types = new Map<ResourceType, TypeState>();
  #history: Change[] = [];
  #compactedRv = 0;
  readonly #historyLimit: number;
  readonly #uids = new Map<string, { resource: ResourceType; key: string }>();
  readonly #dependents = new Map<string, Set<string>>();

  constructor(options: StoreOptions) {
    this.#historyLimit = options.historyLimit;
  }

  get resourceVersion(): number {
    return this.#rv;
  }

  #state(t: ResourceType): TypeState {
    let s = this.#types.get(t);
    if (s === undefined) {
      s = new TypeState();
      this.#types.set(t, s);
    }
    return s;
  }

  get(t: ResourceType, ns: string | undefined, name: string): Obj | undefined {
    return this.#state(t).objects.get(keyOf(t.namespaced ? ns : undefined, name));
  }

  count(t: ResourceType): number {
    return this.#state(t).objects.size;
  }

  /** Objects of a type (in one namespace, or all), sorted by key like etcd. */
  list(t: ResourceType, ns?: string): Obj[] {
    const s = this.#state(t);
    let keys: string[];
    if (ns !== undefined && t.namespaced) keys = [...(s.byNamespace.get(ns) ?? [])];
    else keys = [...s.objects.keys()];
    keys.sort();
    const out: Obj[] = [];
    for (const k of keys) {
      const o = s.objects.get(k);
      if (o !== undefined) out.push(o);
    }
    return out;
  }

  byUid(uid: string): { resource: ResourceType; obj: Obj } | undefined {
    const ref = this.#uids.get(uid);
    if (ref === undefined) return undefined;
    const obj = this.#state(ref.resource).objects.get(ref.key);
    return obj === undefined ? undefined : { resource: ref.resource, obj };
  }

  /** Objects that list `ownerUid` in their ownerReferences. */
  dependentsOf(ownerUid: string): { resource: ResourceType; obj: Obj }[] {
    const out: { resource: ResourceType; obj: Obj }[] = [];
    for (const uid of this.#dependents.get(ownerUid) ?? []) {
      const found = this.byUid(uid);
      if (found !== undefined) out.push(found);
    }
    return out;
  }

  /** Stores `obj` (new or replacing `prev`) under a fresh resourceVersion and notifies watches. */
  put(t: ResourceType, obj: Obj, prev: Obj | undefined): Obj {
    this.#rv++;
    const stored: Obj = {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: String(this.#rv) },
    };
    const s = this.#state(t);
    const key = objKey(stored);
    s.objects.set(key, stored);
    const ns = stored.metadata.namespace;
    if (ns !== undefined) {
      let set = s.byNamespace.get(ns);
      if (set === undefined) {
        set = new Set();
        s.byNamespace.set(ns, set);
      }
      set.add(key);
    }
    this.#uids.set(stored.metadata.uid, { resource: t, key });
    if (prev !== undefined) this.#unindexOwners(prev);
    this.#indexOwners(stored);
    this.#record({
      rv: this.#rv,
      type: prev === undefined ? 'ADDED' : 'MODIFIED',
      resource: t,
      obj: stored,
      prev,
    });
    return stored;
  }

  /** Removes an object; the DELETED event carries the deletion's resourceVersion. */
  remove(t: ResourceType, prev: Obj): Obj {
    this.#rv++;
    const s = this.#state(t);
    const key = objKey(prev);
    s.objects.delete(key);
    const ns = prev.metadata.namespace;
    if (ns !== undefined) s.byNamespace.get(ns)?.delete(key);
    this.#uids.delete(prev.metadata.uid);
    this.#unindexOwners(prev);
    const gone: Obj = {
      ...prev,
      metadata: { ...prev.metadata, resourceVersion: String(this.#rv) },
    };
    this.#record({ rv: this.#rv, type: 'DELETED', resource: t, obj: gone, prev });
    return gone;
  }

  subscribe(t: ResourceType, sink: WatchSink): () => void {
    const s = this.#state(t);
    s.sinks.add(sink);
    return () => s.sinks.delete(sink);
  }

  sinks(t?: ResourceType): WatchSink[] {
    if (t !== undefined) return [...this.#state(t).sinks];
    return [...this.#types.values()].flatMap((s) => [...s.sinks]);
  }

  /** Changes to `t` after `rv`; throws ExpiredError if history no longer reaches back that far. */
  changesSince(t: ResourceType, rv: number): Change[] {
    if (rv < this.#compactedRv) throw new ExpiredError(rv, this.#compactedRv);
    let lo = 0;
    let hi = this.#history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#history[mid]?.rv ?? 0) <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.#history.slice(lo).filter((c) => c.resource === t);
  }

  /** Forgets all history: every watch from an earlier resourceVersion now gets 410. */
  compact(): void {
    this.#history = [];
    this.#compactedRv = this.#rv;
  }

  #record(change: Change): void {
    this.#history.push(change);
    if (this.#history.length > this.#historyLimit * 1.25) {
      const drop = this.#history.length - this.#historyLimit;
      this.#compactedRv = this.#history[drop - 1]?.rv ?? this.#compactedRv;
      this.#history = this.#history.slice(drop);
    }
    for (const sink of this.#state(change.resource).sinks) sink.deliver(change);
  }

  #indexOwners(obj: Obj): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.#dependents.get(ref.uid);
      if (set === undefined) {
        set = new Set();
        this.#dependents.set(ref.uid, set);
      }
      set.add(obj.metadata.uid);
    }
  }

  #unindexOwners(obj: Obj): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.#dependents.get(ref.uid);
      set?.delete(obj.metadata.uid);
      if (set?.size === 0) this.#dependents.delete(ref.uid);
    }
  }
}
