// What the shell front end hands to the rest of the engine: the commands a script runs, in
// execution order, with every word expanded as far as can be known statically.
import type { Position, Problem, Range, Word } from '../ast';

export interface ShellCommandEvent {
  kind: 'command';
  /** words[0] is the program as it would be run (e.g. `/sbin/iptables` after `$IPT` expanded; `sudo` removed). */
  words: Word[];
  /** The whole simple command, continuation lines included. */
  range: Range;
  /** Runs only under a condition the evaluator could not decide (if/case/while body, `a && b`, `a || b`). */
  conditional: boolean;
}

/** `iptables-restore [opts] <<EOF ... EOF` (or ip6tables-restore): a save-format document inside the script. */
export interface ShellRestoreEvent {
  kind: 'restore';
  /** The restore command's words (program first), e.g. `iptables-restore`, `--noflush`. */
  words: Word[];
  range: Range;
  conditional: boolean;
  /** Heredoc body after expansion (unquoted delimiter: `$VAR` expanded where known). */
  body: string;
  /** Document position of the first character of the body; body line k is document line start.line + k. */
  bodyStart: Position;
}

export type ShellEvent = ShellCommandEvent | ShellRestoreEvent;

export interface ShellVariable {
  name: string;
  /** Literal value when known at every use, else undefined (symbolic). */
  value?: string;
  /** Ranges of the assignments (`NAME=...`) in execution order of the source. */
  definitions: Range[];
  /** Ranges of the uses (`$NAME`, `${NAME}`, `${NAME:-x}`), the `$` included. */
  uses: Range[];
}

export interface ShellFunction {
  name: string;
  definition: Range;
  /** The range of the name in the definition. */
  nameRange: Range;
  calls: Range[];
}

export interface ShellResult {
  events: ShellEvent[];
  /** Syntax problems (unterminated quote or heredoc, ...), code IPT100, never a crash. */
  problems: Problem[];
  variables: ShellVariable[];
  functions: ShellFunction[];
  /** Comment lines `# iptables-lint disable=...` etc. are read by the checks; all comments with ranges. */
  comments: { text: string; range: Range }[];
}
