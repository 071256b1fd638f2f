// Shared test helpers: the corpus keys, fresh age identities, and a fixed clock.
import { readFileSync } from 'node:fs';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { sharedPath } from '../helpers/shared-testdata.ts';
import type { Clock } from '../../src/clock.ts';
import { keySourceFromMaterial, type KeySource } from '../../src/sops/keys/source.ts';

export const SOPS_DIR = (...p: string[]): string => sharedPath('sops', ...p);

export function corpusKeys(): KeySource {
  const flux = (f: string): string =>
    readFileSync(SOPS_DIR('fluxcd-kustomize-controller', 'keys', f), 'utf8');
  return keySourceFromMaterial({
    age: [flux('age.txt'), flux('age-global.txt'), flux('age-pq.txt')],
    pgp: [
      readFileSync(SOPS_DIR('getsops-sops', 'pgp', 'sops_functional_tests_key.asc'), 'utf8'),
      flux('pgp.asc'),
    ],
  });
}

export interface AgePair {
  readonly identity: string;
  readonly recipient: string;
}

export async function ageIdentity(): Promise<AgePair> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

export function fixedClock(iso = '2026-01-02T03:04:05Z'): Clock {
  const t = Date.parse(iso);
  return { now: () => t, sleep: () => Promise.resolve() };
}

/** The files the corpus README marks MAC, with their formats. */
export const MAC_FILES: readonly string[] = [
  'getsops-sops/example.yaml',
  'getsops-sops/example.json',
  'getsops-sops/example.ini',
  'getsops-sops/example.txt',
  'getsops-sops/examples/all_in_one/config/secret.enc.json',
  'getsops-sops/examples/per_file/config.enc/static_github.json',
  'getsops-sops/functional-tests/res/format.enc.yaml',
  'getsops-sops/functional-tests/res/format.enc.json',
  'getsops-sops/functional-tests/res/format.enc.env',
  'getsops-sops/functional-tests/res/format.enc.ini',
  'getsops-sops/functional-tests/res/format-2.enc.ini',
  'getsops-sops/functional-tests/res/comments.enc.yaml',
  'getsops-sops/functional-tests/res/comments_unencrypted_comments.yaml',
  'getsops-sops/functional-tests/res/multiple_keys.yaml',
  'fluxcd-kustomize-controller/algorithms/age.yaml',
  'fluxcd-kustomize-controller/algorithms/age-pq.yaml',
  'fluxcd-kustomize-controller/algorithms/pgp.yaml',
  'fluxcd-kustomize-controller/global/secret.yaml',
  'fluxcd-kustomize-controller/patches/merge1.yaml',
  'fluxcd-kustomize-controller/patches/merge2.yaml',
  'fluxcd-kustomize-controller/envs/env.env',
  'fluxcd-kustomize-controller/component/env.env',
  'fluxcd-kustomize-controller/remote/env.env',
  'fluxcd-kustomize-controller/files/file.txt',
];
