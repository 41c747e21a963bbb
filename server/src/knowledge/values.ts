// Value parsers shared by the generic matches and the extension modules. Each returns the value
// iptables would load, or a message saying why iptables would reject the text.
import { loc, type Family, type Localized } from '../syntax/ast';
import type { ValueResult } from './types';
import { lookupService } from './services';
import { formatIpv6, inetPton4, inetPton6 } from './inet';

export const ok = <T>(value: T): ValueResult<T> => ({ ok: true, value });
export const fail = (en: string, ja: string): ValueResult<never> => ({ ok: false, message: loc(en, ja) });

/**
 * Length of the run of decimal digits that starts `text` when it is a plain number: 1 to 14
 * digits, the first not 0 (readers with base 0 take a leading 0 as octal); 0 otherwise. Every C
 * number reader here reads such a run the same way, and a double holds it exactly: their fast path
 * (no BigInt arithmetic per digit).
 */
export function plainDecimalLength(text: string): number {
  const c0 = text.charCodeAt(0);
  if (!(c0 >= 49 && c0 <= 57)) return 0;
  let i = 1;
  for (let c; i < text.length && (c = text.charCodeAt(i)) >= 48 && c <= 57; i++);
  return i <= 14 ? i : 0;
}

/** The value of the decimal digits text[0, end). */
export function decimalValue(text: string, end: number): number {
  let v = 0;
  for (let i = 0; i < end; i++) v = v * 10 + text.charCodeAt(i) - 48;
  return v;
}

/** An unsigned integer in decimal, or hex with 0x, as strtoul-based parsers in iptables accept. */
export function parseUint(text: string, min = 0, max = 0xffffffff): number | undefined {
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(text)) return undefined;
  const n = text.startsWith('0x') || text.startsWith('0X') ? parseInt(text, 16) : parseInt(text, 10);
  return n >= min && n <= max ? n : undefined;
}

export function uintValue(text: string, min: number, max: number, what: Localized): ValueResult<number> {
  const n = parseUint(text, min, max);
  return n === undefined
    ? fail(`${what.en} must be a number from ${min} to ${max}, not "${text}"`, `${what.ja}は ${min} から ${max} までの数値で指定します（"${text}" は不可）`)
    : ok(n);
}

/** A port number or a service name from /etc/services for the protocol. */
export function parsePort(text: string, proto = 'tcp'): ValueResult<number> {
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    if (n <= 65535) return ok(n);
    return fail(`port ${text} is out of range (0-65535)`, `ポート ${text} は範囲外です（0〜65535）`);
  }
  const port = lookupService(text, proto);
  if (port !== undefined) return ok(port);
  return fail(`"${text}" is not a port number or a known ${proto} service name`, `"${text}" はポート番号でも既知の ${proto} サービス名でもありません`);
}

export interface PortRange { from: number; to: number }

/** `port`, `from:to`, `from:` (to 65535) or `:to` (from 0). iptables rejects from > to. */
export function parsePortRange(text: string, proto = 'tcp'): ValueResult<PortRange> {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const p = parsePort(text, proto);
    return p.ok ? ok({ from: p.value, to: p.value }) : p;
  }
  const a = text.slice(0, colon), b = text.slice(colon + 1);
  const from = a === '' ? ok(0) : parsePort(a, proto);
  if (!from.ok) return from;
  const to = b === '' ? ok(65535) : parsePort(b, proto);
  if (!to.ok) return to;
  if (from.value > to.value) {
    return fail(`port range ${text} is reversed (start above end)`, `ポート範囲 ${text} の開始が終了より大きくなっています`);
  }
  return ok({ from: from.value, to: to.value });
}

export function formatPortRange(r: PortRange): string {
  return r.from === r.to ? String(r.from) : `${r.from}:${r.to}`;
}

/** An address with its prefix: the packet-space analysis and the printer read this. */
export interface Cidr {
  family: Family;
  /** Network address (host bits cleared), as bytes. */
  bytes: number[];
  prefix: number;
  /** For an IPv4 non-contiguous dotted mask such as /255.0.255.0 (rare, but iptables allows it). */
  mask?: number[];
}

const isV4Shape = (t: string) => /^[0-9.]+$/.test(t);

/**
 * An address, `addr/prefix` or `addr/dotted-mask` for -s/-d. A hostname is accepted by iptables
 * (resolved when the rule is loaded): it comes back as `{hostname}`, never guessed.
 */
