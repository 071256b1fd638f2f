// Per-provider validation and defaults (ESO external-secrets.io/v1 names) for the three
// providers Sealbridge implements. Unsupported auth methods are reported, never ignored, so a
// store never silently falls back to some other credential.
import type {
  AWSAuth,
  AWSProvider,
  AWSSessionTag,
  CAProvider,
  GCPSMProvider,
  VaultAppRole,
  VaultAuth,
  VaultKubernetesAuth,
  VaultProvider,
} from './secret-store.ts';
import {
  isObj,
  issue,
  readBool,
  readEnum,
  readObj,
  readSecretKeySelector,
  readServiceAccountSelector,
  readString,
  readStringList,
  readStringMap,
  type FieldContext,
  type Obj,
} from './secret-store-fields.ts';

const VAULT_UNSUPPORTED_AUTH = ['ldap', 'userPass', 'jwt', 'cert', 'iam', 'gcp'];

function readCaBundle(ctx: FieldContext, o: Obj, path: string): string | undefined {
  const ca = readString(ctx, o, 'caBundle', path);
  if (ca === undefined) return undefined;
  const text = /^[A-Za-z0-9+/=\s]+$/.test(ca) ? Buffer.from(ca, 'base64').toString('utf8') : '';
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    issue(ctx, `${path}.caBundle`, 'must be base64 of one or more PEM certificates');
  }
  return ca;
}

function readCaProvider(ctx: FieldContext, o: Obj, path: string): CAProvider | undefined {
  const c = readObj(ctx, o, 'caProvider', path);
  if (c === undefined) return undefined;
  const p = `${path}.caProvider`;
  const type = readEnum(ctx, c, 'type', p, ['Secret', 'ConfigMap'] as const);
  const name = readString(ctx, c, 'name', p, true);
  const key = readString(ctx, c, 'key', p, true);
  const namespace = readString(ctx, c, 'namespace', p);
  if (type === undefined) issue(ctx, `${p}.type`, 'is required (Secret or ConfigMap)');
  if (ctx.kind === 'SecretStore' && namespace !== undefined && namespace !== ctx.namespace) {
    issue(ctx, `${p}.namespace`, 'must be empty or the SecretStore’s own namespace');
  }
  if (type === undefined || name === undefined || key === undefined) return undefined;
  return { type, name, key, ...(namespace === undefined ? {} : { namespace }) };
}

function readAppRole(ctx: FieldContext, a: Obj, path: string): VaultAppRole | undefined {
  const r = readObj(ctx, a, 'appRole', path);
  if (r === undefined) return undefined;
  const p = `${path}.appRole`;
  const roleId = readString(ctx, r, 'roleId', p);
  const roleRef = readSecretKeySelector(ctx, r, 'roleRef', p);
  const secretRef = readSecretKeySelector(ctx, r, 'secretRef', p, { required: true });
  if ((roleId === undefined) === (roleRef === undefined)) {
    issue(ctx, p, 'must set exactly one of roleId and roleRef');
  }
  if (secretRef === undefined) return undefined;
  return {
    path: readString(ctx, r, 'path', p) ?? 'approle',
    secretRef,
    ...(roleId === undefined ? {} : { roleId }),
    ...(roleRef === undefined ? {} : { roleRef }),
  };
}

function readKubernetes(ctx: FieldContext, a: Obj, path: string): VaultKubernetesAuth | undefined {
  const k = readObj(ctx, a, 'kubernetes', path);
  if (k === undefined) return undefined;
  const p = `${path}.kubernetes`;
  const role = readString(ctx, k, 'role', p, true);
  const serviceAccountRef = readServiceAccountSelector(ctx, k, 'serviceAccountRef', p);
  const secretRef = readSecretKeySelector(ctx, k, 'secretRef', p, { keyRequired: false });
  if ((serviceAccountRef === undefined) === (secretRef === undefined)) {
    issue(
      ctx,
      p,
      'must set exactly one of serviceAccountRef and secretRef (the controller’s own token is never used)',
    );
  }
  if (role === undefined) return undefined;
  return {
    mountPath: readString(ctx, k, 'mountPath', p) ?? 'kubernetes',
    role,
    ...(serviceAccountRef === undefined ? {} : { serviceAccountRef }),
    ...(secretRef === undefined ? {} : { secretRef }),
  };
}

