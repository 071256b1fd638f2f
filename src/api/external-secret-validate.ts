// Validates an untrusted ExternalSecret, applies ESO's defaults and refuses what ESO's webhook
// refuses (no data/dataFrom, deletionPolicy=Delete without creationPolicy=Owner, Merge with None,
// duplicate secretKey), plus what Sealbridge does not carry out (generators, generic targets,
// syncWindows, templateFrom configMap/secret). Templates and regexps are compiled here, so a bad
// one is a validation error before anything is fetched.
import { SealbridgeError } from '../errors.ts';
import { tryParseGoDuration } from './duration.ts';
import {
  CREATION_POLICIES,
  DEFAULT_REFRESH_INTERVAL,
  DELETION_POLICIES,
  EXTERNAL_SECRET_KIND,
  REFRESH_POLICIES,
  type ExternalSecretObject,
  type ExternalSecretSpec,
  type ExternalSecretTarget,
} from './external-secret.ts';
import {
  Fields,
  isDnsSubdomain,
  isObj,
  isValidSecretKey,
  type EsIssue,
  type Obj,
} from './external-secret-fields.ts';
import { readData, readDataFrom } from './external-secret-data.ts';
import { readTemplate } from './external-secret-template-spec.ts';
import { SEALBRIDGE_API_VERSION } from './group.ts';

export type { EsIssue } from './external-secret-fields.ts';

export class ExternalSecretValidationError extends SealbridgeError {
  readonly issues: readonly EsIssue[];

  constructor(issues: readonly EsIssue[]) {
    const first = issues[0];
    const head = first === undefined ? 'invalid ExternalSecret' : `${first.path}: ${first.message}`;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('EXTERNAL_SECRET_INVALID', `${head}${more}`);
    this.name = 'ExternalSecretValidationError';
    this.issues = issues;
  }
}

/** ESO fields Sealbridge recognises but does not carry out, with what to do instead. */
export const UNSUPPORTED_SPEC_FIELDS: Readonly<Record<string, string>> = {
  syncWindows: 'syncWindows are not supported; use refreshInterval and refreshPolicy',
};
export const UNSUPPORTED_TARGET_FIELDS: Readonly<Record<string, string>> = {
  manifest: 'generic targets (target.manifest) are not supported; Sealbridge writes Secrets only',
};

function readTarget(f: Fields, spec: Obj, defaultName: string): ExternalSecretTarget {
  const path = 'spec.target';
  const t = f.obj(spec, 'target', 'spec') ?? {};
  f.unsupported(t, path, UNSUPPORTED_TARGET_FIELDS);
  const name = f.str(t, 'name', path) ?? defaultName;
  if (name !== '' && !isDnsSubdomain(name))
    f.add(`${path}.name`, 'must be a valid Secret name (DNS subdomain)');
  const creationPolicy = f.oneOf(t, 'creationPolicy', path, CREATION_POLICIES, 'Owner');
  const deletionPolicy = f.oneOf(t, 'deletionPolicy', path, DELETION_POLICIES, 'Retain');
  if (deletionPolicy === 'Delete' && creationPolicy !== 'Owner') {
    f.add(
      `${path}.deletionPolicy`,
      'Delete requires creationPolicy Owner: Sealbridge deletes only Secrets it owns',
    );
  }
  if (deletionPolicy === 'Merge' && creationPolicy === 'None') {
    f.add(
      `${path}.deletionPolicy`,
      'Merge must not be used with creationPolicy None: there is no Secret to merge with',
    );
  }
  const template = readTemplate(f, t, path);
  return {
    name,
    creationPolicy,
    deletionPolicy,
    immutable: f.bool(t, 'immutable', path) ?? false,
    ...(template === undefined ? {} : { template }),
  };
}

