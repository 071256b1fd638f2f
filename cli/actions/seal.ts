// The `seal` command's work: load the certificate, then one of three modes (manifests, --raw,
// --merge-into). Everything is computed before anything is written, so a failure on the third
// Secret of a stream leaves no output file at all.
import {
  isSealedSecretApiVersion,
  SEALBRIDGE_API_VERSION,
  type SealedSecretApiVersion,
} from '../../src/api/group.ts';
import { systemClock } from '../../src/clock.ts';
import { sealEnvConfig } from '../../src/config.ts';
import { certSourceFromSpec, loadCertificate } from '../../src/crypto/cert-source.ts';
import type { SealingCertificate } from '../../src/crypto/certificate.ts';
import {
  scopeFromAnnotations,
  scopeLabel,
  isSealingScope,
  type SealingScope,
} from '../../src/crypto/scope.ts';
import { resolveNamespace, sealSecret } from '../../src/crypto/seal-secret.ts';
import { sealBytes } from '../../src/crypto/hybrid.ts';
import { SealbridgeError } from '../../src/errors.ts';
import { chooseFormat, formatManifests } from '../../src/manifest/format.ts';
import { parseManifests } from '../../src/manifest/parse.ts';
import { secretValues, validateSecret } from '../../src/manifest/secret.ts';
import { describeDocument, type SecretManifest } from '../../src/manifest/types.ts';
import type { CliContext } from '../context.ts';
import {
  atomicWrite,
  readFileBytes,
  readInput,
  readStdin,
  resolvePath,
  writeOutput,
} from '../io.ts';
import type { SealFlags } from '../commands/seal.ts';

export interface SealRunInfo {
  /** Whether --api-version was given explicitly (it has a default). */
  readonly apiVersionGiven: boolean;
}

function flagError(message: string): SealbridgeError {
  return new SealbridgeError('INVALID_FLAG', message);
}

/** The certificate from --cert, the environment, or the controller (--fetch-cert). */
async function sealingCertificate(ctx: CliContext, flags: SealFlags): Promise<SealingCertificate> {
  if (flags.fetchCert === true) {
    if (flags.cert !== undefined) throw flagError('give either --cert or --fetch-cert, not both');
    const { controllerCertSource } = await import('../../src/controller-client/cert-source.ts');
    const source = await controllerCertSource(flags, ctx.env);
    return loadCertificate(source, { nowMs: systemClock.now() });
  }
  const spec = flags.cert ?? sealEnvConfig(ctx.env).cert;
  if (spec === undefined || spec === '') {
    throw flagError('no sealing certificate: pass --cert FILE|URL or set SEALBRIDGE_CERT');
  }
  return loadCertificate(certSourceFromSpec(spec, { cwd: ctx.cwd }), { nowMs: systemClock.now() });
}

function checkFlags(flags: SealFlags, info: SealRunInfo): void {
  if (flags.raw === true && flags.mergeInto !== undefined)
    throw flagError('--raw and --merge-into cannot be used together');
  if (flags.fromFile !== undefined && flags.raw !== true) {
    throw flagError(
      '--from-file needs --raw (to seal files into a Secret, build it with kubectl create secret --from-file)',
    );
  }
  if (flags.fromFile !== undefined && flags.fromFile.length > 1)
    throw flagError('--raw seals one value: give --from-file once');
  if (flags.name !== undefined && flags.raw !== true)
    throw flagError('--name is only used with --raw (the Secret names itself)');
  if (flags.mergeInto !== undefined && flags.sealedSecretFile !== undefined) {
    throw flagError('--merge-into writes the file in place; do not combine it with -w');
  }
  if (flags.mergeInto !== undefined && info.apiVersionGiven) {
    throw flagError(
      '--api-version does not apply with --merge-into (the file keeps its apiVersion)',
    );
  }
}

function readSecrets(text: string, source: string): { secret: SecretManifest; where: string }[] {
  const docs = parseManifests(text, { source });
  if (docs.length === 0)
    throw new SealbridgeError('INVALID_INPUT', `${source}: no Secret found in the input`);
  return docs.map((doc) => {
    return { secret: validateSecret(doc), where: describeDocument(doc) };
  });
}

