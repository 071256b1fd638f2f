// The API resources the external-store controllers read and write.
import { EXTERNAL_SECRET_KIND, EXTERNAL_SECRET_PLURAL } from '../api/external-secret.ts';
import { SEALBRIDGE_GROUP, SEALBRIDGE_VERSION } from '../api/group.ts';
import {
  CLUSTER_SECRET_STORE_KIND,
  CLUSTER_SECRET_STORE_PLURAL,
  SECRET_STORE_KIND,
  SECRET_STORE_PLURAL,
} from '../api/secret-store.ts';
import type { ResourceDescriptor } from '../kube/resources.ts';

const crd = (kind: string, plural: string, namespaced: boolean): ResourceDescriptor => ({
  group: SEALBRIDGE_GROUP,
  version: SEALBRIDGE_VERSION,
  plural,
  kind,
  namespaced,
});

export const EXTERNAL_SECRETS = crd(EXTERNAL_SECRET_KIND, EXTERNAL_SECRET_PLURAL, true);
export const SECRET_STORES = crd(SECRET_STORE_KIND, SECRET_STORE_PLURAL, true);
export const CLUSTER_SECRET_STORES = crd(
  CLUSTER_SECRET_STORE_KIND,
  CLUSTER_SECRET_STORE_PLURAL,
  false,
);
