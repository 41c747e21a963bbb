// Value parsers shared by the target modules. They copy the C library and libxtables behaviour
// iptables 1.8.9 relies on (strtoul with base 0, inet_pton, inet_aton, getaddrinfo, the quoting of
// iptables-save), because that decides what iptables accepts and what it prints back.
import { loc, type Family, type Localized, type ParsedModule, type ParsedOption } from '../../syntax/ast';
import type { OptionContext, OptionDef, ValueResult } from '../types';
import { decimalValue, fail, ok, plainDecimalLength } from '../values';
import { lookupService } from '../services';
import { parseProtocol } from '../protocols';
import { formatIpv6, inetPton4, inetPton6 } from '../inet';
export { inetPton4, inetPton6 };
export const formatIPv6 = formatIpv6;

// ---------------------------------------------------------------------------------------------
// Numbers

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
const UINTMAX = (1n << 64n) - 1n;

/**
 * C strtoumax: leading white space, an optional sign, then digits in `base` (0: `0x` hex, `0`
 * octal, else decimal). Returns the value (wrapped like C for a minus sign) and the index where
 * reading stopped, or undefined when no digit was read. `overflow` mirrors errno ERANGE.
 */
export function strtoumax(text: string, base = 0): { value: bigint; end: number; overflow: boolean } | undefined {
  const plain = base === 0 || base === 10 ? plainDecimalLength(text) : 0;
  if (plain) return { value: BigInt(decimalValue(text, plain)), end: plain, overflow: false };
  let i = 0;
  while (i < text.length && isSpace(text[i])) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') { negative = text[i] === '-'; i++; }
  let b = base;
  const hexPrefix = (text[i] === '0') && (text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9a-fA-F]/.test(text[i + 2] ?? '');
  if ((b === 0 || b === 16) && hexPrefix) { b = 16; i += 2; } else if (b === 0) b = text[i] === '0' ? 8 : 10;
  const start = i;
  let value = 0n, overflow = false;
  for (; i < text.length; i++) {
    const d = parseInt(text[i], 36);
    if (Number.isNaN(d) || d >= b) break;
    value = value * BigInt(b) + BigInt(d);
    if (value > UINTMAX) overflow = true;
  }
  if (i === start) return undefined;
  if (overflow) value = UINTMAX;
  else if (negative) value = (-value) & UINTMAX;
  return { value, end: i, overflow };
}

/**
 * libxtables xtables_strtoul_base: no minus sign, value within [min, max]. With `whole` the text
 * must end after the number (the `end == NULL` calls); otherwise the rest is returned.
 */
export function xtStrtoul(text: string, min: number, max: number, whole = true, base = 0): { value: number; rest: string } | undefined {
  const plain = base === 0 || base === 10 ? plainDecimalLength(text) : 0;
  if (plain) {
    const v = decimalValue(text, plain);
    if (v < min || v > max || (whole && plain !== text.length)) return undefined;
    return { value: v, rest: text.slice(plain) };
  }
  let i = 0;
  while (i < text.length && isSpace(text[i])) i++;
  if (text[i] === '-') return undefined;
  const r = strtoumax(text, base);
  if (!r || r.overflow || r.value < BigInt(min) || r.value > BigInt(max)) return undefined;
  if (whole && r.end !== text.length) return undefined;
  return { value: Number(r.value), rest: text.slice(r.end) };
}

/** A whole-text unsigned number as the XTTYPE_UINT* option types read it. */
export function xtUint(text: string, min: number, max: number): number | undefined {
  return xtStrtoul(text, min, max, true)?.value;
}

export function badNumber(option: string, min: number, max: number, text: string): ValueResult<never> {
  return fail(`--${option} needs a number from ${min} to ${max}, not "${text}"`, `--${option} には ${min} から ${max} までの数値を指定します（"${text}" は不可）`);
}

/** An option with one unsigned-number argument (decimal, 0x hex or 0 octal), as XTTYPE_UINT*. */
export function uintOption(name: string, min: number, max: number, doc: Localized, extra: Partial<OptionDef> = {}): OptionDef {
  return {
    name, args: 1, argName: extra.argName ?? 'number', doc,
    parse: (args) => { const n = xtUint(args[0], min, max); return n === undefined ? badNumber(name, min, max, args[0]) : ok(n); },
    ...extra,
  };
}

/** An option without argument. */
export const flagOption = (name: string, doc: Localized, extra: Partial<OptionDef> = {}): OptionDef => ({ name, args: 0, doc, parse: () => ok(true), ...extra });

export interface MarkMask { value: number; mask: number }

