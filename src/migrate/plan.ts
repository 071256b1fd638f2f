// Decides what happens to one document: ESO ExternalSecrets and stores are converted, ESO kinds
// with no Sealbridge equivalent are left as they are and reported, everything else passes through
// untouched. `kind: List` documents are planned item by item.
import { validateSecretStore } from '../api/secret-store-validate.ts';
import { SEALBRIDGE_API_VERSION } from '../api/group.ts';
import { applyEdits } from './apply.ts';
import { planExternalSecret } from './plan-external-secret.ts';
import {
  ESO_API_VERSIONS,
  ESO_GROUP,
  type DocumentPlan,
  type Edit,
  type Finding,
  type Path,
} from './types.ts';

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const SUPPORTED_PROVIDERS = ['vault', 'aws', 'gcpsm'];

const NO_EQUIVALENT: Readonly<Record<string, string>> = {
  ClusterExternalSecret:
    'ClusterExternalSecret has no Sealbridge equivalent: create one ExternalSecret per namespace',
  PushSecret: 'PushSecret has no Sealbridge equivalent: Sealbridge only reads from providers',
  ClusterPushSecret:
    'ClusterPushSecret has no Sealbridge equivalent: Sealbridge only reads from providers',
};

const UNCHANGED: DocumentPlan = { edits: [], findings: [], outcome: 'unchanged' };

function left(message: string): DocumentPlan {
  return {
    edits: [],
    findings: [{ severity: 'dropped', path: '', message: `${message}; left unchanged` }],
    outcome: 'unchanged',
  };
}

function planStore(obj: Obj): DocumentPlan {
  const spec = isObj(obj['spec']) ? obj['spec'] : {};
  const provider = isObj(spec['provider']) ? spec['provider'] : {};
  const names = Object.keys(provider).filter(
    (k) => provider[k] !== undefined && provider[k] !== null,
  );
  const unsupported = names.filter((n) => !SUPPORTED_PROVIDERS.includes(n));
  if (unsupported.length > 0 || names.length === 0) {
    const which =
      unsupported.length > 0
        ? `provider ${unsupported.join(', ')} is`
        : 'a store without a provider is';
    return left(`${which} not supported by Sealbridge (supported: vault, aws, gcpsm)`);
  }
  const edits: Edit[] = [{ op: 'set', path: ['apiVersion'], value: SEALBRIDGE_API_VERSION }];
  const converted = applyEdits(structuredClone(obj), edits) as Record<string, unknown>;
  const meta = isObj(converted['metadata']) ? { ...converted['metadata'] } : {};
  if (
    obj['kind'] === 'SecretStore' &&
    (typeof meta['namespace'] !== 'string' || meta['namespace'] === '')
  ) {
    meta['namespace'] = 'default';
  }
  const findings: Finding[] = validateSecretStore({ ...converted, metadata: meta }).map((i) => ({
    severity: 'invalid',
    path: i.path,
    message: i.message,
  }));
  return { edits, findings, outcome: 'store' };
}

/** Plans one object (not a List). */
export function planObject(obj: unknown): DocumentPlan {
  if (!isObj(obj)) return UNCHANGED;
  const apiVersion = typeof obj['apiVersion'] === 'string' ? obj['apiVersion'] : '';
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (group === `generators.${ESO_GROUP}`) return left(`generator ${kind} is not supported`);
  if (group !== ESO_GROUP) return UNCHANGED;
  const noEquivalent = NO_EQUIVALENT[kind];
  if (noEquivalent !== undefined) return left(noEquivalent);
  if (!(ESO_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    return left(
      `${apiVersion} ${kind} is not supported: upgrade it to external-secrets.io/v1 first`,
    );
  }
  if (kind === 'ExternalSecret') return planExternalSecret(obj);
  if (kind === 'SecretStore' || kind === 'ClusterSecretStore') return planStore(obj);
  return left(`${kind} has no Sealbridge equivalent`);
}

export interface ItemPlan {
  /** Where the object sits in the document: [] or ['items', i] for a List. */
  readonly at: Path;
  readonly object: unknown;
  readonly plan: DocumentPlan;
}

/** Plans a document, expanding `kind: List` (and `*List`) into its items. */
export function planDocument(doc: unknown): ItemPlan[] {
  if (
    isObj(doc) &&
    typeof doc['kind'] === 'string' &&
    doc['kind'].endsWith('List') &&
    Array.isArray(doc['items'])
  ) {
    return doc['items'].map((item: unknown, i) => ({
      at: ['items', i],
      object: item,
      plan: planObject(item),
    }));
  }
  return [{ at: [], object: doc, plan: planObject(doc) }];
}

/** Prefixes a plan's edits with the item's position. */
export function editsAt(item: ItemPlan): Edit[] {
  return item.plan.edits.map((e) => ({ ...e, path: [...item.at, ...e.path] }));
}
