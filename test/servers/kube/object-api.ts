// Write semantics of the test API server: create, update (optimistic concurrency), patch, the
// status subresource, generation, finalizers, delete with ownerReference garbage collection, and
// ServiceAccount TokenRequests. Used by the HTTP layer and directly by tests that seed state.
import { randomBytes, randomUUID } from 'node:crypto';
import { issueToken, type IssuedToken } from './tokens.ts';
import { canonical, normalize } from './normalize.ts';
import { jsonPatch, mergePatch, PatchError, type Json } from './patch.ts';
import { apiVersion, type ResourceRegistry, type ResourceType } from './resource-types.ts';
import {
  alreadyExists,
  ApiStatusError,
  badRequest,
  conflict,
  invalid,
  notFound,
} from './status.ts';
import type { Meta, Obj, ObjectStore } from './store.ts';

export interface WriteOptions {
  readonly dryRun?: boolean;
  readonly subresource?: 'status';
}

export interface DeleteOptions {
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' | undefined;
  readonly preconditions?:
    | { readonly resourceVersion?: string | undefined; readonly uid?: string | undefined }
    | undefined;
}

const SERVER_META = [
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
  'generation',
  'managedFields',
  'selfLink',
];

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

function asObj(body: unknown, t: ResourceType): Obj {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`the body of the request must be a ${t.kind} object`);
  }
  const o = body as Partial<Obj>;
  if (typeof o.metadata !== 'object' || Array.isArray(o.metadata)) {
    throw badRequest(`${t.kind} without metadata`);
  }
  if (o.kind !== undefined && o.kind !== t.kind) {
    throw badRequest(`the kind ${o.kind} does not match the resource ${t.plural} (${t.kind})`);
  }
  return o as Obj;
}

/** Everything a spec change bumps generation for: all but metadata (and status, with the subresource). */
function specOf(t: ResourceType, o: Obj): string {
  const rest: Record<string, unknown> = { ...o };
  delete rest['metadata'];
  if (t.statusSubresource) delete rest['status'];
  return canonical(rest);
}

function withoutRv(o: Obj): unknown {
  const meta: Record<string, unknown> = { ...o.metadata };
  delete meta['resourceVersion'];
  return { ...o, metadata: meta };
}

export class ObjectApi {
  readonly #store: ObjectStore;
  readonly #registry: ResourceRegistry;
  readonly #now: () => number;
  /** Every token issued, for test servers that check ServiceAccount tokens (Vault, AWS). */
  readonly tokens = new Map<string, IssuedToken>();

