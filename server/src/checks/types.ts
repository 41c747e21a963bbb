// How a check declares itself: one file per check, everything about it in one place.
import type { Analysis } from '../engine';
import type { Localized, Problem, Severity } from '../syntax/ast';

/** What a check reports; the framework adds the code and the configured severity. */
export type Finding = Omit<Problem, 'code' | 'severity'>;

export interface CheckDef {
  /** Stable code (DESIGN: never renumber or reuse). */
  code: string;
  /** kebab-case name. */
  name: string;
  severity: Severity;
  /** One line for listings (README, `--list-checks`); the full docs are docs/checks/<code>.md. */
  summary: Localized;
  run(analysis: Analysis): Finding[];
}
