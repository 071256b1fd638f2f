// `npm run bench -- template`: the Go-template interpreter against a hand-written JavaScript
// function that builds the same Secret value (the floor), both measured in this run; bcrypt
// (htpasswd) per hash; and the regexp engine's work on a pattern that is exponential for
// backtracking engines. Medians of several rounds.
import { median, type BenchModule, type BenchReporter } from '../helpers/bench.ts';
import { bcryptHash } from '../../src/template/crypto/bcrypt.ts';
import { GoRegExp } from '../../src/regexp/regexp.ts';
import { parseTemplate } from '../../src/template/template.ts';
import { stringContext } from '../../src/template/values.ts';

const ROUNDS = 7;

const TEMPLATE = [
  'url: postgres://{{ .username }}:{{ .password | urlquery }}@{{ .host }}:5432/{{ index . "db-name" }}',
  'auth: {{ printf "%s:%s" .username .password | b64enc }}',
  '{{- range $k, $v := . }}',
  '{{ $k | upper }}={{ $v | quote }}',
  '{{- end }}',
].join('\n');

const VALUES = {
  username: 'admin',
  password: 'p@ss word',
  host: 'db.internal',
  'db-name': 'orders',
};

/** The same output, written directly in JavaScript. */
function floor(v: typeof VALUES): string {
  const lines = [
    `url: postgres://${v.username}:${encodeURIComponent(v.password).replace(/%20/g, '+')}@${v.host}:5432/${v['db-name']}`,
    `auth: ${Buffer.from(`${v.username}:${v.password}`).toString('base64')}`,
  ];
  for (const k of Object.keys(v).sort())
    lines.push(`${k.toUpperCase()}=${JSON.stringify(v[k as keyof typeof v])}`);
  return lines.join('\n');
}

function opsPerSecond(fn: () => unknown, iterations: number): number {
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    rates.push(iterations / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return median(rates);
}

async function run(report: BenchReporter): Promise<void> {
  const tpl = parseTemplate(TEMPLATE, { name: 'bench' });
  const ctx = stringContext(VALUES);
  if (tpl.execute(ctx) !== floor(VALUES)) throw new Error('bench template and floor disagree');
  const floorRate = opsPerSecond(() => floor(VALUES), 20_000);
  const execRate = opsPerSecond(() => tpl.execute(ctx), 5_000);
  const parseRate = opsPerSecond(() => parseTemplate(TEMPLATE, { name: 'bench' }), 2_000);
  report.figure({
    name: 'floor: hand-written JS building the same value',
    value: floorRate,
    unit: 'ops/s',
  });
  report.figure({
    name: 'execute a parsed ESO-style template',
    value: execRate,
    unit: 'ops/s',
    ratio: execRate / floorRate,
    note: 'ratio = interpreter / hand-written JS',
  });
  report.figure({
    name: 'parse the same template',
    value: parseRate,
    unit: 'ops/s',
    ratio: parseRate / floorRate,
  });

  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    bcryptHash(Buffer.from('password'), { cost: 10, salt: new Uint8Array(16) });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  report.figure({ name: 'bcrypt cost 10 (one htpasswd)', value: median(times), unit: 'ms' });

  for (const n of [1_000, 4_000, 16_000]) {
    const budget = { steps: Number.MAX_SAFE_INTEGER };
    GoRegExp.compile('(a+)+$').exec('a'.repeat(n) + '!', 0, budget);
    const steps = Number.MAX_SAFE_INTEGER - budget.steps;
    report.figure({
      name: `regexp (a+)+$ on ${n} a's then "!": VM steps per input char`,
      value: steps / n,
      unit: 'steps/char',
    });
  }
  await Promise.resolve();
}

const bench: BenchModule = { title: 'Go-template interpreter', run: (report) => run(report) };
export default bench;