  readonly #gcDangling: boolean;

  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    options: { now?: () => number; gcDanglingDependents?: boolean } = {},
  ) {
    this.#store = store;
    this.#registry = registry;
    this.#now = options.now ?? Date.now;
    this.#gcDangling = options.gcDanglingDependents ?? true;
  }

  create(
    t: ResourceType,
    namespace: string | undefined,
    body: unknown,
    opts: WriteOptions = {},
  ): Obj {
    const incoming = asObj(body, t);
    const meta = incoming.metadata as Partial<Meta>;
    let ns: string | undefined;
    if (t.namespaced) {
      ns = meta.namespace ?? namespace;
      if (namespace !== undefined && meta.namespace !== undefined && meta.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      if (ns === undefined || ns === '') throw badRequest('a namespace is required');
    }
    let name = meta.name;
    if ((name === undefined || name === '') && typeof meta.generateName === 'string') {
      name = meta.generateName + randomSuffix();
    }
    if (name === undefined || name === '') {
      throw invalid(t.kind, '', [
        {
          field: 'metadata.name',
          reason: 'FieldValueRequired',
          message: 'name or generateName is required',
        },
      ]);
    }
    if (this.#store.get(t, ns, name) !== undefined) throw alreadyExists(t.plural, name);
    const newMeta: Record<string, unknown> = { ...meta };
    for (const f of SERVER_META) Reflect.deleteProperty(newMeta, f);
    Object.assign(newMeta, {
      name,
      uid: randomUUID(),
      creationTimestamp: rfc3339(this.#now()),
      ...(ns === undefined ? {} : { namespace: ns }),
      ...(t.custom ? { generation: 1 } : {}),
    });
    if (!t.namespaced) delete newMeta['namespace'];
    let obj: Obj = {
      ...incoming,
      apiVersion: apiVersion(t),
      kind: t.kind,
      metadata: newMeta as Meta,
    };
    if (t.statusSubresource) delete obj['status'];
    obj = normalize(t, obj, undefined);
    if (opts.dryRun === true) return { ...obj, metadata: { ...obj.metadata, resourceVersion: '' } };
    return this.#watchOwners(t, this.#store.put(t, obj, undefined));
  }

  update(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions = {},
  ): Obj {
    const incoming = asObj(body, t);
    const existing = this.#mustGet(t, namespace, name);
    const bodyName = (incoming.metadata as Partial<Meta>).name;
    if (bodyName !== undefined && bodyName !== name) {
      throw badRequest('the name of the object does not match the name on the URL');
    }
    const rv = incoming.metadata.resourceVersion as string | undefined;
    if (rv === undefined || rv === '') {
      if (t.custom) {
        throw invalid(t.kind, name, [
          {
            field: 'metadata.resourceVersion',
            reason: 'FieldValueInvalid',
            message: 'must be specified for an update',
          },
        ]);
      }
    } else if (rv !== existing.metadata.resourceVersion) {
      throw conflict(t.plural, name);
    }
    const uid = incoming.metadata.uid as string | undefined;
    if (uid !== undefined && uid !== '' && uid !== existing.metadata.uid) {
      throw conflict(
        t.plural,
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${existing.metadata.uid}`,
      );
    }
    return this.#write(t, existing, this.#prepare(t, existing, incoming, opts.subresource), opts);
  }

  patch(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    contentType: string,
    opts: WriteOptions = {},
  ): Obj {
    const existing = this.#mustGet(t, namespace, name);
    const base = structuredClone(existing) as unknown as Json;
    let patched: Json;
    try {
      if (contentType.startsWith('application/json-patch+json'))
        patched = jsonPatch(base, patch as Json);
      else if (
        contentType.startsWith('application/merge-patch+json') ||
        contentType.startsWith('application/strategic-merge-patch+json')
      ) {
        patched = mergePatch(base, patch as Json);
      } else {
        throw new ApiStatusError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
        );
      }
    } catch (err) {
      if (err instanceof PatchError) {
        throw new ApiStatusError(
          422,
          'Invalid',
          `the server rejected our request due to an error in our request: ${err.message}`,
        );
      }
      throw err;
    }
    const obj = asObj(patched, t);
    if (obj.metadata.name !== name)
      throw badRequest('a patch cannot change the name of the object');
    const rv = obj.metadata.resourceVersion;
    if (rv !== existing.metadata.resourceVersion) throw conflict(t.plural, name);
    return this.#write(t, existing, this.#prepare(t, existing, obj, opts.subresource), opts);
  }

  delete(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Obj {
    const existing = this.#mustGet(t, namespace, name);
    const pre = opts.preconditions;
    if (
      pre?.resourceVersion !== undefined &&
      pre.resourceVersion !== existing.metadata.resourceVersion
    ) {
      throw conflict(
        t.plural,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`,
      );
    }
    if (pre?.uid !== undefined && pre.uid !== existing.metadata.uid) {
      throw conflict(
        t.plural,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`,
      );
    }
    if ((existing.metadata.finalizers ?? []).length > 0) {
      if (existing.metadata.deletionTimestamp !== undefined) return existing;
      const marked: Obj = {
        ...existing,
        metadata: { ...existing.metadata, deletionTimestamp: rfc3339(this.#now()) },
      };
      return this.#store.put(t, marked, existing);
    }
    return this.#remove(t, existing, opts.propagationPolicy ?? 'Background');
  }

  /** POST serviceaccounts/<name>/token. */
  createToken(namespace: string, name: string, body: unknown): object {
    const sa = this.#store.get(this.#registry.byName('serviceaccounts'), namespace, name);
    if (sa === undefined) throw notFound('serviceaccounts', name);
    return issueToken(this.tokens, sa, body, this.#now());
  }

  #mustGet(t: ResourceType, namespace: string | undefined, name: string): Obj {
    const existing = this.#store.get(t, namespace, name);
    if (existing === undefined) throw notFound(t.plural, name);
    return existing;
  }

  /** The object to store: server-owned fields from `existing`, the rest from `incoming`. */
  #prepare(t: ResourceType, existing: Obj, incoming: Obj, sub: 'status' | undefined): Obj {
    if (sub === 'status') {
      const next: Obj = { ...existing, metadata: { ...existing.metadata } };
      if (incoming['status'] === undefined) delete next['status'];
      else next['status'] = incoming['status'];
      return next;
    }
    const keep: Partial<Meta> = {
      name: existing.metadata.name,
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
      resourceVersion: existing.metadata.resourceVersion,
    };
    if (existing.metadata.namespace !== undefined) keep.namespace = existing.metadata.namespace;
    if (existing.metadata.deletionTimestamp !== undefined)
      keep.deletionTimestamp = existing.metadata.deletionTimestamp;
    const meta = { ...incoming.metadata, ...keep };
    if (existing.metadata.deletionTimestamp === undefined) delete meta.deletionTimestamp;
    const next: Obj = { ...incoming, apiVersion: apiVersion(t), kind: t.kind, metadata: meta };
    if (t.statusSubresource) {
      if (existing['status'] === undefined) delete next['status'];
      else next['status'] = existing['status'];
    }
    return normalize(t, next, existing);
  }

  #write(t: ResourceType, existing: Obj, next: Obj, opts: WriteOptions): Obj {
    if (t.custom) {
      const gen = existing.metadata.generation ?? 1;
      next.metadata.generation = specOf(t, next) === specOf(t, existing) ? gen : gen + 1;
    }
    // Like etcd's GuaranteedUpdate: an update that changes nothing is not written.
    if (canonical(withoutRv(next)) === canonical(withoutRv(existing))) return existing;
    if (opts.dryRun === true) return next;
    if (
      next.metadata.deletionTimestamp !== undefined &&
      (next.metadata.finalizers ?? []).length === 0
    ) {
      return this.#remove(t, next, 'Background');
    }
    return this.#watchOwners(t, this.#store.put(t, next, existing));
  }

  #remove(t: ResourceType, existing: Obj, policy: 'Background' | 'Foreground' | 'Orphan'): Obj {
    const uid = existing.metadata.uid;
    if (policy === 'Orphan') {
      for (const dep of this.#store.dependentsOf(uid)) this.#orphan(dep.resource, dep.obj, uid);
    } else if (policy === 'Foreground') {
      this.#collect(uid);
    }
    if (t.group === '' && t.plural === 'namespaces') this.#emptyNamespace(existing.metadata.name);
    const gone = this.#store.remove(t, existing);
    // Background garbage collection runs after the response, as the real collector does.
    if (policy === 'Background')
      setImmediate(() => {
        this.#collect(uid);
      });
    return gone;
  }

  /**
   * Like the real garbage collector: an object whose owners are all absent (by uid) is deleted,
   * e.g. a Secret a controller recreated for an owner that was deleted a moment earlier.
   */
  #watchOwners(t: ResourceType, stored: Obj): Obj {
    const refs = stored.metadata.ownerReferences ?? [];
    if (
      this.#gcDangling &&
      refs.length > 0 &&
      refs.every((r) => this.#store.byUid(r.uid) === undefined)
    ) {
      setImmediate(() => {
        const current = this.#store.get(t, stored.metadata.namespace, stored.metadata.name);
        if (current?.metadata.uid !== stored.metadata.uid) return;
        const owners = current.metadata.ownerReferences ?? [];
        if (owners.length === 0 || owners.some((r) => this.#store.byUid(r.uid) !== undefined))
          return;
        if ((current.metadata.finalizers ?? []).length > 0)
          this.delete(t, current.metadata.namespace, current.metadata.name);
        else this.#remove(t, current, 'Background');
      });
    }
    return stored;
  }

  /** Deletes dependents of a vanished owner whose owners are now all gone. */
  #collect(ownerUid: string): void {
    for (const dep of this.#store.dependentsOf(ownerUid)) {
      const owners = dep.obj.metadata.ownerReferences ?? [];
      if (owners.some((o) => o.uid !== ownerUid && this.#store.byUid(o.uid) !== undefined))
        continue;
      const current = this.#store.get(
        dep.resource,
        dep.obj.metadata.namespace,
        dep.obj.metadata.name,
      );
      if (current === undefined || current.metadata.uid !== dep.obj.metadata.uid) continue;
      if ((current.metadata.finalizers ?? []).length > 0) {
        this.delete(dep.resource, current.metadata.namespace, current.metadata.name);
      } else {
        this.#remove(dep.resource, current, 'Background');
      }
    }
  }

  #orphan(t: ResourceType, obj: Obj, ownerUid: string): void {
    const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
    const meta = { ...obj.metadata, ownerReferences: refs };
    if (refs.length === 0) delete (meta as Partial<Meta>).ownerReferences;
    this.#store.put(t, { ...obj, metadata: meta }, obj);
  }

  #emptyNamespace(ns: string): void {
    for (const t of this.#registry.all()) {
      if (!t.namespaced) continue;
      for (const o of this.#store.list(t, ns)) this.#store.remove(t, o);
    }
  }
}
