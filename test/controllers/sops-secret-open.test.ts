// Opening SopsSecrets without a cluster: canonical payload order (a property over arbitrary key
// orders and server-side additions), stringData over data, base64 and template handling, the
// mac_only_encrypted requirement, tampering, and errors that never carry a value.
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateSopsSecret } from '../../src/api/sops-secret.ts';
import { canonicalPayload, openSopsSecret } from '../../src/controllers/sops-secret-open.ts';
import { SealbridgeError } from '../../src/errors.ts';
import { orderSopsSecretPayload } from '../../src/sops/canonical-order.ts';
import { encryptDocument } from '../../src/sops/encrypt.ts';
import { storeFor } from '../../src/sops/formats/index.ts';
import { ageKey } from '../../src/sops/keys/age.ts';
import { defaultKeyServices } from '../../src/sops/keys/defaults.ts';
import { keySourceFromMaterial } from '../../src/sops/keys/source.ts';
import type { TreeMap } from '../../src/sops/tree.ts';
import { Comment } from '../../src/sops/tree.ts';
import { runCli } from '../helpers/cli.ts';
import { sortedKeys } from '../integration/sops-secret-env.ts';
import { ageIdentity, type AgePair } from '../sops/helpers.ts';

let age: AgePair;
beforeAll(async () => {
  age = await ageIdentity();
});

const registry = defaultKeyServices();

async function encrypt(doc: object): Promise<Record<string, unknown>> {
  const res = await encryptDocument(JSON.stringify(doc), {
    format: 'json',
    keyGroups: [[ageKey(age.recipient)]],
    keys: keySourceFromMaterial({}),
  });
  return JSON.parse(res.output.toString()) as Record<string, unknown>;
}

function sopsSecret(spec: object, name = 'app'): object {
  return {
    apiVersion: 'sealbridge.io/v1alpha1',
    kind: 'SopsSecret',
    metadata: { name, namespace: 'ns' },
    spec,
  };
}

async function open(obj: Record<string, unknown>) {
  return openSopsSecret(validateSopsSecret(obj, 'test'), {
    keys: keySourceFromMaterial({ age: [age.identity] }),
    registry,
  });
}