export function parseAddress(text: string, family: Family): ValueResult<Cidr | { hostname: string }> {
  const slash = text.indexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  const maskText = slash < 0 ? undefined : text.slice(slash + 1);
  let bytes: number[];
  if (family === 4) {
    if (!isV4Shape(host)) {
      if (inetPton6(host)) return fail(`${text} is an IPv6 address; iptables takes IPv4 (use ip6tables)`, `${text} は IPv6 アドレスです。iptables は IPv4 用です（ip6tables を使います）`);
      if (isHostname(host) && maskText === undefined) return ok({ hostname: host });
      if (isHostname(host)) return checkMaskOnly(text, host, maskText!, 32);
      return fail(`"${text}" is not a valid IPv4 address or host name`, `"${text}" は正しい IPv4 アドレスでもホスト名でもありません`);
    }
    // iptables fills missing parts with zeros: 10.1 is 10.1.0.0.
    const parts = host.split('.');
    const padded = parts.length < 4 && parts.every((x) => x !== '') ? [...parts, ...Array(4 - parts.length).fill('0')].join('.') : host;
    const v4 = inetPton4(padded.split('.').map((x) => String(Number(x))).join('.'));
    if (!v4 || !/^[0-9]+(\.[0-9]+){3}$/.test(padded)) return fail(`"${host}" is not a valid IPv4 address`, `"${host}" は正しい IPv4 アドレスではありません`);
    bytes = v4;
  } else {
    if (isV4Shape(host) && host.includes('.')) return fail(`${text} is an IPv4 address; ip6tables takes IPv6 (use iptables)`, `${text} は IPv4 アドレスです。ip6tables は IPv6 用です（iptables を使います）`);
    const v6 = inetPton6(host);
    if (!v6) {
      if (isHostname(host) && maskText === undefined) return ok({ hostname: host });
      return fail(`"${text}" is not a valid IPv6 address or host name`, `"${text}" は正しい IPv6 アドレスでもホスト名でもありません`);
    }
    bytes = v6;
  }
  const bits = family === 4 ? 32 : 128;
  if (maskText === undefined) return ok({ family, bytes, prefix: bits });
  if (/^[0-9]+$/.test(maskText)) {
    const prefix = Number(maskText);
    if (prefix > bits) return fail(`prefix length /${maskText} is larger than ${bits}`, `プレフィックス長 /${maskText} が ${bits} を超えています`);
    return ok({ family, bytes: applyPrefix(bytes, prefix), prefix });
  }
  const maskBytes = family === 4 ? inetPton4(maskText) : undefined;
  if (maskBytes) {
    const mask = maskBytes;
    const prefix = contiguousPrefix(mask);
    const net = bytes.map((b, i) => b & mask[i]);
    return ok(prefix === undefined ? { family, bytes: net, prefix: -1, mask } : { family, bytes: net, prefix });
  }
  return fail(`"/${maskText}" is not a valid prefix length or netmask`, `"/${maskText}" は正しいプレフィックス長でもネットマスクでもありません`);
}

function checkMaskOnly(text: string, host: string, maskText: string, bits: number): ValueResult<{ hostname: string }> {
  if (/^[0-9]+$/.test(maskText) && Number(maskText) <= bits) return ok({ hostname: host });
  return fail(`"${text}" is not a valid address`, `"${text}" は正しいアドレスではありません`);
}

const isHostname = (t: string) => /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(t) && /[A-Za-z_]/.test(t);

export function applyPrefix(bytes: number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
}

function contiguousPrefix(mask: number[]): number | undefined {
  let prefix = 0, seenZero = false;
  for (const byte of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      if (byte & (1 << bit)) { if (seenZero) return undefined; prefix++; } else seenZero = true;
    }
  }
  return prefix;
}

/** The text iptables-save prints for an address: `1.2.3.4/32`, `2001:db8::/32`, `10.0.0.0/255.0.255.0`. */
export function formatCidr(c: Cidr): string {
  const addr = formatAddressBytes(c.bytes);
  if (c.prefix < 0 && c.mask) return `${addr}/${c.mask.join('.')}`;
  return `${addr}/${c.prefix}`;
}

export function formatAddressBytes(bytes: number[]): string {
  return bytes.length === 4 ? bytes.join('.') : formatIpv6(bytes);
}

/** Interface names: at most 15 characters (IFNAMSIZ - 1); a trailing `+` is a wildcard. */
export function parseInterface(text: string): ValueResult<string> {
  if (text.length === 0) return fail('interface name is empty', 'インターフェース名が空です');
  if (text.length > 15) return fail(`interface name "${text}" is longer than 15 characters`, `インターフェース名 "${text}" が 15 文字を超えています`);
  if (/[\s/]/.test(text)) return fail(`"${text}" is not a valid interface name`, `"${text}" は正しいインターフェース名ではありません`);
  return ok(text);
}

/** Template placeholders such as y.y.y.y or xxx.xxx.xxx.xxx: as host names they never resolve. */
const PLACEHOLDER = /^([a-z])\.\1\.\1\.\1(\/\d+)?$|^x{1,3}(\.x{1,3}){3}(\/\d+)?$|^a\.b\.c\.d(\/\d+)?$|^<[^>]*>$|^(your|my)[-_.]?ip([-_.]?(address|here))?$|^ip[-_]?address$/i;

export const isPlaceholderAddress = (text: string): boolean => PLACEHOLDER.test(text);
