// Protocol names and numbers for `-p`, as iptables 1.8.9 (nft backend) resolves and prints them
// with Debian 12's /etc/protocols. API used by the command-line parser and the printer:
// parseProtocol, formatProtocol, knownProtocolNames, implicitMatchName (keep them).
//
// Facts checked against the real binary:
// - the argument is lowercased first; then a C number 0-255 (`0x06`, `010` = 8, ` 6`, `+6`), then
//   `all`, then getprotobyname (names and aliases, case-sensitive: `IPv6-ICMP` works as
//   `ipv6-icmp`, `IPSEC-ESP` does not), then iptables' own names `icmpv6`, `ipv6-mh`, `mh`.
// - iptables-save prints `-p` with the /etc/protocols name of the number (`-p 58` and `-p icmpv6`
//   print `-p ipv6-icmp`, `-p mh` prints `-p mobility-header`), or the number when it has no
//   name (`-p 7`); protocol 0 (`all`, `ip`, `hopopt`) prints no `-p` at all.
// - `mptcp` is 262 in /etc/protocols; the nft backend keeps 8 bits, so it prints `-p tcp`.
import { loc, type Family } from '../syntax/ast';
import type { ValueResult } from './types';
import { xtStrtoui } from './matches/header-common';

/** /etc/protocols on Debian 12 (netbase): number, name, aliases. */
export const PROTOCOL_DB: readonly [number, string, string[]][] = [
  [0, 'ip', ['IP']], [0, 'hopopt', ['HOPOPT']], [1, 'icmp', ['ICMP']], [2, 'igmp', ['IGMP']],
  [3, 'ggp', ['GGP']], [4, 'ipencap', ['IP-ENCAP']], [5, 'st', ['ST']], [6, 'tcp', ['TCP']],
  [8, 'egp', ['EGP']], [9, 'igp', ['IGP']], [12, 'pup', ['PUP']], [17, 'udp', ['UDP']],
  [20, 'hmp', ['HMP']], [22, 'xns-idp', ['XNS-IDP']], [27, 'rdp', ['RDP']], [29, 'iso-tp4', ['ISO-TP4']],
  [33, 'dccp', ['DCCP']], [36, 'xtp', ['XTP']], [37, 'ddp', ['DDP']], [38, 'idpr-cmtp', ['IDPR-CMTP']],
  [41, 'ipv6', ['IPv6']], [43, 'ipv6-route', ['IPv6-Route']], [44, 'ipv6-frag', ['IPv6-Frag']], [45, 'idrp', ['IDRP']],
  [46, 'rsvp', ['RSVP']], [47, 'gre', ['GRE']], [50, 'esp', ['IPSEC-ESP']], [51, 'ah', ['IPSEC-AH']],
  [57, 'skip', ['SKIP']], [58, 'ipv6-icmp', ['IPv6-ICMP']], [59, 'ipv6-nonxt', ['IPv6-NoNxt']], [60, 'ipv6-opts', ['IPv6-Opts']],
  [73, 'rspf', ['RSPF', 'CPHB']], [81, 'vmtp', ['VMTP']], [88, 'eigrp', ['EIGRP']], [89, 'ospf', ['OSPFIGP']],
  [93, 'ax.25', ['AX.25']], [94, 'ipip', ['IPIP']], [97, 'etherip', ['ETHERIP']], [98, 'encap', ['ENCAP']],
  [103, 'pim', ['PIM']], [108, 'ipcomp', ['IPCOMP']], [112, 'vrrp', ['VRRP']], [115, 'l2tp', ['L2TP']],
  [124, 'isis', ['ISIS']], [132, 'sctp', ['SCTP']], [133, 'fc', ['FC']], [135, 'mobility-header', ['Mobility-Header']],
  [136, 'udplite', ['UDPLite']], [137, 'mpls-in-ip', ['MPLS-in-IP']], [138, 'manet', []], [139, 'hip', ['HIP']],
  [140, 'shim6', ['Shim6']], [141, 'wesp', ['WESP']], [142, 'rohc', ['ROHC']], [143, 'ethernet', ['Ethernet']],
  [262, 'mptcp', ['MPTCP']],
];

/** iptables' own table (xtables_chain_protos), consulted after /etc/protocols, in this order. */
const CHAIN_PROTOS: readonly [string, number][] = [
  ['tcp', 6], ['sctp', 132], ['udp', 17], ['udplite', 136], ['icmp', 1], ['icmpv6', 58], ['ipv6-icmp', 58],
  ['esp', 50], ['ah', 51], ['ipv6-mh', 135], ['mh', 135], ['all', 0],
];

