// `npm run bench -- sops`: encrypt and decrypt a ~10 MB YAML and a ~10 MB JSON document with
// ~100,000 values, against a floor of parsing and stringifying the same text with the same
// library alone (the `yaml` package; JSON.parse/JSON.stringify), measured in the same run.
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { parse as yamlParse, stringify as yamlStringify } from 'yaml';
import { median, rssMiB, type BenchModule, type BenchReporter } from '../helpers/bench.ts';
import { decryptDocument, emitPlain } from '../../src/sops/decrypt.ts';
import { encryptDocument } from '../../src/sops/encrypt.ts';
import type { SopsFormat } from '../../src/sops/formats/index.ts';
import { ageKey } from '../../src/sops/keys/age.ts';
import { keySourceFromMaterial } from '../../src/sops/keys/source.ts';

const GROUPS = 1000;
const PER_GROUP = 100;

/** ~10 MB with GROUPS × PER_GROUP string values of ~75 characters. */
function document(): Record<string, Record<string, string>> {
  const doc: Record<string, Record<string, string>> = {};
  for (let g = 0; g < GROUPS; g++) {
    const group: Record<string, string> = {};
    for (let i = 0; i < PER_GROUP; i++) {
      group[`key_${i}`] =
        `value-${g}-${i}-` + 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(2).slice(0, 60);
    }
    doc[`service_${g}`] = group;
  }
  return doc;
}

async function time(fn: () => unknown): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function measure(fn: () => unknown, rounds: number): Promise<number> {
  const ms: number[] = [];
  for (let r = 0; r < rounds; r++) ms.push(await time(fn));
  return median(ms);
}

async function benchFormat(
  report: BenchReporter,
  format: SopsFormat,
  plain: string,
  rounds: number,
): Promise<void> {
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  const keys = keySourceFromMaterial({ age: [identity] });
  const encOpts = { format, keyGroups: [[ageKey(recipient)]], keys: keySourceFromMaterial({}) };
  const encrypted = (await encryptDocument(plain, encOpts)).output.toString('utf8');
  const values = (encrypted.match(/ENC\[AES256_GCM/g) ?? []).length - 1;
  report.log(
    `${format}: plaintext ${(plain.length / 1e6).toFixed(1)} MB, encrypted ${(encrypted.length / 1e6).toFixed(1)} MB, ${values} encrypted values`,
  );

  const floor = (text: string): (() => unknown) =>
    format === 'yaml'
      ? () => yamlStringify(yamlParse(text))
      : () => JSON.stringify(JSON.parse(text), null, '\t');
  const lib = format === 'yaml' ? 'yaml package' : 'JSON.parse+stringify';

  const floorPlain = await measure(floor(plain), rounds);
  const enc = await measure(() => encryptDocument(plain, encOpts), rounds);
  report.figure({
    name: `${format} floor: ${lib} of the plaintext`,
    value: floorPlain,
    unit: 'ms',
  });
  report.figure({
    name: `${format} encrypt`,
    value: enc,
    unit: 'ms',
    ratio: enc / floorPlain,
    goal: '<= 2x',
    met: enc / floorPlain <= 2,
  });

  const floorEnc = await measure(floor(encrypted), rounds);
  const dec = await measure(
    async () => emitPlain(await decryptDocument(encrypted, { format, keys })),
    rounds,
  );
  report.figure({
    name: `${format} floor: ${lib} of the encrypted file`,
    value: floorEnc,
    unit: 'ms',
  });
  report.figure({
    name: `${format} decrypt (verify MAC, emit plaintext)`,
    value: dec,
    unit: 'ms',
    ratio: dec / floorEnc,
    goal: '<= 2x',
    met: dec / floorEnc <= 2,
  });
}

const bench: BenchModule = {
  title: 'SOPS encrypt/decrypt of ~10 MB documents with ~100,000 values',
  async run(report, args) {
    const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 5);
    const doc = document();
    await benchFormat(report, 'json', JSON.stringify(doc, null, '\t') + '\n', rounds);
    await benchFormat(report, 'yaml', yamlStringify(doc, { indent: 4 }), rounds);
    report.figure({
      name: 'peak RSS',
      value: process.resourceUsage().maxRSS / 1024,
      unit: 'MiB',
      note: `current ${rssMiB().toFixed(0)} MiB`,
    });
  },
};

export default bench;
