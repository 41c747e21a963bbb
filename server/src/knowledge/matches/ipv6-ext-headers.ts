// IPv6 extension header matches (ip6tables only): frag, dst, hbh, ipv6header, eui64.
// They need no `-p`: they look for the header anywhere in the chain of IPv6 headers.
import { loc, type ParsedModule } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf } from '../save-helpers';
import { conflict, formatRange, parseRange, strtoul, xtUint, type NumRange } from './header-common';
import { PROTOCOL_DB } from '../protocols';

const U32 = 0xffffffff;

/** A 32-bit length option (`--fraglen`, `--dst-len`, ...), printed whenever it was given. */
export const lengthOption = (name: string, en: string, ja: string): OptionDef => ({
  name, args: 1, negatable: true, argName: 'length',
  parse: (args) => xtUint(args[0], 0, U32, loc(`--${name}`, `--${name}`)),
  doc: loc(en, ja),
});

export const flagOption = (name: string, en: string, ja: string): OptionDef => ({ name, args: 0, doc: loc(en, ja) });

/** A 32-bit range printed only when it does not cover everything (negated or not). */
export function saveU32Range(m: ParsedModule, name: string, words: string[]): void {
  const o = optionOf(m, name);
  const r = o?.value as NumRange | undefined;
  if (o && r && !(r.from === 0 && r.to === U32)) words.push(...bang(o), `--${name}`, formatRange(r));
}

export function saveValue(m: ParsedModule, name: string, words: string[]): void {
  const o = optionOf(m, name);
  if (o) words.push(...bang(o), `--${name}`, String(o.value));
}

export const fragMatch: ModuleDef = {
  name: 'frag',
  kind: 'match',
  family: 6,
  doc: loc('Matches fields of the IPv6 Fragment header: identification, first/more/last fragment.', 'IPv6 フラグメントヘッダーのフィールド（識別子、最初・途中・最後の断片）で判定します。'),
  options: [
    { name: 'fragid', args: 1, negatable: true, argName: 'id[:id]', parse: (args) => parseRange(args[0], 0, U32, loc('fragment id', 'フラグメント ID')), doc: loc('Identification of the fragment, or a range `first:last`.', '断片の識別子（Identification）、または範囲 `開始:終了`。') },
    lengthOption('fraglen', 'Length of the Fragment header. The header has a fixed size, so this makes little sense with current kernels.', 'フラグメントヘッダーの長さ。ヘッダーは固定長なので、現在のカーネルではほとんど意味がありません。'),
    flagOption('fragres', 'Matches only when the reserved fields are zero.', '予約フィールドが 0 のときだけ一致します。'),
    flagOption('fragfirst', 'Matches the first fragment (offset 0).', '最初の断片（オフセット 0）に一致します。'),
    flagOption('fragmore', 'Matches fragments that have more fragments after them.', '後ろにさらに断片が続く断片に一致します。'),
    flagOption('fraglast', 'Matches the last fragment.', '最後の断片に一致します。'),
  ],
  validate: (m) => (optionOf(m, 'fragmore') && optionOf(m, 'fraglast') ? [conflict('fragmore', 'fraglast')] : []),
  save(m) {
    const words = ['-m', 'frag'];
    saveU32Range(m, 'fragid', words);
    saveValue(m, 'fraglen', words);
    for (const f of ['fragres', 'fragfirst', 'fragmore', 'fraglast']) if (optionOf(m, f)) words.push(`--${f}`);
    return words;
  },
};

/** One `type[:length]` of `--dst-opts`/`--hbh-opts`: C numbers cut to 8 bits; no length = 255. */
export interface OptSpec { type: number; length: number }

function cNumber8(text: string): number | undefined {
  const r = strtoul(text, 0);
  if (!r || r.end !== text.length || r.value > (1n << 64n) - 1n) return undefined;
  return Number((r.negative ? -r.value : r.value) & 0xffn);
}

function parseOpts(text: string, name: string) {
  const items = text.split(',');
  if (items.length > 16) return fail(`--${name} takes at most 16 options, here ${items.length}`, `--${name} に指定できるオプションは 16 個までです（ここでは ${items.length} 個）`);
  const opts: OptSpec[] = [];
  for (const item of items) {
    const [typeText, lenText, extra] = item.split(':');
    const type = cNumber8(typeText);
    const length = lenText === undefined ? 255 : cNumber8(lenText);
    if (type === undefined || length === undefined || extra !== undefined) {
      return fail(`"${item}" is not type[:length] with numbers`, `"${item}" は数値の type[:length] ではありません`);
    }
    opts.push({ type, length });
  }
  return ok(opts);
}

