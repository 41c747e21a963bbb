// The hashlimit match (libxt_hashlimit, revision 3): a rate limit with one token bucket per
// group of packets (per source address, destination port...). What iptables 1.8.9 stores and
// prints back was checked rule by rule against the binary.
import { loc, type Localized, type ParsedModule } from '../../syntax/ast';
import type { ModuleDef, OptionContext } from '../types';
import { fail, ok } from '../values';
import { optionOf } from '../save-helpers';
import {
  HASHLIMIT_DEFAULT_BURST, HASHLIMIT_MAX_BURST, HASHLIMIT_SCALE, RATE_EXAMPLES, costToBytes, formatByteBurst, formatByteRate, formatRate,
  parseBurstAmount, parseByteRate, parseRate, rateQuantumMs, type ByteRate, type Rate,
} from '../rates';
import { exclusiveMessage, uintArg, hasBadValue } from './xt-values';

export const HASHLIMIT_MODES = ['srcip', 'srcport', 'dstip', 'dstport'] as const;
const DEFAULT_GC_INTERVAL = 1000;
/** Seconds a byte-rate entry lives without / with an explicit burst (XT_HASHLIMIT_BYTE_EXPIRE*). */
const BYTE_EXPIRE = 15, BYTE_EXPIRE_BURST = 60;

type HashRate = { bytes: false; rate: Rate } | { bytes: true; rate: ByteRate };

function parseHashRate(args: string[], option: string) {
  const b = parseByteRate(args[0], option);
  if (b) return b.ok ? ok<HashRate>({ bytes: true, rate: b.value }) : b;
  const r = parseRate(args[0], HASHLIMIT_SCALE, option);
  return r.ok ? ok<HashRate>({ bytes: false, rate: r.value }) : r;
}

const rateOption = (name: string, en: string, ja: string) => ({
  name, args: 1 as const, negatable: true, argName: 'amount[/second|/minute|/hour|/day] | N[k|m]b/s', values: [...RATE_EXAMPLES, '512kb/s'],
  parse: (args: string[]) => parseHashRate(args, name),
  doc: loc(en, ja),
});

/**
 * The kernel refuses (ERANGE) a packet rate whose burst overflows its credit arithmetic:
 * user2credits(avg * burst) < user2credits(avg), in 64-bit with HZ=250 (Debian's kernels;
 * HZ=1000 gives the same factor). `1/day` with the default burst of 5 is refused this way.
 */
function creditsOverflow(period: number, burst: number): boolean {
  const M = 2n ** 64n;
  const factor = (250n * 2n ** 39n) / 1000000n;
  const avg = BigInt(period);
  const c0 = (avg * factor) % M;
  const c1 = (((avg * BigInt(burst)) % M) * factor) % M;
  return c1 < c0;
}

interface Config {
  above: boolean;
  rate: HashRate;
  /** Packets (packet mode) or rate quanta (byte mode) of burst; 0 = none given in byte mode. */
  burst: number;
  period: number;
  expire: number;
  interval: number;
  rateMatch: boolean;
}

