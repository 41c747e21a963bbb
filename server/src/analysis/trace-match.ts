// Does one rule match one concrete packet? Yes, no, or "it depends on X" when the rule asks about
// something the packet text does not fix (a rate limit, an ipset, the host's addresses, a shell
// variable). The semantics follow the kernel's xt_* match functions; docs/trace.md lists them.
import { loc, type Family, type GenericMatch, type Localized, type ParsedModule, type ParsedOption } from '../syntax/ast';
import type { Rule } from '../model/ruleset';
import { parseAddress, parsePortRange } from '../knowledge/values';
import { parseProtocol, protocolNumber } from '../knowledge/protocols';
import { parseIcmpType } from '../knowledge/icmp';
import { parseTcpFlagList } from '../knowledge/matches/tcp';
import { CT_STATE_BIT, PORT_PROTOCOLS, type CtState } from './trace-packet';

/** The packet as it travels: NAT and MARK change it on the way. */
export interface PacketState {
  family: Family;
  proto: number;
  src: bigint;
  /** undefined after a rewrite to an address we cannot know (REDIRECT: the interface's own address). */
  dst: bigint | undefined;
  sport?: number;
  dport?: number;
  iif?: string;
  oif?: string;
  iifUnknown: boolean;
  state: CtState;
  tcpFlags: number;
  icmpType?: number;
  icmpCode?: number;
  /** undefined = unknown (e.g. after HMARK or a restore from an unknown connection mark). */
  mark: number | undefined;
  ctmark: number | undefined;
  /** The connection is known to be destination/source NATed (conntrack's virtual DNAT/SNAT states). */
  ctDnat: boolean | undefined;
  ctSnat: boolean | undefined;
  /** The conntrack original tuple (before any NAT), as `--ctorig*` sees it. */
  orig: { src: bigint; dst: bigint; sport?: number; dport?: number };
  reply: boolean;
}

/** A match that cannot be decided for this packet, and why (the words of the rule that ask it). */
export type Undecided = Localized;
export type MatchResult = boolean | Undecided;

const depends = (what: string): Undecided => loc(`depends on ${what}`, `${what} 次第`);

/** The words of a module as written in the rule, e.g. `-m recent --rcheck --seconds 60`. */
export function moduleText(m: ParsedModule): string {
  const words: string[] = [];
  if (m.word) words.push(m.word.text);
  if (m.nameWord) words.push(m.nameWord.text);
  for (const o of m.options) {
    if (o.bang) words.push('!');
    words.push(o.word.text, ...o.args.map((a) => (/\s/.test(a.text) ? `"${a.text}"` : a.text)));
  }
  return words.join(' ') || m.name;
}

// --- addresses -----------------------------------------------------------------------------

interface Net { net: bigint; mask: bigint }
const netCache: [Map<string, Net | string>, Map<string, Net | string>] = [new Map(), new Map()];

/** An -s/-d text as network and mask; a string when it cannot be known (host name). */
export function addressNet(text: string, family: Family): Net | string {
  const cache = netCache[family === 4 ? 0 : 1];
  let hit = cache.get(text);
  if (hit === undefined) {
    hit = fastV4(text, family) ?? slowNet(text, family);
    cache.set(text, hit);
  }
  return hit;
}

function fastV4(text: string, family: Family): Net | undefined {
  if (family !== 4) return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  const parts = [m[1], m[2], m[3], m[4]].map(Number);
  if (parts.some((x) => x > 255)) return undefined;
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (prefix > 32) return undefined;
  const addr = BigInt(((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]);
  const mask = prefix === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefix)) - 1n);
  return { net: addr & mask, mask };
}

function slowNet(text: string, family: Family): Net | string {
  const r = parseAddress(text, family);
  if (!r.ok) return `the address ${text}`;
  if ('hostname' in r.value) return `the addresses of host name ${r.value.hostname}`;
  const bits = family === 4 ? 32 : 128;
  let net = 0n;
  for (const b of r.value.bytes) net = (net << 8n) | BigInt(b);
  let mask: bigint;
  if (r.value.prefix < 0 && r.value.mask) { mask = 0n; for (const b of r.value.mask) mask = (mask << 8n) | BigInt(b); }
  else mask = r.value.prefix === 0 ? 0n : ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - r.value.prefix)) - 1n);
  return { net: net & mask, mask };
}