function readVaultAuth(ctx: FieldContext, v: Obj, path: string): VaultAuth | undefined {
  const a = readObj(ctx, v, 'auth', path);
  const p = `${path}.auth`;
  if (a === undefined) {
    issue(ctx, p, 'is required (tokenSecretRef, appRole or kubernetes)');
    return undefined;
  }
  for (const m of VAULT_UNSUPPORTED_AUTH) {
    if (a[m] !== undefined && a[m] !== null) {
      issue(ctx, `${p}.${m}`, 'this Vault auth method is not supported by Sealbridge');
    }
  }
  const namespace = readString(ctx, a, 'namespace', p);
  const tokenSecretRef = readSecretKeySelector(ctx, a, 'tokenSecretRef', p);
  const appRole = readAppRole(ctx, a, p);
  const kubernetes = readKubernetes(ctx, a, p);
  const methods = ['tokenSecretRef', 'appRole', 'kubernetes'].filter(
    (m) => a[m] !== undefined && a[m] !== null,
  );
  if (methods.length !== 1) {
    issue(ctx, p, 'must set exactly one of tokenSecretRef, appRole and kubernetes');
  }
  return {
    ...(namespace === undefined ? {} : { namespace }),
    ...(tokenSecretRef === undefined ? {} : { tokenSecretRef }),
    ...(appRole === undefined ? {} : { appRole }),
    ...(kubernetes === undefined ? {} : { kubernetes }),
  };
}

export function readVault(ctx: FieldContext, provider: Obj): VaultProvider | undefined {
  const v = readObj(ctx, provider, 'vault', 'spec.provider');
  if (v === undefined) return undefined;
  const p = 'spec.provider.vault';
  const server = readString(ctx, v, 'server', p, true);
  if (server !== undefined && !/^https?:\/\/[^\s/]+/.test(server)) {
    issue(ctx, `${p}.server`, 'must be an http:// or https:// URL');
  }
  const path = readString(ctx, v, 'path', p);
  const version = readEnum(ctx, v, 'version', p, ['v1', 'v2'] as const) ?? 'v2';
  const namespace = readString(ctx, v, 'namespace', p);
  const caBundle = readCaBundle(ctx, v, p);
  const caProvider = readCaProvider(ctx, v, p);
  const headers = readStringMap(ctx, v, 'headers', p);
  const readYourWrites = readBool(ctx, v, 'readYourWrites', p);
  const forwardInconsistent = readBool(ctx, v, 'forwardInconsistent', p);
  for (const f of ['tls', 'clientTlsRef']) {
    if (v[f] !== undefined && v[f] !== null) {
      issue(ctx, `${p}.${f}`, 'client TLS certificates are not supported by Sealbridge');
    }
  }
  const auth = readVaultAuth(ctx, v, p);
  if (server === undefined || auth === undefined) return undefined;
  return {
    server,
    version,
    auth,
    ...(path === undefined ? {} : { path: path.replace(/^\/+|\/+$/g, '') }),
    ...(namespace === undefined ? {} : { namespace }),
    ...(caBundle === undefined ? {} : { caBundle }),
    ...(caProvider === undefined ? {} : { caProvider }),
    ...(headers === undefined ? {} : { headers }),
    ...(readYourWrites === undefined ? {} : { readYourWrites }),
    ...(forwardInconsistent === undefined ? {} : { forwardInconsistent }),
  };
}

function readAwsAuth(ctx: FieldContext, a: Obj, path: string): AWSAuth | undefined {
  const p = `${path}.auth`;
  const s = readObj(ctx, a, 'secretRef', p);
  const j = readObj(ctx, a, 'jwt', p);
  if (s !== undefined && j !== undefined)
    issue(ctx, p, 'must set at most one of secretRef and jwt');
  let secretRef: AWSAuth['secretRef'];
  if (s !== undefined) {
    const sp = `${p}.secretRef`;
    const accessKeyIDSecretRef = readSecretKeySelector(ctx, s, 'accessKeyIDSecretRef', sp, {
      required: true,
    });
    const secretAccessKeySecretRef = readSecretKeySelector(ctx, s, 'secretAccessKeySecretRef', sp, {
      required: true,
    });
    const sessionTokenSecretRef = readSecretKeySelector(ctx, s, 'sessionTokenSecretRef', sp);
    if (accessKeyIDSecretRef !== undefined && secretAccessKeySecretRef !== undefined) {
      secretRef = {
        accessKeyIDSecretRef,
        secretAccessKeySecretRef,
        ...(sessionTokenSecretRef === undefined ? {} : { sessionTokenSecretRef }),
      };
    }
  }
  let jwt: AWSAuth['jwt'];
  if (j !== undefined) {
    const serviceAccountRef = readServiceAccountSelector(ctx, j, 'serviceAccountRef', `${p}.jwt`);
    if (serviceAccountRef === undefined) issue(ctx, `${p}.jwt.serviceAccountRef`, 'is required');
    else jwt = { serviceAccountRef };
  }
  return {
    ...(secretRef === undefined ? {} : { secretRef }),
    ...(jwt === undefined ? {} : { jwt }),
  };
}

