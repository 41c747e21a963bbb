// The tcp match (libxt_tcp): ports, flags and options of TCP segments, loaded implicitly by
// `-p tcp`; and tcpmss (libxt_tcpmss), the MSS option of SYN segments.
import { loc, type Localized, type ParsedModule, type ParsedOption } from '../../syntax/ast';
import type { ModuleDef, OptionContext, OptionDef } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf } from '../save-helpers';
import { formatRange, negatedProtocolError, parseRange, parseServicePort, xtStrtoui, type NumRange } from './header-common';

/** TCP flag bits in the order iptables prints them. */
export const TCP_FLAGS: [string, number][] = [['FIN', 0x01], ['SYN', 0x02], ['RST', 0x04], ['PSH', 0x08], ['ACK', 0x10], ['URG', 0x20]];
const ALL_FLAGS = 0x3f;

/** A comma list of flag names, any case; empty items are skipped (`SYN,` is SYN, `` is NONE). */
export function parseTcpFlagList(text: string): number | undefined {
  let bits = 0;
  for (const name of text.split(',')) {
    const upper = name.toUpperCase();
    if (upper === '' || upper === 'NONE') continue;
    if (upper === 'ALL') { bits |= ALL_FLAGS; continue; }
    const flag = TCP_FLAGS.find(([n]) => n === upper);
    if (!flag) return undefined;
    bits |= flag[1];
  }
  return bits;
}

export function formatTcpFlags(bits: number): string {
  if (bits === 0) return 'NONE';
  return TCP_FLAGS.filter(([, b]) => bits & b).map(([n]) => n).join(',');
}

export interface TcpFlags { mask: number; comp: number }
export const SYN_FLAGS: TcpFlags = { mask: 0x17, comp: 0x02 };

/** A port or port range as the tcp and sctp matches read it (services of that protocol, from <= to). */
export function portRangeOption(proto: string, name: string, aliases: string[], doc: Localized): OptionDef {
  const what = loc(`--${name}`, `--${name}`);
  return {
    name, aliases, args: 1, negatable: true, argName: 'port[:port]', doc,
    parse: (args) => parseRange(args[0], 0, 65535, what, 'le', (t) => parseServicePort(t, proto)),
  };
}

export const SPORT_DOC = loc('Source port or inclusive range `first:last` (an empty side means 0 or 65535); a service name works too.', '送信元ポート、または範囲 `開始:終了`（片側を省略すると 0 または 65535）。サービス名も使えます。');
export const DPORT_DOC = loc('Destination port or inclusive range `first:last` (an empty side means 0 or 65535); a service name works too.', '宛先ポート、または範囲 `開始:終了`（片側を省略すると 0 または 65535）。サービス名も使えます。');

const isFullRange = (r: NumRange) => r.from === 0 && r.to === 65535;

/**
 * What the nft backend does with one tcp/udp option: 'noop' emits nothing (a full port range, a
 * zero flag mask), 'hidden' emits a test that iptables-save cannot show again (a negated no-op),
 * 'shown' is printed back.
 */
function nftKind(o: ParsedOption): 'noop' | 'hidden' | 'shown' {
  if (o.name === 'sport' || o.name === 'dport') {
    if (!isFullRange(o.value as NumRange)) return 'shown';
    return o.negated ? 'hidden' : 'noop';
  }
  const f = o.value as TcpFlags;
  if (f.mask !== 0) return 'shown';
  return f.comp === 0 && !o.negated ? 'noop' : 'hidden';
}

/**
 * iptables-save of a tcp or udp match on the nft backend. A match the backend turns into native
 * nft tests (some option that is not a no-op, and no --tcp-option) is merged with every other such
 * match of the rule: the first one prints the merged fields (later values win, a `!` sticks), the
 * others print nothing, and fields it cannot show back are left out (all of them: no `-m` at all).
 * Any other match is kept as an xtables match and printed as it is.
 */
export function saveNftPortMatch(m: ParsedModule, ctx: OptionContext, name: 'tcp' | 'udp'): string[] {
  const translated = (x: ParsedModule) => x.name === name && !x.options.some((o) => o.name === 'tcp-option') && x.options.some((o) => nftKind(o) !== 'noop');
  const words = ['-m', name];
  if (!translated(m)) {
    for (const field of ['sport', 'dport']) {
      const o = optionOf(m, field);
      if (o && !isFullRange(o.value as NumRange)) words.push(...bang(o), `--${field}`, formatRange(o.value as NumRange));
    }
    const opt = optionOf(m, 'tcp-option');
    if (opt) words.push(...bang(opt), '--tcp-option', String(opt.value));
    const flags = optionOf(m, 'tcp-flags') ?? optionOf(m, 'syn');
    const f = flags?.value as TcpFlags | undefined;
    if (flags && f && (f.mask !== 0 || flags.negated)) words.push(...bang(flags), '--tcp-flags', formatTcpFlags(f.mask), formatTcpFlags(f.comp));
    return words;
  }
  const group = ctx.cmd.matches.filter(translated);
  if (group[0] !== m) return [];
  const fields = new Map<string, { o: ParsedOption; negated: boolean }>();
  for (const x of group) {
    for (const o of x.options) {
      if (nftKind(o) === 'noop') continue;
      const key = o.name === 'syn' ? 'tcp-flags' : o.name;
      fields.set(key, { o, negated: o.negated || (fields.get(key)?.negated ?? false) });
    }
  }
  for (const key of ['sport', 'dport', 'tcp-flags']) {
    const f = fields.get(key);
    if (!f || nftKind(f.o) !== 'shown') continue;
    const neg = f.negated ? ['!'] : [];
    if (key === 'tcp-flags') { const v = f.o.value as TcpFlags; words.push(...neg, '--tcp-flags', formatTcpFlags(v.mask), formatTcpFlags(v.comp)); }
    else words.push(...neg, `--${key}`, formatRange(f.o.value as NumRange));
  }
  return words.length > 2 ? words : [];
}

