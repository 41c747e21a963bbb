// Matches on fields of the IP header itself: ttl (IPv4) and hl (IPv6), tos, dscp, ecn, length.
import { loc, type Family, type Localized } from '../../syntax/ast';
import type { ModuleDef, OptionContext, OptionDef, ValueResult } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf } from '../save-helpers';
import { formatRange, hex, parseRange, xtStrtoui, xtUint, type NumRange } from './header-common';
import { protocolNumber } from '../protocols';

/** ttl and hl: one of eq (negatable), lt, gt, each 0-255. */
function hopModule(family: Family): ModuleDef {
  const name = family === 4 ? 'ttl' : 'hl';
  const field = family === 4 ? loc('TTL', 'TTL ') : loc('Hop Limit', 'ホップリミット');
  const opt = (suffix: 'eq' | 'lt' | 'gt', en: string, ja: string): OptionDef => ({
    name: `${name}-${suffix}`, args: 1, negatable: suffix === 'eq', argName: 'value',
    parse: (args) => xtUint(args[0], 0, 255, field),
    doc: loc(en, ja),
  });
  const names = ['eq', 'lt', 'gt'].map((s) => `${name}-${s}`);
  return {
    name,
    kind: 'match',
    family,
    doc: family === 4
      ? loc('Matches the TTL (time to live) field of the IPv4 header.', 'IPv4 ヘッダーの TTL（生存時間）フィールドで判定します。')
      : loc('Matches the Hop Limit field of the IPv6 header.', 'IPv6 ヘッダーのホップリミットフィールドで判定します。'),
    options: [
      opt('eq', `Matches when the ${field.en} equals the value (with \`!\`: differs from it).`, `${field.ja}が値と等しいとき一致します（\`!\` を付けると異なるとき）。`),
      opt('lt', `Matches when the ${field.en} is less than the value.`, `${field.ja}が値より小さいとき一致します。`),
      opt('gt', `Matches when the ${field.en} is greater than the value.`, `${field.ja}が値より大きいとき一致します。`),
    ],
    validate(m) {
      const given = names.filter((n) => optionOf(m, n));
      if (given.length === 0) return [loc(`the ${name} match needs one of ${names.map((n) => `--${n}`).join(', ')}`, `${name} マッチには ${names.map((n) => `--${n}`).join('・')} のいずれかが必要です`)];
      if (given.length > 1) return [loc(`--${given[0]} and --${given[1]} cannot be used together`, `--${given[0]} と --${given[1]} は同時に指定できません`)];
      return [];
    },
    save(m) {
      const o = m.options.find((x) => names.includes(x.name));
      return ['-m', name, ...(o ? [...bang(o), `--${o.name}`, String(o.value)] : [])];
    },
  };
}

export const ttlMatch = hopModule(4);
export const hlMatch = hopModule(6);

/** Symbolic TOS names (RFC 1349); they imply the mask 0x3f. */
export const TOS_NAMES: readonly [string, number][] = [
  ['Minimize-Delay', 0x10], ['Maximize-Throughput', 0x08], ['Maximize-Reliability', 0x04], ['Minimize-Cost', 0x02], ['Normal-Service', 0x00],
];

export interface TosValue { value: number; mask: number }

export function parseTos(text: string): ValueResult<TosValue> {
  const named = TOS_NAMES.find(([n]) => n.toLowerCase() === text.toLowerCase());
  if (named) return ok<TosValue>({ value: named[1], mask: 0x3f });
  const slash = text.indexOf('/');
  const value = xtStrtoui(slash < 0 ? text : text.slice(0, slash), 0, 255);
  const mask = slash < 0 ? 0xff : xtStrtoui(text.slice(slash + 1), 0, 255);
  if (value === undefined || mask === undefined) {
    return fail(`"${text}" is not a TOS value[/mask] (numbers 0-255) or a TOS name (${TOS_NAMES.map(([n]) => n).join(', ')})`, `"${text}" は TOS の値[/マスク]（0〜255）でも TOS 名（${TOS_NAMES.map(([n]) => n).join(', ')}）でもありません`);
  }
  return ok<TosValue>({ value, mask });
}

