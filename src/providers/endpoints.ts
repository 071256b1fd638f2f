// Endpoint overrides from the environment (src/config.ts) to ProviderEndpoints.
import type { ProviderEndpointEnvConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { ProviderEndpoints } from './options.ts';

export function providerEndpoints(
  cfg: ProviderEndpointEnvConfig,
  readFile: (path: string) => string,
  logger: Logger,
): ProviderEndpoints {
  if (cfg.googleSdkLogging) {
    logger.warn(
      {},
      'GOOGLE_SDK_NODE_LOGGING is set: the Google client library logs secret payloads; unset it',
    );
  }
  if (cfg.gcpInsecure) {
    logger.warn({}, 'GCP Secret Manager endpoint is plaintext without credentials (emulator mode)');
  }
  return {
    ...(cfg.awsSecretsManager === undefined ? {} : { awsSecretsManager: cfg.awsSecretsManager }),
    ...(cfg.awsSts === undefined ? {} : { awsSts: cfg.awsSts }),
    ...(cfg.gcpSecretManager === undefined ? {} : { gcpSecretManager: cfg.gcpSecretManager }),
    ...(cfg.gcpCaFile === undefined ? {} : { gcpCaPem: readFile(cfg.gcpCaFile) }),
    ...(cfg.gcpInsecure ? { gcpInsecure: true } : {}),
  };
}
