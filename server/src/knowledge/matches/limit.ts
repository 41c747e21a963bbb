// The limit match (libxt_limit): a token bucket shared by every packet the rule sees.
import { loc } from '../../syntax/ast';
import type { ModuleDef } from '../types';
import { optionOf } from '../save-helpers';
import { LIMIT_DEFAULT_BURST, LIMIT_DEFAULT_RATE, LIMIT_SCALE, RATE_EXAMPLES, formatRate, parseRate, type Rate } from '../rates';
import { uintArg } from './xt-values';

const DEFAULT_PERIOD = (parseRate(LIMIT_DEFAULT_RATE, LIMIT_SCALE, 'limit') as { ok: true; value: Rate }).value.period;

export const limitMatch: ModuleDef = {
  name: 'limit',
  kind: 'match',
  doc: loc(
    'Matches at most at the given average rate (token bucket), e.g. to keep LOG rules from flooding the log. One bucket for the whole rule; use hashlimit for one per source address. Cannot be negated.',
    '指定した平均レート以下でだけ一致します（トークンバケット）。LOG ルールでログがあふれないようにする用途など。バケットはルール全体で 1 つです（送信元ごとなら hashlimit）。否定はできません。',
  ),
  options: [
    {
      name: 'limit', args: 1, argName: 'rate[/second|/minute|/hour|/day]', values: RATE_EXAMPLES,
      parse: (args) => parseRate(args[0], LIMIT_SCALE, 'limit'),
      doc: loc('Average matching rate: a number with an optional /second, /minute, /hour or /day (default 3/hour; at most 10000/second).',
        '平均の一致レート。数値に /second, /minute, /hour, /day を付けます（既定 3/hour、最大 10000/second）。'),
    },
    {
      name: 'limit-burst', args: 1, argName: 'number',
      parse: uintArg('--limit-burst', 0, 10000),
      doc: loc('How many packets may match in a burst before the rate applies (default 5, at most 10000).',
        'レート制限がかかる前にまとめて一致できるパケット数（既定 5、最大 10000）。'),
    },
  ],
  save(m) {
    const rate = optionOf(m, 'limit');
    const period = rate ? (rate.value as Rate).period : DEFAULT_PERIOD;
    const words = ['-m', 'limit', '--limit', formatRate(period, LIMIT_SCALE)];
    const burst = optionOf(m, 'limit-burst')?.value as number | undefined;
    // iptables-nft stores the limit as an nft expression: a burst of 0 comes back as the default.
    if (burst !== undefined && burst !== LIMIT_DEFAULT_BURST && burst !== 0) words.push('--limit-burst', String(burst));
    return words;
  },
};

