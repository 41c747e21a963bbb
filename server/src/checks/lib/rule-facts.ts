// Facts about one rule read straight from its words and parsed values: which ports, conntrack
// states, protocol, addresses it is limited to. Anything not understood (a shell variable, a value
// we cannot read) is reported as "unknown" so that callers answer "maybe", never "no".
import type { Family, IptablesCommand, ParsedModule, ParsedOption, Word } from '../../syntax/ast';
import { parseAddress, parsePortRange, type Cidr, type PortRange } from '../../knowledge/values';
import { protocolNumber } from '../../knowledge/protocols';
import { CT_STATES } from '../../knowledge/conntrack-states';

export interface PortLimit {
  ranges: PortRange[];
  negated: boolean;
  words: Word[];
  option: ParsedOption;
  module: ParsedModule;
  /** multiport --ports: the source or the destination port may be in the list. */
  either?: boolean;
}

const PORT_MODULES = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite']);

const isRange = (v: unknown): v is PortRange => !!v && typeof v === 'object' && typeof (v as PortRange).from === 'number' && typeof (v as PortRange).to === 'number';

/** The ranges an option's argument stands for: the parsed value when there is one, else the text. */
export function optionRanges(o: ParsedOption, proto: string): PortRange[] | undefined {
  if (!o.args.length || o.args.some((a) => a.symbolic)) return undefined;
  if (isRange(o.value)) return [o.value];
  if (Array.isArray(o.value) && o.value.every(isRange)) return o.value as PortRange[];
  const out: PortRange[] = [];
  for (const part of o.args[0].text.split(',')) {
    const r = parsePortRange(part.replace(/-/g, ':'), proto);
    if (!r.ok) return undefined;
    out.push(r.value);
  }
  return out;
}

function portLimit(cmd: IptablesCommand, which: 'dport' | 'sport'): PortLimit | null | undefined {
  for (const m of cmd.matches) {
    for (const o of m.options) {
      const single = PORT_MODULES.has(m.name) && o.name === which;
      const multi = m.name === 'multiport' && (o.name === `${which}s` || o.name === 'ports');
      if (!single && !multi) continue;
      const ranges = optionRanges(o, m.name === 'multiport' ? protocol(cmd) ?? 'tcp' : m.name);
      if (!ranges) return null;
      return { ranges, negated: o.negated, words: o.args, option: o, module: m, either: o.name === 'ports' };
    }
  }
  return undefined;
}

/**
 * The destination-port limit of a rule (tcp/udp/sctp/dccp --dport, multiport --dports/--ports):
 * undefined when there is none, null when there is one we cannot read (a variable).
 */
export const destinationPorts = (cmd: IptablesCommand) => memoPorts(dports, cmd, 'dport');
export const sourcePorts = (cmd: IptablesCommand) => memoPorts(sports, cmd, 'sport');

// Per command, across analyses (the language server reuses unchanged lines' commands): several
// checks ask for every rule's ports. A PortLimit is only read, never changed, by its users.
const dports = new WeakMap<IptablesCommand, PortLimit | null | undefined>();
const sports = new WeakMap<IptablesCommand, PortLimit | null | undefined>();
function memoPorts(memo: WeakMap<IptablesCommand, PortLimit | null | undefined>, cmd: IptablesCommand, which: 'dport' | 'sport'): PortLimit | null | undefined {
  let v = memo.get(cmd);
  if (v === undefined && !memo.has(cmd)) memo.set(cmd, (v = portLimit(cmd, which)));
  return v;
}

/** How many ports the limit lets through. */
export function portCount(limit: PortLimit): number {
  const merged = mergeRanges(limit.ranges);
  const n = merged.reduce((s, r) => s + (r.to - r.from + 1), 0);
  return limit.negated ? 65536 - n : n;
}

export function mergeRanges(ranges: PortRange[]): PortRange[] {
  const sorted = ranges.filter((r) => r.from <= r.to).map((r) => ({ ...r })).sort((a, b) => a.from - b.from);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push(r);
  }
  return out;
}

export function portAllowed(limit: PortLimit | undefined, port: number): boolean {
  if (!limit) return true;
  const inside = limit.ranges.some((r) => port >= r.from && port <= r.to);
  return limit.negated ? !inside : inside;
}

const STATE_BITS = new Map(CT_STATES.map((s) => [s.name, s.bit]));

/** Reads a state list as iptables does (any case, abbreviations allowed); undefined if unreadable. */
function stateMask(o: ParsedOption): number | undefined {
  if (typeof o.value === 'number') return o.value;
  if (!o.args.length || o.args[0].symbolic) return undefined;
  let mask = 0;
  for (const item of o.args[0].text.toUpperCase().split(',')) {
    const s = CT_STATES.find((c) => item !== '' && c.name.startsWith(item));
    if (!s) return undefined;
    mask |= s.bit;
  }
  return mask;
}

