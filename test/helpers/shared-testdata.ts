// Locates ../shared/testdata (the compatibility corpora beside the checkout). When it is absent,
// tests that need it are skipped with a visible warning; they never pass silently.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SHARED_TESTDATA = resolve(repoRoot, '..', 'shared', 'testdata');
export const hasSharedTestdata = existsSync(SHARED_TESTDATA);

if (!hasSharedTestdata) {
  console.warn(
    `[sealbridge tests] ${SHARED_TESTDATA} is missing: compatibility tests against real kubeseal and sops files are SKIPPED.`,
  );
}

export function sharedPath(...parts: string[]): string {
  return resolve(SHARED_TESTDATA, ...parts);
}

export const REPO_ROOT = repoRoot;
