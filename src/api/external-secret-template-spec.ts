// Reads `spec.target.template` of an ExternalSecret: engine v2 only, metadata (templated labels
// and annotations), mergePolicy, data templates and templateFrom literals. Every template is
// parsed here with the ESO function set so errors surface with their positions.
import { checkTemplate } from './external-secret-checks.ts';
import {
  MERGE_POLICIES,
  TEMPLATE_TARGETS,
  type ExternalSecretTemplate,
  type TemplateFrom,
} from './external-secret.ts';
import { isObj, isValidSecretKey, type Obj, type Fields } from './external-secret-fields.ts';

export const UNSUPPORTED_TEMPLATE_FROM_FIELDS: Readonly<Record<string, string>> = {
  configMap:
    'templateFrom.configMap is not supported; put the template in template.data or templateFrom.literal',
  secret:
    'templateFrom.secret is not supported; put the template in template.data or templateFrom.literal',
};

function readTemplateFrom(f: Fields, t: Obj, path: string): TemplateFrom[] {
  return f.list(t, 'templateFrom', path).flatMap((item, i) => {
    const p = `${path}.templateFrom[${i}]`;
    if (!isObj(item)) {
      f.add(p, 'must be an object');
      return [];
    }
    f.unsupported(item, p, UNSUPPORTED_TEMPLATE_FROM_FIELDS);
    const literal = f.str(item, 'literal', p);
    if (literal === undefined) {
      if (item['configMap'] === undefined && item['secret'] === undefined)
        f.add(p, 'needs literal');
      return [];
    }
    checkTemplate(f, literal, `${p}.literal`);
    return [{ literal, target: f.oneOf(item, 'target', p, TEMPLATE_TARGETS, 'Data') }];
  });
}

export function readTemplate(
  f: Fields,
  target: Obj,
  targetPath: string,
): ExternalSecretTemplate | undefined {
  const path = `${targetPath}.template`;
  const t = f.obj(target, 'template', targetPath);
  if (t === undefined) return undefined;
  const engine = f.str(t, 'engineVersion', path) ?? 'v2';
  if (engine !== 'v2')
    f.add(`${path}.engineVersion`, 'must be v2 (the v1 engine was removed from ESO in v0.16)');
  const metaObj = f.obj(t, 'metadata', path) ?? {};
  const labels = f.strMap(metaObj, 'labels', `${path}.metadata`);
  const annotations = f.strMap(metaObj, 'annotations', `${path}.metadata`);
  for (const [k, v] of Object.entries(labels)) checkTemplate(f, v, `${path}.metadata.labels.${k}`);
  for (const [k, v] of Object.entries(annotations))
    checkTemplate(f, v, `${path}.metadata.annotations.${k}`);
  const data = f.strMap(t, 'data', path);
  for (const [k, v] of Object.entries(data)) {
    if (!isValidSecretKey(k)) f.add(`${path}.data.${k}`, 'key must be a valid Secret key');
    checkTemplate(f, v, `${path}.data.${k}`);
  }
  const type = f.str(t, 'type', path);
  return {
    ...(type === undefined ? {} : { type }),
    engineVersion: 'v2',
    metadata: {
      labels,
      annotations,
      finalizers: f.strings(metaObj, 'finalizers', `${path}.metadata`),
    },
    mergePolicy: f.oneOf(t, 'mergePolicy', path, MERGE_POLICIES, 'Replace'),
    data,
    templateFrom: readTemplateFrom(f, t, path),
  };
}