const bytesToBig = (bytes: number[]): bigint => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);

// --- interfaces ---------------------------------------------------------------------------

/** iptables interface patterns: exact name, or a prefix ending in `+` (`+` alone: any). */
export function interfaceMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

// --- the rule -----------------------------------------------------------------------------

const protoCache = new Map<string, number | undefined>();
function ruleProto(g: GenericMatch, family: Family): number | undefined {
  let n = protoCache.get(g.value);
  if (n === undefined && !protoCache.has(g.value)) {
    const p = parseProtocol(g.value, family);
    n = p.ok ? p.value.number : undefined;
    protoCache.set(g.value, n);
  }
  return n;
}

/** Evaluates every condition of the rule; the first "no" wins over any "depends". Hot path: no closures. */
export function matchRule(rule: Rule, p: PacketState, chain: string): MatchResult {
  const cmd = rule.command;
  const g = cmd.generic;
  let undecided: Undecided | undefined;

  const proto = g.protocol;
  if (proto) {
    if (proto.arg.symbolic) undecided ??= depends(`the shell value ${proto.arg.text}`);
    else {
      const n = ruleProto(proto, p.family);
      if (n === undefined) undecided ??= depends(`-p ${proto.value}`);
      else if (n !== 0 ? (p.proto === n) === proto.negated : proto.negated) return false;
    }
  }
  const src = g.source;
  if (src) {
    const r = addressTest(src, rule.addresses.source, p.src, p.family);
    if (r === false) return false;
    if (r !== true) undecided ??= r;
  }
  const dst = g.destination;
  if (dst) {
    const r = addressTest(dst, rule.addresses.destination, p.dst, p.family);
    if (r === false) return false;
    if (r !== true) undecided ??= r;
  }
  const iif = g.inInterface;
  if (iif) {
    if (iif.arg.symbolic) undecided ??= depends(`the shell value ${iif.arg.text}`);
    else if (p.iifUnknown) undecided ??= depends('the input interface (add "in IFACE" to the packet)');
    else if (interfaceMatches(iif.value, p.iif ?? '') === iif.negated) return false;
  }
  const oif = g.outInterface;
  if (oif) {
    if (oif.arg.symbolic) undecided ??= depends(`the shell value ${oif.arg.text}`);
    else if (interfaceMatches(oif.value, p.oif ?? '') === oif.negated) return false;
  }
  if (g.fragment && !g.fragment.negated) return false; // the traced packet is never a fragment

  const matches = cmd.matches;
  for (let i = 0; i < matches.length; i++) {
    const r = matchModule(matches[i], p, chain);
    if (r === false) return false;
    if (r !== true) undecided ??= r;
  }
  return undecided ?? true;
}

function addressTest(m: GenericMatch, split: string | undefined, addr: bigint | undefined, family: Family): MatchResult {
  if (m.arg.symbolic) return depends(`the shell value ${m.arg.text}`);
  const n = addressNet(split ?? m.value, family);
  if (typeof n === 'string') return depends(n);
  if (addr === undefined) return depends('the destination address after REDIRECT (the address of the input interface)');
  return ((addr & n.mask) === n.net) !== m.negated;
}

/** "depends on <the module's words>". */
function dep(m: ParsedModule): Undecided {
  return depends(moduleText(m));
}

function symbolic(m: ParsedModule): boolean {
  return m.options.some((o) => o.args.some((a) => a.symbolic));
}

function inRanges(port: number, ranges: { from: number; to: number }[]): boolean {
  for (const r of ranges) if (port >= r.from && port <= r.to) return true;
  return false;
}

function portRange(o: ParsedOption, proto: string): { from: number; to: number } | undefined {
  const v = o.value as { from?: number; to?: number } | undefined;
  if (v && typeof v.from === 'number' && typeof v.to === 'number') return { from: v.from, to: v.to };
  const r = parsePortRange(o.args[0]?.text ?? '', proto);
  return r.ok ? r.value : undefined;
}

