// IPT207: ip6tables drops ICMPv6 neighbour discovery. Neighbour solicitations and advertisements
// are not tracked by conntrack (their state is UNTRACKED, never ESTABLISHED or RELATED), so an
// ESTABLISHED,RELATED accept does not let them in: the host cannot resolve its neighbours or its
// router and IPv6 stops working altogether (checked with the real kernel: a connection to an
// accepted tcp/22 fails with "No route to host" until ICMPv6 is accepted). Reported only where the
// rules mean IPv6 to work (INPUT accepts something besides lo), not for "IPv6 off" setups.
import { loc, type Family, type Range } from '../syntax/ast';
import type { Analysis } from '../engine';
import type { Ruleset } from '../model/ruleset';
import type { CheckDef, Finding } from './types';
import { verdict, type Probe } from './lib/reach';
import { insertAtTopFix } from './lib/edits';
import { endStates, opaqueChanges } from './lib/script';

const NEIGHBOUR_SOLICITATION = 135;
const NEIGHBOUR_ADVERTISEMENT = 136;
const RULE = '-p ipv6-icmp -j ACCEPT';

export const icmpv6Blocked: CheckDef = {
  code: 'IPT207',
  name: 'icmpv6-blocked',
  severity: 'warning',
  summary: loc('ip6tables drops ICMPv6 neighbour discovery: the host cannot find its neighbours and IPv6 stops working.', 'ip6tables が ICMPv6 の近隣探索を破棄します。近隣ホストを見つけられず、IPv6 の通信が止まります。'),
  run(analysis) {
    if (!analysis.families.includes(6) || opaqueChanges(analysis).length) return [];
    const out: Finding[] = [];
    for (const chain of ['INPUT', 'OUTPUT'] as const) {
      const f = check(analysis, 6, chain);
      if (f) out.push(f);
    }
    return out;
  },
};

/** INPUT accepts by default, or lets some traffic through other than loopback: IPv6 is meant to work. */
function meantToWork(rs: Ruleset, chain: string): boolean {
  const c = rs.chain('filter', chain);
  return c?.policy !== 'DROP' || c.rules.some((r) => {
    const g = r.command.generic;
    const lo = chain === 'INPUT' ? g.inInterface : g.outInterface;
    return r.command.target?.name === 'ACCEPT' && !(lo && !lo.negated && lo.value === 'lo');
  });
}

function check(analysis: Analysis, family: Family, chain: 'INPUT' | 'OUTPUT'): Finding | undefined {
  let range: Range | undefined;
  for (const rs of endStates(analysis, family)) {
    if (!meantToWork(rs, 'INPUT')) return undefined;
    let here: Range | undefined;
    for (const icmpType of [NEIGHBOUR_SOLICITATION, NEIGHBOUR_ADVERTISEMENT]) {
      const probe: Probe = { proto: 'icmpv6', dport: 0, icmpType, state: 'UNTRACKED', loopback: false };
      const v = verdict(rs, 'filter', chain, probe);
      if (v.verdict === 'drop') { here = v.decidedBy?.command.range ?? rs.chain('filter', chain)?.policyRange; break; }
    }
    if (!here) return undefined;
    range ??= here;
  }
  if (!range) return undefined;
  const fix = insertAtTopFix(analysis, family, 'filter', chain, RULE,
    loc(`Accept ICMPv6 at the top of ${chain} (${RULE})`, `${chain} の先頭で ICMPv6 を許可する（${RULE}）`));
  const sent = chain === 'INPUT' ? loc('incoming', '受信する') : loc('outgoing', '送信する');
  return {
    range,
    message: loc(
      `ip6tables ${chain} drops ${sent.en} ICMPv6 neighbour discovery messages (neighbour solicitations and advertisements belong to no connection, so an ESTABLISHED,RELATED accept does not let them through): the host cannot find its neighbours or its router, and IPv6 stops working, SSH over IPv6 included. Accept ICMPv6 before the rules that drop (${RULE}, or at least types 133-136)`,
      `ip6tables の ${chain} が、${sent.ja} ICMPv6 の近隣探索メッセージを破棄します（近隣要請・近隣広告はどの接続にも属さないため、ESTABLISHED,RELATED の許可では通りません）。ホストが近隣ホストやルーターを見つけられず、IPv6 の通信は SSH も含めてすべて止まります。破棄するルールより前で ICMPv6 を許可してください（${RULE}、少なくともタイプ 133〜136）`),
    fixes: fix ? [{ ...fix, preferred: true }] : [],
  };
}
