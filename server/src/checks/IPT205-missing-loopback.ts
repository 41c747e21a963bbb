// IPT205: INPUT or OUTPUT drops by default and traffic on the loopback interface is not let
// through: programs on the host can no longer talk to each other over 127.0.0.1 (a local
// database, a DNS cache, a mail filter). Claimed only when a loopback connection is certainly dropped.
import { loc, type Family, type Range } from '../syntax/ast';
import type { Analysis } from '../engine';
import type { Ruleset } from '../model/ruleset';
import type { CheckDef, Finding } from './types';
import { verdict, type Probe } from './lib/reach';
import { insertAtTopFix } from './lib/edits';
import { endStates, opaqueChanges } from './lib/script';

/** Local services a host typically talks to over lo. */
const PROBES: Probe[] = [
  { proto: 'tcp', dport: 5432, state: 'NEW', loopback: true },
  { proto: 'tcp', dport: 3306, state: 'NEW', loopback: true },
  { proto: 'udp', dport: 53, state: 'NEW', loopback: true },
];

export const missingLoopback: CheckDef = {
  code: 'IPT205',
  name: 'missing-loopback',
  severity: 'warning',
  summary: loc('INPUT or OUTPUT drops by default and nothing accepts the loopback interface (lo): local programs cannot talk to each other.', 'INPUT か OUTPUT が既定で破棄し、ループバック（lo）を許可するルールがありません。ホスト内のプログラム同士が通信できません。'),
  run(analysis) {
    const out: Finding[] = [];
    if (opaqueChanges(analysis).length) return out;
    for (const family of analysis.families) {
      for (const chain of ['INPUT', 'OUTPUT'] as const) {
        const f = check(analysis, family, chain);
        if (f) out.push(f);
      }
    }
    return out;
  },
};

/**
 * IPv6 shut off on purpose: INPUT and OUTPUT drop with no rule at all. A program that tries ::1
 * then fails at once (OUTPUT refuses to send) and falls back to 127.0.0.1.
 */
function ipv6Off(rs: Ruleset): boolean {
  const input = rs.chain('filter', 'INPUT'), output = rs.chain('filter', 'OUTPUT');
  return input?.policy === 'DROP' && output?.policy === 'DROP' && !input.rules.length && !output.rules.length;
}

function check(analysis: Analysis, family: Family, chain: 'INPUT' | 'OUTPUT'): Finding | undefined {
  let range: Range | undefined;
  for (const rs of endStates(analysis, family)) {
    if (family === 6 && ipv6Off(rs)) return undefined;
    // A router whose rules are all in FORWARD: the box's own traffic is not what the file is about.
    if (!rs.chain('filter', 'INPUT')?.rules.length && !rs.chain('filter', 'OUTPUT')?.rules.length && rs.chain('filter', 'FORWARD')?.rules.length) return undefined;
    let here: Range | undefined;
    for (const p of PROBES) {
      const v = verdict(rs, 'filter', chain, p);
      if (v.verdict === 'drop') { here = v.decidedBy?.command.range ?? rs.chain('filter', chain)?.policyRange; break; }
    }
    if (!here) return undefined;
    range ??= here;
  }
  if (!range) return undefined;
  const flag = chain === 'INPUT' ? '-i lo' : '-o lo';
  const fix = insertAtTopFix(analysis, family, 'filter', chain, `${flag} -j ACCEPT`,
    loc(`Accept the loopback interface at the top of ${chain} (${flag})`, `${chain} の先頭でループバックを許可する（${flag}）`));
  const addr = family === 4 ? '127.0.0.1' : '::1';
  return {
    range,
    message: loc(
      `${chain}${family === 6 ? ' (IPv6)' : ''} drops by default and no rule accepts the loopback interface (${flag} -j ACCEPT): programs on this host cannot reach each other over ${addr} (a local database, DNS cache or mail filter)`,
      `${chain}${family === 6 ? '（IPv6）' : ' '}は既定で破棄し、ループバック（${flag} -j ACCEPT）を許可するルールがありません。このホスト内のプログラム同士が ${addr} で通信できません（ローカルのデータベース、DNS キャッシュ、メールフィルターなど）`),
    fixes: fix ? [{ ...fix, preferred: true }] : [],
  };
}
