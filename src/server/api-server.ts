// The controller's HTTP API on :8080 (--listen-addr), as Bitnami's, plus readiness:
//   GET  /v1/cert.pem   the newest sealing certificate (application/x-pem-file)
//   POST /v1/verify     a SealedSecret → 200 if this controller can open it, 409 if not, 400 if it
//                       is not a SealedSecret; rate-limited per client (429 with Retry-After)
//   POST /v1/rotate     a SealedSecret → the same object re-encrypted to the newest key (JSON)
//   GET  /healthz       the process is alive ("ok")
//   GET  /readyz        informers synced and keys loaded (200) or not (503), with leadership, as JSON
// No answer ever holds plaintext: verify says yes or no, rotate returns ciphertext only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import type { ValueOpener } from '../crypto/worker-pool.ts';
import { errorMessage, isSealbridgeError } from '../errors.ts';
import type { KeyStore } from '../keys/key-store.ts';
import { silentLogger, type Logger } from '../log.ts';
import { METRIC_PREFIX } from '../metrics.ts';
import { openSealedSecret } from '../controllers/sealed-secret-open.ts';
import { clientOf, readBody, sendBody, sendJson, sendText } from './http-util.ts';
import { ClientRateLimiter } from './rate-limit.ts';
import { rotateSealedSecret } from './rotate.ts';
import { readSealedInput } from './sealed-input.ts';

export interface Readiness {
  readonly ready: boolean;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface ApiServerOptions {
  readonly keys: KeyStore;
  readonly opener: ValueOpener;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  readonly registry?: Registry | undefined;
  readonly verifyRatePerSecond: number;
  readonly verifyBurst: number;
  readonly acceptDeprecatedData: boolean;
  readonly readiness: () => Readiness;
}

const ROUTES = ['/v1/cert.pem', '/v1/verify', '/v1/rotate', '/healthz', '/readyz'] as const;
type Route = (typeof ROUTES)[number];

/** Input problems (400) as opposed to "cannot be opened here" (409). */
const INPUT_CODES = new Set([
  'INVALID_INPUT',
  'INVALID_YAML',
  'INVALID_JSON',
  'INVALID_MANIFEST',
  'WRONG_KIND',
  'MISSING_NAME',
]);

function httpMetrics(registry: Registry | undefined) {
  const registers = registry === undefined ? [] : [registry];
  return {
    requests: new Counter({
      name: `${METRIC_PREFIX}http_requests_total`,
      help: 'Requests to the controller API, by path, method and status code.',
      labelNames: ['path', 'method', 'code'] as const,
      registers,
    }),
    duration: new Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: 'Time to answer a request to the controller API, by path.',
      labelNames: ['path'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
  };
}

export function createApiServer(o: ApiServerOptions): Server {
  const log = (o.logger ?? silentLogger).child({ component: 'http' });
  const limiter = new ClientRateLimiter({
    ratePerSecond: o.verifyRatePerSecond,
    burst: o.verifyBurst,
    clock: o.clock,
  });
  const metrics = httpMetrics(o.registry);

  async function verify(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const client = clientOf(req);
    if (!limiter.allow(client)) {
      sendText(res, 429, 'too many requests', {
        'Retry-After': String(limiter.retryAfterSeconds(client)),
      });
      return;
    }
    const { sealedSecret } = readSealedInput(await readBody(req));
    try {
      await openSealedSecret(sealedSecret, {
        opener: o.opener,
        acceptDeprecatedData: o.acceptDeprecatedData,
      });
    } catch (err) {
      sendText(res, 409, `unable to decrypt sealed secret: ${errorMessage(err)}`);
      return;
    }
    sendText(res, 200, 'ok');
  }

  async function rotate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { sealedSecret, raw } = readSealedInput(await readBody(req));
    let result;
    try {
      result = await rotateSealedSecret(sealedSecret, raw, {
        opener: o.opener,
        newest: o.keys.newest(),
      });
    } catch (err) {
      sendText(res, 409, `unable to re-encrypt sealed secret: ${errorMessage(err)}`);
      return;
    }
    log.info(
      {
        object: `${sealedSecret.metadata.namespace ?? ''}/${sealedSecret.metadata.name}`,
        resealed: result.resealed,
        unchanged: result.unchanged,
      },
      'rotated',
    );
    sendJson(res, 200, result.object);
  }

  async function handle(route: Route, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const want = route === '/v1/verify' || route === '/v1/rotate' ? 'POST' : 'GET';
    if (method !== want && !(want === 'GET' && method === 'HEAD')) {
      sendText(res, 405, `${route} takes ${want}`, { Allow: want });
      return;
    }
    switch (route) {
      case '/v1/cert.pem': {
        const cert = o.keys.newest()?.certPem;
        if (cert === undefined) sendText(res, 503, 'no active sealing key yet');
        else sendBody(res, 200, 'application/x-pem-file', cert);
        return;
      }
      case '/v1/verify':
        await verify(req, res);
        return;
      case '/v1/rotate':
        await rotate(req, res);
        return;
      case '/healthz':
        sendText(res, 200, 'ok');
        return;
      case '/readyz': {
        const r = o.readiness();
        sendJson(res, r.ready ? 200 : 503, { ready: r.ready, ...r.detail });
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = (ROUTES as readonly string[]).includes(path) ? (path as Route) : undefined;
    const started = performance.now();
    res.on('finish', () => {
      const label = route ?? 'other';
      metrics.requests.inc({
        path: label,
        method: req.method ?? 'GET',
        code: String(res.statusCode),
      });
      metrics.duration.observe({ path: label }, (performance.now() - started) / 1000);
    });
    if (route === undefined) {
      sendText(res, 404, 'not found');
      return;
    }
    handle(route, req, res).catch((err: unknown) => {
      const input = isSealbridgeError(err) && INPUT_CODES.has(err.code);
      if (!input) log.error({ path, err: errorMessage(err) }, 'request failed');
      if (!res.headersSent) sendText(res, input ? 400 : 500, errorMessage(err));
      else res.destroy();
    });
  });
  server.requestTimeout = 120_000;
  server.headersTimeout = 60_000;
  return server;
}
