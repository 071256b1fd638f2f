// Importing Bitnami's sealing keys (--import-bitnami-keys-from NAMESPACE): every key Secret of
// Bitnami's controller in that namespace (labelled sealedsecrets.bitnami.com/sealed-secrets-key,
// or the legacy unlabelled `sealed-secrets-key`) is copied into the controller's namespace as a
// Sealbridge key Secret, so everything sealed for Bitnami keeps opening after Bitnami's controller
// is removed. Idempotent: keys already held (by fingerprint) are skipped. The status label is
// kept (active stays active, compromised stays disabled), and so is the original creation time.
import { BITNAMI_LEGACY_KEY_NAME, SEALING_KEY_LABELS } from '../api/annotations.ts';
import { parseKeySecret, TLS_CERT, TLS_KEY, TLS_SECRET_TYPE } from '../crypto/key-secret.ts';
import { errorMessage } from '../errors.ts';
import { isAlreadyExists } from '../kube/errors.ts';
import type { ResourceClient } from '../kube/resource-client.ts';
import type { SecretObject } from '../kube/types.ts';
import { silentLogger, type Logger } from '../log.ts';
import { ORIGINAL_CREATED_ANNOTATION, type KeyStore } from './key-store.ts';

export const IMPORTED_FROM_ANNOTATION = 'sealbridge.io/imported-from';

export interface ImportOptions {
  readonly secrets: ResourceClient<SecretObject>;
  /** Where Bitnami's controller keeps its keys (usually kube-system). */
  readonly from: string;
  readonly store: KeyStore;
  readonly logger?: Logger | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface ImportResult {
  readonly imported: number;
  readonly skipped: number;
  readonly invalid: number;
}

async function bitnamiKeySecrets(o: ImportOptions): Promise<SecretObject[]> {
  const labelled = await o.secrets.list({
    namespace: o.from,
    labelSelector: SEALING_KEY_LABELS.bitnami,
    signal: o.signal,
  });
  const out = [...labelled.items];
  const legacy = await o.secrets.find(
    { namespace: o.from, name: BITNAMI_LEGACY_KEY_NAME },
    { signal: o.signal },
  );
  if (legacy !== undefined && !out.some((s) => s.metadata.name === legacy.metadata.name))
    out.push(legacy);
  return out;
}

function importedName(original: string): string {
  return `imported-${original}`.slice(0, 253).replace(/[^a-z0-9]+$/, '');
}

export async function importBitnamiKeys(o: ImportOptions): Promise<ImportResult> {
  const log = (o.logger ?? silentLogger).child({ component: 'key-import' });
  const held = new Set(o.store.all().map((k) => k.fingerprint));
  let imported = 0;
  let skipped = 0;
  let invalid = 0;
  for (const s of await bitnamiKeySecrets(o)) {
    const where = `${o.from}/${s.metadata.name ?? ''}`;
    let parsed;
    try {
      parsed = parseKeySecret({ ...s, kind: 'Secret' }, `key Secret ${where}`);
    } catch (err) {
      invalid++;
      log.warn(
        { secret: where, err: errorMessage(err) },
        'skipping a Bitnami key Secret that cannot be read',
      );
      continue;
    }
    if (held.has(parsed.fingerprint)) {
      skipped++;
      continue;
    }
    const status = s.metadata.labels?.[SEALING_KEY_LABELS.bitnami] ?? 'active';
    const name = importedName(s.metadata.name ?? 'sealed-secrets-key');
    const copy: SecretObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name,
        namespace: o.store.namespace,
        labels: { [SEALING_KEY_LABELS.sealbridge]: status },
        annotations: {
          [IMPORTED_FROM_ANNOTATION]: where,
          ...(s.metadata.creationTimestamp === undefined
            ? {}
            : { [ORIGINAL_CREATED_ANNOTATION]: s.metadata.creationTimestamp }),
        },
      },
      type: TLS_SECRET_TYPE,
      data: {
        [TLS_KEY]: s.data?.[TLS_KEY] ?? '',
        ...(s.data?.[TLS_CERT] === undefined ? {} : { [TLS_CERT]: s.data[TLS_CERT] }),
      },
    };
    try {
      await o.secrets.create(copy, { signal: o.signal });
      imported++;
      held.add(parsed.fingerprint);
      log.info(
        { from: where, secret: name, fingerprint: parsed.fingerprint },
        'imported a Bitnami sealing key',
      );
      await o.store.refresh(name);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      skipped++;
    }
  }
  return { imported, skipped, invalid };
}
