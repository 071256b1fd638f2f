// ESO's retrySettings on a store become the provider's retry policy; retryInterval is a Go
// duration parsed by src/api/duration.ts.
import { describe, expect, it } from 'vitest';
import { parseSecretStore } from '../../../src/api/secret-store-validate.ts';
import { tuningFor } from '../../../src/providers/factory.ts';
import { DEFAULT_TUNING } from '../../../src/providers/options.ts';

const store = (retrySettings?: Record<string, unknown>) =>
  parseSecretStore({
    apiVersion: 'sealbridge.io/v1alpha1',
    kind: 'SecretStore',
    metadata: { name: 's', namespace: 'a' },
    spec: {
      provider: { aws: { service: 'SecretsManager', region: 'eu-west-1' } },
      ...(retrySettings === undefined ? {} : { retrySettings }),
    },
  });

describe('tuningFor', () => {
  it('maps maxRetries and retryInterval onto the retry policy', () => {
    const t = tuningFor(store({ maxRetries: 2, retryInterval: '1m1.5s' }), DEFAULT_TUNING);
    expect(t.retry).toEqual({ ...DEFAULT_TUNING.retry, maxAttempts: 3, baseDelayMs: 61_500 });
    const sub = tuningFor(store({ retryInterval: '1500us' }), DEFAULT_TUNING);
    expect(sub.retry.baseDelayMs).toBe(1);
  });

  it('keeps the defaults when the store sets nothing', () => {
    expect(tuningFor(store(), DEFAULT_TUNING)).toBe(DEFAULT_TUNING);
    expect(tuningFor(store({ maxRetries: 4 }), DEFAULT_TUNING).retry.baseDelayMs).toBe(
      DEFAULT_TUNING.retry.baseDelayMs,
    );
  });
});
