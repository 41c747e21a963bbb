// Number and port readers that behave like the C helpers iptables uses (strtoul with base 0,
// xtables_strtoui, getservbyname, getaddrinfo), shared by the packet-header match modules.
// Their quirks matter: `022` is octal for tcp (18) but decimal for udp (22), udp wraps 65537 to 1.
import { loc, type Localized } from '../../syntax/ast';
import type { OptionContext, ValueResult } from '../types';
import { SERVICES } from '../services';
import { decimalValue, fail, ok, plainDecimalLength } from '../values';
import { formatIpv6 } from '../inet';
export { formatIpv6 };

/** strtoul(3): leading blanks, an optional sign, then digits in `base` (0 = C prefixes). */
export function strtoul(text: string, base = 0): { value: bigint; negative: boolean; end: number } | undefined {
  const plain = base === 0 || base === 10 ? plainDecimalLength(text) : 0;
  if (plain) return { value: BigInt(decimalValue(text, plain)), negative: false, end: plain };
  let i = 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') { negative = text[i] === '-'; i++; }
  let b = base;
  if ((b === 0 || b === 16) && text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9a-fA-F]/.test(text[i + 2] ?? '')) { i += 2; b = 16; }
  else if (b === 0) b = text[i] === '0' ? 8 : 10;
  const start = i;
  let value = 0n;
  for (; i < text.length; i++) {
    const d = parseInt(text[i], 36);
    if (Number.isNaN(d) || d >= b) break;
    value = value * BigInt(b) + BigInt(d);
  }
  if (i === start) return undefined;
  return { value, negative, end: i };
}

/** xtables_strtoui: the whole text is one unsigned number in [min, max]; a minus sign is refused. */
export function xtStrtoui(text: string, min = 0, max = 0xffffffff): number | undefined {
  const plain = plainDecimalLength(text);
  if (plain) {
    if (plain !== text.length) return undefined;
    const v = decimalValue(text, plain);
    return v >= min && v <= max ? v : undefined;
  }
  const r = strtoul(text, 0);
  if (!r || r.negative || r.end !== text.length) return undefined;
  return r.value >= BigInt(min) && r.value <= BigInt(max) ? Number(r.value) : undefined;
}

export function xtUint(text: string, min: number, max: number, what: Localized): ValueResult<number> {
  const n = xtStrtoui(text, min, max);
  return n === undefined
    ? fail(`${what.en} must be a number from ${min} to ${max}, not "${text}"`, `${what.ja}は ${min}〜${max} の数値で指定します（"${text}" は不可）`)
    : ok(n);
}

export interface NumRange { from: number; to: number }

/**
 * `n`, `n:m`, `n:` (to max) or `:m` (from min), each side read by `side` (default: a C number).
 * `order` says what iptables checks: 'any' keeps a reversed range, 'le' refuses from > to,
 * 'lt' also refuses from == to (multiport).
 */
export function parseRange(
  text: string, min: number, max: number, what: Localized,
  order: 'any' | 'le' | 'lt' = 'any',
  side: (t: string) => ValueResult<number> = (t) => xtUint(t, min, max, what),
): ValueResult<NumRange> {
  const parts = text.split(':');
  if (parts.length > 2) return fail(`${what.en}: "${text}" has more than one ":"`, `${what.ja}: "${text}" に ":" が複数あります`);
  const a = parts[0] === '' && parts.length === 2 ? ok(min) : side(parts[0]);
  if (!a.ok) return a;
  const b = parts.length === 1 ? a : parts[1] === '' ? ok(max) : side(parts[1]);
  if (!b.ok) return b;
  if ((order === 'le' && a.value > b.value) || (order === 'lt' && a.value >= b.value)) {
    return fail(`${what.en}: the range ${text} is reversed or empty (start must be ${order === 'lt' ? 'below' : 'at most'} the end)`, `${what.ja}: 範囲 ${text} の開始が終了${order === 'lt' ? '以上' : 'より大きく'}なっています`);
  }
  return ok({ from: a.value, to: b.value });
}

export const formatRange = (r: NumRange): string => (r.from === r.to ? String(r.from) : `${r.from}:${r.to}`);

/** getservbyname(name, proto) on Debian 12: only the names listed for that exact protocol. */
export function serviceByName(name: string, proto: string): number | undefined {
  for (const [port, names] of SERVICES[proto] ?? []) if (names.includes(name)) return port;
  return undefined;
}

/** xtables_parse_port (tcp, sctp, multiport): a C number up to 65535 or a service of that protocol. */
export function parseServicePort(text: string, proto: string): ValueResult<number> {
  const n = xtStrtoui(text, 0, 65535);
  if (n !== undefined) return ok(n);
  const byName = serviceByName(text, proto);
  if (byName !== undefined) return ok(byName);
  return fail(`"${text}" is not a port number (0-65535) or a ${proto} service name from /etc/services`, `"${text}" はポート番号（0〜65535）でも /etc/services の ${proto} サービス名でもありません`);
}

/**
 * The port reader of the udp and dccp matches (getaddrinfo): decimal only (`022` is 22), the
 * value is cut to 16 bits (65537 becomes 1), an empty text is 0, and a name may be any tcp, udp
 * or sctp service.
 */
export function parseGaiPort(text: string): ValueResult<number> {
  // A plain number of up to 9 digits is below 2^31: it is only cut to 16 bits.
  const plain = plainDecimalLength(text);
  if (plain === text.length && plain <= 9) return ok(decimalValue(text, plain) & 0xffff);
  const r = strtoul(text, 10);
  if (text === '' || (r && r.end === text.length)) {
    const max = (1n << 64n) - 1n;
    let v = r ? r.value : 0n;
    if (v > max) v = max; // strtoul saturates on overflow
    else if (r?.negative && v !== 0n) v = (1n << 64n) - v;
    const asInt = Number(v & 0xffffffffn);
    if (asInt <= 0x7fffffff) return ok(asInt & 0xffff);
  } else {
    for (const proto of ['tcp', 'udp', 'sctp']) {
      const p = serviceByName(text, proto);
      if (p !== undefined) return ok(p);
    }
  }
  return fail(`port "${text}" does not resolve to anything (not a number or a known service name)`, `ポート "${text}" を解決できません（数値でも既知のサービス名でもありません）`);
}

/** Hex with at least `digits` digits, as printf("0x%02x"). */
export const hex = (n: number, digits = 1): string => `0x${n.toString(16).padStart(digits, '0')}`;

/** A conflict message as iptables words it ("cannot be used together"). */
export const conflict = (a: string, b: string): Localized =>
  loc(`--${a} and --${b} cannot be used together`, `--${a} と --${b} は同時に指定できません`);


/** An address of either family as iptables-save prints it. */
export const formatAddr = (bytes: number[]): string => (bytes.length === 4 ? bytes.join('.') : formatIpv6(bytes));

/**
 * The kernel refuses a protocol-bound match (icmp, sctp, ah, tcpmss, ...) under `! -p`: it checks
 * the protocol and that it is not negated. (tcp and udp escape this on the nft backend, which
 * turns them into native tests.) The parser checks the protocol itself; this adds the negation.
 */
export function negatedProtocolError(ctx: OptionContext, match: string, proto: string): Localized[] {
  const p = ctx.cmd.generic.protocol;
  if (!p?.negated || p.arg.symbolic) return [];
  return [loc(`the ${match} match needs -p ${proto} without \`!\`: the kernel refuses it under \`! -p\``, `${match} マッチには \`!\` なしの -p ${proto} が必要です（\`! -p\` ではカーネルが拒否します）`)];
}
