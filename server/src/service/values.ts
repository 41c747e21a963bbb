// Human descriptions of argument values: port lists and ranges (service names, how many ports),
// addresses and networks (first and last address, size). Used by hover and inlay hints.
import type { Family, IptablesCommand, Lang } from '../syntax/ast';
import { parseAddress, formatAddressBytes } from '../knowledge/values';
import { lookupService, serviceName } from '../knowledge/services';
import { parseProtocol } from '../knowledge/protocols';
import { tr, code } from './text';

/** Options whose argument is a port, a port range or a comma list of those. */
export const PORT_OPTIONS = new Set(['sport', 'dport', 'sports', 'dports', 'ports', 'to-ports', 'to-port']);

export interface PortItem { text: string; from: number; to: number }

/** `22`, `ssh`, `1024:`, `:1023`, `80,443,8000:8080` (multiport's `a:b` too); undefined when not readable. */
export function parsePortList(text: string, proto: string): PortItem[] | undefined {
  const out: PortItem[] = [];
  const one = (t: string) => (/^[0-9]+$/.test(t) ? (Number(t) <= 65535 ? Number(t) : undefined) : lookupService(t, proto));
  for (const part of text.split(',')) {
    const sep = part.indexOf(':') >= 0 ? ':' : part.indexOf('-') > 0 && /^[0-9]+-[0-9]*$/.test(part) ? '-' : undefined;
    if (sep) {
      const [a, b] = part.split(sep);
      const from = a === '' ? 0 : one(a), to = b === '' ? 65535 : one(b);
      if (from === undefined || to === undefined) return undefined;
      out.push({ text: part, from, to });
    } else {
      const p = one(part);
      if (p === undefined) return undefined;
      out.push({ text: part, from: p, to: p });
    }
  }
  return out;
}

/** The protocol a rule's ports belong to (`-p udp` -> udp), tcp when unknown. */
export function protocolOf(cmd: IptablesCommand): string {
  const p = cmd.generic.protocol;
  if (!p || p.arg.symbolic) return 'tcp';
  const r = parseProtocol(p.value, cmd.family);
  return r.ok && r.value.name ? r.value.name : 'tcp';
}

const plural = (n: number, lang: Lang) => tr(lang, `${n.toLocaleString('en')} port${n === 1 ? '' : 's'}`, `${n.toLocaleString('en')} 個のポート`);

/** Markdown lines describing each port item. */
export function describePorts(text: string, proto: string, lang: Lang): string[] {
  const items = parsePortList(text, proto);
  if (!items) return [];
  return items.map((it) => {
    if (it.from === it.to) {
      const name = serviceName(it.from, proto);
      const num = /^[0-9]+$/.test(it.text) ? '' : ` = ${it.from}`;
      return `${code(it.text)}${num}${name ? ` — ${proto}/${name}` : ''}`;
    }
    return `${code(it.text)} — ${it.from}–${it.to} (${plural(it.to - it.from + 1, lang)})`;
  });
}

/** Short text for an inlay hint: service names, or the size of an open-ended range. */
export function portHint(text: string, proto: string, lang: Lang): string | undefined {
  const items = parsePortList(text, proto);
  if (!items) return undefined;
  const parts: string[] = [];
  for (const it of items) {
    if (it.from === it.to) {
      if (!/^[0-9]+$/.test(it.text)) continue; // a name already says what it is
      const name = serviceName(it.from, proto);
      if (name) parts.push(name);
    } else if (/^:|:$/.test(it.text)) {
      parts.push(plural(it.to - it.from + 1, lang));
    }
  }
  return parts.length ? parts.join(', ') : undefined;
}

function toBig(bytes: number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function fromBig(n: bigint, len: number): number[] {
  const out: number[] = [];
  for (let i = len - 1; i >= 0; i--) out.push(Number((n >> BigInt(8 * i)) & 0xffn));
  return out;
}

/** Addresses described one by one in a hover; a longer list is summed up after them. */
const LISTED_ADDRESSES = 20;

/** Markdown lines for each address of a `-s`/`-d` value: network, first/last address, size. */
export function describeAddresses(text: string, family: Family, lang: Lang): string[] {
  const parts = text.split(',');
  const out = parts.slice(0, LISTED_ADDRESSES).flatMap((part) => {
    const line = describeAddress(part, family, lang);
    return line === undefined ? [] : [line];
  });
  const rest = parts.length - LISTED_ADDRESSES;
  if (rest > 0) {
    out.push(tr(lang, `… and ${rest.toLocaleString('en-US')} more: ${parts.length.toLocaleString('en-US')} addresses, one rule each`,
      `… ほか ${rest.toLocaleString('en-US')} 個：全部で ${parts.length.toLocaleString('en-US')} 個のアドレス（アドレスごとに 1 ルール）`));
  }
  return out;
}

function describeAddress(part: string, family: Family, lang: Lang): string | undefined {
  const r = parseAddress(part, family);
  if (!r.ok) return undefined; // the diagnostic already says what is wrong
  if ('hostname' in r.value) return `${code(part)} — ${tr(lang, 'a host name: iptables looks it up once, when the rule is loaded, and adds a rule per address', 'ホスト名：ルールの読み込み時に一度だけ名前解決され、アドレスごとにルールが作られます')}`;
  const c = r.value;
  const bits = c.bytes.length * 8;
  const maskBits = c.mask ? c.mask.reduce((n, b) => n + popcount(b), 0) : c.prefix;
  const size = 1n << BigInt(bits - maskBits);
  const first = toBig(c.bytes);
  const hostMask = c.mask ? ~toBig(c.mask) & ((1n << BigInt(bits)) - 1n) : size - 1n;
  const last = first | hostMask;
  if (size === 1n) return `${code(part)} — ${tr(lang, 'a single address', '単一のアドレス')} ${code(formatAddressBytes(c.bytes))}`;
  const range = `${formatAddressBytes(c.bytes)} – ${formatAddressBytes(fromBig(last, c.bytes.length))}`;
  const count = size > 1_000_000_000_000n ? `2^${bits - maskBits}` : size.toLocaleString('en');
  const all = maskBits === 0 ? tr(lang, ' (every address)', '（すべてのアドレス）') : '';
  const net = `${formatAddressBytes(c.bytes)}/${c.prefix >= 0 ? c.prefix : c.mask!.join('.')}`;
  const written = net === part ? '' : ` = ${code(net)}`;
  return `${code(part)}${written} — ${range}, ${tr(lang, `${count} addresses`, `${count} 個のアドレス`)}${all}`;
}

function popcount(b: number): number {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
}