function portList(o: ParsedOption): { from: number; to: number }[] | undefined {
  if (Array.isArray(o.value)) return o.value as { from: number; to: number }[];
  const out: { from: number; to: number }[] = [];
  for (const part of (o.args[0]?.text ?? '').split(',')) {
    const r = parsePortRange(part, 'tcp');
    if (!r.ok) return undefined;
    out.push(r.value);
  }
  return out;
}

/** Mask of CT_STATE_BIT bits from `NEW,ESTABLISHED` (plus 32 SNAT, 64 DNAT). */
function stateMask(o: ParsedOption): number | undefined {
  if (typeof o.value === 'number') return o.value;
  let mask = 0;
  for (const name of (o.args[0]?.text ?? '').toUpperCase().split(',')) {
    const bit = name === 'SNAT' ? 32 : name === 'DNAT' ? 64 : CT_STATE_BIT[name as CtState];
    if (bit === undefined) return undefined;
    mask |= bit;
  }
  return mask;
}

function valueMask(o: ParsedOption): { value: number; mask: number } | undefined {
  const v = o.value as { value?: number; mask?: number } | undefined;
  if (v && typeof v.value === 'number') return { value: v.value >>> 0, mask: (v.mask ?? 0xffffffff) >>> 0 };
  const m = /^(0x[0-9a-f]+|\d+)(?:\/(0x[0-9a-f]+|\d+))?$/i.exec(o.args[0]?.text ?? '');
  if (!m) return undefined;
  return { value: Number(m[1]) >>> 0, mask: m[2] === undefined ? 0xffffffff : Number(m[2]) >>> 0 };
}

const PORT_MODULES: Record<string, string> = { tcp: 'tcp', udp: 'udp', udplite: 'udplite', sctp: 'sctp', dccp: 'dccp' };
const PROTO_OF: Record<string, number> = { tcp: 6, udp: 17, udplite: 136, sctp: 132, dccp: 33 };

