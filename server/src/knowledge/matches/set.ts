// The set match (libxt_set, revision 4): membership in an ipset, optionally with the element's
// packet and byte counters.
import { loc, type Localized } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { fail, ok } from '../values';
import { optionOf } from '../save-helpers';
import { cUint, requiredMessage } from './xt-values';

/** IPSET_MAXNAMELEN - 1 and IPSET_DIM_MAX. */
export const IPSET_NAME_MAX = 31;
export const IPSET_MAX_DIMENSIONS = 6;

export interface MatchSetValue { name: string; flags: ('src' | 'dst')[] }

const counterOption = (name: string, negatable: boolean, en: string, ja: string): OptionDef => ({
  name, args: 1, negatable, argName: 'value',
  parse: (a) => {
    const v = cUint(a[0], 0n, 2n ** 64n - 1n);
    return v === undefined ? fail(`--${name}: cannot read "${a[0]}" as a counter value`, `--${name}: "${a[0]}" はカウンタ値として読めません`) : ok(v);
  },
  doc: loc(en, ja),
});

const COUNTERS = ['packets', 'bytes'] as const;
const COMPARISONS = ['eq', 'lt', 'gt'] as const;

export const setMatch: ModuleDef = {
  name: 'set',
  kind: 'match',
  doc: loc(
    'Matches if the packet\'s address (port...) is in an ipset, a kernel set managed with ipset(8). One rule can test thousands of addresses quickly; the set must exist when the rule is loaded.',
    'パケットのアドレス（やポートなど）が ipset（ipset(8) で管理するカーネル内の集合）に含まれていれば一致します。1 つのルールで大量のアドレスを高速に判定できます。ルール読み込み時に集合が存在している必要があります。',
  ),
  options: [
    {
      name: 'match-set', aliases: ['set'], args: 2, negatable: true, argName: 'setname src|dst[,src|dst...]', values: ['src', 'dst', 'src,dst', 'dst,src'],
      parse: (a) => {
        if (a[0].length > IPSET_NAME_MAX) return fail(`set name "${a[0]}" is too long (at most ${IPSET_NAME_MAX} characters)`, `セット名 "${a[0]}" が長すぎます（${IPSET_NAME_MAX} 文字まで）`);
        const flags = a[1].split(',');
        if (flags.some((f) => f !== 'src' && f !== 'dst')) {
          return fail(`--match-set: "${a[1]}" must be a comma-separated list of src and dst (lower case)`, `--match-set: "${a[1]}" は src と dst をカンマで区切って指定します（小文字）`);
        }
        if (flags.length > IPSET_MAX_DIMENSIONS) return fail(`--match-set: at most ${IPSET_MAX_DIMENSIONS} src/dst flags`, `--match-set: src/dst は ${IPSET_MAX_DIMENSIONS} 個までです`);
        return ok<MatchSetValue>({ name: a[0], flags: flags as ('src' | 'dst')[] });
      },
      doc: loc('Set name, then which packet address each dimension of the set is compared with: `src`, `dst`, or a list such as `src,dst` for hash:ip,port sets.',
        'セット名と、セットの各次元をパケットのどのアドレスと比べるか: `src`、`dst`、または hash:ip,port などでは `src,dst` のようなリスト。'),
    },
    {
      name: 'return-nomatch', args: 0, repeatable: true,
      doc: loc('For sets with nomatch elements: reverse the result, so an element marked nomatch matches.', 'nomatch 要素を持つセットで結果を反転し、nomatch の要素に一致させます。'),
    },
    {
      name: 'update-counters', args: 0, negatable: true, repeatable: true,
      doc: loc('`! --update-counters`: do not update the packet and byte counters of the matching element.', '`! --update-counters`: 一致した要素のパケット数・バイト数カウンタを更新しません。'),
    },
    {
      name: 'update-subcounters', args: 0, negatable: true, repeatable: true,
      doc: loc('`! --update-subcounters`: do not update the counters of the member set of a list:set.', '`! --update-subcounters`: list:set のメンバーセットのカウンタを更新しません。'),
    },
    counterOption('packets-eq', true, 'Also require the element\'s packet counter to equal this value.', '要素のパケットカウンタがこの値と等しいことも条件にします。'),
    counterOption('packets-lt', false, 'Also require the element\'s packet counter to be below this value.', '要素のパケットカウンタがこの値未満であることも条件にします。'),
    counterOption('packets-gt', false, 'Also require the element\'s packet counter to be above this value.', '要素のパケットカウンタがこの値を超えることも条件にします。'),
    counterOption('bytes-eq', true, 'Also require the element\'s byte counter to equal this value.', '要素のバイトカウンタがこの値と等しいことも条件にします。'),
    counterOption('bytes-lt', false, 'Also require the element\'s byte counter to be below this value.', '要素のバイトカウンタがこの値未満であることも条件にします。'),
    counterOption('bytes-gt', false, 'Also require the element\'s byte counter to be above this value.', '要素のバイトカウンタがこの値を超えることも条件にします。'),
  ],
  validate(m) {
    const out: Localized[] = [];
    if (!optionOf(m, 'match-set')) out.push(requiredMessage('set', 'match-set'));
    for (const c of COUNTERS) {
      const given = COMPARISONS.filter((k) => optionOf(m, `${c}-${k}`));
      if (given.length > 1) out.push(loc(`only one of --${c}-eq, --${c}-lt and --${c}-gt is allowed`, `--${c}-eq, --${c}-lt, --${c}-gt はどれか 1 つだけ指定できます`));
    }
    return out;
  },
  save(m) {
    const ms = optionOf(m, 'match-set')!;
    const v = ms.value as MatchSetValue;
    const words = ['-m', 'set', ...(ms.negated ? ['!'] : []), '--match-set', v.name, v.flags.join(',')];
    if (optionOf(m, 'return-nomatch')) words.push('--return-nomatch');
    for (const name of ['update-counters', 'update-subcounters']) if (optionOf(m, name)?.negated) words.push('!', `--${name}`);
    for (const c of COUNTERS) {
      for (const k of COMPARISONS) {
        const o = optionOf(m, `${c}-${k}`);
        if (o) words.push(...(o.negated ? ['!'] : []), `--${c}-${k}`, String(o.value));
      }
    }
    return words;
  },
};
