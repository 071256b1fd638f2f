// Shared set-up for the controller integration tests: the Kubernetes API test server, sealing-key
// Secrets from the test fixtures, SealedSecrets sealed for them, and the real controller
// (startController, the same code `sealbridge controller` runs) with its pino output captured.
import { Writable } from 'node:stream';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { controllerConfig, type ControllerFlags } from '../../src/config.ts';
import { buildKeySecret } from '../../src/crypto/key-secret.ts';
import { sealValue } from '../../src/crypto/hybrid.ts';
import { keyFingerprint } from '../../src/crypto/keys.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject, SecretObject } from '../../src/kube/types.ts';
import { startController, type RunningController } from '../../src/main.ts';
import { testKey } from '../crypto/fixtures.ts';
import { KubeTestServer, kubeClientFor } from '../servers/kube/index.ts';

export const CONTROLLER_NS = 'sealbridge';
export const SEALED = {
  group: 'sealbridge.io',
  version: 'v1alpha1',
  plural: 'sealedsecrets',
  kind: 'SealedSecret',
  namespaced: true,
};

/** Collects every log line the controller writes. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
    done();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export interface FixtureKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly fingerprint: string;
  readonly keyPem: string;
  readonly certPem: string;
}

export function fixtureKey(name: 'a' | 'b'): FixtureKey {
  const k = testKey(name);
  return { ...k, fingerprint: keyFingerprint(k.privateKey) };
}

export function keyFromPem(keyPem: string, certPem: string): FixtureKey {
  const privateKey = createPrivateKey(keyPem);
  return {
    privateKey,
    publicKey: createPublicKey(privateKey),
    fingerprint: keyFingerprint(privateKey),
    keyPem,
    certPem,
  };
}

export function seedKeySecret(
  server: KubeTestServer,
  key: FixtureKey,
  name: string,
  labels: Record<string, string> = {},
): void {
  const s = buildKeySecret({
    namespace: CONTROLLER_NS,
    name,
    privateKeyPem: key.keyPem,
    certPem: key.certPem,
    labels,
  });
  server.objects.create(server.resource('secrets'), CONTROLLER_NS, s);
}

export interface SealOptions {
  readonly namespace?: string;
  readonly annotations?: Record<string, string>;
  readonly template?: Record<string, unknown>;
  readonly apiVersion?: string;
}

export type SealedObject = KubeObject & {
  spec: { encryptedData: Record<string, string>; template?: unknown; data?: string };
};

/** A SealedSecret (strict scope unless annotated) with each value sealed for `key`. */
export function sealed(
  name: string,
  values: Record<string, string>,
  key: FixtureKey,
  o: SealOptions = {},
): SealedObject {
  const ns = o.namespace ?? 'apps';
  const scope = o.annotations?.['sealbridge.io/cluster-wide'] === 'true' ? '' : `${ns}/${name}`;
  const label = Buffer.from(scope);
  const encryptedData = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, sealValue(Buffer.from(v), label, key.publicKey)]),
  );
  return {
    apiVersion: o.apiVersion ?? 'sealbridge.io/v1alpha1',
    kind: 'SealedSecret',
    metadata: {
      name,
      namespace: ns,
      ...(o.annotations === undefined ? {} : { annotations: o.annotations }),
    },
    spec: { encryptedData, ...(o.template === undefined ? {} : { template: o.template }) },
  };
}

export interface Started {
  readonly ctl: RunningController;
  readonly logs: LogCapture;
}

export const FAST_FLAGS: ControllerFlags = {
  namespace: CONTROLLER_NS,
  listenAddr: '127.0.0.1:0',
  listenMetricsAddr: '127.0.0.1:0',
  // Short enough for fail-over tests, long enough that a loaded machine does not lose the lease.
  leaseDuration: '6s',
  renewDeadline: '4s',
  retryPeriod: '1s',
  openThreads: '1',
  keyRenewPeriod: '0',
};

export async function startCtl(
  server: KubeTestServer,
  flags: ControllerFlags = {},
): Promise<Started> {
  const logs = new LogCapture();
  const config = controllerConfig({ ...FAST_FLAGS, ...flags }, {});
  const ctl = await startController(config, {
    env: {},
    kubeconfigText: server.kubeconfigYaml('default'),
    logDestination: logs,
    drainDeadlineMs: 5_000,
  });
  return { ctl, logs };
}

export function clientFor(server: KubeTestServer): KubeClient {
  return kubeClientFor(server);
}

export async function secretOf(
  client: KubeClient,
  name: string,
  ns = 'apps',
): Promise<SecretObject | undefined> {
  return client.secrets.find({ namespace: ns, name });
}

export function decoded(s: SecretObject | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
  );
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export function readyOf(obj: KubeObject | undefined): Condition | undefined {
  const conds = (obj as { status?: { conditions?: Condition[] } } | undefined)?.status?.conditions;
  return conds?.find((c) => c.type === 'Ready');
}

export { KubeTestServer };

/** Polls an async check until it returns a value that is not undefined (hang guard only). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The object once its Ready condition has this status. */
export async function readyState(
  client: KubeClient,
  name: string,
  status: 'True' | 'False',
  ns = 'apps',
): Promise<KubeObject> {
  return eventually(async () => {
    const o = await client.resource(SEALED).find({ namespace: ns, name });
    return readyOf(o)?.status === status ? o : undefined;
  }, `SealedSecret ${ns}/${name} Ready=${status}`);
}

export async function secretWith(
  client: KubeClient,
  name: string,
  check: (data: Record<string, string>) => boolean,
  ns = 'apps',
): Promise<SecretObject> {
  return eventually(async () => {
    const s = await secretOf(client, name, ns);
    return s !== undefined && check(decoded(s)) ? s : undefined;
  }, `Secret ${ns}/${name}`);
}