/** What iptables computes from the options (libxt_hashlimit's parse and final check). */
function configure(m: ParsedModule): { config?: Config; errors: Localized[] } {
  const errors: Localized[] = [];
  const upto = optionOf(m, 'hashlimit-upto'), above = optionOf(m, 'hashlimit-above');
  const given = upto ?? above;
  if (!given) return { errors: [loc('hashlimit needs --hashlimit-upto or --hashlimit-above', 'hashlimit には --hashlimit-upto か --hashlimit-above が必要です')] };
  const rate = given.value as HashRate;
  const burstText = optionOf(m, 'hashlimit-burst')?.value as number | undefined;
  const expireGiven = optionOf(m, 'hashlimit-htable-expire')?.value as number | undefined;
  const rateMatch = !!optionOf(m, 'hashlimit-rate-match');
  let burst: number, period: number, expire: number, mult: number;
  if (rate.bytes) {
    const unit = costToBytes(rate.rate.cost);
    period = rate.rate.cost;
    mult = BYTE_EXPIRE;
    burst = 0;
    expire = BYTE_EXPIRE * 1000;
    if (burstText !== undefined) {
      if (unit === 0) errors.push(loc('this byte rate is too small to take a burst (iptables crashes on it)', 'このバイトレートは小さすぎてバーストを指定できません（iptables が異常終了します）'));
      else if (burstText < unit) errors.push(loc(`--hashlimit-burst cannot be smaller than ${unit}b for this rate`, `このレートでは --hashlimit-burst を ${unit}b より小さくできません`));
      else {
        burst = Math.ceil(burstText / unit);
        expire = BYTE_EXPIRE_BURST * 1000;
      }
    }
  } else {
    period = rate.rate.period;
    mult = rate.rate.unitSeconds;
    burst = burstText ?? HASHLIMIT_DEFAULT_BURST;
    expire = mult * 1000;
    if (burst > HASHLIMIT_MAX_BURST) errors.push(loc(`--hashlimit-burst must be 1-${HASHLIMIT_MAX_BURST} packets`, `--hashlimit-burst は 1〜${HASHLIMIT_MAX_BURST} パケットで指定します`));
  }
  if (expireGiven !== undefined) expire = expireGiven;
  let interval = 0;
  if (rateMatch) {
    if (!rate.bytes) period = Math.floor(period / mult);
    interval = (optionOf(m, 'hashlimit-rate-interval')?.value as number | undefined) ?? (rate.bytes ? 1 : mult);
  }
  return { config: { above: (upto ? upto.negated : !above!.negated), rate, burst, period, expire, interval, rateMatch }, errors };
}

const plenMax = (ctx: OptionContext) => (ctx.family === 4 ? 32 : 128);

