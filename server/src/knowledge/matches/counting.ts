// Counting matches: connlimit (parallel connections per address group), connbytes (traffic so
// far on a connection), quota (a byte budget) and nfacct (named accounting objects).
import { loc, type Localized } from '../../syntax/ast';
import type { ModuleDef } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf, quoteSaveString } from '../save-helpers';
import { cUint, exclusiveMessage, parsePlenMask, requiredMessage, truncateBytes, uintArg } from './xt-values';

const U64_MAX = 2n ** 64n - 1n;

export const connlimitMatch: ModuleDef = {
  name: 'connlimit',
  kind: 'match',
  doc: loc(
    'Matches on the number of connections already open from the same client address (or address block, or to the same destination). Typical use: reject a client above N parallel connections.',
    '同じクライアントアドレス（またはアドレスブロック、宛先）から既に開いている接続数で判定します。クライアントごとの同時接続数を N までに抑える、といった用途に使います。',
  ),
  options: [
    {
      name: 'connlimit-upto', args: 1, negatable: true, argName: 'n', parse: uintArg('--connlimit-upto'),
      doc: loc('Match while the group has at most n connections.', 'グループの接続数が n 以下の間は一致します。'),
    },
    {
      name: 'connlimit-above', args: 1, negatable: true, argName: 'n', parse: uintArg('--connlimit-above'),
      doc: loc('Match when the group has more than n connections (usually followed by -j REJECT or DROP).', 'グループの接続数が n を超えたら一致します（通常 -j REJECT や DROP と組み合わせます）。'),
    },
    {
      name: 'connlimit-mask', args: 1, argName: 'prefix-length',
      parse: (args, ctx) => parsePlenMask(args[0], ctx.family, '--connlimit-mask'),
      doc: loc('Count per address block of this prefix length (default 32 for IPv4, 128 for IPv6: per single address).', 'このプレフィックス長のアドレスブロックごとに数えます（既定は IPv4 で 32、IPv6 で 128、つまりアドレス単位）。'),
    },
    { name: 'connlimit-saddr', args: 0, doc: loc('Group by source address (the default).', '送信元アドレスでまとめます（既定）。') },
    { name: 'connlimit-daddr', args: 0, doc: loc('Group by destination address instead.', '宛先アドレスでまとめます。') },
  ],
  validate(m) {
    const out: Localized[] = [];
    const upto = optionOf(m, 'connlimit-upto'), above = optionOf(m, 'connlimit-above');
    if (!upto && !above) out.push(loc('connlimit needs --connlimit-above or --connlimit-upto', 'connlimit には --connlimit-above か --connlimit-upto が必要です'));
    if (upto && above) out.push(exclusiveMessage('connlimit-upto', 'connlimit-above'));
    if (optionOf(m, 'connlimit-saddr') && optionOf(m, 'connlimit-daddr')) out.push(exclusiveMessage('connlimit-saddr', 'connlimit-daddr'));
    return out;
  },
  save(m, ctx) {
    const upto = optionOf(m, 'connlimit-upto'), above = optionOf(m, 'connlimit-above');
    const given = (upto ?? above)!;
    // `! --connlimit-upto N` is stored as --connlimit-above N, and the other way round.
    const isAbove = above ? !above.negated : upto!.negated;
    const mask = (optionOf(m, 'connlimit-mask')?.value as number | undefined) ?? (ctx.family === 4 ? 32 : 128);
    return ['-m', 'connlimit', isAbove ? '--connlimit-above' : '--connlimit-upto', String(given.value), '--connlimit-mask', String(mask),
      optionOf(m, 'connlimit-daddr') ? '--connlimit-daddr' : '--connlimit-saddr'];
  },
};

const CONNBYTES_DIRS = ['original', 'reply', 'both'];
const CONNBYTES_MODES = ['packets', 'bytes', 'avgpkt'];

const choice = (option: string, allowed: string[]) => (args: string[]) =>
  allowed.includes(args[0]) ? ok(args[0]) : fail(`--${option} takes ${allowed.join(', ')}, not "${args[0]}"`, `--${option} には ${allowed.join(', ')} のいずれかを指定します（"${args[0]}" は不可）`);

