// Go text/template behaviour, case by case. Every expected string below is what Go prints: the
// table was checked against Go 1.19's text/template (with missingkey=error) before it was written
// down. Data maps decode as Go's encoding/json does (numbers are float64); `strings: true` makes
// the data a map[string]string, as ESO's template context is.
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../src/template/index.ts';
import { stringContext } from '../../src/template/values.ts';

interface Case {
  readonly tpl: string;
  readonly data?: unknown;
  readonly strings?: boolean;
  readonly missing?: 'default' | 'zero';
  readonly want: string;
}

export function render(c: Omit<Case, 'want'>): string {
  const t = parseTemplate(c.tpl, { name: 't', missingKey: c.missing ?? 'error' });
  const data = c.strings === true ? stringContext(c.data as Record<string, string>) : c.data;
  return t.execute(data);
}

const GO_CASES: readonly Case[] = [
  { tpl: 'hello', want: 'hello' },
  { tpl: '{{ .a }}', data: { a: 'x' }, want: 'x' },
  { tpl: '{{ .a.b }}', data: { a: { b: 1 } }, want: '1' },
  { tpl: '{{ .a }}', data: { a: null }, want: '<no value>' },
  {
    tpl: '{{ 1000000.0 }} {{ 1e6 }} {{ 123456.0 }} {{ 0.0001 }} {{ 0.00001 }} {{ 1.5 }} {{ -2.25e-10 }}',
    want: '1e+06 1e+06 123456 0.0001 1e-05 1.5 -2.25e-10',
  },
  {
    tpl: "{{ 1 }} {{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }} {{ 'a' }} {{ -5 }} {{ 2.0 }}",
    want: '1 31 15 15 5 1000 97 -5 2',
  },
  { tpl: '{{- "a" -}}  b  {{- "c" }}  d {{ "e" -}} \n f', want: 'abc  d ef' },
  { tpl: 'a {{/* comment */}} b {{- /* c2 */ -}} c', want: 'a  bc' },
  { tpl: '{{ if .a }}yes{{ else }}no{{ end }}', data: { a: '' }, want: 'no' },
  {
    tpl: '{{ if .a }}yes{{ else if .b }}b{{ else }}no{{ end }}',
    data: { a: 0, b: [1] },
    want: 'b',
  },
  {
    tpl: '{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}',
    data: { b: '2', a: '1', c: '3' },
    want: 'a=1;b=2;c=3;',
  },
  { tpl: '{{ range . }}[{{ . }}]{{ else }}empty{{ end }}', data: [], want: 'empty' },
  { tpl: '{{ range $i, $e := . }}{{ $i }}:{{ $e }} {{ end }}', data: ['x', 'y'], want: '0:x 1:y ' },
  {
    tpl: '{{ range . }}{{ if eq . 3.0 }}{{ break }}{{ end }}{{ . }}{{ end }}',
    data: [1, 2, 3, 4],
    want: '12',
  },
  {
    tpl: '{{ range . }}{{ if eq . 2.0 }}{{ continue }}{{ end }}{{ . }}{{ end }}',
    data: [1, 2, 3],
    want: '13',
  },
  { tpl: '{{ with .a }}{{ . }}{{ else }}none{{ end }}', data: { a: 'v' }, want: 'v' },
  { tpl: '{{ with .a }}{{ . }}{{ else }}none{{ end }}', data: { a: false }, want: 'none' },
  { tpl: '{{ define "x" }}X{{ . }}{{ end }}{{ template "x" "y" }}', want: 'Xy' },
  { tpl: '{{ block "b" . }}B{{ .a }}{{ end }}', data: { a: 1 }, want: 'B1' },
  { tpl: '{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}', want: '2' },
  { tpl: '{{ $x := "a" }}{{ range . }}{{ $x = . }}{{ end }}{{ $x }}', data: ['p', 'q'], want: 'q' },
  {
    tpl: '{{ eq 1 1 }} {{ eq 1 2 3 1 }} {{ ne "a" "b" }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }}',
    want: 'true true true true true true false',
  },
  { tpl: '{{ eq .a nil }}', data: { a: null }, want: 'true' },
  {
    tpl: '{{ len "héllo" }} {{ len . }} {{ index . 1 }} {{ index "abc" 1 }}',
    data: ['a', 'b'],
    want: '6 2 b 98',
  },
  {
    tpl: '{{ index . "a" "b" }} {{ index . "zz" }}',
    data: { a: { b: 'c' } },
    want: 'c <no value>',
  },
  { tpl: '{{ index . "zz" }}|{{ index . "a" }}', data: { a: 'b' }, strings: true, want: '|b' },
  { tpl: '{{ print 1 2 "a" 3 "b" "c" nil }}|{{ println 1 "a" }}|', want: '1 2a3bc<nil>|1 a\n|' },
  {
    tpl: '{{ printf "%s|%d|%v|%q|%x|%X|%f|%t|%%|%5s|%-5s|%05d|%.2f|%8.3f|%+d|%e|%g|%o|%b|%c|%U" "s" 42 true "q\\n" "hi" 255 3.14159 false "r" "l" -42 2.5 3.14159 5 1234.5678 0.00001234 8 5 65 65 }}',
    want: 's|42|true|"q\\n"|6869|FF|3.141590|false|%|    r|l    |-0042|2.50|   3.142|+5|1.234568e+03|1.234e-05|10|101|A|U+0041',
  },
  {
    tpl: '{{ printf "%d %s" "x" 5 }} {{ printf "%d" }} {{ printf "%d" 1 2 }} {{ printf "%v %v" . nil }}',
    data: { a: [1, 'b', null], c: { d: true } },
    want: '%!d(string=x) %!s(int=5) %!d(MISSING) 1%!(EXTRA int=2) map[a:[1 b <nil>] c:map[d:true]] <nil>',
  },
  { tpl: '{{ printf "%.0f %.0f %.0f %.1f %.2f" 0.5 1.5 2.5 0.25 1.005 }}', want: '0 2 2 0.2 1.00' },
  {
    tpl: '{{ printf "%x % x %#x %X %q %#q %08.3f %+.2e %10.4g|%-10d|" "abc" "abc" "abc" 3054 "a\\"b" "ab" -3.14159 12345.678 0.000123456 7 }}',
    want: '616263 61 62 63 0x616263 BEE "a\\"b" `ab` -003.142 +1.23e+04  0.0001235|7         |',
  },
  {
    tpl: '{{ . }}',
    data: { m: { b: [1, 2], a: 'x' }, n: null, f: 1e21, g: 100000 },
    want: 'map[f:1e+21 g:100000 m:map[a:x b:[1 2]] n:<nil>]',
  },
  {
    tpl: '{{ html "<a href=\'x\'>&\\"" }} {{ js "a\'b\\"c<d>\\n=" }} {{ urlquery "a b&c=d/é~" }}',
    want: '&lt;a href=&#39;x&#39;&gt;&amp;&#34; a\\\'b\\"c\\u003Cd\\u003E\\u000A\\u003D a+b%26c%3Dd%2F%C3%A9~',
  },
  { tpl: '{{ (index . "a").b }} {{ $x := . }}{{ $x.a.b }}', data: { a: { b: 'c' } }, want: 'c c' },
  { tpl: '{{ .a | printf "%s-%s" "x" }}', data: { a: 'y' }, want: 'x-y' },
  { tpl: '{{ "a" | len }} {{ . | len }}', data: [1, 2, 3], want: '1 3' },
  { tpl: '{{ 1.5 | printf "%d" }}', want: '%!d(float64=1.5)' },
  { tpl: '{{ ( 1 ) }} {{ (.a) }} {{ (len "ab") }}', data: { a: 'z' }, want: '1 z 2' },
  { tpl: '{{ `raw\\n` }} {{ "\\u00e9\\x41\\101" }}', want: 'raw\\n éAA' },
  { tpl: '{{ .a }}', data: { b: 1 }, missing: 'default', want: '<no value>' },
  { tpl: '{{ .a }}', data: { b: '1' }, strings: true, missing: 'zero', want: '' },
  { tpl: '{{ if and .a (index .a 0) }}t{{ end }}', data: { a: [] }, want: '' },
  {
    tpl: '{{- range $i, $v := . -}}\n  {{ $i }}{{ $v }}\n{{- end }}',
    data: ['a', 'b'],
    want: '0a1b',
  },
  { tpl: '{{ $x := 1 }}{{ $x := 2 }}{{ $x }}', want: '2' },
  { tpl: '{{ with $x := .a }}{{ $x }}{{ end }}', data: { a: 'q' }, want: 'q' },
  { tpl: '{{ if $x := .a }}{{ $x }}{{ else }}{{ $x }}{{ end }}', data: { a: 0 }, want: '0' },
  {
    tpl: '{{ printf "%v %v %v" 1e21 1e20 123456789.0 }} {{ printf "%g %G %e" 1e-7 1e100 0.0 }}',
    want: '1e+21 1e+20 1.23456789e+08 1e-07 1E+100 0.000000e+00',
  },
  {
    tpl: '{{ printf "%5.1s|%.3s|%-4q|%3c|%x" "abc" "héllo" "a" 66 -255 }}',
    want: '    a|hél|"a" |  B|-ff',
  },
  { tpl: '{{ printf "%*d|%-*d|%.*f" 5 1 4 2 2 3.14159 }}', want: '    1|2   |3.14' },
  {
    tpl: '{{ printf "%!" }} {{ printf "%z" 1 }} {{ printf "%d" nil }} {{ printf "%s" true }}',
    want: '%!!(MISSING) %!z(int=1) %!d(<nil>) %!s(bool=true)',
  },
  { tpl: '{{ with .a }}{{ .b }}{{ end }}', data: { a: { b: 'in' } }, want: 'in' },
  {
    tpl: '{{ range $i, $v := . }}{{ if $i }},{{ end }}{{ $v }}{{ end }}',
    data: ['a', 'b', 'c'],
    want: 'a,b,c',
  },
  {
    tpl: '{{ range . }}{{ range . }}{{ . }}{{ end }};{{ end }}',
    data: [[1, 2], [3]],
    want: '12;3;',
  },
  {
    tpl: '{{ range $k, $v := .m }}{{ $k }}{{ range $v }}{{ . }}{{ end }}{{ end }}',
    data: { m: { x: ['1', '2'], a: ['3'] } },
    want: 'a3x12',
  },
  {
    tpl: '{{ define "a" }}A{{ end }}{{ define "b" }}B{{ template "a" }}{{ end }}{{ template "b" }}',
    want: 'BA',
  },
  { tpl: 'x{{ block "bl" "v" }}[{{ . }}]{{ end }}y', want: 'x[v]y' },
  { tpl: '{{ $ }}', data: { a: 'b' }, want: 'map[a:b]' },
  { tpl: '{{ range .l }}{{ $.p }}{{ . }}{{ end }}', data: { p: '-', l: ['a', 'b'] }, want: '-a-b' },
  { tpl: "{{ \"a\\tb\" }}|{{ 'x' }}|{{ '\\n' }}|{{ '\\u00e9' }}", want: 'a\tb|120|10|233' },
  {
    tpl: '{{ printf "%q" "héllo\\x00\\u2028" }} {{ printf "%q" \'é\' }} {{ printf "%U %#U" 233 233 }}',
    want: "\"héllo\\x00\\u2028\" 'é' U+00E9 U+00E9 'é'",
  },
  {
    tpl: '{{ printf "%6.2f|%-8.3e|%+g|% d|% d" 3.14159 1234.5 2.5 5 -5 }}',
    want: '  3.14|1.234e+03|+2.5| 5|-5',
  },
  {
    tpl: '{{ printf "%v|%s|%d" (list 1 2) (list "a" "b") (list 1 2) }}',
    want: '[1 2]|[a b]|[1 2]',
  },
  { tpl: '{{ printf "%v" (dict "b" 1 "a" (list nil)) }}', want: 'map[a:[<nil>] b:1]' },
  {
    tpl: '{{ printf "%T %T %T %T %T" 1 1.5 "s" true nil }}',
    want: 'int float64 string bool <nil>',
  },
  {
    tpl: '{{ printf "%.3g %.3g %.3g %.10g %g" 1234.5678 0.00012345 100.0 1.0 100000000.0 }}',
    want: '1.23e+03 0.000123 100 1 1e+08',
  },
  { tpl: '{{ printf "%.2f %.3f %.1f %.0f" 2.675 1.0005 0.05 -0.5 }}', want: '2.67 1.000 0.1 -0' },
  {
    tpl: '{{ printf "%e %E %.0e" 123456.789 0.000123 5.5 }}',
    want: '1.234568e+05 1.230000E-04 6e+00',
  },
  {
    tpl: '{{ printf "%x %X %o %b %#o %#b %08b" 255 255 8 5 8 5 5 }}',
    want: 'ff FF 10 101 010 0b101 00000101',
  },
  {
    tpl: '{{ printf "%5t|%-7v|%07.2f|%+08d" true "ab" -1.5 42 }}',
    want: ' true|ab     |-001.50|+0000042',
  },
  {
    tpl: '{{ 0.1 }} {{ 1e100 }} {{ 1.7976931348623157e308 }} {{ 5e-324 }} {{ 123456789.0 }} {{ 12345678.9 }}',
    want: '0.1 1e+100 1.7976931348623157e+308 5e-324 1.23456789e+08 1.23456789e+07',
  },
  { tpl: '{{ -0.0 }} {{ 1e-5 }} {{ 0.0001234 }} {{ 100.0 }}', want: '-0 1e-05 0.0001234 100' },
  {
    tpl: '{{ 9223372036854775807 }} {{ -9223372036854775808 }}',
    want: '9223372036854775807 -9223372036854775808',
  },
  { tpl: '{{ 0x1p-2 }} {{ 0x1.8p1 }} {{ 1e3 }}', want: '0.25 3 1000' },
  { tpl: '{{ .a }}{{ .b }}', data: { a: true, b: false }, want: 'truefalse' },
  {
    tpl: '{{ if not .a }}n{{ end }}{{ if and .a .b }}ab{{ end }}{{ if or .a .b }}o{{ end }}',
    data: { a: true, b: 0 },
    want: 'o',
  },
  { tpl: '{{ and 0 (index . 99) }} {{ or 1 (index . 99) }}', data: [], want: '0 1' },
  { tpl: '{{ len (index . "a") }}', data: { a: 'xyz' }, want: '3' },
  {
    tpl: '{{ eq .a .b }} {{ eq .a "x" "y" }} {{ ne 1 2 }}',
    data: { a: 'y', b: 'y' },
    want: 'true true true',
  },
  {
    tpl: '{{ lt "a" "b" }} {{ lt "é" "z" }} {{ lt 1.5 1.25 }} {{ le "b" "b" }} {{ gt 2 1 }}',
    want: 'true false false true true',
  },
  {
    tpl: '{{ $x := . }}{{ with $y := .a }}{{ $y }}{{ $x.a }}{{ end }}',
    data: { a: 'q' },
    want: 'qq',
  },
  { tpl: '{{ range $x := . }}{{ $x }}{{ end }}', data: { b: 2, a: 1 }, want: '12' },
  { tpl: '{{ range $k, $v := . }}{{ break }}{{ end }}ok', data: { a: 1 }, want: 'ok' },
  { tpl: 'a\n{{- /* c */}}\nb', want: 'a\nb' },
  { tpl: '{{/* only */}}', want: '' },
  { tpl: '{{ .a.b.c }}', data: { a: { b: { c: 'deep' } } }, want: 'deep' },
  { tpl: '{{ (index .l 0).n }}', data: { l: [{ n: 'first' }] }, want: 'first' },
  { tpl: '{{ .a | not }}', data: { a: '' }, want: 'true' },
  { tpl: '{{ "abc" | printf "%s %s" "x" }}', want: 'x abc' },
  { tpl: '{{ 1 | printf "%d %d" 2 }}', want: '2 1' },
  {
    tpl: '{{ index . 1 0 }}',
    data: [
      [1, 2],
      [3, 4],
    ],
    want: '3',
  },
  { tpl: '{{ index . }}', data: { a: 1 }, want: 'map[a:1]' },
  {
    tpl: '{{ print }}|{{ print nil }}|{{ print 1.0 2 }}|{{ print "a" "b" 1 2 "c" }}',
    want: '|<nil>|1 2|ab1 2c',
  },
  { tpl: '{{ println }}|{{ println 1 2 }}', want: '\n|1 2\n' },
  { tpl: '{{ urlquery 1 "a b" }} {{ html 1 2 }} {{ js "é\\u0001" }}', want: '1a+b 1 2 é\\u0001' },
];

