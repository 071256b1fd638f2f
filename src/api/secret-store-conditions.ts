// ClusterSecretStore `spec.conditions`: which namespaces may use the store. As in ESO, any
// match allows: a selector, a name or a regex of any entry. No conditions: all namespaces.
// Regexes are RE2 and unanchored, as Go's regexp.MatchString is; they run on the linear-time
// GoRegExp engine (a ClusterSecretStore's author cannot stall the controller with a pattern),
// compiled once by parseSecretStore.
import { GoRegExp } from '../regexp/regexp.ts';
import {
  COMPILED_NAMESPACE_REGEXES,
  type ClusterSecretStoreCondition,
  type LabelSelector,
  type SecretStoreObject,
} from './secret-store.ts';

export function labelSelectorMatches(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const inValues = value !== undefined && (e.values ?? []).includes(value);
    const ok =
      e.operator === 'In'
        ? inValues
        : e.operator === 'NotIn'
          ? !inValues
          : e.operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

function conditionMatches(
  c: ClusterSecretStoreCondition,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (c.namespaceSelector !== undefined && labelSelectorMatches(c.namespaceSelector, labels)) {
    return true;
  }
  if (c.namespaces?.includes(namespace) === true) return true;
  return namespaceRegexesOf(c).some((re) => {
    try {
      return re?.test(namespace) ?? false;
    } catch {
      return false; // over the step budget: cannot happen for a namespace name; deny
    }
  });
}

/** The compiled regexes; a condition not built by parseSecretStore is compiled here. */
function namespaceRegexesOf(c: ClusterSecretStoreCondition): readonly (GoRegExp | undefined)[] {
  const compiled = c[COMPILED_NAMESPACE_REGEXES];
  if (compiled !== undefined) return compiled;
  return (c.namespaceRegexes ?? []).map((r) => {
    try {
      return GoRegExp.compile(r);
    } catch {
      return undefined; // an invalid pattern matches nothing
    }
  });
}

/**
 * Whether an ExternalSecret in `namespace` (with these namespace labels) may use `store`.
 * A SecretStore serves its own namespace only.
 */
export function storeAllowsNamespace(
  store: SecretStoreObject,
  namespace: string,
  namespaceLabels: Readonly<Record<string, string>>,
): boolean {
  if (store.kind === 'SecretStore') return store.metadata.namespace === namespace;
  const conditions = store.spec.conditions ?? [];
  if (conditions.length === 0) return true;
  return conditions.some((c) => conditionMatches(c, namespace, namespaceLabels));
}
