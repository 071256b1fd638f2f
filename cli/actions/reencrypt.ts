// The `reencrypt` command's work: collect files, rotate each SealedSecret through the controller,
// and rewrite only files that changed (atomically).
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { SealbridgeError } from '../../src/errors.ts';
import { isPlainObject, type UnknownObject } from '../../src/manifest/types.ts';
import type { CliContext } from '../context.ts';
import type { ReencryptFlags } from '../commands/reencrypt.ts';
import { atomicWrite, readFileBytes, resolvePath } from '../io.ts';

const MANIFEST_EXT = new Set(['.yaml', '.yml', '.json']);

async function collect(ctx: CliContext, paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string, explicit: boolean): Promise<void> => {
    let info;
    try {
      info = await stat(resolvePath(ctx, p));
    } catch (err) {
      throw new SealbridgeError(
        'IO_ERROR',
        `${p}: ${(err as NodeJS.ErrnoException).code ?? 'cannot read'}`,
        { cause: err },
      );
    }
    if (info.isDirectory()) {
      const entries = await readdir(resolvePath(ctx, p), { withFileTypes: true });
      for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (e.name.startsWith('.')) continue;
        await walk(join(p, e.name), false);
      }
    } else if (explicit || MANIFEST_EXT.has(extname(p).toLowerCase())) {
      out.push(p);
    }
  };
  for (const p of paths) await walk(p, true);
  return out;
}

export async function runReencrypt(
  ctx: CliContext,
  paths: readonly string[],
  flags: ReencryptFlags,
): Promise<void> {
  const { ControllerClient, firstLine } = await import('../../src/controller-client/client.ts');
  const { reencryptText } = await import('../../src/controller-client/reencrypt.ts');
  const client = await ControllerClient.create(flags, ctx.env);
  const rotate = async (json: string): Promise<UnknownObject> => {
    const res = await client.request('/v1/rotate', 'POST', json);
    if (res.status !== 200) {
      throw new SealbridgeError(
        'ROTATION_FAILED',
        `the ${client.description} answered HTTP ${res.status}: ${firstLine(res.text)}`,
      );
    }
    const parsed: unknown = JSON.parse(res.text);
    if (!isPlainObject(parsed))
      throw new SealbridgeError('ROTATION_FAILED', `the ${client.description} sent no object`);
    return parsed;
  };
  let files = 0;
  let resealed = 0;
  for (const file of await collect(ctx, paths)) {
    const text = (await readFileBytes(ctx, file)).toString('utf8');
    if (!text.includes('SealedSecret')) continue;
    let r;
    try {
      r = await reencryptText(text, file, rotate);
    } catch (err) {
      throw new SealbridgeError(
        err instanceof SealbridgeError ? err.code : 'ROTATION_FAILED',
        `${file}: ${err instanceof Error ? err.message : String(err)}`.replace(
          `${file}: ${file}`,
          file,
        ),
        { cause: err },
      );
    }
    if (r.objects === 0) continue;
    files++;
    resealed += r.resealed;
    if (r.resealed > 0 && flags.dryRun !== true)
      await atomicWrite(resolvePath(ctx, file), r.text, { overwrite: true });
    const verb = flags.dryRun === true ? 'would re-encrypt' : 're-encrypted';
    ctx.stdout.write(`${file}: ${verb} ${r.resealed} value(s), ${r.current} already current\n`);
  }
  ctx.stderr.write(
    `${files} file(s) with SealedSecrets, ${resealed} value(s) ${flags.dryRun === true ? 'to re-encrypt' : 're-encrypted'}\n`,
  );
}