export const connbytesMatch: ModuleDef = {
  name: 'connbytes',
  kind: 'match',
  doc: loc(
    'Matches on how much a connection has transferred so far (packets, bytes or average packet size), e.g. to move long downloads to a lower priority. Needs conntrack accounting (net.netfilter.nf_conntrack_acct=1).',
    '接続がこれまでに転送した量（パケット数、バイト数、平均パケット長）で判定します。長時間のダウンロードを低優先度にする用途など。conntrack のアカウンティング（net.netfilter.nf_conntrack_acct=1）が必要です。',
  ),
  options: [
    {
      name: 'connbytes', args: 1, negatable: true, argName: 'from[:to]',
      parse: (args) => {
        const parts = args[0].split(':');
        if (parts.length > 2) return fail(`--connbytes takes from[:to], not "${args[0]}"`, `--connbytes は 開始[:終了] で指定します（"${args[0]}" は不可）`);
        const vals: bigint[] = [];
        for (let i = 0; i < parts.length; i++) {
          const v = parts[i] === '' ? (i === 1 ? U64_MAX : 0n) : cUint(parts[i], 0n, U64_MAX);
          if (v === undefined) return fail(`--connbytes: "${parts[i]}" is not a number`, `--connbytes: "${parts[i]}" は数値ではありません`);
          vals.push(v);
        }
        const from = vals[0], to = vals.length > 1 ? vals[1] : U64_MAX;
        if (to < from) return fail(`--connbytes: ${from} should be less than ${to}`, `--connbytes: ${from} は ${to} 以下でなければなりません`);
        return ok({ from, to });
      },
      doc: loc('Range of the counted amount: more than `from` and (if given) less than `to`.', '数える量の範囲: `開始` を超え、（指定すれば）`終了` 未満。'),
    },
    {
      name: 'connbytes-dir', args: 1, argName: 'original|reply|both', values: CONNBYTES_DIRS, parse: choice('connbytes-dir', CONNBYTES_DIRS),
      doc: loc('Which direction to count: original (from the initiator), reply, or both.', '数える方向: original（開始側から）、reply（応答）、both（両方）。'),
    },
    {
      name: 'connbytes-mode', args: 1, argName: 'packets|bytes|avgpkt', values: CONNBYTES_MODES, parse: choice('connbytes-mode', CONNBYTES_MODES),
      doc: loc('What to count: packets, bytes, or the average packet size so far.', '数えるもの: パケット数、バイト数、これまでの平均パケット長。'),
    },
  ],
  validate(m) {
    return ['connbytes', 'connbytes-dir', 'connbytes-mode'].filter((n) => !optionOf(m, n)).map((n) => requiredMessage('connbytes', n));
  },
  save(m) {
    const c = optionOf(m, 'connbytes')!;
    const r = c.value as { from: bigint; to: bigint };
    return ['-m', 'connbytes', ...bang(c), '--connbytes', r.to === U64_MAX ? String(r.from) : `${r.from}:${r.to}`,
      '--connbytes-mode', optionOf(m, 'connbytes-mode')!.value as string, '--connbytes-dir', optionOf(m, 'connbytes-dir')!.value as string];
  },
};

export const quotaMatch: ModuleDef = {
  name: 'quota',
  kind: 'match',
  doc: loc(
    'Matches until a byte budget is used up: each matching packet is subtracted from the quota. Negated, it matches only once the quota is spent. The counter lives in the rule and restarts when the rule is reloaded.',
    'バイト数の予算を使い切るまで一致します（一致したパケットの分だけ減ります）。否定すると使い切った後にだけ一致します。カウンタはルールにあり、ルールを読み込み直すと戻ります。',
  ),
  options: [
    {
      name: 'quota', args: 1, negatable: true, argName: 'bytes',
      parse: (args) => {
        const v = cUint(args[0], 0n, U64_MAX);
        return v === undefined ? fail(`--quota must be a number of bytes from 0 to ${U64_MAX}, not "${args[0]}"`, `--quota は 0〜${U64_MAX} のバイト数で指定します（"${args[0]}" は不可）`) : ok(v);
      },
      doc: loc('The budget in bytes.', '予算のバイト数。'),
    },
  ],
  validate: (m) => (optionOf(m, 'quota') ? [] : [requiredMessage('quota', 'quota')]),
  save(m) {
    const q = optionOf(m, 'quota')!;
    return ['-m', 'quota', ...bang(q), '--quota', String(q.value)];
  },
};

/** nfacct object names are at most 31 bytes (NFACCT_NAME_MAX - 1); longer ones are cut. */
const NFACCT_NAME_BYTES = 31;

export const nfacctMatch: ModuleDef = {
  name: 'nfacct',
  kind: 'match',
  doc: loc(
    'Counts matching traffic in a named accounting object created beforehand with `nfacct add NAME` (the rule fails to load if it does not exist).',
    '一致したトラフィックを、事前に `nfacct add 名前` で作成した名前付きのアカウンティングオブジェクトで数えます（存在しないとルールを読み込めません）。',
  ),
  options: [
    {
      name: 'nfacct-name', args: 1, argName: 'name',
      parse: (args) => (args[0] === '' ? fail('--nfacct-name must not be empty', '--nfacct-name は空にできません') : ok(truncateBytes(args[0], NFACCT_NAME_BYTES))),
      doc: loc('Name of the nfacct object (at most 31 bytes).', 'nfacct オブジェクトの名前（31 バイトまで）。'),
    },
  ],
  validate: (m) => (optionOf(m, 'nfacct-name') ? [] : [requiredMessage('nfacct', 'nfacct-name')]),
  save(m) {
    // iptables 1.8.9 prints two spaces here (" --nfacct-name " then a quoted string with its own space).
    return ['-m', 'nfacct', '--nfacct-name', '', quoteSaveString(optionOf(m, 'nfacct-name')!.value as string)];
  },
};
