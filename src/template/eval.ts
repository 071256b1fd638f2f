// Evaluation of pipelines, following text/template/exec.go: commands pass the previous result as
// the last argument, fields index maps (missingkey=error by default), literals convert to the
// parameter types of the function they are passed to, and and/or short-circuit. Exec (exec.ts)
// adds the control structures on top.
import type {
  ArgNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  NumberNode,
  PipeNode,
  VariableNode,
} from './ast.ts';
import { nodeText } from './ast.ts';
import { execError, type Source } from './errors.ts';
import {
  FuncError,
  type CallContext,
  type FunctionSet,
  type ParamKind,
  type TemplateFunction,
} from './funcs/types.ts';
import type { TemplateLimits } from './limits.ts';
import { Output } from './output.ts';
import { byteLength, GoMap, isGoString, isTrue, typeName, type Value } from './values.ts';

export type MissingKey = 'error' | 'default' | 'zero';

export interface ExecConfig {
  readonly src: Source;
  readonly defines: ReadonlyMap<string, ListNode>;
  readonly funcs: FunctionSet;
  readonly limits: TemplateLimits;
  readonly missingKey: MissingKey;
  readonly call: CallContext;
}

const MISSING: unique symbol = Symbol('missing');
type Final = Value | typeof MISSING;

const GO_TYPE: Readonly<Record<ParamKind, string>> = {
  any: 'interface {}',
  string: 'string',
  int: 'int',
  float: 'float64',
  bool: 'bool',
};

interface Variable {
  readonly name: string;
  value: Value;
}

export abstract class Evaluator {
  readonly out: Output;
  protected vars: Variable[] = [];
  protected steps = 0;
  protected depth = 0;
  protected template: string;
  protected at: { offset: number; text: string } = { offset: 0, text: '' };
  protected readonly cfg: ExecConfig;

  constructor(cfg: ExecConfig) {
    this.cfg = cfg;
    this.template = cfg.src.name;
    this.out = new Output(cfg.limits.maxOutputBytes);
  }

  protected fail(
    message: string,
    code: 'TEMPLATE_EXEC' | 'TEMPLATE_MISSING_KEY' = 'TEMPLATE_EXEC',
  ): never {
    throw execError(code, this.cfg.src, { ...this.at, template: this.template }, message);
  }

  protected setAt(node: ArgNode | CommandNode): void {
    this.at = { offset: node.pos, text: nodeText(node) };
  }

  protected step(n = 1): void {
    this.steps += n;
    if (this.steps > this.cfg.limits.maxSteps)
      this.fail(`template exceeded ${this.cfg.limits.maxSteps} evaluation steps`);
  }

