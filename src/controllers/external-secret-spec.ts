// Parsed and compiled ExternalSecrets. Templates and rewrites are compiled once per spec change
// (cached by uid and generation; our own status writes do not change the generation), not on
// every refresh. Also reads the stores an ExternalSecret uses straight from the raw
// object, for the store → ExternalSecret index, without a full parse.
import { createHash } from 'node:crypto';
import { compileTargetTemplate, type CompiledTemplate } from '../api/external-secret-render.ts';
import { compileRewrites, type Rewriter } from '../api/external-secret-rewrite.ts';
import { parseExternalSecret } from '../api/external-secret-validate.ts';
import type { ExternalSecretObject } from '../api/external-secret.ts';
import { isSealbridgeError, SealbridgeError } from '../errors.ts';
import { objectKey, type KubeObject } from '../kube/types.ts';

export interface CompiledExternalSecret {
  readonly es: ExternalSecretObject;
  readonly template: CompiledTemplate;
  /** One per dataFrom item; undefined when it has no rewrites. */
  readonly rewriters: readonly (Rewriter | undefined)[];
  /** Hash of the spec parts that shape the Secret (target and what is read), not the schedule. */
  readonly outputHash: string;
}

export type CompileResult =
  | { readonly ok: true; readonly value: CompiledExternalSecret }
  | { readonly ok: false; readonly error: SealbridgeError };

function compile(raw: KubeObject): CompileResult {
  try {
    const es = parseExternalSecret(raw);
    const finalizers = es.spec.target.template?.metadata.finalizers ?? [];
    if (finalizers.length > 0) {
      throw new SealbridgeError(
        'EXTERNAL_SECRET_INVALID',
        'spec.target.template.metadata.finalizers: finalizers on the target Secret are not supported',
      );
    }
    const template = compileTargetTemplate(es.spec.target.template);
    const rewriters = es.spec.dataFrom.map((d) =>
      d.rewrite.length === 0 ? undefined : compileRewrites(d.rewrite),
    );
    const spec = (raw as { spec?: Record<string, unknown> }).spec ?? {};
    const outputHash = createHash('sha256')
      .update(
        JSON.stringify([spec['target'] ?? null, spec['data'] ?? null, spec['dataFrom'] ?? null]),
      )
      .digest('hex');
    return { ok: true, value: { es, template, rewriters, outputHash } };
  } catch (err) {
    if (isSealbridgeError(err)) return { ok: false, error: err };
    return {
      ok: false,
      error: new SealbridgeError(
        'EXTERNAL_SECRET_INVALID',
        'the ExternalSecret cannot be compiled',
        {
          cause: err,
        },
      ),
    };
  }
}

interface Entry {
  readonly uid: string;
  readonly generation: string;
  readonly result: CompileResult;
}

export class ExternalSecretSpecCache {
  readonly #entries = new Map<string, Entry>();

  get size(): number {
    return this.#entries.size;
  }

  /** The compiled form of `raw`, compiled again only when its uid or generation changed. */
  get(raw: KubeObject): CompileResult {
    const key = objectKey(raw);
    const uid = raw.metadata.uid ?? '';
    // Custom resources always have a generation; fall back to the resourceVersion otherwise.
    const generation = String(
      raw.metadata.generation ?? `rv:${raw.metadata.resourceVersion ?? ''}`,
    );
    const hit = this.#entries.get(key);
    if (hit?.uid === uid && hit.generation === generation) {
      // Labels and annotations may change without a new generation; keep them current.
      if (hit.result.ok) return { ok: true, value: withMetadata(hit.result.value, raw) };
      return hit.result;
    }
    const result = compile(raw);
    // Only what is costly to rebuild is kept: templates, rewrites, and failures (reported once
    // per generation). A plain ExternalSecret parses in microseconds; caching it would double
    // the memory the informer already holds for it.
    const spec = result.ok ? result.value.es.spec : undefined;
    const costly =
      spec === undefined ||
      spec.target.template !== undefined ||
      spec.dataFrom.some((d) => d.rewrite.length > 0);
    if (costly) this.#entries.set(key, { uid, generation, result });
    else this.#entries.delete(key);
    return result;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

function withMetadata(c: CompiledExternalSecret, raw: KubeObject): CompiledExternalSecret {
  if (c.es.metadata === raw.metadata) return c;
  const metadata = {
    ...raw.metadata,
    name: c.es.metadata.name,
    namespace: c.es.metadata.namespace,
  };
  return { ...c, es: { ...c.es, metadata: metadata as ExternalSecretObject['metadata'] } };
}

export interface RawStoreRef {
  readonly kind: 'SecretStore' | 'ClusterSecretStore';
  readonly name: string;
}

function refOf(v: unknown): RawStoreRef | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o['name'] !== 'string' || o['name'] === '') return undefined;
  return {
    kind: o['kind'] === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore',
    name: o['name'],
  };
}

/** Every store an ExternalSecret names (secretStoreRef and each item's sourceRef.storeRef). */
export function storeRefsOf(raw: KubeObject): RawStoreRef[] {
  const spec = (raw as { spec?: Record<string, unknown> }).spec ?? {};
  const out = new Map<string, RawStoreRef>();
  const add = (r: RawStoreRef | undefined): void => {
    if (r !== undefined) out.set(`${r.kind}/${r.name}`, r);
  };
  add(refOf(spec['secretStoreRef']));
  for (const list of [spec['data'], spec['dataFrom']]) {
    if (!Array.isArray(list)) continue;
    for (const item of list as unknown[]) {
      const src = (item as { sourceRef?: { storeRef?: unknown } } | null)?.sourceRef;
      add(refOf(src?.storeRef));
    }
  }
  return [...out.values()];
}
