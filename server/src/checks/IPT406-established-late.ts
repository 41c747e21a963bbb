// IPT406: the ESTABLISHED,RELATED accept is not near the top, so every packet of every
// connection walks the rules above it first.
import { loc } from '../syntax/ast';
import type { IptablesCommand } from '../syntax/ast';
import type { Chain } from '../model/ruleset';
import type { CheckDef, Finding } from './types';
import { stateLimit } from './lib/rule-facts';
import { moveRuleFix } from './lib/order-findings';
import { domainOf, ruleBox } from '../analysis/match';
import { boxOverlaps, type Domain } from '../analysis/space';
import { verdictKey } from '../analysis/order';

export const establishedLate: CheckDef = {
  code: 'IPT406',
  name: 'established-late',
  severity: 'info',
  summary: loc('The ESTABLISHED,RELATED accept comes after other rules: every packet walks the whole chain first.', 'ESTABLISHED,RELATED の許可が後ろにあるため、すべてのパケットがその前のルールを順にたどります。'),
  run(analysis) {
    const out: Finding[] = [];
    for (const f of analysis.families) {
      const table = analysis.rulesets[f].tables.get('filter');
      let domain: Domain | undefined;
      for (const chain of table?.chains.values() ?? []) {
        if (!chain.builtin) continue;
        const k = chain.rules.findIndex((r) => isEstablishedAccept(r.command));
        // Loopback and INVALID drops in front are fine: count only other rules above it.
        const above = chain.rules.slice(0, Math.max(0, k)).filter((r) => !isCheapFront(r.command));
        if (k < 0 || above.length < 2) continue;
        const rule = chain.rules[k];
        domain ??= domainOf(analysis.rulesets[f]);
        const fix = movesNothing(chain, k, domain)
          ? moveRuleFix(analysis, rule, chain.rules[0], loc(`Move it to the top of ${chain.name}`, `${chain.name} の先頭へ移動`))
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

/**
 * Moving the accept to the top changes nothing: every rule above it that may see one of its
 * packets accepts it too. A blocklist above it (`-s X -j DROP`), a LOG rule, a rule that only
 * counts (accounting) or a jump to another chain would see fewer packets after the move: then no
 * fix is offered.
 */
function movesNothing(chain: Chain, k: number, domain: Domain): boolean {
  const est = ruleBox(chain.rules[k], domain).box;
  for (const r of chain.rules.slice(0, k)) {
    const { box } = ruleBox(r, domain);
    if (!boxOverlaps(est, { box, dims: domain.restricted(box) })) continue;
    if (verdictKey(r) !== 'ACCEPT') return false;
  }
  return true;
}

function isEstablishedAccept(cmd: IptablesCommand): boolean {
  const s = stateLimit(cmd);
  return cmd.target?.name === 'ACCEPT' && !!s && !s.negated && s.states.has('ESTABLISHED') && !cmd.generic.protocol && !cmd.generic.source && !cmd.generic.inInterface && !cmd.generic.outInterface;
}

function isCheapFront(cmd: IptablesCommand): boolean {
  const g = cmd.generic;
  if ((g.inInterface?.value === 'lo' || g.outInterface?.value === 'lo') && cmd.matches.length === 0) return true;
  const s = stateLimit(cmd);
  return !!s && s.states.size === 1 && s.states.has('INVALID');
}