function readSessionTags(ctx: FieldContext, v: Obj, path: string): AWSSessionTag[] | undefined {
  const raw = v['sessionTags'];
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    issue(ctx, `${path}.sessionTags`, 'must be a list');
    return undefined;
  }
  return raw.flatMap((t: unknown, i) => {
    const tp = `${path}.sessionTags[${i}]`;
    if (!isObj(t)) return (issue(ctx, tp, 'must be an object'), []);
    const key = readString(ctx, t, 'key', tp, true);
    const value = readString(ctx, t, 'value', tp) ?? '';
    return key === undefined ? [] : [{ key, value }];
  });
}

export function readAws(ctx: FieldContext, provider: Obj): AWSProvider | undefined {
  const v = readObj(ctx, provider, 'aws', 'spec.provider');
  if (v === undefined) return undefined;
  const p = 'spec.provider.aws';
  const service = readString(ctx, v, 'service', p, true);
  if (service !== undefined && service !== 'SecretsManager') {
    issue(ctx, `${p}.service`, 'only SecretsManager is supported by Sealbridge');
  }
  const region = readString(ctx, v, 'region', p, true);
  if (region !== undefined && !/^[a-z0-9-]+$/.test(region)) {
    issue(ctx, `${p}.region`, 'must be an AWS region name such as eu-west-1');
  }
  const role = readString(ctx, v, 'role', p);
  const additionalRoles = readStringList(ctx, v, 'additionalRoles', p);
  const externalID = readString(ctx, v, 'externalID', p);
  const sessionTags = readSessionTags(ctx, v, p);
  const transitiveTagKeys = readStringList(ctx, v, 'transitiveTagKeys', p);
  const prefix = readString(ctx, v, 'prefix', p);
  const authObj = readObj(ctx, v, 'auth', p);
  const auth = authObj === undefined ? undefined : readAwsAuth(ctx, authObj, p);
  if (service !== 'SecretsManager' || region === undefined) return undefined;
  return {
    service,
    region,
    ...(role === undefined ? {} : { role }),
    ...(additionalRoles === undefined ? {} : { additionalRoles }),
    ...(externalID === undefined ? {} : { externalID }),
    ...(sessionTags === undefined ? {} : { sessionTags }),
    ...(transitiveTagKeys === undefined ? {} : { transitiveTagKeys }),
    ...(prefix === undefined ? {} : { prefix }),
    ...(auth === undefined ? {} : { auth }),
  };
}

export function readGcp(ctx: FieldContext, provider: Obj): GCPSMProvider | undefined {
  const v = readObj(ctx, provider, 'gcpsm', 'spec.provider');
  if (v === undefined) return undefined;
  const p = 'spec.provider.gcpsm';
  const projectID = readString(ctx, v, 'projectID', p);
  const location = readString(ctx, v, 'location', p);
  if (location !== undefined && !/^[a-z0-9-]+$/.test(location)) {
    issue(ctx, `${p}.location`, 'must be a GCP location such as europe-west1');
  }
  const policy =
    readEnum(ctx, v, 'secretVersionSelectionPolicy', p, [
      'LatestOrFail',
      'LatestOrFetch',
    ] as const) ?? 'LatestOrFail';
  const a = readObj(ctx, v, 'auth', p);
  let auth: GCPSMProvider['auth'];
  if (a !== undefined) {
    for (const m of ['workloadIdentity', 'workloadIdentityFederation']) {
      if (a[m] !== undefined && a[m] !== null) {
        issue(
          ctx,
          `${p}.auth.${m}`,
          'is not supported by Sealbridge; omit auth to use the pod’s ambient credentials',
        );
      }
    }
    const s = readObj(ctx, a, 'secretRef', `${p}.auth`);
    if (s !== undefined) {
      const ref = readSecretKeySelector(ctx, s, 'secretAccessKeySecretRef', `${p}.auth.secretRef`, {
        required: true,
      });
      if (ref !== undefined) auth = { secretRef: { secretAccessKeySecretRef: ref } };
    }
  }
  return {
    secretVersionSelectionPolicy: policy,
    ...(projectID === undefined ? {} : { projectID }),
    ...(location === undefined ? {} : { location }),
    ...(auth === undefined ? {} : { auth }),
  };
}
