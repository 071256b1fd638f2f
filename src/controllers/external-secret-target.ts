// From fetched values to the Secret an ExternalSecret wants, in the shared writer's terms:
// ESO's creationPolicy as a WritePolicy, the desired data/labels/annotations/type (template
// applied; without a template the ExternalSecret's own labels and annotations are copied, as
// ESO does), and the source hash that lets an unchanged refresh skip rendering and writing.
import { createHash } from 'node:crypto';
import { LAST_APPLIED_ANNOTATION } from '../api/annotations.ts';
import type { CreationPolicy } from '../api/external-secret.ts';
import type { DesiredSecret, WritePolicy } from './secret-writer.ts';
import type { CompiledExternalSecret } from './external-secret-spec.ts';

/**
 * Owner: created and owned (garbage-collected with the ExternalSecret). Orphan: created, not
 * owned. Merge: written into an existing Secret only, laid over its other keys. None: nothing.
 */
export function writePolicyFor(policy: CreationPolicy): WritePolicy | undefined {
  switch (policy) {
    case 'Owner':
      return { create: true, ownerReference: true, adopt: 'owned', mode: 'replace' };
    case 'Orphan':
      return { create: true, ownerReference: false, adopt: 'owned', mode: 'replace' };
    case 'Merge':
      return { create: false, ownerReference: false, adopt: 'any', mode: 'merge' };
    case 'None':
      return undefined;
  }
}

type StrMap = Readonly<Record<string, string>>;

/** The ExternalSecret's own metadata copied to the Secret when there is no template. */
function copiedMetadata(map: StrMap | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map ?? {})) {
    // kubectl's record of the ExternalSecret manifest means nothing on the Secret.
    if (k !== LAST_APPLIED_ANNOTATION) out[k] = v;
  }
  return out;
}

function sortedEntries<T>(map: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Hash of every input the desired Secret depends on: the spec's output-shaping parts, the
 * fetched values, and (without a template) the ExternalSecret's labels and annotations.
 */
export function sourceHashOf(
  c: CompiledExternalSecret,
  fetched: Readonly<Record<string, Uint8Array>>,
): string {
  const h = createHash('sha256');
  h.update(c.outputHash);
  for (const [k, v] of sortedEntries(fetched)) {
    h.update(`\u0000${k}\u0000${String(v.length)}\u0000`);
    h.update(v);
  }
  if (c.es.spec.target.template === undefined) {
    const meta = c.es.metadata;
    h.update(
      JSON.stringify([
        sortedEntries(copiedMetadata(meta.labels)),
        sortedEntries(copiedMetadata(meta.annotations)),
      ]),
    );
  }
  return h.digest('hex');
}

/** Renders the Secret. Template errors throw (nothing is written; the last good Secret stays). */
export function desiredSecretOf(
  c: CompiledExternalSecret,
  fetched: Readonly<Record<string, Uint8Array>>,
  existingType?: string,
): DesiredSecret {
  const template = c.es.spec.target.template;
  const rendered = c.template.render(fetched);
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(rendered.data)) {
    Object.defineProperty(data, k, {
      value: Buffer.from(v).toString('base64'),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const labels = template === undefined ? copiedMetadata(c.es.metadata.labels) : rendered.labels;
  const annotations =
    template === undefined ? copiedMetadata(c.es.metadata.annotations) : rendered.annotations;
  const type = rendered.type ?? existingType;
  return {
    data,
    labels,
    annotations,
    ...(type === undefined ? {} : { type }),
    ...(c.es.spec.target.immutable ? { immutable: true } : {}),
  };
}
