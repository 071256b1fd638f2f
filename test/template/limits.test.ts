// Resource limits: a hostile template ends in a TEMPLATE_EXEC/TEMPLATE_PARSE error instead of
// looping, recursing or allocating without bound. (Timeouts here are hang guards only.)
import { describe, expect, it } from 'vitest';
import { SealbridgeError } from '../../src/errors.ts';
import { parseTemplate, type ParseTemplateOptions } from '../../src/template/index.ts';

function failure(
  tpl: string,
  opts: ParseTemplateOptions = {},
  data: unknown = {},
): SealbridgeError {
  try {
    parseTemplate(tpl, opts).execute(data);
  } catch (err) {
    if (err instanceof SealbridgeError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('template resource limits', () => {
  it('stops runaway loops at the step limit', () => {
    const err = failure('{{ range 1000000000 }}{{ end }}');
    expect(err.code).toBe('TEMPLATE_EXEC');
    expect(err.message).toContain('exceeded 1000000 evaluation steps');
    expect(
      failure('{{ range 50 }}{{ range 50 }}x{{ end }}{{ end }}', { limits: { maxSteps: 500 } })
        .code,
    ).toBe('TEMPLATE_EXEC');
  });

  it('stops unbounded recursion at the template depth limit', () => {
    const err = failure('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}');
    expect(err.code).toBe('TEMPLATE_EXEC');
    expect(err.message).toContain('exceeded maximum template depth (50)');
  });

  it('caps the output size', () => {
    const err = failure('{{ range 200 }}0123456789{{ end }}', { limits: { maxOutputBytes: 1000 } });
    expect(err.message).toContain('template output exceeds 1000 bytes');
    expect(
      parseTemplate('{{ range 100 }}0123456789{{ end }}', {
        limits: { maxOutputBytes: 1000 },
      }).execute({}),
    ).toHaveLength(1000);
  });

  it('caps the size of values functions produce, including exponential doubling', () => {
    expect(failure('{{ repeat 100000000 "x" }}').code).toBe('TEMPLATE_EXEC');
    expect(failure('{{ indent 100000000 "x\\ny" }}').code).toBe('TEMPLATE_EXEC');
    expect(failure('{{ "x" | replace "" (repeat 600000 "y") }}').code).toBe('TEMPLATE_EXEC');
    const doubling =
      '{{ $x := "xx" }}{{ range 64 }}{{ $x = printf "%s%s" $x $x }}{{ end }}{{ len $x }}';
    expect(failure(doubling).message).toContain('result exceeds 1048576 bytes');
  });

  it('refuses self-nesting lists and dicts that would take exponential time to print', () => {
    const lists = '{{ $x := list 1 }}{{ range 80 }}{{ $x = list $x $x }}{{ end }}{{ toJson $x }}';
    expect(failure(lists).message).toContain('result exceeds');
    const dicts = '{{ $x := dict }}{{ range 80 }}{{ $x = dict "a" $x "b" $x }}{{ end }}{{ $x }}';
    expect(failure(dicts).message).toContain('result exceeds');
    const deep = '{{ $x := list }}{{ range 200000 }}{{ $x = list $x }}{{ end }}{{ $x }}';
    expect(failure(deep).code).toBe('TEMPLATE_EXEC');
  });

  it('refuses deeply nested source at parse time', () => {
    expect(failure('{{ ' + '('.repeat(5000) + '1' + ')'.repeat(5000) + ' }}').code).toBe(
      'TEMPLATE_PARSE',
    );
    expect(failure('{{ if 1 }}'.repeat(5000) + '{{ end }}'.repeat(5000)).code).toBe(
      'TEMPLATE_PARSE',
    );
    expect(failure('{{ if 1 }}x{{ else if 1 }}'.repeat(3000) + '{{ end }}').code).toBe(
      'TEMPLATE_PARSE',
    );
    expect(failure('x'.repeat(2000), { limits: { maxSourceBytes: 1000 } }).code).toBe(
      'TEMPLATE_PARSE',
    );
  });

  it('refuses data nested deeper than it will walk', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = { a: deep };
    expect(failure('{{ . }}', {}, deep).code).toBe('TEMPLATE_EXEC');
  });

  it('charges bcrypt heavily so a loop of htpasswd calls ends quickly', () => {
    const err = failure('{{ range 1000 }}{{ htpasswd "u" "p" }}{{ end }}', {
      limits: { maxSteps: 120_000 },
    });
    expect(err.message).toContain('evaluation steps');
  });

  it('bounds regular expression work and program size', () => {
    const big = 'a'.repeat(200_000);
    expect(failure('{{ regexMatch "[a-z]{1000}!" .s }}', {}, { s: big }).message).toContain(
      'too expensive',
    );
    expect(failure('{{ regexMatch "(x{1000}){1000}" "x" }}').message).toContain('too large');
  });
});
