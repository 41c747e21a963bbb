// How the knowledge of iptables is described: data per match/target module, read by the
// command-line parser (which options exist, how many arguments), the validity checks (value
// parsers), the canonical printer (save) and the editor (docs, completion).
import type { Family, IptablesCommand, Localized, ParsedModule } from '../syntax/ast';

/** Result of reading an option's argument words. */
export type ValueResult<T = unknown> = { ok: true; value: T } | { ok: false; message: Localized };

export interface OptionContext {
  family: Family;
  table: string;
  cmd: IptablesCommand;
}

export interface OptionDef {
  /** Canonical long name without dashes, as iptables-save prints it. */
  name: string;
  /** Other long spellings iptables accepts for the same option (without dashes). */
  aliases?: string[];
  /**
   * Argument words taken: 0, 1, 2 (e.g. `--tcp-flags MASK COMP`), or 'optional' (takes the next
   * word when it does not start with `-`, as getopt's optional_argument does for iptables).
   */
  args: 0 | 1 | 2 | 'optional';
  /** `! --opt` is accepted. */
  negatable?: boolean;
  /** Placeholder for docs and completion, e.g. `port[:port]`. */
  argName?: string;
  /** Known argument values (completion, docs). */
  values?: string[];
  /** Reads and validates the argument words; absent = any text is accepted. */
  parse?(args: string[], ctx: OptionContext): ValueResult;
  doc: Localized;
  /** The option may be given more than once (e.g. `--match-set` in some modules). */
  repeatable?: boolean;
}

export interface ModuleDef {
  name: string;
  kind: 'match' | 'target';
  /** Other names that load this module (e.g. `icmpv6` for `icmp6`). */
  aliases?: string[];
  /** Only in this family (libipt_* = 4, libip6t_* = 6); absent = both (libxt_*). */
  family?: Family;
  /** Tables where iptables accepts it; absent = all. */
  tables?: string[];
  /** Built-in chains (hooks) where the kernel accepts it; absent = all. */
  chains?: string[];
  /** The rule must say `-p` one of these (for matches such as `multiport`). */
  protocols?: string[];
  doc: Localized;
  options: OptionDef[];
  /** Whole-module rules after all options are read: required options, conflicts. Each string is an error. */
  validate?(m: ParsedModule, ctx: OptionContext): Localized[];
  /**
   * The words iptables-save prints for this module, starting with `-m NAME` / `-j NAME`
   * (a module may be printed under another name, as `-j NOTRACK` is printed `-j CT --notrack`).
   * Called only for modules that parsed without error and have no symbolic words.
   */
  save(m: ParsedModule, ctx: OptionContext): string[];
  /** Deprecated in favour of another module (e.g. `state` -> `conntrack`). */
  deprecatedBy?: string;
}
