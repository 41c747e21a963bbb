// Value readers shared by the state and metadata match modules. They follow libxtables' own
// readers (strtoul with base 0, value/mask pairs, host/mask pairs kept unmasked, ports by name)
// so that what we accept, reject and print back agrees with iptables 1.8.9.
import ipaddr from 'ipaddr.js';
import { loc, type Family, type Localized } from '../../syntax/ast';
import type { ValueResult } from '../types';
import { fail, formatAddressBytes, ok } from '../values';
import { lookupService } from '../services';

const C_UINT = /^\s*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

/**
 * An unsigned integer as xtables_strtoul reads it: base 0 (`0x` hex, leading `0` octal,
 * decimal), leading blanks and `+` allowed, `-` refused, nothing after the number.
 */
export function cUint(text: string, min = 0n, max = 0xffffffffn): bigint | undefined {
  const m = C_UINT.exec(text);
  if (!m) return undefined;
  const digits = m[1];
  let v: bigint;
  if (/^0[xX]/.test(digits)) v = BigInt(digits);
  else if (digits.length > 1 && digits.startsWith('0')) v = BigInt('0o' + digits.slice(1));
  else v = BigInt(digits);
  return v >= min && v <= max ? v : undefined;
}

/** cUint for values that fit a JavaScript number (32-bit fields). */
export function cUint32(text: string, min = 0, max = 0xffffffff): number | undefined {
  const v = cUint(text, BigInt(min), BigInt(max));
  return v === undefined ? undefined : Number(v);
}

/** The leading number of a string and the rest, as strtoul(s, &end, base) splits it. */
export function cUintPrefix(text: string, base: 0 | 10 = 10): { value: number; rest: string } | undefined {
  const m = (base === 10 ? /^\s*\+?([0-9]+)/ : /^\s*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/).exec(text);
  if (!m) return undefined;
  const v = base === 10 ? Number(m[1]) : Number(cUint(m[1], 0n, BigInt(Number.MAX_SAFE_INTEGER)) ?? NaN);
  return Number.isNaN(v) ? undefined : { value: v, rest: text.slice(m[0].length) };
}

export const numberMessage = (what: string, text: string, min: number | bigint, max: number | bigint): ValueResult<never> =>
  fail(`${what} must be a number from ${min} to ${max}, not "${text}"`, `${what} は ${min} から ${max} までの数値で指定します（"${text}" は不可）`);

/** An option argument read as a 32-bit (or smaller) unsigned number. */
export function uintArg(what: string, min = 0, max = 0xffffffff) {
  return (args: string[]): ValueResult<number> => {
    const v = cUint32(args[0], min, max);
    return v === undefined ? numberMessage(what, args[0], min, max) : ok(v);
  };
}

export interface ValueMask {
  value: number;
  mask: number;
  /** A symbolic name (device groups) whose number is not known here (site-specific file). */
  name?: string;
}

/**
 * `value[/mask]` as xtables_parse_val_mask reads marks, connmarks and device groups. With
 * `names`, a name without a mask is accepted too (known ones become numbers).
 */
export function parseValueMask(text: string, what: string, names?: Record<string, number>): ValueResult<ValueMask> {
  const slash = text.indexOf('/');
  const valueText = slash < 0 ? text : text.slice(0, slash);
  const value = cUint32(valueText);
  if (value === undefined) {
    if (names && slash < 0 && /^[A-Za-z_][\w.-]*$/.test(text)) {
      return ok(text in names ? { value: names[text], mask: 0xffffffff } : { value: 0, mask: 0xffffffff, name: text });
    }
    return fail(`${what}: "${text}" is not a number or value/mask`, `${what}: "${text}" は数値または 値/マスク ではありません`);
  }
  if (slash < 0) return ok({ value, mask: 0xffffffff });
  const mask = cUint32(text.slice(slash + 1));
  if (mask === undefined) return fail(`${what}: bad mask in "${text}"`, `${what}: "${text}" のマスクが正しくありません`);
  return ok({ value, mask });
}

export const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

/** How iptables-save prints a mark: `0xV` or `0xV/0xM` (the full mask is left out). */
export function formatMark(v: ValueMask): string {
  return v.mask === 0xffffffff ? hex(v.value) : `${hex(v.value)}/${hex(v.mask)}`;
}

/** A string option copied into a fixed buffer: iptables keeps the first size-1 bytes. */
export function truncateBytes(text: string, maxBytes: number): string {
  // ASCII text (the common case) is one byte per character: no encoding needed.
  if (text.length <= maxBytes && isAscii(text)) return text;
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return text;
  // Cut at a character boundary: a split UTF-8 sequence cannot be shown as text anyway.
  let end = maxBytes;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.slice(0, end));
}

export const byteLength = (text: string): number => (isAscii(text) ? text.length : Buffer.byteLength(text, 'utf8'));

const isAscii = (text: string): boolean => /^[\x00-\x7f]*$/.test(text);

