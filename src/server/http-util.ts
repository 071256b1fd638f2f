// Small HTTP helpers for the controller's servers: bounded request bodies, plain and JSON replies,
// and the client identity used for rate limiting.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SealbridgeError } from '../errors.ts';

/** A SealedSecret is at most about 1.4 MiB (a Secret is capped at 1 MiB); allow some slack. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      throw new SealbridgeError('INVALID_INPUT', `request body is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}

export function sendBody(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendBody(res, status, 'application/json', `${JSON.stringify(value, null, 2)}\n`);
}

/** The first X-Forwarded-For address, else the peer address. */
export function clientOf(req: IncomingMessage): string {
  const xff = req.headers['x-forwarded-for'];
  const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
  return first !== undefined && first !== '' ? first : (req.socket.remoteAddress ?? 'unknown');
}
