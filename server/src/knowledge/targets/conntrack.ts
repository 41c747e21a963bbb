// Targets around connection tracking and packet steering: CT, NOTRACK, TRACE, SYNPROXY,
// TPROXY, TEE, NFQUEUE.
import { loc, type Localized, type ParsedModule } from '../../syntax/ast';
import type { ModuleDef, OptionDef, ValueResult } from '../types';
import { fail, ok } from '../values';
import { lookupService } from '../services';
import {
  exclusive, flagOption, formatHost, has, hex, IPPROTO, last, mustGive, needsAlso, parseHost, parseMarkMask, protocolUnknown,
  ruleHasProtocol, ruleProtocol, stringOption, uintOption, xtStrtoul, type HostValue, type MarkMask,
} from './target-values';

// ---------------------------------------------------------------------------------------------
// CT

const CT_EVENTS = ['new', 'related', 'destroy', 'reply', 'assured', 'protoinfo', 'helper', 'mark', 'natseqinfo', 'secmark'];
const EXP_EVENTS = ['new'];

function eventsOption(name: string, table: string[], doc: Localized): OptionDef {
  return {
    name, args: 1, argName: 'event[,event...]', values: table, doc,
    parse: (args) => {
      const set = new Set<string>();
      for (const e of args[0].split(',')) {
        if (!table.includes(e)) return fail(`unknown event "${e}" for --${name} (${table.join(', ')})`, `--${name} の不明なイベント "${e}" です（${table.join(', ')}）`);
        set.add(e);
      }
      return ok(table.filter((e) => set.has(e)));
    },
  };
}

/** A zone id 0-65535 or `mark` (the zone then comes from the packet mark). */
function zoneOption(name: string, doc: Localized): OptionDef {
  return {
    name, args: 1, argName: 'id|mark', values: ['mark'], doc,
    parse: (args): ValueResult<number | 'mark'> => {
      if (args[0].toLowerCase() === 'mark') return ok('mark');
      const n = xtStrtoul(args[0], 0, 65535)?.value;
      return n === undefined ? fail(`--${name} needs a zone number 0-65535 or "mark", not "${args[0]}"`, `--${name} にはゾーン番号 0〜65535 か "mark" を指定します（"${args[0]}" は不可）`) : ok(n);
    },
  };
}

/** Conntrack helpers built into Linux: the protocols and families they register for. */
const KERNEL_HELPERS: Record<string, { protocols: number[]; families: number[] }> = {
  ftp: { protocols: [IPPROTO.tcp], families: [4, 6] },
  tftp: { protocols: [IPPROTO.udp], families: [4, 6] },
  sip: { protocols: [IPPROTO.tcp, IPPROTO.udp], families: [4, 6] },
  amanda: { protocols: [IPPROTO.udp], families: [4, 6] },
  RAS: { protocols: [IPPROTO.udp], families: [4, 6] },
  'Q.931': { protocols: [IPPROTO.tcp], families: [4, 6] },
  sane: { protocols: [IPPROTO.tcp], families: [4, 6] },
  irc: { protocols: [IPPROTO.tcp], families: [4] },
  pptp: { protocols: [IPPROTO.tcp], families: [4] },
  snmp: { protocols: [IPPROTO.udp], families: [4] },
  snmp_trap: { protocols: [IPPROTO.udp], families: [4] },
  'netbios-ns': { protocols: [IPPROTO.udp], families: [4] },
};

/** libxt_CT keeps one zone id and direction flags that accumulate over the zone options. */
function ctZoneWords(m: ParsedModule): string[] {
  let zone = 0, orig = false, reply = false, mark = false;
  for (const o of m.options) {
    if (o.name !== 'zone' && o.name !== 'zone-orig' && o.name !== 'zone-reply') continue;
    if (o.name === 'zone-orig') orig = true;
    if (o.name === 'zone-reply') reply = true;
    if (o.value === 'mark') { mark = true; zone = 0; } else zone = o.value as number;
  }
  if (!mark && zone === 0) return [];
  const suffix = orig && !reply ? '-orig' : reply && !orig ? '-reply' : '';
  return [`--zone${suffix}`, mark ? 'mark' : String(zone)];
}

