// Test packets for one ruleset: boundary values taken from the rules themselves (first and last
// address of every CIDR, both ends of every port range and their neighbours, ports 1023/1024/65535)
// mixed with seeded random ones, on the three paths (in, forwarded, out) and in the states the lab
// can produce (NEW, ESTABLISHED via a conntrack entry, INVALID for ICMP errors and bad TCP flags).
import type { Ruleset } from '../../../server/src/model/ruleset';
import { addressNet } from '../../../server/src/analysis/trace-match';
import { addressText } from '../../../server/src/analysis/trace-packet';
import { INFRA } from './lab';
import { rng } from '../../../bench/kube-dump';

/** The seeded PRNG of the kube-dump generator (mulberry32): the same packets on every run. */
export { rng };

export interface Case {
  /** The packet in the tracer's grammar. */
  text: string;
  path: 'input' | 'forward' | 'output';
  family: 4 | 6;
  state: 'NEW' | 'ESTABLISHED' | 'INVALID';
  why: 'boundary' | 'random' | 'matrix';
}

/** Addresses a packet may use without the kernel dropping it as a martian before our chains decide. */
export function usable(a: bigint, family: 4 | 6): boolean {
  if (family === 4) {
    const top = Number(a >> 24n);
    if (top === 0 || top === 127 || top >= 224) return false;
    if (a >> 9n === (0xc612fe00n >> 9n)) return false; // 198.18.254.0/23: the lab's own links
    if ((a & 0xffn) === 0xffn || (a & 0xffn) === 0n) return false; // look like broadcast/network addresses
    return true;
  }
  const top16 = Number(a >> 112n);
  if (a <= 1n || top16 >= 0xfe80 || (a >> 96n) === 0xffffn || (a >> 32n) === 0n) return false; // ::, ::1, link-local, multicast, mapped, compatible
  if (a >> 81n === (0x20010db8fffen << 16n) >> 65n) return false; // 2001:db8:fffe::/47: the lab's own links
  return true;
}

interface Values { addrs: bigint[]; ports: number[]; ifaces: string[]; icmp: number[]; protos: number[] }

/** Boundary values mentioned by the rules. */
export function ruleValues(rs: Ruleset): Values {
  const fam = rs.family;
  const addrs = new Set<bigint>(), ports = new Set<number>([1023, 1024, 65535, 22, 80, 443, 53]), ifaces = new Set<string>(), icmp = new Set<number>(), protos = new Set<number>([6, 17, fam === 4 ? 1 : 58]);
  const bits = fam === 4 ? 32n : 128n;
  const addCidr = (text: string) => {
    const n = addressNet(text, fam);
    if (typeof n === 'string') return;
    const host = ((1n << bits) - 1n) ^ n.mask;
    for (const a of [n.net, n.net | host, n.net + 1n, (n.net | host) - 1n, (n.net | host) + 1n, n.net - 1n]) if (a >= 0n && a < 1n << bits) addrs.add(a);
  };
  const addRange = (from: number, to: number) => { for (const p of [from - 1, from, to, to + 1]) if (p >= 1 && p <= 65535) ports.add(p); };
  for (const t of rs.tables.values()) for (const c of t.chains.values()) for (const r of c.rules) {
    const g = r.command.generic;
    if (g.source && !g.source.arg.symbolic) addCidr(r.addresses.source ?? g.source.value);
    if (g.destination && !g.destination.arg.symbolic) addCidr(r.addresses.destination ?? g.destination.value);
    for (const m of [g.inInterface, g.outInterface]) if (m && !m.arg.symbolic) ifaces.add(m.value);
    if (g.protocol && /^(gre|47)$/i.test(g.protocol.value)) protos.add(47);
    for (const m of r.command.matches) for (const o of m.options) {
      const v = o.value as { from?: number; to?: number; type?: number } | { from: number; to: number }[] | undefined;
      if (Array.isArray(v)) for (const x of v) addRange(x.from, x.to);
      else if (v && typeof v.from === 'number' && typeof v.to === 'number') addRange(v.from, v.to);
      if (v && !Array.isArray(v) && typeof v.type === 'number' && v.type !== 255) icmp.add(v.type);
      if (m.name === 'iprange' && v && !Array.isArray(v)) {
        const x = v as unknown as { from: number[]; to: number[] };
        if (Array.isArray(x.from)) for (const bytes of [x.from, x.to]) addrs.add(bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n));
      }
    }
  }
  return { addrs: [...addrs].filter((a) => usable(a, fam)), ports: [...ports], ifaces: [...ifaces], icmp: [...icmp], protos: [...protos] };
}

/** Names for D's two links: the input and output interfaces the rules mention most, else eth0/eth1. */
export function pickInterfaces(rs: Ruleset, round = 0): { iif: string; oif: string } {
  const count = (side: 'inInterface' | 'outInterface') => {
    const n = new Map<string, number>();
    for (const t of rs.tables.values()) for (const c of t.chains.values()) for (const r of c.rules) {
      const m = r.command.generic[side];
      if (m && !m.arg.symbolic && m.value !== 'lo' && m.value !== '+') n.set(m.value, (n.get(m.value) ?? 0) + 1);
    }
    return [...n].sort((a, b) => b[1] - a[1]).map(([name]) => concrete(name));
  };
  const ins = count('inInterface'), outs = count('outInterface');
  const iif = ins[round] ?? ins[0] ?? (round ? 'ens3' : 'eth0');
  let oif = outs.find((x) => x !== iif && outs.indexOf(x) >= round) ?? outs.find((x) => x !== iif) ?? ins.find((x) => x !== iif) ?? (iif === 'eth1' ? 'eth2' : 'eth1');
  if (oif === iif) oif = `${iif.slice(0, 13)}x`;
  return { iif, oif };
}

