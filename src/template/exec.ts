// Executes a parsed template against data: text, actions, if/with/range (with break and continue)
// and template calls, as text/template/exec.go walks them. Every step is counted and the output is
// capped (see Evaluator), so a template cannot loop or grow without bound.
import type { BranchNode, ListNode, Node, TemplateCallNode } from './ast.ts';
import { Evaluator } from './eval.ts';
import { formatV } from './go-format.ts';
import { GoBytes, GoMap, isTrue, sortedKeys, typeName, type Value } from './values.ts';

export type { ExecConfig, MissingKey } from './eval.ts';

type Signal = 'break' | 'continue' | undefined;

export class Exec extends Evaluator {
  run(root: ListNode, data: Value): void {
    this.vars = [{ name: '$', value: data }];
    this.walk(data, root);
  }

  private walk(dot: Value, node: Node): Signal {
    this.step();
    switch (node.type) {
      case 'text':
        this.out.write(node.text);
        return undefined;
      case 'list':
        for (const n of node.nodes) {
          const sig = this.walk(dot, n);
          if (sig !== undefined) return sig;
        }
        return undefined;
      case 'action': {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0)
          this.out.write(v === null ? '<no value>' : v instanceof GoBytes ? v : formatV(v));
        return undefined;
      }
      case 'if':
      case 'with':
        return this.walkIfOrWith(dot, node);
      case 'range':
        this.walkRange(dot, node);
        return undefined;
      case 'template':
        this.walkTemplate(dot, node);
        return undefined;
      case 'break':
      case 'continue':
        return node.type;
    }
  }

  private walkIfOrWith(dot: Value, node: BranchNode): Signal {
    const mark = this.vars.length;
    const val = this.evalPipeline(dot, node.pipe);
    let sig: Signal;
    if (isTrue(val)) sig = this.walk(node.type === 'with' ? val : dot, node.list);
    else if (node.elseList !== undefined) sig = this.walk(dot, node.elseList);
    this.vars.length = mark;
    return sig;
  }

  private walkRange(dot: Value, node: BranchNode): void {
    const mark = this.vars.length;
    const val = this.evalPipeline(dot, node.pipe);
    const inner = this.vars.length;
    const { decl, isAssign } = node.pipe;
    const one = (index: Value, elem: Value): Signal => {
      this.step();
      if (decl.length > 0) {
        if (isAssign)
          this.setVar(
            decl.length > 1 ? (decl[0] ?? '') : (decl[0] ?? ''),
            decl.length > 1 ? index : elem,
          );
        else this.setTopVar(1, elem);
      }
      if (decl.length > 1) {
        if (isAssign) this.setVar(decl[1] ?? '', elem);
        else this.setTopVar(2, index);
      }
      const sig = this.walk(elem, node.list);
      this.vars.length = inner;
      return sig;
    };
    let ran = false;
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) {
        ran = true;
        if (one(BigInt(i), (val as readonly Value[])[i] ?? null) === 'break') break;
      }
    } else if (val instanceof GoMap) {
      for (const k of sortedKeys(val)) {
        ran = true;
        if (one(k, val.get(k) ?? null) === 'break') break;
      }
    } else if (typeof val === 'bigint') {
      if (decl.length > 1) this.fail("can't use int to iterate over more than one variable");
      for (let i = 0n; i < val; i++) {
        ran = true;
        if (one(i, i) === 'break') break;
      }
    } else if (val !== null) {
      this.fail(`range can't iterate over type ${typeName(val)}`);
    }
    if (!ran && node.elseList !== undefined) this.walk(dot, node.elseList);
    this.vars.length = mark;
  }

  private walkTemplate(dot: Value, node: TemplateCallNode): void {
    const list = this.cfg.defines.get(node.name);
    this.at = { offset: node.pos, text: `template "${node.name}"` };
    if (list === undefined) this.fail(`template "${node.name}" not defined`);
    if (this.depth >= this.cfg.limits.maxTemplateDepth) {
      this.fail(`exceeded maximum template depth (${this.cfg.limits.maxTemplateDepth})`);
    }
    const newDot = node.pipe === undefined ? null : this.evalPipeline(dot, node.pipe);
    const saved = { vars: this.vars, template: this.template };
    this.vars = [{ name: '$', value: newDot }];
    this.template = node.name;
    this.depth++;
    this.walk(newDot, list);
    this.depth--;
    this.vars = saved.vars;
    this.template = saved.template;
  }
}
