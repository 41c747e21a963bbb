// The rateest match (libxt_rateest): compares rates measured by RATEEST targets, against a fixed
// rate (absolute mode, --rateest) or against a second estimator (relative mode, --rateest1/2).
import { loc, type Localized } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { fail, ok } from '../values';
import { optionOf } from '../save-helpers';
import { cUint32, truncateBytes } from './xt-values';

/** tc-style rate units (case is ignored), in bits per second. */
const SUFFIXES: [string, number][] = [
  ['bit', 1], ['kibit', 1024], ['kbit', 1000], ['mibit', 1024 ** 2], ['mbit', 1e6], ['gibit', 1024 ** 3], ['gbit', 1e9], ['tibit', 1024 ** 4], ['tbit', 1e12],
  ['bps', 8], ['kibps', 8 * 1024], ['kbps', 8000], ['mibps', 8 * 1024 ** 2], ['mbps', 8e6], ['gibps', 8 * 1024 ** 3], ['gbps', 8e9], ['tibps', 8 * 1024 ** 4], ['tbps', 8e12],
];

/** A rate as the kernel stores it: bytes per second in 32 bits (larger values wrap, as the C cast does). */
export function parseTcRate(text: string): number | undefined {
  const m = /^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?/.exec(text);
  if (!m) return undefined;
  const bps = Number(m[0]);
  const rest = text.slice(m[0].length).toLowerCase();
  const scale = rest === '' ? 1 : SUFFIXES.find(([s]) => s === rest)?.[1];
  if (scale === undefined) return undefined;
  const bytes = Math.trunc((bps * scale) / 8);
  return Number(((BigInt(bytes) % 2n ** 32n) + 2n ** 32n) % 2n ** 32n);
}

/** How iptables-save prints a rate: `%.0f` of bits in Mbit, Kbit or bit. */
export function formatTcRate(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8;
  const [div, unit] = bits >= 1e9 ? [1e6, 'Mbit'] : bits >= 1e6 ? [1e3, 'Kbit'] : [1, 'bit'];
  let q = Math.floor(bits / div);
  const r2 = (bits % div) * 2;
  if (r2 > div || (r2 === div && q % 2 === 1)) q += 1;
  return `${q}${unit}`;
}

const bpsOption = (name: string, aliases: string[], en: string, ja: string): OptionDef => ({
  name, aliases, args: 'optional', argName: '[rate]', values: ['1mbit', '100kbit', '10MBps'],
  parse: (a) => {
    if (a.length === 0) return ok(0);
    const v = parseTcRate(a[0]);
    return v === undefined ? fail(`rateest: cannot read the rate "${a[0]}" (e.g. 2.5mbit, 100kbit, 10MBps)`, `rateest: レート "${a[0]}" を読めません（例: 2.5mbit, 100kbit, 10MBps）`) : ok(v);
  },
  doc: loc(en, ja),
});

const ppsOption = (name: string, aliases: string[], en: string, ja: string): OptionDef => ({
  name, aliases, args: 'optional', argName: '[pps]',
  parse: (a) => {
    if (a.length === 0) return ok(0);
    const v = cUint32(a[0]);
    return v === undefined ? fail(`rateest: cannot read the packet rate "${a[0]}"`, `rateest: パケットレート "${a[0]}" を読めません`) : ok(v);
  },
  doc: loc(en, ja),
});

/** xt_rateest keeps estimator names in IFNAMSIZ bytes. */
const NAME_BYTES = 15;
const MODES = ['rateest-lt', 'rateest-gt', 'rateest-eq'];

