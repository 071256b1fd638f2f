// GCP Secret Manager (google.cloud.secretmanager.v1) on the gRPC test server: AccessSecretVersion
// (latest / numbered, disabled and destroyed states, data_crc32c), GetSecret, ListSecrets (label
// filters, paging) and ListSecretVersions. Callers are authenticated by verifying the RS256
// self-signed JWT that google-auth-library's service-account client sends.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { crc32c } from '../../../src/providers/gcp/crc32c.ts';
import { GrpcStatusError, GrpcTestServer, protosOf } from './grpc-server.ts';

export type VersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED';

interface Version {
  readonly data: Buffer;
  state: VersionState;
}

interface Secret {
  readonly name: string;
  readonly versions: Version[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export class SecretManagerState {
  readonly secrets = new Map<string, Secret>();
  /** client_email → public key; empty map = no authentication required. */
  readonly serviceAccounts = new Map<string, KeyObject>();
  /** Emails that presented a valid token, in order. */
  readonly authenticated: string[] = [];
  canAccess: (email: string | undefined, secret: string) => boolean = () => true;
  now: () => number = Date.now;

  /** `name` is the full resource name, e.g. projects/p/secrets/db. Returns the version number. */
  add(
    name: string,
    data: string | Uint8Array,
    opts: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
  ): number {
    let s = this.secrets.get(name);
    if (s === undefined) {
      s = { name, versions: [], labels: {}, annotations: {} };
      this.secrets.set(name, s);
    }
    if (opts.labels !== undefined) s.labels = opts.labels;
    if (opts.annotations !== undefined) s.annotations = opts.annotations;
    s.versions.push({ data: Buffer.from(data), state: 'ENABLED' });
    return s.versions.length;
  }

  setState(name: string, version: number, state: VersionState): void {
    const v = this.secrets.get(name)?.versions[version - 1];
    if (v !== undefined) v.state = state;
  }

  addServiceAccount(email: string, publicKeyPem: string): void {
    this.serviceAccounts.set(email, createPublicKey(publicKeyPem));
  }

  /** Verifies `authorization: Bearer <RS256 JWT>` against registered service-account keys. */
  authorize(metadata: grpc.Metadata): GrpcStatusError | string | undefined {
    if (this.serviceAccounts.size === 0) return undefined;
    const header = metadata.get('authorization')[0];
    const m =
      typeof header === 'string' ? /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(header) : null;
    if (m === null)
      return new GrpcStatusError(
        grpc.status.UNAUTHENTICATED,
        'Request had invalid authentication credentials.',
      );
    const payload = JSON.parse(Buffer.from(m[2] ?? '', 'base64url').toString('utf8')) as {
      iss?: string;
      exp?: number;
    };
    const key = this.serviceAccounts.get(payload.iss ?? '');
    const signed = Buffer.from(`${m[1] ?? ''}.${m[2] ?? ''}`);
    const valid =
      key !== undefined && verify('RSA-SHA256', signed, key, Buffer.from(m[3] ?? '', 'base64url'));
    if (!valid || (payload.exp ?? 0) * 1000 < Date.now()) {
      return new GrpcStatusError(
        grpc.status.UNAUTHENTICATED,
        'Request had invalid authentication credentials.',
      );
    }
    return payload.iss;
  }
}

function requireSecret(
  state: SecretManagerState,
  name: string,
  caller: string | undefined,
): Secret {
  const s = state.secrets.get(name);
  if (s === undefined)
    throw new GrpcStatusError(
      grpc.status.NOT_FOUND,
      `Secret [${name}] not found or has no versions.`,
    );
  if (!state.canAccess(caller, name)) {
    throw new GrpcStatusError(
      grpc.status.PERMISSION_DENIED,
      "Permission 'secretmanager.versions.access' denied",
    );
  }
  return s;
}

function labelFilter(filter: string): (s: Secret) => boolean {
  const terms = filter
    .split(/\s+AND\s+/)
    .filter((t) => t !== '')
    .map((t) => {
      const m = /^labels\.([\w-]+)\s*=\s*"?([^"]*)"?$/.exec(t.trim());
      if (m === null)
        throw new GrpcStatusError(grpc.status.INVALID_ARGUMENT, `unsupported filter term ${t}`);
      return [m[1] ?? '', m[2] ?? ''] as const;
    });
  return (s) => terms.every(([k, v]) => s.labels[k] === v);
}