/** XTTYPE_MARKMASK32: `value[/mask]`, the mask 0xffffffff when absent. */
export function parseMarkMask(text: string, option: string): ValueResult<MarkMask> {
  const v = xtStrtoul(text, 0, 0xffffffff, false);
  if (!v) return fail(`--${option} needs value[/mask] with 32-bit numbers, not "${text}"`, `--${option} には 32 ビットの数値で 値[/マスク] を指定します（"${text}" は不可）`);
  let mask = 0xffffffff, rest = v.rest;
  if (rest.startsWith('/')) {
    const m = xtStrtoul(rest.slice(1), 0, 0xffffffff, false);
    if (!m) return fail(`--${option}: the mask in "${text}" is not a 32-bit number`, `--${option}: "${text}" のマスクが 32 ビットの数値ではありません`);
    mask = m.value; rest = m.rest;
  }
  if (rest !== '') return fail(`--${option}: unexpected characters after the value in "${text}"`, `--${option}: "${text}" の値の後に余分な文字があります`);
  return ok({ value: v.value, mask });
}

export const hex = (n: number, width = 0) => `0x${(n >>> 0).toString(16).padStart(width, '0')}`;
export const u32 = (n: number) => n >>> 0;

// ---------------------------------------------------------------------------------------------
// Strings

/**
 * libxtables xtables_save_string: bare when the text is only letters, digits, `_` and `-`;
 * otherwise in double quotes with `"`, `\` and `'` escaped by a backslash.
 */
export function xtSaveString(text: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(text)) return text;
  return `"${text.replace(/(["\\'])/g, '\\$1')}"`;
}

/** A fixed-size C char buffer filled by strncpy: longer text is cut to `size - 1` bytes (UTF-8). */
export function truncateBytes(text: string, size: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length < size) return text;
  return bytes.subarray(0, size - 1).toString('utf8').replace(/\uFFFD$/, '');
}

/** XTTYPE_STRING with XTOPT_PUT: at least `min` characters; silently cut to the buffer size. */
export function stringOption(name: string, size: number, doc: Localized, extra: Partial<OptionDef> & { min?: number; max?: number } = {}): OptionDef {
  const { min = 0, max = 0, ...rest } = extra;
  return {
    name, args: 1, argName: 'text', doc,
    parse: (args) => {
      const len = Buffer.byteLength(args[0], 'utf8');
      if (len < min) return fail(`--${name} must not be empty`, `--${name} は空にできません`);
      if (max && len > max) return fail(`--${name} is longer than ${max} characters`, `--${name} が ${max} 文字を超えています`);
      return ok(truncateBytes(args[0], size));
    },
    ...rest,
  };
}

// ---------------------------------------------------------------------------------------------
// Addresses




/** glibc inet_aton, used by getaddrinfo for IPv4 literals: 1 to 4 parts, each decimal/0x/0 octal. */
export function inetAton(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    if (!/^(0[xX][0-9a-fA-F]*|[0-9]+)$/.test(p)) return undefined;
    const r = strtoumax(p, 0);
    if (!r || r.end !== p.length || r.value > 0xffffffffn) return undefined;
    nums.push(Number(r.value));
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return undefined;
  const bytes = [...nums];
  for (let k = 4 - nums.length - 1; k >= 0; k--) bytes.push(Math.floor(last / 2 ** (8 * k)) & 0xff);
  return bytes;
}

export const formatIPv4 = (b: number[]) => b.join('.');


export const formatIP = (bytes: number[]) => (bytes.length === 4 ? formatIPv4(bytes) : formatIPv6(bytes));

/** An address that iptables resolves with getaddrinfo (XTTYPE_HOST): a literal, or a host name. */
export type HostValue = { bytes: number[] } | { hostname: string };

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

export function parseHost(text: string, family: Family, option: string): ValueResult<HostValue> {
  const v4 = inetAton(text);
  const v6 = v4 ? undefined : inetPton6(text);
  if (family === 4 && v4) return ok({ bytes: v4 });
  if (family === 6 && v6) return ok({ bytes: v6 });
  if (v4 || v6) {
    return fail(`--${option} ${text} is an IPv${family === 4 ? 6 : 4} address; ${family === 4 ? 'iptables needs IPv4' : 'ip6tables needs IPv6'}`,
      `--${option} の ${text} は IPv${family === 4 ? 6 : 4} アドレスです。${family === 4 ? 'iptables では IPv4' : 'ip6tables では IPv6'} を指定します`);
  }
  if (HOSTNAME.test(text) && /[A-Za-z_]/.test(text)) return ok({ hostname: text });
  return fail(`--${option}: "${text}" is not an IPv${family} address or host name`, `--${option}: "${text}" は IPv${family} アドレスでもホスト名でもありません`);
}

export const formatHost = (h: HostValue) => ('bytes' in h ? formatIP(h.bytes) : h.hostname);

export interface HostMask { host: HostValue; prefix: number }

/**
 * XTTYPE_HOSTMASK (`address[/mask]`): the mask is a prefix length (0-128, read like strtoul with
 * base 0, so `024` is octal) or, for IPv4, a dotted mask. Without a mask the whole address counts.
 * A non-contiguous IPv4 mask and an IPv4 prefix above 32 both end up as /32 in iptables 1.8.9.
 */