export const tcpMatch: ModuleDef = {
  name: 'tcp',
  kind: 'match',
  protocols: ['tcp'],
  doc: loc(
    'Matches TCP segments by port and flags. `-p tcp` loads it by itself, so `--dport` works without `-m tcp`.',
    'TCP セグメントをポート番号やフラグで判定します。`-p tcp` を書くと自動で読み込まれるため、`-m tcp` なしでも `--dport` が使えます。',
  ),
  options: [
    portRangeOption('tcp', 'sport', ['source-port'], SPORT_DOC),
    portRangeOption('tcp', 'dport', ['destination-port'], DPORT_DOC),
    {
      name: 'tcp-flags', args: 2, negatable: true, argName: 'mask comp',
      values: ['SYN,RST,ACK,FIN', 'ALL', 'NONE', 'FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'],
      parse: (args) => {
        const mask = parseTcpFlagList(args[0]), comp = parseTcpFlagList(args[1]);
        if (mask === undefined || comp === undefined) {
          return fail(`unknown TCP flag in "${args.join(' ')}" (use FIN, SYN, RST, PSH, ACK, URG, ALL, NONE)`, `"${args.join(' ')}" に不明な TCP フラグがあります（FIN, SYN, RST, PSH, ACK, URG, ALL, NONE が使えます）`);
        }
        return ok<TcpFlags>({ mask, comp });
      },
      doc: loc('Looks at the flags in the first list; those in the second list must be set and the others clear.', '1 つ目のリストのフラグを調べ、2 つ目のリストのフラグが立ち、残りが下りているときに一致します。'),
    },
    {
      name: 'syn', args: 0, negatable: true,
      parse: () => ok<TcpFlags>(SYN_FLAGS),
      doc: loc('A connection-opening segment: SYN set, ACK, RST and FIN clear. Same as `--tcp-flags SYN,RST,ACK,FIN SYN`.', '接続を開始するセグメント（SYN が立ち、ACK・RST・FIN が下りている）。`--tcp-flags SYN,RST,ACK,FIN SYN` と同じです。'),
    },
    {
      name: 'tcp-option', args: 1, negatable: true, argName: 'number',
      parse: (args) => {
        const n = xtStrtoui(args[0], 1, 255);
        return n === undefined ? fail(`TCP option kind must be 1-255, not "${args[0]}"`, `TCP オプションの種類番号は 1〜255 で指定します（"${args[0]}" は不可）`) : ok(n);
      },
      doc: loc('Matches when the TCP option with this kind number is present (2 = MSS, 3 = window scale, 4 = SACK permitted, 8 = timestamps).', '指定した種類番号の TCP オプションがあれば一致します（2 = MSS、3 = ウィンドウスケール、4 = SACK 許可、8 = タイムスタンプ）。'),
    },
  ],
  validate(m) {
    const flags = m.options.filter((o) => o.name === 'syn' || o.name === 'tcp-flags');
    return flags.length > 1 ? [loc('only one of --syn and --tcp-flags may be given (both set the flags test)', '--syn と --tcp-flags はどちらか 1 つだけ指定できます（どちらもフラグの条件です）')] : [];
  },
  save: (m, ctx) => saveNftPortMatch(m, ctx, 'tcp'),
};

export const tcpmssMatch: ModuleDef = {
  name: 'tcpmss',
  kind: 'match',
  protocols: ['tcp'],
  doc: loc(
    'Matches the MSS (maximum segment size) option of TCP SYN and SYN/ACK segments; only those carry it. Needs `-p tcp`.',
    'TCP の SYN・SYN/ACK セグメントにある MSS（最大セグメントサイズ）オプションで判定します（MSS はこの 2 つにしかありません）。`-p tcp` が必要です。',
  ),
  options: [{
    name: 'mss', args: 1, negatable: true, argName: 'value[:value]',
    parse: (args) => parseRange(args[0], 0, 65535, loc('MSS', 'MSS'), 'le'),
    doc: loc('MSS value or inclusive range `min:max` (0-65535).', 'MSS の値、または範囲 `最小:最大`（0〜65535）。'),
  }],
  validate: (m, ctx) => [
    ...(m.options.some((o) => o.name === 'mss') ? [] : [loc('the tcpmss match needs --mss', 'tcpmss マッチには --mss の指定が必要です')]),
    ...negatedProtocolError(ctx, 'tcpmss', 'tcp'),
  ],
  save(m) {
    const o = optionOf(m, 'mss');
    return ['-m', 'tcpmss', ...(o ? [...bang(o), '--mss', formatRange(o.value as NumRange)] : [])];
  },
};
