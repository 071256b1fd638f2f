// Reads `spec.data` and `spec.dataFrom` of an ExternalSecret: remote references with ESO's
// defaults, find (path, name regexp, tags), and rewrites (regexp, transform).
import { checkRegexp, checkTemplate } from './external-secret-checks.ts';
import {
  CONVERSION_STRATEGIES,
  DECODING_STRATEGIES,
  METADATA_POLICIES,
  NULL_BYTE_POLICIES,
  type ExternalSecretData,
  type ExternalSecretDataFrom,
  type ExternalSecretFind,
  type RemoteRef,
  type Rewrite,
  type SourceRef,
} from './external-secret.ts';
import { isObj, isValidSecretKey, type Obj, type Fields } from './external-secret-fields.ts';

export const UNSUPPORTED_SOURCE_FIELDS: Readonly<Record<string, string>> = {
  generatorRef: 'generators (sourceRef.generatorRef) are not supported',
};
export const UNSUPPORTED_REWRITE_FIELDS: Readonly<Record<string, string>> = {
  merge: 'rewrite.merge is not supported; use regexp or transform rewrites',
};

export function readRemoteRef(f: Fields, o: Obj, path: string): RemoteRef {
  return {
    key: f.str(o, 'key', path, true) ?? '',
    ...optional('property', f.str(o, 'property', path)),
    ...optional('version', f.str(o, 'version', path)),
    decodingStrategy: f.oneOf(o, 'decodingStrategy', path, DECODING_STRATEGIES, 'None'),
    metadataPolicy: f.oneOf(o, 'metadataPolicy', path, METADATA_POLICIES, 'None'),
    conversionStrategy: f.oneOf(o, 'conversionStrategy', path, CONVERSION_STRATEGIES, 'Default'),
    nullBytePolicy: f.oneOf(o, 'nullBytePolicy', path, NULL_BYTE_POLICIES, 'Ignore'),
  };
}

function optional<K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, string>);
}

function readSourceRef(f: Fields, o: Obj, path: string): SourceRef | undefined {
  const src = f.obj(o, 'sourceRef', path);
  if (src === undefined) return undefined;
  f.unsupported(src, `${path}.sourceRef`, UNSUPPORTED_SOURCE_FIELDS);
  const store = f.obj(src, 'storeRef', `${path}.sourceRef`);
  if (store === undefined) return undefined;
  const p = `${path}.sourceRef.storeRef`;
  return {
    storeRef: {
      name: f.str(store, 'name', p, true) ?? '',
      kind: f.oneOf(
        store,
        'kind',
        p,
        ['SecretStore', 'ClusterSecretStore'] as const,
        'SecretStore',
      ),
    },
  };
}

export function readData(f: Fields, spec: Obj): ExternalSecretData[] {
  return f.list(spec, 'data', 'spec').flatMap((item, i) => {
    const path = `spec.data[${i}]`;
    if (!isObj(item)) {
      f.add(path, 'must be an object');
      return [];
    }
    const secretKey = f.str(item, 'secretKey', path, true) ?? '';
    if (secretKey !== '' && !isValidSecretKey(secretKey)) {
      f.add(`${path}.secretKey`, 'must consist of alphanumerics, "-", "_" or "." (a Secret key)');
    }
    const ref = f.obj(item, 'remoteRef', path);
    if (ref === undefined) f.add(`${path}.remoteRef`, 'is required');
    const sourceRef = readSourceRef(f, item, path);
    return [
      {
        secretKey,
        remoteRef: readRemoteRef(f, ref ?? {}, `${path}.remoteRef`),
        ...(sourceRef === undefined ? {} : { sourceRef }),
      },
    ];
  });
}

function readFind(f: Fields, o: Obj, path: string): ExternalSecretFind {
  const nameObj = f.obj(o, 'name', path);
  const regexp = nameObj === undefined ? undefined : f.str(nameObj, 'regexp', `${path}.name`, true);
  if (regexp !== undefined) checkRegexp(f, regexp, `${path}.name.regexp`);
  const tags = f.obj(o, 'tags', path) === undefined ? undefined : f.strMap(o, 'tags', path);
  const findPath = f.str(o, 'path', path);
  if (regexp === undefined && tags === undefined && findPath === undefined) {
    f.add(path, 'needs at least one of name.regexp, tags or path');
  }
  return {
    ...optional('path', findPath),
    ...(regexp === undefined ? {} : { name: { regexp } }),
    ...(tags === undefined ? {} : { tags }),
    conversionStrategy: f.oneOf(o, 'conversionStrategy', path, CONVERSION_STRATEGIES, 'Default'),
    decodingStrategy: f.oneOf(o, 'decodingStrategy', path, DECODING_STRATEGIES, 'None'),
  };
}

function readRewrite(f: Fields, item: unknown, path: string): Rewrite[] {
  if (!isObj(item)) {
    f.add(path, 'must be an object');
    return [];
  }
  f.unsupported(item, path, UNSUPPORTED_REWRITE_FIELDS);
  const re = f.obj(item, 'regexp', path);
  const tr = f.obj(item, 'transform', path);
  if ((re === undefined) === (tr === undefined)) {
    if (item['merge'] === undefined) f.add(path, 'must have exactly one of regexp and transform');
    return [];
  }
  if (re !== undefined) {
    const source = f.str(re, 'source', `${path}.regexp`, true) ?? '';
    const target = typeof re['target'] === 'string' ? re['target'] : '';
    if (re['target'] !== undefined && typeof re['target'] !== 'string')
      f.add(`${path}.regexp.target`, 'must be a string');
    if (source !== '') checkRegexp(f, source, `${path}.regexp.source`);
    return [{ regexp: { source, target } }];
  }
  const template = f.str(tr ?? {}, 'template', `${path}.transform`, true) ?? '';
  if (template !== '') checkTemplate(f, template, `${path}.transform.template`);
  return [{ transform: { template } }];
}

export function readDataFrom(f: Fields, spec: Obj): ExternalSecretDataFrom[] {
  return f.list(spec, 'dataFrom', 'spec').flatMap((item, i) => {
    const path = `spec.dataFrom[${i}]`;
    if (!isObj(item)) {
      f.add(path, 'must be an object');
      return [];
    }
    const extract = f.obj(item, 'extract', path);
    const find = f.obj(item, 'find', path);
    const sourceRef = readSourceRef(f, item, path);
    if ((extract === undefined) === (find === undefined)) {
      const generator = isObj(item['sourceRef']) && item['sourceRef']['generatorRef'] !== undefined;
      if (!generator) f.add(path, 'must have exactly one of extract and find');
      return [];
    }
    const rewrite = f
      .list(item, 'rewrite', path)
      .flatMap((r, j) => readRewrite(f, r, `${path}.rewrite[${j}]`));
    return [
      {
        ...(extract === undefined ? {} : { extract: readRemoteRef(f, extract, `${path}.extract`) }),
        ...(find === undefined ? {} : { find: readFind(f, find, `${path}.find`) }),
        rewrite,
        ...(sourceRef === undefined ? {} : { sourceRef }),
      },
    ];
  });
}
