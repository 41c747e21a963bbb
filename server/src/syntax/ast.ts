// The shared shapes every front end produces and every later step reads.
// Positions are 0-based lines and UTF-16 characters, as in LSP, but nothing here depends on LSP.

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export type Family = 4 | 6;
export type Lang = 'en' | 'ja';
/** Every user-facing sentence exists in both languages. */
export interface Localized { en: string; ja: string }

/** One argument word of an iptables command, after shell quoting and expansion. */
export interface Word {
  /** The value iptables would receive. For a symbolic word, the source text (e.g. `$TrustIP`). */
  text: string;
  range: Range;
  /** Holds a shell variable whose value is not known statically: never guessed, never validated. */
  symbolic?: boolean;
  /** Written with quotes in the source (matters for canonical printing only). */
  quoted?: boolean;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface TextEdit { range: Range; newText: string }
export interface Fix { title: Localized; edits: TextEdit[]; preferred?: boolean }

/** A finding of the parser, the model or a check; the CLI and the language server both render it. */
export interface Problem {
  code: string;
  severity: Severity;
  message: Localized;
  range: Range;
  tags?: ('unnecessary' | 'deprecated')[];
  related?: { range: Range; message: Localized }[];
  fixes?: Fix[];
}

/** An option of a match or target module as written, e.g. `! --dport 22`. */
export interface ParsedOption {
  /** Canonical long name without dashes (`dport` for `--destination-port`). */
  name: string;
  word: Word;
  args: Word[];
  negated: boolean;
  bang?: Word;
  /** Whatever the option's value parser produced; read by the module's save/analysis code. */
  value?: unknown;
}

/** A `-m NAME` match (or the implicit protocol match) or a `-j NAME` target with its options. */
export interface ParsedModule {
  name: string;
  kind: 'match' | 'target';
  /** The `-m`/`-j` word; absent for an implicit protocol match (`-p tcp --dport 22`). */
  word?: Word;
  nameWord?: Word;
  options: ParsedOption[];
}

/** A generic (built-in) match such as `! -s 10.0.0.0/8`. */
export interface GenericMatch { value: string; negated: boolean; word: Word; arg: Word; bang?: Word }

export type CommandOp = 'A' | 'I' | 'D' | 'R' | 'C' | 'P' | 'N' | 'X' | 'F' | 'Z' | 'E' | 'L' | 'S';

/** One iptables command: a line of a save file or one `iptables ...` call in a script. */
export interface IptablesCommand {
  family: Family;
  table: string;
  tableWord?: Word;
  op?: CommandOp;
  opWord?: Word;
  chain?: string;
  chainWord?: Word;
  /** -I/-R/-D/-Z rule number (1-based) when given. */
  ruleNum?: number;
  /** -P target, -E new name. */
  policy?: string;
  policyWord?: Word;
  newName?: string;
  generic: {
    protocol?: GenericMatch;
    source?: GenericMatch;
    destination?: GenericMatch;
    inInterface?: GenericMatch;
    outInterface?: GenericMatch;
    fragment?: { negated: boolean; word: Word; bang?: Word };
  };
  /** Match modules in the order iptables sees them (implicit protocol match included). */
  matches: ParsedModule[];
  target?: ParsedModule;
  /** `-g CHAIN` rather than `-j CHAIN`. */
  goto?: boolean;
  counters?: { packets: string; bytes: string };
  /** Every word of the command (the program name excluded), in order. */
  words: Word[];
  /** The whole command in the source, continuation lines included. */
  range: Range;
  origin: 'save' | 'shell';
  /** Some word is symbolic: the command cannot be fully validated or modelled. */
  symbolic: boolean;
  /** The parser rejected it (an IPT1xx error was reported); the model skips it. */
  invalid: boolean;
  /** `-4` in ip6tables or `-6` in iptables: the program ignores the whole command. */
  skipped?: boolean;
  /** What each word of `words` means (same index), for hover, completion and navigation. */
  roles: WordRole[];
  /**
   * The built-in chains that all its chain-restricted modules allow (DNAT: PREROUTING and OUTPUT),
   * as chainMask() bits of knowledge/tables.ts; 0 when no module is restricted.
   */
  hookMask: number;
  /**
   * Only on the model's copy of a rule whose jump target a later `-E` renamed (its target names the
   * new chain): the command as written, which the document and the analysis records hold.
   */
  renamedFrom?: IptablesCommand;
}

/** The command as written in the document (a rule's command may be the model's renamed copy). */
export const writtenCommand = (cmd: IptablesCommand): IptablesCommand => cmd.renamedFrom ?? cmd;

/** The meaning of one word of a command. */
export type WordRole =
  | { kind: 'command'; op: CommandOp }
  | { kind: 'option'; name: string; module?: string; moduleKind?: 'match' | 'target' }
  | { kind: 'module'; name: string; moduleKind: 'match' | 'target' }
  | { kind: 'chain'; name: string }
  | { kind: 'table'; name: string }
  | { kind: 'verdict'; name: string }
  | { kind: 'value'; option: string; module?: string; index: number }
  | { kind: 'negation' }
  | { kind: 'unknown' };

/** A Range as a Map key (ranges are objects: equal ranges are not the same object). */
export const rangeKey = (r: Range): string => `${r.start.line}:${r.start.character}:${r.end.line}:${r.end.character}`;

export function rangeOf(first: Word | Range, last: Word | Range = first): Range {
  const a = 'range' in first ? first.range : first;
  const b = 'range' in last ? last.range : last;
  return { start: a.start, end: b.end };
}

export function loc(en: string, ja: string): Localized {
  return { en, ja };
}