function readSpec(f: Fields, spec: Obj, name: string): ExternalSecretSpec {
  f.unsupported(spec, 'spec', UNSUPPORTED_SPEC_FIELDS);
  const storeObj = f.obj(spec, 'secretStoreRef', 'spec');
  const storeRef =
    storeObj === undefined
      ? undefined
      : {
          name: f.str(storeObj, 'name', 'spec.secretStoreRef', true) ?? '',
          kind: f.oneOf(
            storeObj,
            'kind',
            'spec.secretStoreRef',
            ['SecretStore', 'ClusterSecretStore'] as const,
            'SecretStore',
          ),
        };
  const refreshInterval = f.str(spec, 'refreshInterval', 'spec') ?? DEFAULT_REFRESH_INTERVAL;
  const ns = tryParseGoDuration(refreshInterval);
  if (ns === undefined || ns < 0n)
    f.add('spec.refreshInterval', 'must be a non-negative Go duration such as 1h, 15m or 0s');
  const data = readData(f, spec);
  const dataFrom = readDataFrom(f, spec);
  if (data.length === 0 && dataFrom.length === 0)
    f.add('spec', 'either data or dataFrom must be specified');
  const seen = new Set<string>();
  data.forEach((d, i) => {
    if (seen.has(d.secretKey))
      f.add(`spec.data[${i}].secretKey`, `duplicate secretKey "${d.secretKey}"`);
    seen.add(d.secretKey);
  });
  const unrouted = [...data, ...dataFrom].some((d) => d.sourceRef === undefined);
  if (storeRef === undefined && unrouted)
    f.add('spec.secretStoreRef', 'is required unless every item has sourceRef.storeRef');
  return {
    ...(storeRef === undefined ? {} : { secretStoreRef: storeRef }),
    target: readTarget(f, spec, name),
    refreshInterval,
    refreshIntervalNs: ns !== undefined && ns >= 0n ? ns : 0n,
    refreshPolicy: f.oneOf(spec, 'refreshPolicy', 'spec', REFRESH_POLICIES, 'Periodic'),
    data,
    dataFrom,
  };
}

function check(obj: unknown): { issues: EsIssue[]; es?: ExternalSecretObject } {
  const f = new Fields();
  if (!isObj(obj)) return { issues: [{ path: '', message: 'must be an object' }] };
  if (obj['kind'] !== EXTERNAL_SECRET_KIND)
    return { issues: [{ path: 'kind', message: 'must be ExternalSecret' }] };
  if (obj['apiVersion'] !== SEALBRIDGE_API_VERSION)
    f.add('apiVersion', `must be ${SEALBRIDGE_API_VERSION}`);
  const meta = isObj(obj['metadata']) ? obj['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : '';
  if (name === '') f.add('metadata.name', 'is required');
  if (namespace === '') f.add('metadata.namespace', 'is required');
  const specObj = obj['spec'];
  if (!isObj(specObj)) {
    f.add('spec', 'is required');
    return { issues: f.issues };
  }
  const spec = readSpec(f, specObj, name);
  const status = isObj(obj['status'])
    ? (obj['status'] as ExternalSecretObject['status'])
    : undefined;
  const es: ExternalSecretObject = {
    apiVersion: SEALBRIDGE_API_VERSION,
    kind: EXTERNAL_SECRET_KIND,
    metadata: { ...(meta as ExternalSecretObject['metadata']), name, namespace },
    spec,
    ...(status === undefined ? {} : { status }),
  };
  return { issues: f.issues, es };
}

/** Every problem with `obj` as an ExternalSecret; empty when it is valid. */
export function validateExternalSecret(obj: unknown): EsIssue[] {
  return check(obj).issues;
}

/** A validated, defaulted ExternalSecret, or an ExternalSecretValidationError listing every problem. */
export function parseExternalSecret(obj: unknown): ExternalSecretObject {
  const { issues, es } = check(obj);
  if (issues.length > 0 || es === undefined) throw new ExternalSecretValidationError(issues);
  return es;
}

export { isValidSecretKey };
