// The watch protocol: a chunked 200 response carrying one JSON event per line. Replays history
// after the requested resourceVersion (or the current state as ADDED), then streams live changes,
// applying selector transitions the way the watch cache does (an object that stops matching is
// sent as DELETED, one that starts matching as ADDED), with periodic BOOKMARKs and a timeout.
import type { ServerResponse } from 'node:http';
import { apiVersion, type ResourceType } from './resource-types.ts';
import { expired } from './status.ts';
import {
  ExpiredError,
  matchesFilter,
  type Change,
  type Obj,
  type ObjectStore,
  type WatchFilter,
} from './store.ts';

export interface OpenWatch {
  readonly resource: ResourceType;
  readonly namespace: string | undefined;
  close(mode: 'end' | 'destroy'): void;
  /** Fault injection: keep the connection open but deliver nothing more (a silently dead watch). */
  stall(): void;
}

export interface WatchRequest {
  readonly resource: ResourceType;
  readonly filter: WatchFilter;
  readonly resourceVersion: string | undefined;
  readonly bookmarks: boolean;
  readonly timeoutSeconds: number;
  readonly metadataOnly: boolean;
  /** Fault injection: answer with 410 Expired regardless of the version. */
  readonly forceExpired: boolean;
}

export function present(obj: Obj, metadataOnly: boolean): unknown {
  return metadataOnly
    ? { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: obj.metadata }
    : obj;
}

/** What a change looks like to one watcher: an event type, or nothing. */
export function transition(
  filter: WatchFilter,
  c: Change,
): 'ADDED' | 'MODIFIED' | 'DELETED' | undefined {
  if (c.type === 'ADDED') return matchesFilter(filter, c.obj) ? 'ADDED' : undefined;
  if (c.type === 'DELETED') return matchesFilter(filter, c.prev) ? 'DELETED' : undefined;
  const before = matchesFilter(filter, c.prev);
  const after = matchesFilter(filter, c.obj);
  if (before && after) return 'MODIFIED';
  if (after) return 'ADDED';
  return before ? 'DELETED' : undefined;
}

export function serveWatch(
  store: ObjectStore,
  w: WatchRequest,
  res: ServerResponse,
  bookmarkIntervalMs: number,
  onClose: (handle: OpenWatch) => void,
): OpenWatch {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  const write = (type: string, object: unknown): void => {
    if (!stalled && !res.writableEnded && !res.destroyed)
      res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const send = (type: string, obj: Obj): void => {
    write(type, present(obj, w.metadataOnly));
  };
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => undefined;
  let closed = false;
  let stalled = false;
  const cleanup = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    onClose(handle);
  };
  res.on('close', cleanup);
  const handle: OpenWatch = {
    resource: w.resource,
    namespace: w.filter.namespace,
    close: (mode) => {
      cleanup();
      if (mode === 'destroy') res.destroy();
      else res.end();
    },
    stall: () => {
      stalled = true;
    },
  };

  const rv = w.resourceVersion;
  try {
    if (w.forceExpired) throw new ExpiredError(Number(rv ?? 0), store.resourceVersion);
    if (rv === undefined || rv === '' || rv === '0') {
      for (const obj of store.list(w.resource, w.filter.namespace)) {
        if (matchesFilter(w.filter, obj)) send('ADDED', obj);
      }
    } else {
      for (const c of store.changesSince(w.resource, Number(rv))) {
        const type = transition(w.filter, c);
        if (type !== undefined) send(type, c.obj);
      }
    }
  } catch (err) {
    if (!(err instanceof ExpiredError)) throw err;
    write('ERROR', expired(err.message).toStatus());
    handle.close('end');
    return handle;
  }

  unsubscribe = store.subscribe(w.resource, {
    filter: w.filter,
    deliver: (c) => {
      const type = transition(w.filter, c);
      if (type !== undefined) send(type, c.obj);
    },
  });
  if (w.bookmarks) {
    const tick = (): void => {
      write('BOOKMARK', {
        kind: w.resource.kind,
        apiVersion: apiVersion(w.resource),
        metadata: { resourceVersion: String(store.resourceVersion) },
      });
      timers[0] = setTimeout(tick, bookmarkIntervalMs).unref();
    };
    timers[0] = setTimeout(tick, bookmarkIntervalMs).unref();
  }
  timers.push(
    setTimeout(() => {
      handle.close('end');
    }, w.timeoutSeconds * 1000).unref(),
  );
  return handle;
}
