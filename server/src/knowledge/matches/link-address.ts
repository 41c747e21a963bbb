// Matches on link-layer facts and address classes: pkttype, mac, addrtype, iprange, realm.
import ipaddr from 'ipaddr.js';
import { loc, type Family } from '../../syntax/ast';
import type { ModuleDef, OptionContext, OptionDef } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf } from '../save-helpers';
import { conflict, formatAddr, hex, strtoul, xtStrtoui } from './header-common';

const BUILTIN_CHAINS = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

/** Link-layer packet types; `host`, `bcast` and `mcast` are iptables' aliases. */
const PKT_TYPES: readonly [string, string][] = [
  ['unicast', 'unicast'], ['broadcast', 'broadcast'], ['multicast', 'multicast'], ['otherhost', 'otherhost'],
  ['host', 'unicast'], ['bcast', 'broadcast'], ['mcast', 'multicast'],
];

export const pkttypeMatch: ModuleDef = {
  name: 'pkttype',
  kind: 'match',
  doc: loc('Matches the link-layer packet type: addressed to this host, broadcast, multicast, or to another host.', 'リンク層のパケット種別（このホスト宛て、ブロードキャスト、マルチキャスト、他ホスト宛て）で判定します。'),
  options: [{
    name: 'pkt-type', args: 1, negatable: true, argName: 'type', values: ['unicast', 'broadcast', 'multicast', 'otherhost'],
    parse: (args) => {
      const t = PKT_TYPES.find(([n]) => n === args[0].toLowerCase());
      return t ? ok(t[1]) : fail(`unknown packet type "${args[0]}" (unicast, broadcast, multicast, otherhost)`, `不明なパケット種別 "${args[0]}" です（unicast, broadcast, multicast, otherhost）`);
    },
    doc: loc('unicast (to this host), broadcast, multicast, or otherhost (to another host, seen in promiscuous mode or when bridging).', 'unicast（このホスト宛て）、broadcast、multicast、otherhost（他ホスト宛て。プロミスキャスモードやブリッジで見えるもの）。'),
  }],
  validate: (m) => (optionOf(m, 'pkt-type') ? [] : [loc('the pkttype match needs --pkt-type', 'pkttype マッチには --pkt-type の指定が必要です')]),
  save(m) {
    const o = optionOf(m, 'pkt-type');
    return ['-m', 'pkttype', ...(o ? [...bang(o), '--pkt-type', String(o.value)] : [])];
  },
};

/** Six colon-separated groups of at most two hex digits (`a:b:c:d:e:f` is fine, an empty group is 0). */
export function parseMac(text: string): number[] | undefined {
  const parts = text.split(':');
  if (parts.length !== 6) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    if (p === '') { bytes.push(0); continue; }
    const r = strtoul(p, 16);
    if (!r || r.end !== p.length || p.length > 2) return undefined;
    bytes.push(Number(r.negative ? -r.value & 0xffn : r.value & 0xffn));
  }
  return bytes;
}

export const macMatch: ModuleDef = {
  name: 'mac',
  kind: 'match',
  chains: ['PREROUTING', 'INPUT', 'FORWARD'],
  doc: loc('Matches the source MAC address of Ethernet frames. Only in PREROUTING, INPUT and FORWARD (outgoing packets have no source MAC yet).', 'イーサネットフレームの送信元 MAC アドレスで判定します。PREROUTING・INPUT・FORWARD でのみ使えます（送信パケットにはまだ送信元 MAC がありません）。'),
  options: [{
    name: 'mac-source', args: 1, negatable: true, argName: 'XX:XX:XX:XX:XX:XX',
    parse: (args) => {
      const mac = parseMac(args[0]);
      return mac ? ok(mac) : fail(`"${args[0]}" is not a MAC address: write six hexadecimal pairs such as 00:11:22:aa:bb:cc`, `"${args[0]}" は MAC アドレスではありません。00:11:22:aa:bb:cc のように 16 進数 2 桁を 6 組書きます`);
    },
    doc: loc('Source MAC address, six hex bytes separated by colons.', '送信元 MAC アドレス（コロン区切りの 16 進 6 バイト）。'),
  }],
  validate: (m) => (optionOf(m, 'mac-source') ? [] : [loc('the mac match needs --mac-source', 'mac マッチには --mac-source の指定が必要です')]),
  save(m) {
    const o = optionOf(m, 'mac-source');
    return ['-m', 'mac', ...(o ? [...bang(o), '--mac-source', (o.value as number[]).map((b) => b.toString(16).padStart(2, '0')).join(':')] : [])];
  },
};

