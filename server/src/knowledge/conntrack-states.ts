// Connection-tracking states and statuses: the names `--ctstate`, `--state` and `--ctstatus`
// accept, how iptables reads a list of them and the order iptables-save prints them in.
import { loc, type Localized } from '../syntax/ast';
import type { ValueResult } from './types';
import { fail, ok } from './values';

export interface CtName {
  name: string;
  /** Bit in our state (or status) mask; the order of this list is iptables-save's order. */
  bit: number;
  /** `-m state --state` accepts it too (conntrack's virtual SNAT/DNAT states are not). */
  state?: boolean;
  doc: Localized;
}

/** States in the order iptables-save prints them. */
export const CT_STATES: readonly CtName[] = [
  {
    name: 'INVALID', bit: 1 << 0, state: true,
    doc: loc('The packet belongs to no known connection (or could not be tracked): usually safe to drop.',
      'どの既知の接続にも属さない（追跡できなかった）パケット。通常は破棄して問題ありません。'),
  },
  {
    name: 'NEW', bit: 1 << 1, state: true,
    doc: loc('The packet starts a new connection, or belongs to one that has not yet seen traffic in both directions.',
      '新しい接続を開始するパケット、またはまだ双方向の通信がない接続に属するパケット。'),
  },
  {
    name: 'RELATED', bit: 1 << 2, state: true,
    doc: loc('The packet starts a new connection tied to an existing one, such as an FTP data channel or an ICMP error.',
      '既存の接続に関連して始まる新しい接続のパケット（FTP のデータ接続や ICMP エラーなど）。'),
  },
  {
    name: 'ESTABLISHED', bit: 1 << 3, state: true,
    doc: loc('The packet belongs to a connection that has seen packets in both directions (replies and the rest of the flow).',
      '双方向にパケットが流れた接続に属するパケット（応答やその後の通信）。'),
  },
  {
    name: 'UNTRACKED', bit: 1 << 4, state: true,
    doc: loc('The packet is not tracked at all, because a raw-table rule (`-j CT --notrack` or NOTRACK) exempted it.',
      'raw テーブルのルール（`-j CT --notrack` や NOTRACK）で追跡対象外にされたパケット。'),
  },
  {
    name: 'SNAT', bit: 1 << 5,
    doc: loc('Virtual state: the original source address differs from the reply destination (the connection is source-NATed).',
      '仮想的な状態: 元の送信元アドレスが応答の宛先と異なる（送信元 NAT された接続）。'),
  },
  {
    name: 'DNAT', bit: 1 << 6,
    doc: loc('Virtual state: the original destination differs from the reply source (the connection is destination-NATed).',
      '仮想的な状態: 元の宛先が応答の送信元と異なる（宛先 NAT された接続）。'),
  },
];

/** Statuses for `--ctstatus`, in the order iptables-save prints them (NONE alone means none set). */
export const CT_STATUSES: readonly CtName[] = [
  { name: 'NONE', bit: 0, doc: loc('None of the status flags below is set.', '以下のどのステータスも立っていない。') },
  { name: 'EXPECTED', bit: 1 << 0, doc: loc('The connection was expected: a conntrack helper (FTP, SIP...) set it up in advance.', '予期された接続: conntrack ヘルパー（FTP、SIP など）が事前に用意したもの。') },
  { name: 'SEEN_REPLY', bit: 1 << 1, doc: loc('Conntrack has seen packets in both directions.', '双方向のパケットを conntrack が確認済み。') },
  { name: 'ASSURED', bit: 1 << 2, doc: loc('The entry is assured: it will not be dropped early when the table is full.', '確立済みとみなされ、テーブルが満杯でも早期に削除されないエントリ。') },
  { name: 'CONFIRMED', bit: 1 << 3, doc: loc('The connection is confirmed: its first packet has left the box.', '確定済みの接続: 最初のパケットがこのホストを出た。') },
];

export const STATE_MATCH_STATES: readonly string[] = CT_STATES.filter((s) => s.state).map((s) => s.name);
export const CTSTATE_STATES: readonly string[] = CT_STATES.map((s) => s.name);

/**
 * Reads a comma-separated list the way libxt_conntrack does: each item is compared without
 * case and may be abbreviated (`E` is ESTABLISHED), empty items and unknown names are refused.
 */
function parseList(text: string, names: readonly CtName[], option: string, kind: Localized): ValueResult<number> {
  let mask = 0;
  const items = text.split(',');
  for (const item of items) {
    if (item === '') {
      return fail(`--${option} needs a comma-separated list of ${kind.en} without spaces or empty items, e.g. ESTABLISHED,RELATED (got "${text}")`,
        `--${option} には空白や空の項目のない、カンマ区切りの${kind.ja}を指定します（例: ESTABLISHED,RELATED。"${text}" は不可）`);
    }
    const upper = item.toUpperCase();
    const found = names.find((n) => n.name.startsWith(upper));
    if (!found) {
      return fail(`unknown ${kind.en} "${item}" for --${option} (use ${names.map((n) => n.name).join(', ')})`,
        `--${option} の${kind.ja} "${item}" は不明です（${names.map((n) => n.name).join(', ')} が使えます）`);
    }
    mask |= found.bit;
  }
  return ok(mask);
}

const STATE_WORD = loc('state', '状態');
const STATUS_WORD = loc('status', 'ステータス');

/** `--ctstate` (conntrack): all seven states. */
export const parseCtStates = (text: string): ValueResult<number> => parseList(text, CT_STATES, 'ctstate', STATE_WORD);

/** `--state` (the state match): INVALID, NEW, RELATED, ESTABLISHED, UNTRACKED. */
export const parseStateMatchStates = (text: string): ValueResult<number> =>
  parseList(text, CT_STATES.filter((s) => s.state), 'state', STATE_WORD);

/** `--ctstatus`: NONE, EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED. */
export const parseCtStatuses = (text: string): ValueResult<number> => parseList(text, CT_STATUSES, 'ctstatus', STATUS_WORD);

/** The list iptables-save prints for a state mask (fixed order, duplicates gone). */
export function formatStates(mask: number): string {
  return CT_STATES.filter((s) => mask & s.bit).map((s) => s.name).join(',');
}

export function formatStatuses(mask: number): string {
  return mask === 0 ? 'NONE' : CT_STATUSES.filter((s) => s.bit && mask & s.bit).map((s) => s.name).join(',');
}

/** The state names set in a mask (for analysis and hovers). */
export const stateNames = (mask: number): string[] => CT_STATES.filter((s) => mask & s.bit).map((s) => s.name);

export const stateDoc = (name: string): Localized | undefined => CT_STATES.find((s) => s.name === name.toUpperCase())?.doc;
export const statusDoc = (name: string): Localized | undefined => CT_STATUSES.find((s) => s.name === name.toUpperCase())?.doc;
