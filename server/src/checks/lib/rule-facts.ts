// Facts about one rule read straight from its words: which destination ports, conntrack states and
// protocol it is limited to. Used by checks that need "could this rule let X through?" answers.
// Anything not understood makes the answer "maybe", never "no".
import type { IptablesCommand, ParsedModule, ParsedOption, Word } from '../../syntax/ast';
import { parsePortRange, type PortRange } from '../../knowledge/values';

export interface PortLimit { ranges: PortRange[]; negated: boolean; words: Word[]; option: ParsedOption; module: ParsedModule }

/** The destination-port limit of a rule (tcp/udp/sctp/dccp --dport, multiport --dports/--ports), if any. */
export function destinationPorts(cmd: IptablesCommand): PortLimit | undefined {
  for (const m of cmd.matches) {
    for (const o of m.options) {
      const isDport = ((m.name === 'tcp' || m.name === 'udp' || m.name === 'sctp' || m.name === 'dccp' || m.name === 'udplite') && o.name === 'dport')
        || (m.name === 'multiport' && (o.name === 'dports' || o.name === 'ports'));
      if (!isDport || !o.args.length || o.args[0].symbolic) continue;
      const ranges: PortRange[] = [];
      for (const part of o.args[0].text.split(',')) {
        const r = parsePortRange(part, m.name === 'multiport' ? protocol(cmd) ?? 'tcp' : m.name);
        if (r.ok) ranges.push(r.value);
      }
      return { ranges, negated: o.negated, words: o.args, option: o, module: m };
    }
  }
  return undefined;
}

export function portAllowed(limit: PortLimit | undefined, port: number): boolean {
  if (!limit) return true;
  const inside = limit.ranges.some((r) => port >= r.from && port <= r.to);
  return limit.negated ? !inside : inside;
}

/** Conntrack states the rule is limited to (upper case), or undefined when it has no state match. */
export function stateLimit(cmd: IptablesCommand): { states: Set<string>; negated: boolean } | undefined {
  for (const m of cmd.matches) {
    for (const o of m.options) {
      if (!((m.name === 'state' && o.name === 'state') || (m.name === 'conntrack' && o.name === 'ctstate'))) continue;
      if (!o.args.length || o.args[0].symbolic) return undefined;
      return { states: new Set(o.args[0].text.toUpperCase().split(',')), negated: o.negated };
    }
  }
  return undefined;
}

export function stateAllows(cmd: IptablesCommand, state: string): boolean {
  const s = stateLimit(cmd);
  if (!s) return true;
  return s.negated ? !s.states.has(state) : s.states.has(state);
}

/** The protocol named by `-p` (lower case), or undefined for none, `all`, negation or a variable. */
export function protocol(cmd: IptablesCommand): string | undefined {
  const p = cmd.generic.protocol;
  if (!p || p.negated || p.arg.symbolic) return undefined;
  const v = p.value.toLowerCase();
  if (v === '6') return 'tcp';
  if (v === '17') return 'udp';
  return v === 'all' || v === '0' ? undefined : v;
}

export function protocolAllows(cmd: IptablesCommand, proto: string): boolean {
  const p = cmd.generic.protocol;
  if (!p || p.arg.symbolic) return true;
  const v = p.value.toLowerCase();
  const named = v === '6' ? 'tcp' : v === '17' ? 'udp' : v;
  if (named === 'all' || named === '0') return !p.negated;
  return p.negated ? named !== proto : named === proto;
}

const UNDERSTOOD = new Set(['tcp', 'udp', 'state', 'conntrack', 'comment', 'multiport']);

/** Matches other than the ones these facts read: the rule's reach is uncertain. */
export const hasOtherMatches = (cmd: IptablesCommand) => cmd.matches.some((m) => !UNDERSTOOD.has(m.name));

/** No condition at all: matches every packet. */
export function isUnconditional(cmd: IptablesCommand): boolean {
  const g = cmd.generic;
  return !g.protocol && !g.source && !g.destination && !g.inInterface && !g.outInterface && !g.fragment && cmd.matches.length === 0;
}
