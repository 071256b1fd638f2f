// Typed operations on one REST collection (core Secrets, Leases, or any custom resource), plus
// the list and watch calls informers are built on. Controllers depend on the interfaces here so
// unit tests can hand them a fake.
import { SealbridgeError } from '../errors.ts';
import type { ApiCaller } from './api-caller.ts';
import type { RequestDescription } from './errors.ts';
import { resourceName, resourcePath, type ResourceDescriptor } from './resources.ts';
import type { HttpRequest } from './transport.ts';
import type { KubeObject, ObjectList, ObjectRef, WatchEvent } from './types.ts';
import { ndjsonLines, parseWatchLine } from './watch-stream.ts';

export interface Cancellable {
  readonly signal?: AbortSignal | undefined;
}

export interface ListOptions extends Cancellable {
  /** Omit for all namespaces (or for cluster-scoped resources). */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  readonly limit?: number | undefined;
  readonly continue?: string | undefined;
  readonly resourceVersion?: string | undefined;
  /** Ask for PartialObjectMetadata: no spec, data or status is sent at all. */
  readonly metadataOnly?: boolean | undefined;
}

export interface WatchOptions {
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** Events after this version are sent ('' or '0': the current state first, as ADDED). */
  readonly resourceVersion: string;
  readonly allowWatchBookmarks?: boolean | undefined;
  readonly timeoutSeconds?: number | undefined;
  readonly metadataOnly?: boolean | undefined;
  /** Aborting ends the stream. */
  readonly signal: AbortSignal;
}

export interface WriteOptions extends Cancellable {
  readonly fieldManager?: string | undefined;
  readonly dryRun?: boolean | undefined;
}

/** merge: RFC 7386 JSON merge patch; json: RFC 6902 JSON patch; strategic: Kubernetes SMP. */
export type PatchType = 'merge' | 'json' | 'strategic';

export interface PatchOptions extends WriteOptions {
  readonly type?: PatchType | undefined;
}

export interface DeleteOptions extends Cancellable {
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' | undefined;
  /** Delete only if the object still has this resourceVersion / uid (409 otherwise). */
  readonly preconditions?: { readonly resourceVersion?: string; readonly uid?: string } | undefined;
}

/** What an informer needs from the API. */
export interface ListWatcher<T extends KubeObject> {
  readonly resource: ResourceDescriptor;
  list(options?: ListOptions): Promise<ObjectList<T>>;
  watch(options: WatchOptions): AsyncIterable<WatchEvent<T>>;
}

/** CRUD on one resource. Errors are KubeApiError (KUBE_NOT_FOUND, KUBE_CONFLICT, …). */
export interface ResourceClient<T extends KubeObject> extends ListWatcher<T> {
  get(ref: ObjectRef, options?: Cancellable): Promise<T>;
  /** Like get, but resolves undefined on 404. */
  find(ref: ObjectRef, options?: Cancellable): Promise<T | undefined>;
  create(obj: T, options?: WriteOptions): Promise<T>;
  /**
   * PUT. With metadata.resourceVersion set this is a compare-and-swap: a stale version
   * fails with KUBE_CONFLICT (retryable). The status of a resource with a status
   * subresource is ignored here; use replaceStatus.
   */
  replace(obj: T, options?: WriteOptions): Promise<T>;
  patch(ref: ObjectRef, patch: unknown, options?: PatchOptions): Promise<T>;
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<void>;
  /** PUT …/status: only .status changes; resourceVersion is checked as for replace. */
  replaceStatus(obj: T, options?: WriteOptions): Promise<T>;
  patchStatus(ref: ObjectRef, patch: unknown, options?: PatchOptions): Promise<T>;
}

const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export const METADATA_LIST_ACCEPT =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
export const METADATA_WATCH_ACCEPT =
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

interface RawList<T> {
  readonly items?: T[] | null;
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
}

export class HttpResourceClient<T extends KubeObject> implements ResourceClient<T> {
  readonly resource: ResourceDescriptor;
  readonly #api: ApiCaller;
  readonly #name: string;

  constructor(api: ApiCaller, resource: ResourceDescriptor) {
    this.#api = api;
    this.resource = resource;
    this.#name = resourceName(resource);
  }

  #describe(verb: string, ref?: ObjectRef, namespace?: string): RequestDescription {
    const ns = this.resource.namespaced ? (ref?.namespace ?? namespace) : undefined;
    return { verb, resource: this.#name, namespace: ns, name: ref?.name };
  }