function matchModule(m: ParsedModule, p: PacketState, chain: string): MatchResult {
  if (symbolic(m)) return depends(`the shell values in ${moduleText(m)}`);
  const name = m.name === 'icmpv6' || m.name === 'ipv6-icmp' ? 'icmp6' : m.name;
  switch (name) {
    case 'comment': case 'nfacct':
      return true;
    case 'tcp': case 'udp': case 'udplite': case 'sctp': case 'dccp': {
      if (p.proto !== PROTO_OF[name]) return false;
      let u: Undecided | undefined;
      for (const o of m.options) {
        if (o.name === 'sport' || o.name === 'dport') {
          const r = portRange(o, PORT_MODULES[name]);
          const port = o.name === 'sport' ? p.sport : p.dport;
          if (!r) { u ??= dep(m); continue; }
          if (port === undefined) { u ??= depends(`the ${o.name === 'sport' ? 'source' : 'destination'} port (not given in the packet)`); continue; }
          if ((port >= r.from && port <= r.to) === o.negated) return false;
        } else if (name === 'tcp' && (o.name === 'tcp-flags' || o.name === 'syn')) {
          let mask = 0x17, comp = 0x02;
          if (o.name === 'tcp-flags') {
            const v = o.value as { mask?: number; comp?: number } | undefined;
            const mk = v?.mask ?? parseTcpFlagList(o.args[0]?.text ?? ''), cp = v?.comp ?? parseTcpFlagList(o.args[1]?.text ?? '');
            if (mk === undefined || cp === undefined) { u ??= dep(m); continue; }
            mask = mk; comp = cp;
          }
          if (((p.tcpFlags & mask) === comp) === o.negated) return false;
        } else u ??= dep(m);
      }
      return u ?? true;
    }
    case 'multiport': {
      if (!PORT_PROTOCOLS.has(p.proto)) return false;
      let u: Undecided | undefined;
      for (const o of m.options) {
        const list = portList(o);
        if (!list) { u ??= dep(m); continue; }
        const src = o.name === 'sports' || o.name === 'source-ports';
        const either = o.name === 'ports';
        if (!src && !either && o.name !== 'dports' && o.name !== 'destination-ports') { u ??= dep(m); continue; }
        const ports = either ? [p.sport, p.dport] : [src ? p.sport : p.dport];
        if (ports.some((x) => x === undefined)) { u ??= depends('the ports (not given in the packet)'); continue; }
        const hit = ports.some((x) => inRanges(x!, list));
        if (hit === o.negated) return false;
      }
      return u ?? true;
    }
    case 'icmp': case 'icmp6': {
      if (p.proto !== (name === 'icmp' ? 1 : 58) || p.icmpType === undefined) return false;
      let u: Undecided | undefined;
      for (const o of m.options) {
        const v = (o.value as { type?: number; codeMin?: number; codeMax?: number } | undefined);
        const spec = v && typeof v.type === 'number' ? v as { type: number; codeMin: number; codeMax: number } : (() => { const r = parseIcmpType(o.args[0]?.text ?? '', p.family); return r.ok ? r.value : undefined; })();
        if (!spec) { u ??= dep(m); continue; }
        const any = name === 'icmp' && spec.type === 255;
        const hit = any || (p.icmpType === spec.type && p.icmpCode! >= spec.codeMin && p.icmpCode! <= spec.codeMax);
        if (hit === o.negated) return false;
      }
      return u ?? true;
    }
    case 'state': case 'conntrack':
      return matchConntrack(m, p);
    case 'iprange': {
      let u: Undecided | undefined;
      for (const o of m.options) {
        const v = o.value as { from?: number[]; to?: number[] } | undefined;
        let lo: bigint | undefined, hi: bigint | undefined;
        if (v?.from && v.to) { lo = bytesToBig(v.from); hi = bytesToBig(v.to); }
        else {
          const [a, b] = (o.args[0]?.text ?? '').split('-');
          const x = a ? addressNet(a, p.family) : 'x', y = b ? addressNet(b, p.family) : 'x';
          if (typeof x !== 'string' && typeof y !== 'string') { lo = x.net; hi = y.net; }
        }
        const addr = o.name === 'src-range' ? p.src : o.name === 'dst-range' ? p.dst : undefined;
        if (lo === undefined || hi === undefined || (o.name !== 'src-range' && o.name !== 'dst-range')) { u ??= dep(m); continue; }
        if (addr === undefined) { u ??= depends('the destination address after REDIRECT'); continue; }
        if ((addr >= lo && addr <= hi) === o.negated) return false;
      }
      return u ?? true;
    }
    case 'mark': case 'connmark': {
      const o = m.options.find((x) => x.name === 'mark');
      const vm = o && valueMask(o);
      if (!o || !vm || m.options.length !== 1) return dep(m);
      if (name === 'connmark' && (p.state === 'INVALID' || p.state === 'UNTRACKED')) return false; // no connection: never matches
      const mark = name === 'mark' ? p.mark : p.ctmark;
      if (mark === undefined) return depends(name === 'mark' ? `the packet mark (${moduleText(m)})` : `the connection mark (${moduleText(m)})`);
      return (((mark & vm.mask) >>> 0) === vm.value) !== o.negated;
    }
    case 'policy': {
      // The traced packet is plain IP: no IPsec policy applied on the way in or out.
      if (m.options.some((o) => o.name !== 'dir' && o.name !== 'pol')) return dep(m);
      const pol = m.options.find((o) => o.name === 'pol')?.args[0]?.text;
      if (pol !== 'none' && pol !== 'ipsec') return dep(m);
      return pol === 'none';
    }
    case 'helper': {
      const o = m.options.find((x) => x.name === 'helper');
      if (!o) return dep(m);
      // Only a connection set up by a helper (a RELATED one) has a master with a helper.
      if (p.state === 'RELATED') return dep(m);
      return o.negated;
    }
    case 'addrtype':
      return matchAddrtype(m, p, chain);
    case 'recent': {
      // --set records the source and always matches; --rcheck/--update/--remove depend on history.
      const setOpt = m.options.find((o) => o.name === 'set');
      if (setOpt && m.options.every((o) => ['set', 'name', 'rsource', 'rdest', 'mask', 'reap'].includes(o.name))) return !setOpt.negated;
      return dep(m);
    }
    default:
      return dep(m);
  }
}

