// Targets that rewrite header fields: TOS, DSCP, ECN, TTL, HL, TCPMSS, TCPOPTSTRIP, CHECKSUM.
import { loc, type Family, type Localized, type ParsedModule } from '../../syntax/ast';
import type { ModuleDef, OptionContext } from '../types';
import { fail, ok } from '../values';
import {
  exclusive, flagOption, has, hex, IPPROTO, isHookChain, last, protocolUnknown, ruleHasProtocol, uintOption, xtStrtoul,
} from './target-values';

const needTcp = (target: string): Localized => loc(`${target} needs -p tcp (not negated): the kernel refuses it otherwise`, `${target} には -p tcp（否定なし）が必要です。ないとカーネルが拒否します`);
const tcpOnly = (target: string) => (ctx: OptionContext): Localized[] => (protocolUnknown(ctx) || ruleHasProtocol(ctx, [IPPROTO.tcp]) ? [] : [needTcp(target)]);

// ---------------------------------------------------------------------------------------------
// TOS

const TOS_NAMES: [string, number][] = [
  ['Minimize-Delay', 0x10], ['Maximize-Throughput', 0x08], ['Maximize-Reliability', 0x04], ['Minimize-Cost', 0x02], ['Normal-Service', 0x00],
];

export interface TosValue { value: number; mask: number }

/** `value[/mask]` (8-bit numbers, mask 0xff when absent) or a symbolic name (mask 0x3f). */
export function parseTos(text: string): TosValue | undefined {
  const v = xtStrtoul(text, 0, 255, false);
  if (v) {
    let mask = 0xff, rest = v.rest;
    if (rest.startsWith('/')) {
      const m = xtStrtoul(rest.slice(1), 0, 255, false);
      if (!m) return undefined;
      mask = m.value; rest = m.rest;
    }
    return rest === '' ? { value: v.value, mask } : undefined;
  }
  const named = TOS_NAMES.find(([n]) => n.toLowerCase() === text.toLowerCase());
  return named ? { value: named[1], mask: 0x3f } : undefined;
}

const TOS_OPS = ['set-tos', 'and-tos', 'or-tos', 'xor-tos'];

export const tosTarget: ModuleDef = {
  name: 'TOS', kind: 'target', tables: ['mangle'],
  doc: loc(
    'Changes the IPv4 Type of Service byte (or the IPv6 traffic class). It shares bits with DSCP and ECN. Only in the mangle table.',
    'IPv4 の TOS バイト（IPv6 ではトラフィッククラス）を書き換えます。DSCP や ECN と同じビットを使います。mangle テーブル専用です。',
  ),
  options: [
    {
      name: 'set-tos', args: 1, argName: 'value[/mask] | name', values: TOS_NAMES.map(([n]) => n),
      doc: loc('Clears the bits of mask (0xff by default) and XORs value in; or a name such as Minimize-Delay (which uses mask 0x3f).', 'マスク（既定 0xff）のビットを 0 にして値を XOR します。Minimize-Delay などの名前も使えます（そのときのマスクは 0x3f）。'),
      parse: (args) => {
        const v = parseTos(args[0]);
        return v ? ok(v) : fail(`--set-tos needs value[/mask] (0-255) or one of ${TOS_NAMES.map(([n]) => n).join(', ')}, not "${args[0]}"`, `--set-tos には 値[/マスク]（0〜255）か ${TOS_NAMES.map(([n]) => n).join(', ')} のどれかを指定します（"${args[0]}" は不可）`);
      },
    },
    uintOption('and-tos', 0, 255, loc('ANDs the TOS byte with bits.', 'TOS バイトとビットの AND をとります。'), { argName: 'bits' }),
    uintOption('or-tos', 0, 255, loc('ORs bits into the TOS byte.', 'TOS バイトにビットを OR します。'), { argName: 'bits' }),
    uintOption('xor-tos', 0, 255, loc('XORs bits into the TOS byte.', 'TOS バイトにビットを XOR します。'), { argName: 'bits' }),
  ],
  validate: (m) => {
    if (!TOS_OPS.some((n) => has(m, n))) return [loc('TOS needs one of --set-tos, --and-tos, --or-tos, --xor-tos', 'TOS には --set-tos, --and-tos, --or-tos, --xor-tos のどれかが必要です')];
    return exclusive(m, 'TOS', TOS_OPS);
  },
  save: (m) => {
    const o = m.options.find((p) => TOS_OPS.includes(p.name));
    if (!o) return ['-j', 'TOS'];
    const b = o.value as number;
    const v: TosValue = o.name === 'set-tos' ? (o.value as TosValue)
      : o.name === 'and-tos' ? { value: 0, mask: ~b & 0xff } : o.name === 'or-tos' ? { value: b, mask: b } : { value: b, mask: 0 };
    return ['-j', 'TOS', '--set-tos', `${hex(v.value, 2)}/${hex(v.mask, 2)}`];
  },
};

