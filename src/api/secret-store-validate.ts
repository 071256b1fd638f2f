// Validates an untrusted SecretStore / ClusterSecretStore object and applies ESO's defaults.
// Every problem is reported with its field path; the result is a typed StoreValidationError
// (code PROVIDER_INVALID_CONFIG) whose message lists them, suitable for a status condition.
import { SealbridgeError } from '../errors.ts';
import type { ObjectMeta } from '../manifest/types.ts';
import { describeCompileError, GoRegExp } from '../regexp/regexp.ts';
import { SECOND, tryParseGoDuration } from './duration.ts';
import { SEALBRIDGE_API_VERSION } from './group.ts';
import {
  CLUSTER_SECRET_STORE_KIND,
  COMPILED_NAMESPACE_REGEXES,
  SECRET_STORE_KIND,
  type ClusterSecretStoreCondition,
  type SecretStoreObject,
  type SecretStoreSpec,
  type StoreProviderSpec,
} from './secret-store.ts';
import {
  isObj,
  issue,
  readObj,
  readString,
  readStringList,
  readStringMap,
  type FieldContext,
  type Obj,
  type StoreIssue,
} from './secret-store-fields.ts';
import { readAws, readGcp, readVault } from './secret-store-providers.ts';

export type { StoreIssue } from './secret-store-fields.ts';

export class StoreValidationError extends SealbridgeError {
  readonly issues: readonly StoreIssue[];

  constructor(issues: readonly StoreIssue[]) {
    const first = issues[0];
    const head = first === undefined ? 'invalid store' : `${first.path}: ${first.message}`;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('PROVIDER_INVALID_CONFIG', `${head}${more}`);
    this.name = 'StoreValidationError';
    this.issues = issues;
  }
}

/** ESO providers that Sealbridge recognises but does not implement. */
const UNSUPPORTED_PROVIDERS = [
  'akeyless',
  'alibaba',
  'azurekv',
  'beyondtrust',
  'bitwardensecretsmanager',
  'chef',
  'conjur',
  'delinea',
  'device42',
  'doppler',
  'fake',
  'fortanix',
  'github',
  'gitlab',
  'ibm',
  'infisical',
  'keepersecurity',
  'kubernetes',
  'onboardbase',
  'onepassword',
  'onepasswordSDK',
  'oracle',
  'passbolt',
  'passworddepot',
  'previder',
  'pulumi',
  'scaleway',
  'secretserver',
  'senhasegura',
  'webhook',
  'yandexcertificatemanager',
  'yandexlockbox',
];

function readProvider(ctx: FieldContext, spec: Obj): StoreProviderSpec {
  const p = readObj(ctx, spec, 'provider', 'spec');
  if (p === undefined) {
    issue(ctx, 'spec.provider', 'is required');
    return {};
  }
  const configured = Object.keys(p).filter((k) => p[k] !== undefined && p[k] !== null);
  for (const name of configured) {
    if (name === 'vault' || name === 'aws' || name === 'gcpsm') continue;
    const known = UNSUPPORTED_PROVIDERS.includes(name);
    issue(
      ctx,
      `spec.provider.${name}`,
      known
        ? 'this provider is not supported by Sealbridge (supported: vault, aws, gcpsm)'
        : 'unknown provider',
    );
  }
  const supported = configured.filter((k) => k === 'vault' || k === 'aws' || k === 'gcpsm');
  if (configured.length === 0) {
    issue(ctx, 'spec.provider', 'must configure exactly one provider (vault, aws or gcpsm)');
  } else if (supported.length > 1) {
    issue(ctx, 'spec.provider', 'must configure exactly one provider');
  }
  if (supported.length !== 1) return {};
  const vault = readVault(ctx, p);
  const aws = readAws(ctx, p);
  const gcpsm = readGcp(ctx, p);
  return {
    ...(vault === undefined ? {} : { vault }),
    ...(aws === undefined ? {} : { aws }),
    ...(gcpsm === undefined ? {} : { gcpsm }),
  };
}

