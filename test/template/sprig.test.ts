// Sprig functions as ESO's engine v2 exposes them (strings in, strings out). Expected strings in
// SPRIG_CASES are what Go 1.19 + Sprig 3.2.3 print for the same template and data. The cases after
// them are where Sealbridge deliberately differs from Sprig, each with the reason.
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../src/template/index.ts';
import { bcryptVerify } from '../../src/template/crypto/bcrypt.ts';
import { stringContext } from '../../src/template/values.ts';
import { SealbridgeError } from '../../src/errors.ts';

interface Case {
  readonly tpl: string;
  readonly data?: unknown;
  readonly strings?: boolean;
  readonly want: string;
}

function render(c: Omit<Case, 'want'>): string {
  const t = parseTemplate(c.tpl, { name: 't' });
  return t.execute(c.strings === true ? stringContext(c.data as Record<string, string>) : c.data);
}

const SPRIG_CASES: readonly Case[] = [
  {
    tpl: '{{ .a | b64enc }} {{ "aGVsbG8=" | b64dec }} {{ "" | b64enc }}',
    data: { a: 'hello world' },
    want: 'aGVsbG8gd29ybGQ= hello ',
  },
  {
    tpl: '{{ toJson . }}',
    data: {
      b: [1, 'x', null, true],
      a: { '<>&': '  \t\n\u0001' },
      f: 1e-7,
      g: 1e21,
      h: 0.1,
      i: 100,
    },
    want: '{"a":{"\\u003c\\u003e\\u0026":"\\u2028 \\t\\n\\u0001"},"b":[1,"x",null,true],"f":1e-7,"g":1e+21,"h":0.1,"i":100}',
  },
  {
    tpl: '{{ toPrettyJson . }}|{{ toRawJson . }}',
    data: { b: [1, { c: '<' }], a: {}, e: [] },
    want: '{\n  "a": {},\n  "b": [\n    1,\n    {\n      "c": "\\u003c"\n    }\n  ],\n  "e": []\n}|{"a":{},"b":[1,{"c":"<"}],"e":[]}',
  },
  {
    tpl: '{{ (fromJson .j).a }} {{ (fromJson .j).n }} {{ (fromJson .j).l }} {{ fromJson "nope" }}',
    data: { j: '{"a":"x","n":1000000,"l":[1,2.5]}' },
    want: 'x 1e+06 [1 2.5] <no value>',
  },
  {
    tpl: '{{ .x | toString }} {{ 5 | toString }} {{ toString 1.5 }} {{ toString nil }} {{ toString (list 1 "a") }}',
    data: { x: 's' },
    want: 's 5 1.5 <nil> [1 a]',
  },
  {
    tpl: '{{ default "d" .a }} {{ default "d" .b }} {{ .c | default "dd" }} {{ default 5 0 }} {{ default "x" (list) }}',
    data: { a: '', b: 'v', c: null },
    want: 'd v dd 5 x',
  },
  {
    tpl: '{{ empty "" }} {{ empty 0 }} {{ empty (dict) }} {{ empty "a" }} {{ empty nil }} {{ empty false }} {{ empty 0.0 }}',
    want: 'true true true false true true true',
  },
  {
    tpl: '{{ coalesce "" 0 "x" "y" }} {{ coalesce nil "" }}|{{ ternary "a" "b" true }} {{ ternary "a" "b" false }} {{ true | ternary 1 2 }}',
    want: 'x <no value>|a b 1',
  },
  {
    tpl: '{{ replace "a" "b" "banana" }} {{ "banana" | replace "an" "AN" }} {{ replace "" "-" "abc" }}',
    want: 'bbnbnb bANANa -a-b-c-',
  },
  {
    tpl: '{{ quote "a\\"b" 1 nil "c" }} {{ squote "a" 2 }} {{ quote }} {{ .a | quote }}',
    data: { a: 'x\ny' },
    want: '"a\\"b" "1" "c" \'a\' \'2\'  "x\\ny"',
  },
  {
    tpl: '{{ contains "ell" "hello" }} {{ hasPrefix "he" "hello" }} {{ hasSuffix "lo" "hello" }} {{ contains "z" "hello" }}',
    want: 'true true true false',
  },
  {
    tpl: '{{ split "$" "foo$bar$baz" }} {{ (split "," "a,b")._1 }} {{ splitList "," "a,b,,c" }} {{ splitList "" "héy" }}',
    want: 'map[_0:foo _1:bar _2:baz] b [a b  c] [h é y]',
  },
  {
    tpl: '{{ join "," (list "a" 1 nil true) }} {{ list 1 "a" (list 2) }} {{ join "-" "solo" }}',
    want: 'a,1,true [1 a [2]] solo',
  },
  {
    tpl: '{{ $d := dict "a" 1 "b" "two" "c" }}{{ $d }} {{ get $d "a" }} {{ get $d "zz" }} {{ hasKey $d "b" }} {{ hasKey $d "q" }} {{ keys $d | sortAlpha }}',
    want: 'map[a:1 b:two c:] 1  true false [a b c]',
  },
  {
    tpl: '{{ "a\\nb" | indent 2 }}|{{ "a\\nb" | nindent 4 }}|{{ indent 0 "x" }}',
    want: '  a\n  b|\n    a\n    b|x',
  },
  {
    tpl: '{{ sha256sum "hello" }} {{ sha1sum "hello" }} {{ adler32sum "hello" }} {{ b32enc "hello" }} {{ b32dec "NBSWY3DP" }}',
    want: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d 103547413 NBSWY3DP hello',
  },
  { tpl: '{{ printf "%s=%d" "a" 1 | quote }} {{ print "x" | upper }}', want: '"a=1" X' },
  { tpl: '{{ indent 2.0 "x" }}', want: '  x' },
  {
    tpl: '{{ trunc 3 "abcdef" }} {{ trunc -2 "abcdef" }} {{ trunc 10 "ab" }} {{ substr 1 3 "abcdef" }} {{ substr -1 2 "abc" }} {{ substr 1 -1 "abc" }}',
    want: 'abc ef ab bc ab bc',
  },
  {
    tpl: '{{ cat "a" 1 nil "b" }} {{ repeat 3 "ab" }} {{ nospace " a b\tc " }} {{ title "hello world-foo bar_baz" }}',
    want: 'a 1 b ababab abc Hello World-Foo Bar_baz',
  },
  {
    tpl: '{{ first (list 1 2) }} {{ last (list 1 2) }} {{ rest (list 1 2 3) }} {{ initial (list 1 2 3) }} {{ append (list 1) 2 }} {{ prepend (list 1) 0 }} {{ concat (list 1) (list 2 3) }}',
    want: '1 2 [2 3] [1 2] [1 2] [0 1] [1 2 3]',
  },
  {
    tpl: '{{ uniq (list 1 1 "a" "a" 2) }} {{ has 2 (list 1 2) }} {{ has "x" (list 1) }} {{ without (list 1 2 3 2) 2 }} {{ compact (list 0 "" 1 nil "a") }} {{ reverse (list 1 2 3) }}',
    want: '[1 a 2] true false [1 3] [1 a] [3 2 1]',
  },
  {
    tpl: '{{ until 3 }} {{ atoi "42" }} {{ atoi "x" }} {{ int "7" }} {{ int 3.9 }} {{ add 1 2 "3" }} {{ sub 5 2 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }} {{ add1 1 }} {{ max 1 5 3 }} {{ min 4 2 8 }}',
    want: '[0 1 2] 42 0 7 3 6 3 24 3 1 2 5 2',
  },
  {
    tpl: '{{ regexMatch "^[a-z]+[0-9]?$" "abc1" }} {{ regexMatch "^a(" "a" }} {{ regexFind "[0-9]+" "ab123cd45" }} {{ regexFindAll "[0-9]+" "a1b22c333" -1 }} {{ regexFindAll "[0-9]+" "a1b22c333" 2 }}',
    want: 'true false 123 [1 22 333] [1 22]',
  },
  {
    tpl: '{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }} {{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }} {{ regexSplit "z+" "pizza" -1 }} {{ regexSplit "z+" "pizza" 1 }} {{ regexQuoteMeta "1.5+x" }}',
    want: '-W-xxW- --- -${1}-${1}- [pi a] [pizza] 1\\.5\\+x',
  },
  {
    tpl: '{{ regexReplaceAll "x*" "abc" "-" }} {{ regexReplaceAll "(?P<first>\\\\w+) (?P<last>\\\\w+)" "John Smith" "$last, $first" }} {{ regexFindAll "a*" "baaab" -1 }} {{ regexSplit "" "abc" -1 }}',
    want: '-a-b-c- Smith, John [ aaa ] [a b c]',
  },
  {
    tpl: '{{ regexMatch "(?i)HeLLo" "hello" }} {{ regexMatch "^\\\\d{2,3}$" "1234" }} {{ regexFind "(a|ab)(c|bcd)(d*)" "abcd" }} {{ regexFind "a+?" "aaa" }} {{ regexMatch "\\\\bfoo\\\\b" "a foo b" }} {{ regexFind "(?s)a.b" "a\\nb" }}|{{ regexFind "(?m)^b$" "a\\nb\\nc" }}',
    want: 'true false abcd a true a\nb|b',
  },
  {
    tpl: '{{ regexMatch "[[:alpha:]]+\\\\pL\\\\p{Greek}" "abcéα" }} {{ regexFind "[^a-c]+" "abcdefabc" }} {{ regexFind "\\\\x41\\\\101\\\\x{42}" "AAB" }} {{ regexReplaceAll "$" "abc" "!" }} {{ regexReplaceAll "^" "abc" "!" }}',
    want: 'true def AAB abc! !abc',
  },
  {
    tpl: '{{ dict "a" 1 | toJson }} {{ list | toJson }} {{ toJson nil }} {{ toJson "s" }}',
    want: '{"a":1} [] null "s"',
  },
  { tpl: '{{ keys . | sortAlpha | join "," }}', data: { z: 1, a: 2 }, want: 'a,z' },
  {
    tpl: '{{ kindOf 1 }} {{ kindOf "a" }} {{ kindOf (list) }} {{ kindOf (dict) }} {{ typeOf 1.5 }} {{ typeOf (list) }}',
    want: 'int string slice map float64 []interface {}',
  },
];