// ---------------------------------------------------------------------------------------------
// DSCP

/** DiffServ class names; a class is recognised when the text starts with its name (any case). */
const DSCP_CLASSES: [string, number][] = [
  ['CS0', 0x00], ['CS1', 0x08], ['CS2', 0x10], ['CS3', 0x18], ['CS4', 0x20], ['CS5', 0x28], ['CS6', 0x30], ['CS7', 0x38], ['BE', 0x00],
  ['AF11', 0x0a], ['AF12', 0x0c], ['AF13', 0x0e], ['AF21', 0x12], ['AF22', 0x14], ['AF23', 0x16], ['AF31', 0x1a], ['AF32', 0x1c], ['AF33', 0x1e],
  ['AF41', 0x22], ['AF42', 0x24], ['AF43', 0x26], ['EF', 0x2e],
];

export const dscpClass = (text: string) => DSCP_CLASSES.find(([n]) => text.toUpperCase().startsWith(n))?.[1];

export const dscpTarget: ModuleDef = {
  name: 'DSCP', kind: 'target', tables: ['mangle'],
  doc: loc('Sets the DSCP field (the upper six bits of TOS / traffic class) for QoS. Only in the mangle table.', 'QoS 用に DSCP フィールド（TOS / トラフィッククラスの上位 6 ビット）を設定します。mangle テーブル専用です。'),
  options: [
    uintOption('set-dscp', 0, 63, loc('DSCP value 0-63 (decimal or 0x hex).', 'DSCP の値 0〜63（10 進数か 0x 付きの 16 進数）。'), { argName: 'value' }),
    {
      name: 'set-dscp-class', args: 1, argName: 'class', values: DSCP_CLASSES.map(([n]) => n),
      doc: loc('A DiffServ class name: EF, BE, CS0-CS7, AF11-AF43.', 'DiffServ のクラス名: EF, BE, CS0〜CS7, AF11〜AF43。'),
      parse: (args) => {
        const v = dscpClass(args[0]);
        return v === undefined ? fail(`unknown DSCP class "${args[0]}" (EF, BE, CS0-CS7, AF11-AF43)`, `不明な DSCP クラス "${args[0]}" です（EF, BE, CS0〜CS7, AF11〜AF43）`) : ok(v);
      },
    },
  ],
  validate: (m) => {
    if (!has(m, 'set-dscp') && !has(m, 'set-dscp-class')) return [loc('DSCP needs --set-dscp or --set-dscp-class', 'DSCP には --set-dscp か --set-dscp-class が必要です')];
    return exclusive(m, 'DSCP', ['set-dscp', 'set-dscp-class']);
  },
  save: (m) => {
    const o = last(m, 'set-dscp') ?? last(m, 'set-dscp-class');
    return o ? ['-j', 'DSCP', '--set-dscp', hex(o.value as number, 2)] : ['-j', 'DSCP'];
  },
};

// ---------------------------------------------------------------------------------------------
// ECN (IPv4)

