// Builds the Secret Manager gRPC client for a store: the regional endpoint for `location`,
// credentials from a service-account key in a Secret (a JWT client that signs self-issued
// access tokens locally) or ambient Application Default Credentials, and — for private CAs and
// emulators only — an endpoint override with its own channel credentials.
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import * as grpc from '@grpc/grpc-js';
import { GoogleAuth, JWT, PassThroughClient } from 'google-auth-library';
import type { GCPSMProvider } from '../../api/secret-store.ts';
import type { BackendInit } from '../backend.ts';
import { ProviderError } from '../errors.ts';

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];
const FIELD = 'spec.provider.gcpsm.auth.secretRef.secretAccessKeySecretRef';

export interface GcpClient {
  readonly client: SecretManagerServiceClient;
  readonly projectId: string;
}

interface ServiceAccountKey {
  readonly type: string;
  readonly project_id?: string;
  readonly private_key_id?: string;
  readonly private_key: string;
  readonly client_email: string;
}

/** Header source for grpc call credentials; google-auth-library returns a fetch Headers. */
interface HeaderSource {
  getRequestHeaders(url?: string): Promise<Headers | Record<string, string>>;
}

function parseKey(text: string, label: string): ServiceAccountKey {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProviderError(
      'PROVIDER_INVALID_CONFIG',
      `${label}: ${FIELD} is not a JSON service-account key`,
    );
  }
  const k = json as Partial<ServiceAccountKey> | null;
  if (
    k?.type !== 'service_account' ||
    typeof k.private_key !== 'string' ||
    typeof k.client_email !== 'string'
  ) {
    throw new ProviderError(
      'PROVIDER_INVALID_CONFIG',
      `${label}: ${FIELD} must be a service_account key with client_email and private_key`,
    );
  }
  return k as ServiceAccountKey;
}

function callCredentials(source: HeaderSource): grpc.CallCredentials {
  return grpc.credentials.createFromGoogleCredential({
    getRequestHeaders: async (url?: string) => {
      const headers = await source.getRequestHeaders(url);
      if (!(headers instanceof Headers)) return headers;
      const plain: Record<string, string> = {};
      headers.forEach((value, key) => {
        plain[key] = value;
      });
      return plain;
    },
  });
}

function splitHostPort(endpoint: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(endpoint);
  return m === null
    ? { host: endpoint, port: 443 }
    : { host: m[1] ?? endpoint, port: Number(m[2]) };
}

export async function createGcpClient(init: BackendInit<GCPSMProvider>): Promise<GcpClient> {
  const { spec, creds, label, lifetime, ctx } = init;
  const insecure =
    ctx.endpoints.gcpSecretManager !== undefined && ctx.endpoints.gcpInsecure === true;
  let authClient: JWT | PassThroughClient | undefined;
  let ambient: GoogleAuth | undefined;
  let keyProject: string | undefined;
  const ref = spec.auth?.secretRef?.secretAccessKeySecretRef;
  if (ref !== undefined) {
    const key = parseKey(await creds.secretString(ref, FIELD, lifetime), label);
    keyProject = key.project_id;
    const jwt = new JWT({
      email: key.client_email,
      key: key.private_key,
      scopes: SCOPES,
      ...(key.private_key_id === undefined ? {} : { keyId: key.private_key_id }),
    });
    // Sign access tokens locally (as the official client configures its own JWTs) instead of
    // exchanging them at the OAuth endpoint.
    jwt.useJWTAccessWithScope = true;
    authClient = jwt;
  } else if (insecure) {
    // Emulators take no credentials; never go looking for ambient ones (or the metadata server).
    authClient = new PassThroughClient();
  } else {
    ambient =
      (ctx.overrides?.gcpAmbientAuth as GoogleAuth | undefined) ??
      new GoogleAuth({ scopes: SCOPES });
    ambient.useJWTAccessWithScope = true;
  }
  const projectId = spec.projectID ?? keyProject ?? (await ambientProject(ambient));
  if (projectId === undefined || projectId === '') {
    throw new ProviderError(
      'PROVIDER_INVALID_CONFIG',
      `${label}: set spec.provider.gcpsm.projectID`,
    );
  }
  const override = ctx.endpoints.gcpSecretManager;
  const target =
    override !== undefined
      ? splitHostPort(override)
      : {
          host:
            spec.location === undefined
              ? 'secretmanager.googleapis.com'
              : `secretmanager.${spec.location}.rep.googleapis.com`,
          port: 443,
        };
  let sslCreds: grpc.ChannelCredentials | undefined;
  if (insecure) {
    sslCreds = grpc.credentials.createInsecure();
  } else if (override !== undefined && ctx.endpoints.gcpCaPem !== undefined) {
    const source: HeaderSource =
      authClient ?? (await (ambient ?? new GoogleAuth({ scopes: SCOPES })).getClient());
    sslCreds = grpc.credentials.combineChannelCredentials(
      grpc.credentials.createSsl(Buffer.from(ctx.endpoints.gcpCaPem)),
      callCredentials(source),
    );
  }
  const client = new SecretManagerServiceClient({
    apiEndpoint: target.host,
    port: target.port,
    ...(authClient === undefined ? {} : { authClient }),
    ...(authClient === undefined && ambient !== undefined ? { auth: ambient } : {}),
    ...(sslCreds === undefined ? {} : { sslCreds }),
  });
  return { client, projectId };
}

async function ambientProject(auth: GoogleAuth | undefined): Promise<string | undefined> {
  if (auth === undefined) return undefined;
  try {
    return await auth.getProjectId();
  } catch {
    return undefined;
  }
}
