// .sops.yaml: lookup, creation-rule selection, key fields of every type, key groups, stores.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSharedTestdata } from '../helpers/shared-testdata.ts';
import { findConfigFile, parseSopsConfig, selectRule } from '../../src/sops/sops-config.ts';
import { SOPS_DIR } from './helpers.ts';

describe.skipIf(!hasSharedTestdata)('.sops.yaml from the corpus', () => {
  it('reads the Flux rules (anchors, encrypted_regex, key_groups, stores)', () => {
    const path = SOPS_DIR('fluxcd-kustomize-controller', '.sops.yaml');
    const cfg = parseSopsConfig(readFileSync(path, 'utf8'), path);
    expect(cfg.stores).toEqual({ yamlIndent: 2, jsonIndent: 2 });
    const dir = SOPS_DIR('fluxcd-kustomize-controller');
    const pgpRule = selectRule(cfg, join(dir, 'algorithms', 'pgp.yaml'));
    expect(pgpRule.rules).toEqual({ encryptedRegex: '^(data|stringData)$' });
    expect(pgpRule.keyGroups[0]!.map((k) => k.fields['fp'])).toEqual([
      '35C1A64CD7FC0AB6EB66756B2445463C3234ECE1',
    ]);
    const yamlRule = selectRule(cfg, join(dir, 'algorithms', 'age.yaml'));
    expect(yamlRule.keyGroups[0]!.map((k) => k.type)).toEqual(['age']);
    const envRule = selectRule(cfg, join(dir, 'envs', 'env.env'));
    expect(envRule.rules).toEqual({});
    const fallback = selectRule(cfg, join(dir, 'other.bin'));
    expect(fallback.keyGroups.map((g) => g.map((k) => k.type))).toEqual([['age'], ['pgp']]);
  });

  it('reads the getsops rules (folded comma lists, empty key_groups)', () => {
    const path = SOPS_DIR('getsops-sops', '.sops.yaml');
    const cfg = parseSopsConfig(readFileSync(path, 'utf8'), path);
    const rule = selectRule(cfg, SOPS_DIR('getsops-sops', 'x.yaml'));
    expect(rule.keyGroups[0]!.map((k) => k.fields['fp'])).toEqual([
      'FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4',
      'D7229043384BCC60326C6FB9D8720D957C3D3074',
    ]);
    const ft = SOPS_DIR('getsops-sops', 'functional-tests', '.sops.yaml');
    const ftCfg = parseSopsConfig(readFileSync(ft, 'utf8'), ft);
    expect(
      selectRule(
        ftCfg,
        SOPS_DIR('getsops-sops', 'functional-tests', 'test_roundtrip_keygroups.yaml'),
      ).keyGroups,
    ).toHaveLength(2);
  });
});

describe('.sops.yaml', () => {
  it('is found by walking up, and .sops.yml is not read', () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-cfg-'));
    mkdirSync(join(root, 'a', 'b', 'c'), { recursive: true });
    writeFileSync(join(root, 'a', '.sops.yaml'), 'creation_rules: []\n');
    writeFileSync(join(root, 'a', 'b', '.sops.yml'), 'creation_rules: []\n');
    expect(findConfigFile(join(root, 'a', 'b', 'c'), existsSync)).toBe(
      join(root, 'a', '.sops.yaml'),
    );
    expect(findConfigFile(root, existsSync)).toBeUndefined();
  });

  it('turns every key type into a master key, and reports bad input', () => {
    const cfg = parseSopsConfig(
      `creation_rules:
  - path_regex: ^secrets/
    kms: arn:aws:kms:us-east-1:1:key/a+arn:aws:iam::1:role/r, arn:aws:kms:eu-west-1:1:key/b
    aws_profile: prod
    gcp_kms: projects/p/locations/l/keyRings/r/cryptoKeys/k
    hc_vault_transit_uri: https://vault:8200/v1/sops/keys/first
    azure_keyvault: https://v.vault.azure.net/keys/k/123
    age: age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29
    shamir_threshold: 2
    mac_only_encrypted: true
`,
      '/x/.sops.yaml',
    );
    const rule = selectRule(cfg, '/x/secrets/a.yaml');
    expect(rule.keyGroups[0]!.map((k) => k.type)).toEqual([
      'kms',
      'kms',
      'gcp_kms',
      'azure_kv',
      'hc_vault',
      'age',
    ]);
    expect(rule.keyGroups[0]![0]!.fields).toMatchObject({
      arn: 'arn:aws:kms:us-east-1:1:key/a',
      role: 'arn:aws:iam::1:role/r',
      aws_profile: 'prod',
    });
    expect(rule.keyGroups[0]![4]!.fields).toMatchObject({
      vault_address: 'https://vault:8200',
      engine_path: 'sops',
      key_name: 'first',
    });
    expect(rule.macOnlyEncrypted).toBe(true);
    expect(() => selectRule(cfg, '/x/other/a.yaml')).toThrow(
      /no creation rule matches other\/a.yaml/,
    );
    expect(() =>
      parseSopsConfig('creation_rules:\n  - encrypted_regex: a\n    unencrypted_suffix: b\n', '/c'),
    ).toThrow(/only one crypt rule/);
    expect(() => parseSopsConfig('creation_rules: {', '/c')).toThrow(/not valid YAML/);
  });
});
