// Test keys and certificates (see test/fixtures/sealing/README.md), read once per test file.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/shared-testdata.ts';

export const FIXTURES = resolve(REPO_ROOT, 'test', 'fixtures', 'sealing');

export function fixturePath(name: string): string {
  return resolve(FIXTURES, name);
}

export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

export interface TestKey {
  readonly keyPem: string;
  readonly certPem: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyPath: string;
  readonly certPath: string;
}

export function testKey(name: 'a' | 'b' | 'small' | 'expired'): TestKey {
  const keyPem = fixtureText(`key-${name}.pem`);
  const privateKey = createPrivateKey(keyPem);
  return {
    keyPem,
    certPem: fixtureText(`cert-${name}.pem`),
    privateKey,
    publicKey: createPublicKey(privateKey),
    keyPath: fixturePath(`key-${name}.pem`),
    certPath: fixturePath(`cert-${name}.pem`),
  };
}