export function parseHostMask(text: string, family: Family, option: string): ValueResult<HostMask> {
  const slash = text.indexOf('/');
  const hostText = slash < 0 ? text : text.slice(0, slash);
  const host = parseHost(hostText, family, option);
  if (!host.ok) return host;
  const bits = family === 4 ? 32 : 128;
  if (slash < 0) return ok({ host: host.value, prefix: bits });
  const maskText = text.slice(slash + 1);
  const prefix = parsePrefixLength(maskText, family, true);
  if (prefix === undefined) {
    return fail(`--${option}: "/${maskText}" is neither a netmask nor a prefix length (0-${bits})`, `--${option}: "/${maskText}" はネットマスクでもプレフィックス長（0〜${bits}）でもありません`);
  }
  const value = 'bytes' in host.value ? { bytes: maskBytes(host.value.bytes, prefix) } : host.value;
  return ok({ host: value, prefix });
}

/**
 * A prefix length or netmask (XTTYPE_PLENMASK and the mask of XTTYPE_HOSTMASK). iptables 1.8.9
 * takes any 32-bit number for IPv4 (cut to 32) but at most 128 for IPv6; a non-contiguous mask
 * counts as the full length. `strict` refuses the white space and sign strtoul would skip.
 */
export function parsePrefixLength(text: string, family: Family, strict: boolean): number | undefined {
  const bits = family === 4 ? 32 : 128;
  const dotted = family === 4 ? inetPton4(text) : text.includes(':') ? inetPton6(text) : undefined;
  if (dotted) return contiguousPrefix(dotted) ?? bits;
  if (strict && !/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(text)) return undefined;
  const n = xtUint(text, 0, family === 4 ? 0xffffffff : 128);
  return n === undefined ? undefined : Math.min(n, bits);
}

export function contiguousPrefix(mask: number[]): number | undefined {
  let prefix = 0, zero = false;
  for (const byte of mask) for (let bit = 7; bit >= 0; bit--) {
    if (byte & (1 << bit)) { if (zero) return undefined; prefix++; } else zero = true;
  }
  return prefix;
}

export function maskBytes(bytes: number[], prefix: number): number[] {
  return bytes.map((b, i) => b & ((0xff << (8 - Math.max(0, Math.min(8, prefix - i * 8)))) & 0xff));
}

// ---------------------------------------------------------------------------------------------
// Ports and protocols

/** getservbyname(name, NULL): a service of any protocol in /etc/services. */
export const anyService = (name: string) => lookupService(name, 'tcp') ?? lookupService(name, 'udp') ?? lookupService(name, 'sctp') ?? lookupService(name, 'dccp');

/** The protocol number of the rule's `-p` as iptables sees it so far (0 = none or `all`). */
export function ruleProtocol(ctx: OptionContext): { number: number; negated: boolean } {
  const p = ctx.cmd.generic.protocol;
  if (!p || p.arg.symbolic) return { number: 0, negated: false };
  const r = parseProtocol(p.value, ctx.family);
  return { number: r.ok ? r.value.number : 0, negated: p.negated };
}

/** `-p` is given, not negated and known (symbolic words are trusted). */
export function ruleHasProtocol(ctx: OptionContext, numbers: number[]): boolean {
  const p = ctx.cmd.generic.protocol;
  if (p?.arg.symbolic) return true;
  const r = ruleProtocol(ctx);
  return !r.negated && numbers.includes(r.number);
}

export const IPPROTO = { icmp: 1, tcp: 6, udp: 17, dccp: 33, sctp: 132 } as const;

/** `-p` is symbolic (a shell variable): checks that depend on it are skipped. */
export const protocolUnknown = (ctx: OptionContext) => !!ctx.cmd.generic.protocol?.arg.symbolic;

// ---------------------------------------------------------------------------------------------
// Whole-module checks (XTOPT_MAND, .excl, .also in libxtables)

export const has = (m: ParsedModule, name: string) => m.options.some((o) => o.name === name);
export const last = (m: ParsedModule, name: string): ParsedOption | undefined => {
  for (let i = m.options.length - 1; i >= 0; i--) if (m.options[i].name === name) return m.options[i];
  return undefined;
};

export const mustGive = (target: string, option: string): Localized =>
  loc(`${target} needs --${option}`, `${target} には --${option} が必要です`);

export const notTogether = (target: string, a: string, b: string): Localized =>
  loc(`${target}: --${a} and --${b} cannot be used together`, `${target}: --${a} と --${b} は同時に指定できません`);

export const needsAlso = (target: string, a: string, b: string): Localized =>
  loc(`${target}: --${a} also needs --${b}`, `${target}: --${a} には --${b} も必要です`);

/** Errors for options of `group` given together (the first pair found, as iptables reports one). */
export function exclusive(m: ParsedModule, target: string, group: string[]): Localized[] {
  const given = group.filter((n) => has(m, n));
  return given.length > 1 ? [notTogether(target, given[0], given[1])] : [];
}

/** Built-in chain names (hooks); user-defined chains are checked when the kernel sees the jump. */
export const isHookChain = (chain: string | undefined) => !!chain && ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].includes(chain);
