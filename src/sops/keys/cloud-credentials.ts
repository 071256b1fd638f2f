// Cloud credentials that arrive as data rather than from the environment, in Flux's formats:
// `sops.aws-kms` is YAML with aws_access_key_id / aws_secret_access_key / aws_session_token, and
// `sops.gcp-kms` (or GOOGLE_CREDENTIALS) is a service-account JSON key. Errors name the field,
// never a value.
import { parse as parseYaml } from 'yaml';
import { SealbridgeError } from '../../errors.ts';

export interface AwsStaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface GcpServiceAccountKey {
  readonly type: 'service_account';
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string;
  readonly project_id?: string;
}

function bad(what: string, why: string): SealbridgeError {
  return new SealbridgeError('INVALID_INPUT', `${what}: ${why}`);
}

/** Flux's `sops.aws-kms` value. */
export function parseAwsCredentialsYaml(text: string, what = 'sops.aws-kms'): AwsStaticCredentials {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    throw bad(what, 'is not YAML with aws_access_key_id and aws_secret_access_key');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw bad(what, 'must be a mapping with aws_access_key_id and aws_secret_access_key');
  }
  const m = doc as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const v = m[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw bad(what, `${k} must be a string`);
    return v.trim();
  };
  const accessKeyId = str('aws_access_key_id');
  const secretAccessKey = str('aws_secret_access_key');
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw bad(what, 'needs aws_access_key_id and aws_secret_access_key');
  }
  const sessionToken = str('aws_session_token');
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}

/** A service-account JSON key (Flux's `sops.gcp-kms`, sops's GOOGLE_CREDENTIALS). */
export function parseGcpServiceAccount(text: string, what = 'sops.gcp-kms'): GcpServiceAccountKey {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad(what, 'is not a JSON service-account key');
  }
  const k = json as Partial<Record<string, unknown>> | null;
  if (
    k === null ||
    typeof k !== 'object' ||
    k['type'] !== 'service_account' ||
    typeof k['client_email'] !== 'string' ||
    typeof k['private_key'] !== 'string'
  ) {
    throw bad(what, 'must be a service_account key with client_email and private_key');
  }
  return k as unknown as GcpServiceAccountKey;
}
