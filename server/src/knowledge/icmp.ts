// ICMP (IPv4) and ICMPv6 type names as the icmp and icmp6 matches know them, how iptables reads
// `--icmp-type` / `--icmpv6-type`, and how iptables-save prints them.
//
// Checked against iptables 1.8.9: a name may be abbreviated to any unambiguous prefix, in any
// case (`echo-req`, `ECHO-REQUEST`); `echo` is refused as ambiguous. A number may be `type`,
// `type/code` or `type/min:max` (C numbers: `0x3`, `010`). iptables-save prints numbers only:
// the type alone when every code matches, else `type/code` (the first code of a range); the IPv4
// type 255 prints as `any`.
import type { Family } from '../syntax/ast';
import type { ValueResult } from './types';
import { strtoul } from './matches/header-common';
import { fail, ok } from './values';

export interface IcmpName {
  name: string;
  type: number;
  codeMin: number;
  codeMax: number;
  /** Another name for the entry before it (`ping` for `echo-request`). */
  alias?: boolean;
}

const t = (name: string, type: number, codeMin = 0, codeMax = 255, alias = false): IcmpName => ({ name, type, codeMin, codeMax, ...(alias ? { alias } : {}) });
const c = (name: string, type: number, code: number): IcmpName => t(name, type, code, code);

/** IPv4 names in iptables' order (the order decides nothing but the help listing). */
export const ICMP_NAMES: readonly IcmpName[] = [
  t('any', 255), t('echo-reply', 0), t('pong', 0, 0, 255, true),
  t('destination-unreachable', 3), c('network-unreachable', 3, 0), c('host-unreachable', 3, 1), c('protocol-unreachable', 3, 2),
  c('port-unreachable', 3, 3), c('fragmentation-needed', 3, 4), c('source-route-failed', 3, 5), c('network-unknown', 3, 6),
  c('host-unknown', 3, 7), c('network-prohibited', 3, 9), c('host-prohibited', 3, 10), c('TOS-network-unreachable', 3, 11),
  c('TOS-host-unreachable', 3, 12), c('communication-prohibited', 3, 13), c('host-precedence-violation', 3, 14), c('precedence-cutoff', 3, 15),
  t('source-quench', 4),
  t('redirect', 5), c('network-redirect', 5, 0), c('host-redirect', 5, 1), c('TOS-network-redirect', 5, 2), c('TOS-host-redirect', 5, 3),
  t('echo-request', 8), t('ping', 8, 0, 255, true), t('router-advertisement', 9), t('router-solicitation', 10),
  t('time-exceeded', 11), t('ttl-exceeded', 11, 0, 255, true), c('ttl-zero-during-transit', 11, 0), c('ttl-zero-during-reassembly', 11, 1),
  t('parameter-problem', 12), c('ip-header-bad', 12, 0), c('required-option-missing', 12, 1),
  t('timestamp-request', 13), t('timestamp-reply', 14), t('address-mask-request', 17), t('address-mask-reply', 18),
];

export const ICMPV6_NAMES: readonly IcmpName[] = [
  t('destination-unreachable', 1), c('no-route', 1, 0), c('communication-prohibited', 1, 1), c('beyond-scope', 1, 2),
  c('address-unreachable', 1, 3), c('port-unreachable', 1, 4), c('failed-policy', 1, 5), c('reject-route', 1, 6),
  t('packet-too-big', 2),
  t('time-exceeded', 3), t('ttl-exceeded', 3, 0, 255, true), c('ttl-zero-during-transit', 3, 0), c('ttl-zero-during-reassembly', 3, 1),
  t('parameter-problem', 4), c('bad-header', 4, 0), c('unknown-header-type', 4, 1), c('unknown-option', 4, 2),
  t('echo-request', 128), t('ping', 128, 0, 255, true), t('echo-reply', 129), t('pong', 129, 0, 255, true),
  t('router-solicitation', 133), t('router-advertisement', 134),
  t('neighbour-solicitation', 135), t('neighbor-solicitation', 135, 0, 255, true),
  t('neighbour-advertisement', 136), t('neighbor-advertisement', 136, 0, 255, true),
  t('redirect', 137),
];

export interface IcmpSpec { type: number; codeMin: number; codeMax: number }

export const icmpNames = (family: Family): readonly IcmpName[] => (family === 4 ? ICMP_NAMES : ICMPV6_NAMES);

/** Reads `--icmp-type` (family 4) or `--icmpv6-type` (family 6) as iptables does. */
export function parseIcmpType(text: string, family: Family): ValueResult<IcmpSpec> {
  const what = family === 4 ? 'ICMP' : 'ICMPv6';
  const lower = text.toLowerCase();
  const hits = icmpNames(family).filter((n) => n.name.toLowerCase().startsWith(lower));
  if (hits.length > 1) {
    return fail(`${what} type "${text}" is ambiguous: ${hits[0].name} or ${hits[1].name}?`, `${what} タイプ "${text}" があいまいです（${hits[0].name} か ${hits[1].name} か）`);
  }
  if (hits.length === 1) return ok({ type: hits[0].type, codeMin: hits[0].codeMin, codeMax: hits[0].codeMax });
  const bad = fail(`unknown ${what} type "${text}" (a name such as echo-request, or type[/code] with numbers 0-255)`, `不明な ${what} タイプ "${text}" です（echo-request などの名前か、0〜255 の数値で type[/code]）`);
  const typeNum = strtoul(text, 0);
  if (!typeNum || typeNum.negative || typeNum.value > 255n) return bad;
  let i = typeNum.end;
  if (i === text.length) return ok({ type: Number(typeNum.value), codeMin: 0, codeMax: 255 });
  if (text[i] === ':') {
    return fail(`${what} type ranges are not supported ("${text}")`, `${what} タイプの範囲指定はできません（"${text}"）`);
  }
  if (text[i] !== '/') return bad;
  const codes: number[] = [];
  for (const sep of ['/', ':']) {
    if (text[i] !== sep) break;
    const n = strtoul(text.slice(i + 1), 0);
    if (!n || n.negative || n.value > 255n) return fail(`bad ${what} code in "${text}" (0-255)`, `"${text}" の ${what} コードが正しくありません（0〜255）`);
    codes.push(Number(n.value));
    i += 1 + n.end;
  }
  if (i !== text.length) return bad;
  return ok({ type: Number(typeNum.value), codeMin: codes[0], codeMax: codes[1] ?? codes[0] });
}

/** The text iptables-save prints for a parsed type. */
export function formatIcmpType(s: IcmpSpec, family: Family): string {
  if (family === 4 && s.type === 255) return 'any';
  if (s.codeMin === 0 && s.codeMax === 255) return String(s.type);
  return `${s.type}/${s.codeMin}`;
}

/** The most specific name for a type/code (for hovers): `echo-request`, `port-unreachable`. */
export function icmpTypeName(s: IcmpSpec, family: Family): string | undefined {
  const names = icmpNames(family).filter((n) => !n.alias && n.type === s.type);
  return (names.find((n) => n.codeMin === s.codeMin && n.codeMax === s.codeMax) ?? names.find((n) => n.codeMin === 0 && n.codeMax === 255))?.name;
}

/** Completion values: the canonical names (aliases left out). */
export const icmpTypeValues = (family: Family): string[] => icmpNames(family).filter((n) => !n.alias).map((n) => n.name);
