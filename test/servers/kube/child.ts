// The test API server in a child process, for benchmarks that measure the controller's own memory
// and CPU without the server's. Controlled over IPC with plain-data calls (no predicate matchers).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KubeTestServerOptions } from './server.ts';

/** Calls the child understands; arguments and results must be structured-cloneable. */
export interface ChildCalls {
  /** Creates many objects at once: [resource name, namespace, object][]. Returns how many. */
  readonly seed: (objects: readonly [string, string, object][]) => number;
  readonly create: (resource: string, namespace: string, obj: object) => object;
  readonly count: (verb: string, resource: string) => number;
  readonly openWatches: (resource?: string) => number;
  readonly resetCounts: () => void;
  readonly failNext: (spec: {
    count?: number;
    status?: number;
    retryAfterSeconds?: number;
    match?: object;
  }) => void;
  readonly addLatency: (ms: number, options?: { match?: object; count?: number }) => void;
  readonly dropWatches: (options?: { match?: object; mode?: 'end' | 'destroy' }) => number;
  readonly compactHistory: () => void;
  readonly kubeconfigYaml: (namespace?: string) => string;
}

export interface KubeTestServerProcess {
  readonly url: string;
  readonly pid: number;
  call<K extends keyof ChildCalls>(
    op: K,
    ...args: Parameters<ChildCalls[K]>
  ): Promise<ReturnType<ChildCalls[K]>>;
  close(): Promise<void>;
}

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

export async function startKubeTestServerProcess(
  options: KubeTestServerOptions = {},
): Promise<KubeTestServerProcess> {
  const entry = fileURLToPath(new URL('./child-main.ts', import.meta.url));
  const child: ChildProcess = fork(entry, [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url?: string }) => {
      if (typeof m.url === 'string') resolve(m.url);
      else reject(new Error('test API server child did not start'));
    });
    child.once('exit', (code) => {
      reject(new Error(`test API server child exited (${String(code)})`));
    });
  });
  child.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    if (p === undefined) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.error ?? 'child call failed'));
  });
  return {
    url,
    pid: child.pid ?? 0,
    call(op, ...args) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, args });
      });
    },
    close() {
      return new Promise((resolve) => {
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}