// Newer than Go 1.19, written from the Go release notes: range over an int (1.22), {{else with}}
// (1.23).
const NEWER_GO: readonly Case[] = [
  { tpl: '{{ range 3 }}{{ . }}{{ end }}', want: '012' },
  { tpl: '{{ range $i := 2 }}<{{ $i }}>{{ end }}', want: '<0><1>' },
  { tpl: '{{ range 0 }}x{{ else }}none{{ end }}', want: 'none' },
  { tpl: '{{ with "" }}x{{ else with "y" }}{{ . }}{{ end }}', want: 'y' },
  { tpl: '{{ with "" }}x{{ else with 0 }}y{{ else }}z{{ end }}', want: 'z' },
];

describe('Go text/template semantics', () => {
  it.each(GO_CASES.map((c) => [c.tpl, c] as const))('%s', (_name, c) => {
    expect(render(c)).toBe(c.want);
  });

  it.each(NEWER_GO.map((c) => [c.tpl, c] as const))('newer Go: %s', (_name, c) => {
    expect(render(c)).toBe(c.want);
  });

  it('parses once and executes many times with different data', () => {
    const t = parseTemplate('{{ .user }}:{{ .pass | b64enc }}');
    expect(t.execute({ user: 'a', pass: 'x' })).toBe('a:eA==');
    expect(t.execute({ user: 'b', pass: 'yy' })).toBe('b:eXk=');
  });

  it('uses custom delimiters, as ESO --template-left/right-delimiter allow', () => {
    const t = parseTemplate('<< .a >> {{ .a }} <<- " x" >>', {
      delims: { left: '<<', right: '>>' },
    });
    expect(t.execute({ a: 'v' })).toBe('v {{ .a }} x');
  });

  it('lists the templates a source defines', () => {
    const t = parseTemplate(
      '{{ define "b" }}{{ end }}{{ define "a" }}x{{ end }}{{ block "c" . }}{{ end }}',
    );
    expect(t.defined).toEqual(['a', 'b', 'c']);
  });

  it('keeps binary values byte-exact through executeBytes', () => {
    const bytes = Uint8Array.from([0xff, 0x00, 0xfe, 0x41]);
    const t = parseTemplate('{{ .bin }}|{{ .b64 | b64dec }}|{{ .bin | b64enc }}');
    const out = t.executeBytes(
      stringContext({ bin: bytes, b64: Buffer.from(bytes).toString('base64') }),
    );
    const expected = Buffer.concat([
      Buffer.from(bytes),
      Buffer.from('|'),
      Buffer.from(bytes),
      Buffer.from('|/wD+QQ=='),
    ]);
    expect(Buffer.from(out).equals(expected)).toBe(true);
  });

  it('returns "" for index of a missing key in a map[string]string and <no value> for a generic map', () => {
    expect(render({ tpl: '[{{ index . "nope" }}]', data: { a: 'b' }, strings: true })).toBe('[]');
    expect(render({ tpl: '[{{ index . "nope" }}]', data: { a: 'b' } })).toBe('[<no value>]');
  });

  it('treats __proto__ and constructor as ordinary keys', () => {
    const data = JSON.parse('{"__proto__": "p", "constructor": "c"}') as unknown;
    expect(render({ tpl: '{{ index . "__proto__" }}{{ .constructor }}{{ toJson . }}', data })).toBe(
      'pc{"__proto__":"p","constructor":"c"}',
    );
    expect(render({ tpl: '{{ (fromJson `{"__proto__":{"x":1}}`).__proto__.x }}' })).toBe('1');
  });
});
