// "Could this chain accept such a packet?" for the lockout checks, following jumps. Anything not
// understood counts as "it might accept", so these checks never claim a lockout they cannot prove.
import type { IptablesCommand } from '../../syntax/ast';
import type { Ruleset } from '../../model/ruleset';
import { STANDARD_TARGETS, findTarget } from '../../knowledge/registry';
import { destinationPorts, hasOtherMatches, portAllowed, protocolAllows, stateAllows } from './rule-facts';

/** An inbound TCP packet from some remote host (not loopback) to a port, in a conntrack state. */
export interface InboundTcp { port: number; state: 'NEW' | 'ESTABLISHED' }

type Match = 'yes' | 'no' | 'maybe';

export function ruleMatches(cmd: IptablesCommand, pkt: InboundTcp): Match {
  if (cmd.symbolic && cmd.words.some((w) => w.symbolic)) {
    // A variable could stand for anything: only the parts we can read may exclude the packet.
  }
  if (!protocolAllows(cmd, 'tcp')) return 'no';
  if (!portAllowed(destinationPorts(cmd), pkt.port)) return 'no';
  if (!stateAllows(cmd, pkt.state)) return 'no';
  const g = cmd.generic;
  if (g.inInterface && !g.inInterface.arg.symbolic && !g.inInterface.negated && g.inInterface.value === 'lo') return 'no';
  if (g.fragment && !g.fragment.negated) return 'no';
  if (g.source || g.destination || g.inInterface || g.outInterface || hasOtherMatches(cmd) || cmd.symbolic) return 'maybe';
  for (const m of cmd.matches) if (m.options.some((o) => o.name === 'sport' || o.name === 'sports' || o.name === 'tcp-flags' || o.name === 'syn')) return 'maybe';
  return 'yes';
}

type Outcome = 'accept' | 'drop' | 'continue';

/** 'accept' means "may accept": a certain drop is needed for 'drop'. */
export function chainOutcome(rs: Ruleset, table: string, chainName: string, pkt: InboundTcp, depth = 0): Outcome {
  const chain = rs.chain(table, chainName);
  if (!chain || depth > 32) return 'accept';
  for (const rule of chain.rules) {
    const m = ruleMatches(rule.command, pkt);
    if (m === 'no') continue;
    const t = rule.command.target;
    if (!t) continue;
    if (t.nameWord?.symbolic) return 'accept';
    if (t.name === 'ACCEPT') return 'accept';
    if (t.name === 'DROP' || t.name === 'REJECT') { if (m === 'yes') return 'drop'; continue; }
    if (t.name === 'RETURN') { if (m === 'yes') return chain.builtin ? policyOutcome(chain.policy) : 'continue'; continue; }
    if ((STANDARD_TARGETS as readonly string[]).includes(t.name)) return 'accept'; // QUEUE: user space decides
    if (!rule.command.goto && findTarget(t.name, rs.family)) continue; // LOG, MARK, ...: not deciding
    const sub = chainOutcome(rs, table, t.name, pkt, depth + 1);
    if (sub === 'accept') return 'accept';
    if (sub === 'drop' && m === 'yes') return 'drop';
    if (rule.command.goto && m === 'yes') return chain.builtin ? policyOutcome(chain.policy) : 'continue';
  }
  return chain.builtin ? policyOutcome(chain.policy) : 'continue';
}

const policyOutcome = (policy?: string): Outcome => (policy === 'DROP' ? 'drop' : 'accept');

/** May a remote host's packet in this state reach the port through filter INPUT? */
export const inputMayAccept = (rs: Ruleset, pkt: InboundTcp) => chainOutcome(rs, 'filter', 'INPUT', pkt) === 'accept';
