// Builds a Secret's data, labels and annotations from fetched values and `spec.target.template`,
// with ESO's semantics: no template → the fetched data; templateFrom literals (rendered YAML maps)
// first, then template.data (which wins), then templated labels and annotations; mergePolicy
// Merge keeps fetched keys under the template output; a template with neither data nor
// templateFrom falls back to the fetched data. Templates are compiled once per spec.
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { SealbridgeError } from '../errors.ts';
import { ESO_FUNCTIONS } from '../template/funcs/index.ts';
import { parseTemplate, type Template } from '../template/template.ts';
import { stringContext } from '../template/values.ts';
import type { ObjectMeta } from '../manifest/types.ts';
import type { ExternalSecretTemplate, TemplateTarget } from './external-secret.ts';
import type { SecretData } from './external-secret-rewrite.ts';

export interface RenderedSecret {
  readonly data: Record<string, Uint8Array>;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly type?: string;
}

export interface RenderOptions {
  /** bcrypt salts for htpasswd; node:crypto by default. */
  readonly randomBytes?: (n: number) => Uint8Array;
}

export interface CompiledTemplate {
  render(fetched: SecretData): RenderedSecret;
}

function set<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function compile(text: string, name: string, opts: RenderOptions): Template {
  return parseTemplate(text, {
    name,
    funcs: ESO_FUNCTIONS,
    ...(opts.randomBytes === undefined ? {} : { randomBytes: opts.randomBytes }),
  });
}

/** A rendered templateFrom literal must be a YAML map of strings (ESO's KeysAndValues). */
function keysAndValues(text: string, where: string): [string, string][] {
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { schema: 'failsafe', maxAliasCount: 100 });
  } catch {
    throw new SealbridgeError('TEMPLATE_EXEC', `${where}: output is not valid YAML`);
  }
  if (parsed === null || parsed === undefined) return [];
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SealbridgeError(
      'TEMPLATE_EXEC',
      `${where}: output must be a YAML map of keys to values`,
    );
  }
  return Object.entries(parsed).map(([k, v]): [string, string] => {
    if (typeof v !== 'string') {
      throw new SealbridgeError('TEMPLATE_EXEC', `${where}: value of "${k}" must be a string`);
    }
    return [k, v];
  });
}

/** Compiles a target template (or its absence) into a renderer. */
export function compileTargetTemplate(
  template: ExternalSecretTemplate | undefined,
  opts: RenderOptions = {},
): CompiledTemplate {
  if (template === undefined) {
    return { render: (fetched) => ({ data: { ...fetched }, labels: {}, annotations: {} }) };
  }
  const base = 'spec.target.template';
  const from = template.templateFrom.map((t, i) => ({
    target: t.target,
    where: `${base}.templateFrom[${i}].literal`,
    tpl: compile(t.literal, `${base}.templateFrom[${i}].literal`, opts),
  }));
  const data = Object.entries(template.data).map(
    ([k, v]) => [k, compile(v, `${base}.data.${k}`, opts)] as const,
  );
  const labels = Object.entries(template.metadata.labels).map(
    ([k, v]) => [k, compile(v, `${base}.metadata.labels.${k}`, opts)] as const,
  );
  const annotations = Object.entries(template.metadata.annotations).map(
    ([k, v]) => [k, compile(v, `${base}.metadata.annotations.${k}`, opts)] as const,
  );
  const fallback = data.length === 0 && from.length === 0;
  return {
    render(fetched) {
      const ctx = stringContext(fetched);
      const out: RenderedSecret = {
        data: template.mergePolicy === 'Merge' || fallback ? { ...fetched } : {},
        labels: {},
        annotations: {},
        ...(template.type === undefined ? {} : { type: template.type }),
      };
      const sink: Record<TemplateTarget, (k: string, v: string) => void> = {
        Data: (k, v) => {
          set(out.data, k, Buffer.from(v, 'utf8'));
        },
        Labels: (k, v) => {
          set(out.labels, k, v);
        },
        Annotations: (k, v) => {
          set(out.annotations, k, v);
        },
      };
      for (const f of from) {
        for (const [k, v] of keysAndValues(f.tpl.execute(ctx), f.where)) sink[f.target](k, v);
      }
      for (const [k, tpl] of data) set(out.data, k, tpl.executeBytes(ctx));
      for (const [k, tpl] of labels) set(out.labels, k, tpl.execute(ctx));
      for (const [k, tpl] of annotations) set(out.annotations, k, tpl.execute(ctx));
      return out;
    },
  };
}

/**
 * `status.syncedResourceVersion`: `<generation>-<sha3-224 of labels and annotations>`, as ESO
 * records it, so a label or annotation edit (e.g. `force-sync`) triggers a refresh.
 */
export function syncedResourceVersion(
  meta: Pick<ObjectMeta, 'generation' | 'labels' | 'annotations'>,
): string {
  const sorted = (m: Readonly<Record<string, string>> | undefined): [string, string][] =>
    Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = JSON.stringify({
    annotations: sorted(meta.annotations),
    labels: sorted(meta.labels),
  });
  const hash = createHash('sha3-224').update(canonical).digest('hex');
  return `${meta.generation ?? 0}-${hash}`;
}
