// CloudKeyOptions from the CLI's environment (src/config.ts SopsCloudEnvConfig): endpoint
// overrides, AWS keys from AWS_ACCESS_KEY_ID…, GOOGLE_CREDENTIALS (inline JSON or a file path, as
// sops reads it), ~/.vault-token, VAULT_CACERT and the Vault allowlist. Files named explicitly
// must be readable; the default ~/.vault-token may be missing.
import type { SopsCloudEnvConfig } from '../../config.ts';
import { SealbridgeError } from '../../errors.ts';
import type { CloudKeyOptions } from './defaults.ts';

export type ReadText = (path: string) => string;

function readNamed(read: ReadText, path: string, what: string): string {
  try {
    return read(path);
  } catch (err) {
    throw new SealbridgeError(
      'IO_ERROR',
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

export function cloudKeyOptionsFromEnv(
  cfg: SopsCloudEnvConfig | undefined,
  read: ReadText,
): CloudKeyOptions {
  if (cfg === undefined) return {};
  const creds =
    cfg.awsAccessKeyId !== undefined &&
    cfg.awsAccessKeyId !== '' &&
    cfg.awsSecretAccessKey !== undefined &&
    cfg.awsSecretAccessKey !== ''
      ? {
          accessKeyId: cfg.awsAccessKeyId,
          secretAccessKey: cfg.awsSecretAccessKey,
          ...(cfg.awsSessionToken ? { sessionToken: cfg.awsSessionToken } : {}),
        }
      : undefined;
  const google = cfg.googleCredentials?.trim();
  const googleJson =
    google === undefined || google === ''
      ? undefined
      : google.startsWith('{')
        ? google
        : readNamed(read, google, 'GOOGLE_CREDENTIALS file');
  const tokenFile = cfg.vaultTokenFile;
  return {
    aws: {
      ...(cfg.awsKmsEndpoint ? { endpoint: cfg.awsKmsEndpoint } : {}),
      ...(cfg.awsStsEndpoint ? { stsEndpoint: cfg.awsStsEndpoint } : {}),
      ...(creds === undefined ? {} : { credentials: creds }),
    },
    gcp: {
      ...(cfg.gcpKmsEndpoint ? { endpoint: cfg.gcpKmsEndpoint } : {}),
      ...(cfg.gcpKmsCaFile
        ? { caPem: readNamed(read, cfg.gcpKmsCaFile, 'SEALBRIDGE_GCP_KMS_CA_FILE') }
        : {}),
      ...(cfg.gcpKmsInsecure ? { insecure: true } : {}),
      ...(googleJson === undefined ? {} : { credentialsJson: googleJson }),
    },
    vault: {
      tokenFile: () => {
        if (tokenFile === undefined) return undefined;
        try {
          return read(tokenFile);
        } catch {
          return undefined;
        }
      },
      ...(cfg.vaultAllowlist.length > 0 ? { allowlist: cfg.vaultAllowlist } : {}),
      ...(cfg.vaultNamespace ? { namespace: cfg.vaultNamespace } : {}),
      ...(cfg.vaultCaCert ? { caPem: readNamed(read, cfg.vaultCaCert, 'VAULT_CACERT') } : {}),
    },
  };
}
