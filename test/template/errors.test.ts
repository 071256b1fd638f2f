// Error codes, positions and messages. The canary tests plant a secret value in the data and make
// every kind of execution error happen: no message (nor its cause) may contain the value.
import { describe, expect, it } from 'vitest';
import { SealbridgeError } from '../../src/errors.ts';
import { parseTemplate } from '../../src/template/index.ts';
import { stringContext } from '../../src/template/values.ts';

function failure(tpl: string, data: unknown = {}): SealbridgeError {
  try {
    parseTemplate(tpl, { name: 'tls.crt' }).execute(data);
  } catch (err) {
    if (err instanceof SealbridgeError) return err;
    throw new Error('not a SealbridgeError', { cause: err });
  }
  throw new Error(`expected ${tpl} to fail`);
}

describe('template errors', () => {
  it('reports an unknown function at parse time with its name and position', () => {
    const err = failure('line one\n  {{ .a | frobnicate }}');
    expect(err.code).toBe('TEMPLATE_UNKNOWN_FUNCTION');
    expect(err.message).toBe('template: tls.crt:2:11: function "frobnicate" not defined');
  });

  it('reports a missing key with ESO missingkey=error, naming the key', () => {
    const err = failure('{{ .present }}{{ .absent }}', stringContext({ present: 'x' }));
    expect(err.code).toBe('TEMPLATE_MISSING_KEY');
    expect(err.message).toBe(
      'template: tls.crt:1:18: executing "tls.crt" at <.absent>: map has no entry for key "absent"',
    );
  });

  it('reports parse errors with line and column', () => {
    const cases: readonly (readonly [string, string])[] = [
      ['a\nb {{ if }}{{ end }}', 'template: tls.crt:2:9: missing value for if'],
      ['{{ "unterminated }}', 'template: tls.crt:1:4: unterminated quoted string'],
      ['{{ if true }}x', 'template: tls.crt:1:15: unexpected EOF'],
      ['{{ $nope }}', 'template: tls.crt:1:4: undefined variable "$nope"'],
      ['{{ break }}', 'template: tls.crt:1:4: {{break}} outside {{range}}'],
      ['{{/* open', 'template: tls.crt:1:1: unclosed comment'],
      ['{{ .a', 'template: tls.crt:1:6: unclosed action'],
      ['{{ 1__0 }}', 'template: tls.crt:1:4: illegal number syntax: "1__0"'],
      ['{{ end }}', 'template: tls.crt:1:4: unexpected {{end}}'],
    ];
    for (const [tpl, message] of cases) {
      const err = failure(tpl);
      expect(err.code, tpl).toBe('TEMPLATE_PARSE');
      expect(err.message, tpl).toBe(message);
    }
  });

  it('reports execution errors as TEMPLATE_EXEC with the failing command', () => {
    const err = failure('{{ .n | upper }}', { n: 5 });
    expect(err.code).toBe('TEMPLATE_EXEC');
    expect(err.message).toBe(
      'template: tls.crt:1:9: executing "tls.crt" at <upper>: wrong type for value; expected string; got float64',
    );
    expect(failure('{{ eq 1 1.0 }}').message).toContain(
      'at <eq 1 1.0>: error calling eq: incompatible types for comparison',
    );
    expect(failure('{{ template "x" }}').message).toContain('template "x" not defined');
  });

  it('never leaves partial output behind: a failing execution returns nothing', () => {
    const t = parseTemplate('prefix {{ .missing }}');
    expect(() => t.execute({})).toThrow(SealbridgeError);
  });
});

describe('no secret value in any error message', () => {
  const CANARY = 'CANARY-7f3a9c-SECRET';
  const data = {
    secret: CANARY,
    json: `{"a": "${CANARY}", broken`,
    b64: `${CANARY}$$`,
    list: [CANARY],
    map: { k: CANARY },
    num: 3,
  };
  const templates = [
    '{{ .missing }}',
    '{{ .secret.field }}',
    '{{ .map.k.deeper }}',
    '{{ .secret | len | upper }}',
    '{{ upper .map }}',
    '{{ index .list 5 }}',
    '{{ index .list .secret }}',
    '{{ index .map 1 }}',
    '{{ mustFromJson .json }}',
    '{{ .b64 | b64dec }}',
    '{{ b32dec .secret }}',
    '{{ regexFind (printf "%s(" .secret) "x" }}',
    '{{ regexFind "(" .secret }}',
    '{{ mustRegexMatch (printf "[%s" .b64) .secret }}',
    '{{ range .secret }}{{ end }}',
    '{{ lt .secret 1 }}',
    '{{ eq .list .secret }}',
    '{{ eq .secret 1 }}',
    '{{ len .num }}',
    '{{ fail .secret }}',
    '{{ template .secret }}',
    '{{ htpasswd .secret (printf "%s%s%s%s" .secret .secret .secret .secret) }}',
    '{{ htpasswd "a:b" .secret }}',
    '{{ .secret 1 }}',
    '{{ (.secret) 1 }}',
    '{{ slice .secret 1 99 }}',
    '{{ div .num 0 }}',
    '{{ get .secret "a" }}',
    '{{ first .secret }}',
    '{{ fromYaml .json | toJson }}',
    '{{ fromYaml .secret }}',
    '{{ printf "%s" .secret | int | printf "%d" | upper | len | printf "%s" | upper | b64dec }}',
  ];

  it.each(templates)('%s', (tpl) => {
    let err: unknown;
    try {
      parseTemplate(tpl).execute(data);
    } catch (e) {
      err = e;
    }
    // Some templates fail at parse time (which sees no data); all must fail with our error type.
    expect(err).toBeInstanceOf(SealbridgeError);
    const e = err as SealbridgeError;
    expect(e.code).toMatch(/^TEMPLATE_/);
    expect(e.message).not.toContain(CANARY);
    expect(e.cause instanceof Error ? e.cause.message : '').not.toContain(CANARY);
    expect(e.message).not.toContain('7f3a9c');
  });
});
