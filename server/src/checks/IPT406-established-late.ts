// IPT406: the ESTABLISHED,RELATED accept is not near the top, so every packet of every
// connection walks the rules above it first.
import { loc } from '../syntax/ast';
import type { CheckDef, Finding } from './types';
import { stateLimit } from './lib/rule-facts';
import { moveLinesFix } from './lib/edits';

export const establishedLate: CheckDef = {
  code: 'IPT406',
  name: 'established-late',
  severity: 'info',
  summary: loc('The ESTABLISHED,RELATED accept comes after other rules: every packet walks the whole chain first.', 'ESTABLISHED,RELATED の許可が後ろにあるため、すべてのパケットがその前のルールを順にたどります。'),
  run(analysis) {
    const out: Finding[] = [];
    for (const f of analysis.families) {
      const table = analysis.rulesets[f].tables.get('filter');
      for (const chain of table?.chains.values() ?? []) {
        if (!chain.builtin) continue;
        const k = chain.rules.findIndex((r) => isEstablishedAccept(r.command));
        // Loopback and INVALID drops in front are fine: count only other rules above it.
        const above = chain.rules.slice(0, Math.max(0, k)).filter((r) => !isCheapFront(r.command));
        if (k < 0 || above.length < 2) continue;
        const rule = chain.rules[k];
        const first = chain.rules[0].command.range.start.line;
        const fix = rule.command.range.start.line > first && analysis.commands.filter((c) => c.command === rule.command).length === 1
          ? moveLinesFix(analysis.text, rule.command.range.start.line, rule.command.range.end.line, first, loc(`Move it to the top of ${chain.name}`, `${chain.name} の先頭へ移動`))
          : undefined;
        out.push({
          range: rule.command.range,
          message: loc(`the accept of ESTABLISHED,RELATED traffic is rule ${k + 1} of ${chain.name}: every packet of every open connection is first compared with the ${k} rule(s) above it`,
            `ESTABLISHED,RELATED の許可は ${chain.name} の ${k + 1} 番目のルールです。確立済み接続のすべてのパケットが、まずその前の ${k} 個のルールと照合されます`),
          fixes: fix ? [fix] : undefined,
        });
      }
    }
    return out;
  },
};

function isEstablishedAccept(cmd: import('../syntax/ast').IptablesCommand): boolean {
  const s = stateLimit(cmd);
  return cmd.target?.name === 'ACCEPT' && !!s && !s.negated && s.states.has('ESTABLISHED') && !cmd.generic.protocol && !cmd.generic.source && !cmd.generic.inInterface && !cmd.generic.outInterface;
}

function isCheapFront(cmd: import('../syntax/ast').IptablesCommand): boolean {
  const g = cmd.generic;
  if ((g.inInterface?.value === 'lo' || g.outInterface?.value === 'lo') && cmd.matches.length === 0) return true;
  const s = stateLimit(cmd);
  return !!s && s.states.size === 1 && s.states.has('INVALID');
}
