// The `cert` command's work.
import { systemClock } from '../../src/clock.ts';
import { sealEnvConfig } from '../../src/config.ts';
import { certSourceFromSpec, loadCertificate } from '../../src/crypto/cert-source.ts';
import { certificateInfo, isExpired } from '../../src/crypto/certificate.ts';
import { SealbridgeError } from '../../src/errors.ts';
import type { CliContext } from '../context.ts';
import type { CertFlags } from '../commands/cert.ts';

export async function runCert(
  ctx: CliContext,
  arg: string | undefined,
  flags: CertFlags,
): Promise<void> {
  if (arg !== undefined && flags.cert !== undefined && arg !== flags.cert) {
    throw new SealbridgeError(
      'INVALID_FLAG',
      'give the certificate once: as the argument or with --cert',
    );
  }
  const now = systemClock.now();
  let cert;
  if (flags.fetch === true) {
    if (arg !== undefined || flags.cert !== undefined) {
      throw new SealbridgeError('INVALID_FLAG', 'give either a certificate or --fetch, not both');
    }
    const { controllerCertSource } = await import('../../src/controller-client/cert-source.ts');
    cert = await loadCertificate(await controllerCertSource(flags, ctx.env), {
      nowMs: now,
      allowExpired: true,
    });
  } else {
    const spec = arg ?? flags.cert ?? sealEnvConfig(ctx.env).cert;
    if (spec === undefined || spec === '') {
      throw new SealbridgeError(
        'INVALID_FLAG',
        'no certificate: pass FILE|URL, --cert, or set SEALBRIDGE_CERT (or --fetch to ask the controller)',
      );
    }
    cert = await loadCertificate(certSourceFromSpec(spec, { cwd: ctx.cwd }), {
      nowMs: now,
      allowExpired: true,
    });
  }
  const info = certificateInfo(cert);
  const expired = isExpired(cert, now);
  if (flags.output === 'json') {
    const json = {
      ...info,
      notBefore: info.notBefore.toISOString(),
      notAfter: info.notAfter.toISOString(),
      expired,
    };
    ctx.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  const days = Math.floor((cert.notAfter.getTime() - now) / 86_400_000);
  const rows: [string, string][] = [
    ['fingerprint', info.fingerprint],
    ['subject', info.subject === '' ? '(empty)' : info.subject],
    ['issuer', info.issuer === '' ? '(empty)' : info.issuer],
    ['serial', info.serialNumber],
    ['not before', info.notBefore.toISOString()],
    ['not after', info.notAfter.toISOString()],
    ['expired', expired ? 'yes' : `no (${days} days left)`],
    ['key', `${info.keyType} ${info.keyBits} bits`],
    ['sha256', info.certificateSha256],
  ];
  ctx.stdout.write(rows.map(([k, v]) => `${`${k}:`.padEnd(13)}${v}\n`).join(''));
}
