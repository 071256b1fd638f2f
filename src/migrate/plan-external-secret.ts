// Plans the conversion of an ESO ExternalSecret (external-secrets.io/v1 or v1beta1, which share
// field names) into sealbridge.io/v1alpha1: rename the apiVersion, drop what Sealbridge does not
// carry out (each drop reported with its path), convert template engine v1 function names, then
// validate the result as the controller would and report anything it would still refuse.
import { validateExternalSecret } from '../api/external-secret-validate.ts';
import { SEALBRIDGE_API_VERSION } from '../api/group.ts';
import { applyEdits } from './apply.ts';
import { pathText, type DocumentPlan, type Edit, type Finding, type Path } from './types.ts';

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Engine v1 function names and their v2 equivalents (ESO's templating guide). */
const V1_RENAMES: Readonly<Record<string, string>> = {
  base64encode: 'b64enc',
  base64decode: 'b64dec',
  fromJSON: 'fromJson',
  toJSON: 'toJson',
};

/** Renames v1 functions inside `{{ }}` actions only. */
export function convertV1Template(text: string): string {
  return text.replace(/\{\{[\s\S]*?\}\}/g, (action) =>
    action.replace(
      /\b(base64encode|base64decode|fromJSON|toJSON)\b/g,
      (name) => V1_RENAMES[name] ?? name,
    ),
  );
}

class Planner {
  readonly edits: Edit[] = [];
  readonly findings: Finding[] = [];

  drop(path: Path, message: string): void {
    this.edits.push({ op: 'delete', path });
    this.findings.push({ severity: 'dropped', path: pathText(path), message });
  }

  set(path: Path, value: unknown): void {
    this.edits.push({ op: 'set', path, value });
  }

  /** Sets first, then deletes from the highest index down, so every path stays valid. */
  ordered(): Edit[] {
    const sets = this.edits.filter((e) => e.op === 'set');
    const deletes = this.edits
      .filter((e) => e.op === 'delete')
      .sort((a, b) => comparePaths(b.path, a.path));
    return [...sets, ...deletes];
  }
}

function comparePaths(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

function planTemplate(p: Planner, template: Obj, at: Path): void {
  const engine = template['engineVersion'];
  if (engine === 'v1') {
    p.set([...at, 'engineVersion'], 'v2');
    const convert = (field: Path, value: unknown): void => {
      if (typeof value === 'string' && convertV1Template(value) !== value)
        p.set(field, convertV1Template(value));
    };
    for (const [k, v] of Object.entries(isObj(template['data']) ? template['data'] : {}))
      convert([...at, 'data', k], v);
    const meta = isObj(template['metadata']) ? template['metadata'] : {};
    for (const part of ['labels', 'annotations'] as const) {
      for (const [k, v] of Object.entries(isObj(meta[part]) ? meta[part] : {}))
        convert([...at, 'metadata', part, k], v);
    }
    list(template['templateFrom']).forEach((t, i) => {
      if (isObj(t)) convert([...at, 'templateFrom', i, 'literal'], t['literal']);
    });
    p.findings.push({
      severity: 'note',
      path: pathText([...at, 'engineVersion']),
      message:
        'template engine v1 converted to v2 (functions now take and return strings); review the templates',
    });
  }
  list(template['templateFrom']).forEach((item, i) => {
    if (!isObj(item)) return;
    if (item['configMap'] !== undefined || item['secret'] !== undefined) {
      p.drop(
        [...at, 'templateFrom', i],
        'templateFrom from a ConfigMap or Secret is not supported; inline it as templateFrom.literal or template.data',
      );
    } else if (item['valuesDecodingStrategy'] !== undefined) {
      p.drop(
        [...at, 'templateFrom', i, 'valuesDecodingStrategy'],
        'valuesDecodingStrategy is not supported',
      );
    }
  });
}

function planItems(p: Planner, spec: Obj): void {
  const generator = (item: unknown): boolean =>
    isObj(item) && isObj(item['sourceRef']) && item['sourceRef']['generatorRef'] !== undefined;
  list(spec['data']).forEach((item, i) => {
    if (generator(item))
      p.drop(['spec', 'data', i], 'generators (sourceRef.generatorRef) are not supported');
  });
  list(spec['dataFrom']).forEach((item, i) => {
    if (!isObj(item)) return;
    if (generator(item)) {
      p.drop(['spec', 'dataFrom', i], 'generators (sourceRef.generatorRef) are not supported');
      return;
    }
    list(item['rewrite']).forEach((rw, j) => {
      if (isObj(rw) && rw['merge'] !== undefined) {
        p.drop(
          ['spec', 'dataFrom', i, 'rewrite', j],
          'rewrite.merge is not supported; use regexp or transform rewrites',
        );
      }
    });
  });
}

export function planExternalSecret(obj: Obj): DocumentPlan {
  const p = new Planner();
  p.set(['apiVersion'], SEALBRIDGE_API_VERSION);
  const spec = isObj(obj['spec']) ? obj['spec'] : {};
  if (spec['syncWindows'] !== undefined) {
    p.drop(
      ['spec', 'syncWindows'],
      'syncWindows are not supported; refreshes follow refreshInterval',
    );
  }
  const target = isObj(spec['target']) ? spec['target'] : {};
  if (target['manifest'] !== undefined) {
    p.drop(
      ['spec', 'target', 'manifest'],
      'generic targets are not supported; Sealbridge writes Secrets only',
    );
  }
  if (target['creationPolicy'] === 'CreateOrMerge') {
    p.drop(
      ['spec', 'target', 'creationPolicy'],
      'CreateOrMerge has no equivalent; the default (Owner) applies: choose Owner or Merge',
    );
  }
  if (isObj(target['template']))
    planTemplate(p, target['template'], ['spec', 'target', 'template']);
  planItems(p, spec);
  // Check the result as the controller will (a manifest may leave the namespace to kubectl -n).
  const edits = p.ordered();
  const converted = applyEdits(structuredClone(obj), edits) as Record<string, unknown>;
  const meta = isObj(converted['metadata']) ? { ...converted['metadata'] } : {};
  if (typeof meta['namespace'] !== 'string' || meta['namespace'] === '')
    meta['namespace'] = 'default';
  for (const issue of validateExternalSecret({ ...converted, metadata: meta })) {
    p.findings.push({ severity: 'invalid', path: issue.path, message: issue.message });
  }
  return { edits, findings: p.findings, outcome: 'external-secret' };
}
