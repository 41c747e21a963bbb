// The iptables command line, one grammar for both front ends (save-file rule lines and `iptables`
// calls in scripts). Chevrotain gives the structure (negation, options, their arguments, stray
// words); how many arguments an option takes is data from knowledge/, decided as each option is
// read, exactly as getopt does with the options iptables has loaded so far: the session marks the
// words the option takes as Argument tokens, and the grammar takes the Argument tokens after it.
import { createToken, createTokenInstance, EmbeddedActionsParser, Lexer, type IToken, type TokenType } from 'chevrotain';
import { loc, rangeKey, rangeOf, type Family, type IptablesCommand, type Problem, type Word } from './ast';
import { CommandSession } from './commandSession';
import { splitRestoreWords } from './words';
import { findLookalikes } from './lookalikes';

const Bang = createToken({ name: 'Bang', pattern: Lexer.NA });
const Option = createToken({ name: 'Option', pattern: Lexer.NA });
const LongOption = createToken({ name: 'LongOption', pattern: Lexer.NA, categories: [Option] });
const ShortOption = createToken({ name: 'ShortOption', pattern: Lexer.NA, categories: [Option] });
const Value = createToken({ name: 'Value', pattern: Lexer.NA });
/** A word that the option before it takes, whatever it looks like (`--comment -x`, `-s !`). */
const Argument = createToken({ name: 'Argument', pattern: Lexer.NA });
const TOKENS = [Bang, Option, LongOption, ShortOption, Value, Argument];

function classify(text: string): TokenType {
  if (text === '!') return Bang;
  if (text.length > 2 && text.startsWith('--')) return LongOption;
  if (text.length >= 2 && text[0] === '-' && text[1] !== '-') return ShortOption;
  return Value;
}

class CommandLineParser extends EmbeddedActionsParser {
  session!: CommandSession;

  constructor() {
    super(TOKENS, { recoveryEnabled: false });
    this.performSelfAnalysis();
  }

  // The alternatives and the repetitions are made once, not per word (Chevrotain's advice for
  // speed: a 70,000-rule file would otherwise allocate a few hundred MB of closures). The
  // semantic actions run only outside the recording phase, as ACTION would run them.
  private readonly argument = () => {
    const a = this.CONSUME(Argument);
    if (!this.RECORDING_PHASE) this.session.argument(a.startOffset);
  };
  private readonly elementAlts = [
    { ALT: () => { const t = this.CONSUME(Bang); if (!this.RECORDING_PHASE) this.session.negation(t.startOffset); } },
    { ALT: () => this.SUBRULE(this.optionWithArgs) },
    { ALT: () => { const t = this.CONSUME(Value); if (!this.RECORDING_PHASE) this.session.stray(t.startOffset); } },
  ];
  private readonly elements = () => this.SUBRULE(this.element);

  private optionWithArgs = this.RULE('optionWithArgs', () => {
    const opt = this.CONSUME(Option);
    if (!this.RECORDING_PHASE) {
      this.session.beginOption(opt.startOffset);
      markArguments(opt.startOffset, this.session.wantedArguments());
    }
    this.MANY(this.argument);
    if (!this.RECORDING_PHASE) this.session.endOption();
  });
  private element = this.RULE('element', () => {
    this.OR(this.elementAlts);
  });

  commandLine = this.RULE('commandLine', () => {
    this.MANY(this.elements);
  });
}

let parser: CommandLineParser | undefined;

/**
 * Tokens are reused between commands (the parser keeps none of them and the actions read only
 * startOffset, the word index): a large save file would otherwise allocate one per word. Token k
 * always stands for word k, so the input of an n-word command is always the same array: the
 * first n tokens of the pool (one array per length, made once).
 */
const tokenPool: IToken[] = [];
const inputs: IToken[][] = [];
function tokensFor(session: CommandSession, n: number): IToken[] {
  for (let i = 0; i < n; i++) {
    const type = classify(session.normalized(i));
    const t = (tokenPool[i] ??= createTokenInstance(type, '', i, i, 0, 0, 0, 0));
    t.tokenType = type;
    t.tokenTypeIdx = type.tokenTypeIdx!;
  }
  return (inputs[n] ??= tokenPool.slice(0, n));
}

/** The `count` words after the option at `at` are its arguments. */
function markArguments(at: number, count: number): void {
  for (let k = at + 1; k <= at + count; k++) {
    tokenPool[k].tokenType = Argument;
    tokenPool[k].tokenTypeIdx = Argument.tokenTypeIdx!;
  }
}

