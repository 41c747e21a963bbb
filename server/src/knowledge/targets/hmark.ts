// HMARK: sets the packet mark from a hash of chosen header fields (libxt_HMARK).
import { loc, type Localized, type ParsedModule } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { fail, ok } from '../values';
import { hex, parsePrefixLength, uintOption } from './target-values';

/** Tuple words and the option each one stands for (`ct` has no option of its own). */
const TUPLE: [string, string | undefined][] = [
  ['ct', undefined], ['src', 'hmark-src-prefix'], ['dst', 'hmark-dst-prefix'], ['sport', 'hmark-sport-mask'],
  ['dport', 'hmark-dport-mask'], ['proto', 'hmark-proto-mask'], ['spi', 'hmark-spi-mask'],
];

/**
 * `--hmark-tuple a,b,...`. Each word may be any case-insensitive prefix of a tuple name; the
 * first name in iptables' order that fits is taken (so `s` means src).
 */
export function parseTuple(text: string): string[] | undefined {
  const out: string[] = [];
  for (const word of text.split(',')) {
    if (word === '') return undefined;
    const found = TUPLE.find(([name]) => name.startsWith(word.toLowerCase()) && word.length <= name.length);
    if (!found) return undefined;
    out.push(found[0]);
  }
  return out;
}

const prefixOption = (name: string, doc: Localized): OptionDef => ({
  name, args: 1, argName: 'length', doc,
  parse: (args, ctx) => {
    const n = parsePrefixLength(args[0], ctx.family, false);
    const bits = ctx.family === 4 ? 32 : 128;
    return n === undefined ? fail(`--${name} needs a prefix length (0-${bits}) or a netmask, not "${args[0]}"`, `--${name} にはプレフィックス長（0〜${bits}）かネットマスクを指定します（"${args[0]}" は不可）`) : ok(n);
  },
});

interface HmarkState {
  src?: number; dst?: number; sportMask?: number; dportMask?: number; spiMask?: number;
  sport?: number; dport?: number; spi?: number; protoMask?: number; rnd?: number; mod?: number; offset?: number; ct?: boolean;
}

/** Fills the structure in option order: a tuple word sets the full mask of its field. */
function hmarkState(m: ParsedModule, bits: number): HmarkState {
  const s: HmarkState = {};
  for (const o of m.options) {
    const v = o.value as number;
    switch (o.name) {
      case 'hmark-tuple':
        for (const t of (o.value as string[] | undefined) ?? []) {
          if (t === 'ct') s.ct = true;
          else if (t === 'src') s.src = bits;
          else if (t === 'dst') s.dst = bits;
          else if (t === 'sport') s.sportMask = 0xffff;
          else if (t === 'dport') s.dportMask = 0xffff;
          else if (t === 'proto') s.protoMask = 0xffff;
          else if (t === 'spi') s.spiMask = 0xffffffff;
        }
        break;
      case 'hmark-src-prefix': s.src = Math.min(v, bits); break;
      case 'hmark-dst-prefix': s.dst = Math.min(v, bits); break;
      case 'hmark-sport-mask': s.sportMask = v; break;
      case 'hmark-dport-mask': s.dportMask = v; break;
      case 'hmark-spi-mask': s.spiMask = v; break;
      case 'hmark-sport': s.sport = v; break;
      case 'hmark-dport': s.dport = v; break;
      case 'hmark-spi': s.spi = v; break;
      case 'hmark-proto-mask': s.protoMask = v; break;
      case 'hmark-rnd': s.rnd = v; break;
      case 'hmark-mod': s.mod = v; break;
      case 'hmark-offset': s.offset = v; break;
    }
  }
  return s;
}