async function sealManifests(
  ctx: CliContext,
  flags: SealFlags,
  cert: SealingCertificate,
): Promise<void> {
  const input = await readInput(ctx, flags.secretFile);
  const apiVersion: SealedSecretApiVersion = isSealedSecretApiVersion(flags.apiVersion)
    ? flags.apiVersion
    : SEALBRIDGE_API_VERSION;
  const scope = isSealingScope(flags.scope) ? flags.scope : undefined;
  const sealed = readSecrets(input.text, input.source).map(({ secret, where }) =>
    sealSecret(secret, {
      publicKey: cert.publicKey,
      apiVersion,
      scope,
      namespace: flags.namespace,
      allowEmptyData: flags.allowEmptyData,
      where,
    }),
  );
  const format = chooseFormat(flags.format, flags.sealedSecretFile, 'yaml');
  await writeOutput(ctx, formatManifests(sealed, format), flags.sealedSecretFile);
}

async function sealRaw(ctx: CliContext, flags: SealFlags, cert: SealingCertificate): Promise<void> {
  const scope: SealingScope = isSealingScope(flags.scope) ? flags.scope : 'strict';
  if (scope !== 'cluster-wide' && (flags.namespace ?? '') === '')
    throw flagError(`--raw with ${scope} scope needs --namespace`);
  if (scope === 'strict' && (flags.name ?? '') === '')
    throw flagError('--raw with strict scope needs --name');
  const fromFile = flags.fromFile?.[0];
  const path = fromFile === undefined ? undefined : fromFile.slice(fromFile.indexOf('=') + 1);
  const value = path === undefined ? await readStdin(ctx) : await readFileBytes(ctx, path);
  const label = scopeLabel(scope, { namespace: flags.namespace, name: flags.name });
  // Like kubeseal: the base64 ciphertext alone, no trailing newline.
  await writeOutput(
    ctx,
    sealBytes(value, label, cert.publicKey).toString('base64'),
    flags.sealedSecretFile,
  );
}

async function sealMerge(
  ctx: CliContext,
  flags: SealFlags,
  cert: SealingCertificate,
  file: string,
): Promise<void> {
  const { readMergeTarget, sealForTarget, mergeItems, describeTarget } =
    await import('../../src/crypto/merge-into.ts');
  const target = readMergeTarget((await readFileBytes(ctx, file)).toString('utf8'), file);
  const ss = target.sealedSecret;
  const fileScope = scopeFromAnnotations(ss.metadata.annotations);
  if (flags.scope !== undefined && flags.scope !== fileScope) {
    throw flagError(
      `--scope ${flags.scope} differs from the ${fileScope} scope of ${describeTarget(target)}`,
    );
  }
  const input = await readInput(ctx, flags.secretFile);
  const secrets = readSecrets(input.text, input.source);
  const only = secrets[0];
  if (only === undefined || secrets.length !== 1) {
    throw new SealbridgeError(
      'INVALID_INPUT',
      `${input.source}: --merge-into takes exactly one Secret, found ${secrets.length}`,
    );
  }
  const fileNs = ss.metadata.namespace === '' ? undefined : ss.metadata.namespace;
  const ns = resolveNamespace(only.secret, flags.namespace, only.where);
  if (ns !== undefined && fileNs !== undefined && ns !== fileNs) {
    throw new SealbridgeError(
      'NAMESPACE_CONFLICT',
      `${only.where}: namespace "${ns}" differs from "${fileNs}" of ${describeTarget(target)}`,
    );
  }
  const values = secretValues(only.secret);
  if (values.size === 0 && flags.allowEmptyData !== true) {
    throw new SealbridgeError(
      'EMPTY_DATA',
      `${only.where}: Secret ${only.secret.metadata.name} has no data to merge`,
    );
  }
  const text = mergeItems(target, sealForTarget(target, values, cert.publicKey));
  await atomicWrite(resolvePath(ctx, file), text, { overwrite: true });
}

export async function runSeal(ctx: CliContext, flags: SealFlags, info: SealRunInfo): Promise<void> {
  checkFlags(flags, info);
  const cert = await sealingCertificate(ctx, flags);
  if (flags.raw === true) await sealRaw(ctx, flags, cert);
  else if (flags.mergeInto !== undefined) await sealMerge(ctx, flags, cert, flags.mergeInto);
  else await sealManifests(ctx, flags, cert);
}
