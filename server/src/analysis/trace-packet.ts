// The `--packet` text of `iptables-lint trace`: one concrete packet, written the way tcpdump
// prints a flow, plus the few facts the ruleset may look at (interfaces, conntrack state, flags).
//   PROTO SRC[:SPORT] > DST[:DPORT] [in IFACE] [out IFACE] [state S] [flags F,...] [icmp-type T]
//   [mark N] [reply]
// IPv6 addresses take ports in brackets: [2001:db8::1]:22. docs/trace.md is the reference.
import { loc, type Family, type Localized } from '../syntax/ast';
import { inetPton4, inetPton6 } from '../knowledge/inet';
import { protocolName, protocolNumber } from '../knowledge/protocols';
import { icmpTypeName, parseIcmpType } from '../knowledge/icmp';
import { parseTcpFlagList } from '../knowledge/matches/tcp';
import { lookupService } from '../knowledge/services';

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';
export const CT_STATE_NAMES: readonly CtState[] = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'];
/** Bit of each state in the masks the parser stores for `--state`/`--ctstate` (knowledge/conntrack-states). */
export const CT_STATE_BIT: Record<CtState, number> = { INVALID: 1, NEW: 2, RELATED: 4, ESTABLISHED: 8, UNTRACKED: 16 };

/** Where the packet goes, from the interfaces given: in only, out only, or both. */
export type PathKind = 'input' | 'forward' | 'output';

export interface Packet {
  family: Family;
  proto: number;
  /** Source and destination as integers (32 or 128 bits). */
  src: bigint;
  dst: bigint;
  srcText: string;
  dstText: string;
  /** Ports of a tcp/udp/sctp/dccp/udplite packet; undefined = not given (rules on ports then depend). */
  sport?: number;
  dport?: number;
  /** Interface names; undefined = the packet has none on that side (or it was not given). */
  iif?: string;
  oif?: string;
  path: PathKind;
  /** Neither `in` nor `out` was given: taken as incoming through an interface we do not know. */
  iifUnknown: boolean;
  state: CtState;
  /** TCP flag bits (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32). */
  tcpFlags: number;
  icmpType?: number;
  icmpCode?: number;
  /** The packet mark (skb->mark) as it enters the first chain. */
  mark: number;
  /** An ESTABLISHED/RELATED packet travelling from the responder back to the initiator. */
  reply: boolean;
}

export const PORT_PROTOCOLS = new Set([6, 17, 33, 132, 136]); // tcp, udp, dccp, sctp, udplite
export const ICMP4 = 1;
export const ICMP6 = 58;

export type PacketResult = { ok: true; packet: Packet } | { ok: false; message: Localized };

const bad = (en: string, ja: string): PacketResult => ({ ok: false, message: loc(en, ja) });

/** `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`, `[2001:db8::1]:80`, `[2001:db8::1]`. */
function parseEndpoint(text: string, proto: number): { family: Family; addr: bigint; addrText: string; port?: number } | string {
  let host = text, portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.+))?$/.exec(text);
  if (bracket) { host = bracket[1]; portText = bracket[2]; }
  else if ((text.match(/:/g) ?? []).length === 1) { const i = text.indexOf(':'); host = text.slice(0, i); portText = text.slice(i + 1); }
  let family: Family, bytes: number[] | undefined;
  if (host.includes(':')) { family = 6; bytes = inetPton6(host); } else { family = 4; bytes = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? inetPton4(host) : undefined; }
  if (!bytes) return `"${host}" is not an IPv4 or IPv6 address`;
  let addr = 0n;
  for (const b of bytes) addr = (addr << 8n) | BigInt(b);
  let port: number | undefined;
  if (portText !== undefined) {
    const p = /^\d+$/.test(portText) ? Number(portText) : lookupService(portText, proto === 17 ? 'udp' : 'tcp');
    if (p === undefined || p > 65535) return `"${portText}" is not a port (0-65535 or a service name)`;
    port = p;
  }
  return { family, addr, addrText: host, port };
}

const FLAG_WORDS = new Set(['in', 'out', 'state', 'flags', 'icmp-type', 'icmpv6-type', 'mark', 'reply']);