export interface Protocol {
  /** 0 for `all`. */
  number: number;
  /** Canonical name (iptables-save prints it), or undefined for a bare number without a name. */
  name?: string;
}

/** getprotobyname(3): exact, case-sensitive match of a name or an alias. */
function byName(name: string): number | undefined {
  for (const [num, primary, aliases] of PROTOCOL_DB) if (primary === name || aliases.includes(name)) return num;
  return undefined;
}

/** getprotobynumber(3): the first name listed for the number. */
export function protocolName(num: number): string | undefined {
  return PROTOCOL_DB.find(([n]) => n === num)?.[1];
}

/** The protocol number iptables loads for a `-p` argument, or undefined if it refuses the text. */
export function protocolNumber(text: string): number | undefined {
  const lower = text.toLowerCase();
  const n = xtStrtoui(lower, 0, 255);
  if (n !== undefined) return n;
  if (lower === 'all') return 0;
  const named = byName(lower) ?? CHAIN_PROTOS.find(([name]) => name === lower)?.[1];
  return named === undefined ? undefined : named & 0xff; // nft keeps 8 bits (mptcp 262 -> 6)
}

export function parseProtocol(text: string, _family: Family): ValueResult<Protocol> {
  const n = protocolNumber(text);
  if (n === undefined) {
    return /^\s*[-+]?[0-9]/.test(text)
      ? { ok: false, message: loc(`protocol number "${text}" is not valid (0-255)`, `プロトコル番号 "${text}" は無効です（0〜255）`) }
      : { ok: false, message: loc(`unknown protocol "${text}" (not in /etc/protocols)`, `不明なプロトコル "${text}" です（/etc/protocols にありません）`) };
  }
  if (n === 0) return { ok: true, value: { number: 0, name: 'all' } };
  return { ok: true, value: { number: n, name: protocolName(n) } };
}

/** The word iptables-save prints after `-p`; undefined means `-p` is not printed (all). */
export function formatProtocol(p: Protocol): string | undefined {
  if (p.number === 0) return undefined;
  return protocolName(p.number) ?? String(p.number);
}

/** Completion candidates: the names people write, then the rest of /etc/protocols. */
export const knownProtocolNames = (): string[] => {
  const common = ['all', 'tcp', 'udp', 'icmp', 'ipv6-icmp', 'icmpv6', 'sctp', 'dccp', 'udplite', 'esp', 'ah', 'gre', 'mh'];
  const rest = PROTOCOL_DB.map(([, name]) => name).filter((n) => !common.includes(n) && n !== 'ip' && n !== 'hopopt');
  return [...common, ...rest];
};

/**
 * The match module iptables loads by itself when a rule says `-p TEXT` and then uses an option
 * no loaded module knows (`-p tcp --dport 22`). A number goes through iptables' own name table
 * first, then /etc/protocols (`-p 6` loads tcp, `-p 58` loads icmp6, `-p 108` loads ipcomp); a
 * name is used as written, lowercased (`-p mh` loads mh, but `-p mobility-header`, `-p ipv6-mh`
 * and `-p 135` load nothing). `icmpv6` and `ipv6-icmp` are iptables' spellings of `icmp6`.
 * The caller still looks the name up for the family (icmp6 exists only in ip6tables).
 */
export function implicitMatchName(text: string): string | undefined {
  const lower = text.toLowerCase();
  const n = xtStrtoui(lower, 0, 255);
  const name = n === undefined ? lower : (CHAIN_PROTOS.find(([, num]) => num === n)?.[0] ?? protocolName(n));
  if (name === undefined || name === 'all') return undefined;
  return name === 'icmpv6' || name === 'ipv6-icmp' ? 'icmp6' : name;
}

/**
 * IPv6 extension headers that ip6tables accepts after `-p` with the warning "never matched
 * protocol: use extension match instead" (the kernel never sees them as the upper protocol).
 */
export const IPV6_EXTENSION_HEADER_PROTOCOLS: readonly number[] = [43, 44, 51, 60];

/** Same protocol for both texts, as iptables resolves them (`6`, `tcp`, `TCP`). */
export function sameProtocol(a: string, b: string): boolean {
  const x = protocolNumber(a), y = protocolNumber(b);
  return x !== undefined && x === y;
}
