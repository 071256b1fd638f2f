// Compiles a parsed regexp to a small instruction program and runs it with a Pike VM: all threads
// advance together over the input, one step per character, so matching time is linear in the
// input (times the program size) whatever the pattern. Thread priority gives Go's leftmost-first
// submatch semantics. A step budget bounds the total work per call.
import { isWordCp, type AssertKind, type Pred, type Re } from './syntax.ts';

type Inst =
  | { readonly op: 'char'; readonly pred: Pred }
  | { readonly op: 'split'; x: number; y: number }
  | { readonly op: 'jmp'; to: number }
  | { readonly op: 'save'; readonly slot: number }
  | { readonly op: 'assert'; readonly kind: AssertKind }
  | { readonly op: 'match' };

export const MAX_PROGRAM = 20_000;

export class RegexTooLargeError extends Error {}
export class RegexBudgetError extends Error {}

export interface Program {
  readonly insts: readonly Inst[];
  readonly slots: number;
}

export function compile(re: Re, ncap: number): Program {
  const insts: Inst[] = [];
  const emit = (i: Inst): number => {
    if (insts.length >= MAX_PROGRAM) throw new RegexTooLargeError('expression too large');
    insts.push(i);
    return insts.length - 1;
  };
  const gen = (r: Re): void => {
    switch (r.op) {
      case 'empty':
        return;
      case 'char':
        emit({ op: 'char', pred: r.pred });
        return;
      case 'assert':
        emit({ op: 'assert', kind: r.kind });
        return;
      case 'concat':
        r.subs.forEach(gen);
        return;
      case 'capture':
        emit({ op: 'save', slot: 2 * r.index });
        gen(r.sub);
        emit({ op: 'save', slot: 2 * r.index + 1 });
        return;
      case 'alt': {
        const jumps: { op: 'jmp'; to: number }[] = [];
        r.subs.forEach((sub, k) => {
          if (k < r.subs.length - 1) {
            const split = { op: 'split' as const, x: 0, y: 0 };
            emit(split);
            split.x = insts.length;
            gen(sub);
            const j = { op: 'jmp' as const, to: 0 };
            emit(j);
            jumps.push(j);
            split.y = insts.length;
          } else gen(sub);
        });
        for (const j of jumps) j.to = insts.length;
        return;
      }
      case 'repeat':
        genRepeat(r);
        return;
    }
  };
  const loop = (sub: Re, greedy: boolean): void => {
    const split = { op: 'split' as const, x: 0, y: 0 };
    const top = emit(split);
    gen(sub);
    emit({ op: 'jmp', to: top });
    const body = top + 1;
    const out = insts.length;
    [split.x, split.y] = greedy ? [body, out] : [out, body];
  };
  const optional = (sub: Re, greedy: boolean, nested: number): void => {
    // x{0,n}: (x(x(x)?)?)? so later copies are tried only after earlier ones matched.
    const splits: { op: 'split'; x: number; y: number }[] = [];
    for (let k = 0; k < nested; k++) {
      const split = { op: 'split' as const, x: 0, y: 0 };
      emit(split);
      split.x = insts.length;
      gen(sub);
      splits.push(split);
    }
    const out = insts.length;
    for (const s of splits) {
      const body = s.x;
      [s.x, s.y] = greedy ? [body, out] : [out, body];
    }
  };
  const plus = (sub: Re, greedy: boolean): void => {
    // x+ as Go compiles it: x, then a split back to x. An empty x cannot loop at one position,
    // because the VM visits each instruction once per position.
    const top = insts.length;
    gen(sub);
    const split = { op: 'split' as const, x: 0, y: 0 };
    emit(split);
    [split.x, split.y] = greedy ? [top, insts.length] : [insts.length, top];
  };
  function genRepeat(r: Extract<Re, { op: 'repeat' }>): void {
    if (r.max < 0) {
      // x{n,} is n-1 copies of x then x+ (x{0,} is x*), as Go's simplifier rewrites it.
      if (r.min === 0) loop(r.sub, r.greedy);
      else {
        for (let k = 0; k < r.min - 1; k++) gen(r.sub);
        plus(r.sub, r.greedy);
      }
      return;
    }
    for (let k = 0; k < r.min; k++) gen(r.sub);
    optional(r.sub, r.greedy, r.max - r.min);
  }
  emit({ op: 'save', slot: 0 });
  gen(re);
  emit({ op: 'save', slot: 1 });
  emit({ op: 'match' });
  return { insts, slots: 2 * (ncap + 1) };
}

