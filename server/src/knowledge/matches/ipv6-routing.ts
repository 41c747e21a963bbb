// IPv6 routing-related matches (ip6tables only): rt (Routing header), srh (Segment Routing
// header) and mh (Mobility header, needs `-p mh`).
import ipaddr from 'ipaddr.js';
import { loc, type ParsedModule } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf } from '../save-helpers';
import { formatAddr, formatRange, negatedProtocolError, parseRange, xtStrtoui, xtUint, type NumRange } from './header-common';
import { flagOption, lengthOption, saveU32Range, saveValue } from './ipv6-ext-headers';

const U32 = 0xffffffff;

function parseIpv6List(text: string) {
  const items = text.split(',');
  if (items.length > 16) return fail(`at most 16 addresses, here ${items.length}`, `アドレスは 16 個までです（ここでは ${items.length} 個）`);
  const out: number[][] = [];
  for (const item of items) {
    if (!ipaddr.IPv6.isValid(item) || item.includes('%')) return fail(`"${item}" is not a numeric IPv6 address`, `"${item}" は数値の IPv6 アドレスではありません`);
    out.push(ipaddr.IPv6.parse(item).toByteArray());
  }
  return ok(out);
}

export const rtMatch: ModuleDef = {
  name: 'rt',
  kind: 'match',
  family: 6,
  doc: loc('Matches fields of the IPv6 Routing header: type, segments left, length, and the addresses of a type 0 header.', 'IPv6 ルーティングヘッダーのフィールド（タイプ、残りセグメント数、長さ、タイプ 0 のアドレス）で判定します。'),
  options: [
    { name: 'rt-type', args: 1, negatable: true, argName: 'type', parse: (args) => xtUint(args[0], 0, U32, loc('routing header type', 'ルーティングヘッダーのタイプ')), doc: loc('Routing header type (number).', 'ルーティングヘッダーのタイプ（数値）。') },
    { name: 'rt-segsleft', args: 1, negatable: true, argName: 'num[:num]', parse: (args) => parseRange(args[0], 0, U32, loc('segments left', '残りセグメント数')), doc: loc('Segments Left field, or a range `first:last`.', 'Segments Left（残りセグメント数）フィールド、または範囲 `開始:終了`。') },
    lengthOption('rt-len', 'Length of the Routing header.', 'ルーティングヘッダーの長さ。'),
    flagOption('rt-0-res', 'Type 0 only: matches when the reserved field is zero. Needs `--rt-type 0` before it.', 'タイプ 0 専用：予約フィールドが 0 のとき一致します。前に `--rt-type 0` が必要です。'),
    {
      name: 'rt-0-addrs', args: 1, argName: 'addr[,addr...]', parse: (args) => parseIpv6List(args[0]),
      doc: loc('Type 0 only: the addresses the header must list, in order (up to 16). Needs `--rt-type 0` before it.', 'タイプ 0 専用：ヘッダーに順に並んでいるべきアドレス（16 個まで）。前に `--rt-type 0` が必要です。'),
    },
    flagOption('rt-0-not-strict', 'With `--rt-0-addrs`: the listed addresses need not be the whole list.', '`--rt-0-addrs` と併用：列挙したアドレスがリスト全体でなくてもかまいません。'),
  ],
  validate(m) {
    const errors = [];
    // ip6tables checks these while reading, so only what came before counts.
    for (let i = 0; i < m.options.length; i++) {
      const o = m.options[i];
      const before = m.options.slice(0, i);
      if (o.name === 'rt-0-res' || o.name === 'rt-0-addrs') {
        const type = before.find((x) => x.name === 'rt-type');
        if (!type || type.value !== 0 || type.negated) errors.push(loc(`--${o.name} needs \`--rt-type 0\` before it`, `--${o.name} の前に \`--rt-type 0\` が必要です`));
      }
      if (o.name === 'rt-0-not-strict' && !before.some((x) => x.name === 'rt-0-addrs')) {
        errors.push(loc('--rt-0-not-strict needs --rt-0-addrs before it', '--rt-0-not-strict の前に --rt-0-addrs が必要です'));
      }
    }
    return errors;
  },
  save(m) {
    const words = ['-m', 'rt'];
    saveValue(m, 'rt-type', words);
    saveU32Range(m, 'rt-segsleft', words);
    saveValue(m, 'rt-len', words);
    if (optionOf(m, 'rt-0-res')) words.push('--rt-0-res');
    const addrs = optionOf(m, 'rt-0-addrs');
    if (addrs) words.push('--rt-0-addrs', (addrs.value as number[][]).map(formatAddr).join(','));
    if (optionOf(m, 'rt-0-not-strict')) words.push('--rt-0-not-strict');
    return words;
  },
};

