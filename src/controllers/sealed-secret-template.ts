// `spec.template.data` of a SealedSecret: Go templates over the decrypted items, rendered by
// Sealbridge's own interpreter (src/template; templates are data, never code). As in Bitnami's
// controller, the input is a map of the decrypted items as strings and each output replaces the
// item of the same name. One difference on purpose: a missing key is an error here, where Go's
// default would write "<no value>" into the Secret.
import { SEALED_SECRET_FUNCTIONS, parseTemplate, stringContext } from '../template/index.ts';

export function renderSealedTemplateData(
  templates: Readonly<Record<string, string>>,
  values: ReadonlyMap<string, Buffer>,
): ReadonlyMap<string, Uint8Array> {
  const context = stringContext(Object.fromEntries(values));
  const out = new Map<string, Uint8Array>();
  for (const [key, text] of Object.entries(templates)) {
    const tpl = parseTemplate(text, {
      name: `spec.template.data.${key}`,
      funcs: SEALED_SECRET_FUNCTIONS,
      missingKey: 'error',
    });
    out.set(key, tpl.executeBytes(context));
  }
  return out;
}