/**
 * A port as xtables_getportbyname reads it (getaddrinfo's service lookup): a decimal number,
 * cut to 16 bits as glibc does (70000 is 4464), or a service name of any protocol.
 */
export function parseAnyPort(text: string): number | undefined {
  const m = /^\s*\+?([0-9]+)$/.exec(text);
  if (m) {
    const v = BigInt(m[1]);
    return v < 2n ** 64n ? Number(v % 65536n) : undefined;
  }
  return lookupService(text, 'tcp') ?? lookupService(text, 'udp') ?? lookupService(text, 'sctp');
}

export interface PortRangeValue { from: number; to: number }

/** `port`, `a:b`, `a:` or `:b` (XTTYPE_PORTRC): no order check, as iptables does none here. */
export function parsePortRangeLoose(text: string): ValueResult<PortRangeValue> {
  const parts = text.split(':');
  if (parts.length > 2) return fail(`too many ":" in port range "${text}"`, `ポート範囲 "${text}" の ":" が多すぎます`);
  const vals: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === '') { vals.push(i === 1 ? 65535 : 0); continue; }
    const p = parseAnyPort(parts[i]);
    if (p === undefined) return fail(`port "${parts[i]}" is not a number (0-65535) or a known service name`, `ポート "${parts[i]}" は番号（0〜65535）でも既知のサービス名でもありません`);
    vals.push(p);
  }
  return ok({ from: vals[0], to: vals.length > 1 ? vals[1] : vals[0] });
}

export const formatPortRangeLoose = (r: PortRangeValue): string => (r.from === r.to ? String(r.from) : `${r.from}:${r.to}`);

/** `n`, `a:b`, `a:` or `:b` of 32-bit numbers (XTTYPE_UINT32RC): `a:` runs to 4294967295. */
export function parseUintRange(text: string, what: string, max = 0xffffffff): ValueResult<{ from: number; to: number }> {
  const parts = text.split(':');
  if (parts.length > 2) return fail(`${what}: too many ":" in "${text}"`, `${what}: "${text}" の ":" が多すぎます`);
  const vals: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === '') { vals.push(i === 1 ? max : 0); continue; }
    const v = cUint32(parts[i], 0, max);
    if (v === undefined) return numberMessage(what, parts[i], 0, max);
    vals.push(v);
  }
  return ok({ from: vals[0], to: vals.length > 1 ? vals[1] : vals[0] });
}

/** An address with its mask as written: iptables keeps the host bits for these options. */
export interface HostMask {
  /** Resolved address bytes, or undefined for a host name we cannot resolve. */
  bytes?: number[];
  hostname?: string;
  /** Mask bytes (all ones when no mask was given). */
  mask: number[];
}

function prefixMask(prefix: number, bits: number): number[] {
  return Array.from({ length: bits / 8 }, (_, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return (0xff << (8 - keep)) & 0xff;
  });
}

/** The contiguous prefix length of a mask, or undefined when its bits are not contiguous. */
export function maskPrefix(mask: number[]): number | undefined {
  let n = 0, zero = false;
  for (const b of mask) for (let bit = 7; bit >= 0; bit--) {
    if (b & (1 << bit)) { if (zero) return undefined; n++; } else zero = true;
  }
  return n;
}

function parseIp(text: string, family: Family): number[] | undefined {
  if (family === 4) return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text).toByteArray() : undefined;
  return ipaddr.IPv6.isValid(text) && text.includes(':') ? ipaddr.IPv6.parse(text).toByteArray() : undefined;
}

const HOSTNAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;

/** `address[/prefix|/mask]` (XTTYPE_HOSTMASK): the address is kept as given, not masked. */
export function parseHostMask(text: string, family: Family, what: string): ValueResult<HostMask> {
  const bits = family === 4 ? 32 : 128;
  const slash = text.indexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  let bytes = parseIp(host, family);
  let hostname: string | undefined;
  if (!bytes) {
    if (host === 'localhost') bytes = family === 4 ? [127, 0, 0, 1] : ipaddr.IPv6.parse('::1').toByteArray();
    else if (parseIp(host, family === 4 ? 6 : 4)) {
      return fail(`${what}: ${host} is an IPv${family === 4 ? 6 : 4} address; use ${family === 4 ? 'ip6tables' : 'iptables'}`, `${what}: ${host} は IPv${family === 4 ? 6 : 4} アドレスです（${family === 4 ? 'ip6tables' : 'iptables'} を使います）`);
    } else if (HOSTNAME.test(host) && /[A-Za-z_]/.test(host)) hostname = host;
    else return fail(`${what}: "${host}" is not a valid address or host name`, `${what}: "${host}" は正しいアドレスでもホスト名でもありません`);
  }
  if (slash < 0) return ok({ bytes, hostname, mask: prefixMask(bits, bits) });
  const maskText = text.slice(slash + 1);
  const asIp = parseIp(maskText, family);
  if (asIp) return ok({ bytes, hostname, mask: asIp });
  const prefix = cUint32(maskText, 0, bits);
  if (prefix === undefined) return fail(`${what}: "/${maskText}" is not a prefix length (0-${bits}) or netmask`, `${what}: "/${maskText}" はプレフィックス長（0〜${bits}）でもネットマスクでもありません`);
  return ok({ bytes, hostname, mask: prefixMask(prefix, bits) });
}

