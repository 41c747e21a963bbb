// Boxes for the exposure matrix: the lead's commandBox (match.ts), made safe and a little sharper
// for the matrix's packets — new connections in the original direction, before any NAT — where
// conntrack's original tuple is the packet itself and the virtual DNAT/SNAT states are not set yet.
import type { Chain, Rule, Ruleset } from '../model/ruleset';
import type { IptablesCommand, ParsedModule } from '../syntax/ast';
import { parseAddress, parsePortRange } from '../knowledge/values';
import { protocolNumber } from '../knowledge/protocols';
import { addressSet, commandBox } from './match';
import { IntervalSet } from './intervals';
import type { Box, Dim, Domain } from './space';
import { HOOKS } from './tracer';

/** Built-in chains on the path and every chain reached from them, in a stable order. */
export function reachableChains(rs: Ruleset, path: 'input' | 'forward'): { table: string; chain: Chain }[] {
  const out: { table: string; chain: Chain }[] = [];
  const seen = new Set<Chain>();
  for (const [table, name] of HOOKS[path]) {
    const t = rs.tables.get(table);
    const start = t?.chains.get(name);
    if (!t || !start) continue;
    const stack = [start];
    while (stack.length) {
      const c = stack.pop()!;
      if (seen.has(c)) continue;
      seen.add(c);
      out.push({ table, chain: c });
      for (const r of c.rules) {
        const next = r.command.target && t.chains.get(r.command.target.name);
        if (next && !next.builtin && !seen.has(next)) stack.push(next);
      }
    }
  }
  return out;
}

const STATE_INDEX: Record<string, number> = { INVALID: 0, NEW: 1, RELATED: 2, ESTABLISHED: 3, UNTRACKED: 4 };

/**
 * The set of matrix packets a rule may match, as a box, and whether the box is exact.
 * `varying`: the tracer decides part of the rule from header values the box cannot split on
 * (multiport --ports, addrtype, odd netmasks), so the matrix must not trust one packet per cell.
 */
export function safeBox(rule: Rule, domain: Domain): { box: Box; exact: boolean; varying: boolean } {
  const cmd = rule.command;
  const extra: [Dim, IntervalSet][] = [];
  let changed = false, inexact = false, varying = false;
  const matches: ParsedModule[] = [];
  for (const m of cmd.matches) {
    if (m.name === 'multiport' && m.options.some((o) => o.name === 'ports')) { changed = true; inexact = true; varying = true; continue; }
    if (m.name === 'addrtype') varying = true;
    if ((m.name === 'conntrack' || m.name === 'state') && !m.options.some((o) => o.args.some((a) => a.symbolic))) {
      changed = true;
      if (!conntrackBox(m, domain, extra)) inexact = true;
      continue;
    }
    matches.push(m);
  }
  const view: IptablesCommand = changed ? { ...cmd, matches } : cmd;
  const { box, exact } = commandBox(view, domain, rule.addresses);
  for (const [d, set] of extra) box[d] = box[d].intersect(set);
  if ((['source', 'destination'] as const).some((f) => cmd.generic[f] && oddMask(rule.addresses[f] ?? cmd.generic[f]!.value, domain.family))) varying = true;
  return { box, exact: exact && !inexact, varying };
}

/** ctstate, ctproto, ctorig*, ctdir as restrictions of a new, not yet NATed packet; false if some option is left unmodelled. */
function conntrackBox(m: ParsedModule, domain: Domain, out: [Dim, IntervalSet][]): boolean {
  let ok = true;
  const push = (d: Dim, set: IntervalSet, negated: boolean) => out.push([d, negated ? set.complement(0n, domain.max[d]) : set]);
  for (const o of m.options) {
    const arg = o.args[0]?.text ?? '';
    switch (o.name) {
      case 'state': case 'ctstate': {
        let set = IntervalSet.EMPTY;
        for (const name of arg.toUpperCase().split(',')) {
          if (name === 'SNAT' || name === 'DNAT') continue; // not set before NAT happens
          const k = STATE_INDEX[name];
          if (k === undefined) { ok = false; set = domain.full('state'); break; }
          set = set.union(IntervalSet.point(k));
        }
        push('state', set, o.negated);
        break;
      }
      case 'ctproto': {
        const n = protocolNumber(arg);
        if (n === undefined) { ok = false; break; }
        if (n !== 0) push('proto', IntervalSet.point(n), o.negated);
        else if (o.negated) push('proto', domain.full('proto'), true);
        break;
      }
      case 'ctorigsrc': case 'ctorigdst': {
        const set = addressSet(arg, domain);
        if (!set) { ok = false; break; }
        push(o.name === 'ctorigsrc' ? 'src' : 'dst', set, o.negated);
        break;
      }
      case 'ctorigsrcport': case 'ctorigdstport': {
        const r = parsePortRange(arg, 'tcp');
        if (!r.ok) { ok = false; break; }
        push(o.name === 'ctorigsrcport' ? 'sport' : 'dport', IntervalSet.of(BigInt(r.value.from), BigInt(r.value.to)), o.negated);
        break;
      }
      case 'ctdir':
        if (arg.toUpperCase() === 'REPLY') out.push(['state', IntervalSet.EMPTY]);
        break;
      default:
        ok = false;
    }
  }
  return ok;
}


/** A netmask that is not a prefix (10.0.0.0/255.0.255.0): a box cannot split on it. */
function oddMask(text: string, family: 4 | 6): boolean {
  if (!text.includes('/') || !text.slice(text.indexOf('/') + 1).includes('.')) return false;
  const r = parseAddress(text, family);
  return r.ok && 'prefix' in r.value && r.value.prefix < 0;
}

/** a ⊆ b without building new sets (both sorted, disjoint). */
export function subset(a: IntervalSet, b: IntervalSet): boolean {
  const bp = b.parts;
  let j = 0;
  for (const [lo, hi] of a.parts) {
    while (j < bp.length && bp[j][1] < lo) j++;
    if (j >= bp.length || bp[j][0] > lo || bp[j][1] < hi) return false;
  }
  return true;
}

/** a ∩ b ≠ ∅ without building new sets. */
export function overlaps(a: IntervalSet, b: IntervalSet): boolean {
  const ap = a.parts, bp = b.parts;
  let i = 0, j = 0;
  while (i < ap.length && j < bp.length) {
    if (ap[i][1] < bp[j][0]) i++;
    else if (bp[j][1] < ap[i][0]) j++;
    else return true;
  }
  return false;
}
