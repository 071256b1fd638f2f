// The watch protocol's wire format: one JSON WatchEvent per line on a long-lived HTTP response.
// Lines are split on the bytes as they arrive, so a large object split across chunks is fine and
// a half-written last line (connection cut) is dropped rather than half-parsed.
import { kubeWatchError, type RequestDescription } from './errors.ts';
import type { KubeObject, WatchEvent } from './types.ts';

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Yields complete lines from a byte stream; an unterminated tail at the end is discarded. */
export async function* ndjsonLines(stream: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(start, nl).trim();
      if (line !== '') yield line;
      start = nl + 1;
      nl = buffer.indexOf('\n', start);
    }
    buffer = buffer.slice(start);
  }
  // The API server ends every event with '\n'; a final complete JSON value without one still counts.
  const tail = (buffer + decoder.decode()).trim();
  if (tail !== '' && isCompleteJson(tail)) yield tail;
}

function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Parses one line into a WatchEvent; a malformed line or an ERROR event throws a KubeApiError. */
export function parseWatchLine<T extends KubeObject>(
  line: string,
  d: RequestDescription,
): WatchEvent<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw kubeWatchError(d, { code: 500, reason: 'InvalidWatchEvent', message: 'bad JSON' }, err);
  }
  const ev = parsed as { type?: unknown; object?: unknown };
  if (
    typeof ev.type !== 'string' ||
    !WATCH_TYPES.has(ev.type) ||
    typeof ev.object !== 'object' ||
    ev.object === null
  ) {
    throw kubeWatchError(d, {
      code: 500,
      reason: 'InvalidWatchEvent',
      message: 'watch event without type or object',
    });
  }
  if (ev.type === 'ERROR') throw kubeWatchError(d, ev.object);
  const obj = ev.object as Partial<KubeObject>;
  if (typeof obj.metadata !== 'object') {
    throw kubeWatchError(d, {
      code: 500,
      reason: 'InvalidWatchEvent',
      message: 'watch event object without metadata',
    });
  }
  return parsed as WatchEvent<T>;
}