export interface CommandLineOptions {
  family: Family;
  /** Table in effect before any `-t` (a save file's `*table`). */
  table?: string;
  origin: 'save' | 'shell';
  /** Every word is known to be plain ASCII (lets the session skip the look-alike scan). */
  ascii?: boolean;
}

/**
 * Reads the words after the program name (`iptables`) or a save-file rule line. Problems of
 * severity error mean iptables would reject the command.
 */
export function parseCommandWords(words: Word[], opts: CommandLineOptions): { command: IptablesCommand; problems: Problem[] } {
  const result = parseOnce(words, opts);
  for (const p of result.problems) if (p.code === 'IPT114') return withoutConsequences(result, words, opts);
  return result;
}

function parseOnce(words: Word[], opts: CommandLineOptions): { command: IptablesCommand; problems: Problem[] } {
  parser ??= new CommandLineParser();
  const session = new CommandSession(words, opts);
  // Token offsets carry word indexes: the session reads the words themselves.
  parser.input = tokensFor(session, words.length);
  parser.session = session;
  parser.commandLine();
  return session.finish();
}

/**
 * One typo, one error: a full-width space inside `INPUT　-p` also makes the chain unknown and `-p`
 * vanish, and `２２` is also a bad port. Those follow from the look-alike characters (IPT114, with
 * its fix), so the other problems reported are those of the command as it reads once the fixes are
 * applied: what would still be wrong after them. The command itself stays the one written (invalid).
 */
function withoutConsequences(result: { command: IptablesCommand; problems: Problem[] }, words: Word[], opts: CommandLineOptions): { command: IptablesCommand; problems: Problem[] } {
  const flagged = new Set<string>();
  for (const p of result.problems) if (p.code === 'IPT114') flagged.add(rangeKey(p.range));
  const fixedWords: Word[] = [];
  // Pieces placed on the whole word (see piecesOf): a fix made for one of them would replace all of it.
  const unplaced = new Set<string>();
  for (const w of words) {
    const found = w.symbolic ? undefined : findLookalikes(w.text);
    if (!found || !flagged.has(rangeKey(w.range))) { fixedWords.push(w); continue; }
    const { pieces, exact } = piecesOf(w, found.fixed);
    for (const piece of pieces) fixedWords.push(piece);
    if (!exact) unplaced.add(rangeKey(w.range));
  }
  const after = parseOnce(fixedWords, { ...opts, ascii: false });
  const problems = result.problems.filter((p) => p.code === 'IPT114');
  for (const p of after.problems) problems.push(p.fixes && unplaced.has(rangeKey(p.range)) ? { ...p, fixes: undefined } : p);
  return { command: result.command, problems };
}

/**
 * The words a fixed word becomes (a look-alike space now separates words). Look-alikes are replaced
 * one character for one, so a piece keeps its place in the word when the word is written as is
 * (not quoted, on one line); otherwise every piece points at the whole word.
 */
function piecesOf(w: Word, fixed: string): { pieces: Word[]; exact: boolean } {
  const r = w.range;
  const exact = r.start.line === r.end.line && r.end.character - r.start.character === w.text.length;
  const out: Word[] = [];
  const re = /[^ ]+/g;
  for (let m = re.exec(fixed); m; m = re.exec(fixed)) {
    const range = exact
      ? { start: { line: r.start.line, character: r.start.character + m.index }, end: { line: r.start.line, character: r.start.character + m.index + m[0].length } }
      : r;
    out.push({ text: m[0], range, quoted: w.quoted });
  }
  return { pieces: out, exact };
}

/** Convenience for tests and tools: the arguments of one `iptables` call, such as `-A INPUT -p tcp --dport 22 -j ACCEPT`. */
export function parseRuleArgs(text: string, opts: { family?: Family; table?: string; origin?: 'save' | 'shell' } = {}): { command: IptablesCommand; problems: Problem[] } {
  const split = splitRestoreWords(text, 0);
  const result = parseCommandWords(split.words, { family: opts.family ?? 4, table: opts.table, origin: opts.origin ?? 'shell' });
  if (split.words.length === 0) result.command.range = rangeOf({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  result.problems.unshift(...split.problems);
  return result;
}

export const commandLineMessages = {
  noCommand: loc('no command given (such as -A, -I, -P or -N): iptables rejects this', 'コマンド（-A, -I, -P, -N など）がありません。iptables はこれを受け付けません'),
};