function page<T>(items: T[], req: Record<string, unknown>): { items: T[]; nextPageToken: string } {
  const start =
    typeof req['pageToken'] === 'string' && req['pageToken'] !== '' ? Number(req['pageToken']) : 0;
  const size = typeof req['pageSize'] === 'number' && req['pageSize'] > 0 ? req['pageSize'] : 25;
  const end = start + size;
  return { items: items.slice(start, end), nextPageToken: end < items.length ? String(end) : '' };
}

export interface SecretManagerServer {
  readonly grpc: GrpcTestServer;
  readonly state: SecretManagerState;
}

export async function startSecretManager(
  opts: { tls?: { key: string; cert: string }; pageSize?: number } = {},
): Promise<SecretManagerServer> {
  const state = new SecretManagerState();
  const gax = protosOf('google-gax');
  const callerOf = (md: grpc.Metadata): string | undefined => {
    const r = state.authorize(md);
    return typeof r === 'string' ? r : undefined;
  };
  const server = await GrpcTestServer.start({
    protoFile: 'google/cloud/secretmanager/v1/service.proto',
    includeDirs: [protosOf('@google-cloud/secret-manager'), gax],
    service: 'google.cloud.secretmanager.v1.SecretManagerService',
    ...(opts.tls === undefined ? {} : { tls: opts.tls }),
    authorize: (md) => {
      const r = state.authorize(md);
      if (typeof r === 'string') state.authenticated.push(r);
      return r instanceof GrpcStatusError ? r : undefined;
    },
    handlers: {
      AccessSecretVersion: (req, md) => {
        const full = String(req['name']);
        const [secretName = '', version = ''] = full.split('/versions/');
        const s = requireSecret(state, secretName, callerOf(md));
        let n = version === 'latest' ? s.versions.length : Number(version);
        if (version === 'latest') while (n > 0 && s.versions[n - 1]?.state === 'DESTROYED') n--;
        const v = s.versions[n - 1];
        if (v === undefined)
          throw new GrpcStatusError(grpc.status.NOT_FOUND, `Secret Version [${full}] not found.`);
        if (v.state !== 'ENABLED') {
          throw new GrpcStatusError(
            grpc.status.FAILED_PRECONDITION,
            `Secret Version [${secretName}/versions/${n}] is in ${v.state} state.`,
          );
        }
        return {
          name: `${secretName}/versions/${n}`,
          payload: { data: v.data, dataCrc32c: String(crc32c(v.data)) },
        };
      },
      GetSecret: (req, md) => {
        const s = requireSecret(state, String(req['name']), callerOf(md));
        return { name: s.name, labels: s.labels, annotations: s.annotations };
      },
      ListSecrets: (req) => {
        const parent = String(req['parent']);
        const match = labelFilter(typeof req['filter'] === 'string' ? req['filter'] : '');
        const all = [...state.secrets.values()]
          .filter((s) => s.name.startsWith(`${parent}/secrets/`) && match(s))
          .sort((a, b) => a.name.localeCompare(b.name));
        const p = page(all, { ...req, pageSize: opts.pageSize ?? req['pageSize'] });
        return {
          secrets: p.items.map((s) => ({ name: s.name, labels: s.labels })),
          nextPageToken: p.nextPageToken,
          totalSize: all.length,
        };
      },
      ListSecretVersions: (req, md) => {
        const s = requireSecret(state, String(req['parent']), callerOf(md));
        const onlyEnabled =
          typeof req['filter'] === 'string' && req['filter'].includes('state:ENABLED');
        const versions = s.versions
          .map((v, i) => ({ name: `${s.name}/versions/${i + 1}`, state: v.state }))
          .filter((v) => !onlyEnabled || v.state === 'ENABLED')
          .reverse();
        const p = page(versions, req);
        return { versions: p.items, nextPageToken: p.nextPageToken, totalSize: versions.length };
      },
    },
  });
  return { grpc: server, state };
}