export const ctTarget: ModuleDef = {
  name: 'CT', kind: 'target', tables: ['raw'],
  doc: loc(
    'Sets connection-tracking parameters for the packet\'s connection before it is tracked: no tracking, a helper, a zone, events, a timeout policy. Only in the raw table.',
    '追跡が始まる前に、パケットの接続に接続追跡のパラメータ（追跡しない、ヘルパー、ゾーン、イベント、タイムアウト方針）を設定します。raw テーブル専用です。',
  ),
  options: [
    flagOption('notrack', loc('Does not track this connection at all (the packet gets state UNTRACKED).', 'この接続をまったく追跡しません（パケットの状態は UNTRACKED になります）。')),
    stringOption('helper', 16, loc('Attaches this conntrack helper (ftp, sip, tftp...) to the connection; needs -p.', 'この接続追跡ヘルパー（ftp, sip, tftp など）を接続に割り当てます。-p が必要です。'), { argName: 'name', values: ['ftp', 'tftp', 'sip', 'irc', 'pptp', 'snmp', 'snmp_trap', 'amanda', 'sane', 'netbios-ns', 'RAS', 'Q.931'] }),
    stringOption('timeout', 32, loc('Uses the timeout policy of this name (made with `nfct timeout add`).', 'この名前のタイムアウト方針（`nfct timeout add` で作成）を使います。'), { argName: 'name' }),
    eventsOption('ctevents', CT_EVENTS, loc('Only these conntrack events are generated for the connection.', 'この接続について、指定したイベントだけを生成します。')),
    eventsOption('expevents', EXP_EVENTS, loc('Only these expectation events are generated (only `new` exists).', '指定した期待（expectation）イベントだけを生成します（`new` のみ）。')),
    zoneOption('zone', loc('Puts the connection in this conntrack zone (both directions); `mark` takes the zone from the packet mark.', '接続をこの追跡ゾーンに入れます（両方向）。`mark` にするとパケットのマークからゾーンを決めます。')),
    zoneOption('zone-orig', loc('Like --zone, for the original direction only.', '--zone と同じですが、元の方向だけに適用します。')),
    zoneOption('zone-reply', loc('Like --zone, for the reply direction only.', '--zone と同じですが、応答方向だけに適用します。')),
  ],
  validate: (m, ctx) => {
    const helper = last(m, 'helper')?.value as string | undefined;
    if (!helper || has(m, 'notrack') || protocolUnknown(ctx)) return [];
    const p = ctx.cmd.generic.protocol;
    const proto = ruleProtocol(ctx);
    if (!p || p.negated || proto.number === 0) {
      return [loc('CT --helper needs a layer-4 protocol (-p tcp or -p udp, not negated): the kernel refuses it otherwise', 'CT --helper には L4 プロトコル（-p tcp や -p udp、否定なし）が必要です。ないとカーネルが拒否します')];
    }
    // The kernel looks the helper up by name, family and protocol; unknown names may come from nfct.
    const known = KERNEL_HELPERS[helper];
    if (known && (!known.protocols.includes(proto.number) || !known.families.includes(ctx.family))) {
      const protos = known.protocols.map((n) => (n === IPPROTO.tcp ? '-p tcp' : '-p udp')).join(' / ');
      return [loc(`the kernel's ${helper} helper exists for ${protos}${known.families.length === 1 ? ' in IPv4 only' : ''}: this rule is refused`, `カーネルの ${helper} ヘルパーは ${protos}${known.families.length === 1 ? '（IPv4 のみ）' : ''} 用です。このルールは拒否されます`)];
    }
    return [];
  },
  save: (m) => {
    const w = ['-j', 'CT'];
    if (has(m, 'notrack')) w.push('--notrack');
    const helper = last(m, 'helper')?.value as string | undefined;
    if (helper) w.push('--helper', helper);
    const timeout = last(m, 'timeout')?.value as string | undefined;
    if (timeout) w.push('--timeout', timeout);
    const ev = last(m, 'ctevents')?.value as string[] | undefined;
    if (ev?.length) w.push('--ctevents', ev.join(','));
    const exp = last(m, 'expevents')?.value as string[] | undefined;
    if (exp?.length) w.push('--expevents', exp.join(','));
    return [...w, ...ctZoneWords(m)];
  },
};

