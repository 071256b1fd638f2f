// The key services this build ships. KMS, GCP KMS and Vault transit register here when added.
import { AgeKeyService } from './age.ts';
import { PgpKeyService } from './pgp.ts';
import { KeyServiceRegistry } from './registry.ts';

export function defaultKeyServices(): KeyServiceRegistry {
  return new KeyServiceRegistry().register(new AgeKeyService()).register(new PgpKeyService());
}
