// What src/main.ts hands to each controller, and what it gets back. A controller factory builds
// one or more ControllerUnits from the shared context; main.ts lists the factories (one line per
// controller kind), starts every unit's informers at boot (so a standby keeps a warm cache), and
// while this replica leads builds a fresh Controller per unit and runs its `lead` work.
import type { Clock } from '../clock.ts';
import type { ControllerConfig, Env } from '../config.ts';
import type { ValueOpener } from '../crypto/worker-pool.ts';
import type { KubeApi } from '../kube/client.ts';
import type { EventSink } from '../kube/events.ts';
import type { Informer, InformerOptions } from '../kube/informer.ts';
import type { KubeObject, SecretObject } from '../kube/types.ts';
import type { KeyStore } from '../keys/key-store.ts';
import type { Logger } from '../log.ts';
import type { Registry, RuntimeMetrics } from '../metrics.ts';
import type { Controller } from './runner.ts';
import type { SecretWriter } from './secret-writer.ts';

/** Informer settings a controller chooses; clock, logger, metrics and relist come from main. */
export type InformerRequest<T extends KubeObject> = Pick<
  InformerOptions<T>,
  'source' | 'name' | 'namespace' | 'labelSelector' | 'fieldSelector' | 'metadataOnly'
>;

export interface ControllerContext {
  readonly config: ControllerConfig;
  /** The process environment snapshot, for controllers with settings of their own (SopsSecret). */
  readonly env?: Env | undefined;
  readonly client: KubeApi;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly metrics: RuntimeMetrics;
  /** Events, as the controller's component (rate-limited and de-duplicated). */
  readonly events: EventSink;
  /** Metadata-only informer of every Secret a Sealbridge controller wrote (label sealbridge.io/managed-by). */
  readonly managedSecrets: Informer<SecretObject>;
  /** The shared writer, backed by `managedSecrets`. */
  readonly secretWriter: SecretWriter;
  /** The sealing keys (watched) and the worker pool that opens sealed values. */
  readonly keys: KeyStore;
  readonly opener: ValueOpener;
  /** A new informer with the process-wide settings; it is tracked by /readyz and metrics. */
  informer<T extends KubeObject>(request: InformerRequest<T>): Informer<T>;
}

export interface ControllerUnit {
  /** For logs and /readyz, e.g. 'SealedSecret'. */
  readonly name: string;
  /** Started at boot on every replica; the unit's Controller waits for them to sync. */
  readonly informers: readonly Informer<KubeObject>[];
  /** A fresh Controller (a stopped queue cannot restart), built each time this replica leads. */
  createController(): Controller;
  /** Other work while leading (e.g. key renewal); should resolve soon after `signal` aborts. */
  lead?(signal: AbortSignal): Promise<void>;
}

export type ControllerFactory = (ctx: ControllerContext) => readonly ControllerUnit[];
