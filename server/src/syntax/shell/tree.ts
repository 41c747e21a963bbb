// The syntax tree of a shell script as the parser builds it. Internal to the shell front end:
// everything carries document offsets; positions are made only when the result is handed out.
import type { HeredocRecord } from './lexer';

/** One piece of a word. `lit.quoted` = written inside quotes or escaped (never split or globbed). */
export type Part =
  | { k: 'lit'; text: string; quoted: boolean; start: number; end: number; fromParam?: boolean }
  | { k: 'dq'; parts: Part[]; start: number; end: number }
  | { k: 'var'; name: string; start: number; end: number }
  | { k: 'param'; p: ParamExp; start: number; end: number }
  | { k: 'cmd'; body: List | null; start: number; end: number }
  | { k: 'arith'; start: number; end: number }
  | { k: 'broken'; start: number; end: number };

/** `${NAME}`, `${NAME:-word}`, ...; `op` is '' for a plain reference, 'len' for `${#NAME}`, 'other' otherwise. */
export interface ParamExp {
  name: string;
  op: '' | ':-' | '-' | ':=' | '=' | ':+' | '+' | ':?' | '?' | 'len' | 'other';
  word: Part[];
}

export interface Word { parts: Part[]; start: number; end: number }

export interface Assign {
  name: string;
  /** The whole `NAME=value` word. */
  start: number;
  end: number;
  append: boolean;
  /** `NAME=(...)`: an array, whose value is not modelled. */
  array: boolean;
  value: Word;
}

export interface Heredoc {
  rec: HeredocRecord;
  /** The body's parts when the delimiter was not quoted (expansions happen); null for a literal body. */
  parts: Part[] | null;
}

export interface Redir { op: string; start: number; end: number; target?: Word; heredoc?: Heredoc }

export interface Simple {
  t: 'simple';
  assigns: Assign[];
  words: Word[];
  redirs: Redir[];
  /** `export/local/readonly/declare/typeset NAME=value` arguments, as assignments. */
  declAssigns: Assign[];
  start: number;
  end: number;
}

export interface List { t: 'list'; items: Node[] }

export type Node =
  | Simple
  | List
  | { t: 'pipe'; cmds: Node[]; bang: boolean }
  | { t: 'andor'; first: Node; rest: { op: '&&' | '||'; node: Node }[] }
  | { t: 'if'; clauses: { cond: List; body: List }[]; elseBody?: List; redirs: Redir[] }
  /** `for` (and `select`, whose iterations depend on the user: never unrolled). */
  | { t: 'for'; name: string; nameStart: number; nameEnd: number; words: Word[] | null; body: List; redirs: Redir[]; select: boolean }
  | { t: 'loop'; until: boolean; cond: List | null; body: List; redirs: Redir[] }
  | { t: 'case'; word: Word; items: { patterns: Word[]; body: List; sep: string }[]; redirs: Redir[] }
  | { t: 'group'; body: List; subshell: boolean; redirs: Redir[] }
  | { t: 'func'; name: string; nameStart: number; nameEnd: number; start: number; end: number; body: Node }
  | { t: 'test'; words: Word[]; start: number; end: number }
  /** `(( ... ))`: the names it may assign. */
  | { t: 'arith'; assigned: string[] }
  | { t: 'opaque' };

/** Where a name is bound or read, for the variables list. */
export interface NameRef { name: string; start: number; end: number }