function matchConntrack(m: ParsedModule, p: PacketState): MatchResult {
  const tracked = p.state !== 'INVALID' && p.state !== 'UNTRACKED';
  let hasState = false;
  let u: Undecided | undefined;
  for (const o of m.options) {
    if (o.name !== 'state' && o.name !== 'ctstate') continue;
    hasState = true;
    const mask = stateMask(o);
    if (mask === undefined) { u ??= dep(m); continue; }
    let bits = CT_STATE_BIT[p.state];
    if (tracked) {
      if (mask & 64) { if (p.ctDnat === undefined) { u ??= depends(`whether the connection was DNATed (${moduleText(m)})`); continue; } if (p.ctDnat) bits |= 64; }
      if (mask & 32) { if (p.ctSnat === undefined) { u ??= depends(`whether the connection was SNATed (${moduleText(m)})`); continue; } if (p.ctSnat) bits |= 32; }
    }
    if (((mask & bits) !== 0) === o.negated) return false;
  }
  // The kernel stops here for a packet without a connection: only the state test counts.
  if (!tracked) return hasState ? (u ?? true) : false;
  for (const o of m.options) {
    if (o.name === 'state' || o.name === 'ctstate') continue;
    const arg = o.args[0]?.text ?? '';
    let hit: boolean | undefined;
    switch (o.name) {
      case 'ctproto': { const n = protocolNumber(arg); hit = n === undefined ? undefined : n === 0 || n === p.proto; break; }
      case 'ctdir': hit = (arg.toUpperCase() === 'REPLY') === p.reply; break;
      case 'ctorigsrc': case 'ctorigdst': {
        if (p.reply) break;
        const n = addressNet(arg, p.family);
        if (typeof n !== 'string') hit = ((o.name === 'ctorigsrc' ? p.orig.src : p.orig.dst) & n.mask) === n.net;
        break;
      }
      case 'ctorigsrcport': case 'ctorigdstport': {
        if (p.reply) break;
        const port = o.name === 'ctorigsrcport' ? p.orig.sport : p.orig.dport;
        const r = parsePortRange(arg, 'tcp');
        if (port !== undefined && r.ok) hit = port >= r.value.from && port <= r.value.to;
        else if (r.ok && !PORT_PROTOCOLS.has(p.proto)) hit = false;
        break;
      }
    }
    if (hit === undefined) { u ??= dep(m); continue; }
    if (hit === o.negated) return false;
  }
  return u ?? true;
}

/** Address types we can tell from the address alone; everything else depends on the host. */
function matchAddrtype(m: ParsedModule, p: PacketState, chain: string): MatchResult {
  let u: Undecided | undefined;
  for (const o of m.options) {
    if (o.name !== 'src-type' && o.name !== 'dst-type') { if (o.name.startsWith('limit-iface')) continue; u ??= dep(m); continue; }
    const addr = o.name === 'src-type' ? p.src : p.dst;
    const type = addr === undefined ? undefined : knownAddrType(addr, p.family);
    const wanted = (o.args[0]?.text ?? '').toUpperCase().split(',');
    if (type === undefined) { u ??= dep(m); continue; }
    if (wanted.includes(type) === o.negated) return false;
  }
  void chain;
  return u ?? true;
}

function knownAddrType(a: bigint, family: Family): string | undefined {
  if (family === 4) {
    if (a === 0n) return undefined; // 0.0.0.0: UNSPEC or BROADCAST, depending on the kernel's view
    if (a >> 28n === 0xen) return 'MULTICAST';
    if (a === 0xffffffffn) return 'BROADCAST';
    return undefined;
  }
  if (a >> 120n === 0xffn) return 'MULTICAST';
  return undefined;
}