export const rateestMatch: ModuleDef = {
  name: 'rateest',
  kind: 'match',
  doc: loc(
    'Compares traffic rates measured by RATEEST targets: one estimator against a fixed bps/pps value (--rateest), or two estimators against each other (--rateest1, --rateest2), optionally on the difference to a rate (--rateest-delta).',
    'RATEEST ターゲットが測ったトラフィックのレートを比較します: 1 つの推定器と固定の bps/pps 値（--rateest）、または 2 つの推定器どうし（--rateest1, --rateest2）。--rateest-delta で指定レートとの差も比較できます。',
  ),
  options: [
    {
      name: 'rateest1', aliases: ['rateest'], args: 1, argName: 'name', parse: (a) => ok(truncateBytes(a[0], NAME_BYTES)),
      doc: loc('Name of the (first) rate estimator, as given to `-j RATEEST --rateest-name`. `--rateest` is the absolute-mode spelling.',
        '（1 つ目の）レート推定器の名前（`-j RATEEST --rateest-name` で付けた名前）。`--rateest` は絶対モードでの書き方です。'),
    },
    {
      name: 'rateest2', args: 1, argName: 'name', parse: (a) => ok(truncateBytes(a[0], NAME_BYTES)),
      doc: loc('Name of the second estimator: compare the two estimators (relative mode).', '2 つ目の推定器の名前。2 つの推定器を比較します（相対モード）。'),
    },
    { name: 'rateest-delta', args: 0, doc: loc('Compare the amount by which each estimator exceeds its given rate (0 when below).', '各推定器が指定レートを超えた分（下回れば 0）を比較します。') },
    bpsOption('rateest-bps1', [], 'Compare in bytes per second; with --rateest-delta, the rate subtracted from the first estimator.', 'バイト毎秒で比較します。--rateest-delta では 1 つ目の推定器から引くレート。'),
    ppsOption('rateest-pps1', [], 'Compare in packets per second; with --rateest-delta, the rate subtracted from the first estimator.', 'パケット毎秒で比較します。--rateest-delta では 1 つ目の推定器から引くレート。'),
    bpsOption('rateest-bps2', ['rateest-bps'], 'Compare in bytes per second against this rate (absolute mode) or the second estimator (units: bit, kbit, mbit, Bps, KiBps...).', 'このレート（絶対モード）または 2 つ目の推定器とバイト毎秒で比較します（単位: bit, kbit, mbit, Bps, KiBps など）。'),
    ppsOption('rateest-pps2', ['rateest-pps'], 'Compare in packets per second against this value (absolute mode) or the second estimator.', 'この値（絶対モード）または 2 つ目の推定器とパケット毎秒で比較します。'),
    { name: 'rateest-lt', args: 0, negatable: true, doc: loc('Match if the rate is less than the other side.', 'レートが相手より小さければ一致します。') },
    { name: 'rateest-gt', args: 0, negatable: true, doc: loc('Match if the rate is greater than the other side.', 'レートが相手より大きければ一致します。') },
    { name: 'rateest-eq', args: 0, negatable: true, doc: loc('Match if the rate equals the other side.', 'レートが相手と等しければ一致します。') },
  ],
  validate(m) {
    const out: Localized[] = [];
    if (!optionOf(m, 'rateest1')) out.push(loc('rateest needs --rateest (or --rateest1)', 'rateest には --rateest（または --rateest1）が必要です'));
    if (!['rateest-bps1', 'rateest-pps1', 'rateest-bps2', 'rateest-pps2'].some((n) => optionOf(m, n))) {
      out.push(loc('rateest needs --rateest-bps or --rateest-pps: the kernel refuses the rule without one', 'rateest には --rateest-bps か --rateest-pps が必要です（ないとカーネルが拒否します）'));
    }
    if (!MODES.some((n) => optionOf(m, n))) out.push(loc('rateest needs one of --rateest-lt, --rateest-gt or --rateest-eq: the kernel refuses the rule without one', 'rateest には --rateest-lt, --rateest-gt, --rateest-eq のいずれかが必要です（ないとカーネルが拒否します）'));
    return out;
  },
  save(m) {
    const words = ['-m', 'rateest'];
    const delta = !!optionOf(m, 'rateest-delta');
    const rel = !!optionOf(m, 'rateest2');
    // The last of --rateest-lt/gt/eq given decides; `!` on it inverts the result.
    const mode = m.options.filter((o) => MODES.includes(o.name)).pop()!;
    const modeWords = [...(m.options.some((o) => MODES.includes(o.name) && o.negated) ? ['!'] : []), `--${mode.name}`];
    if (delta) words.push('--rateest-delta');
    words.push(rel ? '--rateest1' : '--rateest', optionOf(m, 'rateest1')!.value as string);
    for (const [kind, fmt] of [['bps', formatTcRate], ['pps', String]] as const) {
      const o1 = optionOf(m, `rateest-${kind}1`), o2 = optionOf(m, `rateest-${kind}2`);
      if (!o1 && !o2) continue;
      const v1 = (o1?.value as number | undefined) ?? 0, v2 = (o2?.value as number | undefined) ?? 0;
      if (delta) words.push(`--rateest-${kind}1`, fmt(v1), ...modeWords, `--rateest-${kind}2`);
      else words.push(...modeWords, `--rateest-${kind}`);
      if (!rel || delta) words.push(fmt(v2));
    }
    if (rel) words.push('--rateest2', optionOf(m, 'rateest2')!.value as string);
    return words;
  },
};
