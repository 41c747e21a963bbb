// The set of packets a rule matches, as a box. When a condition is not modelled (a rate limit, a
// mark, a shell variable, a host name) the box is an over-approximation and `exact` is false:
// such a rule may be found covered by others, but never covers others itself.
import type { IptablesCommand, ParsedModule, ParsedOption } from '../syntax/ast';
import type { Rule, Ruleset } from '../model/ruleset';
import { parseAddress, parsePortRange } from '../knowledge/values';
import { parseProtocol } from '../knowledge/protocols';
import { parseIcmpType } from '../knowledge/icmp';
import { CT_STATES } from '../knowledge/conntrack-states';
import { parseTcpFlagList } from '../knowledge/matches/tcp';
import { IntervalSet } from './intervals';
import { Domain, InterfaceAtoms, type Box, type Dim } from './space';

/**
 * `box` holds every packet the rule may match; `lower`, when given, only the packets it matches
 * whatever the backend: iptables-nft writes `-m tcp` (udp, dccp) without options and
 * `--icmp-type any` as a bare protocol test, which also takes non-first fragments, where the
 * kernel's xt matches do not. So `lower` differs from `box` only in the `frag` dimension, and a
 * rule decides for sure only the packets of `lower ?? box`.
 */
export interface RuleBox { box: Box; exact: boolean; lower?: Box }

/** How the backends differ on one rule (see RuleBox.lower). */
interface Loose { frag: boolean; none: boolean }

/** Builds the domain of a ruleset (its interface names become atoms). */
export function domainOf(rs: Ruleset): Domain {
  const names = new Set<string>();
  for (const t of rs.tables.values()) for (const c of t.chains.values()) for (const r of c.rules) {
    const g = r.command.generic;
    for (const m of [g.inInterface, g.outInterface]) if (m && !m.arg.symbolic) names.add(m.value);
  }
  return new Domain(rs.family, new InterfaceAtoms(names));
}

const STATE_INDEX = new Map(CT_STATES.filter((s) => s.bit && s.bit <= 16).map((s) => [s.name, BigInt(Math.log2(s.bit))]));
const PORT_PROTOS = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp']);

export function ruleBox(rule: Rule, domain: Domain): RuleBox {
  return commandBox(rule.command, domain, rule.addresses);
}

export function commandBox(cmd: IptablesCommand, domain: Domain, addresses: { source?: string; destination?: string } = {}): RuleBox {
  const box = domain.fullBox();
  let exact = !cmd.symbolic || !cmd.words.some((w) => w.symbolic);
  const restrict = (dim: Dim, set: IntervalSet, negated = false) => {
    box[dim] = box[dim].intersect(negated ? set.complement(0n, domain.max[dim]) : set);
  };
  const g = cmd.generic;
  for (const [field, dim] of [['source', 'src'], ['destination', 'dst']] as const) {
    const m = g[field];
    if (!m) continue;
    const text = addresses[field] ?? m.value;
    const set = m.arg.symbolic ? undefined : addressSet(text, domain);
    if (!set) { exact = false; continue; }
    restrict(dim, set, m.negated);
  }
  if (g.protocol) {
    const p = g.protocol.arg.symbolic ? undefined : parseProtocol(g.protocol.value, domain.family);
    if (!p || !p.ok) exact = false;
    else if (p.value.number !== 0) restrict('proto', IntervalSet.point(p.value.number), g.protocol.negated);
  }
  for (const [m, dim] of [[g.inInterface, 'iif'], [g.outInterface, 'oif']] as const) {
    if (!m) continue;
    if (m.arg.symbolic) { exact = false; continue; }
    restrict(dim, domain.interfaces.set(m.value), m.negated);
  }
  if (g.fragment) restrict('frag', IntervalSet.point(1), g.fragment.negated);
  // Service names in a multiport list are looked up for the rule's protocol (as iptables does).
  const portProto = g.protocol && PORT_PROTOS.has(g.protocol.value.toLowerCase()) ? g.protocol.value.toLowerCase() : 'tcp';
  const loose: Loose = { frag: false, none: false };
  for (const m of cmd.matches) if (!restrictByModule(m, box, domain, restrict, portProto, loose)) exact = false;
  // The backends disagree on more than fragments: not exact (the box holds what either matches).
  if (loose.none) return { box, exact: false };
  if (loose.frag) return { box, exact, lower: { ...box, frag: box.frag.intersect(IntervalSet.point(0)) } };
  return { box, exact };
}

/** The addresses of `addr[/prefix]` as an interval; undefined for host names and odd masks. */
export function addressSet(text: string, domain: Domain): IntervalSet | undefined {
  const r = parseAddress(text, domain.family);
  if (!r.ok || 'hostname' in r.value || r.value.prefix < 0) return undefined;
  const bits = BigInt(domain.family === 4 ? 32 : 128);
  let net = 0n;
  for (const b of r.value.bytes) net = (net << 8n) | BigInt(b);
  const size = 1n << (bits - BigInt(r.value.prefix));
  return IntervalSet.of(net, net + size - 1n);
}