/**
 * The text iptables-save prints for a host/mask option: the address unmasked, `/N` unless the
 * mask is full. A non-contiguous mask is not printed by iptables-nft 1.8.9 (seen on the binary).
 */
export function formatHostMask(h: HostMask): string {
  const addr = h.bytes ? formatAddressBytes(h.bytes) : h.hostname!;
  const prefix = maskPrefix(h.mask);
  if (prefix === undefined || prefix === h.mask.length * 8) return addr;
  return `${addr}/${prefix}`;
}

/** A plain address (no mask), e.g. recent's --mask netmask. */
export function parsePlainAddress(text: string, family: Family, what: string): ValueResult<number[]> {
  const bytes = parseIp(text, family);
  if (bytes) return ok(bytes);
  if (family === 4 && /^\s*(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(text)) {
    // inet_aton reads a lone number as a whole 32-bit address (`24` is 0.0.0.24).
    const n = cUint32(text.trim());
    if (n !== undefined) return ok([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  }
  return fail(`${what}: "${text}" is not a valid IPv${family} address`, `${what}: "${text}" は正しい IPv${family} アドレスではありません`);
}

/** A mask given as a prefix length or as an address; the prefix printed for it (XTTYPE_PLENMASK). */
export function parsePlenMask(text: string, family: Family, what: string): ValueResult<number> {
  const bits = family === 4 ? 32 : 128;
  const plen = cUint32(text, 0, bits);
  if (plen !== undefined) return ok(plen);
  const addr = parseIp(text, family);
  if (addr) return ok(maskPrefix(addr) ?? bits);
  // A larger number is read as an IPv4 address (0.0.0.N), a non-contiguous mask printed as /32.
  if (family === 4 && cUint32(text) !== undefined) return ok(bits);
  return fail(`${what}: "${text}" is neither a netmask nor a prefix length (0-${bits})`, `${what}: "${text}" はネットマスクでもプレフィックス長（0〜${bits}）でもありません`);
}

/** Users and groups with fixed ids on Debian (base-passwd); other names are kept as written. */
export const FIXED_USERS: Record<string, number> = {
  root: 0, daemon: 1, bin: 2, sys: 3, sync: 4, games: 5, man: 6, lp: 7, mail: 8, news: 9, uucp: 10,
  proxy: 13, 'www-data': 33, backup: 34, list: 38, irc: 39, nobody: 65534,
};
export const FIXED_GROUPS: Record<string, number> = {
  root: 0, daemon: 1, bin: 2, sys: 3, adm: 4, tty: 5, disk: 6, lp: 7, mail: 8, news: 9, uucp: 10, man: 12,
  proxy: 13, kmem: 15, dialout: 20, fax: 21, voice: 22, cdrom: 24, floppy: 25, tape: 26, sudo: 27, audio: 29,
  dip: 30, 'www-data': 33, backup: 34, operator: 37, list: 38, irc: 39, src: 40, shadow: 42, utmp: 43,
  video: 44, sasl: 45, plugdev: 46, staff: 50, games: 60, users: 100, nogroup: 65534,
};

export const requiredMessage = (module: string, option: string): Localized =>
  loc(`the ${module} match needs --${option}`, `${module} マッチには --${option} が必要です`);

export const exclusiveMessage = (a: string, b: string): Localized =>
  loc(`--${a} and --${b} cannot be used together`, `--${a} と --${b} は同時に指定できません`);

export const isBuiltinChain = (chain: string | undefined): chain is string =>
  chain !== undefined && ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].includes(chain);

/**
 * Some option of the module failed its own parse (already reported): whole-module checks
 * that read option values should then stay quiet, as iptables stops at the first error.
 */
export function hasBadValue(m: { options: { name: string; value?: unknown }[] }, def: { options: { name: string; parse?: unknown }[] }): boolean {
  return m.options.some((o) => o.value === undefined && def.options.find((d) => d.name === o.name)?.parse !== undefined);
}

/**
 * The built-in chain a rule is being added to (-A, -I, -R), where the kernel checks hooks; undefined
 * for user-defined chains (their hooks depend on the jumps) and for -D/-C, which load nothing.
 */
export function hookChain(ctx: { cmd: { op?: string; chain?: string } }): string | undefined {
  const { op, chain } = ctx.cmd;
  return (op === 'A' || op === 'I' || op === 'R') && isBuiltinChain(chain) ? chain : undefined;
}
