// Property tests: whatever the input, parsing and executing end in output or a SealbridgeError with
// a TEMPLATE_* code; never another exception, a hang or a stack overflow.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SealbridgeError } from '../../src/errors.ts';
import { parseTemplate } from '../../src/template/index.ts';

const TOKENS = [
  '{{',
  '}}',
  '{{-',
  ' -}}',
  '{{/*',
  '*/}}',
  ' ',
  '\n',
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
  '.',
  '.a',
  '.b.c',
  '$',
  '$x',
  '$x :=',
  '$x =',
  '$k, $v :=',
  '|',
  '(',
  ')',
  ',',
  '"s"',
  '`raw`',
  "'c'",
  '"\\x80"',
  '1',
  '-2',
  '1.5',
  '0x1F',
  '1e3',
  'nil',
  'true',
  'false',
  'printf "%d %s %v"',
  'print',
  'index',
  'len',
  'slice',
  'and',
  'or',
  'not',
  'eq',
  'lt',
  'b64enc',
  'b64dec',
  'toJson',
  'fromJson',
  'dict',
  'list',
  'default',
  'upper',
  'quote',
  'indent 2',
  'replace "a" "b"',
  'split ","',
  'regexFind "a+"',
  'htpasswd',
  'until 5',
  'repeat 3',
  '"x"',
];

const tokenTemplate = fc
  .array(fc.constantFrom(...TOKENS), { maxLength: 40 })
  .map((xs) => xs.join(''));
const anyTemplate = fc.oneof(
  tokenTemplate,
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
);

const DATA = {
  a: 'alpha',
  b: { c: [1, 'two', null, { d: true }] },
  list: ['x', 'y'],
  n: 42,
  s: 'a,b,c',
};

function attempt(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof SealbridgeError)) throw err;
    expect(err.code).toMatch(/^TEMPLATE_/);
    expect(err.message).not.toContain('\n');
  }
}

describe('template fuzzing', () => {
  it('parses and executes arbitrary input to output or a typed error', () => {
    fc.assert(
      fc.property(anyTemplate, (text) => {
        attempt(() => {
          const t = parseTemplate(text, {
            limits: { maxSteps: 20_000, maxOutputBytes: 100_000 },
            randomBytes: (n) => new Uint8Array(n),
          });
          attempt(() => t.execute(DATA));
          attempt(() => t.execute(null));
          attempt(() => t.execute(['q']));
        });
      }),
      { numRuns: 4000 },
    );
  });

  it('survives pathological nesting of every kind', () => {
    const deep = [
      '{{' + ' ('.repeat(20_000) + ' }}',
      '{{ if 1 }}'.repeat(20_000),
      '{{ range . }}'.repeat(20_000) + '{{ end }}'.repeat(20_000),
      '{{ define "a" }}{{ template "a" (list . .) }}{{ end }}{{ template "a" . }}',
      '{{ .' + 'a.'.repeat(50_000) + 'a }}',
      '{{ ' + '"x" | printf "%s%s" . | '.repeat(2000) + 'len }}',
    ];
    for (const text of deep) attempt(() => parseTemplate(text).execute(DATA));
  });
});
