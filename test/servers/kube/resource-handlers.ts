// The REST handlers behind the test API server's resource routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults, RequestInfo } from './faults.ts';
import { isMetadataOnly, parseJson, sendJson } from './http-util.ts';
import { listObjects } from './list.ts';
import type { DeleteOptions, ObjectApi } from './object-api.ts';
import type { Route } from './routes.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { ApiStatusError } from './status.ts';
import type { Obj, ObjectStore, WatchFilter } from './store.ts';
import { present, serveWatch, type OpenWatch } from './watch.ts';

export interface HandlerContext {
  readonly store: ObjectStore;
  readonly objects: ObjectApi;
  readonly faults: Faults;
  readonly snapshots: Map<string, { items: Obj[]; rv: number }>;
  readonly watches: Set<OpenWatch>;
  readonly bookmarkIntervalMs: number;
  readonly defaultWatchTimeoutSeconds: number;
}

function filterOf(namespace: string | undefined, q: URLSearchParams): WatchFilter {
  return {
    namespace,
    labels: parseLabelSelector(q.get('labelSelector')),
    fields: parseFieldSelector(q.get('fieldSelector')),
  };
}

/** GET/LIST/WATCH/POST/PUT/PATCH/DELETE on a collection or an object. */
export function serveResource(
  ctx: HandlerContext,
  r: Extract<Route, { kind: 'resource' }>,
  info: RequestInfo,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
): void {
  const t = r.resource;
  const q = info.query;
  const dryRun = q.get('dryRun') === 'All';
  const meta = isMetadataOnly(req);
  if (r.subresource !== undefined) {
    serveSubresource(ctx, r, info, req, res, raw);
    return;
  }
  switch (info.verb) {
    case 'get': {
      const obj = ctx.store.get(t, r.namespace, r.name ?? '');
      if (obj === undefined)
        throw new ApiStatusError(404, 'NotFound', `${t.plural} "${r.name ?? ''}" not found`, {
          name: r.name,
          kind: t.plural,
        });
      sendJson(res, 200, present(obj, meta));
      return;
    }
    case 'list':
      sendJson(
        res,
        200,
        listObjects(ctx.store, ctx.snapshots, t, filterOf(r.namespace, q), q, meta),
      );
      return;
    case 'watch': {
      const handle = serveWatch(
        ctx.store,
        {
          resource: t,
          filter: filterOf(r.namespace, q),
          resourceVersion: q.get('resourceVersion') ?? undefined,
          bookmarks: q.get('allowWatchBookmarks') === 'true',
          timeoutSeconds: Number(q.get('timeoutSeconds') ?? ctx.defaultWatchTimeoutSeconds),
          metadataOnly: meta,
          forceExpired: ctx.faults.takeExpire(info),
        },
        res,
        ctx.bookmarkIntervalMs,
        (h) => ctx.watches.delete(h),
      );
      if (!res.writableEnded) ctx.watches.add(handle);
      return;
    }
    case 'create':
      sendJson(res, 201, ctx.objects.create(t, r.namespace, parseJson(raw), { dryRun }));
      return;
    case 'update':
      sendJson(
        res,
        200,
        ctx.objects.update(t, r.namespace, r.name ?? '', parseJson(raw), { dryRun }),
      );
      return;
    case 'patch':
      sendJson(
        res,
        200,
        ctx.objects.patch(
          t,
          r.namespace,
          r.name ?? '',
          parseJson(raw),
          req.headers['content-type'] ?? '',
          { dryRun },
        ),
      );
      return;
    case 'delete': {
      const opts = (parseJson(raw) ?? {}) as DeleteOptions;
      const policy = q.get('propagationPolicy') ?? opts.propagationPolicy;
      const gone = ctx.objects.delete(t, r.namespace, r.name ?? '', {
        ...opts,
        ...(policy === undefined
          ? {}
          : { propagationPolicy: policy as DeleteOptions['propagationPolicy'] }),
      });
      const pending =
        gone.metadata.deletionTimestamp !== undefined &&
        ctx.store.get(t, r.namespace, gone.metadata.name) !== undefined;
      if (t.custom || pending) sendJson(res, 200, gone);
      else
        sendJson(res, 200, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: { name: gone.metadata.name, kind: t.plural, uid: gone.metadata.uid },
        });
      return;
    }
    case 'deletecollection': {
      const filter = filterOf(r.namespace, q);
      const items = listObjects(ctx.store, new Map(), t, filter, new URLSearchParams(), false)
        .items as Obj[];
      for (const o of items) ctx.objects.delete(t, o.metadata.namespace, o.metadata.name);
      sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
      return;
    }
    default:
      throw new ApiStatusError(
        405,
        'MethodNotAllowed',
        `the server does not allow this method on the requested resource`,
      );
  }
}

/** /status on custom resources with the subresource, and serviceaccounts/<name>/token. */
function serveSubresource(
  ctx: HandlerContext,
  r: Extract<Route, { kind: 'resource' }>,
  info: RequestInfo,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
): void {
  const t = r.resource;
  const name = r.name ?? '';
  const dryRun = info.query.get('dryRun') === 'All';
  if (
    r.subresource === 'token' &&
    t.group === '' &&
    t.plural === 'serviceaccounts' &&
    info.verb === 'create'
  ) {
    sendJson(res, 201, ctx.objects.createToken(r.namespace ?? '', name, parseJson(raw)));
    return;
  }
  if (r.subresource !== 'status' || !t.statusSubresource) {
    throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (info.verb === 'get') {
    const obj = ctx.store.get(t, r.namespace, name);
    if (obj === undefined)
      throw new ApiStatusError(404, 'NotFound', `${t.plural} "${name}" not found`, {
        name,
        kind: t.plural,
      });
    sendJson(res, 200, obj);
  } else if (info.verb === 'update') {
    sendJson(
      res,
      200,
      ctx.objects.update(t, r.namespace, name, parseJson(raw), {
        dryRun,
        subresource: 'status',
      }),
    );
  } else if (info.verb === 'patch') {
    sendJson(
      res,
      200,
      ctx.objects.patch(t, r.namespace, name, parseJson(raw), req.headers['content-type'] ?? '', {
        dryRun,
        subresource: 'status',
      }),
    );
  } else {
    throw new ApiStatusError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  }
}