export const hashlimitMatch: ModuleDef = {
  name: 'hashlimit',
  kind: 'match',
  doc: loc(
    'Rate limit with one token bucket per group of packets, chosen by --hashlimit-mode (per source address, per destination port...). Typical use: limit new SSH connections per client.',
    'パケットのグループごと（--hashlimit-mode で送信元アドレス別・宛先ポート別などを指定）にトークンバケットを持つレート制限です。クライアントごとに SSH の新規接続数を制限する、といった用途に使います。',
  ),
  options: [
    {
      ...rateOption('hashlimit-upto', 'Match while the group stays at or below this rate (packets per time unit, or bytes per second like `512kb/s`). `--hashlimit` is its old name.',
        'グループのレートがこの値以下の間は一致します（単位時間あたりのパケット数、または `512kb/s` のような毎秒バイト数）。`--hashlimit` は旧名です。'),
      aliases: ['hashlimit'],
    },
    rateOption('hashlimit-above', 'Match once the group exceeds this rate (the usual way to drop the excess).',
      'グループのレートがこの値を超えたら一致します（超過分を破棄する一般的な書き方）。'),
    {
      name: 'hashlimit-burst', args: 1, argName: 'amount[k|m]',
      parse: (args) => {
        const v = parseBurstAmount(args[0]);
        return v === undefined ? fail(`--hashlimit-burst must be a number from 1 to ${HASHLIMIT_MAX_BURST} (bytes may end in k or m), not "${args[0]}"`,
          `--hashlimit-burst は 1〜${HASHLIMIT_MAX_BURST} の数値で指定します（バイト数は k, m も可。"${args[0]}" は不可）`) : ok(v);
      },
      doc: loc('Packets that may match in a burst (default 5); with a byte rate, the bytes that may exceed it (e.g. 1mb).',
        'まとめて一致できるパケット数（既定 5）。バイトレートでは超過を許すバイト数（例: 1mb）。'),
    },
    {
      name: 'hashlimit-mode', args: 1, argName: 'srcip,srcport,dstip,dstport', values: [...HASHLIMIT_MODES, 'srcip,dstport'],
      parse: (args) => {
        const set = new Set<string>();
        for (const item of args[0].split(/[,|]/)) {
          if (item === '') continue;
          if (!(HASHLIMIT_MODES as readonly string[]).includes(item)) {
            return fail(`--hashlimit-mode: "${item}" is not srcip, srcport, dstip or dstport`, `--hashlimit-mode: "${item}" は srcip, srcport, dstip, dstport のいずれでもありません`);
          }
          set.add(item);
        }
        return ok(set);
      },
      doc: loc('What makes a group: a comma-separated list of srcip, srcport, dstip, dstport. Without it, all packets share one bucket like limit.',
        'グループの分け方: srcip, srcport, dstip, dstport をカンマ区切りで。省略すると limit と同じく全体で 1 つのバケットです。'),
    },
    {
      name: 'hashlimit-srcmask', args: 1, argName: 'prefix-length',
      parse: (args, ctx) => uintArg('--hashlimit-srcmask', 0, plenMax(ctx))(args),
      doc: loc('With srcip mode, group source addresses by this prefix length (e.g. 24 = one bucket per /24).', 'srcip モードで、送信元アドレスをこのプレフィックス長でまとめます（例: 24 なら /24 ごとに 1 バケット）。'),
    },
    {
      name: 'hashlimit-dstmask', args: 1, argName: 'prefix-length',
      parse: (args, ctx) => uintArg('--hashlimit-dstmask', 0, plenMax(ctx))(args),
      doc: loc('With dstip mode, group destination addresses by this prefix length.', 'dstip モードで、宛先アドレスをこのプレフィックス長でまとめます。'),
    },
    {
      name: 'hashlimit-name', args: 1, argName: 'name',
      parse: (args) => (args[0] === '' ? fail('--hashlimit-name must not be empty', '--hashlimit-name は空にできません') : ok(args[0])),
      doc: loc('Name of the hash table (shown in /proc/net/ipt_hashlimit/). Required; rules with the same name share buckets.',
        'ハッシュテーブルの名前（/proc/net/ipt_hashlimit/ に現れます）。必須で、同じ名前のルールはバケットを共有します。'),
    },
    { name: 'hashlimit-htable-size', args: 1, argName: 'buckets', parse: uintArg('--hashlimit-htable-size'), doc: loc('Number of buckets of the hash table.', 'ハッシュテーブルのバケット数。') },
    { name: 'hashlimit-htable-max', args: 1, argName: 'entries', parse: uintArg('--hashlimit-htable-max'), doc: loc('Maximum number of entries in the hash table.', 'ハッシュテーブルの最大エントリ数。') },
    {
      name: 'hashlimit-htable-gcinterval', args: 1, argName: 'ms', parse: uintArg('--hashlimit-htable-gcinterval'),
      doc: loc('Milliseconds between garbage collections of the table (default 1000).', 'テーブルのガベージコレクション間隔（ミリ秒、既定 1000）。'),
    },
    {
      name: 'hashlimit-htable-expire', args: 1, argName: 'ms', parse: uintArg('--hashlimit-htable-expire'),
      doc: loc('Milliseconds after which an idle entry is removed (default: one unit of the rate).', '使われていないエントリを削除するまでのミリ秒（既定はレートの単位時間）。'),
    },
    {
      name: 'hashlimit-rate-match', args: 0,
      doc: loc('Classify flows by their rate instead of limiting them: match when the flow is above/below the rate.', '制限するのではなくレートでフローを分類します（レートを上回る・下回るフローに一致）。'),
    },
    {
      name: 'hashlimit-rate-interval', args: 1, argName: 'seconds',
      parse: (args) => {
        const n = /^\s*[+-]?[0-9]+/.exec(args[0]);
        const v = n ? Number(n[0]) : 0;
        return v > 0 ? ok(v) : fail(`--hashlimit-rate-interval must be a positive number of seconds, not "${args[0]}"`, `--hashlimit-rate-interval は正の秒数で指定します（"${args[0]}" は不可）`);
      },
      doc: loc('With --hashlimit-rate-match, how often (seconds) the rate is sampled.', '--hashlimit-rate-match で、レートを測る間隔（秒）。'),
    },
  ],
  validate(m) {
    if (hasBadValue(m, hashlimitMatch)) return [];
    const out: Localized[] = [];
    if (optionOf(m, 'hashlimit-upto') && optionOf(m, 'hashlimit-above')) out.push(exclusiveMessage('hashlimit-upto', 'hashlimit-above'));
    if (!optionOf(m, 'hashlimit-name')) out.push(loc('hashlimit needs --hashlimit-name', 'hashlimit には --hashlimit-name が必要です'));
    const { config, errors } = configure(m);
    out.push(...errors);
    if (!config || errors.length) return out;
    if (optionOf(m, 'hashlimit-htable-gcinterval')?.value === 0) out.push(loc('the kernel refuses --hashlimit-htable-gcinterval 0', 'カーネルは --hashlimit-htable-gcinterval 0 を受け付けません'));
    if (config.expire === 0) out.push(loc('the kernel refuses --hashlimit-htable-expire 0', 'カーネルは --hashlimit-htable-expire 0 を受け付けません'));
    if (!config.rate.bytes && !config.rateMatch && creditsOverflow(config.period, config.burst)) {
      out.push(loc(`rate too slow for a burst of ${config.burst}: the kernel refuses it (numerical result out of range); raise the rate or lower the burst`,
        `このレートではバースト ${config.burst} を扱えず、カーネルが拒否します（数値が範囲外）。レートを上げるかバーストを下げてください`));
    }
    return out;
  },
  save(m, ctx) {
    const c = configure(m).config!;
    const words = ['-m', 'hashlimit', c.above ? '--hashlimit-above' : '--hashlimit-upto'];
    let quantum: number;
    if (c.rate.bytes) {
      words.push(formatByteRate(c.rate.rate.cost));
      quantum = BYTE_EXPIRE * 1000;
      if (c.burst) {
        words.push('--hashlimit-burst', formatByteBurst(costToBytes(c.rate.rate.cost) * c.burst));
        quantum = BYTE_EXPIRE_BURST * 1000;
      }
    } else {
      words.push(formatRate(c.period, HASHLIMIT_SCALE), '--hashlimit-burst', String(c.burst));
      quantum = rateQuantumMs(c.period, HASHLIMIT_SCALE);
    }
    const modes = optionOf(m, 'hashlimit-mode')?.value as Set<string> | undefined;
    if (modes?.size) words.push('--hashlimit-mode', HASHLIMIT_MODES.filter((x) => modes.has(x)).join(','));
    // printf("%s"): the name is printed as it is, never quoted.
    words.push('--hashlimit-name', optionOf(m, 'hashlimit-name')!.value as string);
    const num = (name: string) => optionOf(m, name)?.value as number | undefined;
    const size = num('hashlimit-htable-size'), max = num('hashlimit-htable-max'), gc = num('hashlimit-htable-gcinterval');
    if (size) words.push('--hashlimit-htable-size', String(size));
    if (max) words.push('--hashlimit-htable-max', String(max));
    if (gc !== undefined && gc !== DEFAULT_GC_INTERVAL) words.push('--hashlimit-htable-gcinterval', String(gc));
    if (c.expire !== quantum) words.push('--hashlimit-htable-expire', String(c.expire));
    const full = plenMax(ctx);
    for (const name of ['hashlimit-srcmask', 'hashlimit-dstmask']) {
      const v = num(name);
      if (v !== undefined && v !== full) words.push(`--${name}`, String(v));
    }
    if (c.rateMatch) {
      words.push('--hashlimit-rate-match');
      if (c.interval !== 1) words.push('--hashlimit-rate-interval', String(c.interval));
    }
    return words;
  },
};
