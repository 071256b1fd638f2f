// Cleaning object metadata before it is committed to Git: fields the API server owns, and the
// last-applied annotation (which holds the whole plaintext object when kubectl apply wrote it).
import { LAST_APPLIED_ANNOTATION } from '../api/annotations.ts';
import type { ObjectMeta, StringMap } from './types.ts';

/** Fields that only the API server sets; they make no sense in a manifest. */
const SERVER_FIELDS = [
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'managedFields',
  'selfLink',
  'ownerReferences',
] as const;

function nonEmpty(map: StringMap | undefined): StringMap | undefined {
  return map === undefined || Object.keys(map).length === 0 ? undefined : map;
}

/** A copy of `meta` without server-side fields, ownerReferences and the last-applied annotation. */
export function stripServerMetadata(meta: ObjectMeta): ObjectMeta {
  const drop = new Set<string>(SERVER_FIELDS);
  const out: ObjectMeta = Object.fromEntries(Object.entries(meta).filter(([k]) => !drop.has(k)));
  if (out.annotations !== undefined) {
    const annotations = Object.fromEntries(
      Object.entries(out.annotations).filter(([k]) => k !== LAST_APPLIED_ANNOTATION),
    );
    const kept = nonEmpty(annotations);
    if (kept === undefined) delete out.annotations;
    else out.annotations = kept;
  }
  if (out.labels !== undefined && nonEmpty(out.labels) === undefined) delete out.labels;
  return out;
}