  protected setVar(name: string, value: Value): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v !== undefined && v.name === name) {
        v.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  protected setTopVar(n: number, value: Value): void {
    const v = this.vars[this.vars.length - n];
    if (v !== undefined) v.value = value;
  }

  protected varValue(name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v !== undefined && v.name === name) return v.value;
    }
    return this.fail(`undefined variable: ${name}`);
  }

  evalPipeline(dot: Value, pipe: PipeNode): Value {
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    const result = value === MISSING ? null : value;
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, result);
      else this.vars.push({ name, value: result });
    }
    return result;
  }

  protected evalCommand(dot: Value, cmd: CommandNode, final: Final): Value {
    this.step();
    const first = cmd.args[0];
    if (first === undefined) return this.fail('empty command');
    switch (first.type) {
      case 'field':
        return this.evalFieldChain(dot, first, first.idents, cmd.args, final);
      case 'chain':
        return this.evalChain(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd.args, final, cmd);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariable(first, cmd.args, final);
      case 'bool':
      case 'dot':
      case 'nil':
      case 'number':
      case 'string':
        this.setAt(first);
        this.notAFunction(cmd.args, final);
        return this.literalCommand(dot, first);
    }
  }

  protected literalCommand(
    dot: Value,
    first: Extract<ArgNode, { type: 'bool' | 'dot' | 'nil' | 'number' | 'string' }>,
  ): Value {
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.fail('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.value;
    }
  }

  protected notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING)
      this.fail(
        `can't give argument to non-function ${nodeText(args[0] ?? { type: 'dot', pos: 0 })}`,
      );
  }

  protected idealConstant(n: NumberNode): Value {
    if (n.isFloatText && n.float !== undefined) return n.float;
    if (n.int !== undefined) return n.int;
    return this.fail(`${n.text} overflows int`);
  }

  protected evalChain(dot: Value, chain: ChainNode, args: readonly ArgNode[], final: Final): Value {
    this.setAt(chain);
    if (chain.node.type === 'nil')
      this.fail(`indirection through explicit nil in ${nodeText(chain)}`);
    const receiver = this.evalArg(dot, chain.node, 'any');
    return this.evalFieldChain(receiver, chain, chain.fields, args, final);
  }

  protected evalVariable(v: VariableNode, args: readonly ArgNode[], final: Final): Value {
    this.setAt(v);
    const value = this.varValue(v.idents[0] ?? '$');
    if (v.idents.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(value, v, v.idents.slice(1), args, final);
  }

  protected evalFieldChain(
    receiver: Value,
    node: FieldNode | VariableNode | ChainNode,
    idents: readonly string[],
    args: readonly ArgNode[],
    final: Final,
  ): Value {
    this.setAt(node);
    let r = receiver;
    const hasArgs = args.length > 1 || final !== MISSING;
    idents.forEach((name, i) => {
      r = this.evalField(r, name, i > 0, i === idents.length - 1 && hasArgs);
    });
    return r;
  }

  protected evalField(receiver: Value, name: string, inChain: boolean, hasArgs: boolean): Value {
    if (receiver === null) {
      if (inChain) this.fail(`nil pointer evaluating interface {}.${name}`);
      if (this.cfg.missingKey === 'error')
        this.fail(`nil data; no entry for key "${name}"`, 'TEMPLATE_MISSING_KEY');
      return null;
    }
    if (!(receiver instanceof GoMap))
      return this.fail(`can't evaluate field ${name} in type ${typeName(receiver)}`);
    if (hasArgs) this.fail(`${name} is not a method but has arguments`);
    const v = receiver.get(name);
    if (v !== undefined) return v;
    switch (this.cfg.missingKey) {
      case 'error':
        return this.fail(`map has no entry for key "${name}"`, 'TEMPLATE_MISSING_KEY');
      case 'zero':
        return receiver.elem === 'string' ? '' : null;
      case 'default':
        return null;
    }
  }

  protected evalFunction(
    dot: Value,
    node: IdentifierNode,
    args: readonly ArgNode[],
    final: Final,
    cmd: CommandNode | IdentifierNode = node,
  ): Value {
    this.setAt(node);
    const fn = this.cfg.funcs.get(node.name);
    if (fn === undefined) return this.fail(`"${node.name}" is not a defined function`);
    return this.evalCall(dot, fn, { name: node.name, cmd }, args.slice(1), final);
  }

  protected evalCall(
    dot: Value,
    fn: TemplateFunction,
    call: { name: string; cmd: CommandNode | IdentifierNode },
    args: readonly ArgNode[],
    final: Final,
  ): Value {
    const { name } = call;
    const numIn = args.length + (final === MISSING ? 0 : 1);
    const fixed = fn.params.length;
    if (fn.variadic !== undefined) {
      if (numIn < fixed)
        this.fail(`wrong number of args for ${name}: want at least ${fixed} got ${args.length}`);
    } else if (numIn !== fixed) {
      this.fail(`wrong number of args for ${name}: want ${fixed} got ${numIn}`);
    }
    if (fn.shortCircuit !== undefined) return this.shortCircuit(dot, fn.shortCircuit, args, final);
    const kindAt = (i: number): ParamKind =>
      i < fixed ? (fn.params[i] ?? 'any') : (fn.variadic ?? 'any');
    const argv = args.map((a, i) => this.evalArg(dot, a, kindAt(i)));
    if (final !== MISSING) argv.push(this.validateType(final, kindAt(numIn - 1)));
    this.step(fn.cost ?? 0);
    let result: Value;
    try {
      result = fn.call(argv, this.cfg.call);
    } catch (err) {
      const msg = err instanceof FuncError ? err.message : 'internal error';
      this.setAt(call.cmd);
      return this.fail(`error calling ${name}: ${msg}`);
    }
    if (isGoString(result) && byteLength(result) > this.cfg.limits.maxValueBytes) {
      this.setAt(call.cmd);
      this.fail(`error calling ${name}: result exceeds ${this.cfg.limits.maxValueBytes} bytes`);
    }
    return result;
  }

  protected shortCircuit(
    dot: Value,
    kind: 'and' | 'or',
    args: readonly ArgNode[],
    final: Final,
  ): Value {
    let v: Value = null;
    for (const a of args) {
      v = this.evalArg(dot, a, 'any');
      if (isTrue(v) === (kind === 'or')) return v;
    }
    return final === MISSING ? v : final;
  }

  protected validateType(value: Value, kind: ParamKind): Value {
    if (kind === 'any') return value;
    if (value === null) return this.fail(`invalid value; expected ${GO_TYPE[kind]}`);
    const ok =
      (kind === 'string' && isGoString(value)) ||
      (kind === 'int' && typeof value === 'bigint') ||
      (kind === 'float' && typeof value === 'number') ||
      (kind === 'bool' && typeof value === 'boolean');
    if (!ok) this.fail(`wrong type for value; expected ${GO_TYPE[kind]}; got ${typeName(value)}`);
    return value;
  }

  protected evalArg(dot: Value, n: ArgNode, kind: ParamKind): Value {
    this.setAt(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, kind);
      case 'nil':
        return kind === 'any' ? null : this.fail(`cannot assign nil to ${GO_TYPE[kind]}`);
      case 'field':
        return this.validateType(this.evalFieldChain(dot, n, n.idents, [n], MISSING), kind);
      case 'variable':
        return this.validateType(this.evalVariable(n, [n], MISSING), kind);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), kind);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, [n], MISSING), kind);
      case 'chain':
        return this.validateType(this.evalChain(dot, n, [n], MISSING), kind);
      case 'bool':
      case 'number':
      case 'string':
        return this.literalArg(n, kind);
    }
  }

  protected literalArg(
    n: Extract<ArgNode, { type: 'bool' | 'number' | 'string' }>,
    kind: ParamKind,
  ): Value {
    const found = (): never =>
      this.fail(`expected ${kind === 'int' ? 'integer' : kind}; found ${nodeText(n)}`);
    switch (kind) {
      case 'any':
        return n.type === 'number' ? this.idealConstant(n) : n.value;
      case 'bool':
        return n.type === 'bool' ? n.value : found();
      case 'string':
        return n.type === 'string' ? n.value : found();
      case 'int':
        return n.type === 'number' && n.int !== undefined ? n.int : found();
      case 'float':
        return n.type === 'number' && n.float !== undefined ? n.float : found();
    }
  }
}