/** Kernel address types in bit order (the order iptables-save prints them). */
export const ADDR_TYPES = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];
/** The kernel refuses these for IPv6 (no such routes there). */
const NOT_IPV6 = ['BROADCAST', 'BLACKHOLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];

const typeListOption = (name: string, en: string, ja: string): OptionDef => ({
  name, args: 1, negatable: true, argName: 'type[,type...]', values: ADDR_TYPES,
  parse: (args, ctx) => {
    let bits = 0;
    for (const item of args[0].split(',')) {
      const i = ADDR_TYPES.indexOf(item.toUpperCase());
      if (i < 0) return fail(`unknown address type "${item}" (${ADDR_TYPES.join(', ')})`, `不明なアドレスタイプ "${item}" です（${ADDR_TYPES.join(', ')}）`);
      if (ctx.family === 6 && NOT_IPV6.includes(ADDR_TYPES[i])) return fail(`address type ${ADDR_TYPES[i]} does not exist for IPv6; the kernel refuses it`, `アドレスタイプ ${ADDR_TYPES[i]} は IPv6 にはなく、カーネルが拒否します`);
      bits |= 1 << i;
    }
    return ok(bits);
  },
  doc: loc(en, ja),
});

function chainCheck(ctx: OptionContext, flag: string, allowed: string[]) {
  const chain = ctx.cmd.chain;
  if (!chain || ctx.cmd.chainWord?.symbolic || !BUILTIN_CHAINS.includes(chain) || allowed.includes(chain)) return [];
  return [loc(`--${flag} is not allowed in ${chain} (only ${allowed.join(', ')})`, `--${flag} は ${chain} では使えません（${allowed.join('・')} のみ）`)];
}

export const addrtypeMatch: ModuleDef = {
  name: 'addrtype',
  kind: 'match',
  doc: loc('Matches the kernel\'s routing type of the source or destination address: LOCAL (one of this host\'s addresses), BROADCAST, MULTICAST, ...', '送信元・宛先アドレスのカーネル上の種類（LOCAL＝このホストのアドレス、BROADCAST、MULTICAST など）で判定します。'),
  options: [
    typeListOption('src-type', 'Matches when the source address is of one of these types.', '送信元アドレスがこれらの種類のいずれかなら一致します。'),
    typeListOption('dst-type', 'Matches when the destination address is of one of these types.', '宛先アドレスがこれらの種類のいずれかなら一致します。'),
    { name: 'limit-iface-in', args: 0, doc: loc('Look the address up only on the incoming interface. PREROUTING, INPUT and FORWARD only.', '受信インターフェースだけでアドレスを調べます。PREROUTING・INPUT・FORWARD のみ。') },
    { name: 'limit-iface-out', args: 0, doc: loc('Look the address up only on the outgoing interface. FORWARD, OUTPUT and POSTROUTING only.', '送信インターフェースだけでアドレスを調べます。FORWARD・OUTPUT・POSTROUTING のみ。') },
  ],
  validate(m, ctx) {
    if (!optionOf(m, 'src-type') && !optionOf(m, 'dst-type')) return [loc('the addrtype match needs --src-type or --dst-type', 'addrtype マッチには --src-type か --dst-type が必要です')];
    const inF = optionOf(m, 'limit-iface-in'), outF = optionOf(m, 'limit-iface-out');
    if (inF && outF) return [conflict('limit-iface-in', 'limit-iface-out')];
    if (inF) return chainCheck(ctx, 'limit-iface-in', ['PREROUTING', 'INPUT', 'FORWARD']);
    if (outF) return chainCheck(ctx, 'limit-iface-out', ['FORWARD', 'OUTPUT', 'POSTROUTING']);
    return [];
  },
  save(m) {
    const words = ['-m', 'addrtype'];
    for (const name of ['src-type', 'dst-type']) {
      const o = optionOf(m, name);
      if (o) words.push(...bang(o), `--${name}`, ADDR_TYPES.filter((_, i) => (o.value as number) & (1 << i)).join(','));
    }
    for (const name of ['limit-iface-in', 'limit-iface-out']) if (optionOf(m, name)) words.push(`--${name}`);
    return words;
  },
};

/** iptables' own IPv4 reader: up to four C numbers 0-255, missing trailing parts are 0 (`10.1` is 10.1.0.0). */
export function parseNumericIpv4(text: string): number[] | undefined {
  const parts = text.slice(0, 19).split('.');
  if (parts.length > 4) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    const n = xtStrtoui(p, 0, 255);
    if (n === undefined) return undefined;
    bytes.push(n);
  }
  while (bytes.length < 4) bytes.push(0);
  return bytes;
}