export const ecnTarget: ModuleDef = {
  name: 'ECN', kind: 'target', family: 4, tables: ['mangle'],
  doc: loc('Clears or sets ECN bits, to work around ECN black holes on the path. Only in the mangle table; the TCP options need -p tcp.', '経路上の ECN ブラックホールを避けるため、ECN のビットを消したり設定したりします。mangle テーブル専用で、TCP のオプションには -p tcp が必要です。'),
  options: [
    flagOption('ecn-tcp-remove', loc('Removes the ECN bits (ECE and CWR) from the TCP header.', 'TCP ヘッダから ECN のビット（ECE と CWR）を取り除きます。')),
    uintOption('ecn-tcp-cwr', 0, 1, loc('Sets the TCP CWR bit to 0 or 1.', 'TCP の CWR ビットを 0 か 1 にします。'), { values: ['0', '1'] }),
    uintOption('ecn-tcp-ece', 0, 1, loc('Sets the TCP ECE bit to 0 or 1.', 'TCP の ECE ビットを 0 か 1 にします。'), { values: ['0', '1'] }),
    uintOption('ecn-ip-ect', 0, 3, loc('Sets the ECN field of the IP header to 0-3.', 'IP ヘッダの ECN フィールドを 0〜3 にします。'), { values: ['0', '1', '2', '3'] }),
  ],
  validate: (m, ctx) => {
    const ops = ['ecn-tcp-remove', 'ecn-tcp-cwr', 'ecn-tcp-ece', 'ecn-ip-ect'];
    if (!ops.some((n) => has(m, n))) return [loc('ECN needs an operation: --ecn-tcp-remove, --ecn-tcp-cwr, --ecn-tcp-ece or --ecn-ip-ect', 'ECN には操作（--ecn-tcp-remove, --ecn-tcp-cwr, --ecn-tcp-ece, --ecn-ip-ect）が必要です')];
    const out = [...exclusive(m, 'ECN', ['ecn-tcp-remove', 'ecn-tcp-cwr']), ...exclusive(m, 'ECN', ['ecn-tcp-remove', 'ecn-tcp-ece'])].slice(0, 1);
    if (ops.slice(0, 3).some((n) => has(m, n))) out.push(...tcpOnly('ECN with TCP bits')(ctx));
    return out;
  },
  save: (m) => {
    const remove = has(m, 'ecn-tcp-remove');
    const ece = remove ? 0 : last(m, 'ecn-tcp-ece')?.value as number | undefined;
    const cwr = remove ? 0 : last(m, 'ecn-tcp-cwr')?.value as number | undefined;
    const ect = last(m, 'ecn-ip-ect')?.value as number | undefined;
    if (ece === 0 && cwr === 0 && ect === undefined) return ['-j', 'ECN', '--ecn-tcp-remove'];
    const w = ['-j', 'ECN'];
    if (ece !== undefined) w.push('--ecn-tcp-ece', String(ece));
    if (cwr !== undefined) w.push('--ecn-tcp-cwr', String(cwr));
    if (ect !== undefined) w.push('--ecn-ip-ect', String(ect));
    return w;
  },
};

// ---------------------------------------------------------------------------------------------
// TTL (IPv4) and HL (IPv6)

