// Runtime helpers the reconciler calls: dataFrom rewrites (Go regexp expansion, transform
// templates), target template rendering with ESO's merge rules, and syncedResourceVersion.
import { describe, expect, it } from 'vitest';
import { parseExternalSecret } from '../../src/api/external-secret-validate.ts';
import { applyRewrites, compileRewrites } from '../../src/api/external-secret-rewrite.ts';
import {
  compileTargetTemplate,
  syncedResourceVersion,
} from '../../src/api/external-secret-render.ts';
import { SealbridgeError } from '../../src/errors.ts';

const b = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const text = (m: Record<string, Uint8Array>): Record<string, string> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));

describe('dataFrom rewrites', () => {
  const data = { 'db-user': b('u'), 'db-pass': b('p'), other: b('o') };

  it('renames keys with Go ReplaceAllString semantics, in order', () => {
    const out = applyRewrites(data, [
      { regexp: { source: '^db-(?P<rest>.*)$', target: 'DB_${rest}' } },
      { regexp: { source: '_', target: '.' } },
      { transform: { template: '{{ .value | lower }}' } },
    ]);
    expect(text(out)).toEqual({ 'db.user': 'u', 'db.pass': 'p', other: 'o' });
    // `$1x` names group "1x" (empty), as in Go: write ${1}x.
    expect(
      Object.keys(applyRewrites({ ab: b('') }, [{ regexp: { source: '(a)', target: '$1x' } }])),
    ).toEqual(['b']);
    expect(
      Object.keys(applyRewrites({ ab: b('') }, [{ regexp: { source: '(a)', target: '${1}x' } }])),
    ).toEqual(['axb']);
  });

  it('refuses two keys that become one, and keys that are not valid Secret keys', () => {
    const clash = () => applyRewrites(data, [{ regexp: { source: '-.*', target: '' } }]);
    expect(clash).toThrow(SealbridgeError);
    expect(clash).toThrow('dataFrom rewrite[0]: keys "db-pass" and "db-user" both become "db"');
    expect(() => applyRewrites(data, [{ transform: { template: '{{ .value }}/x' } }])).toThrow(
      /not a valid Secret key/,
    );
    expect(() => applyRewrites(data, [{ transform: { template: '{{ .nope }}' } }])).toThrow(
      /map has no entry for key "nope"/,
    );
  });

  it('compiles once and applies to many fetches without touching the values', () => {
    const rw = compileRewrites([{ regexp: { source: '^', target: 'p_' } }]);
    expect(text(rw({ a: b('1') }))).toEqual({ p_a: '1' });
    const secret = b('CANARY');
    expect(rw({ k: secret })['p_k']).toBe(secret);
  });
});

describe('target templates', () => {
  const fetched = { username: b('admin'), password: b('s3cr3t'), extra: b('x') };
  const spec = (template: Record<string, unknown> | undefined) =>
    parseExternalSecret({
      apiVersion: 'sealbridge.io/v1alpha1',
      kind: 'ExternalSecret',
      metadata: { name: 'n', namespace: 'ns' },
      spec: {
        secretStoreRef: { name: 's' },
        target: template === undefined ? {} : { template },
        data: [{ secretKey: 'username', remoteRef: { key: 'k' } }],
      },
    }).spec.target.template;

  it('passes fetched data through when there is no template', () => {
    expect(text(compileTargetTemplate(spec(undefined)).render(fetched).data)).toEqual(
      text(fetched),
    );
  });

  it('Replace keeps only the template output; Merge layers it over the fetched keys', () => {
    const t = {
      data: { url: 'https://{{ .username }}@host', username: '{{ .username | upper }}' },
    };
    expect(text(compileTargetTemplate(spec(t)).render(fetched).data)).toEqual({
      url: 'https://admin@host',
      username: 'ADMIN',
    });
    const merged = compileTargetTemplate(spec({ ...t, mergePolicy: 'Merge' })).render(fetched);
    expect(text(merged.data)).toEqual({
      username: 'ADMIN',
      password: 's3cr3t',
      extra: 'x',
      url: 'https://admin@host',
    });
  });

  it('falls back to the fetched data when the template has no data or templateFrom', () => {
    const out = compileTargetTemplate(
      spec({ type: 'kubernetes.io/basic-auth', metadata: { labels: { who: '{{ .username }}' } } }),
    ).render(fetched);
    expect(text(out.data)).toEqual(text(fetched));
    expect(out.type).toBe('kubernetes.io/basic-auth');
    expect(out.labels).toEqual({ who: 'admin' });
  });

  it('renders templateFrom literals as YAML maps into data, labels or annotations; data wins', () => {
    const out = compileTargetTemplate(
      spec({
        templateFrom: [
          { literal: 'a: "{{ .username }}"\nurl: from-literal' },
          { literal: 'team: {{ .extra }}', target: 'Labels' },
          { literal: 'note: "n"', target: 'Annotations' },
        ],
        data: { url: 'from-data' },
      }),
    ).render(fetched);
    expect(text(out.data)).toEqual({ a: 'admin', url: 'from-data' });
    expect(out.labels).toEqual({ team: 'x' });
    expect(out.annotations).toEqual({ note: 'n' });
    const notMap = compileTargetTemplate(spec({ templateFrom: [{ literal: '- a' }] }));
    expect(() => notMap.render(fetched)).toThrow(/must be a YAML map/);
  });

  it('keeps binary values byte-exact and reports missing keys without values', () => {
    const bin = Uint8Array.from([0, 255, 128, 10]);
    const out = compileTargetTemplate(
      spec({ data: { 'ks.jks': '{{ .ks | b64dec }}', raw: '{{ .bin }}' } }),
    ).render({
      ks: b(Buffer.from(bin).toString('base64')),
      bin,
    });
    expect(Buffer.from(out.data['ks.jks']!).equals(Buffer.from(bin))).toBe(true);
    expect(Buffer.from(out.data['raw']!).equals(Buffer.from(bin))).toBe(true);
    const missing = compileTargetTemplate(spec({ data: { x: '{{ .nope }}' } }));
    expect(() => missing.render({ secret: b('CANARY-VALUE') })).toThrow(
      /map has no entry for key "nope"/,
    );
    try {
      missing.render({ secret: b('CANARY-VALUE') });
    } catch (err) {
      expect((err as Error).message).not.toContain('CANARY');
    }
  });
});

describe('syncedResourceVersion', () => {
  it('changes with generation, labels and annotations, and not with key order', () => {
    const a = syncedResourceVersion({ generation: 3, labels: { x: '1', y: '2' }, annotations: {} });
    expect(a).toMatch(/^3-[0-9a-f]{56}$/);
    expect(syncedResourceVersion({ generation: 3, labels: { y: '2', x: '1' } })).toBe(a);
    expect(syncedResourceVersion({ generation: 4, labels: { x: '1', y: '2' } })).not.toBe(a);
    expect(
      syncedResourceVersion({ generation: 3, labels: { x: '1', y: '2' }, annotations: { f: 's' } }),
    ).not.toBe(a);
  });
});