function assertHolds(kind: AssertKind, text: string, pos: number): boolean {
  const before = pos > 0 ? (text.codePointAt(pos - 1) ?? -1) : -1;
  const prev =
    before >= 0xdc00 && before <= 0xdfff && pos > 1
      ? (text.codePointAt(pos - 2) ?? before)
      : before;
  const next = pos < text.length ? (text.codePointAt(pos) ?? -1) : -1;
  switch (kind) {
    case 'bot':
      return pos === 0;
    case 'eot':
      return pos === text.length;
    case 'bol':
      return pos === 0 || prev === 10;
    case 'eol':
      return pos === text.length || next === 10;
    case 'word':
    case 'nonword': {
      const boundary = (prev >= 0 && isWordCp(prev)) !== (next >= 0 && isWordCp(next));
      return kind === 'word' ? boundary : !boundary;
    }
  }
}

interface Thread {
  readonly pc: number;
  readonly caps: number[];
}

export interface Budget {
  steps: number;
}

/**
 * Finds the leftmost-first match at or after `start`. Returns capture positions (UTF-16 offsets,
 * -1 for groups that did not take part) or undefined. Throws RegexBudgetError past the budget.
 */
export function execute(
  prog: Program,
  text: string,
  start: number,
  budget: Budget,
): number[] | undefined {
  const seen = new Int32Array(prog.insts.length).fill(-1);
  let gen = 1;
  // Follows empty transitions from pc0 in priority order, appending char/match threads to list.
  const add = (list: Thread[], pc0: number, caps0: number[], pos: number): void => {
    const stack: Thread[] = [{ pc: pc0, caps: caps0 }];
    for (let t = stack.pop(); t !== undefined; t = stack.pop()) {
      if (seen[t.pc] === gen) continue;
      seen[t.pc] = gen;
      budget.steps--;
      const inst = prog.insts[t.pc];
      if (inst === undefined) continue;
      switch (inst.op) {
        case 'jmp':
          stack.push({ pc: inst.to, caps: t.caps });
          break;
        case 'split':
          stack.push({ pc: inst.y, caps: t.caps }, { pc: inst.x, caps: t.caps });
          break;
        case 'save': {
          const caps = t.caps.slice();
          caps[inst.slot] = pos;
          stack.push({ pc: t.pc + 1, caps });
          break;
        }
        case 'assert':
          if (assertHolds(inst.kind, text, pos)) stack.push({ pc: t.pc + 1, caps: t.caps });
          break;
        case 'char':
        case 'match':
          list.push(t);
      }
    }
  };
  const empty = new Array<number>(prog.slots).fill(-1);
  let clist: Thread[] = [];
  let matched: number[] | undefined;
  for (let pos = start; ;) {
    if (budget.steps < 0) throw new RegexBudgetError('regular expression too expensive');
    // Until something matched, a new attempt starts here, below every older thread in priority.
    if (matched === undefined) add(clist, 0, empty, pos);
    if (clist.length === 0 && (matched !== undefined || pos >= text.length)) break;
    const cp = pos < text.length ? (text.codePointAt(pos) ?? -1) : -1;
    const width = cp > 0xffff ? 2 : 1;
    const nlist: Thread[] = [];
    gen++;
    for (const t of clist) {
      const inst = prog.insts[t.pc];
      budget.steps--;
      if (inst?.op === 'match') {
        matched = t.caps;
        break; // lower-priority threads are cut: leftmost-first
      }
      if (inst?.op === 'char' && cp >= 0 && inst.pred(cp))
        add(nlist, t.pc + 1, t.caps, pos + width);
    }
    clist = nlist;
    if (pos >= text.length) break;
    pos += width;
  }
  return matched;
}
