// `npm run bench`: runs every test/bench/*.bench.ts (or those named on the command line), prints
// each figure with its ratio to the floor measured in the same run, and writes .bench/results.json.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchFigure, BenchModule } from '../helpers/bench.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const results: Record<string, BenchFigure[]> = {};
for (const file of files) {
  const mod = (await import(join(here, file))) as { default: BenchModule };
  const figures: BenchFigure[] = [];
  results[file] = figures;
  console.log(`\n## ${mod.default.title} (${file})`);
  await mod.default.run(
    {
      figure: (f) => {
        figures.push(f);
        const ratio = f.ratio === undefined ? '' : `  ratio ${f.ratio.toFixed(3)}`;
        const goal =
          f.goal === undefined ? '' : `  goal ${f.goal} ${f.met === true ? 'MET' : 'NOT MET'}`;
        const note = f.note === undefined ? '' : `  (${f.note})`;
        console.log(`- ${f.name}: ${f.value.toFixed(2)} ${f.unit}${ratio}${goal}${note}`);
      },
      log: (line) => {
        console.log(`  ${line}`);
      },
    },
    args,
  );
}
const out = join(here, '..', '..', '.bench', 'results.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), results }, null, 2) + '\n');
console.log(`\nresults written to ${out}`);