export interface StateLimit { states: Set<string>; negated: boolean; option: ParsedOption; module: ParsedModule }

/**
 * Conntrack states the rule is limited to (`-m state --state` or `-m conntrack --ctstate`):
 * undefined when it has none, null when it has one we cannot read.
 */
export function stateLimit(cmd: IptablesCommand): StateLimit | null | undefined {
  for (const m of cmd.matches) {
    for (const o of m.options) {
      if (!((m.name === 'state' && o.name === 'state') || (m.name === 'conntrack' && o.name === 'ctstate'))) continue;
      const mask = stateMask(o);
      if (mask === undefined) return null;
      const states = new Set<string>();
      for (const [name, bit] of STATE_BITS) if (mask & bit) states.add(name);
      return { states, negated: o.negated, option: o, module: m };
    }
  }
  return undefined;
}

/** Does the rule's state limit let a packet in this state through? (true when it has none; undefined when unknown) */
export function stateAllows(cmd: IptablesCommand, state: string): boolean | undefined {
  const s = stateLimit(cmd);
  if (s === undefined) return true;
  if (s === null) return undefined;
  return s.negated ? !s.states.has(state) : s.states.has(state);
}

/** The protocol named by `-p` (lower case), or undefined for none, `all`, negation or a variable. */
export function protocol(cmd: IptablesCommand): string | undefined {
  const p = cmd.generic.protocol;
  if (!p || p.negated || p.arg.symbolic) return undefined;
  const n = protocolNumber(p.value.toLowerCase());
  if (n === 6) return 'tcp';
  if (n === 17) return 'udp';
  if (n === 0) return undefined;
  return p.value.toLowerCase();
}

const PROTO_NUMBERS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, sctp: 132 };

/** Could `-p` let this protocol through? undefined when it cannot be told (a variable, an unknown name). */
export function protocolAllows(cmd: IptablesCommand, proto: string): boolean | undefined {
  const p = cmd.generic.protocol;
  if (!p) return true;
  if (p.arg.symbolic) return undefined;
  const n = protocolNumber(p.value.toLowerCase());
  if (n === undefined) return undefined;
  const inside = n === 0 || n === PROTO_NUMBERS[proto];
  return p.negated ? !inside : inside;
}

/** An address option's value as a network, or undefined (host name, variable, unreadable). */
export function addressOf(text: string, family: Family): Cidr | undefined {
  // Reachability walks ask for the same rule's address once per walk: read each text once.
  const memo = ADDRESSES[family];
  let known = memo.get(text);
  if (known === undefined) {
    const r = parseAddress(text, family);
    known = r.ok && 'bytes' in r.value ? r.value : null;
    if (memo.size >= 100_000) memo.clear();
    memo.set(text, known);
  }
  return known ?? undefined;
}
/** Read-only results (callers never change a Cidr they are given). */
const ADDRESSES: Record<Family, Map<string, Cidr | null>> = { 4: new Map(), 6: new Map() };

/** True when the network `inner` lies entirely inside `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  if (inner.bytes.length !== outer.bytes.length || outer.prefix < 0 || inner.prefix < 0 || inner.prefix < outer.prefix) return false;
  for (let bit = 0; bit < outer.prefix; bit++) {
    const i = bit >> 3, b = 0x80 >> (bit & 7);
    if ((inner.bytes[i] & b) !== (outer.bytes[i] & b)) return false;
  }
  return true;
}

export const LOOPBACK: Record<Family, Cidr> = {
  4: { family: 4, bytes: [127, 0, 0, 0], prefix: 8 },
  6: { family: 6, bytes: [...Array(15).fill(0), 1], prefix: 128 },
};

/** No condition at all: matches every packet. */
export function isUnconditional(cmd: IptablesCommand): boolean {
  const g = cmd.generic;
  const world = (m?: { value: string; negated: boolean; arg: Word }) => !m || (!m.negated && !m.arg.symbolic && /^(0\.0\.0\.0|::)\/0$/.test(m.value));
  const onlyComments = cmd.matches.every((m) => m.name === 'comment');
  const anyProto = !g.protocol || (!g.protocol.negated && !g.protocol.arg.symbolic && protocolNumber(g.protocol.value.toLowerCase()) === 0);
  return anyProto && world(g.source) && world(g.destination) && !g.inInterface && !g.outInterface && !g.fragment && onlyComments;
}

/** A rule that adds to a chain (not -D/-C). */
export const addsRule = (cmd: IptablesCommand) => cmd.op === 'A' || cmd.op === 'I' || cmd.op === 'R';

/** The `-m NAME`/`-j NAME` words of a module and its option words, in source order (for ranges). */
export function moduleWords(m: ParsedModule): Word[] {
  const out: Word[] = [];
  if (m.word) out.push(m.word);
  if (m.nameWord) out.push(m.nameWord);
  for (const o of m.options) {
    if (o.bang) out.push(o.bang);
    out.push(o.word, ...o.args);
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
