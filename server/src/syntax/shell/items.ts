// From tokens to the parser's input: words (adjacent word-part tokens joined, quotes resolved into
// parts), operators, newlines and redirections. Also parses what hides inside single tokens:
// ${...} expansions, $(...) command substitutions and unquoted heredoc bodies.
import type { IToken } from 'chevrotain';
import { arithAssigned } from './builtins';
import type { ScanBudget } from './scan';
import * as T from './lexer';
import { lex, tokenEnd, type HeredocRecord, type Mode, type Unterminated } from './lexer';
import * as M from './messages';
import type { RawProblem } from './messages';
import type { Heredoc, List, NameRef, ParamExp, Part, Word } from './tree';

export type Item =
  | { k: 'word'; w: Word; kw?: string }
  | { k: 'op'; op: string; start: number; end: number }
  | { k: 'nl'; start: number; end: number }
  | { k: 'redir'; op: string; start: number; end: number; heredoc?: Heredoc }
  | { k: 'arith'; start: number; end: number; assigned: string[] };

/** Everything the parse of one document gathers besides the tree. */
export interface Collect {
  src: string;
  budget: ScanBudget;
  problems: RawProblem[];
  uses: NameRef[];
  defs: NameRef[];
  comments: { text: string; start: number; end: number }[];
  funcs: { name: string; nameStart: number; nameEnd: number; start: number; end: number }[];
  /** First words of simple commands: function calls are picked from these at the end. */
  commandNames: NameRef[];
  /** Simple commands in the source (nested ones included): sizes the evaluation budget. */
  simpleCount: number;
}

