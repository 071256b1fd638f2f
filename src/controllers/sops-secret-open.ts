// SopsSecret → v1 Secret: decrypt the values under spec.data and spec.stringData and verify the
// MAC over exactly those values, in canonical order. Pure (no Kubernetes I/O): the controller and
// `sealbridge render` both use it. Nothing outside the payload and the sops block is read for
// the MAC, so fields the API server and GitOps tools add (uid, resourceVersion, managedFields,
// status, tracking labels and annotations) cannot break it, and key order as served (the API
// server sorts map keys) is the order hashed.
import type { Clock } from '../clock.ts';
import { sopsSecretRef, SOPS_SECRET_PAYLOAD_FIELDS, type SopsSecret } from '../api/sops-secret.ts';
import { SealbridgeError } from '../errors.ts';
import { decodeBase64Strict } from '../manifest/base64.ts';
import type { SecretManifest, StringMap } from '../manifest/types.ts';
import { decryptDocument } from '../sops/decrypt.ts';
import type { KeyServiceRegistry } from '../sops/keys/registry.ts';
import type { KeySource } from '../sops/keys/source.ts';
import type { KeyType } from '../sops/metadata.ts';
import { byteOrder } from '../sops/canonical-order.ts';
import { SopsBytes, SopsRawStr, SopsTime, TreeMap, type Value } from '../sops/tree.ts';

export interface OpenSopsSecretOptions {
  readonly keys: KeySource;
  readonly registry: KeyServiceRegistry;
  readonly decryptionOrder?: readonly KeyType[] | undefined;
  readonly clock?: Clock | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface OpenedSopsSecret {
  readonly secret: SecretManifest & { data: StringMap };
}

/** The document the controller decrypts: the payload in canonical order, and the sops block. */
export function canonicalPayload(ss: Pick<SopsSecret, 'spec' | 'sops'>): string {
  const parts: string[] = [];
  for (const field of SOPS_SECRET_PAYLOAD_FIELDS) {
    const map = ss.spec[field];
    if (map === undefined || Object.keys(map).length === 0) continue;
    // Built as text: a JS object would move integer-like keys ("10", "2") to the front.
    const entries = Object.keys(map)
      .sort(byteOrder)
      .map((k) => `${JSON.stringify(k)}:${JSON.stringify(map[k] ?? null)}`);
    parts.push(`${JSON.stringify(field)}:{${entries.join(',')}}`);
  }
  return `{"spec":{${parts.join(',')}},"sops":${JSON.stringify(ss.sops)}}`;
}

function macOnlyEncrypted(sops: Record<string, unknown>): boolean {
  const v = sops['mac_only_encrypted'];
  return v === true || v === 'true';
}

function text(v: Value, where: string): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean')
    return Buffer.from(String(v), 'utf8');
  if (v instanceof SopsBytes || v instanceof SopsRawStr) return Buffer.from(v.bytes);
  if (v instanceof SopsTime) return Buffer.from(v.text, 'utf8');
  throw new SealbridgeError('INVALID_MANIFEST', `${where} must be a string`);
}

function values(spec: TreeMap, ref: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const data = spec.get('data');
  if (data instanceof TreeMap) {
    for (const e of data.entries()) {
      const where = `SopsSecret ${ref}: spec.data.${e.key}`;
      const decoded = decodeBase64Strict(text(e.value, where).toString('utf8'));
      if (decoded === undefined) {
        throw new SealbridgeError(
          'INVALID_BASE64',
          `${where} is not valid base64 once decrypted (use spec.stringData for text)`,
        );
      }
      out.set(e.key, decoded);
    }
  }
  const stringData = spec.get('stringData');
  if (stringData instanceof TreeMap) {
    for (const e of stringData.entries()) {
      out.set(e.key, text(e.value, `SopsSecret ${ref}: spec.stringData.${e.key}`));
    }
  }
  return out;
}

/** Decrypts and verifies a SopsSecret into the Secret it describes. Throws typed errors. */
export async function openSopsSecret(
  ss: SopsSecret,
  options: OpenSopsSecretOptions,
): Promise<OpenedSopsSecret> {
  const ref = sopsSecretRef(ss);
  if (!macOnlyEncrypted(ss.sops)) {
    throw new SealbridgeError(
      'SOPS_METADATA_INVALID',
      `SopsSecret ${ref}: encrypted without mac_only_encrypted, so its MAC covers metadata that kubectl and the API server change; re-encrypt it with mac_only_encrypted: true (sealbridge sops encrypt does this for SopsSecrets)`,
    );
  }
  let doc;
  try {
    doc = await decryptDocument(canonicalPayload(ss), {
      format: 'json',
      keys: options.keys,
      registry: options.registry,
      file: `SopsSecret ${ref}`,
      ...(options.decryptionOrder ? { decryptionOrder: options.decryptionOrder } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if (err instanceof SealbridgeError && err.code === 'SOPS_MAC_MISMATCH') {
      throw new SealbridgeError(
        err.code,
        `${err.message}; the MAC must cover exactly the values of spec.data then spec.stringData, each in key order (re-encrypt with "sealbridge sops rotate -i" if keys were added out of order or other fields were encrypted)`,
        { exitCode: err.exitCode },
      );
    }
    throw err;
  }
  const spec = doc.branches[0]?.get('spec');
  const opened = spec instanceof TreeMap ? values(spec, ref) : new Map<string, Buffer>();
  const tpl = ss.spec.template;
  const data: StringMap = {};
  for (const [k, v] of opened) data[k] = v.toString('base64');
  const labels = tpl?.metadata?.labels;
  const annotations = tpl?.metadata?.annotations;
  const secret: SecretManifest & { data: StringMap } = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: ss.metadata.name,
      ...(ss.metadata.namespace === undefined ? {} : { namespace: ss.metadata.namespace }),
      ...(labels === undefined ? {} : { labels: { ...labels } }),
      ...(annotations === undefined ? {} : { annotations: { ...annotations } }),
    },
    type: tpl?.type ?? 'Opaque',
    ...(tpl?.immutable === true ? { immutable: true } : {}),
    data,
  };
  return { secret };
}