/** A real interface name for a pattern (`eth+` -> `eth7`). */
function concrete(pattern: string): string {
  return pattern.endsWith('+') ? `${pattern.slice(0, -1)}7`.slice(0, 15) : pattern;
}

let flowCounter = 0;

/** Seeded cases for a ruleset: `count` packets, about half from boundary values. */
export function generateCases(rs: Ruleset, opts: { seed: number; count: number; iif: string; oif: string; established: boolean; local?: bigint[] }): Case[] {
  const fam = rs.family;
  const rand = rng(opts.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const values = ruleValues(rs);
  const randomAddr = (): bigint => {
    for (;;) {
      const a = fam === 4
        ? (rand() < 0.5 ? 0xc6120000n + BigInt(Math.floor(rand() * 0x20000)) : BigInt(Math.floor(rand() * 2 ** 32)))
        : (0x20010db8n << 96n) + (BigInt(Math.floor(rand() * 2 ** 32)) << 64n) + BigInt(Math.floor(rand() * 2 ** 32));
      if (usable(a, fam)) return a;
    }
  };
  const addr = (boundary: boolean) => (boundary && values.addrs.length ? pick(values.addrs) : randomAddr());
  const port = (boundary: boolean) => (boundary ? pick(values.ports) : 1 + Math.floor(rand() * 65535));
  const infra = new Set(fam === 4 ? [INFRA.d_out4, INFRA.p_out4, INFRA.d_in4] : [INFRA.d_out6, INFRA.p_out6, INFRA.d_in6]);
  const out: Case[] = [];
  const seen = new Set<string>();
  const local = new Set<bigint>(opts.local ?? []), remote = new Set<bigint>();
  for (let k = 0; out.length < opts.count && k < opts.count * 20; k++) {
    const boundary = k % 2 === 0;
    const r = rand();
    const path: Case['path'] = r < 0.55 ? 'input' : r < 0.85 ? 'forward' : 'output';
    const proto = boundary ? pick(values.protos) : pick([6, 6, 17, fam === 4 ? 1 : 58]);
    const src = addr(boundary), dst = addr(!boundary || rand() < 0.5);
    if (src === dst) continue;
    // Destinations of INPUT cases become D's own addresses: never a source, nor a destination elsewhere.
    if (local.has(src) || (path !== 'input' && local.has(dst)) || (path === 'input' && remote.has(dst))) continue;
    const srcText = addressText(src, fam), dstText = addressText(dst, fam);
    if (infra.has(srcText) || infra.has(dstText)) continue;
    let state: Case['state'] = opts.established && rand() < 0.25 ? 'ESTABLISHED' : 'NEW';
    let tail = '';
    let ports = proto === 6 || proto === 17;
    const sp = 1024 + ((flowCounter++ * 7919) % 60000);
    const dp = port(boundary);
    if (proto === 6) {
      const odd = rand();
      if (state === 'NEW' && odd < 0.1) { state = 'INVALID'; tail = ' flags SYN,FIN'; }
      else tail = state === 'NEW' ? (odd < 0.2 ? ' flags ACK' : ' flags SYN') : ' flags ACK';
    } else if (proto === 1 || proto === 58) {
      ports = false;
      const errorTypes = fam === 4 ? [3, 11, 0, 5] : [1, 3, 129];
      const types = [...values.icmp, ...(fam === 4 ? [8, 8, 13] : [128, 128])].filter((x) => !(fam === 6 && x >= 130 && x <= 137));
      const type = rand() < 0.2 ? pick(errorTypes) : pick(types.length ? types : [fam === 4 ? 8 : 128]);
      const newTypes = fam === 4 ? [8, 13, 15, 17] : [128, 139];
      if (!newTypes.includes(type)) state = 'INVALID';
      tail = ` icmp-type ${type}/0`;
    } else if (proto === 47) {
      ports = false;
      if (state === 'ESTABLISHED') state = 'NEW';
    }
    const ep = (a: string, p?: number) => (p === undefined ? a : fam === 6 ? `[${a}]:${p}` : `${a}:${p}`);
    const protoWord = proto === 58 ? 'icmpv6' : proto === 47 ? 'gre' : proto === 1 ? 'icmp' : proto === 6 ? 'tcp' : 'udp';
    const ifs = path === 'input' ? ` in ${opts.iif}` : path === 'forward' ? ` in ${opts.iif} out ${opts.oif}` : ` out ${opts.oif}`;
    const text = `${protoWord} ${ep(srcText, ports ? sp : undefined)} > ${ep(dstText, ports ? dp : undefined)}${ifs} state ${state}${tail}`;
    const key = `${path} ${protoWord} ${srcText} ${dstText} ${dp}`;
    if (seen.has(key)) continue;
    seen.add(key);
    remote.add(src);
    (path === 'input' ? local : remote).add(dst);
    out.push({ text, path, family: fam, state, why: boundary ? 'boundary' : 'random' });
  }
  return out;
}
