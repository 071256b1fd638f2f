// A CertSource that fetches /v1/cert.pem from the controller through the API server's service
// proxy (`seal --fetch-cert`, `cert --fetch`), checked like any other certificate afterwards.
import type { Env } from '../config.ts';
import type { CertSource } from '../crypto/cert-source.ts';
import { ControllerClient, type ControllerTarget } from './client.ts';

export async function controllerCertSource(
  target: ControllerTarget,
  env: Env,
): Promise<CertSource> {
  const client = await ControllerClient.create(target, env);
  return { description: client.description, load: () => client.certPem() };
}