function hopTarget(name: 'TTL' | 'HL', family: Family): ModuleDef {
  const p = name.toLowerCase();
  const field = name === 'TTL' ? 'TTL' : 'Hop Limit';
  const fieldJa = name === 'TTL' ? 'TTL' : 'ホップ制限（Hop Limit）';
  const ops = [`${p}-set`, `${p}-dec`, `${p}-inc`];
  return {
    name, kind: 'target', family, tables: ['mangle'],
    doc: loc(`Changes the ${family === 4 ? 'IPv4 TTL' : 'IPv6 Hop Limit'} field. Only in the mangle table; never raise it on packets leaving your network.`,
      `${family === 4 ? 'IPv4 の TTL' : 'IPv6 のホップ制限（Hop Limit）'}フィールドを書き換えます。mangle テーブル専用です。ネットワークの外へ出るパケットでは増やさないでください。`),
    options: [
      uintOption(`${p}-set`, 0, 255, loc(`Sets the ${field} to this value (0-255).`, `${fieldJa}をこの値（0〜255）にします。`), { argName: 'value' }),
      uintOption(`${p}-dec`, 1, 255, loc(`Decreases the ${field} by this amount (1-255).`, `${fieldJa}をこの数（1〜255）だけ減らします。`), { argName: 'value' }),
      uintOption(`${p}-inc`, 1, 255, loc(`Increases the ${field} by this amount (1-255).`, `${fieldJa}をこの数（1〜255）だけ増やします。`), { argName: 'value' }),
    ],
    validate: (m) => {
      if (!ops.some((n) => has(m, n))) return [loc(`${name} needs one of ${ops.map((o) => `--${o}`).join(', ')}`, `${name} には ${ops.map((o) => `--${o}`).join(', ')} のどれかが必要です`)];
      return exclusive(m, name, ops);
    },
    save: (m) => {
      const o = m.options.find((x) => ops.includes(x.name));
      return o ? ['-j', name, `--${o.name}`, String(o.value)] : ['-j', name];
    },
  };
}

export const ttlTarget = hopTarget('TTL', 4);
export const hlTarget = hopTarget('HL', 6);

// ---------------------------------------------------------------------------------------------
// TCPMSS

export const tcpmssTarget: ModuleDef = {
  name: 'TCPMSS', kind: 'target',
  doc: loc(
    'Rewrites the MSS option of TCP SYN packets, to work around paths that drop the ICMP "fragmentation needed" messages (PPPoE, VPN). Needs -p tcp; usually with --tcp-flags SYN,RST SYN.',
    'TCP の SYN パケットの MSS オプションを書き換えます。ICMP の「フラグメント必要」メッセージが届かない経路（PPPoE や VPN）への対策です。-p tcp が必要で、普通は --tcp-flags SYN,RST SYN と組み合わせます。',
  ),
  options: [
    {
      name: 'set-mss', args: 1, argName: 'value',
      doc: loc('Sets the MSS to this value (it is never raised above the value the packet carries).', 'MSS をこの値にします（パケットの値より大きくはしません）。'),
      parse: (args, ctx) => {
        const max = ctx.family === 4 ? 65515 : 65495;
        const n = xtStrtoul(args[0], 0, max)?.value;
        return n === undefined ? fail(`--set-mss needs a number from 0 to ${max}, not "${args[0]}"`, `--set-mss には 0 から ${max} までの数値を指定します（"${args[0]}" は不可）`) : ok(n);
      },
    },
    flagOption('clamp-mss-to-pmtu', loc('Sets the MSS to the path MTU minus the IP and TCP headers (40 bytes for IPv4, 60 for IPv6). Only in FORWARD, OUTPUT and POSTROUTING.', 'MSS を経路 MTU から IP と TCP のヘッダ分（IPv4 は 40、IPv6 は 60 バイト）を引いた値にします。FORWARD・OUTPUT・POSTROUTING でのみ使えます。')),
  ],
  validate: (m, ctx) => {
    const o = [...m.options].reverse().find((x) => x.name === 'set-mss' || x.name === 'clamp-mss-to-pmtu');
    if (!o) return [loc('TCPMSS needs --set-mss or --clamp-mss-to-pmtu', 'TCPMSS には --set-mss か --clamp-mss-to-pmtu が必要です')];
    const out = tcpOnly('TCPMSS')(ctx);
    if (o.name === 'clamp-mss-to-pmtu' && isHookChain(ctx.cmd.chain) && !['FORWARD', 'OUTPUT', 'POSTROUTING'].includes(ctx.cmd.chain!)) {
      out.push(loc(`--clamp-mss-to-pmtu works only in FORWARD, OUTPUT and POSTROUTING, not in ${ctx.cmd.chain}`, `--clamp-mss-to-pmtu は FORWARD・OUTPUT・POSTROUTING でのみ使えます（${ctx.cmd.chain} では使えません）`));
    }
    return out;
  },
  save: (m) => {
    // The last of the two options wins.
    const o = [...m.options].reverse().find((x) => x.name === 'set-mss' || x.name === 'clamp-mss-to-pmtu');
    if (!o) return ['-j', 'TCPMSS'];
    return o.name === 'set-mss' ? ['-j', 'TCPMSS', '--set-mss', String(o.value)] : ['-j', 'TCPMSS', '--clamp-mss-to-pmtu'];
  },
};

