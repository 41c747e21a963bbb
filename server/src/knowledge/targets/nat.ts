// Address translation targets: DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP (nat table) and the
// stateless IPv6 prefix translation DNPT/SNPT (mangle table).
import { loc, type Family, type ParsedModule } from '../../syntax/ast';
import type { ModuleDef, OptionContext, OptionDef, ValueResult } from '../types';
import { fail, ok } from '../values';
import {
  anyService, flagOption, formatHost, formatIP, has, inetPton4, inetPton6, IPPROTO, last, mustGive, parseHostMask,
  maskBytes, ruleProtocol, xtStrtoul, type HostMask,
} from './target-values';

/** A parsed `--to-destination`/`--to-source`/`--to-ports` argument (nf_nat_range2). */
export interface NatRange {
  minIp?: number[];
  maxIp?: number[];
  minPort?: number;
  maxPort?: number;
  /** Base port of a shifted port map (`a-b/base`). */
  base?: number;
}

// iptables 1.8.9 accepts a port with these -p values only (checked when the option is read).
const PORT_PROTOCOLS: number[] = [IPPROTO.tcp, IPPROTO.udp, IPPROTO.sctp, IPPROTO.dccp, IPPROTO.icmp];

const needPortProtocol = () => fail(
  'a port needs -p tcp, udp, sctp or dccp before this option',
  'ポートを指定するには、このオプションより前に -p tcp / udp / sctp / dccp が必要です',
);

/** `port`, `port-port` or `port-port/base` (libxt_NAT parse_ports). */
function parseNatPorts(text: string, ctx: OptionContext, range: NatRange): ValueResult<NatRange> {
  if (!PORT_PROTOCOLS.includes(ruleProtocol(ctx).number) && !ctx.cmd.generic.protocol?.arg.symbolic) return needPortProtocol();
  const bad = (t: string) => fail(`"${t}" is not a valid port`, `"${t}" は正しいポートではありません`);
  let first = xtStrtoul(text, 0, 65535, false);
  if (!first) {
    const s = anyService(text);
    if (s === undefined) return bad(text);
    first = { value: s, rest: '' };
  }
  range.minPort = range.maxPort = first.value;
  const rest = first.rest;
  if (rest === '') return ok(range);
  if (rest[0] === ':') return fail('a port range is written with a dash here (`1024-2048`), not a colon', 'ここではポート範囲をコロンではなくダッシュで書きます（`1024-2048`）');
  if (rest[0] !== '-') return fail(`unexpected characters after the port: "${rest}"`, `ポートの後に余分な文字があります: "${rest}"`);
  const second = xtStrtoul(rest.slice(1), 0, 65535, false);
  if (!second) return bad(rest.slice(1));
  if (second.value < first.value) return fail(`port range ${text} is reversed (start above end)`, `ポート範囲 ${text} の開始が終了より大きくなっています`);
  range.maxPort = second.value;
  if (second.rest === '') return ok(range);
  if (second.rest[0] !== '/') return fail(`unexpected characters after the port range: "${second.rest}"`, `ポート範囲の後に余分な文字があります: "${second.rest}"`);
  const baseText = second.rest.slice(1);
  const base = xtStrtoul(baseText, 1, 65535, false)?.value ?? anyService(baseText);
  if (base === undefined) return bad(baseText);
  range.base = base;
  return ok(range);
}

/** `[addr[-addr]][:port[-port[/base]]]`, IPv6 addresses in brackets when a port follows (libxt_NAT parse_to). */
export function parseNatTo(text: string, family: Family, ctx: OptionContext): ValueResult<NatRange> {
  const range: NatRange = {};
  let addr: string;
  let portText: string | undefined;
  const open = text.indexOf('[');
  if (open < 0) {
    let colon = text.indexOf(':');
    // One colon separates the port; more than one means an IPv6 address.
    if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) colon = -1;
    addr = colon >= 0 ? text.slice(0, colon) : text;
    if (colon >= 0) portText = text.slice(colon + 1);
    if (colon === 0) addr = '';
  } else {
    const close = text.indexOf(']', open + 1);
    if (close < 0 || family === 4) return fail(`"${text}": brackets are only for IPv6 addresses (\`[addr]:port\`)`, `"${text}": 角括弧は IPv6 アドレス用です（\`[アドレス]:ポート\`）`);
    addr = text.slice(open + 1, close);
    const colon = text.indexOf(':', close + 1);
    if (colon >= 0) portText = text.slice(colon + 1);
    if (colon >= 0 && (colon === 0 || colon === 2)) addr = '';
  }
  if (portText !== undefined) {
    const p = parseNatPorts(portText, ctx, range);
    if (!p.ok) return p;
    if (addr === '') return ok(range);
  }
  const dash = addr.indexOf('-');
  const parts = dash >= 0 ? [addr.slice(0, dash), addr.slice(dash + 1)] : [addr];
  const ips: number[][] = [];
  for (const part of parts) {
    const bytes = family === 4 ? inetPton4(part) : inetPton6(part);
    if (!bytes) return fail(`"${part}" is not a valid IPv${family} address`, `"${part}" は正しい IPv${family} アドレスではありません`);
    ips.push(bytes);
  }
  range.minIp = ips[0];
  range.maxIp = ips[1] ?? ips[0];
  return ok(range);
}

