// Parse tree of a template, mirroring text/template/parse's nodes. Every node keeps its source
// offset for error positions; `String` forms are rebuilt by `nodeText` for error context.
import type { Value } from './values.ts';

interface At {
  /** Offset of the node in the template source. */
  readonly pos: number;
}

export interface TextNode extends At {
  readonly type: 'text';
  readonly text: string;
}
export interface ListNode extends At {
  readonly type: 'list';
  readonly nodes: Node[];
}
export interface ActionNode extends At {
  readonly type: 'action';
  readonly pipe: PipeNode;
}
export interface BranchNode extends At {
  readonly type: 'if' | 'range' | 'with';
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | undefined;
}
export interface TemplateCallNode extends At {
  readonly type: 'template';
  readonly name: string;
  readonly pipe: PipeNode | undefined;
}
export interface LoopControlNode extends At {
  readonly type: 'break' | 'continue';
}
export type Node =
  TextNode | ListNode | ActionNode | BranchNode | TemplateCallNode | LoopControlNode;

export interface PipeNode extends At {
  readonly type: 'pipe';
  isAssign: boolean;
  /** Declared or assigned variable names, `$x`. */
  readonly decl: string[];
  readonly cmds: CommandNode[];
}
export interface CommandNode extends At {
  readonly type: 'command';
  readonly args: ArgNode[];
}

export interface FieldNode extends At {
  readonly type: 'field';
  readonly idents: string[];
}
export interface VariableNode extends At {
  readonly type: 'variable';
  /** The variable name followed by field names: `$x.a.b` → ['$x', 'a', 'b']. */
  readonly idents: string[];
}
export interface ChainNode extends At {
  readonly type: 'chain';
  readonly node: ArgNode;
  readonly fields: string[];
}
export interface IdentifierNode extends At {
  readonly type: 'identifier';
  readonly name: string;
}
export interface DotNode extends At {
  readonly type: 'dot';
}
export interface NilNode extends At {
  readonly type: 'nil';
}
export interface BoolNode extends At {
  readonly type: 'bool';
  readonly value: boolean;
}
export interface NumberNode extends At {
  readonly type: 'number';
  readonly text: string;
  /** Set when the literal is an integer value in int64 range (`2.0` and `'a'` count). */
  readonly int: bigint | undefined;
  /** Set when the literal has a float value. */
  readonly float: number | undefined;
  /** The literal is written as a float (has . e or p, and is not hex or a char): Go's float64. */
  readonly isFloatText: boolean;
}
export interface StringNode extends At {
  readonly type: 'string';
  readonly quoted: string;
  readonly value: Value;
}
export type ArgNode =
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;

/** Go's String() of a node, for error context such as `at <.a.b>`. */
export function nodeText(n: ArgNode | CommandNode): string {
  switch (n.type) {
    case 'field':
      return n.idents.map((i) => '.' + i).join('');
    case 'variable':
      return n.idents.join('.');
    case 'chain': {
      const inner = n.node.type === 'pipe' ? `(${nodeText(n.node)})` : nodeText(n.node);
      return inner + n.fields.map((f) => '.' + f).join('');
    }
    case 'identifier':
      return n.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeText(a)})` : nodeText(a))).join(' ');
    case 'pipe': {
      const decl = n.decl.length > 0 ? `${n.decl.join(', ')} ${n.isAssign ? '=' : ':='} ` : '';
      return decl + n.cmds.map(nodeText).join(' | ');
    }
  }
}
