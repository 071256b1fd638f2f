import { describe, expect, it } from 'vitest';
import { storeAllowsNamespace } from '../../src/api/secret-store-conditions.ts';
import {
  StoreValidationError,
  parseSecretStore,
  validateSecretStore,
} from '../../src/api/secret-store-validate.ts';

function obj(
  provider: unknown,
  opts: { kind?: string; namespace?: string; extra?: Record<string, unknown> } = {},
) {
  const kind = opts.kind ?? 'SecretStore';
  return {
    apiVersion: 'sealbridge.io/v1alpha1',
    kind,
    metadata: {
      name: 's',
      ...(kind === 'SecretStore' ? { namespace: opts.namespace ?? 'team-a' } : {}),
    },
    spec: { provider, ...opts.extra },
  };
}

const token = { tokenSecretRef: { name: 't', key: 'token' } };

describe('SecretStore validation and defaults', () => {
  it('applies ESO defaults for Vault, AWS and GCP', () => {
    const v = parseSecretStore(
      obj({
        vault: {
          server: 'https://v:8200',
          path: '/secret/',
          auth: { kubernetes: { role: 'r', serviceAccountRef: { name: 'sa' } } },
        },
      }),
    );
    expect(v.spec.provider.vault).toMatchObject({
      version: 'v2',
      path: 'secret',
      auth: { kubernetes: { mountPath: 'kubernetes', role: 'r' } },
    });
    const a = parseSecretStore(
      obj({
        vault: {
          server: 'http://v',
          auth: { appRole: { roleId: 'id', secretRef: { name: 's', key: 'k' } } },
        },
      }),
    );
    expect(a.spec.provider.vault?.auth.appRole?.path).toBe('approle');
    const g = parseSecretStore(obj({ gcpsm: { projectID: 'p' } }));
    expect(g.spec.provider.gcpsm?.secretVersionSelectionPolicy).toBe('LatestOrFail');
    const w = parseSecretStore(
      obj(
        { aws: { service: 'SecretsManager', region: 'eu-west-1' } },
        {
          extra: { refreshInterval: '5m', retrySettings: { maxRetries: 2, retryInterval: '10s' } },
        },
      ),
    );
    expect(w.spec.refreshInterval).toBe(300);
    expect(w.spec.retrySettings).toEqual({ maxRetries: 2, retryInterval: '10s' });
  });

  it('reports every problem with its field path', () => {
    const issues = validateSecretStore(
      obj({
        vault: {
          server: 'vault:8200',
          version: 'v3',
          caBundle: 'bm90IGEgY2VydA==',
          auth: { ldap: {}, kubernetes: {} },
        },
      }),
    );
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'spec.provider.vault.server',
        'spec.provider.vault.version',
        'spec.provider.vault.caBundle',
        'spec.provider.vault.auth.ldap',
        'spec.provider.vault.auth.kubernetes.role',
        'spec.provider.vault.auth.kubernetes',
      ]),
    );
    expect(() => parseSecretStore(obj({ vault: { server: 'x' } }))).toThrow(StoreValidationError);
  });

  it('refuses unsupported and multiple providers and unsupported auth methods', () => {
    expect(validateSecretStore(obj({ azurekv: {} }))[0]).toMatchObject({
      path: 'spec.provider.azurekv',
      message: expect.stringContaining('not supported'),
    });
    expect(validateSecretStore(obj({}))[0]?.message).toContain('exactly one provider');
    expect(
      validateSecretStore(obj({ aws: { service: 'SecretsManager', region: 'x' }, gcpsm: {} })).map(
        (i) => i.message,
      ),
    ).toContain('must configure exactly one provider');
    expect(
      validateSecretStore(obj({ aws: { service: 'ParameterStore', region: 'eu-west-1' } }))[0]
        ?.path,
    ).toBe('spec.provider.aws.service');
    expect(
      validateSecretStore(
        obj({ gcpsm: { auth: { workloadIdentity: { serviceAccountRef: { name: 'x' } } } } }),
      )[0]?.path,
    ).toBe('spec.provider.gcpsm.auth.workloadIdentity');
  });

  it('forbids a SecretStore from naming credentials in another namespace; a ClusterSecretStore may', () => {
    const cross = {
      vault: {
        server: 'https://v',
        auth: { tokenSecretRef: { name: 't', key: 'token', namespace: 'kube-system' } },
      },
    };
    const err = (() => {
      try {
        parseSecretStore(obj(cross));
      } catch (e) {
        return e as StoreValidationError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('PROVIDER_INVALID_CONFIG');
    expect(err?.issues[0]?.path).toBe('spec.provider.vault.auth.tokenSecretRef.namespace');
    expect(validateSecretStore(obj(cross, { namespace: 'kube-system' }))).toEqual([]);
    expect(validateSecretStore(obj(cross, { kind: 'ClusterSecretStore' }))).toEqual([]);
    const irsa = {
      aws: {
        service: 'SecretsManager',
        region: 'eu-west-1',
        auth: { jwt: { serviceAccountRef: { name: 'sa', namespace: 'other' } } },
      },
    };
    expect(validateSecretStore(obj(irsa))[0]?.path).toBe(
      'spec.provider.aws.auth.jwt.serviceAccountRef.namespace',
    );
  });

  it('checks object shape, kind and metadata', () => {
    expect(validateSecretStore(null)[0]?.message).toBe('must be an object');
    expect(validateSecretStore({ kind: 'Secret' })[0]?.path).toBe('kind');
    const noNs = obj({ vault: { server: 'https://v', auth: token } });
    delete (noNs.metadata as { namespace?: string }).namespace;
    expect(validateSecretStore(noNs).map((i) => i.path)).toContain('metadata.namespace');
    expect(
      validateSecretStore(
        obj(
          { vault: { server: 'https://v', auth: token } },
          { extra: { conditions: [{ namespaces: ['x'] }] } },
        ),
      )[0]?.path,
    ).toBe('spec.conditions');
  });
});

describe('ClusterSecretStore conditions', () => {
  const css = (conditions: unknown[]) =>
    parseSecretStore(
      obj(
        {
          vault: {
            server: 'https://v',
            auth: { tokenSecretRef: { name: 't', key: 'k', namespace: 'vault' } },
          },
        },
        { kind: 'ClusterSecretStore', extra: { conditions } },
      ),
    );

  it('allows any namespace without conditions, else any matching name, regex or selector', () => {
    expect(storeAllowsNamespace(css([]), 'anything', {})).toBe(true);
    const s = css([
      { namespaces: ['a'] },
      { namespaceRegexes: ['^team-'] },
      {
        namespaceSelector: {
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold'] }],
        },
      },
    ]);
    expect(storeAllowsNamespace(s, 'a', {})).toBe(true);
    expect(storeAllowsNamespace(s, 'team-x', {})).toBe(true);
    expect(storeAllowsNamespace(s, 'other', { tier: 'gold' })).toBe(true);
    expect(storeAllowsNamespace(s, 'other', { tier: 'silver' })).toBe(false);
    const ss = parseSecretStore(obj({ vault: { server: 'https://v', auth: token } }));
    expect(storeAllowsNamespace(ss, 'team-a', {})).toBe(true);
    expect(storeAllowsNamespace(ss, 'team-b', {})).toBe(false);
  });
});

describe('ClusterSecretStore namespaceRegexes (RE2, linear time)', () => {
  const store = (namespaceRegexes: unknown) =>
    obj(
      {
        vault: {
          server: 'https://v',
          auth: { tokenSecretRef: { name: 't', key: 'k', namespace: 'vault' } },
        },
      },
      { kind: 'ClusterSecretStore', extra: { conditions: [{ namespaceRegexes }] } },
    );

  it('matches with RE2 semantics, unanchored, including (?i) and (?P<name>)', () => {
    const s = parseSecretStore(store(['(?i)^TEAM-', '(?P<env>prod|dev)-\\pL+$']));
    expect(storeAllowsNamespace(s, 'team-a', {})).toBe(true);
    expect(storeAllowsNamespace(s, 'x-dev-api', {})).toBe(true);
    expect(storeAllowsNamespace(s, 'x-dev-api2', {})).toBe(false);
    expect(storeAllowsNamespace(s, 'my-team-a', {})).toBe(false);
  });

  it('answers catastrophic-backtracking patterns on long non-matching namespaces', () => {
    const s = parseSecretStore(store(['(a|a)*b', '(a+)+$']));
    const long = 'a'.repeat(20_000);
    expect(storeAllowsNamespace(s, `${long}!`, {})).toBe(false);
    expect(storeAllowsNamespace(s, `${long}b`, {})).toBe(true);
    expect(storeAllowsNamespace(s, long, {})).toBe(true);
  });

  it('compiles once at validation and keeps the API fields plain', () => {
    const s = parseSecretStore(store(['^team-']));
    const [condition] = s.spec.conditions ?? [];
    expect(condition).toEqual({ namespaceRegexes: ['^team-'] });
    expect(JSON.parse(JSON.stringify(condition))).toEqual({ namespaceRegexes: ['^team-'] });
    // A hand-built (or copied) condition without the compiled form is compiled on use.
    const copy = { ...s, spec: { ...s.spec, conditions: [{ ...condition }] } };
    expect(storeAllowsNamespace(copy, 'team-b', {})).toBe(true);
    expect(storeAllowsNamespace(copy, 'other', {})).toBe(false);
  });

  it('reports RE2-invalid patterns with their path and the reason', () => {
    const issues = validateSecretStore(store(['ok', '^team(?=-)', '(a']));
    expect(issues).toEqual([
      {
        path: 'spec.conditions[0].namespaceRegexes[1]',
        message:
          'is not a valid RE2 regular expression (invalid or unsupported Perl syntax: `(?=`)',
      },
      {
        path: 'spec.conditions[0].namespaceRegexes[2]',
        message: 'is not a valid RE2 regular expression (missing closing ): `(a`)',
      },
    ]);
    expect(() => parseSecretStore(store(['(a']))).toThrow(StoreValidationError);
  });
});

describe('SecretStore durations', () => {
  const withSpec = (extra: Record<string, unknown>) =>
    obj({ aws: { service: 'SecretsManager', region: 'eu-west-1' } }, { extra });
  const refresh = (v: unknown) =>
    parseSecretStore(withSpec({ refreshInterval: v })).spec.refreshInterval;
  const issuesFor = (extra: Record<string, unknown>) =>
    validateSecretStore(withSpec(extra)).map((i) => i.path);

  it('takes refreshInterval as whole seconds (ESO) or a Go duration, rounded to seconds', () => {
    expect(refresh(300)).toBe(300);
    expect(refresh(0)).toBe(0);
    expect(refresh('1h0m0s')).toBe(3600);
    expect(refresh('1.5h')).toBe(5400);
    expect(refresh('0')).toBe(0);
    expect(refresh('1500ms')).toBe(2);
    expect(refresh('1499ms')).toBe(1);
    expect(refresh('2562047h47m16.854775807s')).toBe(9_223_372_037);
  });

  it('refuses malformed, negative and fractional refresh intervals', () => {
    for (const bad of ['5 minutes', '', '300', '-5m', '1d', 1.5, -1, true]) {
      expect(issuesFor({ refreshInterval: bad }), JSON.stringify(bad)).toEqual([
        'spec.refreshInterval',
      ]);
    }
  });

  it('checks retryInterval as a non-negative Go duration', () => {
    expect(issuesFor({ retrySettings: { retryInterval: '1m30s' } })).toEqual([]);
    for (const bad of ['10', 'soon', '-1s', '9999999999h']) {
      expect(issuesFor({ retrySettings: { retryInterval: bad } }), bad).toEqual([
        'spec.retrySettings.retryInterval',
      ]);
    }
  });
});
