// Builds the commander program. Each command lives in cli/commands/<name>.ts and exports
// `register(program, ctx)`; command files import their implementation lazily inside the action,
// so `sealbridge seal` never loads the Kubernetes client or the cloud SDKs.
import { Command } from 'commander';
import type { CliContext } from './context.ts';
import { register as registerSeal } from './commands/seal.ts';
import { register as registerUnseal } from './commands/unseal.ts';
import { register as registerKeys } from './commands/keys.ts';
import { register as registerCert } from './commands/cert.ts';
import { register as registerSops } from './commands/sops.ts';
import { register as registerMigrate } from './commands/migrate.ts';
import { register as registerRender } from './commands/render.ts';
import { register as registerController } from './commands/controller.ts';
import { register as registerValidate } from './commands/validate.ts';
import { register as registerReencrypt } from './commands/reencrypt.ts';

export function createProgram(ctx: CliContext): Command {
  const program = new Command('sealbridge')
    .description(
      'Seal, sync and rotate Kubernetes secrets: Sealed Secrets, SOPS and external stores in one tool.',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .exitOverride();

  // Commands register here, one line each.
  registerSeal(program, ctx);
  registerUnseal(program, ctx);
  registerKeys(program, ctx);
  registerCert(program, ctx);
  registerSops(program, ctx);
  registerMigrate(program, ctx);
  registerRender(program, ctx);
  registerController(program, ctx);
  registerValidate(program, ctx);
  registerReencrypt(program, ctx);
  return program;
}
