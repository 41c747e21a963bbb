// Connection tracking: the conntrack match (libxt_conntrack, revision 3), its old subset `state`
// and the helper match. Print order and formats were checked against iptables 1.8.9.
import { loc } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf, quoteSaveString } from '../save-helpers';
import { parseProtocol } from '../protocols';
import {
  CTSTATE_STATES, CT_STATUSES, STATE_MATCH_STATES, formatStates, formatStatuses, parseCtStates, parseCtStatuses, parseStateMatchStates,
} from '../conntrack-states';
import {
  formatHostMask, formatPortRangeLoose, parseHostMask, parsePortRangeLoose, parseUintRange, truncateBytes,
  type HostMask, type PortRangeValue,
} from './xt-values';

const addressOption = (name: string, en: string, ja: string): OptionDef => ({
  name, args: 1, negatable: true, argName: 'address[/mask]',
  parse: (args, ctx) => parseHostMask(args[0], ctx.family, `--${name}`),
  doc: loc(en, ja),
});

const portOption = (name: string, en: string, ja: string): OptionDef => ({
  name, args: 1, negatable: true, argName: 'port[:port]',
  parse: (args) => parsePortRangeLoose(args[0]),
  doc: loc(en, ja),
});

/** Options in the order iptables-save prints them. */
const ADDRESSES = ['ctorigsrc', 'ctorigdst', 'ctreplsrc', 'ctrepldst'];
const PORTS = ['ctorigsrcport', 'ctorigdstport', 'ctreplsrcport', 'ctrepldstport'];

export const conntrackMatch: ModuleDef = {
  name: 'conntrack',
  kind: 'match',
  doc: loc(
    'Matches on the connection-tracking entry of the packet: its state (NEW, ESTABLISHED...), original and reply addresses, status, remaining lifetime and direction. The modern replacement for `-m state`.',
    'パケットのコネクショントラッキング情報（状態 NEW・ESTABLISHED など、元方向と応答方向のアドレス、ステータス、残り寿命、方向）で判定します。`-m state` の後継です。',
  ),
  options: [
    {
      name: 'ctstate', args: 1, negatable: true, argName: 'state[,state...]', values: [...CTSTATE_STATES, 'ESTABLISHED,RELATED', 'NEW,ESTABLISHED,RELATED'],
      parse: (args) => parseCtStates(args[0]),
      doc: loc('Comma-separated connection states: INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED, SNAT, DNAT (names may be abbreviated, any case).',
        'カンマ区切りの接続状態: INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED, SNAT, DNAT（大文字小文字は問わず、省略形も可）。'),
    },
    {
      name: 'ctproto', args: 1, negatable: true, argName: 'protocol', values: ['tcp', 'udp', 'icmp', 'sctp'],
      parse: (args, ctx) => {
        const p = parseProtocol(args[0], ctx.family);
        return p.ok ? ok(p.value.number) : p;
      },
      doc: loc('Layer-4 protocol of the connection, by name or number (iptables-save prints the number).', '接続のレイヤー 4 プロトコル（名前または番号。iptables-save は番号で出力します）。'),
    },
    addressOption('ctorigsrc', 'Source address of the original direction (before NAT), with an optional mask.', '元方向（NAT 前）の送信元アドレス。マスクも指定できます。'),
    addressOption('ctorigdst', 'Destination address of the original direction (before DNAT), with an optional mask.', '元方向（DNAT 前）の宛先アドレス。マスクも指定できます。'),
    addressOption('ctreplsrc', 'Source address of the reply direction (after DNAT, the real server), with an optional mask.', '応答方向の送信元アドレス（DNAT 後の実サーバー）。マスクも指定できます。'),
    addressOption('ctrepldst', 'Destination address of the reply direction (after SNAT), with an optional mask.', '応答方向の宛先アドレス（SNAT 後）。マスクも指定できます。'),
    portOption('ctorigsrcport', 'Source port (or range) of the original direction.', '元方向の送信元ポート（または範囲）。'),
    portOption('ctorigdstport', 'Destination port (or range) of the original direction.', '元方向の宛先ポート（または範囲）。'),
    portOption('ctreplsrcport', 'Source port (or range) of the reply direction.', '応答方向の送信元ポート（または範囲）。'),
    portOption('ctrepldstport', 'Destination port (or range) of the reply direction.', '応答方向の宛先ポート（または範囲）。'),
    {
      name: 'ctstatus', args: 1, negatable: true, argName: 'status[,status...]', values: CT_STATUSES.map((s) => s.name),
      parse: (args) => parseCtStatuses(args[0]),
      doc: loc('Comma-separated conntrack status flags: NONE, EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED.', 'カンマ区切りの conntrack ステータス: NONE, EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED。'),
    },
    {
      name: 'ctexpire', args: 1, negatable: true, argName: 'seconds[:seconds]',
      parse: (args) => parseUintRange(args[0], '--ctexpire'),
      doc: loc('Remaining lifetime of the conntrack entry in seconds, a value or an inclusive range.', 'conntrack エントリの残り寿命（秒）。値または範囲（両端を含む）。'),
    },
    {
      name: 'ctdir', args: 1, argName: 'ORIGINAL|REPLY', values: ['ORIGINAL', 'REPLY'],
      parse: (args) => {
        const v = args[0].toUpperCase();
        return v === 'ORIGINAL' || v === 'REPLY' ? ok(v) : fail(`--ctdir takes ORIGINAL or REPLY, not "${args[0]}"`, `--ctdir には ORIGINAL か REPLY を指定します（"${args[0]}" は不可）`);
      },
      doc: loc('Only packets flowing in this direction (original: from the initiator; reply: back to it). Without it both match.',
        'この方向に流れるパケットだけに一致します（ORIGINAL: 接続を開始した側から、REPLY: その応答）。省略すると両方向。'),
    },
  ],
  validate(m) {
    return m.options.length === 0 ? [loc('the conntrack match needs at least one option (such as --ctstate)', 'conntrack マッチには少なくとも 1 つのオプション（--ctstate など）が必要です')] : [];
  },
  save(m) {
    const words = ['-m', 'conntrack'];
    const o = (name: string) => optionOf(m, name);
    const st = o('ctstate');
    if (st) words.push(...bang(st), '--ctstate', formatStates(st.value as number));
    const pr = o('ctproto');
    if (pr) words.push(...bang(pr), '--ctproto', String(pr.value));
    for (const name of ADDRESSES) {
      const a = o(name);
      if (a) words.push(...bang(a), `--${name}`, formatHostMask(a.value as HostMask));
    }
    for (const name of PORTS) {
      const p = o(name);
      if (p) words.push(...bang(p), `--${name}`, formatPortRangeLoose(p.value as PortRangeValue));
    }
    const stat = o('ctstatus');
    if (stat) words.push(...bang(stat), '--ctstatus', formatStatuses(stat.value as number));
    const ex = o('ctexpire');
    if (ex) {
      const r = ex.value as { from: number; to: number };
      words.push(...bang(ex), '--ctexpire', r.from === r.to ? String(r.from) : `${r.from}:${r.to}`);
    }
    const dir = o('ctdir');
    if (dir) words.push('--ctdir', dir.value as string);
    return words;
  },
};

