// `sealbridge render`: manifests in, manifests out. Every document is opened or passed through
// (see open.ts) in input order; the whole output is built before anything is written, so an
// error never leaves half a stream behind. A multi-document SOPS file is decrypted as one file
// (its MAC covers every document).
import { decryptDocument, emitPlain } from '../sops/decrypt.ts';
import { openDocument, openedYaml, type OpenOptions } from './open.ts';
import { splitInput, type SplitDocument } from './split.ts';

export interface RenderInput {
  /** A path or "stdin", for messages. */
  readonly source: string;
  readonly text: string;
  /**
   * From a directory walk: documents that are not Kubernetes objects (no apiVersion or kind) are
   * dropped with a warning instead of passed through.
   */
  readonly fromDirectory?: boolean | undefined;
}

function isKubeObject(doc: SplitDocument): boolean {
  const o = doc.object;
  return typeof o['apiVersion'] === 'string' && typeof o['kind'] === 'string';
}

async function sopsStream(text: string, source: string, o: OpenOptions): Promise<string[]> {
  const doc = await decryptDocument(text, {
    format: 'yaml',
    keys: o.keys,
    registry: o.registry,
    file: source,
    ...(o.decryptionOrder ? { decryptionOrder: o.decryptionOrder } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return doc.branches.map((b) => emitPlain({ branches: [b], format: 'yaml' }).toString('utf8'));
}

/** The YAML documents (each without a `---` line) that one input renders to. */
export async function renderInput(input: RenderInput, o: OpenOptions): Promise<string[]> {
  const split = splitInput(input.text, input.source);
  if (split.sopsStream !== undefined) return sopsStream(split.sopsStream.text, input.source, o);
  const out: string[] = [];
  for (const doc of split.documents) {
    if (input.fromDirectory === true && !isKubeObject(doc)) {
      o.warn(`${doc.where}: not a Kubernetes object (no apiVersion/kind); skipped`);
      continue;
    }
    out.push(openedYaml(await openDocument(doc, o), doc));
  }
  return out;
}

/** Renders every input into one YAML stream. */
export async function renderToYaml(
  inputs: readonly RenderInput[],
  o: OpenOptions,
): Promise<string> {
  const docs: string[] = [];
  for (const input of inputs) docs.push(...(await renderInput(input, o)));
  return docs.map((d) => `---\n${d.endsWith('\n') ? d : `${d}\n`}`).join('');
}