function readConditions(ctx: FieldContext, spec: Obj): ClusterSecretStoreCondition[] | undefined {
  const v = spec['conditions'];
  if (v === undefined || v === null) return undefined;
  if (ctx.kind === SECRET_STORE_KIND) {
    issue(ctx, 'spec.conditions', 'is only allowed on a ClusterSecretStore');
    return undefined;
  }
  if (!Array.isArray(v)) {
    issue(ctx, 'spec.conditions', 'must be a list');
    return undefined;
  }
  return v.flatMap((c: unknown, i): ClusterSecretStoreCondition[] => {
    const path = `spec.conditions[${i}]`;
    if (!isObj(c)) {
      issue(ctx, path, 'must be an object');
      return [];
    }
    const namespaces = readStringList(ctx, c, 'namespaces', path);
    const regexes = readStringList(ctx, c, 'namespaceRegexes', path);
    const compiled = compileNamespaceRegexes(ctx, regexes ?? [], path);
    const selector = readObj(ctx, c, 'namespaceSelector', path);
    const matchLabels =
      selector === undefined
        ? undefined
        : readStringMap(ctx, selector, 'matchLabels', `${path}.namespaceSelector`);
    const rawExpr = selector?.['matchExpressions'];
    const matchExpressions = Array.isArray(rawExpr)
      ? rawExpr.flatMap((e: unknown, j) => {
          const ep = `${path}.namespaceSelector.matchExpressions[${j}]`;
          if (!isObj(e)) return (issue(ctx, ep, 'must be an object'), []);
          const key = readString(ctx, e, 'key', ep, true);
          const operator = readString(ctx, e, 'operator', ep, true);
          const values = readStringList(ctx, e, 'values', ep);
          if (
            operator !== undefined &&
            !['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator)
          )
            issue(ctx, `${ep}.operator`, 'must be one of In, NotIn, Exists, DoesNotExist');
          if (key === undefined || operator === undefined) return [];
          return [
            {
              key,
              operator: operator as 'In' | 'NotIn' | 'Exists' | 'DoesNotExist',
              ...(values === undefined ? {} : { values }),
            },
          ];
        })
      : undefined;
    const namespaceSelector =
      selector === undefined
        ? undefined
        : {
            ...(matchLabels === undefined ? {} : { matchLabels }),
            ...(matchExpressions === undefined ? {} : { matchExpressions }),
          };
    const condition: ClusterSecretStoreCondition = {
      ...(namespaces === undefined ? {} : { namespaces }),
      ...(regexes === undefined ? {} : { namespaceRegexes: regexes }),
      ...(namespaceSelector === undefined ? {} : { namespaceSelector }),
    };
    Object.defineProperty(condition, COMPILED_NAMESPACE_REGEXES, { value: compiled });
    return [condition];
  });
}

/** RE2, as ESO compiles them with Go's regexp; compiled once here and kept on the condition. */
function compileNamespaceRegexes(
  ctx: FieldContext,
  regexes: readonly string[],
  path: string,
): readonly GoRegExp[] {
  return regexes.flatMap((r, j) => {
    try {
      return [GoRegExp.compile(r)];
    } catch (err) {
      const why = describeCompileError(err);
      if (why === undefined) throw err;
      issue(ctx, `${path}.namespaceRegexes[${j}]`, why);
      return [];
    }
  });
}

/** A Go duration string as nanoseconds, when it parses and is not negative. */
function nonNegativeDuration(text: string): bigint | undefined {
  const ns = tryParseGoDuration(text);
  return ns !== undefined && ns >= 0n ? ns : undefined;
}

/** ESO's store refreshInterval is whole seconds; a Go duration string is accepted too. */
function readRefreshInterval(ctx: FieldContext, spec: Obj): number | undefined {
  const v = spec['refreshInterval'];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  const ns = typeof v === 'string' ? nonNegativeDuration(v) : undefined;
  // Nearest whole second, halves up.
  if (ns !== undefined) return Number((ns + SECOND / 2n) / SECOND);
  issue(ctx, 'spec.refreshInterval', 'must be whole seconds or a duration such as 5m');
  return undefined;
}

function readRetrySettings(ctx: FieldContext, spec: Obj): SecretStoreSpec['retrySettings'] {
  const r = readObj(ctx, spec, 'retrySettings', 'spec');
  if (r === undefined) return undefined;
  const max = r['maxRetries'];
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 0)) {
    issue(ctx, 'spec.retrySettings.maxRetries', 'must be a non-negative integer');
  }
  const interval = readString(ctx, r, 'retryInterval', 'spec.retrySettings');
  if (interval !== undefined && nonNegativeDuration(interval) === undefined) {
    issue(ctx, 'spec.retrySettings.retryInterval', 'must be a non-negative duration such as 10s');
  }
  return {
    ...(typeof max === 'number' ? { maxRetries: max } : {}),
    ...(interval === undefined ? {} : { retryInterval: interval }),
  };
}

/** Every problem with `obj` as a store; empty when it is valid. */
export function validateSecretStore(obj: unknown): StoreIssue[] {
  return check(obj).issues;
}

/** A validated, defaulted store, or a StoreValidationError listing every problem. */
export function parseSecretStore(obj: unknown): SecretStoreObject {
  const { issues, store } = check(obj);
  if (issues.length > 0 || store === undefined) throw new StoreValidationError(issues);
  return store;
}

function check(obj: unknown): { issues: StoreIssue[]; store?: SecretStoreObject } {
  const issues: StoreIssue[] = [];
  if (!isObj(obj)) return { issues: [{ path: '', message: 'must be an object' }] };
  const kind = obj['kind'];
  if (kind !== SECRET_STORE_KIND && kind !== CLUSTER_SECRET_STORE_KIND) {
    return { issues: [{ path: 'kind', message: 'must be SecretStore or ClusterSecretStore' }] };
  }
  if (obj['apiVersion'] !== SEALBRIDGE_API_VERSION) {
    issues.push({ path: 'apiVersion', message: `must be ${SEALBRIDGE_API_VERSION}` });
  }
  const meta = isObj(obj['metadata']) ? obj['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined;
  if (name === '') issues.push({ path: 'metadata.name', message: 'is required' });
  if (kind === SECRET_STORE_KIND && (namespace ?? '') === '') {
    issues.push({ path: 'metadata.namespace', message: 'is required for a SecretStore' });
  }
  const ctx: FieldContext = { issues, kind, namespace };
  const specObj = isObj(obj['spec']) ? obj['spec'] : undefined;
  if (specObj === undefined) {
    issues.push({ path: 'spec', message: 'is required' });
    return { issues };
  }
  const controller = readString(ctx, specObj, 'controller', 'spec');
  const provider = readProvider(ctx, specObj);
  const retrySettings = readRetrySettings(ctx, specObj);
  const refreshInterval = readRefreshInterval(ctx, specObj);
  const conditions = readConditions(ctx, specObj);
  const spec: SecretStoreSpec = {
    provider,
    ...(controller === undefined ? {} : { controller }),
    ...(retrySettings === undefined ? {} : { retrySettings }),
    ...(refreshInterval === undefined ? {} : { refreshInterval }),
    ...(conditions === undefined ? {} : { conditions }),
  };
  const store: SecretStoreObject = {
    apiVersion: SEALBRIDGE_API_VERSION,
    kind,
    metadata: { ...(meta as ObjectMeta), name },
    spec,
    ...(isObj(obj['status']) ? { status: obj['status'] } : {}),
  };
  return { issues, store };
}