export function parsePacket(input: string): PacketResult {
  const words = input.trim().split(/\s+/).filter(Boolean);
  if (words.length < 4) {
    return bad('a packet reads PROTO SRC[:PORT] > DST[:PORT] [in IFACE] [out IFACE] [state STATE] [flags F,..] [icmp-type T], e.g. "tcp 203.0.113.9:40000 > 10.0.0.1:22 in eth0"',
      'パケットは PROTO 送信元[:ポート] > 宛先[:ポート] [in IF] [out IF] [state 状態] [flags F,..] [icmp-type 型] の形で書きます（例: "tcp 203.0.113.9:40000 > 10.0.0.1:22 in eth0"）');
  }
  const [protoWord, srcWord, arrow, dstWord, ...rest] = words;
  const proto = protoWord.toLowerCase() === 'icmpv6' ? ICMP6 : protocolNumber(protoWord);
  if (proto === undefined || proto === 0) return bad(`unknown protocol "${protoWord}" (tcp, udp, icmp, icmpv6, a name from /etc/protocols or a number 1-255)`, `不明なプロトコル "${protoWord}" です（tcp, udp, icmp, icmpv6, /etc/protocols の名前、または 1〜255 の番号）`);
  if (arrow !== '>') return bad(`expected ">" between source and destination, found "${arrow}"`, `送信元と宛先の間には ">" が必要です（"${arrow}" がありました）`);
  const src = parseEndpoint(srcWord, proto), dst = parseEndpoint(dstWord, proto);
  if (typeof src === 'string') return bad(`source: ${src}`, `送信元: ${src}`);
  if (typeof dst === 'string') return bad(`destination: ${dst}`, `宛先: ${dst}`);
  if (src.family !== dst.family) return bad('source and destination must both be IPv4 or both IPv6', '送信元と宛先は両方 IPv4 か両方 IPv6 にします');
  const family = src.family;
  const hasPorts = PORT_PROTOCOLS.has(proto);
  if (!hasPorts && (src.port !== undefined || dst.port !== undefined)) {
    return bad(`${protocolName(proto) ?? proto} has no ports`, `${protocolName(proto) ?? proto} にはポートがありません`);
  }
  const icmpProto = family === 4 ? ICMP4 : ICMP6;
  if (proto === (family === 4 ? ICMP6 : ICMP4)) return bad(family === 4 ? 'icmpv6 needs IPv6 addresses' : 'use icmpv6 (not icmp) with IPv6 addresses', family === 4 ? 'icmpv6 には IPv6 アドレスが必要です' : 'IPv6 アドレスには icmp ではなく icmpv6 を使います');

  let iif: string | undefined, oif: string | undefined, state: CtState = 'NEW', flags: number | undefined;
  let icmp: { type: number; code: number } | undefined, mark = 0, reply = false;
  for (let i = 0; i < rest.length; i++) {
    const key = rest[i].toLowerCase();
    if (key === 'reply') { reply = true; continue; }
    const value = rest[i + 1];
    if (!FLAG_WORDS.has(key)) return bad(`unknown word "${rest[i]}" (expected in, out, state, flags, icmp-type, mark or reply)`, `不明な語 "${rest[i]}" です（in, out, state, flags, icmp-type, mark, reply のいずれか）`);
    if (value === undefined) return bad(`"${rest[i]}" needs a value`, `"${rest[i]}" には値が必要です`);
    i++;
    switch (key) {
      case 'in': iif = value; break;
      case 'out': oif = value; break;
      case 'state': {
        const s = value.toUpperCase() as CtState;
        if (!CT_STATE_NAMES.includes(s)) return bad(`unknown state "${value}" (NEW, ESTABLISHED, RELATED, INVALID or UNTRACKED)`, `不明な状態 "${value}" です（NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED）`);
        state = s;
        break;
      }
      case 'flags': {
        const f = value.toUpperCase() === 'NONE' ? 0 : parseTcpFlagList(value.toUpperCase());
        if (f === undefined) return bad(`bad TCP flags "${value}" (a comma list of SYN, ACK, FIN, RST, PSH, URG, or NONE)`, `TCP フラグ "${value}" が正しくありません（SYN, ACK, FIN, RST, PSH, URG のカンマ区切り、または NONE）`);
        flags = f;
        break;
      }
      case 'icmp-type': case 'icmpv6-type': {
        const r = parseIcmpType(value, family);
        if (!r.ok || (family === 4 && r.value.type === 255)) return bad(`unknown ICMP type "${value}"`, `不明な ICMP タイプ "${value}" です`);
        icmp = { type: r.value.type, code: r.value.codeMin };
        break;
      }
      case 'mark': {
        const m = /^(0x[0-9a-f]+|\d+)$/i.test(value) ? Number(value) : NaN;
        if (!(m >= 0 && m <= 0xffffffff)) return bad(`bad mark "${value}" (0 to 0xffffffff)`, `マーク "${value}" が正しくありません（0〜0xffffffff）`);
        mark = m;
        break;
      }
    }
  }
  if (flags !== undefined && proto !== 6) return bad('flags apply to tcp packets only', 'flags は tcp パケットにだけ指定できます');
  if (icmp && proto !== icmpProto) return bad('icmp-type applies to icmp packets only', 'icmp-type は icmp パケットにだけ指定できます');
  if (reply && (state === 'NEW' || state === 'INVALID' || state === 'UNTRACKED')) return bad('reply needs state ESTABLISHED or RELATED', 'reply には state ESTABLISHED か RELATED が必要です');
  const path: PathKind = iif !== undefined && oif !== undefined ? 'forward' : oif !== undefined ? 'output' : 'input';
  const packet: Packet = {
    family, proto, src: src.addr, dst: dst.addr, srcText: src.addrText, dstText: dst.addrText,
    sport: hasPorts ? src.port : undefined,
    dport: hasPorts ? dst.port : undefined,
    iif, oif, path, iifUnknown: iif === undefined && oif === undefined,
    state,
    tcpFlags: proto === 6 ? flags ?? (state === 'NEW' ? 0x02 : 0x10) : 0,
    mark, reply,
  };
  if (proto === icmpProto) {
    const echo = family === 4 ? (reply ? 0 : 8) : (reply ? 129 : 128);
    packet.icmpType = icmp?.type ?? echo;
    packet.icmpCode = icmp?.code ?? 0;
  }
  return { ok: true, packet };
}

