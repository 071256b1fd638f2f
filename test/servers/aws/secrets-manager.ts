// Secrets Manager on the AWS test server: GetSecretValue (VersionId / VersionStage),
// BatchGetSecretValue (SecretIdList ≤ 20 with per-secret Errors, or Filters with paging),
// ListSecrets (name / tag-key / tag-value filters, paging) and DescribeSecret.
import { randomUUID } from 'node:crypto';
import { AwsServiceError, type AwsTestServer, type RequestContext } from './server.ts';

interface Version {
  readonly id: string;
  stages: string[];
  readonly string?: string;
  readonly binary?: Uint8Array;
  readonly created: number;
}

interface SmSecret {
  readonly name: string;
  readonly arn: string;
  readonly versions: Version[];
  tags: { Key: string; Value: string }[];
}

type Tags = Record<string, string>;

export class SecretsManagerState {
  readonly secrets = new Map<string, SmSecret>();
  /** (caller principal, secret name) → allowed; default everything. */
  canRead: (principal: string, name: string) => boolean = () => true;
  readonly #region: string;

  constructor(region = 'eu-west-1') {
    this.#region = region;
  }

  put(name: string, value: string | Uint8Array, tags?: Tags): string {
    let s = this.secrets.get(name);
    if (s === undefined) {
      s = {
        name,
        arn: `arn:aws:secretsmanager:${this.#region}:123456789012:secret:${name}-AbCdEf`,
        versions: [],
        tags: [],
      };
      this.secrets.set(name, s);
    }
    if (tags !== undefined) s.tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    for (const v of s.versions) {
      v.stages = v.stages.includes('AWSCURRENT')
        ? ['AWSPREVIOUS']
        : v.stages.filter((x) => x !== 'AWSPREVIOUS');
    }
    const id = randomUUID();
    s.versions.push({
      id,
      stages: ['AWSCURRENT'],
      created: Date.now(),
      ...(typeof value === 'string' ? { string: value } : { binary: value }),
    });
    return id;
  }

  find(id: string): SmSecret | undefined {
    return this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id);
  }
}

function notFound(): AwsServiceError {
  return new AwsServiceError(
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret.",
  );
}

function valueEntry(s: SmSecret, v: Version): Record<string, unknown> {
  return {
    ARN: s.arn,
    Name: s.name,
    VersionId: v.id,
    VersionStages: v.stages,
    CreatedDate: v.created / 1000,
    ...(v.string === undefined ? {} : { SecretString: v.string }),
    ...(v.binary === undefined ? {} : { SecretBinary: Buffer.from(v.binary).toString('base64') }),
  };
}

function read(
  state: SecretsManagerState,
  ctx: RequestContext,
  id: string,
  versionId?: unknown,
  stage?: unknown,
): Record<string, unknown> {
  const s = state.find(id);
  if (s === undefined) throw notFound();
  if (!state.canRead(ctx.caller?.principal ?? '', s.name)) {
    throw new AwsServiceError(
      'AccessDeniedException',
      'User is not authorized to perform: secretsmanager:GetSecretValue',
    );
  }
  const wantedStage =
    typeof stage === 'string' ? stage : versionId === undefined ? 'AWSCURRENT' : undefined;
  const v = s.versions.find(
    (x) =>
      (versionId === undefined || x.id === versionId) &&
      (wantedStage === undefined || x.stages.includes(wantedStage)),
  );
  if (v === undefined)
    throw new AwsServiceError(
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret value for staging label or version.",
    );
  return valueEntry(s, v);
}

function matches(s: SmSecret, filters: unknown): boolean {
  if (!Array.isArray(filters)) return true;
  return filters.every((f: { Key?: string; Values?: string[] }) => {
    const values = f.Values ?? [];
    switch (f.Key) {
      case 'name':
        return values.some((v) => s.name.startsWith(v));
      case 'tag-key':
        return values.some((v) => s.tags.some((t) => t.Key.startsWith(v)));
      case 'tag-value':
        return values.some((v) => s.tags.some((t) => t.Value.startsWith(v)));
      case undefined:
      default:
        throw new AwsServiceError(
          'InvalidParameterException',
          `unsupported filter key ${String(f.Key)}`,
        );
    }
  });
}

function page<T>(
  items: T[],
  input: Record<string, unknown>,
  max: number,
): { items: T[]; next?: string } {
  const start = typeof input['NextToken'] === 'string' ? Number(input['NextToken']) : 0;
  const size = typeof input['MaxResults'] === 'number' ? Math.min(input['MaxResults'], max) : max;
  const slice = items.slice(start, start + size);
  return start + size < items.length
    ? { items: slice, next: String(start + size) }
    : { items: slice };
}

export function installSecretsManager(
  server: AwsTestServer,
  state: SecretsManagerState,
  pageSize = 100,
): void {
  server.registerJsonService('secretsmanager', {
    GetSecretValue: (input, ctx) =>
      read(state, ctx, String(input['SecretId']), input['VersionId'], input['VersionStage']),
    BatchGetSecretValue: (input, ctx) => {
      const ids = input['SecretIdList'];
      if (Array.isArray(ids)) {
        if (ids.length > 20)
          throw new AwsServiceError(
            'InvalidParameterException',
            'SecretIdList can contain at most 20 IDs',
          );
        const values: unknown[] = [];
        const errors: unknown[] = [];
        for (const id of ids as string[]) {
          try {
            values.push(read(state, ctx, id));
          } catch (e) {
            const err = e as AwsServiceError;
            errors.push({ SecretId: id, ErrorCode: err.type, Message: err.message });
          }
        }
        return { SecretValues: values, Errors: errors };
      }
      const all = [...state.secrets.values()].filter((s) => matches(s, input['Filters']));
      const p = page(all, input, Math.min(pageSize, 20));
      return {
        SecretValues: p.items.map((s) => read(state, ctx, s.name)),
        Errors: [],
        ...(p.next === undefined ? {} : { NextToken: p.next }),
      };
    },
    ListSecrets: (input) => {
      const all = [...state.secrets.values()]
        .filter((s) => matches(s, input['Filters']))
        .sort((a, b) => a.name.localeCompare(b.name));
      const p = page(all, input, pageSize);
      return {
        SecretList: p.items.map((s) => ({ ARN: s.arn, Name: s.name, Tags: s.tags })),
        ...(p.next === undefined ? {} : { NextToken: p.next }),
      };
    },
    DescribeSecret: (input) => {
      const s = state.find(String(input['SecretId']));
      if (s === undefined) throw notFound();
      return {
        ARN: s.arn,
        Name: s.name,
        Tags: s.tags,
        VersionIdsToStages: Object.fromEntries(s.versions.map((v) => [v.id, v.stages])),
      };
    },
  });
}