// ---------------------------------------------------------------------------------------------
// TCPOPTSTRIP

const TCP_OPTION_NAMES: [string, number][] = [['wscale', 3], ['mss', 2], ['sack-permitted', 4], ['sack', 5], ['timestamp', 8], ['md5', 19]];

export const tcpoptstripTarget: ModuleDef = {
  name: 'TCPOPTSTRIP', kind: 'target', tables: ['mangle'],
  doc: loc('Removes TCP options from TCP packets (they are replaced by NOPs). Needs -p tcp; only in the mangle table.', 'TCP パケットから TCP オプションを取り除きます（NOP に置き換えます）。-p tcp が必要で、mangle テーブル専用です。'),
  options: [{
    name: 'strip-options', args: 1, argName: 'option[,option...]', values: TCP_OPTION_NAMES.map(([n]) => n),
    doc: loc('Options to strip, by number (2-255) or name: mss, wscale, sack-permitted, sack, timestamp, md5.', '取り除くオプション。番号（2〜255）か名前（mss, wscale, sack-permitted, sack, timestamp, md5）で指定します。'),
    parse: (args) => {
      const seen = new Set<number>();
      for (const word of args[0].split(',')) {
        const n = TCP_OPTION_NAMES.find(([name]) => name === word)?.[1] ?? xtStrtoul(word, 2, 255)?.value;
        if (n === undefined) return fail(`bad TCP option "${word}" (2-255 or mss, wscale, sack-permitted, sack, timestamp, md5)`, `TCP オプション "${word}" が不正です（2〜255 または mss, wscale, sack-permitted, sack, timestamp, md5）`);
        if (seen.has(n)) return fail(`TCP option "${word}" is listed twice`, `TCP オプション "${word}" が 2 回書かれています`);
        seen.add(n);
      }
      return ok([...seen].sort((a, b) => a - b));
    },
  }],
  validate: (_m, ctx) => tcpOnly('TCPOPTSTRIP')(ctx),
  save: (m) => {
    const v = last(m, 'strip-options')?.value as number[] | undefined;
    return v ? ['-j', 'TCPOPTSTRIP', '--strip-options', v.join(',')] : ['-j', 'TCPOPTSTRIP'];
  },
};

// ---------------------------------------------------------------------------------------------

export const checksumTarget: ModuleDef = {
  name: 'CHECKSUM', kind: 'target', tables: ['mangle'],
  doc: loc('Fills in a missing checksum (e.g. of DHCP replies from a host with checksum offload) for old clients that check it. Only in the mangle table.', 'チェックサムが未計算のパケット（チェックサムオフロードしたホストの DHCP 応答など）に値を入れ、古いクライアントの問題を避けます。mangle テーブル専用です。'),
  options: [flagOption('checksum-fill', loc('Computes and fills in the checksum (required).', 'チェックサムを計算して書き込みます（必須）。'))],
  validate: (m: ParsedModule) => (has(m, 'checksum-fill') ? [] : [loc('CHECKSUM needs --checksum-fill', 'CHECKSUM には --checksum-fill が必要です')]),
  save: (m) => ['-j', 'CHECKSUM', ...(has(m, 'checksum-fill') ? ['--checksum-fill'] : [])],
};

export const HEADER_TARGETS = [tosTarget, dscpTarget, ecnTarget, ttlTarget, hlTarget, tcpmssTarget, tcpoptstripTarget, checksumTarget];