/** The packet written back in the canonical grammar (defaults spelled out). */
export function formatPacket(p: Packet): string {
  const ep = (addr: string, port?: number) => (port === undefined ? addr : p.family === 6 ? `[${addr}]:${port}` : `${addr}:${port}`);
  const proto = p.proto === ICMP6 ? 'icmpv6' : protocolName(p.proto) ?? String(p.proto);
  const out = [proto, ep(p.srcText, p.sport), '>', ep(p.dstText, p.dport)];
  if (p.iif !== undefined) out.push('in', p.iif);
  if (p.oif !== undefined) out.push('out', p.oif);
  out.push('state', p.state);
  if (p.proto === 6) out.push('flags', flagText(p.tcpFlags));
  if (p.icmpType !== undefined) {
    const named = icmpTypeName({ type: p.icmpType, codeMin: p.icmpCode ?? 0, codeMax: p.icmpCode ?? 0 }, p.family);
    out.push('icmp-type', named && parseIcmpType(named, p.family).ok && (parseIcmpType(named, p.family) as { value: { codeMin: number } }).value.codeMin === (p.icmpCode ?? 0) ? named : `${p.icmpType}/${p.icmpCode ?? 0}`);
  }
  if (p.mark) out.push('mark', `0x${p.mark.toString(16)}`);
  if (p.reply) out.push('reply');
  return out.join(' ');
}

export function flagText(bits: number): string {
  const names = [['SYN', 2], ['ACK', 16], ['FIN', 1], ['RST', 4], ['PSH', 8], ['URG', 32]] as const;
  const set = names.filter(([, b]) => bits & b).map(([n]) => n);
  return set.length ? set.join(',') : 'NONE';
}

/** Address integer back to text (for rewritten destinations). */
export function addressText(v: bigint, family: Family): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as inet_ntop does.
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
