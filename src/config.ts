// The only module that reads the process environment. Everything else receives settings as
// plain, frozen values, so tests can pass their own and nothing depends on import-time state.

export type Env = Readonly<Record<string, string | undefined>>;

/** A snapshot of the process environment. Call once in a composition root and pass it on. */
export function processEnv(): Env {
  return Object.freeze({ ...process.env });
}

/** The process's command line, for the CLI entry point. */
export function processArgv(): readonly string[] {
  return Object.freeze([...process.argv]);
}

/** Settings the `seal` family of commands takes from the environment. */
export interface SealEnvConfig {
  /** Certificate file or URL; kubeseal's SEALED_SECRETS_CERT is honoured too. */
  readonly cert: string | undefined;
}

export function sealEnvConfig(env: Env): SealEnvConfig {
  return Object.freeze({ cert: env['SEALBRIDGE_CERT'] ?? env['SEALED_SECRETS_CERT'] });
}
