// AWS KMS (`TrentService`, JSON 1.1) on the AWS test server: Encrypt and Decrypt with real
// AES-256-GCM under per-key material, the encryption context bound as additional data (a wrong
// or missing context fails like KMS: InvalidCiphertextException), key ARNs, key IDs and aliases,
// disabled keys, and a per-principal key policy. Calls are counted by the server under their bare
// operation names (`Encrypt`, `Decrypt`), and faults are injected the same way.
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { AwsServiceError, type AwsTestServer, type RequestContext } from './server.ts';

interface KmsKey {
  readonly arn: string;
  readonly material: Buffer;
  enabled: boolean;
}

export interface KmsCall {
  readonly op: 'Encrypt' | 'Decrypt';
  readonly keyArn: string;
  readonly principal: string;
  readonly context: Readonly<Record<string, string>>;
}

export class KmsState {
  readonly keys = new Map<string, KmsKey>();
  readonly aliases = new Map<string, string>();
  /** Successful calls, in order (principal and context included, never plaintext). */
  readonly log: KmsCall[] = [];
  /** (principal, key ARN, operation) → allowed; default everything. */
  canUse: (principal: string, keyArn: string, op: 'Encrypt' | 'Decrypt') => boolean = () => true;
  readonly #region: string;
  readonly #account: string;

  constructor(region = 'eu-west-1', account = '123456789012') {
    this.#region = region;
    this.#account = account;
  }

  /** Creates a key; returns its ARN. */
  createKey(alias?: string): string {
    const id = randomUUID();
    const arn = `arn:aws:kms:${this.#region}:${this.#account}:key/${id}`;
    this.keys.set(arn, { arn, material: randomBytes(32), enabled: true });
    if (alias !== undefined) this.aliases.set(`alias/${alias}`, arn);
    return arn;
  }

  disable(arn: string): void {
    const k = this.keys.get(arn);
    if (k !== undefined) k.enabled = false;
  }

  /** Resolves a key ARN, key ID, alias name or alias ARN. */
  resolve(keyId: string): KmsKey {
    const aliasName = /^arn:aws:kms:[^:]+:\d+:(alias\/.+)$/.exec(keyId)?.[1] ?? keyId;
    const viaAlias = this.aliases.get(aliasName);
    const arn =
      viaAlias ??
      (this.keys.has(keyId)
        ? keyId
        : [...this.keys.keys()].find((a) => a.endsWith(`:key/${keyId}`)));
    const key = arn === undefined ? undefined : this.keys.get(arn);
    if (key === undefined)
      throw new AwsServiceError('NotFoundException', `Key '${keyId}' does not exist`);
    return key;
  }
}

function contextAad(ctx: unknown): { aad: Buffer; context: Record<string, string> } {
  if (ctx === undefined || ctx === null) return { aad: Buffer.alloc(0), context: {} };
  if (typeof ctx !== 'object' || Array.isArray(ctx))
    throw new AwsServiceError('ValidationException', 'EncryptionContext must be a map');
  const entries = Object.entries(ctx as Record<string, unknown>).map(([k, v]) => {
    if (typeof v !== 'string')
      throw new AwsServiceError('ValidationException', 'EncryptionContext values must be strings');
    return [k, v] as const;
  });
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { aad: Buffer.from(JSON.stringify(entries)), context: Object.fromEntries(entries) };
}

function blob(input: Record<string, unknown>, field: string): Buffer {
  const v = input[field];
  if (typeof v !== 'string' || v === '')
    throw new AwsServiceError('ValidationException', `${field} is required`);
  return Buffer.from(v, 'base64');
}

function usable(
  state: KmsState,
  key: KmsKey,
  ctx: RequestContext,
  op: 'Encrypt' | 'Decrypt',
): void {
  const principal = ctx.caller?.principal ?? '';
  if (!state.canUse(principal, key.arn, op)) {
    throw new AwsServiceError(
      'AccessDeniedException',
      `User: ${principal} is not authorized to perform: kms:${op} on resource: ${key.arn}`,
    );
  }
  if (!key.enabled) throw new AwsServiceError('DisabledException', `${key.arn} is disabled.`);
}

/** Registers KMS on the server; returns its state. */
export function installKms(server: AwsTestServer, state = new KmsState()): KmsState {
  server.registerJsonService('TrentService', {
    Encrypt: (input, ctx) => {
      const key = state.resolve(typeof input['KeyId'] === 'string' ? input['KeyId'] : '');
      usable(state, key, ctx, 'Encrypt');
      const plaintext = blob(input, 'Plaintext');
      if (plaintext.length > 4096)
        throw new AwsServiceError('ValidationException', 'Plaintext is longer than 4096 bytes');
      const { aad, context } = contextAad(input['EncryptionContext']);
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key.material, iv);
      c.setAAD(aad);
      const ct = Buffer.concat([c.update(plaintext), c.final()]);
      const arn = Buffer.from(key.arn);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(arn.length);
      const out = Buffer.concat([Buffer.from([1]), len, arn, iv, ct, c.getAuthTag()]);
      state.log.push({
        op: 'Encrypt',
        keyArn: key.arn,
        principal: ctx.caller?.principal ?? '',
        context,
      });
      return {
        CiphertextBlob: out.toString('base64'),
        KeyId: key.arn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },
    Decrypt: (input, ctx) => {
      const raw = blob(input, 'CiphertextBlob');
      const invalid = (): AwsServiceError => new AwsServiceError('InvalidCiphertextException', '');
      if (raw.length < 3 || raw[0] !== 1) throw invalid();
      const arnLen = raw.readUInt16BE(1);
      if (raw.length < 3 + arnLen + 12 + 16) throw invalid();
      const arn = raw.subarray(3, 3 + arnLen).toString();
      const key = state.keys.get(arn);
      if (key === undefined) throw invalid();
      if (typeof input['KeyId'] === 'string' && state.resolve(input['KeyId']).arn !== key.arn) {
        throw new AwsServiceError(
          'IncorrectKeyException',
          'The key ID in the request does not identify a CMK that can perform this operation.',
        );
      }
      usable(state, key, ctx, 'Decrypt');
      const { aad, context } = contextAad(input['EncryptionContext']);
      const body = raw.subarray(3 + arnLen);
      try {
        const d = createDecipheriv('aes-256-gcm', key.material, body.subarray(0, 12));
        d.setAAD(aad);
        d.setAuthTag(body.subarray(body.length - 16));
        const pt = Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]);
        state.log.push({
          op: 'Decrypt',
          keyArn: key.arn,
          principal: ctx.caller?.principal ?? '',
          context,
        });
        return {
          KeyId: key.arn,
          Plaintext: pt.toString('base64'),
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      } catch {
        throw invalid();
      }
    },
  });
  return state;
}