/** Narrows the box by one match module; false when the module (or one option) is not modelled. */
function restrictByModule(m: ParsedModule, box: Box, domain: Domain, restrict: (d: Dim, s: IntervalSet, neg?: boolean) => void, portProto: string, loose: Loose): boolean {
  if (m.options.some((o) => o.args.some((a) => a.symbolic))) return false;
  const text = (o: ParsedOption) => o.args[0]?.text ?? '';
  switch (m.name) {
    case 'comment':
      return true;
    case 'tcp': case 'udp': case 'udplite': case 'sctp': case 'dccp': {
      // The kernel's match fails on every non-first fragment, with or without options; but
      // iptables-nft writes `-m tcp` (udp, dccp) without options as a bare protocol test.
      if (m.options.length || m.name === 'sctp') restrict('frag', IntervalSet.point(0));
      else loose.frag = true;
      let ok = true;
      for (const o of m.options) {
        if (o.name === 'sport' || o.name === 'dport') {
          const r = parsePortRange(text(o), m.name);
          if (!r.ok) { ok = false; continue; }
          restrict(o.name, IntervalSet.of(BigInt(r.value.from), BigInt(r.value.to)), o.negated);
          restrict('frag', IntervalSet.point(0));
        } else if (m.name === 'tcp' && (o.name === 'tcp-flags' || o.name === 'syn')) {
          const mask = o.name === 'syn' ? 0x17 : parseTcpFlagList(o.args[0]?.text ?? '');
          const comp = o.name === 'syn' ? 0x02 : parseTcpFlagList(o.args[1]?.text ?? '');
          if (mask === undefined || comp === undefined) { ok = false; continue; }
          const values: [bigint, bigint][] = [];
          for (let v = 0; v < 64; v++) if ((v & mask) === comp) values.push([BigInt(v), BigInt(v)]);
          restrict('tcpflags', IntervalSet.fromParts(values), o.negated);
          restrict('frag', IntervalSet.point(0));
        } else ok = false;
      }
      return ok;
    }
    case 'multiport': {
      let ok = true;
      restrict('frag', IntervalSet.point(0));
      for (const o of m.options) {
        if (o.name !== 'sports' && o.name !== 'dports' && o.name !== 'source-ports' && o.name !== 'destination-ports') { ok = false; continue; }
        let set = IntervalSet.EMPTY;
        for (const part of text(o).split(',')) {
          const r = parsePortRange(part, portProto);
          if (!r.ok) { ok = false; continue; }
          set = set.union(IntervalSet.of(BigInt(r.value.from), BigInt(r.value.to)));
        }
        restrict(o.name.startsWith('s') ? 'sport' : 'dport', set, o.negated);
        restrict('frag', IntervalSet.point(0));
      }
      return ok;
    }
    case 'icmp': case 'icmp6': {
      let ok = true, anyType = false;
      for (const o of m.options) {
        const r = parseIcmpType(text(o), domain.family);
        if (!r.ok) { ok = false; continue; }
        const { type, codeMin, codeMax } = r.value;
        // `any`: the kernel match takes every ICMP packet but non-first fragments, so `! any`
        // takes none; iptables-nft writes both as a bare protocol test (every ICMP packet).
        if (domain.family === 4 && type === 255) { anyType = true; if (o.negated) loose.none = true; continue; }
        restrict('icmp', IntervalSet.of(BigInt(type * 256 + codeMin), BigInt(type * 256 + codeMax)), o.negated);
      }
      // Like the port matches, never a non-first fragment (except `any` under iptables-nft).
      if (anyType) loose.frag = true;
      else restrict('frag', IntervalSet.point(0));
      return ok;
    }
    case 'state': case 'conntrack': {
      let ok = true;
      for (const o of m.options) {
        if (o.name !== 'state' && o.name !== 'ctstate') { ok = false; continue; }
        let set = IntervalSet.EMPTY;
        let known = true;
        for (const name of text(o).toUpperCase().split(',')) {
          const k = STATE_INDEX.get(name);
          if (k === undefined) { known = false; break; }
          set = set.union(IntervalSet.point(k));
        }
        // SNAT/DNAT are flags beside the state, not states: leave the dimension open (over-approximate).
        if (known) restrict('state', set, o.negated);
        else ok = false;
      }
      return ok;
    }
    case 'iprange': {
      let ok = true;
      for (const o of m.options) {
        const [a, b] = text(o).split('-');
        const lo = a ? addressSet(a, domain) : undefined, hi = b ? addressSet(b, domain) : undefined;
        if (!lo || !hi || (o.name !== 'src-range' && o.name !== 'dst-range')) { ok = false; continue; }
        restrict(o.name === 'src-range' ? 'src' : 'dst', IntervalSet.of(lo.first()!, hi.first()!), o.negated);
      }
      return ok;
    }
    default:
      return false;
  }
}

export { PORT_PROTOS };
