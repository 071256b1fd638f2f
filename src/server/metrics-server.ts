// Prometheus /metrics on its own port (:8081, --listen-metrics-addr), so scraping can be allowed
// by NetworkPolicy separately from the API that kubeseal-style clients use.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { errorMessage } from '../errors.ts';
import { sendBody, sendText } from './http-util.ts';

export function createMetricsServer(registry: Registry): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics') {
      sendText(res, 404, 'not found');
      return;
    }
    registry.metrics().then(
      (text) => {
        sendBody(res, 200, registry.contentType, text);
      },
      (err: unknown) => {
        sendText(res, 500, `cannot collect metrics: ${errorMessage(err)}`);
      },
    );
  });
}

/** Listens on host:port (port 0: any free port) and resolves with the port in use. */
export function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    });
  });
}

/** Stops accepting connections and closes idle ones; resolves when the server has closed. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => {
      resolve();
    });
    server.closeIdleConnections();
  });
}