  #objectPath(ref: ObjectRef, subresource?: string): string {
    if (ref.name === '') throw new SealbridgeError('INVALID_INPUT', `${this.#name}: empty name`);
    if (this.resource.namespaced && (ref.namespace === undefined || ref.namespace === '')) {
      throw new SealbridgeError('INVALID_INPUT', `${this.#name} ${ref.name}: namespace required`);
    }
    return resourcePath(this.resource, { namespace: ref.namespace, name: ref.name, subresource });
  }

  async get(ref: ObjectRef, options: Cancellable = {}): Promise<T> {
    return this.#api.json<T>(this.#describe('get', ref), {
      method: 'GET',
      path: this.#objectPath(ref),
      signal: options.signal,
    });
  }

  async find(ref: ObjectRef, options: Cancellable = {}): Promise<T | undefined> {
    try {
      return await this.get(ref, options);
    } catch (err) {
      if (err instanceof SealbridgeError && err.code === 'KUBE_NOT_FOUND') return undefined;
      throw err;
    }
  }

  async list(options: ListOptions = {}): Promise<ObjectList<T>> {
    const raw = await this.#api.json<RawList<T>>(
      this.#describe('list', undefined, options.namespace),
      {
        method: 'GET',
        path: resourcePath(this.resource, { namespace: options.namespace }),
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: options.limit,
          continue: options.continue,
          resourceVersion: options.resourceVersion,
        },
        accept: options.metadataOnly === true ? METADATA_LIST_ACCEPT : undefined,
        signal: options.signal,
      },
    );
    const cont = raw.metadata?.continue;
    return {
      items: raw.items ?? [],
      resourceVersion: raw.metadata?.resourceVersion ?? '',
      ...(cont !== undefined && cont !== '' ? { continue: cont } : {}),
    };
  }

  async *watch(options: WatchOptions): AsyncGenerator<WatchEvent<T>> {
    const d = this.#describe('watch', undefined, options.namespace);
    const res = await this.#api.send(d, {
      method: 'GET',
      path: resourcePath(this.resource, { namespace: options.namespace }),
      query: {
        watch: 'true',
        resourceVersion: options.resourceVersion,
        allowWatchBookmarks: options.allowWatchBookmarks,
        timeoutSeconds: options.timeoutSeconds,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      },
      accept: options.metadataOnly === true ? METADATA_WATCH_ACCEPT : undefined,
      signal: options.signal,
    });
    const body = res.stream();
    if (body === null) return;
    for await (const line of ndjsonLines(body)) yield parseWatchLine<T>(line, d);
  }

  async create(obj: T, options: WriteOptions = {}): Promise<T> {
    const ns = obj.metadata.namespace;
    const ref =
      obj.metadata.name === undefined ? undefined : { namespace: ns, name: obj.metadata.name };
    return this.#api.json<T>(this.#describe('create', ref, ns), {
      method: 'POST',
      path: resourcePath(this.resource, { namespace: ns }),
      query: writeQuery(options),
      body: JSON.stringify(this.#withType(obj)),
      signal: options.signal,
    });
  }

  async replace(obj: T, options: WriteOptions = {}): Promise<T> {
    return this.#put(obj, 'update', undefined, options);
  }

  async replaceStatus(obj: T, options: WriteOptions = {}): Promise<T> {
    return this.#put(obj, 'update status', 'status', options);
  }

  async patch(ref: ObjectRef, patch: unknown, options: PatchOptions = {}): Promise<T> {
    return this.#patch(ref, patch, 'patch', undefined, options);
  }

  async patchStatus(ref: ObjectRef, patch: unknown, options: PatchOptions = {}): Promise<T> {
    return this.#patch(ref, patch, 'patch status', 'status', options);
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<void> {
    const hasBody = options.propagationPolicy !== undefined || options.preconditions !== undefined;
    const body = hasBody
      ? JSON.stringify({
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          propagationPolicy: options.propagationPolicy,
          preconditions: options.preconditions,
        })
      : undefined;
    const res = await this.#api.send(this.#describe('delete', ref), {
      method: 'DELETE',
      path: this.#objectPath(ref),
      body,
      signal: options.signal,
    });
    await res.text();
  }

  async #put(obj: T, verb: string, sub: string | undefined, options: WriteOptions): Promise<T> {
    const ref = { namespace: obj.metadata.namespace, name: obj.metadata.name ?? '' };
    return this.#api.json<T>(this.#describe(verb, ref), {
      method: 'PUT',
      path: this.#objectPath(ref, sub),
      query: writeQuery(options),
      body: JSON.stringify(this.#withType(obj)),
      signal: options.signal,
    });
  }

  async #patch(
    ref: ObjectRef,
    patch: unknown,
    verb: string,
    sub: string | undefined,
    options: PatchOptions,
  ): Promise<T> {
    return this.#api.json<T>(this.#describe(verb, ref), {
      method: 'PATCH',
      path: this.#objectPath(ref, sub),
      query: writeQuery(options),
      body: JSON.stringify(patch),
      contentType: PATCH_CONTENT_TYPES[options.type ?? 'merge'],
      signal: options.signal,
    });
  }

  /** The API server needs apiVersion and kind on every body it decodes. */
  #withType(obj: T): T {
    const apiVersion =
      this.resource.group === ''
        ? this.resource.version
        : `${this.resource.group}/${this.resource.version}`;
    return {
      ...obj,
      apiVersion: obj.apiVersion ?? apiVersion,
      kind: obj.kind ?? this.resource.kind,
    };
  }
}

function writeQuery(options: WriteOptions): NonNullable<HttpRequest['query']> {
  return {
    fieldManager: options.fieldManager,
    dryRun: options.dryRun === true ? 'All' : undefined,
  };
}
