// dataFrom.find for AWS Secrets Manager: ListSecrets, paged, with server-side filters for the
// path (a name prefix) and tags (tag-key / tag-value), then exact tag pairs and the name
// regexp checked here. Values are read afterwards through the batched read path.
import { ListSecretsCommand, type Filter } from '@aws-sdk/client-secrets-manager';
import { ProviderError } from '../errors.ts';
import { compileFindRegexp } from '../find-regexp.ts';
import type { FindSpec } from '../types.ts';
import type { AwsBackend } from './backend.ts';

const MAX_SECRETS = 10_000;

export async function listAwsSecrets(
  backend: AwsBackend,
  spec: FindSpec,
  signal: AbortSignal,
): Promise<string[]> {
  const { label } = backend.init;
  const prefix = backend.init.spec.prefix ?? '';
  const regexp = spec.name === undefined ? undefined : compileFindRegexp(spec.name.regexp, label);
  const filters: Filter[] = [];
  const namePrefix = `${prefix}${spec.path ?? ''}`;
  if (namePrefix !== '') filters.push({ Key: 'name', Values: [namePrefix] });
  const tags = Object.entries(spec.tags ?? {});
  for (const [k, v] of tags) {
    filters.push({ Key: 'tag-key', Values: [k] }, { Key: 'tag-value', Values: [v] });
  }
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const out = await backend.send('ListSecrets', 'ListSecrets', signal, (s) =>
      backend.client.send(
        new ListSecretsCommand({
          MaxResults: 100,
          ...(filters.length === 0 ? {} : { Filters: filters }),
          ...(token === undefined ? {} : { NextToken: token }),
        }),
        { abortSignal: s },
      ),
    );
    for (const entry of out.SecretList ?? []) {
      const name = entry.Name;
      if (name === undefined || !name.startsWith(namePrefix)) continue;
      const entryTags = new Map((entry.Tags ?? []).map((t) => [t.Key, t.Value]));
      if (!tags.every(([k, v]) => entryTags.get(k) === v)) continue;
      const key = name.slice(prefix.length);
      if (regexp !== undefined && !regexp.test(key)) continue;
      names.push(key);
    }
    if (names.length > MAX_SECRETS) {
      throw new ProviderError(
        'PROVIDER_INVALID_CONFIG',
        `${label}: find matched more than ${MAX_SECRETS} secrets`,
      );
    }
    nextToken = out.NextToken;
  } while (nextToken !== undefined && nextToken !== '');
  return names.sort();
}
