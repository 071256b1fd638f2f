// The key services this build ships: age, PGP, AWS KMS, GCP KMS and Vault transit. The cloud
// services take their endpoints and fallback credentials from `CloudKeyOptions` (see
// cloud-env.ts for the CLI's environment, and the SopsSecret controller for in-cluster use);
// their SDKs load only when a key of that type is used.
import { AgeKeyService } from './age.ts';
import { AwsKmsKeyService, type AwsKmsOptions } from './aws-kms.ts';
import { GcpKmsKeyService, type GcpKmsOptions } from './gcp-kms.ts';
import { PgpKeyService } from './pgp.ts';
import { KeyServiceRegistry } from './registry.ts';
import { VaultTransitKeyService, type VaultTransitOptions } from './vault-transit.ts';

export interface CloudKeyOptions {
  readonly aws?: AwsKmsOptions | undefined;
  readonly gcp?: GcpKmsOptions | undefined;
  readonly vault?: VaultTransitOptions | undefined;
}

export function defaultKeyServices(options: CloudKeyOptions = {}): KeyServiceRegistry {
  return new KeyServiceRegistry()
    .register(new AgeKeyService())
    .register(new PgpKeyService())
    .register(new AwsKmsKeyService(options.aws))
    .register(new GcpKmsKeyService(options.gcp))
    .register(new VaultTransitKeyService(options.vault));
}
