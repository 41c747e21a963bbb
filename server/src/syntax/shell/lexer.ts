// The shell tokens: one Chevrotain multi-mode lexer.
//   main     commands, operators, word parts, comments, heredoc starts (bodies ride on the newline)
//   dq       inside "..."
//   heredoc  an unquoted heredoc body ($VAR, ${...}, $(...), `...` and \ escapes only)
//   param    the word inside ${NAME:-word} outside double quotes; dqparam the same inside them
// Constructs that nest ($(...), ${...}, `...`, '...') are single tokens found by scan.ts; the parser
// lexes their insides again when it needs them. Lexing never fails: every character belongs to a token.
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';
import { Ctx, lineEnd, scanFrom, type ScanBudget } from './scan';

export interface HeredocRecord {
  /** The `<<EOF` operator with its delimiter word. */
  opStart: number;
  opEnd: number;
  delim: string;
  /** `<<-`: leading tabs are removed from body lines and from the terminator line. */
  strip: boolean;
  /** Some part of the delimiter was quoted: the body is taken literally. */
  quoted: boolean;
  terminated: boolean;
  bodyStart: number;
  bodyEnd: number;
}

export interface Unterminated { kind: 'sq' | 'dq' | 'ansi' | 'cmd' | 'arith' | 'param' | 'backtick' | 'proc' }

interface LexState {
  budget: ScanBudget;
  pending: HeredocRecord[];
  heredocs: HeredocRecord[];
  /** Built after the first unterminated heredoc: last offset of each line text, to fail fast. */
  lastLine?: { exact: Map<string, number>; stripped: Map<string, number> };
}

let st: LexState = { budget: { left: 0 }, pending: [], heredocs: [] };

type Match = [string] & { payload?: unknown };
function match(text: string, start: number, end: number, payload?: unknown): Match {
  const m = [text.slice(start, end)] as Match;
  if (payload !== undefined) m.payload = payload;
  return m;
}

/** A construct that runs to its closer; unterminated ones stop at the end of the line. */
function nested(prefix: string, kind: Ctx, what: Unterminated['kind'], skip = prefix.length) {
  return (text: string, offset: number): Match | null => {
    if (!text.startsWith(prefix, offset)) return null;
    const end = scanFrom(text, offset + skip, kind, st.budget);
    if (end >= 0) return match(text, offset, end);
    return match(text, offset, Math.max(lineEnd(text, offset), offset + prefix.length), { kind: what } satisfies Unterminated);
  };
}

const isCommentStart = (text: string, offset: number): boolean => {
  if (offset === 0) return true;
  const p = text.charCodeAt(offset - 1);
  // blank, newline or an operator character before it: `#` starts a word, so a comment
  return p === 32 || p === 9 || p === 10 || p === 13 || p === 0xfeff || p === 59 || p === 38 || p === 124 || p === 40 || p === 41 || p === 60 || p === 62;
};

function heredocStart(text: string, offset: number): Match | null {
  const re = /[0-9]*<<(-?)[ \t]*/y;
  re.lastIndex = offset;
  const m = re.exec(text);
  if (!m || text.charCodeAt(offset + m[0].indexOf('<<') + 2) === 60 /* <<< */) return null;
  let i = offset + m[0].length;
  let delim = '';
  let quoted = false;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (' \t\r\n;&|()<>'.includes(c)) break;
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      const lineStop = lineEnd(text, i);
      if (close < 0 || close > lineStop) break;
      delim += text.slice(i + 1, close);
      quoted = true;
      i = close + 1;
    } else if (c === '\\' && i + 1 < n && text[i + 1] !== '\n') {
      delim += text[i + 1];
      quoted = true;
      i += 2;
    } else {
      delim += c;
      i++;
    }
  }
  const rec: HeredocRecord = {
    opStart: offset, opEnd: i, delim, strip: m[1] === '-', quoted, terminated: false, bodyStart: -1, bodyEnd: -1,
  };
  if (delim !== '') st.pending.push(rec);
  st.heredocs.push(rec);
  return match(text, offset, i, rec);
}

function buildLastLine(text: string): NonNullable<LexState['lastLine']> {
  const exact = new Map<string, number>();
  const stripped = new Map<string, number>();
  let ls = 0;
  while (ls <= text.length) {
    let e = text.indexOf('\n', ls);
    if (e < 0) e = text.length;
    const line = text.slice(ls, e > ls && text.charCodeAt(e - 1) === 13 ? e - 1 : e);
    exact.set(line, ls);
    stripped.set(line.replace(/^\t+/, ''), ls);
    ls = e + 1;
  }
  return { exact, stripped };
}

