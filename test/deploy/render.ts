// `kubectl kustomize deploy`, parsed; shared by the deploy tests.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../helpers/shared-testdata.ts';

export interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
}

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function render(): Obj[] {
  const out = execFileSync('kubectl', ['kustomize', resolve(REPO_ROOT, 'deploy')], {
    encoding: 'utf8',
  });
  return parseAllDocuments(out).map((d) => d.toJS() as Obj);
}