export const tosMatch: ModuleDef = {
  name: 'tos',
  kind: 'match',
  doc: loc('Matches the 8-bit Type of Service byte of IPv4 (Traffic Class of IPv6), optionally under a mask.', 'IPv4 の TOS バイト（IPv6 ではトラフィッククラス）の 8 ビットで判定します。マスクも指定できます。'),
  options: [{
    name: 'tos', args: 1, negatable: true, argName: 'value[/mask]|name', values: TOS_NAMES.map(([n]) => n),
    parse: (args) => parseTos(args[0]),
    doc: loc('TOS value with an optional mask (`0x10/0x3f`), or a name such as Minimize-Delay (which uses the mask 0x3f, leaving out the ECN bits).', 'TOS 値とマスク（`0x10/0x3f`）、または Minimize-Delay などの名前（ECN ビットを除くマスク 0x3f を使います）。'),
  }],
  validate: (m) => (optionOf(m, 'tos') ? [] : [loc('the tos match needs --tos', 'tos マッチには --tos の指定が必要です')]),
  save(m) {
    const o = optionOf(m, 'tos');
    if (!o) return ['-m', 'tos'];
    const v = o.value as TosValue;
    return ['-m', 'tos', ...bang(o), '--tos', `${hex(v.value, 2)}/${hex(v.mask, 2)}`];
  },
};

/** DiffServ class names and their code points. */
export const DSCP_CLASSES: readonly [string, number][] = [
  ['CS0', 0x00], ['CS1', 0x08], ['CS2', 0x10], ['CS3', 0x18], ['CS4', 0x20], ['CS5', 0x28], ['CS6', 0x30], ['CS7', 0x38], ['BE', 0x00],
  ['AF11', 0x0a], ['AF12', 0x0c], ['AF13', 0x0e], ['AF21', 0x12], ['AF22', 0x14], ['AF23', 0x16],
  ['AF31', 0x1a], ['AF32', 0x1c], ['AF33', 0x1e], ['AF41', 0x22], ['AF42', 0x24], ['AF43', 0x26], ['EF', 0x2e],
];

export const dscpMatch: ModuleDef = {
  name: 'dscp',
  kind: 'match',
  doc: loc('Matches the 6-bit DSCP (DiffServ code point) in the TOS / Traffic Class byte.', 'TOS／トラフィッククラスのバイトにある 6 ビットの DSCP（DiffServ コードポイント）で判定します。'),
  options: [
    { name: 'dscp', args: 1, negatable: true, argName: 'value', parse: (args) => xtUint(args[0], 0, 63, loc('DSCP', 'DSCP')), doc: loc('DSCP value 0-63, in decimal or hex (`0x2e`).', 'DSCP 値 0〜63（10 進または `0x2e` のような 16 進）。') },
    {
      name: 'dscp-class', args: 1, negatable: true, argName: 'class', values: DSCP_CLASSES.map(([n]) => n),
      parse: (args) => {
        const c = DSCP_CLASSES.find(([n]) => n === args[0].toUpperCase());
        return c ? ok(c[1]) : fail(`unknown DiffServ class "${args[0]}" (BE, EF, AF11-AF43, CS0-CS7)`, `不明な DiffServ クラス "${args[0]}" です（BE, EF, AF11〜AF43, CS0〜CS7）`);
      },
      doc: loc('DiffServ class name (BE, EF, AFxy, CSx), saved as its number.', 'DiffServ クラス名（BE, EF, AFxy, CSx）。保存時は番号になります。'),
    },
  ],
  validate(m) {
    const a = optionOf(m, 'dscp'), b = optionOf(m, 'dscp-class');
    if (a && b) return [loc('--dscp and --dscp-class cannot be used together', '--dscp と --dscp-class は同時に指定できません')];
    return a || b ? [] : [loc('the dscp match needs --dscp or --dscp-class', 'dscp マッチには --dscp か --dscp-class が必要です')];
  },
  save(m) {
    const o = optionOf(m, 'dscp') ?? optionOf(m, 'dscp-class');
    return ['-m', 'dscp', ...(o ? [...bang(o), '--dscp', hex(o.value as number, 2)] : [])];
  },
};

