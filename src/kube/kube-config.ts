// Loading cluster access the way kubectl and controller-runtime do: an explicit kubeconfig path,
// then KUBECONFIG (several files merged, the first file's current-context wins), then the pod's
// service account (in-cluster), then ~/.kube/config. Environment values arrive as a KubeEnvConfig
// from src/config.ts; nothing here reads process.env.
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isIPv6 } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { SealbridgeError } from '../errors.ts';
import type { KubeEnvConfig } from '../config.ts';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigOptions {
  /** `--kubeconfig`: wins over everything else. */
  readonly kubeconfigPath?: string | undefined;
  /** `--context`: a context name from the kubeconfig. */
  readonly context?: string | undefined;
  /** A whole kubeconfig as YAML or JSON text (tests, generated configs). */
  readonly kubeconfigText?: string | undefined;
  /** A whole kubeconfig as a parsed object (same shape as the file). */
  readonly kubeconfigObject?: object | undefined;
  /** Try the pod's service account before ~/.kube/config (the controller does; the CLI does not). */
  readonly preferInCluster?: boolean | undefined;
  /** Directory holding token, ca.crt and namespace; tests point it elsewhere. */
  readonly serviceAccountDir?: string | undefined;
}

/** Loaded cluster access: client-node's KubeConfig plus where it came from. */
export interface LoadedKubeConfig {
  readonly kubeConfig: KubeConfig;
  readonly source: 'text' | 'path' | 'KUBECONFIG' | 'in-cluster' | 'home';
  /** The current context's namespace (or the pod's namespace in-cluster); 'default' if unset. */
  readonly namespace: string;
}

function invalid(message: string, cause?: unknown): SealbridgeError {
  return new SealbridgeError('INVALID_FLAG', message, { cause, exitCode: 2 });
}

function fromFiles(files: readonly string[]): KubeConfig {
  const kc = new KubeConfig();
  let first = true;
  for (const file of files) {
    if (!existsSync(file)) throw invalid(`kubeconfig file ${file} does not exist`);
    try {
      if (first) {
        kc.loadFromFile(file);
      } else {
        const next = new KubeConfig();
        next.loadFromFile(file);
        // kubectl: the first file to set current-context wins.
        kc.mergeConfig(next, kc.currentContext !== '');
      }
    } catch (err) {
      throw invalid(`cannot load kubeconfig ${file}: ${(err as Error).message}`, err);
    }
    first = false;
  }
  return kc;
}

function inCluster(env: KubeEnvConfig, dir: string): KubeConfig | undefined {
  if (env.serviceHost === undefined || env.serviceHost === '') return undefined;
  if (!existsSync(join(dir, 'token'))) return undefined;
  const port = env.servicePort ?? '443';
  const host = isIPv6(env.serviceHost) ? `[${env.serviceHost}]` : env.serviceHost;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'in-cluster',
        server: `https://${host}:${port}`,
        caFile: join(dir, 'ca.crt'),
        skipTLSVerify: false,
      },
    ],
    // The token file is re-read every minute by client-node: bound tokens rotate.
    users: [
      {
        name: 'in-cluster',
        authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } },
      },
    ],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  });
  return kc;
}

function pick(options: KubeConfigOptions, env: KubeEnvConfig): Omit<LoadedKubeConfig, 'namespace'> {
  const text =
    options.kubeconfigText ??
    (options.kubeconfigObject === undefined ? undefined : JSON.stringify(options.kubeconfigObject));
  if (text !== undefined) {
    const kc = new KubeConfig();
    try {
      kc.loadFromString(text);
    } catch (err) {
      throw invalid(`cannot parse kubeconfig: ${(err as Error).message}`, err);
    }
    return { kubeConfig: kc, source: 'text' };
  }
  if (options.kubeconfigPath !== undefined && options.kubeconfigPath !== '') {
    return { kubeConfig: fromFiles([options.kubeconfigPath]), source: 'path' };
  }
  const envFiles = (env.kubeconfig ?? '').split(delimiter).filter((f) => f !== '');
  if (envFiles.length > 0) return { kubeConfig: fromFiles(envFiles), source: 'KUBECONFIG' };
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const pod = options.preferInCluster === true ? inCluster(env, saDir) : undefined;
  if (pod !== undefined) return { kubeConfig: pod, source: 'in-cluster' };
  const home = env.home === undefined ? undefined : join(env.home, '.kube', 'config');
  if (home !== undefined && existsSync(home)) {
    return { kubeConfig: fromFiles([home]), source: 'home' };
  }
  const fallback = inCluster(env, saDir);
  if (fallback !== undefined) return { kubeConfig: fallback, source: 'in-cluster' };
  throw invalid(
    'no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config or run in a pod',
  );
}

function readNamespaceFile(dir: string): string | undefined {
  try {
    const text = readFileSync(join(dir, 'namespace'), 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    // A missing file just means 'default'.
    return undefined;
  }
}

/** Loads cluster access; throws SealbridgeError('INVALID_FLAG') with a one-line reason. */
export function loadKubeConfig(options: KubeConfigOptions, env: KubeEnvConfig): LoadedKubeConfig {
  const picked = pick(options, env);
  const kc = picked.kubeConfig;
  if (options.context !== undefined && options.context !== '') {
    if (kc.getContextObject(options.context) === null) {
      throw invalid(`context ${options.context} is not in the kubeconfig`);
    }
    kc.setCurrentContext(options.context);
  }
  if (kc.getCurrentCluster() === null) {
    throw invalid('the kubeconfig has no current context (use --context)');
  }
  const ctxNs = kc.getContextObject(kc.getCurrentContext())?.namespace;
  const podNs =
    picked.source === 'in-cluster'
      ? readNamespaceFile(options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR)
      : undefined;
  return { ...picked, namespace: ctxNs ?? podNs ?? 'default' };
}
