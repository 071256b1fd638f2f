// Parser for Go text/template, following text/template/parse: actions, pipelines with
// declarations, control structures (if/else if/range/with/else with/break/continue), and
// define/template/block (pipelines are parsed by PipelineParser). Nesting is bounded so hostile
// input cannot exhaust the stack.
import type { BranchNode, ListNode, Node, PipeNode, TemplateCallNode } from './ast.ts';
import type { Source } from './errors.ts';
import type { Token } from './lexer.ts';
import { PipelineParser, type ParserOptions } from './parse-pipeline.ts';
import { stringText, type GoBytes } from './values.ts';

export type { ParserOptions } from './parse-pipeline.ts';

export interface ParseResult {
  readonly root: ListNode;
  readonly defines: ReadonlyMap<string, ListNode>;
}

interface EndItem {
  readonly type: 'end';
  readonly pos: number;
  readonly elseKeyword?: undefined;
}
interface ElseItem {
  readonly type: 'else';
  readonly pos: number;
  readonly elseKeyword?: 'if' | 'with';
}
type ItemOrEnd = Node | EndItem | ElseItem;

class Parser extends PipelineParser {
  private rangeDepth = 0;
  readonly defines = new Map<string, ListNode>();

  parse(): ParseResult {
    const root: ListNode = { type: 'list', nodes: [], pos: 0 };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const save = this.i;
        this.next();
        const t = this.nextNonSpace();
        if (t.type === 'keyword' && t.value === 'define') {
          this.parseDefinition(t.pos);
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.fail(n.pos, `unexpected {{${n.type}}}`);
      root.nodes.push(n);
    }
    return { root, defines: this.defines };
  }

  private addDefine(name: string, list: ListNode, pos: number): void {
    const existing = this.defines.get(name);
    if (existing !== undefined && !isEmpty(existing) && !isEmpty(list)) {
      this.fail(pos, `template: multiple definition of template "${name}"`);
    }
    if (existing === undefined || isEmpty(existing)) this.defines.set(name, list);
  }

  private templateName(context: string): string {
    const t = this.nextNonSpace();
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    return stringText(this.unquote(t) as string | GoBytes);
  }

  private parseDefinition(pos: number): void {
    const name = this.templateName('define clause');
    this.expect('rightDelim', 'define clause');
    const saved = this.vars;
    this.vars = ['$'];
    const { list, end } = this.itemList();
    this.vars = saved;
    if (end.type !== 'end') this.fail(end.pos, 'unexpected {{else}} in define clause');
    this.addDefine(name, list, pos);
  }

  private textOrAction(): ItemOrEnd {
    const t = this.nextNonSpace();
    if (t.type === 'text') return { type: 'text', text: t.value, pos: t.pos };
    if (t.type === 'leftDelim') return this.action();
    this.unexpected(t, 'input');
  }

  private itemList(): { list: ListNode; end: EndItem | ElseItem } {
    const list: ListNode = { type: 'list', nodes: [], pos: this.peekNonSpace().pos };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return { list, end: n };
      list.nodes.push(n);
    }
    this.fail(this.peek().pos, 'unexpected EOF');
  }

  private action(): ItemOrEnd {
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.value) {
        case 'block':
          return this.blockControl(t.pos);
        case 'break':
        case 'continue':
          return this.loopControl(t);
        case 'else':
          return this.elseControl(t.pos);
        case 'end':
          this.expect('rightDelim', 'end');
          return { type: 'end', pos: t.pos };
        case 'if':
        case 'range':
        case 'with':
          return this.branch(t.value, t.pos);
        case 'template':
          return this.templateControl(t.pos);
        default:
          break;
      }
    }
    this.i--;
    const pipe = this.pipeline('command', 'rightDelim');
    return { type: 'action', pipe, pos: pipe.pos };
  }

  private loopControl(t: Token): Node {
    const tok = this.nextNonSpace();
    if (tok.type !== 'rightDelim') this.unexpected(tok, `{{${t.value}}}`);
    if (this.rangeDepth === 0) this.fail(t.pos, `{{${t.value}}} outside {{range}}`);
    return { type: t.value === 'break' ? 'break' : 'continue', pos: t.pos };
  }

  private elseControl(pos: number): ItemOrEnd {
    const peek = this.peekNonSpace();
    if (peek.type === 'keyword' && (peek.value === 'if' || peek.value === 'with')) {
      return { type: 'else', pos, elseKeyword: peek.value };
    }
    this.expect('rightDelim', 'else');
    return { type: 'else', pos };
  }

  private branch(kind: 'if' | 'range' | 'with', pos: number): BranchNode {
    this.enter(pos);
    const mark = this.vars.length;
    const pipe = this.pipeline(kind, 'rightDelim');
    if (kind === 'range') this.rangeDepth++;
    const { list, end } = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (end.type === 'else') {
      if (end.elseKeyword !== undefined && (kind === 'if' || kind === 'with')) {
        if (end.elseKeyword !== kind)
          this.fail(end.pos, `{{else ${end.elseKeyword}}} in {{${kind}}}`);
        const kw = this.next();
        elseList = { type: 'list', nodes: [this.branch(kind, kw.pos)], pos: end.pos };
      } else {
        if (end.elseKeyword !== undefined)
          this.fail(end.pos, `unexpected {{else ${end.elseKeyword}}} in {{range}}`);
        const rest = this.itemList();
        if (rest.end.type !== 'end') this.fail(rest.end.pos, `expected end; found {{else}}`);
        elseList = rest.list;
      }
    }
    this.vars.length = mark;
    this.depth--;
    return { type: kind, pipe, list, elseList, pos };
  }

  private templateControl(pos: number): TemplateCallNode {
    const name = this.templateName('template clause');
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.i--;
      pipe = this.pipeline('template clause', 'rightDelim');
    }
    return { type: 'template', name, pipe, pos };
  }

  private blockControl(pos: number): TemplateCallNode {
    const name = this.templateName('block clause');
    const pipe = this.pipeline('block clause', 'rightDelim');
    // A block body is a template of its own: no outer variables, and no enclosing range.
    const saved = { vars: this.vars, rangeDepth: this.rangeDepth };
    this.vars = ['$'];
    this.rangeDepth = 0;
    this.enter(pos);
    const { list, end } = this.itemList();
    this.depth--;
    this.vars = saved.vars;
    this.rangeDepth = saved.rangeDepth;
    if (end.type !== 'end') this.fail(end.pos, 'unexpected {{else}} in block clause');
    this.addDefine(name, list, pos);
    return { type: 'template', name, pipe, pos };
  }
}

function isEmpty(list: ListNode): boolean {
  return list.nodes.every((n) => n.type === 'text' && n.text.trim() === '');
}

export function parse(src: Source, opts: ParserOptions): ParseResult {
  return new Parser(src, opts).parse();
}