const needsTcp = (ctx: OptionContext): Localized[] => {
  const p = ctx.cmd.generic.protocol;
  if (p?.arg.symbolic) return [];
  return p && !p.negated && protocolNumber(p.value) === 6 ? [] : [loc('--ecn-tcp-cwr and --ecn-tcp-ece need -p tcp (not negated)', '--ecn-tcp-cwr と --ecn-tcp-ece には -p tcp（否定なし）が必要です')];
};

export const ecnMatch: ModuleDef = {
  name: 'ecn',
  kind: 'match',
  doc: loc('Matches ECN (explicit congestion notification) bits of the IP header and, with `-p tcp`, of the TCP header.', 'IP ヘッダー（`-p tcp` なら TCP ヘッダーも）の ECN（明示的輻輳通知）ビットで判定します。'),
  options: [
    { name: 'ecn-tcp-cwr', args: 0, negatable: true, doc: loc('Matches when the TCP CWR (congestion window reduced) flag is set. Needs `-p tcp`.', 'TCP の CWR（輻輳ウィンドウ縮小）フラグが立っていれば一致します。`-p tcp` が必要です。') },
    { name: 'ecn-tcp-ece', args: 0, negatable: true, doc: loc('Matches when the TCP ECE (ECN echo) flag is set. Needs `-p tcp`.', 'TCP の ECE（ECN エコー）フラグが立っていれば一致します。`-p tcp` が必要です。') },
    { name: 'ecn-ip-ect', args: 1, negatable: true, argName: '0-3', values: ['0', '1', '2', '3'], parse: (args) => xtUint(args[0], 0, 3, loc('ECN code point', 'ECN コードポイント')), doc: loc('ECN field of the IP header: 0 not ECN-capable, 1 or 2 ECN-capable, 3 congestion experienced.', 'IP ヘッダーの ECN フィールド：0 は ECN 非対応、1・2 は ECN 対応、3 は輻輳発生。') },
  ],
  validate(m, ctx) {
    if (!m.options.length) return [loc('the ecn match needs at least one of its options', 'ecn マッチにはオプションが 1 つ以上必要です')];
    return optionOf(m, 'ecn-tcp-cwr') || optionOf(m, 'ecn-tcp-ece') ? needsTcp(ctx) : [];
  },
  save(m) {
    const words = ['-m', 'ecn'];
    for (const name of ['ecn-tcp-ece', 'ecn-tcp-cwr']) { const o = optionOf(m, name); if (o) words.push(...bang(o), `--${name}`); }
    const ect = optionOf(m, 'ecn-ip-ect');
    if (ect) words.push(...bang(ect), '--ecn-ip-ect', String(ect.value));
    return words;
  },
};

export const lengthMatch: ModuleDef = {
  name: 'length',
  kind: 'match',
  doc: loc('Matches the length of the whole IP packet, IP header included (the kernel reads the IPv4 total length, or the IPv6 payload length plus 40).', 'IP ヘッダーを含む IP パケット全体の長さで判定します（カーネルは IPv4 の全長、IPv6 はペイロード長に 40 を足した値を見ます）。'),
  options: [{
    name: 'length', args: 1, negatable: true, argName: 'length[:length]',
    parse: (args) => parseRange(args[0], 0, 65535, loc('length', '長さ')),
    doc: loc('Length in bytes, or an inclusive range `min:max` (0-65535).', 'バイト単位の長さ、または範囲 `最小:最大`（0〜65535）。'),
  }],
  validate: (m) => (optionOf(m, 'length') ? [] : [loc('the length match needs --length', 'length マッチには --length の指定が必要です')]),
  save(m) {
    const o = optionOf(m, 'length');
    return ['-m', 'length', ...(o ? [...bang(o), '--length', formatRange(o.value as NumRange)] : [])];
  },
};