/** Offset just past the terminator line of `rec` when its body starts at `pos`, or -1. */
function findTerminator(text: string, rec: HeredocRecord, pos: number): number {
  if (st.lastLine) {
    const last = (rec.strip ? st.lastLine.stripped : st.lastLine.exact).get(rec.delim);
    if (last === undefined || last < pos) return -1;
  }
  const n = text.length;
  const d = rec.delim;
  let ls = pos;
  while (ls < n) {
    let e = text.indexOf('\n', ls);
    if (e < 0) e = n;
    const le = e > ls && text.charCodeAt(e - 1) === 13 ? e - 1 : e;
    let s = ls;
    if (rec.strip) while (s < le && text.charCodeAt(s) === 9) s++;
    if (le - s === d.length && text.startsWith(d, s)) {
      rec.bodyStart = pos;
      rec.bodyEnd = ls;
      return e < n ? e + 1 : n;
    }
    ls = e + 1;
  }
  return -1;
}

/** A newline that ends a line with `<<EOF` operators: the token also covers their bodies. */
function newlineWithBodies(text: string, offset: number): Match | null {
  if (st.pending.length === 0) return null;
  let pos = offset;
  if (text.charCodeAt(pos) === 13) pos++;
  if (text.charCodeAt(pos) !== 10) return null;
  pos++;
  const pending = st.pending;
  st.pending = [];
  let end = -1;
  for (const rec of pending) {
    const after = findTerminator(text, rec, pos);
    if (after < 0) {
      // Not closed before the end: leave the following lines to be read as commands.
      if (!st.lastLine) st.lastLine = buildLastLine(text);
      break;
    }
    rec.terminated = true;
    pos = end = after;
  }
  return end < 0 ? null : match(text, offset, end);
}

function dqOpen(text: string, offset: number): Match | null {
  if (text.charCodeAt(offset) !== 34) return null;
  return scanFrom(text, offset + 1, Ctx.DQ, st.budget) >= 0 ? match(text, offset, offset + 1) : null;
}

function dqBroken(text: string, offset: number): Match | null {
  if (text.charCodeAt(offset) !== 34) return null;
  return match(text, offset, Math.max(lineEnd(text, offset), offset + 1), { kind: 'dq' } satisfies Unterminated);
}

function ansiString(text: string, offset: number): Match | null {
  if (!text.startsWith("$'", offset)) return null;
  const n = text.length;
  for (let i = offset + 2; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 39) return match(text, offset, i + 1);
  }
  return match(text, offset, lineEnd(text, offset), { kind: 'ansi' } satisfies Unterminated);
}

function arithCommand(text: string, offset: number): Match | null {
  if (!text.startsWith('((', offset)) return null;
  const end = scanFrom(text, offset + 1, Ctx.Paren, st.budget);
  return end >= 0 && text.startsWith('))', end - 2) ? match(text, offset, end) : null;
}

function procSub(text: string, offset: number): Match | null {
  const c = text.charCodeAt(offset);
  if ((c !== 60 && c !== 62) || text.charCodeAt(offset + 1) !== 40) return null;
  const end = scanFrom(text, offset + 2, Ctx.Paren, st.budget);
  if (end >= 0) return match(text, offset, end);
  return match(text, offset, lineEnd(text, offset), { kind: 'proc' } satisfies Unterminated);
}

const custom = (name: string, exec: (t: string, o: number) => Match | null, hint: string[], extra: object = {}) =>
  createToken({ name, pattern: { exec }, start_chars_hint: hint, line_breaks: true, ...extra });

const digits = '0123456789'.split('');