export const notrackTarget: ModuleDef = {
  name: 'NOTRACK', kind: 'target', tables: ['raw'],
  doc: loc('Exempts matching packets from connection tracking; the same as `-j CT --notrack`. Only in the raw table.', '一致したパケットを接続追跡の対象外にします。`-j CT --notrack` と同じです。raw テーブル専用です。'),
  options: [],
  // iptables 1.8.9 prints it back under its own name.
  save: () => ['-j', 'NOTRACK'],
};

export const traceTarget: ModuleDef = {
  name: 'TRACE', kind: 'target',
  doc: loc(
    'Marks packets so that every rule they traverse is reported: with iptables-nft watch it with `xtables-monitor --trace`. iptables-legacy accepts it only in the raw table and logs to the kernel log.',
    '一致したパケットに印を付け、通過するすべてのルールを報告させます。iptables-nft では `xtables-monitor --trace` で見ます。iptables-legacy では raw テーブルでのみ使え、カーネルログに出力します。',
  ),
  options: [],
  save: () => ['-j', 'TRACE'],
};

// ---------------------------------------------------------------------------------------------
// SYNPROXY

export const synproxyTarget: ModuleDef = {
  name: 'SYNPROXY', kind: 'target', chains: ['INPUT', 'FORWARD'],
  doc: loc(
    'Answers TCP SYNs with SYN cookies and opens the real connection only after the handshake completes (SYN flood protection). Needs -p tcp, INPUT or FORWARD, and untracked SYNs (CT --notrack in raw).',
    'TCP の SYN に SYN クッキーで応答し、ハンドシェイクが完了してから本当の接続を開きます（SYN フラッド対策）。-p tcp と INPUT または FORWARD、そして追跡しない SYN（raw で CT --notrack）が必要です。',
  ),
  options: [
    flagOption('sack-perm', loc('Passes the client\'s selective-ACK option on to the server.', 'クライアントの SACK オプションをサーバーへ引き継ぎます。')),
    flagOption('timestamp', loc('Passes the client\'s timestamp option on (also needed for SACK and window scaling).', 'クライアントのタイムスタンプオプションを引き継ぎます（SACK とウィンドウスケールにも必要）。')),
    uintOption('wscale', 0, 0xffffffff, loc('Window scale announced to clients; must match the server.', 'クライアントに通知するウィンドウスケール。サーバーと同じ値にします。'), { argName: 'value' }),
    uintOption('mss', 0, 0xffffffff, loc('MSS announced to clients; must match the server.', 'クライアントに通知する MSS。サーバーと同じ値にします。'), { argName: 'value' }),
    flagOption('ecn', loc('Passes ECN negotiation on to the server.', 'ECN のネゴシエーションをサーバーへ引き継ぎます。')),
  ],
  validate: (_m, ctx) => (protocolUnknown(ctx) || ruleHasProtocol(ctx, [IPPROTO.tcp]) ? [] : [loc('SYNPROXY needs -p tcp (not negated): the kernel refuses it otherwise', 'SYNPROXY には -p tcp（否定なし）が必要です。ないとカーネルが拒否します')]),
  save: (m) => {
    const w = ['-j', 'SYNPROXY'];
    if (has(m, 'sack-perm')) w.push('--sack-perm');
    if (has(m, 'timestamp')) w.push('--timestamp');
    // Stored in 8 and 16 bits: larger numbers wrap.
    const ws = last(m, 'wscale')?.value as number | undefined;
    if (ws !== undefined) w.push('--wscale', String(ws & 0xff));
    const mss = last(m, 'mss')?.value as number | undefined;
    if (mss !== undefined) w.push('--mss', String(mss & 0xffff));
    if (has(m, 'ecn')) w.push('--ecn');
    return w;
  },
};

// ---------------------------------------------------------------------------------------------
// TPROXY

/** A port resolved by getaddrinfo: a decimal number (kept to 16 bits) or a service name. */
export function parseServicePort(text: string): number | undefined {
  if (/^\s*\+?[0-9]+$/.test(text)) return Number(BigInt(text.trim()) & 0xffffn);
  return lookupService(text, 'tcp') ?? lookupService(text, 'udp');
}