export const stateMatch: ModuleDef = {
  name: 'state',
  kind: 'match',
  deprecatedBy: 'conntrack',
  doc: loc(
    'Matches the connection-tracking state of the packet. Superseded by `-m conntrack --ctstate`, which does the same and more.',
    'パケットのコネクショントラッキング状態で判定します。同じことができて機能も多い `-m conntrack --ctstate` に置き換えられています。',
  ),
  options: [
    {
      name: 'state', args: 1, negatable: true, argName: 'state[,state...]', values: [...STATE_MATCH_STATES, 'ESTABLISHED,RELATED', 'NEW,ESTABLISHED,RELATED'],
      parse: (args) => parseStateMatchStates(args[0]),
      doc: loc('Comma-separated states: INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED (SNAT and DNAT need conntrack).',
        'カンマ区切りの状態: INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED（SNAT・DNAT は conntrack が必要）。'),
    },
  ],
  validate(m) {
    return optionOf(m, 'state') ? [] : [loc('the state match needs --state', 'state マッチには --state が必要です')];
  },
  save(m) {
    const st = optionOf(m, 'state')!;
    return ['-m', 'state', ...bang(st), '--state', formatStates(st.value as number)];
  },
};

/** xt_helper keeps the name in a 30-byte buffer. */
const HELPER_NAME_BYTES = 29;

export const helperMatch: ModuleDef = {
  name: 'helper',
  kind: 'match',
  doc: loc(
    'Matches packets of connections set up by a conntrack helper, such as the data channel of an FTP session.',
    'conntrack ヘルパーが用意した接続（FTP のデータ接続など）のパケットに一致します。',
  ),
  options: [
    {
      name: 'helper', args: 1, negatable: true, argName: 'name[-port]', values: ['ftp', 'sip', 'tftp', 'irc', 'h323', 'pptp', 'amanda', 'sane', 'snmp', 'netbios-ns'],
      parse: (args) => ok(truncateBytes(args[0], HELPER_NAME_BYTES)),
      doc: loc('Helper name, e.g. `ftp`; append `-PORT` for a helper on another port (`ftp-2121`).', 'ヘルパー名（例: `ftp`）。標準以外のポートのヘルパーは `-ポート` を付けます（`ftp-2121`）。'),
    },
  ],
  validate(m) {
    return optionOf(m, 'helper') ? [] : [loc('the helper match needs --helper', 'helper マッチには --helper が必要です')];
  },
  save(m) {
    const h = optionOf(m, 'helper')!;
    return ['-m', 'helper', ...bang(h), '--helper', quoteSaveString(h.value as string)];
  },
};

