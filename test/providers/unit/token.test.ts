import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { ProviderError } from '../../../src/providers/errors.ts';
import type { AuthInfo } from '../../../src/providers/vault/api.ts';
import { VaultTokenManager, type TokenSource } from '../../../src/providers/vault/token.ts';
import { FakeClock } from '../support/fake-clock.ts';

const sig = (): AbortSignal => new AbortController().signal;

function source(
  opts: {
    static?: boolean;
    ttl?: number;
    renewTtl?: (n: number) => number;
    renewFails?: boolean;
  } = {},
) {
  const log: string[] = [];
  let n = 0;
  const s: TokenSource = {
    static: opts.static ?? false,
    login: (): Promise<AuthInfo> => {
      n++;
      log.push(`login:t${n}`);
      return Promise.resolve({
        token: `t${n}`,
        ttlSeconds: opts.static === true ? 0 : (opts.ttl ?? 300),
        renewable: true,
      });
    },
    renew: (token): Promise<AuthInfo> => {
      log.push(`renew:${token}`);
      if (opts.renewFails === true) return Promise.reject(new ProviderError('PROVIDER_AUTH', 'no'));
      const count = log.filter((l) => l.startsWith('renew')).length;
      return Promise.resolve({
        token,
        ttlSeconds: opts.renewTtl?.(count) ?? opts.ttl ?? 300,
        renewable: true,
      });
    },
    revoke: (token) => {
      log.push(`revoke:${token}`);
      return Promise.resolve();
    },
  };
  return { s, log };
}

describe('VaultTokenManager', () => {
  it('reuses the token until two thirds of its TTL, then renews it', async () => {
    const clock = new FakeClock('manual');
    const { s, log } = source();
    const m = new VaultTokenManager(s, clock, silentLogger, sig());
    expect(await m.token(sig())).toBe('t1');
    clock.advance(199_000);
    expect(await m.token(sig())).toBe('t1');
    expect(log).toEqual(['login:t1']);
    clock.advance(2_000);
    expect(await m.token(sig())).toBe('t1');
    expect(log).toEqual(['login:t1', 'renew:t1']);
  });

  it('logs in again (and revokes the old token) when renewal fails or stops paying', async () => {
    const clock = new FakeClock('manual');
    const failing = source({ renewFails: true });
    const m = new VaultTokenManager(failing.s, clock, silentLogger, sig());
    await m.token(sig());
    clock.advance(201_000);
    expect(await m.token(sig())).toBe('t2');
    expect(failing.log).toEqual(['login:t1', 'renew:t1', 'login:t2', 'revoke:t1']);

    const capped = source({ renewTtl: () => 100 });
    const c = new VaultTokenManager(capped.s, clock, silentLogger, sig());
    await c.token(sig());
    clock.advance(201_000);
    await c.token(sig()); // renewal grants 100 s < half of 300 s: not renewed again
    clock.advance(70_000);
    expect(await c.token(sig())).toBe('t2');
    expect(capped.log).toEqual(['login:t1', 'renew:t1', 'login:t2', 'revoke:t1']);
  });

  it('makes one login for many concurrent callers and after invalidate()', async () => {
    const clock = new FakeClock('manual');
    const { s, log } = source();
    const m = new VaultTokenManager(s, clock, silentLogger, sig());
    expect(new Set(await Promise.all(Array.from({ length: 20 }, () => m.token(sig()))))).toEqual(
      new Set(['t1']),
    );
    m.invalidate('t1');
    expect(await m.token(sig())).toBe('t2');
    expect(log.filter((l) => l.startsWith('login'))).toHaveLength(2);
  });

  it('revokes created tokens on close but never a static one', async () => {
    const clock = new FakeClock('manual');
    const created = source();
    const m = new VaultTokenManager(created.s, clock, silentLogger, sig());
    await m.token(sig());
    await m.close(sig());
    expect(created.log).toContain('revoke:t1');

    const fixed = source({ static: true });
    const st = new VaultTokenManager(fixed.s, clock, silentLogger, sig());
    await st.token(sig());
    clock.advance(10 ** 9);
    await st.token(sig());
    st.invalidate('t1');
    await st.close(sig());
    expect(fixed.log).toEqual(['login:t1']);
  });
});