describe('canonical payload', () => {
  it('orders spec.data before spec.stringData and keys bytewise, integer-like keys included', () => {
    const text = canonicalPayload({
      spec: { stringData: { b: '1', '10': '2', '2': '3', A: '4' }, data: { z: 'x', a: 'y' } },
      sops: { mac: 'm' },
    });
    expect(text).toBe(
      '{"spec":{"data":{"a":"y","z":"x"},"stringData":{"10":"2","2":"3","A":"4","b":"1"}},"sops":{"mac":"m"}}',
    );
  });

  it('sealing puts a SopsSecret payload in canonical order and keeps comments with their entries', () => {
    const [doc] = storeFor('yaml').loadPlain(
      Buffer.from(
        'apiVersion: sealbridge.io/v1alpha1\nkind: SopsSecret\nspec:\n  stringData:\n    # about b\n    b: 1\n    a: 2\n  # the data\n  data:\n    y: eQ==\n    x: eA==\n',
      ),
      't',
    );
    orderSopsSecretPayload([doc!]);
    const spec = doc!.get('spec') as TreeMap;
    expect(spec.entries().map((e) => e.key)).toEqual(['data', 'stringData']);
    expect(spec.items[0]).toBeInstanceOf(Comment);
    const sd = spec.get('stringData') as TreeMap;
    expect(sd.items.map((i) => (i instanceof Comment ? `#${i.value}` : i.key))).toEqual([
      'a',
      '# about b',
      'b',
    ]);
  });

  it('property: any key order in the source, after the API server sorts and adds fields, still verifies', async () => {
    const key = fc.stringMatching(/^[A-Za-z0-9][-._A-Za-z0-9]{0,11}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(key, fc.string({ maxLength: 20 })), {
          maxLength: 6,
          selector: ([k]) => k,
        }),
        fc.uniqueArray(fc.tuple(key, fc.uint8Array({ maxLength: 16 })), {
          maxLength: 4,
          selector: ([k]) => k,
        }),
        fc.dictionary(fc.stringMatching(/^[a-z][a-z./-]{0,15}$/), fc.string({ maxLength: 10 }), {
          maxKeys: 3,
        }),
        async (strings, bytes, labels) => {
          const spec = {
            stringData: Object.fromEntries(strings),
            data: Object.fromEntries(bytes.map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
          };
          const enc = await encrypt(sopsSecret(spec));
          // kubectl + API server: every key sorted; server fields, status and tracking labels added.
          const served = sortedKeys({
            ...enc,
            metadata: {
              ...(enc['metadata'] as object),
              uid: '0b6e-uid',
              resourceVersion: '42',
              generation: 1,
              labels,
              annotations: {
                'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(enc),
              },
            },
            status: { conditions: [{ type: 'Ready', status: 'False' }] },
          }) as Record<string, unknown>;
          const { secret } = await open(served);
          const want: Record<string, string> = {};
          for (const [k, v] of bytes) want[k] = Buffer.from(v).toString('base64');
          for (const [k, v] of strings) want[k] = Buffer.from(v).toString('base64');
          expect(secret.data).toEqual(want);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('openSopsSecret', () => {
  it('builds the Secret: stringData wins over data, template type, labels and immutable', async () => {
    const enc = await encrypt(
      sopsSecret({
        template: {
          type: 'kubernetes.io/basic-auth',
          immutable: true,
          metadata: { labels: { a: 'b' } },
        },
        data: { username: Buffer.from('from-data').toString('base64'), extra: 'AAE=' },
        stringData: { username: 'from-stringData', password: 'pw' },
      }),
    );
    const { secret } = await open(enc);
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'app', namespace: 'ns', labels: { a: 'b' } },
      type: 'kubernetes.io/basic-auth',
      immutable: true,
      data: {
        username: Buffer.from('from-stringData').toString('base64'),
        extra: 'AAE=',
        password: Buffer.from('pw').toString('base64'),
      },
    });
  });

  it('spec.data that is not base64 once decrypted is refused, naming the key but not the value', async () => {
    const enc = await encrypt(sopsSecret({ data: { token: 'not base64 SECRET-VALUE!' } }));
    const err = (await open(enc).catch((e: unknown) => e)) as SealbridgeError;
    expect(err.code).toBe('INVALID_BASE64');
    expect(err.message).toContain('spec.data.token');
    expect(err.message).not.toContain('SECRET-VALUE');
  });

  it('requires mac_only_encrypted and a MAC over exactly the payload', async () => {
    const enc = await encrypt(sopsSecret({ stringData: { a: 'x', b: 'y' } }));
    const sops = enc['sops'] as Record<string, unknown>;
    expect(sops['mac_only_encrypted']).toBe(true);
    expect(sops['encrypted_regex']).toBe('^(data|stringData)$');
    const noFlag = { ...enc, sops: { ...sops, mac_only_encrypted: undefined } };
    await expect(open(noFlag)).rejects.toMatchObject({ code: 'SOPS_METADATA_INVALID' });
    const spec = enc['spec'] as { stringData: Record<string, string> };
    const dropped = { ...enc, spec: { stringData: { a: spec.stringData['a'] } } };
    await expect(open(dropped)).rejects.toMatchObject({ code: 'SOPS_MAC_MISMATCH' });
    // A value moved to another key no longer decrypts (its path is its AAD).
    const moved = {
      ...enc,
      spec: { stringData: { a: spec.stringData['b'], b: spec.stringData['a'] } },
    };
    await expect(open(moved)).rejects.toBeInstanceOf(SealbridgeError);
  });

  it('validation names the field: no sops block, a nested value, a foreign key namespace', () => {
    const base = {
      apiVersion: 'sealbridge.io/v1alpha1',
      kind: 'SopsSecret',
      metadata: { name: 'x' },
    };
    expect(() => validateSopsSecret({ ...base, spec: {} }, 'f')).toThrow(/no sops metadata block/);
    expect(() =>
      validateSopsSecret({ ...base, spec: { stringData: { a: { b: 1 } } }, sops: {} }, 'f'),
    ).toThrow(/spec.stringData.a must be a scalar/);
    expect(() =>
      validateSopsSecret(
        {
          ...base,
          spec: { decryption: { secretRef: { name: 'k', namespace: 'other' } } },
          sops: {},
        },
        'f',
      ),
    ).toThrow(/namespace is not allowed/);
    expect(() =>
      validateSopsSecret(
        parseYaml('kind: Secret\napiVersion: v1\n') as Record<string, unknown>,
        'f',
      ),
    ).toThrow(/expected a SopsSecret/);
  });
});

describe('fixing a SopsSecret with sealbridge sops', () => {
  it('rotate -i re-encrypts one that sops wrote with the payload out of order, so it verifies', async () => {
    // As sops writes it from a hand-edited file with the documented rule: payload out of order.
    const res = await encryptDocument(
      JSON.stringify({ ...sopsSecret({ stringData: { b: 'two', a: 'one' } }), kind: 'Other' }),
      {
        format: 'json',
        keyGroups: [[ageKey(age.recipient)]],
        keys: keySourceFromMaterial({}),
        rules: { encryptedRegex: '^(data|stringData)$' },
        macOnlyEncrypted: true,
      },
    );
    const broken = res.output.toString().replace('"kind": "Other"', '"kind": "SopsSecret"');
    await expect(open(JSON.parse(broken) as Record<string, unknown>)).rejects.toMatchObject({
      code: 'SOPS_MAC_MISMATCH',
    });
    const dir = mkdtempSync(join(tmpdir(), 'sb-fix-'));
    writeFileSync(join(dir, 'app.json'), broken);
    const rot = await runCli(['sops', 'rotate', '-i', 'app.json'], {
      cwd: dir,
      env: { HOME: '/nonexistent', SOPS_AGE_KEY: age.identity },
    });
    expect(rot.stderr).toBe('');
    const fixed = JSON.parse(readFileSync(join(dir, 'app.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys((fixed['spec'] as { stringData: object }).stringData)).toEqual(['a', 'b']);
    const { secret } = await open(sortedKeys(fixed) as Record<string, unknown>);
    expect(Buffer.from(secret.data['b'] ?? '', 'base64').toString()).toBe('two');
  });
});