/** libxt_NAT sprint_range: brackets around IPv6 addresses only when a port follows. */
export function formatNatRange(r: NatRange, family: Family, skipColon: boolean, keepBase: boolean): string {
  const brackets = family === 6 && r.minPort !== undefined;
  let s = '';
  if (r.minIp) {
    s += brackets ? '[' : '';
    s += formatIP(r.minIp);
    if (r.maxIp && r.maxIp.some((b, i) => b !== r.minIp![i])) s += `-${formatIP(r.maxIp)}`;
    s += brackets ? ']' : '';
  }
  if (r.minPort !== undefined) {
    s += `:${r.minPort}`;
    if (r.maxPort !== r.minPort) s += `-${r.maxPort}`;
    // SNAT and MASQUERADE keep the "shifted" flag but not the base port: iptables prints /0.
    if (r.base !== undefined) s += `/${keepBase ? r.base : 0}`;
  }
  return skipColon && s.startsWith(':') ? s.slice(1) : s;
}

const random = flagOption('random', loc(
  'Chooses the translated port at random (hash based) instead of keeping it when possible.',
  '変換後のポートを、できるだけ元のまま使う代わりにランダム（ハッシュ）に選びます。',
));
const randomFully = flagOption('random-fully', loc(
  'Chooses the translated port fully at random (PRNG); harder to predict than --random.',
  '変換後のポートを完全にランダム（乱数）に選びます。--random より推測されにくくなります。',
));
const persistent = flagOption('persistent', loc(
  'Gives a client the same translated address on every connection when a range is given.',
  'アドレス範囲を指定したとき、同じクライアントには毎回同じ変換後アドレスを使います。',
));

function natFlags(m: ParsedModule): string[] {
  const out: string[] = [];
  for (const f of ['random', 'random-fully', 'persistent']) if (has(m, f)) out.push(`--${f}`);
  return out;
}

function toOption(name: string, doc: ReturnType<typeof loc>): OptionDef {
  return {
    name, args: 1, argName: '[addr[-addr]][:port[-port]]', doc,
    parse: (args, ctx) => parseNatTo(args[0], ctx.family, ctx),
  };
}

const toPorts: OptionDef = {
  name: 'to-ports', args: 1, argName: 'port[-port]',
  doc: loc('Port or range `first-last` to use (needs -p tcp, udp, sctp or dccp before it).', '使うポート、または範囲 `開始-終了`（この前に -p tcp / udp / sctp / dccp が必要）。'),
  parse: (args, ctx) => parseNatPorts(args[0], ctx, {}),
};

function natSave(name: string, option: string, skipColon: boolean, keepBase: boolean) {
  return (m: ParsedModule, ctx: OptionContext): string[] => {
    const words = ['-j', name];
    const o = last(m, option);
    if (o?.value) {
      const s = formatNatRange(o.value as NatRange, ctx.family, skipColon, keepBase);
      if (s) words.push(`--${option}`, s);
    }
    return [...words, ...natFlags(m)];
  };
}

export const dnatTarget: ModuleDef = {
  name: 'DNAT', kind: 'target', tables: ['nat'], chains: ['PREROUTING', 'OUTPUT'],
  doc: loc(
    'Rewrites the destination address (and port) of a new connection; the replies are translated back. Only in the nat table, PREROUTING and OUTPUT.',
    '新しい接続の宛先アドレス（とポート）を書き換えます。戻りのパケットは自動で逆変換されます。nat テーブルの PREROUTING と OUTPUT でのみ使えます。',
  ),
  options: [
    toOption('to-destination', loc(
      'New destination: an address or range, optionally `:port`, `:first-last` or `:first-last/base` (ports need -p tcp, udp, sctp or dccp). IPv6 with a port: `[addr]:port`.',
      '新しい宛先。アドレスまたは範囲に、必要なら `:ポート`、`:開始-終了`、`:開始-終了/基準` を付けます（ポートには -p tcp / udp / sctp / dccp が必要）。IPv6 でポートを付けるときは `[アドレス]:ポート`。',
    )),
    random, persistent,
  ],
  validate: (m) => (has(m, 'to-destination') ? [] : [mustGive('DNAT', 'to-destination')]),
  save: natSave('DNAT', 'to-destination', false, true),
};