describe('Sprig functions', () => {
  it.each(SPRIG_CASES.map((c) => [c.tpl, c] as const))('%s', (_name, c) => {
    expect(render(c)).toBe(c.want);
  });

  it('renders ESO-style templates over a map[string]string context', () => {
    const data = stringContext({
      username: 'admin',
      password: 'p@ss',
      'dashed-key': 'v',
      config: '{"port": 5432}',
    });
    const t = parseTemplate(
      [
        'url: postgres://{{ .username }}:{{ .password | urlquery }}@db:{{ (fromJson .config).port }}',
        'dashed: {{ index . "dashed-key" | upper }}',
        'auth: {{ printf "%s:%s" .username .password | b64enc }}',
      ].join('\n'),
    );
    expect(t.execute(data)).toBe(
      'url: postgres://admin:p%40ss@db:5432\ndashed: V\nauth: YWRtaW46cEBzcw==',
    );
  });

  it('toYaml and fromYaml (ESO additions) round-trip maps with sorted keys', () => {
    expect(
      render({ tpl: '{{ toYaml . }}', data: { b: [1, 'x'], a: { c: 'd: e' }, n: null } }),
    ).toBe('a:\n  c: "d: e"\nb:\n  - 1\n  - x\nn: null');
    expect(
      render({ tpl: '{{ (fromYaml "a: 1\\nb:\\n  - x\\n").b }} {{ (fromYaml "a: 1").a }}' }),
    ).toBe('[x] 1');
  });

  it('htpasswd produces a bcrypt $2a$10$ entry that verifies', () => {
    const t = parseTemplate('{{ htpasswd .user .pass }}', {
      randomBytes: (n) => new Uint8Array(n).fill(7),
    });
    const out = t.execute({ user: 'alice', pass: 's3cret' });
    const [user, hash] = out.split(':');
    expect(user).toBe('alice');
    expect(hash).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    expect(bcryptVerify(Buffer.from('s3cret'), hash!)).toBe(true);
    expect(bcryptVerify(Buffer.from('s3creT'), hash!)).toBe(false);
    // Deterministic with a fixed salt, fresh with node:crypto's.
    expect(t.execute({ user: 'alice', pass: 's3cret' })).toBe(out);
    const random = parseTemplate('{{ htpasswd "u" "p" }}');
    expect(random.execute({})).not.toBe(random.execute({}));
  });
});

