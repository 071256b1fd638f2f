// An in-memory Lease client with the API server's compare-and-swap on resourceVersion, for
// deterministic leader-election tests on a fake clock.
import { kubeResponseError } from '../../src/kube/errors.ts';
import type { ResourceClient } from '../../src/kube/resource-client.ts';
import { LEASES } from '../../src/kube/resources.ts';
import type { LeaseObject, ObjectRef, WatchEvent } from '../../src/kube/types.ts';

const unavailable = (verb: string): Error =>
  kubeResponseError({ verb, resource: 'leases' }, 503, {});

export class FakeLeases implements ResourceClient<LeaseObject> {
  readonly resource = LEASES;
  #rv = 1;
  lease: LeaseObject | undefined;
  writes = 0;
  reads = 0;
  /** While true, every call fails like an unreachable API server. */
  down = false;

  client(): ResourceClient<LeaseObject> {
    return this;
  }

  get(ref: ObjectRef): Promise<LeaseObject> {
    return this.find(ref).then((l) => {
      if (l !== undefined) return l;
      throw kubeResponseError({ verb: 'get', resource: 'leases', name: ref.name }, 404, {
        reason: 'NotFound',
      });
    });
  }

  find(_ref?: ObjectRef): Promise<LeaseObject | undefined> {
    this.reads++;
    if (this.down) return Promise.reject(unavailable('get'));
    return Promise.resolve(this.lease === undefined ? undefined : structuredClone(this.lease));
  }

  create(obj: LeaseObject): Promise<LeaseObject> {
    if (this.down) return Promise.reject(unavailable('create'));
    if (this.lease !== undefined) {
      return Promise.reject(
        kubeResponseError({ verb: 'create', resource: 'leases' }, 409, { reason: 'AlreadyExists' }),
      );
    }
    return Promise.resolve(this.#store(obj));
  }

  replace(obj: LeaseObject): Promise<LeaseObject> {
    if (this.down) return Promise.reject(unavailable('update'));
    if (this.lease?.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      return Promise.reject(
        kubeResponseError({ verb: 'update', resource: 'leases' }, 409, { reason: 'Conflict' }),
      );
    }
    return Promise.resolve(this.#store(obj));
  }

  #store(obj: LeaseObject): LeaseObject {
    this.writes++;
    this.lease = {
      ...structuredClone(obj),
      metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) },
    };
    return structuredClone(this.lease);
  }

  list(): never {
    throw new Error('not used by leader election');
  }
  watch(): AsyncIterable<WatchEvent<LeaseObject>> {
    throw new Error('not used by leader election');
  }
  patch(): never {
    throw new Error('not used by leader election');
  }
  delete(): never {
    throw new Error('not used by leader election');
  }
  replaceStatus(): never {
    throw new Error('not used by leader election');
  }
  patchStatus(): never {
    throw new Error('not used by leader election');
  }
}