const OPS = new Map<object, true>([T.AndIf, T.OrIf, T.CaseSep, T.Semi, T.Pipe, T.Amp, T.LParen, T.RParen].map((t) => [t, true]));
const PART_TOKENS = new Set<object>([
  T.Lit, T.Escape, T.Backslash, T.SQ, T.AnsiSQ, T.DQOpen, T.DQBroken, T.Var, T.DollarLit, T.DollarBrace,
  T.CmdSub, T.Arith, T.Backtick, T.ProcSub,
]);
const MAX_NESTED_PARSE = 24;
const SPECIAL = /^(?:[0-9]+|[@*#?$!-])$/;

export abstract class WordReader {
  protected nestedParses = 0;
  constructor(protected col: Collect) {}

  /** Parses the text of a `$(...)` or backquote body found at `base`. */
  protected abstract parseNested(text: string, base: number): List;

  protected problem(start: number, end: number, message: M.RawProblem['message'], severity: M.RawProblem['severity'] = 'error'): void {
    this.col.problems.push({ start, end, message, severity });
  }

  protected lexAt(text: string, base: number, mode: Mode): { tokens: IToken[]; heredocs: HeredocRecord[] } {
    const r = lex(text, mode, this.col.budget);
    if (base !== 0) {
      for (const t of r.tokens) t.startOffset += base;
      for (const h of r.heredocs) { h.opStart += base; h.opEnd += base; h.bodyStart += base; h.bodyEnd += base; }
    }
    for (const c of r.comments) {
      this.col.comments.push({ text: c.image, start: c.startOffset + base, end: c.startOffset + base + c.image.length });
    }
    return r;
  }

  /** The parser's input for a whole script (or a nested one). */
  protected toItems(tokens: IToken[]): Item[] {
    const items: Item[] = [];
    let i = 0;
    while (i < tokens.length) {
      const t = tokens[i];
      const type = t.tokenType;
      const start = t.startOffset;
      const end = tokenEnd(t);
      if (type === T.Newline || type === T.HeredocNewline) items.push({ k: 'nl', start, end });
      else if (type === T.Continuation) { /* joins lines; words across it are joined below */ }
      else if (OPS.has(type)) items.push({ k: 'op', op: t.image, start, end });
      else if (type === T.Redir || type === T.HereString) items.push({ k: 'redir', op: t.image.replace(/^[0-9]+/, ''), start, end });
      else if (type === T.HereDoc) items.push({ k: 'redir', op: '<<', start, end, heredoc: this.heredoc(t.payload as HeredocRecord) });
      else if (type === T.ArithCmd) items.push({ k: 'arith', start, end, assigned: this.arithNames(t.image.slice(2, -2), start + 2) });
      else {
        const parts: Part[] = [];
        let wEnd = start;
        while (i < tokens.length) {
          const u = tokens[i];
          if (!PART_TOKENS.has(u.tokenType) && u.tokenType !== T.Continuation) break;
          if (u.tokenType === T.Continuation) {
            const next = tokens[i + 1];
            // `ab\<newline>cd` is one word; a continuation after a blank only separates words.
            if (u.startOffset !== wEnd || !next || next.startOffset !== tokenEnd(u) || !PART_TOKENS.has(next.tokenType)) break;
            wEnd = tokenEnd(u);
            i++;
            continue;
          }
          if (parts.length > 0 && u.startOffset !== wEnd) break;
          i = this.part(tokens, i, parts);
          wEnd = parts[parts.length - 1].end;
        }
        if (parts.length === 0) { i++; continue; }
        const w: Word = { parts, start, end: wEnd };
        const p0 = parts[0];
        items.push(parts.length === 1 && p0.k === 'lit' && !p0.quoted ? { k: 'word', w, kw: p0.text } : { k: 'word', w });
        continue;
      }
      i++;
    }
    return items;
  }

  /** Converts the part token at `i` (a whole "..." group for DQOpen); returns the next index. */
  protected part(tokens: IToken[], i: number, out: Part[]): number {
    const t = tokens[i];
    const type = t.tokenType;
    const start = t.startOffset;
    const end = tokenEnd(t);
    const bad = t.payload as Unterminated | undefined;
    if (bad && typeof bad === 'object' && 'kind' in bad) {
      const openLen = { sq: 1, dq: 1, ansi: 2, cmd: 2, arith: 3, param: 2, backtick: 1, proc: 2 }[bad.kind];
      this.problem(start, start + openLen, M.unterminated(bad.kind));
      if (bad.kind === 'param') this.param(t.image.slice(2), start + 2, false);
      out.push({ k: 'broken', start, end });
      return i + 1;
    }
    switch (type) {
      case T.Lit: out.push({ k: 'lit', text: t.image, quoted: false, start, end }); break;
      case T.ParamText: out.push({ k: 'lit', text: t.image, quoted: false, start, end, fromParam: true }); break;
      case T.DQText: case T.HdText: case T.ParamTextDq: out.push({ k: 'lit', text: t.image, quoted: true, start, end }); break;
      case T.Escape: case T.DQEscape: case T.HdEscape: out.push({ k: 'lit', text: t.image.slice(1), quoted: true, start, end }); break;
      case T.Backslash: out.push({ k: 'lit', text: '\\', quoted: true, start, end }); break;
      case T.Continuation: break;
      case T.DollarLit: out.push({ k: 'lit', text: '$', quoted: false, start, end }); break;
      case T.SQ: out.push({ k: 'lit', text: t.image.slice(1, -1), quoted: true, start, end }); break;
      case T.AnsiSQ: out.push({ k: 'lit', text: decodeAnsi(t.image.slice(2, -1)), quoted: true, start, end }); break;
      case T.Var: {
        const name = t.image.slice(1);
        if (!SPECIAL.test(name)) this.col.uses.push({ name, start, end });
        out.push({ k: 'var', name, start, end });
        break;
      }
      case T.DollarBrace: case T.DollarBraceDq:
        out.push({ k: 'param', p: this.param(t.image.slice(2, -1), start + 2, type === T.DollarBraceDq, start, end), start, end });
        break;
      case T.CmdSub: case T.ProcSub:
        out.push({ k: 'cmd', body: this.nested(t.image.slice(2, -1), start + 2), start, end });
        break;
      case T.Backtick:
        out.push({ k: 'cmd', body: this.nested(t.image.slice(1, -1), start + 1), start, end });
        break;
      case T.Arith:
        this.collectUses(t.image.slice(3, -2), start + 3);
        out.push({ k: 'arith', start, end });
        break;
      case T.DQOpen: {
        const inner: Part[] = [];
        let j = i + 1;
        while (j < tokens.length && tokens[j].tokenType !== T.DQClose) j = this.part(tokens, j, inner);
        const close = tokens[j];
        const dqEnd = close ? tokenEnd(close) : tokens.length ? tokenEnd(tokens[tokens.length - 1]) : end;
        out.push({ k: 'dq', parts: inner, start, end: dqEnd });
        return j + 1;
      }
      default:
        out.push({ k: 'lit', text: t.image, quoted: true, start, end });
    }
    return i + 1;
  }

  private nested(text: string, base: number): List | null {
    if (this.nestedParses >= MAX_NESTED_PARSE) return null;
    this.nestedParses++;
    try {
      return this.parseNested(text, base);
    } finally {
      this.nestedParses--;
    }
  }

  /** Parts of a text lexed in `mode` (heredoc bodies, ${...} words, arithmetic). */
  protected partsOf(text: string, base: number, mode: Mode): Part[] {
    if (this.nestedParses >= MAX_NESTED_PARSE) return [{ k: 'broken', start: base, end: base + text.length }];
    this.nestedParses++;
    try {
      const { tokens } = this.lexAt(text, base, mode);
      const out: Part[] = [];
      let i = 0;
      while (i < tokens.length) i = this.part(tokens, i, out);
      return out;
    } finally {
      this.nestedParses--;
    }
  }

  private collectUses(text: string, base: number): void {
    if (text.includes('$')) this.partsOf(text, base, 'heredoc');
  }

  private arithNames(text: string, base: number): string[] {
    this.collectUses(text, base);
    return arithAssigned(text);
  }

  /** `inner` is the text between `${` and `}`, starting at document offset `base`. */
  protected param(inner: string, base: number, inDq: boolean, start = base - 2, end = base + inner.length + 1): ParamExp {
    const m = /^(#|!)?([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])?/.exec(inner)!;
    const prefix = m[1] ?? '';
    const name = m[2] ?? '';
    const rest = inner.slice(m[0].length);
    if (inner === '#') return { name: '#', op: '', word: [] }; // `${#}` is `$#`
    if (name && !SPECIAL.test(name)) this.col.uses.push({ name, start, end });
    const wordAt = (skip: number): Part[] =>
      rest.length > skip ? this.partsOf(rest.slice(skip), base + m[0].length + skip, inDq ? 'dqparam' : 'param') : [];
    if (prefix === '!' || !name) { wordAt(0); return { name, op: 'other', word: [] }; }
    if (prefix === '#') { wordAt(0); return { name, op: rest === '' ? 'len' : 'other', word: [] }; }
    if (rest === '') return { name, op: '', word: [] };
    for (const op of [':-', ':=', ':+', ':?', '-', '=', '+', '?'] as const) {
      if (rest.startsWith(op)) return { name, op, word: wordAt(op.length) };
    }
    wordAt(0);
    return { name, op: 'other', word: [] };
  }

  private heredoc(rec: HeredocRecord): Heredoc {
    if (rec.delim === '') this.problem(rec.opStart, rec.opEnd, M.heredocNoDelimiter());
    else if (!rec.terminated) this.problem(rec.opStart, rec.opEnd, M.heredocUnterminated(rec.delim));
    if (!rec.terminated || rec.quoted) return { rec, parts: null };
    return { rec, parts: this.partsOf(this.col.src.slice(rec.bodyStart, rec.bodyEnd), rec.bodyStart, 'heredoc') };
  }
}

/** `$'...'` escapes (the common ones; others keep their backslash). */
function decodeAnsi(s: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };
  return s.replace(/\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|u[0-9A-Fa-f]{1,4}|.)/gs, (all, e: string) => {
    if (e in simple) return simple[e];
    if (e[0] === 'x' && e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e[0] === 'u' && e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    return all;
  });
}