export const snatTarget: ModuleDef = {
  name: 'SNAT', kind: 'target', tables: ['nat'], chains: ['POSTROUTING', 'INPUT'],
  doc: loc(
    'Rewrites the source address (and port) of a new connection to a fixed address; the replies are translated back. Only in the nat table, POSTROUTING and INPUT.',
    '新しい接続の送信元アドレス（とポート）を固定のアドレスに書き換えます。戻りのパケットは自動で逆変換されます。nat テーブルの POSTROUTING と INPUT でのみ使えます。',
  ),
  options: [
    toOption('to-source', loc(
      'New source: an address or range, optionally `:port` or `:first-last` (ports need -p tcp, udp, sctp or dccp). IPv6 with a port: `[addr]:port`.',
      '新しい送信元。アドレスまたは範囲に、必要なら `:ポート` や `:開始-終了` を付けます（ポートには -p tcp / udp / sctp / dccp が必要）。IPv6 でポートを付けるときは `[アドレス]:ポート`。',
    )),
    random, randomFully, persistent,
  ],
  validate: (m) => (has(m, 'to-source') ? [] : [mustGive('SNAT', 'to-source')]),
  save: natSave('SNAT', 'to-source', false, false),
};

export const masqueradeTarget: ModuleDef = {
  name: 'MASQUERADE', kind: 'target', tables: ['nat'], chains: ['POSTROUTING'],
  doc: loc(
    'Source NAT to the address of the outgoing interface, looked up per connection; meant for dynamic (DHCP, PPP) addresses. Only in nat POSTROUTING.',
    '送信元アドレスを、出ていくインターフェースのアドレスに接続ごとに変換します。DHCP や PPP のような変わるアドレス向けです。nat テーブルの POSTROUTING でのみ使えます。',
  ),
  options: [toPorts, random, randomFully],
  save: natSave('MASQUERADE', 'to-ports', true, false),
};

export const redirectTarget: ModuleDef = {
  name: 'REDIRECT', kind: 'target', tables: ['nat'], chains: ['PREROUTING', 'OUTPUT'],
  doc: loc(
    'Sends the packet to this host itself (the address of the incoming interface, or localhost for local traffic), optionally to another port. Only in nat PREROUTING and OUTPUT.',
    'パケットをこのホスト自身（受信インターフェースのアドレス、ローカル発なら localhost）に向け直します。別のポートにも変えられます。nat テーブルの PREROUTING と OUTPUT でのみ使えます。',
  ),
  options: [toPorts, random],
  validate: (m) => ((last(m, 'to-ports')?.value as NatRange | undefined)?.base !== undefined
    ? [loc('REDIRECT does not support a shifted port map (`first-last/base`)', 'REDIRECT ではずらしたポート対応（`開始-終了/基準`）は使えません')]
    : []),
  save: natSave('REDIRECT', 'to-ports', true, false),
};

export const netmapTarget: ModuleDef = {
  name: 'NETMAP', kind: 'target', tables: ['nat'],
  doc: loc(
    'Maps a whole network onto another one of the same size: the network bits come from --to, the host bits stay. Only in the nat table (source mapping in POSTROUTING/INPUT, destination mapping in PREROUTING/OUTPUT).',
    'ネットワーク全体を同じ大きさの別のネットワークに対応させます。ネットワーク部は --to から、ホスト部は元のままです。nat テーブル専用です（POSTROUTING/INPUT では送信元、PREROUTING/OUTPUT では宛先を変換）。',
  ),
  options: [{
    name: 'to', args: 1, argName: 'address[/mask]',
    doc: loc('The network to map to, as `address/prefix` (or a dotted IPv4 mask).', '変換先のネットワーク。`アドレス/プレフィックス長`（IPv4 はドット表記のマスクも可）で指定します。'),
    parse: (args, ctx) => parseHostMask(args[0], ctx.family, 'to'),
  }],
  validate: (m) => (has(m, 'to') ? [] : [mustGive('NETMAP', 'to')]),
  save: (m) => {
    const v = last(m, 'to')?.value as HostMask | undefined;
    return v ? ['-j', 'NETMAP', '--to', `${formatHost(v.host)}/${v.prefix}`] : ['-j', 'NETMAP'];
  },
};

