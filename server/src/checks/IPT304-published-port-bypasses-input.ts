// IPT304: a port is forwarded with DNAT in nat PREROUTING (as Docker does for published ports), and
// INPUT would drop it: the admin may think it is closed, but translated packets go through FORWARD,
// never INPUT, so the INPUT rules do not protect it. Filter it in FORWARD (for Docker: DOCKER-USER).
import { loc, type Family, type Range } from '../syntax/ast';
import type { Analysis } from '../engine';
import type { Rule, Ruleset } from '../model/ruleset';
import type { NatRange } from '../knowledge/targets/nat';
import type { CheckDef, Finding } from './types';
import { verdict, type Probe } from './lib/reach';
import { reachableFrom } from './lib/chains';
import { destinationPorts, mergeRanges, protocol } from './lib/rule-facts';

export const publishedPortBypassesInput: CheckDef = {
  code: 'IPT304',
  name: 'published-port-bypasses-input',
  severity: 'warning',
  summary: loc('A port forwarded with DNAT (e.g. a Docker published port) is not protected by INPUT rules: its packets go through FORWARD.', 'DNAT で転送されるポート（Docker の公開ポートなど）は INPUT のルールでは守られません。パケットは FORWARD を通ります。'),
  run(analysis) {
    const out: Finding[] = [];
    for (const family of analysis.families) out.push(...check(analysis, family));
    return out;
  },
};

function check(analysis: Analysis, family: Family): Finding[] {
  const rs = analysis.rulesets[family];
  const nat = rs.tables.get('nat');
  if (!nat || !rs.tables.get('filter')) return [];
  const out: Finding[] = [];
  const seen = new Set<string>();
  const verdicts = new Map<string, ReturnType<typeof verdict>>();
  const cached = (chain: string, p: Probe) => {
    const k = `${chain} ${p.proto} ${p.dport}`;
    let v = verdicts.get(k);
    if (!v) verdicts.set(k, (v = verdict(rs, 'filter', chain, p)));
    return v;
  };
  // Which chains PREROUTING reaches is asked only of a chain with a finding: walking a
  // kube-proxy nat table (50,000 rules) costs more than all the DNAT rules' own tests.
  let fromPrerouting: Set<string> | undefined;
  for (const chain of nat.chains.values()) {
    for (const rule of chain.rules) {
      const f = checkRule(rs, rule, cached);
      if (!f) continue;
      fromPrerouting ??= reachableFrom(rs, 'nat', ['PREROUTING']);
      if (!fromPrerouting.has(chain.name)) break;
      const k = `${f.range.start.line}:${f.range.start.character}`;
      if (!seen.has(k)) { seen.add(k); out.push(f); }
    }
  }
  return out;
}

function checkRule(rs: Ruleset, rule: Rule, verdictOf: (chain: string, p: Probe) => ReturnType<typeof verdict>): Finding | undefined {
  const cmd = rule.command;
  if (rule.conditional || cmd.symbolic || cmd.target?.name !== 'DNAT') return undefined;
  const to = cmd.target.options.find((o) => o.name === 'to-destination');
  const range = to?.value as NatRange | undefined;
  // Without an address the packet stays addressed to this host and does go through INPUT.
  if (!range?.minIp || isLoopback(range.minIp)) return undefined;
  if (cmd.generic.source && !/^(0\.0\.0\.0|::)\/0$/.test(cmd.generic.source.value)) return undefined;
  // A forward bound to one named interface is a deliberate port forward, not a published port.
  if (cmd.generic.inInterface && !cmd.generic.inInterface.negated) return undefined;
  const proto = protocol(cmd);
  const ports = destinationPorts(cmd);
  if ((proto !== 'tcp' && proto !== 'udp') || !ports || ports.negated) return undefined;
  const port = mergeRanges(ports.ranges)[0]?.from;
  if (port === undefined) return undefined;
  const incoming: Probe = { proto, dport: port, state: 'NEW', loopback: false };
  const input = verdictOf('INPUT', incoming);
  if (input.verdict !== 'drop') return undefined;
  const forwarded: Probe = { ...incoming, dport: range.minPort ?? port };
  if (verdictOf('FORWARD', forwarded).verdict === 'drop') return undefined;
  const where = rs.tables.get('filter')?.chains.has('DOCKER-USER') ? 'DOCKER-USER' : 'FORWARD';
  const dest = `${formatIp(range.minIp)}${range.minPort !== undefined ? `:${range.minPort}` : ''}`;
  const inputAt: Range | undefined = input.decidedBy?.command.range ?? rs.chain('filter', 'INPUT')?.policyRange;
  return {
    range: cmd.target.word ? { start: cmd.target.word.range.start, end: to!.args[to!.args.length - 1]?.range.end ?? cmd.target.word.range.end } : cmd.range,
    message: loc(
      `${proto}/${port} is forwarded to ${dest}: INPUT would drop it, but translated packets go through FORWARD and never reach INPUT, so the INPUT rules do not protect this port. Filter it in ${where}`,
      `${proto}/${port} は ${dest} へ転送されます。INPUT なら破棄されますが、変換後のパケットは FORWARD を通り INPUT には届かないため、INPUT のルールではこのポートを守れません。${where} で制限してください`),
    related: inputAt ? [{ range: inputAt, message: loc('INPUT drops this port here, but forwarded packets never get here', 'INPUT はここでこのポートを破棄しますが、転送されるパケットはここを通りません') }] : undefined,
  };
}

const isLoopback = (ip: number[]) => (ip.length === 4 ? ip[0] === 127 : ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1);
const formatIp = (ip: number[]) => (ip.length === 4 ? ip.join('.') : `[${Array.from({ length: 8 }, (_, i) => ((ip[2 * i] << 8) | ip[2 * i + 1]).toString(16)).join(':')}]`);
