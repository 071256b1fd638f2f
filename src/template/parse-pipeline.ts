// The pipeline half of the text/template parser (parse.go's pipeline/command/operand/term): variable
// declarations, commands separated by `|`, operands with field chains, literals and parenthesised
// pipelines. Functions are checked here, at parse time, so a typo fails before any data is fetched.
import type { ArgNode, CommandNode, PipeNode } from './ast.ts';
import { parseError, unknownFunctionError, type Source } from './errors.ts';
import { lex, type Delims, type Token } from './lexer.ts';
import { parseNumber, unquoteChar, unquoteString } from './literals.ts';

export interface ParserOptions {
  readonly delims: Delims;
  readonly hasFunction: (name: string) => boolean;
  readonly maxNesting: number;
}

const OPERAND_START: ReadonlySet<Token['type']> = new Set<Token['type']>([
  'bool',
  'charConstant',
  'dot',
  'field',
  'identifier',
  'number',
  'nil',
  'rawString',
  'string',
  'variable',
  'leftParen',
]);

export abstract class PipelineParser {
  protected readonly tokens: Token[];
  protected i = 0;
  protected vars: string[] = ['$'];
  protected depth = 0;
  protected readonly src: Source;
  protected readonly opts: ParserOptions;

  constructor(src: Source, opts: ParserOptions) {
    this.src = src;
    this.opts = opts;
    this.tokens = lex(src, opts.delims);
  }

  protected fail(pos: number, message: string): never {
    throw parseError(this.src, pos, message);
  }

  protected peek(): Token {
    return this.tokens[this.i] ?? this.eofToken();
  }
  protected eofToken(): Token {
    return (
      this.tokens[this.tokens.length - 1] ?? { type: 'eof', value: '', pos: this.src.text.length }
    );
  }
  protected next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length) this.i++;
    return t;
  }
  protected peekNonSpace(): Token {
    while (this.peek().type === 'space') this.i++;
    return this.peek();
  }
  protected nextNonSpace(): Token {
    this.peekNonSpace();
    return this.next();
  }
  protected unexpected(t: Token, context: string): never {
    const what =
      t.type === 'eof'
        ? 'EOF'
        : t.type === 'rightDelim'
          ? `"${this.opts.delims.right}"`
          : `"${t.value}"`;
    this.fail(t.pos, `unexpected ${what} in ${context}`);
  }
  protected expect(type: Token['type'], context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }
  protected enter(pos: number): void {
    this.depth++;
    if (this.depth > this.opts.maxNesting)
      this.fail(pos, `template nesting exceeds ${this.opts.maxNesting} levels`);
  }

  protected pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', isAssign: false, decl: [], cmds: [], pos: start.pos };
    this.declarations(pipe, context);
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context, t.pos);
        return pipe;
      }
      if (!OPERAND_START.has(t.type)) this.unexpected(t, context);
      this.i--;
      pipe.cmds.push(this.command());
    }
  }

  protected declarations(pipe: PipeNode, context: string): void {
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') return;
      const save = this.i;
      this.next();
      const next = this.peekNonSpace();
      if (next.type === 'declare' || next.type === 'assign') {
        this.nextNonSpace();
        const assign = next.type === 'assign';
        if (assign && !this.vars.includes(v.value))
          this.fail(v.pos, `undefined variable "${v.value}"`);
        pipe.isAssign = assign;
        pipe.decl.push(v.value);
        this.vars.push(v.value);
        return;
      }
      if (next.type === 'char' && next.value === ',') {
        this.nextNonSpace();
        pipe.decl.push(v.value);
        const after = this.peekNonSpace();
        if (context === 'range' && pipe.decl.length < 2 && after.type === 'variable') continue;
        if (context === 'range' && pipe.decl.length < 2)
          this.fail(after.pos, 'range can only initialize variables');
        this.fail(v.pos, `too many declarations in ${context}`);
      }
      this.i = save;
      return;
    }
  }

  protected checkPipeline(pipe: PipeNode, context: string, pos: number): void {
    if (pipe.cmds.length === 0) this.fail(pos, `missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const first = c.args[0];
      if (first !== undefined && ['bool', 'dot', 'nil', 'number', 'string'].includes(first.type)) {
        this.fail(c.pos, `non executable command in pipeline stage ${i + 2}`);
      }
    });
    if (pipe.decl.length > 0 && !pipe.isAssign) {
      // Declared variables become visible after their pipeline (and in range with two names).
      for (const d of pipe.decl) if (!this.vars.includes(d)) this.vars.push(d);
    }
  }

  protected command(): CommandNode {
    const cmd: CommandNode = { type: 'command', args: [], pos: this.peekNonSpace().pos };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== undefined) cmd.args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.i--;
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.fail(cmd.pos, 'empty command');
    return cmd;
  }

  protected operand(): ArgNode | undefined {
    const node = this.term();
    if (node === undefined) return undefined;
    if (this.peek().type !== 'field') return node;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().value.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', idents: [...node.idents, ...fields], pos: node.pos };
      case 'variable':
        return { type: 'variable', idents: [...node.idents, ...fields], pos: node.pos };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.fail(node.pos, `unexpected . after term "${nodeTextOf(this.src, node.pos)}"`);
      case 'chain':
      case 'identifier':
      case 'pipe':
        return { type: 'chain', node, fields, pos: node.pos };
    }
  }

  protected term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!this.opts.hasFunction(t.value)) throw unknownFunctionError(this.src, t.pos, t.value);
        return { type: 'identifier', name: t.value, pos: t.pos };
      case 'dot':
        return { type: 'dot', pos: t.pos };
      case 'nil':
        return { type: 'nil', pos: t.pos };
      case 'variable':
        if (!this.vars.includes(t.value)) this.fail(t.pos, `undefined variable "${t.value}"`);
        return { type: 'variable', idents: [t.value], pos: t.pos };
      case 'field':
        return { type: 'field', idents: [t.value.slice(1)], pos: t.pos };
      case 'bool':
        return { type: 'bool', value: t.value === 'true', pos: t.pos };
      case 'number':
      case 'charConstant':
        return this.number(t);
      case 'leftParen': {
        this.enter(t.pos);
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        this.depth--;
        return pipe;
      }
      case 'string':
      case 'rawString':
        return { type: 'string', quoted: t.value, value: this.unquote(t), pos: t.pos };
      case 'text':
      case 'leftDelim':
      case 'rightDelim':
      case 'space':
      case 'keyword':
      case 'char':
      case 'declare':
      case 'assign':
      case 'pipe':
      case 'rightParen':
      case 'eof':
        this.i--;
        return undefined;
    }
  }

  protected unquote(t: Token): ReturnType<typeof unquoteString> {
    try {
      return unquoteString(t.value);
    } catch {
      this.fail(t.pos, `invalid syntax in string literal`);
    }
  }

  protected number(t: Token): ArgNode {
    try {
      if (t.type === 'charConstant') {
        const r = unquoteChar(t.value);
        return {
          type: 'number',
          text: t.value,
          int: BigInt(r),
          float: r,
          isFloatText: false,
          pos: t.pos,
        };
      }
      const n = parseNumber(t.value);
      return { type: 'number', text: t.value, ...n, pos: t.pos };
    } catch (err) {
      const msg = err instanceof SyntaxError ? err.message : 'illegal number syntax';
      this.fail(
        t.pos,
        t.type === 'charConstant' ? `malformed character constant: ${t.value}` : msg,
      );
    }
  }
}

function nodeTextOf(src: Source, pos: number): string {
  return /^\S*/.exec(src.text.slice(pos))?.[0] ?? '';
}
