// Vault transit key service over Vault's HTTP API against the Vault test server: tokens from the
// key source and ~/.vault-token, the allowlist that keeps a token from going to an address a file
// names, key rotation (older versions still decrypt), retries, faults and call counts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SealbridgeError } from '../../../src/errors.ts';
import { decryptDocument } from '../../../src/sops/decrypt.ts';
import { encryptDocument } from '../../../src/sops/encrypt.ts';
import { KeyServiceRegistry } from '../../../src/sops/keys/registry.ts';
import {
  keySourceFromMaterial,
  keySourceFromSecretData,
  type KeySource,
} from '../../../src/sops/keys/source.ts';
import {
  VaultTransitKeyService,
  type VaultTransitOptions,
} from '../../../src/sops/keys/vault-transit.ts';
import type { MasterKey } from '../../../src/sops/metadata.ts';
import { keysFromFlatFields } from '../../../src/sops/sops-config.ts';
import { VaultTestServer } from '../../servers/vault/server.ts';

const CANARY = 'canary-vault-0d1e-secret';
const PLAIN = `{"token":"${CANARY}"}`;

let vault: VaultTestServer;
let token: string;

beforeEach(async () => {
  vault = await VaultTestServer.start();
  token = vault.state.createToken({ id: 'tok-sops' });
});
afterEach(async () => {
  await vault.close();
});

function entry(name = 'sops-key'): MasterKey {
  return keysFromFlatFields(
    { hc_vault_transit_uri: `${vault.url}/v1/transit/keys/${name}` },
    't',
  )[0]!;
}

function setup(opts: VaultTransitOptions = {}): KeyServiceRegistry {
  return new KeyServiceRegistry().register(new VaultTransitKeyService(opts));
}

const tokenSource = (t = token): KeySource =>
  keySourceFromMaterial({ secrets: { 'vault-token': t } });

async function encrypt(registry: KeyServiceRegistry, keys: KeySource): Promise<string> {
  const res = await encryptDocument(PLAIN, {
    format: 'json',
    keyGroups: [[entry()]],
    keys,
    registry,
  });
  return res.output.toString();
}

describe('Vault transit key service', () => {
  it('encrypts and decrypts through /v1/transit/{encrypt,decrypt}/<key> with the token', async () => {
    const registry = setup();
    const text = await encrypt(registry, tokenSource());
    expect(text).toContain(`"vault_address": "${vault.url}"`);
    expect(text).toContain('"engine_path": "transit"');
    expect(text).toContain('"key_name": "sops-key"');
    expect(text).toMatch(/"enc": "vault:v1:[A-Za-z0-9+/=]+"/);
    const doc = await decryptDocument(text, { format: 'json', keys: tokenSource(), registry });
    expect(JSON.stringify(doc.branches)).toContain(CANARY);
    expect(vault.calls.count('transit:encrypt')).toBe(1);
    expect(vault.calls.count('transit:decrypt')).toBe(1);
  });

  it("takes the token from Flux's sops.vault-token, else from ~/.vault-token", async () => {
    const registry = setup({ tokenFile: () => `${token}\n` });
    const text = await encrypt(registry, keySourceFromMaterial({}));
    const flux = keySourceFromSecretData({ 'sops.vault-token': Buffer.from(`${token}\n`) });
    await decryptDocument(text, { format: 'json', keys: flux, registry: setup() });
    const none = (await decryptDocument(text, {
      format: 'json',
      keys: keySourceFromMaterial({}),
      registry: setup(),
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(none.message).toContain('no Vault token available');
  });

  it('a wrong token is refused (403), not retried, and never echoed', async () => {
    const registry = setup();
    const text = await encrypt(registry, tokenSource());
    const before = vault.calls.count('transit:decrypt');
    const err = (await decryptDocument(text, {
      format: 'json',
      keys: tokenSource('s.WRONG-token-value'),
      registry,
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(err.message).toMatch(/HTTP 403.*permission denied/);
    expect(err.message).not.toContain('WRONG-token');
    expect(err.retryable).toBe(false);
    expect(vault.calls.count('transit:decrypt') - before).toBe(1);
  });

  it('retries a 500, and a persistent outage is a retryable error', async () => {
    const registry = setup();
    vault.faults.inject({ op: 'transit:encrypt', status: 500 });
    const text = await encrypt(registry, tokenSource());
    expect(vault.calls.count('transit:encrypt')).toBe(2);
    vault.faults.inject({ op: 'transit:decrypt', status: 503, times: 5 });
    const err = (await decryptDocument(text, {
      format: 'json',
      keys: tokenSource(),
      registry: setup({ attempts: 2 }),
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('HTTP 503');
  });

  it('still decrypts after the transit key is rotated; a tampered enc is refused', async () => {
    const registry = setup();
    const text = await encrypt(registry, tokenSource());
    vault.transit.rotateKey('sops-key');
    await decryptDocument(text, { format: 'json', keys: tokenSource(), registry });
    const again = await encrypt(registry, tokenSource());
    expect(again).toMatch(/"enc": "vault:v2:/);
    const enc = /"enc": "(vault:v1:[^"]+)"/.exec(text)![1]!;
    const raw = Buffer.from(enc.slice('vault:v1:'.length), 'base64');
    raw[14]! ^= 1;
    const err = (await decryptDocument(text.replace(enc, `vault:v1:${raw.toString('base64')}`), {
      format: 'json',
      keys: tokenSource(),
      registry,
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(err.message).toMatch(/HTTP 400/);
  });

  it('with an allowlist, a token is never sent to an address outside it', async () => {
    const text = await encrypt(setup(), tokenSource());
    const calls = vault.calls.total();
    const err = (await decryptDocument(text, {
      format: 'json',
      keys: tokenSource(),
      registry: setup({ allowlist: ['https://vault.example.com'] }),
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(err.message).toContain('is not in the Vault allowlist');
    expect(vault.calls.total()).toBe(calls);
    // The address as listed (default port made explicit) is allowed.
    const port = new URL(vault.url).port;
    await decryptDocument(text, {
      format: 'json',
      keys: tokenSource(),
      registry: setup({ allowlist: [`http://127.0.0.1:${port}/`] }),
    });
  });
});