export const tproxyTarget: ModuleDef = {
  name: 'TPROXY', kind: 'target', tables: ['mangle'], chains: ['PREROUTING'],
  doc: loc(
    'Hands the packet to a local socket (transparent proxy) without changing its addresses, optionally marking it for policy routing. Needs -p tcp or -p udp; only in mangle PREROUTING.',
    'アドレスを変えずにパケットをローカルのソケットに渡します（透過プロキシ）。ポリシールーティング用のマークも付けられます。-p tcp か -p udp が必要で、mangle テーブルの PREROUTING でのみ使えます。',
  ),
  options: [
    {
      name: 'on-port', args: 1, argName: 'port',
      doc: loc('Port of the local proxy socket (required); 0 keeps the original destination port.', 'ローカルのプロキシソケットのポート（必須）。0 なら元の宛先ポートのままです。'),
      parse: (args) => {
        const p = parseServicePort(args[0]);
        return p === undefined ? fail(`--on-port: "${args[0]}" is not a port number or service name`, `--on-port: "${args[0]}" はポート番号でもサービス名でもありません`) : ok(p);
      },
    },
    {
      name: 'on-ip', args: 1, argName: 'address',
      doc: loc('Address of the local proxy socket; by default the address of the incoming interface.', 'ローカルのプロキシソケットのアドレス。既定は受信インターフェースのアドレスです。'),
      parse: (args, ctx) => parseHost(args[0], ctx.family, 'on-ip'),
    },
    {
      name: 'tproxy-mark', args: 1, argName: 'value[/mask]',
      doc: loc('Packet mark to set, for the `ip rule fwmark` that delivers the packets locally.', 'パケットをローカルに届ける `ip rule fwmark` 用に付けるマーク。'),
      parse: (args) => parseMarkMask(args[0], 'tproxy-mark'),
    },
  ],
  validate: (m, ctx) => {
    const out: Localized[] = [];
    if (!has(m, 'on-port')) out.push(mustGive('TPROXY', 'on-port'));
    if (!protocolUnknown(ctx) && !ruleHasProtocol(ctx, [IPPROTO.tcp, IPPROTO.udp])) out.push(loc('TPROXY needs -p tcp or -p udp (not negated): the kernel refuses it otherwise', 'TPROXY には -p tcp か -p udp（否定なし）が必要です。ないとカーネルが拒否します'));
    return out;
  },
  save: (m, ctx) => {
    const port = (last(m, 'on-port')?.value as number | undefined) ?? 0;
    const ip = last(m, 'on-ip')?.value as HostValue | undefined;
    const mark = (last(m, 'tproxy-mark')?.value as MarkMask | undefined) ?? { value: 0, mask: 0 };
    return ['-j', 'TPROXY', '--on-port', String(port), '--on-ip', ip ? formatHost(ip) : ctx.family === 4 ? '0.0.0.0' : '::', '--tproxy-mark', `${hex(mark.value)}/${hex(mark.mask)}`];
  },
};

// ---------------------------------------------------------------------------------------------
// TEE

export const teeTarget: ModuleDef = {
  name: 'TEE', kind: 'target',
  doc: loc('Sends a copy of the packet to another host on the local network (the gateway); the original goes on unchanged.', 'パケットの複製をローカルネットワーク上の別のホスト（ゲートウェイ）へ送ります。元のパケットはそのまま進みます。'),
  options: [
    {
      name: 'gateway', args: 1, argName: 'address',
      doc: loc('The host that receives the copy (required; 0.0.0.0 and :: are refused).', '複製を受け取るホスト（必須。0.0.0.0 と :: は使えません）。'),
      parse: (args, ctx) => parseHost(args[0], ctx.family, 'gateway'),
    },
    stringOption('oif', 16, loc('Sends the copy out of this interface.', '複製をこのインターフェースから送ります。'), { argName: 'interface' }),
  ],
  validate: (m) => {
    const gw = last(m, 'gateway');
    if (!gw) return [mustGive('TEE', 'gateway')];
    const v = gw.value as HostValue | undefined;
    if (v && 'bytes' in v && v.bytes.every((b) => b === 0)) return [loc('TEE --gateway must not be the unspecified address (0.0.0.0 or ::)', 'TEE --gateway に未指定アドレス（0.0.0.0 や ::）は使えません')];
    return [];
  },
  save: (m) => {
    const w = ['-j', 'TEE'];
    const gw = last(m, 'gateway')?.value as HostValue | undefined;
    if (gw) w.push('--gateway', formatHost(gw));
    const oif = last(m, 'oif')?.value as string | undefined;
    if (oif) w.push('--oif', oif);
    return w;
  },
};