/** `addr[/len|/mask]` of the srh SID options; the address keeps its host bits. */
interface Sid { bytes: number[]; prefix: number }

function parseSid(text: string) {
  const [addr, mask, extra] = text.split('/');
  if (extra !== undefined || !ipaddr.IPv6.isValid(addr) || addr.includes('%')) return fail(`"${text}" is not an IPv6 address[/prefix]`, `"${text}" は IPv6 アドレス[/プレフィックス長] ではありません`);
  let prefix = 128;
  if (mask !== undefined) {
    const n = xtStrtoui(mask, 0, 128);
    if (n !== undefined) prefix = n;
    else if (ipaddr.IPv6.isValid(mask)) prefix = ipaddr.IPv6.parse(mask).prefixLengthFromSubnetMask() ?? 128;
    else return fail(`"/${mask}" is neither a prefix length (0-128) nor an IPv6 mask`, `"/${mask}" はプレフィックス長（0〜128）でも IPv6 マスクでもありません`);
  }
  return ok<Sid>({ bytes: ipaddr.IPv6.parse(addr).toByteArray(), prefix });
}

const SRH_GROUPS = ['hdr-len', 'segs-left', 'last-entry'];
const srhU8 = (name: string, en: string, ja: string): OptionDef => ({
  name: `srh-${name}`, args: 1, negatable: true, argName: 'value',
  parse: (args) => xtUint(args[0], 0, 255, loc(`--srh-${name}`, `--srh-${name}`)),
  doc: loc(en, ja),
});
const cmp = { eq: ['equals', 'と等しい'], gt: ['is greater than', 'より大きい'], lt: ['is less than', 'より小さい'] } as const;
const groupDocs: Record<string, [string, string]> = { 'hdr-len': ['Hdr Ext Len', 'Hdr Ext Len フィールド（ヘッダー長）'], 'segs-left': ['Segments Left', 'Segments Left フィールド（残りセグメント数）'], 'last-entry': ['Last Entry', 'Last Entry フィールド（最後のエントリ番号）'] };

function saveSrhGroup(m: ParsedModule, group: string, words: string[]): void {
  const members = m.options.filter((o) => o.name.startsWith(`srh-${group}-`));
  if (!members.length) return;
  // One value field serves eq, gt and lt: the last one given wins for all of them.
  const value = members[members.length - 1].value;
  for (const suffix of ['eq', 'gt', 'lt']) {
    const o = optionOf(m, `srh-${group}-${suffix}`);
    if (o) words.push(...bang(o), `--srh-${group}-${suffix}`, String(value));
  }
}

