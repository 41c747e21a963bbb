// IPT206: a script locks IPv4 down (INPUT drops by default) but never calls ip6tables, so on a host
// with an IPv6 address every service stays reachable over IPv6 as if there were no firewall.
import { loc } from '../syntax/ast';
import type { CheckDef, Finding } from './types';
import { verdict } from './lib/reach';
import { endStates, opaqueChanges } from './lib/script';
import { destinationPorts, sourcePorts } from './lib/rule-facts';
import type { Ruleset } from '../model/ruleset';
import type { PortRange } from '../knowledge/values';

/** Signs that the script (or the host) deals with IPv6 some other way. */
const HANDLES_V6 = /\bip6tables|disable_ipv6|\bnft\b|\bufw\b|firewall-cmd/;

/** Candidates for "a port the rules do not single out", whose fate is the chain's default. */
const PROBES = [7, 47, 3306, 5900, 31337, 23];

function unnamedPort(rs: Ruleset): number | undefined {
  const named: PortRange[] = [];
  for (const c of rs.tables.get('filter')?.chains.values() ?? []) {
    for (const r of c.rules) for (const l of [destinationPorts(r.command), sourcePorts(r.command)]) if (l) named.push(...l.ranges);
  }
  return PROBES.find((p) => !named.some((r) => p >= r.from && p <= r.to));
}

/** Any interface (undefined), each interface the INPUT rules name, and one they do not name (''). */
function interfaces(rs: Ruleset): (string | undefined)[] {
  const names = new Set<string>();
  for (const c of rs.tables.get('filter')?.chains.values() ?? []) {
    for (const r of c.rules) {
      const i = r.command.generic.inInterface;
      if (i && !i.arg.symbolic && i.value !== 'lo' && !i.value.endsWith('+')) names.add(i.value);
    }
  }
  return [undefined, ...names, ''];
}

export const ipv6LeftOpen: CheckDef = {
  code: 'IPT206',
  name: 'ipv6-left-open',
  severity: 'warning',
  summary: loc('The script locks IPv4 down with DROP but never configures ip6tables: over IPv6 everything stays open.', 'スクリプトは IPv4 を DROP で制限していますが ip6tables を設定していません。IPv6 ではすべて開いたままです。'),
  run(analysis) {
    if (analysis.kind !== 'shell' || !analysis.families.includes(4) || analysis.families.includes(6)) return [];
    if (HANDLES_V6.test(analysis.text) || opaqueChanges(analysis).length) return [];
    // Hardened = a new connection from outside to some port nobody serves publicly is surely dropped.
    let range;
    for (const rs of endStates(analysis, 4)) {
      const dport = unnamedPort(rs);
      if (dport === undefined) return [];
      // On some interface, at least (a router accepts its LAN and drops the rest).
      const v = interfaces(rs).map((iface) => verdict(rs, 'filter', 'INPUT', { proto: 'tcp', dport, state: 'NEW', loopback: false, iface })).find((x) => x.verdict === 'drop');
      if (!v) return [];
      range ??= v.decidedBy?.command.range ?? rs.chain('filter', 'INPUT')?.policyRange;
    }
    if (!range) return [];
    const finding: Finding = {
      range,
      message: loc(
        'INPUT drops by default for IPv4, but this script never runs ip6tables: if the host has an IPv6 address, every service on it stays reachable over IPv6. Add the same policy and rules with ip6tables (or turn IPv6 off)',
        'IPv4 の INPUT は既定で破棄しますが、このスクリプトは ip6tables を一度も実行しません。ホストに IPv6 アドレスがあれば、すべてのサービスが IPv6 経由で到達可能なままです。ip6tables でも同じポリシーとルールを設定してください（または IPv6 を無効にします）'),
    };
    return [finding];
  },
};
