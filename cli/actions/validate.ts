// The `validate` command's work.
import { systemClock } from '../../src/clock.ts';
import { isSealedSecretApiVersion, SEALED_SECRET_KIND } from '../../src/api/group.ts';
import { sealedSecretRef, validateSealedSecret } from '../../src/api/sealed-secret.ts';
import { SealbridgeError } from '../../src/errors.ts';
import { parseManifests } from '../../src/manifest/parse.ts';
import type { CliContext } from '../context.ts';
import type { ControllerFlags } from '../controller-flags.ts';
import { readInput } from '../io.ts';

export async function runValidate(
  ctx: CliContext,
  files: readonly string[],
  flags: ControllerFlags,
): Promise<void> {
  const { ControllerClient } = await import('../../src/controller-client/client.ts');
  const { verifyWithController } = await import('../../src/controller-client/verify.ts');
  const client = await ControllerClient.create(flags, ctx.env);
  let checked = 0;
  let failed = 0;
  for (const file of files.length === 0 ? ['-'] : files) {
    const input = await readInput(ctx, file);
    for (const doc of parseManifests(input.text, { source: input.source })) {
      if (
        doc.object['kind'] !== SEALED_SECRET_KIND ||
        !isSealedSecretApiVersion(doc.object['apiVersion'])
      )
        continue;
      const ref = sealedSecretRef(validateSealedSecret(doc));
      checked++;
      const answer = await verifyWithController(client, JSON.stringify(doc.object), systemClock);
      if (answer.ok) {
        ctx.stdout.write(`ok      ${input.source}: ${ref}\n`);
      } else {
        failed++;
        ctx.stdout.write(`FAILED  ${input.source}: ${ref}: ${answer.reason}\n`);
      }
    }
  }
  if (checked === 0)
    throw new SealbridgeError('INVALID_INPUT', 'no SealedSecret found in the input');
  if (failed > 0) {
    throw new SealbridgeError(
      'CHECK_FAILED',
      `${failed} of ${checked} SealedSecrets cannot be opened by the ${client.description}`,
    );
  }
}
