// The iptables command line, one grammar for both front ends (save-file rule lines and `iptables`
// calls in scripts). Chevrotain gives the structure (negation, options, their arguments, stray
// words); how many arguments an option takes is data from knowledge/, decided by a GATE while
// parsing, exactly as getopt does with the options iptables has loaded so far.
import { createToken, createTokenInstance, EmbeddedActionsParser, type IToken, type TokenType } from 'chevrotain';
import { loc, rangeOf, type Family, type IptablesCommand, type Problem, type Word } from './ast';
import { CommandSession } from './commandSession';
import { splitRestoreWords } from './words';

const AnyWord = createToken({ name: 'AnyWord', pattern: /NA/ });
const Bang = createToken({ name: 'Bang', pattern: /NA/, categories: [AnyWord] });
const LongOption = createToken({ name: 'LongOption', pattern: /NA/, categories: [AnyWord] });
const ShortOption = createToken({ name: 'ShortOption', pattern: /NA/, categories: [AnyWord] });
const Value = createToken({ name: 'Value', pattern: /NA/, categories: [AnyWord] });
const TOKENS = [AnyWord, Bang, LongOption, ShortOption, Value];

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

  // The alternatives and the repetition are made once, not per word (Chevrotain's advice for
  // speed: a 70,000-rule file would otherwise allocate a few hundred MB of closures). The
  // semantic actions run only outside the recording phase, as ACTION would run them.
  private readonly optionAlts = [{ ALT: () => this.CONSUME(LongOption) }, { ALT: () => this.CONSUME(ShortOption) }];
  private readonly argumentRepetition = {
    GATE: () => this.session.wantsArgument(this.LA(1).startOffset),
    DEF: () => {
      const a = this.CONSUME(AnyWord);
      if (!this.RECORDING_PHASE) this.session.argument(a.startOffset);
    },
  };
  private readonly elementAlts = [
    { ALT: () => { const t = this.CONSUME(Bang); if (!this.RECORDING_PHASE) this.session.negation(t.startOffset); } },
    { ALT: () => this.SUBRULE(this.optionWithArgs) },
    { ALT: () => { const t = this.CONSUME(Value); if (!this.RECORDING_PHASE) this.session.stray(t.startOffset); } },
  ];
  private readonly elements = () => this.SUBRULE(this.element);

  private optionWithArgs = this.RULE('optionWithArgs', () => {
    const opt = this.OR(this.optionAlts);
    if (!this.RECORDING_PHASE) this.session.beginOption(opt.startOffset);
    this.MANY(this.argumentRepetition);
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
 * startOffset, the word index): a large save file would otherwise allocate one per word.
 */
const tokenPool: IToken[] = [];
function token(i: number, type: TokenType): IToken {
  const t = (tokenPool[i] ??= createTokenInstance(type, '', i, i, 0, 0, 0, 0));
  t.tokenType = type;
  t.tokenTypeIdx = type.tokenTypeIdx!;
  return t;
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
  parser ??= new CommandLineParser();
  const session = new CommandSession(words, opts);
  // Token offsets carry word indexes: the session reads the words themselves.
  parser.input = words.map((w, i) => token(i, classify(session.normalized(i))));
  parser.session = session;
  parser.commandLine();
  return session.finish();
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