// --- main mode
export const HeredocNewline = custom('HeredocNewline', newlineWithBodies, ['\n', '\r']);
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n/, line_breaks: true });
export const Continuation = createToken({ name: 'Continuation', pattern: /\\\r?\n/, line_breaks: true });
export const WS = createToken({ name: 'WS', pattern: /[ \t\uFEFF]+|\r/, group: Lexer.SKIPPED });
export const Comment = custom('Comment', (t, o) => (t.charCodeAt(o) === 35 && isCommentStart(t, o) ? match(t, o, lineEnd(t, o)) : null), ['#'], { group: 'comments' });
export const HereString = createToken({ name: 'HereString', pattern: /[0-9]*<<</ });
export const HereDoc = custom('HereDoc', heredocStart, ['<', ...digits]);
export const ProcSub = custom('ProcSub', procSub, ['<', '>']);
export const Redir = createToken({ name: 'Redir', pattern: /[0-9]*(?:>>|>&|<&|<>|>\||>|<)|&>>|&>/ });
export const AndIf = createToken({ name: 'AndIf', pattern: '&&' });
export const OrIf = createToken({ name: 'OrIf', pattern: '||' });
export const CaseSep = createToken({ name: 'CaseSep', pattern: /;;&|;;|;&/ });
export const Semi = createToken({ name: 'Semi', pattern: ';' });
export const Pipe = createToken({ name: 'Pipe', pattern: /\|&|\|/ });
export const Amp = createToken({ name: 'Amp', pattern: '&' });
export const ArithCmd = custom('ArithCmd', arithCommand, ['(']);
export const LParen = createToken({ name: 'LParen', pattern: '(' });
export const RParen = createToken({ name: 'RParen', pattern: ')' });
export const SQ = custom('SQ', nested("'", Ctx.SQ, 'sq'), ["'"]);
export const AnsiSQ = custom('AnsiSQ', ansiString, ['$']);
export const DQOpen = custom('DQOpen', dqOpen, ['"'], { push_mode: 'dq' });
export const DQBroken = custom('DQBroken', dqBroken, ['"']);
export const Arith = custom('Arith', nested('$((', Ctx.Paren, 'arith', 2), ['$']);
export const CmdSub = custom('CmdSub', nested('$(', Ctx.Paren, 'cmd'), ['$']);
export const DollarBrace = custom('DollarBrace', nested('${', Ctx.Brace, 'param'), ['$']);
export const Var = createToken({ name: 'Var', pattern: /\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/ });
export const DollarLit = createToken({ name: 'DollarLit', pattern: '$' });
export const Backtick = custom('Backtick', nested('`', Ctx.Backtick, 'backtick'), ['`']);
export const Escape = createToken({ name: 'Escape', pattern: /\\[^\r\n]/ });
export const Backslash = createToken({ name: 'Backslash', pattern: '\\' });
export const Lit = createToken({ name: 'Lit', pattern: /[^ \t\r\n;&|()<>'"`$\\\uFEFF]+/ });

// --- inside double quotes (and the shared pieces of the other modes)
export const DQClose = createToken({ name: 'DQClose', pattern: '"', pop_mode: true });
export const DQEscape = createToken({ name: 'DQEscape', pattern: /\\[$`"\\]/ });
export const DollarBraceDq = custom('DollarBraceDq', nested('${', Ctx.BraceInDq, 'param'), ['$']);
export const DQText = createToken({ name: 'DQText', pattern: /[^"\\$`]+/, line_breaks: true });
export const HdEscape = createToken({ name: 'HdEscape', pattern: /\\[$`\\]/ });
export const HdText = createToken({ name: 'HdText', pattern: /[^\\$`]+/, line_breaks: true });
export const ParamText = createToken({ name: 'ParamText', pattern: /[^\\'"$`]+/, line_breaks: true });
export const ParamTextDq = createToken({ name: 'ParamTextDq', pattern: /[^\\"$`]+/, line_breaks: true });

// The other `$` constructs must be tried before the lone `$`.
const dollarTokens = [Arith, CmdSub, Var, DollarLit, Backtick];

const modes: Record<string, TokenType[]> = {
  main: [
    HeredocNewline, Newline, Continuation, WS, Comment, HereString, HereDoc, ProcSub, Redir,
    AndIf, OrIf, CaseSep, Semi, Pipe, Amp, ArithCmd, LParen, RParen,
    SQ, AnsiSQ, DQOpen, DQBroken, Arith, CmdSub, DollarBrace, Var, DollarLit, Backtick, Escape, Backslash, Lit,
  ],
  dq: [DQClose, Continuation, DQEscape, Backslash, Arith, CmdSub, DollarBraceDq, Var, DollarLit, Backtick, DQText],
  heredoc: [Continuation, HdEscape, Backslash, Arith, CmdSub, DollarBraceDq, Var, DollarLit, Backtick, HdText],
  param: [Continuation, Escape, Backslash, SQ, AnsiSQ, DQOpen, DQBroken, DollarBrace, ...dollarTokens, ParamText],
  dqparam: [Continuation, DQEscape, Backslash, DQOpen, DQBroken, DollarBraceDq, ...dollarTokens, ParamTextDq],
};

const lexer = new Lexer({ modes, defaultMode: 'main' }, { positionTracking: 'onlyOffset', recoveryEnabled: true });

export type Mode = 'main' | 'dq' | 'heredoc' | 'param' | 'dqparam';

export interface LexResult {
  tokens: IToken[];
  comments: IToken[];
  heredocs: HeredocRecord[];
}

/** A budget for all the lexing of one document (nested re-lexing included): keeps scans linear. */
export function newBudget(textLength: number): ScanBudget {
  return { left: 16 * textLength + 1_000_000 };
}

/** Tokenizes `text`; offsets are relative to it. */
export function lex(text: string, mode: Mode, budget: ScanBudget): LexResult {
  const saved = st;
  st = { budget, pending: [], heredocs: [] };
  try {
    const r = lexer.tokenize(text, mode);
    return { tokens: r.tokens, comments: r.groups.comments ?? [], heredocs: st.heredocs };
  } finally {
    st = saved;
  }
}

export const tokenEnd = (t: IToken): number => t.startOffset + t.image.length;