export const srhMatch: ModuleDef = {
  name: 'srh',
  kind: 'match',
  family: 6,
  doc: loc('Matches fields of the IPv6 Segment Routing header (SRv6): next header, lengths, tag and segment IDs.', 'IPv6 セグメントルーティングヘッダー（SRv6）のフィールド（次ヘッダー、長さ、タグ、セグメント ID）で判定します。'),
  options: [
    srhU8('next-hdr', 'Next Header field of the SRH (protocol number).', 'SRH の Next Header フィールド（プロトコル番号）。'),
    ...SRH_GROUPS.flatMap((g) => (['eq', 'gt', 'lt'] as const).map((s) => srhU8(`${g}-${s}`, `Matches when the ${groupDocs[g][0]} field ${cmp[s][0]} the value. eq, gt and lt share one value: the last one given applies to all.`, `${groupDocs[g][1]}が値${cmp[s][1]}とき一致します。eq・gt・lt は値を共有し、最後に指定した値がすべてに使われます。`))),
    { name: 'srh-tag', args: 1, negatable: true, argName: 'tag', parse: (args) => xtUint(args[0], 0, 65535, loc('--srh-tag', '--srh-tag')), doc: loc('Tag field of the SRH (0-65535).', 'SRH の Tag フィールド（0〜65535）。') },
    ...(['psid', 'nsid', 'lsid'] as const).map((s): OptionDef => ({
      name: `srh-${s}`, args: 1, negatable: true, argName: 'addr[/mask]', parse: (args) => parseSid(args[0]),
      doc: ({ psid: loc('Previous segment ID (address or prefix).', '前のセグメント ID（アドレスまたはプレフィックス）。'), nsid: loc('Next segment ID (address or prefix).', '次のセグメント ID（アドレスまたはプレフィックス）。'), lsid: loc('Last segment ID (address or prefix).', '最後のセグメント ID（アドレスまたはプレフィックス）。') })[s],
    })),
  ],
  save(m) {
    const words = ['-m', 'srh'];
    saveValue(m, 'srh-next-hdr', words);
    for (const g of SRH_GROUPS) saveSrhGroup(m, g, words);
    saveValue(m, 'srh-tag', words);
    for (const s of ['psid', 'nsid', 'lsid']) {
      const o = optionOf(m, `srh-${s}`);
      if (o) { const v = o.value as Sid; words.push(...bang(o), `--srh-${s}`, `${formatAddr(v.bytes)}/${v.prefix}`); }
    }
    return words;
  },
};

/** Mobility header types; the short names are ip6tables' aliases. */
export const MH_TYPES: readonly [string, number][] = [
  ['binding-refresh-request', 0], ['brr', 0], ['home-test-init', 1], ['hoti', 1], ['careof-test-init', 2], ['coti', 2],
  ['home-test', 3], ['hot', 3], ['careof-test', 4], ['cot', 4], ['binding-update', 5], ['bu', 5],
  ['binding-acknowledgement', 6], ['ba', 6], ['binding-error', 7], ['be', 7],
];

/** ip6tables takes the first name the text is a prefix of, unless a name matches exactly. */
function mhType(text: string) {
  const lower = text.toLowerCase();
  const exact = MH_TYPES.find(([n]) => n === lower);
  const prefix = MH_TYPES.find(([n]) => n.startsWith(lower));
  const byName = (exact ?? prefix)?.[1];
  if (byName !== undefined) return ok(byName);
  const n = xtStrtoui(text, 0, 255);
  return n === undefined ? fail(`unknown mobility header type "${text}"`, `不明なモビリティヘッダーのタイプ "${text}" です`) : ok(n);
}

export const mhMatch: ModuleDef = {
  name: 'mh',
  kind: 'match',
  family: 6,
  protocols: ['mobility-header'],
  doc: loc('Matches the type of Mobile IPv6 Mobility Header messages. Needs `-p mh` (which also loads it by itself).', 'Mobile IPv6 のモビリティヘッダーのメッセージタイプで判定します。`-p mh` が必要です（これで自動的に読み込まれます）。'),
  options: [{
    name: 'mh-type', args: 1, negatable: true, argName: 'type[:type]', values: MH_TYPES.map(([n]) => n),
    parse: (args) => parseRange(args[0], 0, 255, loc('mobility header type', 'モビリティヘッダーのタイプ'), 'le', mhType),
    doc: loc('Mobility header type by name (binding-update, ...) or number, or a range `first:last`.', 'モビリティヘッダーのタイプを名前（binding-update など）か番号、または範囲 `開始:終了` で指定します。'),
  }],
  validate: (m, ctx) => negatedProtocolError(ctx, 'mh', 'mh'),
  save(m) {
    const words = ['-m', 'mh'];
    const o = optionOf(m, 'mh-type');
    const r = o?.value as NumRange | undefined;
    if (o && r && !(r.from === 0 && r.to === 255)) words.push(...bang(o), '--mh-type', formatRange(r));
    return words;
  },
};
