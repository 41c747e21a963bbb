// IPT502: a LOG rule without a rate limit writes one kernel log line per matching packet. Anyone who
// can send such packets (a port scan, a flood) can fill the disk and bury the log lines that matter.
import { loc, type Fix, type IptablesCommand } from '../syntax/ast';
import type { Ruleset } from '../model/ruleset';
import type { CheckDef, Finding } from './types';
import { chainOfRule } from './lib/chains';
import { uniqueCommands } from './lib/exposure';
import { addsRule } from './lib/rule-facts';

const LIMITS = new Set(['limit', 'hashlimit']);
const LIMIT_TEXT = '-m limit --limit 5/min --limit-burst 10';

export const logWithoutLimit: CheckDef = {
  code: 'IPT502',
  name: 'log-without-limit',
  severity: 'warning',
  summary: loc('A LOG rule without a rate limit (-m limit): a flood of packets floods the log.', 'レート制限（-m limit）のない LOG ルールです。大量のパケットでログがあふれます。'),
  run(analysis) {
    const out: Finding[] = [];
    const chains = new Map<Ruleset, Map<IptablesCommand, string>>();
    for (const rec of uniqueCommands(analysis)) {
      const cmd = rec.command;
      if (cmd.invalid || !addsRule(cmd) || cmd.target?.name !== 'LOG' || cmd.matches.some((m) => LIMITS.has(m.name))) continue;
      const rs = analysis.rulesets[cmd.family];
      let byCommand = chains.get(rs);
      if (!byCommand) {
        byCommand = new Map();
        for (const t of rs.tables.keys()) for (const [r, c] of chainOfRule(rs, t)) byCommand.set(r.command, c);
        chains.set(rs, byCommand);
      }
      const chain = byCommand.get(cmd);
      // Not in the final ruleset (deleted again, or never loaded): it logs nothing.
      if (!chain || limitedByCallers(rs, cmd.table, chain)) continue;
      const fixes: Fix[] = [];
      const j = cmd.target.word;
      if (j && !j.symbolic) {
        fixes.push({
          title: loc('Limit logging to 5 lines a minute (-m limit --limit 5/min)', 'ログを 1 分あたり 5 行に制限する（-m limit --limit 5/min）'),
          edits: [{ range: { start: j.range.start, end: j.range.start }, newText: `${LIMIT_TEXT} ` }],
          preferred: true,
        });
      }
      out.push({
        range: cmd.target.nameWord ? { start: j?.range.start ?? cmd.target.nameWord.range.start, end: cmd.target.nameWord.range.end } : cmd.range,
        message: loc(
          'logs every matching packet with no rate limit: a port scan or a flood writes as many kernel log lines, filling the disk and hiding what matters. Add -m limit (e.g. --limit 5/min) to this rule',
          '一致したパケットをレート制限なしですべて記録します。ポートスキャンや大量のパケットで同じ数のカーネルログが書かれ、ディスクを埋め、重要な記録が埋もれます。このルールに -m limit（例：--limit 5/min）を加えてください'),
        fixes,
      });
    }
    return out;
  },
};

/** A user chain whose every caller is rate-limited: the LOG inside is limited already. */
function limitedByCallers(rs: Ruleset, table: string, chain: string): boolean {
  const callers = rs.referencesTo(table, chain);
  return callers.length > 0 && callers.every((r) => r.command.matches.some((m) => LIMITS.has(m.name)));
}
