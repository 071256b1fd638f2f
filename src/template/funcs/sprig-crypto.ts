// Sprig's bcrypt and htpasswd (bcrypt, cost 10, `$2a$`, as Go's x/crypto/bcrypt writes it).
// Two deliberate differences from Sprig, which returns error text *as the output* (into a
// Secret): an invalid username or a password over 72 bytes is a template error here.
import { BCRYPT_DEFAULT_COST, BCRYPT_MAX_PASSWORD_BYTES, bcryptHash } from '../crypto/bcrypt.ts';
import { stringBytes, stringText, type GoBytes, type Value } from '../values.ts';
import { fn, FuncError, type CallContext, type TemplateFunction } from './types.ts';

/** Evaluation steps one bcrypt costs: bounds how many a template may run (~20 by default). */
const BCRYPT_STEPS = 50_000;

function hash(password: Value | undefined, ctx: CallContext): string {
  const bytes = stringBytes((password ?? '') as string | GoBytes);
  if (bytes.length > BCRYPT_MAX_PASSWORD_BYTES) {
    throw new FuncError(`password length exceeds ${BCRYPT_MAX_PASSWORD_BYTES} bytes`);
  }
  return bcryptHash(bytes, { cost: BCRYPT_DEFAULT_COST, salt: ctx.randomBytes(16) });
}

export const SPRIG_CRYPTO: ReadonlyMap<string, TemplateFunction> = new Map<
  string,
  TemplateFunction
>([
  ['bcrypt', fn(['string'], ([p], ctx) => hash(p, ctx), { cost: BCRYPT_STEPS })],
  [
    'htpasswd',
    fn(
      ['string', 'string'],
      ([user = '', p], ctx) => {
        const name = stringText(user as string | GoBytes);
        if (name.includes(':')) throw new FuncError("invalid username: it contains ':'");
        return `${name}:${hash(p, ctx)}`;
      },
      { cost: BCRYPT_STEPS },
    ),
  ],
]);