export const hmarkTarget: ModuleDef = {
  name: 'HMARK', kind: 'target',
  doc: loc(
    'Sets the packet mark to a hash of the chosen header fields, modulo --hmark-mod plus --hmark-offset: spreads flows over several marks (load balancing with policy routing).',
    '選んだヘッダ項目のハッシュ値を --hmark-mod で割った余りに --hmark-offset を足し、パケットのマークにします。フローを複数のマークに振り分けるのに使います（ポリシールーティングでの負荷分散など）。',
  ),
  options: [
    {
      name: 'hmark-tuple', args: 1, argName: 'src,dst,sport,dport,spi,proto,ct', values: ['src,dst', 'src,dst,proto', 'src,dst,sport,dport,proto', 'ct,src,dst,proto'],
      doc: loc('Fields to hash, comma-separated: src, dst, sport, dport, spi, proto; ct hashes the conntrack tuple instead of the packet.', 'ハッシュに使う項目をカンマ区切りで指定します: src, dst, sport, dport, spi, proto。ct を付けるとパケットの代わりに接続追跡のタプルを使います。'),
      parse: (args) => {
        const t = parseTuple(args[0]);
        return t ? ok(t) : fail(`bad --hmark-tuple "${args[0]}" (use src, dst, sport, dport, spi, proto, ct separated by commas)`, `--hmark-tuple "${args[0]}" が不正です（src, dst, sport, dport, spi, proto, ct をカンマ区切りで指定）`);
      },
    },
    uintOption('hmark-mod', 1, 0xffffffff, loc('Modulus of the hash (required, at least 1): the number of different marks.', 'ハッシュの法（必須、1 以上）。作られるマークの種類の数になります。')),
    uintOption('hmark-offset', 0, 0xffffffff, loc('Added to the hash result to give the mark.', 'ハッシュの結果に足してマークにする値。')),
    uintOption('hmark-rnd', 0, 0xffffffff, loc('Random seed of the hash (required).', 'ハッシュの乱数シード（必須）。')),
    prefixOption('hmark-src-prefix', loc('Hash only this many leading bits of the source address.', '送信元アドレスの先頭からこのビット数だけをハッシュに使います。')),
    prefixOption('hmark-dst-prefix', loc('Hash only this many leading bits of the destination address.', '宛先アドレスの先頭からこのビット数だけをハッシュに使います。')),
    uintOption('hmark-sport-mask', 0, 0xffff, loc('16-bit mask applied to the source port before hashing.', 'ハッシュの前に送信元ポートにかける 16 ビットのマスク。'), { argName: 'mask' }),
    uintOption('hmark-dport-mask', 0, 0xffff, loc('16-bit mask applied to the destination port before hashing.', 'ハッシュの前に宛先ポートにかける 16 ビットのマスク。'), { argName: 'mask' }),
    uintOption('hmark-spi-mask', 0, 0xffffffff, loc('32-bit mask applied to the IPsec SPI (AH, ESP) before hashing.', 'ハッシュの前に IPsec の SPI（AH, ESP）にかける 32 ビットのマスク。'), { argName: 'mask' }),
    uintOption('hmark-sport', 0, 0xffff, loc('Value ORed into the source port before hashing.', 'ハッシュの前に送信元ポートに OR する値。')),
    uintOption('hmark-dport', 0, 0xffff, loc('Value ORed into the destination port before hashing.', 'ハッシュの前に宛先ポートに OR する値。')),
    uintOption('hmark-spi', 0, 0xffffffff, loc('Value ORed into the SPI before hashing.', 'ハッシュの前に SPI に OR する値。')),
    uintOption('hmark-proto-mask', 0, 0xffff, loc('Mask applied to the layer-4 protocol number before hashing.', 'ハッシュの前に L4 プロトコル番号にかけるマスク。'), { argName: 'mask' }),
  ],
  validate: (m) => {
    const out: Localized[] = [];
    // A tuple word counts as its option: giving the option afterwards is a repetition.
    const setByTuple = new Set<string>();
    for (const o of m.options) {
      if (o.name === 'hmark-tuple') for (const t of (o.value as string[] | undefined) ?? []) { const opt = TUPLE.find(([n]) => n === t)?.[1]; if (opt) setByTuple.add(opt); }
      else if (setByTuple.has(o.name)) out.push(loc(`HMARK: --${o.name} repeats a field already chosen by --hmark-tuple`, `HMARK: --${o.name} は --hmark-tuple で選んだ項目と重複しています`));
    }
    const given = (n: string) => m.options.some((o) => o.name === n) || setByTuple.has(n);
    if (!given('hmark-mod')) out.push(loc('HMARK needs --hmark-mod', 'HMARK には --hmark-mod が必要です'));
    if (!given('hmark-rnd')) out.push(loc('HMARK needs --hmark-rnd', 'HMARK には --hmark-rnd が必要です'));
    if (given('hmark-spi-mask') && (given('hmark-sport-mask') || given('hmark-dport-mask'))) {
      out.push(loc('HMARK: the SPI mask cannot be combined with port masks', 'HMARK: SPI のマスクとポートのマスクは同時に使えません'));
    }
    // The kernel refuses the same mix for the OR values (they share one field).
    if (given('hmark-spi') && (given('hmark-sport') || given('hmark-dport'))) {
      out.push(loc('HMARK: --hmark-spi cannot be combined with --hmark-sport or --hmark-dport', 'HMARK: --hmark-spi と --hmark-sport / --hmark-dport は同時に使えません'));
    }
    const fields = ['hmark-src-prefix', 'hmark-dst-prefix', 'hmark-spi-mask', 'hmark-sport-mask', 'hmark-dport-mask', 'hmark-proto-mask', 'hmark-sport', 'hmark-dport', 'hmark-spi'];
    const ct = m.options.some((o) => o.name === 'hmark-tuple' && (o.value as string[] | undefined)?.includes('ct'));
    if (!ct && !fields.some(given)) out.push(loc('HMARK needs --hmark-tuple (or field prefixes and masks) to know what to hash', 'HMARK には、何をハッシュするかを決める --hmark-tuple（または項目ごとのプレフィックスやマスク）が必要です'));
    return out;
  },
  save: (m, ctx) => {
    const s = hmarkState(m, ctx.family === 4 ? 32 : 128);
    const w = ['-j', 'HMARK'];
    if (s.src !== undefined) w.push('--hmark-src-prefix', String(s.src));
    if (s.dst !== undefined) w.push('--hmark-dst-prefix', String(s.dst));
    if (s.sportMask !== undefined) w.push('--hmark-sport-mask', hex(s.sportMask, 4));
    if (s.dportMask !== undefined) w.push('--hmark-dport-mask', hex(s.dportMask, 4));
    if (s.spiMask !== undefined) w.push('--hmark-spi-mask', hex(s.spiMask, 8));
    if (s.sport !== undefined) w.push('--hmark-sport', hex(s.sport, 4));
    if (s.dport !== undefined) w.push('--hmark-dport', hex(s.dport, 4));
    if (s.spi !== undefined) w.push('--hmark-spi', hex(s.spi, 8));
    if (s.protoMask !== undefined) w.push('--hmark-proto-mask', hex(s.protoMask, 2));
    if (s.rnd !== undefined) w.push('--hmark-rnd', hex(s.rnd, 8));
    if (s.mod !== undefined) w.push('--hmark-mod', String(s.mod));
    if (s.offset !== undefined) w.push('--hmark-offset', String(s.offset));
    if (s.ct) w.push('--hmark-tuple', 'ct');
    return w;
  },
};