// ---------------------------------------------------------------------------------------------
// DNPT / SNPT (RFC 6296)

function nptValidate(target: string) {
  return (m: ParsedModule) => {
    const out = [];
    for (const name of ['src-pfx', 'dst-pfx']) {
      const o = last(m, name);
      if (!o) { out.push(mustGive(target, name)); continue; }
      const v = o.value as HostMask | undefined;
      if (!v || !('bytes' in v.host)) continue;
      // The kernel refuses prefixes longer than /64 and addresses with bits set after the prefix.
      const masked = maskBytes(v.host.bytes, v.prefix);
      if (v.prefix > 64) {
        out.push(loc(`${target}: --${name} must be /64 or shorter (the kernel refuses /${v.prefix})`, `${target}: --${name} は /64 以下にします（カーネルは /${v.prefix} を拒否します）`));
      } else if (masked.some((b, i) => b !== (v.host as { bytes: number[] }).bytes[i])) {
        out.push(loc(`${target}: --${name} has bits set after the prefix length (write ${formatIP(masked)}/${v.prefix})`, `${target}: --${name} はプレフィックス長より後ろのビットが立っています（${formatIP(masked)}/${v.prefix} と書きます）`));
      }
    }
    return out;
  };
}

function nptSave(target: string) {
  return (m: ParsedModule): string[] => {
    const words = ['-j', target];
    for (const name of ['src-pfx', 'dst-pfx']) {
      const v = last(m, name)?.value as HostMask | undefined;
      // A zero-length prefix is not printed.
      if (v && v.prefix !== 0) words.push(`--${name}`, `${formatHost(v.host)}/${v.prefix}`);
    }
    return words;
  };
}

/** Like NETMAP's --to, but the address is kept as written: the kernel checks its host bits. */
function nptParse(name: string) {
  return (args: string[], ctx: OptionContext): ValueResult<HostMask> => {
    const r = parseHostMask(args[0], ctx.family, name);
    if (!r.ok || !('bytes' in r.value.host)) return r;
    const slash = args[0].indexOf('/');
    const raw = inetPton6(slash < 0 ? args[0] : args[0].slice(0, slash));
    return ok({ host: { bytes: raw ?? r.value.host.bytes }, prefix: r.value.prefix });
  };
}

const nptOptions = (): OptionDef[] => [
  { name: 'src-pfx', args: 1, argName: 'prefix/length', parse: nptParse('src-pfx'), doc: loc('The prefix to translate from, `prefix/length` (at most /64).', '変換元のプレフィックス。`プレフィックス/長さ`（/64 以下）。') },
  { name: 'dst-pfx', args: 1, argName: 'prefix/length', parse: nptParse('dst-pfx'), doc: loc('The prefix to translate to, `prefix/length` (at most /64).', '変換先のプレフィックス。`プレフィックス/長さ`（/64 以下）。') },
];

export const dnptTarget: ModuleDef = {
  name: 'DNPT', kind: 'target', family: 6, tables: ['mangle'], chains: ['PREROUTING', 'OUTPUT'],
  doc: loc(
    'Stateless IPv6 destination prefix translation (RFC 6296), undone by SNPT on the way back. In the mangle table, PREROUTING and OUTPUT; combine with NOTRACK/CT --notrack.',
    'ステートレスな IPv6 宛先プレフィックス変換（RFC 6296）。戻りは SNPT で元に戻します。mangle テーブルの PREROUTING と OUTPUT で使い、NOTRACK（CT --notrack）と組み合わせます。',
  ),
  options: nptOptions(),
  validate: nptValidate('DNPT'),
  save: nptSave('DNPT'),
};

export const snptTarget: ModuleDef = {
  name: 'SNPT', kind: 'target', family: 6, tables: ['mangle'], chains: ['INPUT', 'POSTROUTING'],
  doc: loc(
    'Stateless IPv6 source prefix translation (RFC 6296), undone by DNPT on the way back. In the mangle table, POSTROUTING and INPUT; combine with NOTRACK/CT --notrack.',
    'ステートレスな IPv6 送信元プレフィックス変換（RFC 6296）。戻りは DNPT で元に戻します。mangle テーブルの POSTROUTING と INPUT で使い、NOTRACK（CT --notrack）と組み合わせます。',
  ),
  options: nptOptions(),
  validate: nptValidate('SNPT'),
  save: nptSave('SNPT'),
};

export const NAT_TARGETS = [dnatTarget, snatTarget, masqueradeTarget, redirectTarget, netmapTarget, dnptTarget, snptTarget];
