// Token sources for the Vault auth methods Sealbridge supports: a static token from a Secret,
// Kubernetes (a TokenRequest token, or a JWT kept in a Secret) and AppRole. Credentials are read
// when a login happens, never cached beyond it.
import type { VaultAuth } from '../../api/secret-store.ts';
import type { CallRunner } from '../call-runner.ts';
import type { CredentialResolver } from '../credentials.ts';
import { ProviderError } from '../errors.ts';
import { vaultError, type AuthInfo, type VaultApi } from './api.ts';
import type { TokenSource } from './token.ts';

const FIELD = 'spec.provider.vault.auth';

export function tokenSource(
  auth: VaultAuth,
  api: VaultApi,
  runner: CallRunner,
  creds: CredentialResolver,
): TokenSource {
  const label = runner.store;
  const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      const mapped = vaultError(err, what, label);
      // Vault answers a rejected login (wrong role, secret ID or JWT) with 400 or 403.
      if (
        mapped instanceof ProviderError &&
        mapped.code === 'PROVIDER_INVALID_CONFIG' &&
        what.includes('login')
      ) {
        throw new ProviderError(
          'PROVIDER_AUTH',
          mapped.message.replace('(bad request)', '(login rejected)'),
        );
      }
      throw mapped;
    }
  };
  const renew = (token: string, inc: number, signal: AbortSignal): Promise<AuthInfo> =>
    runner.call('renew-self', signal, (s) =>
      wrap('token renewal', () => api.renewSelf(token, inc, s)),
    );
  const revoke = async (token: string, signal: AbortSignal): Promise<void> => {
    await runner.call(
      'revoke-self',
      signal,
      (s) => wrap('token revocation', () => api.revokeSelf(token, s)),
      {
        maxAttempts: 2,
      },
    );
  };

  if (auth.tokenSecretRef !== undefined) {
    const ref = auth.tokenSecretRef;
    return {
      static: true,
      login: async (signal) => ({
        token: await creds.secretString(ref, `${FIELD}.tokenSecretRef`, signal),
        ttlSeconds: 0,
        renewable: false,
      }),
      renew,
      revoke,
    };
  }
  if (auth.kubernetes !== undefined) {
    const k = auth.kubernetes;
    return {
      static: false,
      login: async (signal) => {
        const jwt =
          k.serviceAccountRef !== undefined
            ? (
                await creds.serviceAccountToken(
                  k.serviceAccountRef,
                  [],
                  `${FIELD}.kubernetes.serviceAccountRef`,
                  signal,
                )
              ).token
            : k.secretRef !== undefined
              ? await creds.secretString(
                  k.secretRef,
                  `${FIELD}.kubernetes.secretRef`,
                  signal,
                  'token',
                )
              : '';
        if (jwt === '') {
          throw new ProviderError(
            'PROVIDER_INVALID_CONFIG',
            `${label}: ${FIELD}.kubernetes needs serviceAccountRef or secretRef`,
          );
        }
        return runner.call('login', signal, (s) =>
          wrap(`kubernetes login at auth/${k.mountPath}`, () =>
            api.login(k.mountPath, { role: k.role, jwt }, s),
          ),
        );
      },
      renew,
      revoke,
    };
  }
  if (auth.appRole !== undefined) {
    const a = auth.appRole;
    return {
      static: false,
      login: async (signal) => {
        const roleId =
          a.roleId ??
          (a.roleRef === undefined
            ? ''
            : await creds.secretString(a.roleRef, `${FIELD}.appRole.roleRef`, signal));
        const secretId = await creds.secretString(
          a.secretRef,
          `${FIELD}.appRole.secretRef`,
          signal,
        );
        return runner.call('login', signal, (s) =>
          wrap(`approle login at auth/${a.path}`, () =>
            api.login(a.path, { role_id: roleId, secret_id: secretId }, s),
          ),
        );
      },
      renew,
      revoke,
    };
  }
  throw new ProviderError(
    'PROVIDER_INVALID_CONFIG',
    `${label}: ${FIELD} configures no supported method`,
  );
}