/** dst and hbh share their shape: a length and a list of options. */
function optionsHeaderModule(name: 'dst' | 'hbh', en: string, ja: string): ModuleDef {
  return {
    name,
    kind: 'match',
    family: 6,
    doc: loc(en, ja),
    options: [
      lengthOption(`${name}-len`, 'Total length of this header in octets.', 'このヘッダー全体の長さ（オクテット単位）。'),
      {
        name: `${name}-opts`, args: 1, argName: 'type[:length][,type[:length]...]',
        parse: (args) => parseOpts(args[0], `${name}-opts`),
        doc: loc('Options that must be present: numeric type, optionally with the length of its data (up to 16).', '含まれているべきオプション。数値のタイプと、必要ならデータ長を指定します（16 個まで）。'),
      },
    ],
    save(m) {
      const words = ['-m', name];
      saveValue(m, `${name}-len`, words);
      const o = optionOf(m, `${name}-opts`);
      if (o) words.push(`--${name}-opts`, (o.value as OptSpec[]).map((x) => (x.length === 255 ? String(x.type) : `${x.type}:${x.length}`)).join(','));
      return words;
    },
  };
}

export const dstMatch = optionsHeaderModule('dst', 'Matches the IPv6 Destination Options header: its length and the options it carries.', 'IPv6 の宛先オプションヘッダー（長さと含まれるオプション）で判定します。');
export const hbhMatch = optionsHeaderModule('hbh', 'Matches the IPv6 Hop-by-Hop Options header: its length and the options it carries.', 'IPv6 のホップバイホップオプションヘッダー（長さと含まれるオプション）で判定します。');

/** ipv6header bits, from the highest: the name iptables-save prints and the numbers that select it. */
const HEADERS: [number, string, string[], number][] = [
  [0x80, 'hop-by-hop', ['hop', 'hop-by-hop'], 0], [0x40, 'ipv6-opts', ['dst'], 60], [0x20, 'ipv6-route', ['route'], 43],
  [0x10, 'ipv6-frag', ['frag'], 44], [0x08, 'ah', ['auth'], 51], [0x04, 'esp', ['esp'], 50],
  [0x02, 'ipv6-nonxt', ['none'], 59], [0x01, 'protocol', ['prot', 'protocol'], 255],
];

function headerBit(word: string): number | undefined {
  // getprotobyname first (exact case), then ip6tables' own names and numbers.
  const proto = PROTOCOL_DB.find(([, n, aliases]) => n === word || aliases.includes(word))?.[0];
  const h = HEADERS.find(([, , names, num]) => (proto !== undefined ? num === proto : names.includes(word) || String(num) === word));
  return h?.[0];
}

export const ipv6headerMatch: ModuleDef = {
  name: 'ipv6header',
  kind: 'match',
  family: 6,
  doc: loc('Matches by the set of IPv6 extension headers (and upper-layer header) a packet carries.', 'パケットに含まれる IPv6 拡張ヘッダー（と上位層ヘッダー）の組み合わせで判定します。'),
  options: [
    {
      name: 'header', args: 1, negatable: true, argName: 'header[,header...]',
      values: ['hop-by-hop', 'ipv6-opts', 'ipv6-route', 'ipv6-frag', 'ah', 'esp', 'ipv6-nonxt', 'protocol', 'hop', 'dst', 'route', 'frag', 'auth', 'none', 'prot'],
      parse: (args) => {
        let bits = 0;
        for (const word of args[0].split(',')) {
          if (word === '') continue;
          const bit = headerBit(word);
          if (bit === undefined) return fail(`unknown IPv6 header "${word}" (hop, dst, route, frag, auth, esp, none, prot or their long names/numbers)`, `不明な IPv6 ヘッダー "${word}" です（hop, dst, route, frag, auth, esp, none, prot、またはその正式名・番号）`);
          bits |= bit;
        }
        return bits ? ok(bits) : fail('--header needs at least one header name', '--header にはヘッダー名が 1 つ以上必要です');
      },
      doc: loc('Headers the packet must contain, exactly these unless `--soft` is given.', 'パケットに含まれるべきヘッダー。`--soft` がなければ、ちょうどこの組み合わせのときに一致します。'),
    },
    flagOption('soft', 'Matches when the packet has at least one of the listed headers, rather than exactly them.', '列挙したヘッダーと完全一致でなく、どれか 1 つでも含んでいれば一致します。'),
  ],
  validate: (m) => (optionOf(m, 'header') ? [] : [loc('the ipv6header match needs --header', 'ipv6header マッチには --header の指定が必要です')]),
  save(m) {
    const words = ['-m', 'ipv6header'];
    const h = optionOf(m, 'header');
    if (h) words.push(...bang(h), '--header', HEADERS.filter(([bit]) => (h.value as number) & bit).map(([, name]) => name).join(','));
    if (optionOf(m, 'soft')) words.push('--soft');
    return words;
  },
};

export const eui64Match: ModuleDef = {
  name: 'eui64',
  kind: 'match',
  family: 6,
  chains: ['PREROUTING', 'INPUT', 'FORWARD'],
  doc: loc(
    'Matches when the low 64 bits of the IPv6 source address are the EUI-64 made from the source MAC address (stateless autoconfiguration). Ethernet only; PREROUTING, INPUT and FORWARD only.',
    'IPv6 送信元アドレスの下位 64 ビットが送信元 MAC アドレスから作った EUI-64（ステートレス自動設定）と一致するときに一致します。イーサネットのみ、PREROUTING・INPUT・FORWARD でのみ使えます。',
  ),
  options: [],
  save: () => ['-m', 'eui64'],
};
