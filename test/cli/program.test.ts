import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('sealbridge CLI', () => {
  it('prints help that names the tool and exits 0', async () => {
    const res = await runCli(['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Usage: sealbridge');
  });

  it('rejects an unknown command with a non-zero exit', async () => {
    const res = await runCli(['no-such-command']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/unknown command|too many arguments/);
  });
});