// ---------------------------------------------------------------------------------------------
// NFQUEUE

export const nfqueueTarget: ModuleDef = {
  name: 'NFQUEUE', kind: 'target',
  doc: loc(
    'Hands the packet to a userspace program through a numbered netfilter queue; the program decides its fate. Without a listener the packet is dropped unless --queue-bypass is given.',
    '番号付きの netfilter キューを通してパケットをユーザー空間のプログラムに渡し、その判定に任せます。待ち受けるプログラムがいないと、--queue-bypass がない限りパケットは破棄されます。',
  ),
  options: [
    uintOption('queue-num', 0, 65535, loc('Queue number 0-65535; 0 by default.', 'キュー番号（0〜65535）。既定は 0。')),
    {
      name: 'queue-balance', args: 1, argName: 'first:last',
      doc: loc('Spreads flows over the queues first to last (first must be below last).', 'フローをキュー first〜last に振り分けます（first は last より小さくします）。'),
      parse: (args) => {
        const t = args[0];
        const colon = t.indexOf(':');
        const a = colon < 0 ? undefined : colon === 0 ? 0 : xtStrtoul(t.slice(0, colon), 0, 65535)?.value;
        const b = colon < 0 ? undefined : colon === t.length - 1 ? 65535 : xtStrtoul(t.slice(colon + 1), 0, 65535)?.value;
        if (a === undefined || b === undefined) return fail(`--queue-balance needs first:last with queue numbers 0-65535, not "${t}"`, `--queue-balance にはキュー番号（0〜65535）で first:last を指定します（"${t}" は不可）`);
        if (a >= b) return fail(`--queue-balance ${t}: the first queue must be below the last`, `--queue-balance ${t}: 最初のキューは最後のキューより小さくします`);
        return ok([a, b]);
      },
    },
    flagOption('queue-bypass', loc('When no program listens on the queue, accept the packet (go on) instead of dropping it.', 'キューを待ち受けるプログラムがいないとき、破棄せずに通します。')),
    flagOption('queue-cpu-fanout', loc('With --queue-balance: picks the queue by CPU number instead of a flow hash.', '--queue-balance と組み合わせ、フローのハッシュではなく CPU 番号でキューを選びます。')),
  ],
  validate: (m) => {
    const out = exclusive(m, 'NFQUEUE', ['queue-num', 'queue-balance']);
    if (has(m, 'queue-cpu-fanout') && !has(m, 'queue-balance')) out.push(needsAlso('NFQUEUE', 'queue-cpu-fanout', 'queue-balance'));
    const bal = last(m, 'queue-balance')?.value as [number, number] | undefined;
    // The kernel counts the queues in 16 bits: 0:65535 (65536 queues) is refused.
    if (bal && bal[1] - bal[0] + 1 > 65535) out.push(loc('NFQUEUE: --queue-balance covers more than 65535 queues; the kernel refuses it', 'NFQUEUE: --queue-balance の範囲が 65535 個を超えるため、カーネルが拒否します'));
    return out;
  },
  save: (m) => {
    const bal = last(m, 'queue-balance')?.value as [number, number] | undefined;
    const w = bal ? ['-j', 'NFQUEUE', '--queue-balance', `${bal[0]}:${bal[1]}`] : ['-j', 'NFQUEUE', '--queue-num', String((last(m, 'queue-num')?.value as number | undefined) ?? 0)];
    if (has(m, 'queue-bypass')) w.push('--queue-bypass');
    if (has(m, 'queue-cpu-fanout')) w.push('--queue-cpu-fanout');
    return w;
  },
};

export const CONNTRACK_TARGETS = [ctTarget, notrackTarget, traceTarget, synproxyTarget, tproxyTarget, teeTarget, nfqueueTarget];
