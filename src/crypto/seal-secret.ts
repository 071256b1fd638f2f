// Secret → SealedSecret, as kubeseal builds it: every item of `data` and `stringData` sealed
// under the scope's label; the Secret's metadata (cleaned of server-side fields, ownerReferences
// and the last-applied annotation), type and immutable go into the template; scope annotations
// go on both the SealedSecret and the template.
import type { KeyObject } from 'node:crypto';
import { apiFamily, SEALED_SECRET_KIND, type SealedSecretApiVersion } from '../api/group.ts';
import type { SealedSecret, SecretTemplate, SecretTemplateMetadata } from '../api/sealed-secret.ts';
import { SealbridgeError } from '../errors.ts';
import { stripServerMetadata } from '../manifest/metadata.ts';
import { secretValues } from '../manifest/secret.ts';
import type { SecretManifest, StringMap } from '../manifest/types.ts';
import { sealValue } from './hybrid.ts';
import {
  scopeFromAnnotations,
  scopeLabel,
  withScopeAnnotations,
  type SealingScope,
} from './scope.ts';

export interface SealSecretOptions {
  /** The RSA public key from the sealing certificate. */
  readonly publicKey: KeyObject;
  readonly apiVersion: SealedSecretApiVersion;
  /** Overrides the scope the Secret's annotations ask for (default strict). */
  readonly scope?: SealingScope | undefined;
  /** `--namespace`: fills in a missing namespace; a different one on the Secret is an error. */
  readonly namespace?: string | undefined;
  readonly allowEmptyData?: boolean | undefined;
  /** Names the input in errors ("stdin: document 2"). */
  readonly where: string;
}

/** The namespace to seal for: the Secret's, or --namespace; both and different is an error. */
export function resolveNamespace(
  secret: SecretManifest,
  flag: string | undefined,
  where: string,
): string | undefined {
  const own = secret.metadata.namespace === '' ? undefined : secret.metadata.namespace;
  const wanted = flag === '' ? undefined : flag;
  if (own !== undefined && wanted !== undefined && own !== wanted) {
    throw new SealbridgeError(
      'NAMESPACE_CONFLICT',
      `${where}: Secret ${secret.metadata.name} is in namespace "${own}" but --namespace says "${wanted}"`,
    );
  }
  return own ?? wanted;
}

function needNamespace(scope: SealingScope, name: string, where: string): never {
  throw new SealbridgeError(
    'INVALID_INPUT',
    `${where}: Secret ${name} has no namespace; ${scope} scope binds the value to one, so set metadata.namespace or pass --namespace (seal does not read a kubeconfig)`,
  );
}

/** Seals all values of one Secret. Keys are sealed in sorted order for stable output. */
export function sealItems(
  values: ReadonlyMap<string, Uint8Array>,
  label: Uint8Array,
  publicKey: KeyObject,
): StringMap {
  const out: StringMap = {};
  for (const [key, value] of values) out[key] = sealValue(value, label, publicKey);
  return out;
}

export function sealSecret(secret: SecretManifest, options: SealSecretOptions): SealedSecret {
  const { where } = options;
  const name = secret.metadata.name;
  const namespace = resolveNamespace(secret, options.namespace, where);
  const scope = options.scope ?? scopeFromAnnotations(secret.metadata.annotations);
  if (scope !== 'cluster-wide' && namespace === undefined) needNamespace(scope, name, where);
  const values = secretValues(secret);
  if (values.size === 0 && options.allowEmptyData !== true) {
    throw new SealbridgeError(
      'EMPTY_DATA',
      `${where}: Secret ${name} has no data or stringData (pass --allow-empty-data to seal it anyway)`,
    );
  }
  const family = apiFamily(options.apiVersion);
  const label = scopeLabel(scope, { namespace, name });
  const scopeOnly = withScopeAnnotations(undefined, scope, family);

  const templateMeta: SecretTemplateMetadata = stripServerMetadata(secret.metadata);
  delete templateMeta.generateName;
  if (namespace !== undefined) templateMeta.namespace = namespace;
  const annotations = withScopeAnnotations(templateMeta.annotations, scope, family);
  if (Object.keys(annotations).length > 0) templateMeta.annotations = annotations;
  else delete templateMeta.annotations;

  const template: SecretTemplate = { metadata: templateMeta };
  if (secret.type !== undefined) template.type = secret.type;
  if (secret.immutable !== undefined) template.immutable = secret.immutable;

  const metadata: SealedSecret['metadata'] = { name };
  if (namespace !== undefined) metadata.namespace = namespace;
  if (Object.keys(scopeOnly).length > 0) metadata.annotations = scopeOnly;

  return {
    apiVersion: options.apiVersion,
    kind: SEALED_SECRET_KIND,
    metadata,
    spec: { encryptedData: sealItems(values, label, options.publicKey), template },
  };
}
