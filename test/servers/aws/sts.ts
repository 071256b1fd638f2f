// STS on the AWS test server (query protocol, XML): AssumeRoleWithWebIdentity checks the web
// identity token with the test's callback; AssumeRole checks the signed caller. Both issue
// temporary keys (ASIA…) that the server then accepts, with their session token, until they
// expire on the server clock.
import { randomBytes } from 'node:crypto';
import { AwsServiceError, xml, type AwsTestServer } from './server.ts';

export interface StsPolicy {
  /** May this web identity token assume this role? */
  acceptWebIdentity: (token: string, roleArn: string) => boolean;
  /** May this principal assume this role (with this external ID)? */
  allowAssumeRole: (principal: string, roleArn: string, externalId: string | undefined) => boolean;
  durationSeconds: number;
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly tags: Record<string, string>;
}

function credentialsXml(akid: string, secret: string, token: string, expiresAt: number): string {
  return `<Credentials><AccessKeyId>${akid}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${token}</SessionToken><Expiration>${new Date(expiresAt).toISOString()}</Expiration></Credentials>`;
}

export function installSts(server: AwsTestServer, policy: StsPolicy): IssuedCredentials[] {
  const issued: IssuedCredentials[] = [];
  const issue = (roleArn: string, sessionName: string, tags: Record<string, string>): string => {
    const akid = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const secret = randomBytes(20).toString('base64');
    const token = randomBytes(32).toString('base64');
    const expiresAt = server.now() + policy.durationSeconds * 1000;
    const principal = `${roleArn.replace(':role/', ':assumed-role/')}/${sessionName}`;
    server.addAccessKey(akid, secret, { sessionToken: token, principal, expiresAt });
    issued.push({ accessKeyId: akid, roleArn, sessionName, tags });
    return `${credentialsXml(akid, secret, token, expiresAt)}<AssumedRoleUser><Arn>${xml(principal)}</Arn><AssumedRoleId>AROA:${xml(sessionName)}</AssumedRoleId></AssumedRoleUser>`;
  };
  const envelope = (action: string, inner: string): string =>
    `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>test</RequestId></ResponseMetadata></${action}Response>`;

  server.registerQueryAction('AssumeRoleWithWebIdentity', (params) => {
    const roleArn = params.get('RoleArn') ?? '';
    const token = params.get('WebIdentityToken') ?? '';
    if (!policy.acceptWebIdentity(token, roleArn)) {
      throw new AwsServiceError(
        'InvalidIdentityToken',
        'Couldn\u2019t retrieve verification key from your identity provider',
      );
    }
    const inner = issue(roleArn, params.get('RoleSessionName') ?? '', {});
    return envelope(
      'AssumeRoleWithWebIdentity',
      `${inner}<Audience>sts.amazonaws.com</Audience><Provider>oidc.test</Provider>`,
    );
  });

  server.registerQueryAction('AssumeRole', (params, ctx) => {
    if (ctx.caller === undefined)
      throw new AwsServiceError(
        'MissingAuthenticationToken',
        'Request is missing Authentication Token',
        403,
      );
    const roleArn = params.get('RoleArn') ?? '';
    const externalId = params.get('ExternalId') ?? undefined;
    if (!policy.allowAssumeRole(ctx.caller.principal, roleArn, externalId)) {
      throw new AwsServiceError(
        'AccessDenied',
        `${ctx.caller.principal} is not authorized to perform: sts:AssumeRole`,
        403,
      );
    }
    const tags: Record<string, string> = {};
    for (let i = 1; params.has(`Tags.member.${i}.Key`); i++) {
      tags[params.get(`Tags.member.${i}.Key`) ?? ''] = params.get(`Tags.member.${i}.Value`) ?? '';
    }
    return envelope('AssumeRole', issue(roleArn, params.get('RoleSessionName') ?? '', tags));
  });
  return issued;
}