function parseIpRange(text: string, family: Family) {
  const pieces = text.split('-');
  const read = (t: string) => {
    if (family === 4) return parseNumericIpv4(t);
    return ipaddr.IPv6.isValid(t) && !t.includes('%') ? ipaddr.IPv6.parse(t).toByteArray() : undefined;
  };
  const from = read(pieces[0]);
  const to = pieces.length === 2 ? read(pieces[1]) : from;
  if (pieces.length > 2 || !from || !to) {
    return fail(`"${text}" is not a numeric IPv${family} address or range from-to`, `"${text}" は数値の IPv${family} アドレス、または範囲 開始-終了 ではありません`);
  }
  return ok({ from, to });
}

const rangeOption = (name: string, en: string, ja: string): OptionDef => ({
  name, args: 1, negatable: true, argName: 'from[-to]',
  parse: (args, ctx) => parseIpRange(args[0], ctx.family),
  doc: loc(en, ja),
});

export const iprangeMatch: ModuleDef = {
  name: 'iprange',
  kind: 'match',
  doc: loc('Matches source or destination addresses in an arbitrary inclusive range `from-to` (not limited to a prefix).', '送信元・宛先アドレスを任意の範囲 `開始-終了`（プレフィックスに限らない）で判定します。'),
  options: [
    rangeOption('src-range', 'Source address in the range (both ends included).', '送信元アドレスが範囲内（両端を含む）なら一致します。'),
    rangeOption('dst-range', 'Destination address in the range (both ends included).', '宛先アドレスが範囲内（両端を含む）なら一致します。'),
  ],
  validate: (m) => (optionOf(m, 'src-range') || optionOf(m, 'dst-range') ? [] : [loc('the iprange match needs --src-range or --dst-range', 'iprange マッチには --src-range か --dst-range が必要です')]),
  save(m) {
    const words = ['-m', 'iprange'];
    for (const name of ['src-range', 'dst-range']) {
      const o = optionOf(m, name);
      if (o) { const v = o.value as { from: number[]; to: number[] }; words.push(...bang(o), `--${name}`, `${formatAddr(v.from)}-${formatAddr(v.to)}`); }
    }
    return words;
  },
};

/** /etc/iproute2/rt_realms on Debian 12 names only realm 0. */
export const REALM_NAMES: readonly [string, number][] = [['cosmos', 0]];

export interface RealmValue { value: number; mask: number }

export const realmMatch: ModuleDef = {
  name: 'realm',
  kind: 'match',
  family: 4,
  chains: ['INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  doc: loc('Matches the routing realm the route of the packet belongs to (set by `ip route ... realm`). Not in PREROUTING: the route is not chosen yet.', 'パケットの経路が属するルーティングレルム（`ip route ... realm` で設定）で判定します。PREROUTING では経路がまだ決まっていないため使えません。'),
  options: [{
    name: 'realm', args: 1, negatable: true, argName: 'value[/mask]',
    parse: (args) => {
      const named = REALM_NAMES.find(([n]) => n === args[0]);
      if (named) return ok<RealmValue>({ value: named[1], mask: 0xffffffff });
      const [v, m, extra] = args[0].split('/');
      const value = xtStrtoui(v), mask = m === undefined ? 0xffffffff : xtStrtoui(m);
      if (value === undefined || mask === undefined || extra !== undefined) {
        return fail(`"${args[0]}" is not a realm number[/mask] or a name from /etc/iproute2/rt_realms`, `"${args[0]}" はレルム番号[/マスク]でも /etc/iproute2/rt_realms の名前でもありません`);
      }
      return ok<RealmValue>({ value, mask });
    },
    doc: loc('Realm number with an optional mask (32-bit, decimal or hex), or a name from /etc/iproute2/rt_realms (no mask then).', 'レルム番号と任意のマスク（32 ビット、10 進または 16 進）、または /etc/iproute2/rt_realms の名前（この場合マスクは不可）。'),
  }],
  validate: (m) => (optionOf(m, 'realm') ? [] : [loc('the realm match needs --realm', 'realm マッチには --realm の指定が必要です')]),
  save(m) {
    const o = optionOf(m, 'realm');
    if (!o) return ['-m', 'realm'];
    const { value, mask } = o.value as RealmValue;
    const name = mask === 0xffffffff ? REALM_NAMES.find(([, n]) => n === value)?.[0] : undefined;
    const text = name ?? (mask === 0xffffffff ? hex(value) : `${hex(value)}/${hex(mask)}`);
    return ['-m', 'realm', ...bang(o), '--realm', text];
  },
};
