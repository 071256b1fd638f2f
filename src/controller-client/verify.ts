// `sealbridge validate`: asks the controller whether it can open each SealedSecret in the given
// files (POST /v1/verify). The controller answers yes (200) or no (409) and rate-limits the
// question per client, so a 429 waits for its Retry-After and asks again.
import type { Clock } from '../clock.ts';
import { SealbridgeError } from '../errors.ts';
import { firstLine, type ControllerClient } from './client.ts';

export interface VerifyAnswer {
  readonly ok: boolean;
  /** Why not, in the controller's words (no secret values). */
  readonly reason: string;
}

export async function verifyWithController(
  client: ControllerClient,
  json: string,
  clock: Clock,
  maxWaits = 30,
): Promise<VerifyAnswer> {
  for (let i = 0; ; i++) {
    const res = await client.request('/v1/verify', 'POST', json);
    if (res.status === 200) return { ok: true, reason: '' };
    if (res.status === 409) return { ok: false, reason: firstLine(res.text) };
    if (res.status === 429 && i < maxWaits) {
      await clock.sleep(Math.max(1, res.retryAfterSeconds ?? 1) * 1000);
      continue;
    }
    throw new SealbridgeError(
      res.status === 400 ? 'INVALID_INPUT' : 'CONTROLLER_UNREACHABLE',
      `the ${client.description} answered HTTP ${res.status}: ${firstLine(res.text)}`,
    );
  }
}
