// ServiceAccount TokenRequests: a JWT-shaped token whose claims match what the real API server
// issues (issuer, sub, aud, exp, kubernetes.io). It is not signed with a real key; test servers
// that authenticate with it (Vault kubernetes auth, AWS web identity) look it up in `issued`.
import { randomBytes } from 'node:crypto';
import type { Obj } from './store.ts';

export interface IssuedToken {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly uid: string;
  readonly audiences: readonly string[];
  readonly expiresAt: number;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function issueToken(
  issued: Map<string, IssuedToken>,
  sa: Obj,
  body: unknown,
  now: number,
): object {
  const namespace = sa.metadata.namespace ?? '';
  const name = sa.metadata.name;
  const spec =
    (body as { spec?: { audiences?: string[]; expirationSeconds?: number } } | null)?.spec ?? {};
  // The API server raises expirationSeconds below 10 minutes to 10 minutes.
  const seconds = Math.max(600, spec.expirationSeconds ?? 3600);
  const expiresAt = now + seconds * 1000;
  const audiences = spec.audiences ?? [];
  const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const token = [
    b64({ alg: 'RS256', kid: 'sealbridge-test' }),
    b64({
      iss: 'https://kubernetes.default.svc.cluster.local',
      sub: `system:serviceaccount:${namespace}:${name}`,
      aud: audiences,
      exp: Math.floor(expiresAt / 1000),
      iat: Math.floor(now / 1000),
      'kubernetes.io': { namespace, serviceaccount: { name, uid: sa.metadata.uid } },
    }),
    randomBytes(32).toString('base64url'),
  ].join('.');
  issued.set(token, {
    namespace,
    serviceAccount: name,
    uid: sa.metadata.uid,
    audiences,
    expiresAt,
  });
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds: seconds, boundObjectRef: null },
    status: { token, expirationTimestamp: rfc3339(expiresAt) },
  };
}
