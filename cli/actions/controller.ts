// The `controller` command's work: parse the configuration, start the controller, and on SIGTERM
// or SIGINT shut it down gracefully (drain, release the Lease) before returning.
import { controllerConfig, type ControllerFlags } from '../../src/config.ts';
import type { CliContext } from '../context.ts';

export async function runController(ctx: CliContext, flags: ControllerFlags): Promise<void> {
  const config = controllerConfig(flags, ctx.env);
  const { startController } = await import('../../src/main.ts');
  const running = await startController(config, { env: ctx.env, logDestination: ctx.stdout });
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await running.shutdown();
}
