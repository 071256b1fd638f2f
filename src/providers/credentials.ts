// Resolves a store's credential references, enforcing the namespace rule: a namespaced
// SecretStore reads its credentials from its own namespace only; a ClusterSecretStore may name
// a namespace, and otherwise uses the namespace of the ExternalSecret that asks (ESO's
// "referent" authentication, which is why registry keys then include that namespace).
import type { SecretKeySelector, ServiceAccountSelector } from '../api/secret-store.ts';
import type { IssuedToken, KubeDeps } from './deps.ts';
import { ProviderError, abortError, storeLabel, type StoreRef } from './errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface CredentialScope {
  readonly store: StoreRef;
  /** Namespace of the ExternalSecret being served; needed for referent ClusterSecretStores. */
  readonly consumerNamespace?: string;
}

export function resolveNamespace(
  scope: CredentialScope,
  ref: { readonly namespace?: string },
  field: string,
): string {
  const label = storeLabel(scope.store);
  if (scope.store.kind === 'SecretStore') {
    const own = scope.store.namespace ?? '';
    if (ref.namespace !== undefined && ref.namespace !== own) {
      throw new ProviderError(
        'STORE_FORBIDDEN',
        `${label}: ${field} names namespace ${JSON.stringify(ref.namespace)}; a SecretStore may only use credentials from its own namespace`,
      );
    }
    return own;
  }
  const ns = ref.namespace ?? scope.consumerNamespace;
  if (ns === undefined || ns === '') {
    throw new ProviderError(
      'PROVIDER_INVALID_CONFIG',
      `${label}: ${field} has no namespace and there is no ExternalSecret namespace to default to`,
    );
  }
  return ns;
}

export class CredentialResolver {
  readonly #deps: KubeDeps;
  readonly #scope: CredentialScope;

  constructor(deps: KubeDeps, scope: CredentialScope) {
    this.#deps = deps;
    this.#scope = scope;
  }

  get label(): string {
    return storeLabel(this.#scope.store);
  }

  namespaceOf(ref: { readonly namespace?: string }, field: string): string {
    return resolveNamespace(this.#scope, ref, field);
  }

  async secretBytes(
    ref: SecretKeySelector,
    field: string,
    signal: AbortSignal,
    defaultKey?: string,
  ): Promise<Uint8Array> {
    const namespace = this.namespaceOf(ref, field);
    const key = ref.key ?? defaultKey;
    if (key === undefined || key === '') {
      throw new ProviderError('PROVIDER_INVALID_CONFIG', `${this.label}: ${field}.key is required`);
    }
    let value: Uint8Array | undefined;
    try {
      value = await this.#deps.secrets.read(namespace, ref.name, key, signal);
    } catch {
      if (signal.aborted) throw abortError(signal);
      throw new ProviderError(
        'PROVIDER_UNAVAILABLE',
        `${this.label}: could not read credential Secret ${namespace}/${ref.name} (${field})`,
      );
    }
    if (value === undefined) {
      throw new ProviderError(
        'PROVIDER_INVALID_CONFIG',
        `${this.label}: ${field}: Secret ${namespace}/${ref.name} or its key ${JSON.stringify(key)} does not exist`,
      );
    }
    return value;
  }

  /** A credential as text, surrounding whitespace removed (Secrets often end with a newline). */
  async secretString(
    ref: SecretKeySelector,
    field: string,
    signal: AbortSignal,
    defaultKey?: string,
  ): Promise<string> {
    const bytes = await this.secretBytes(ref, field, signal, defaultKey);
    let text: string;
    try {
      text = utf8.decode(bytes).trim();
    } catch {
      throw new ProviderError(
        'PROVIDER_INVALID_CONFIG',
        `${this.label}: ${field} is not UTF-8 text`,
      );
    }
    if (text === '') {
      throw new ProviderError('PROVIDER_INVALID_CONFIG', `${this.label}: ${field} is empty`);
    }
    return text;
  }

  async configMapString(
    ref: { readonly name: string; readonly key: string; readonly namespace?: string },
    field: string,
    signal: AbortSignal,
  ): Promise<string> {
    const reader = this.#deps.configMaps;
    if (reader === undefined) {
      throw new ProviderError(
        'PROVIDER_INVALID_CONFIG',
        `${this.label}: ${field}: ConfigMaps are not available`,
      );
    }
    const namespace = this.namespaceOf(ref, field);
    const value = await reader.read(namespace, ref.name, ref.key, signal);
    if (value === undefined) {
      throw new ProviderError(
        'PROVIDER_INVALID_CONFIG',
        `${this.label}: ${field}: ConfigMap ${namespace}/${ref.name} or its key ${JSON.stringify(ref.key)} does not exist`,
      );
    }
    return value;
  }

  async serviceAccountToken(
    ref: ServiceAccountSelector,
    defaultAudiences: readonly string[],
    field: string,
    signal: AbortSignal,
  ): Promise<IssuedToken> {
    const issuer = this.#deps.tokens;
    if (issuer === undefined) {
      throw new ProviderError(
        'PROVIDER_INVALID_CONFIG',
        `${this.label}: ${field}: ServiceAccount tokens are not available`,
      );
    }
    const namespace = this.namespaceOf(ref, field);
    const audiences = [...new Set([...defaultAudiences, ...(ref.audiences ?? [])])];
    try {
      return await issuer.issue(namespace, ref.name, audiences, 600, signal);
    } catch {
      if (signal.aborted) throw abortError(signal);
      throw new ProviderError(
        'PROVIDER_AUTH',
        `${this.label}: ${field}: could not get a token for ServiceAccount ${namespace}/${ref.name}`,
        { retryable: true },
      );
    }
  }

  async serviceAccountAnnotation(
    ref: ServiceAccountSelector,
    annotation: string,
    field: string,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const reader = this.#deps.serviceAccounts;
    if (reader === undefined) return undefined;
    const namespace = this.namespaceOf(ref, field);
    const annotations = await reader.annotations(namespace, ref.name, signal);
    return annotations?.[annotation];
  }
}