describe('deliberate differences from Sprig', () => {
  const code = (tpl: string, data?: unknown): string => {
    try {
      render({ tpl, data });
      return 'no error';
    } catch (err) {
      return err instanceof SealbridgeError ? err.code : 'not a SealbridgeError';
    }
  };

  it('b64dec of invalid input is an error, not the error text written into the Secret', () => {
    expect(code('{{ "aGVsbG8" | b64dec }}')).toBe('TEMPLATE_EXEC');
    expect(() => render({ tpl: '{{ "a$b" | b64dec }}' })).toThrow(
      /illegal base64 data at input byte 1/,
    );
  });

  it('htpasswd refuses a username with ":" and passwords over 72 bytes instead of emitting text', () => {
    expect(code('{{ htpasswd "a:b" "p" }}')).toBe('TEMPLATE_EXEC');
    expect(code('{{ htpasswd "a" .p }}', { p: 'x'.repeat(73) })).toBe('TEMPLATE_EXEC');
  });

  it('get, hasKey and keys accept any map, including the map[string]string context', () => {
    const data = stringContext({ a: '1' });
    expect(parseTemplate('{{ hasKey . "a" }} {{ get . "a" }} {{ keys . }}').execute(data)).toBe(
      'true 1 [a]',
    );
  });

  it('slice also slices strings (Go builtin semantics)', () => {
    expect(render({ tpl: '{{ slice "abcdef" 1 3 }} {{ slice . 1 }}', data: [1, 2, 3] })).toBe(
      'bc [2 3]',
    );
  });

  it('leaves out functions that read the environment, network, clock or randomness', () => {
    for (const name of [
      'env',
      'expandenv',
      'getHostByName',
      'now',
      'randAlphaNum',
      'uuidv4',
      'genPrivateKey',
    ]) {
      expect(code(`{{ ${name} }}`)).toBe('TEMPLATE_UNKNOWN_FUNCTION');
    }
  });
});
