// Per-kind rules the real API server enforces on writes, where they matter to Sealbridge:
// Secret stringData folding, base64 data and immutability; Lease MicroTime format; Event namespace.
import type { Obj } from './store.ts';
import type { ResourceType } from './resource-types.ts';
import { badRequest, invalid } from './status.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

type Dict = Record<string, unknown>;

function normalizeSecret(obj: Obj, prev: Obj | undefined): Obj {
  const data: Record<string, string> = {
    ...((obj['data'] as Record<string, string> | undefined) ?? {}),
  };
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !BASE64.test(v)) {
      // The real message names the byte offset, never the value.
      throw badRequest(
        `Secret in version "v1" cannot be handled as a Secret: illegal base64 data in data[${k}]`,
      );
    }
  }
  const stringData = obj['stringData'] as Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(stringData ?? {})) {
    data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  }
  const out: Obj = { ...obj, type: obj['type'] ?? 'Opaque' };
  delete out['stringData'];
  if (Object.keys(data).length > 0) out['data'] = data;
  else delete out['data'];
  if (prev === undefined) return out;
  const name = obj.metadata.name;
  if (prev['type'] !== out['type']) {
    throw invalid('Secret', name, [
      { field: 'type', reason: 'FieldValueInvalid', message: 'field is immutable' },
    ]);
  }
  if (prev['immutable'] === true) {
    const same =
      JSON.stringify(sorted(prev['data'])) === JSON.stringify(sorted(out['data'])) &&
      out['immutable'] === true;
    if (!same) {
      throw invalid('Secret', name, [
        {
          field: 'data',
          reason: 'FieldValueForbidden',
          message: 'field is immutable when `immutable` is set',
        },
      ]);
    }
  }
  return out;
}

function sorted(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v as Dict).sort(([a], [b]) => a.localeCompare(b)));
}

function normalizeLease(obj: Obj): Obj {
  const spec = (obj['spec'] as Dict | undefined) ?? {};
  for (const field of ['acquireTime', 'renewTime']) {
    const v = spec[field];
    if (v !== undefined && v !== null && (typeof v !== 'string' || !MICRO_TIME.test(v))) {
      throw badRequest(
        `Lease in version "v1" cannot be handled as a Lease: spec.${field} is not a MicroTime (RFC 3339 with 6 fractional digits)`,
      );
    }
  }
  return obj;
}

function normalizeEvent(obj: Obj): Obj {
  const involved = (obj['involvedObject'] as Dict | undefined) ?? {};
  const ns = involved['namespace'];
  if (typeof ns === 'string' && ns !== '' && ns !== obj.metadata.namespace) {
    throw invalid('Event', obj.metadata.name, [
      {
        field: 'involvedObject.namespace',
        reason: 'FieldValueInvalid',
        message: 'does not match event.namespace',
      },
    ]);
  }
  return obj;
}

export function normalize(t: ResourceType, obj: Obj, prev: Obj | undefined): Obj {
  if (t.group === '' && t.plural === 'secrets') return normalizeSecret(obj, prev);
  if (t.group === 'coordination.k8s.io' && t.plural === 'leases') return normalizeLease(obj);
  if (t.group === '' && t.plural === 'events') return normalizeEvent(obj);
  return obj;
}

/** JSON with sorted keys, so two objects built in different orders compare equal. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? sorted(value) : value,
  );
}
