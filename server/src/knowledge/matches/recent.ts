// The recent match (libxt_recent, revision 1): lists of recently seen addresses, the classic
// tool against SSH brute force (`--set` on new connections, `--update --seconds 60
// --hitcount 4` to drop the fifth).
import { loc, type Localized } from '../../syntax/ast';
import type { ModuleDef } from '../types';
import { fail, formatAddressBytes, ok } from '../values';
import { optionOf } from '../save-helpers';
import { exclusiveMessage, parsePlainAddress, truncateBytes, uintArg, hasBadValue } from './xt-values';

const ACTIONS = ['set', 'rcheck', 'update', 'remove'] as const;
/** xt_recent keeps the list name in a 200-byte buffer: 199 bytes survive. */
const NAME_BYTES = 199;
/** Largest --hitcount the kernel accepts (XT_RECENT_MAX_NSTAMPS - 1 on current kernels). */
export const RECENT_MAX_HITCOUNT = 65535;

/** printf("%d") of a 32-bit value: iptables prints large --seconds as negative numbers. */
const signed32 = (n: number): string => String(n | 0);

export const recentMatch: ModuleDef = {
  name: 'recent',
  kind: 'match',
  doc: loc(
    'Keeps named lists of recently seen source (or destination) addresses and matches on them: `--set` adds the address, `--rcheck`/`--update` test it (optionally within --seconds and with --hitcount hits), `--remove` deletes it.',
    '最近見た送信元（または宛先）アドレスの名前付きリストを持ち、それで判定します。`--set` で追加、`--rcheck`・`--update` で確認（--seconds の期間内・--hitcount 回以上の条件も可）、`--remove` で削除します。',
  ),
  options: [
    {
      name: 'name', args: 1, argName: 'list',
      parse: (args) => (args[0] === '' ? fail('--name must not be empty', '--name は空にできません')
        : args[0].includes('/') ? fail(`the list name "${args[0]}" must not contain "/" (the kernel refuses it)`, `リスト名 "${args[0]}" に "/" は使えません（カーネルが拒否します）`)
          : ok(truncateBytes(args[0], NAME_BYTES))),
      doc: loc('Name of the list (default DEFAULT), shown as /proc/net/xt_recent/NAME.', 'リストの名前（既定は DEFAULT）。/proc/net/xt_recent/名前 に現れます。'),
    },
    { name: 'set', args: 0, negatable: true, doc: loc('Add (or refresh) the packet\'s address in the list; always matches (never, when negated).', 'パケットのアドレスをリストに追加（既にあれば更新）します。常に一致します（否定すると常に不一致）。') },
    { name: 'rcheck', args: 0, negatable: true, doc: loc('Match if the address is in the list.', 'アドレスがリストにあれば一致します。') },
    { name: 'update', args: 0, negatable: true, doc: loc('Like --rcheck, and refresh the "last seen" time when it matches.', '--rcheck と同じで、一致したら「最終確認時刻」を更新します。') },
    { name: 'remove', args: 0, negatable: true, doc: loc('Match if the address is in the list, and remove it.', 'アドレスがリストにあれば一致し、リストから削除します。') },
    { name: 'rsource', args: 0, doc: loc('Use the source address of the packet (the default).', 'パケットの送信元アドレスを使います（既定）。') },
    { name: 'rdest', args: 0, doc: loc('Use the destination address of the packet.', 'パケットの宛先アドレスを使います。') },
    {
      name: 'mask', args: 1, argName: 'netmask',
      parse: (args, ctx) => parsePlainAddress(args[0], ctx.family, '--mask'),
      doc: loc('Netmask applied to addresses before they are stored or looked up (e.g. 255.255.255.0 groups a /24).', 'アドレスを記録・検索する前にかけるネットマスク（例: 255.255.255.0 で /24 単位）。'),
    },
    {
      name: 'seconds', args: 1, argName: 'seconds', parse: uintArg('--seconds', 1),
      doc: loc('With --rcheck or --update: only if the address was seen within this many seconds.', '--rcheck・--update と併用: この秒数以内に見たアドレスだけに一致します。'),
    },
    { name: 'reap', args: 0, doc: loc('With --seconds: purge entries older than that many seconds.', '--seconds と併用: その秒数より古いエントリを削除します。') },
    {
      name: 'hitcount', args: 1, argName: 'hits', parse: uintArg('--hitcount'),
      doc: loc(`With --rcheck or --update: only if the address was seen at least this many times (at most ${RECENT_MAX_HITCOUNT}; the module's ip_pkt_list_tot sets how many are remembered).`,
        `--rcheck・--update と併用: この回数以上見たアドレスだけに一致します（最大 ${RECENT_MAX_HITCOUNT}。記録される回数はモジュールの ip_pkt_list_tot で決まります）。`),
    },
    { name: 'rttl', args: 0, doc: loc('With --rcheck or --update: the TTL must also equal that of the packet that was --set (hinders spoofed sources).', '--rcheck・--update と併用: TTL も --set したパケットと同じ場合だけ一致します（送信元の偽装対策）。') },
  ],
  validate(m) {
    if (hasBadValue(m, recentMatch)) return [];
    const out: Localized[] = [];
    const actions = ACTIONS.filter((a) => optionOf(m, a));
    if (actions.length === 0) out.push(loc('recent needs one of --set, --rcheck, --update or --remove', 'recent には --set, --rcheck, --update, --remove のいずれかが必要です'));
    for (let i = 1; i < actions.length; i++) out.push(exclusiveMessage(actions[0], actions[i]));
    if (optionOf(m, 'reap') && !optionOf(m, 'seconds')) out.push(loc('--reap needs --seconds', '--reap には --seconds が必要です'));
    const passive = actions.length === 1 && (actions[0] === 'set' || actions[0] === 'remove');
    if (passive) {
      if (optionOf(m, 'rttl')) out.push(exclusiveMessage('rttl', actions[0]));
      else if (optionOf(m, 'seconds') || optionOf(m, 'hitcount') || optionOf(m, 'reap')) {
        out.push(loc(`--seconds, --hitcount and --reap only work with --rcheck or --update: the kernel refuses them with --${actions[0]}`,
          `--seconds・--hitcount・--reap は --rcheck か --update とだけ使えます（--${actions[0]} ではカーネルが拒否します）`));
      }
    }
    const hits = optionOf(m, 'hitcount')?.value as number | undefined;
    if (hits !== undefined && hits > RECENT_MAX_HITCOUNT) out.push(loc(`--hitcount ${hits} is larger than the kernel allows (${RECENT_MAX_HITCOUNT})`, `--hitcount ${hits} はカーネルの上限（${RECENT_MAX_HITCOUNT}）を超えています`));
    return out;
  },
  save(m, ctx) {
    const words = ['-m', 'recent'];
    const action = ACTIONS.map((a) => optionOf(m, a)).find((o) => o)!;
    if (action.negated) words.push('!');
    words.push(`--${action.name}`);
    const seconds = optionOf(m, 'seconds')?.value as number | undefined;
    if (seconds) words.push('--seconds', signed32(seconds));
    if (optionOf(m, 'reap')) words.push('--reap');
    const hits = optionOf(m, 'hitcount')?.value as number | undefined;
    if (hits) words.push('--hitcount', signed32(hits));
    if (optionOf(m, 'rttl')) words.push('--rttl');
    // printf("%s"): the name is printed as it is, never quoted.
    words.push('--name', (optionOf(m, 'name')?.value as string | undefined) ?? 'DEFAULT');
    const mask = optionOf(m, 'mask')?.value as number[] | undefined;
    words.push('--mask', formatAddressBytes(mask ?? new Array(ctx.family === 4 ? 4 : 16).fill(255)));
    // The later of --rsource / --rdest wins.
    const side = m.options.filter((o) => o.name === 'rsource' || o.name === 'rdest').pop();
    words.push(side?.name === 'rdest' ? '--rdest' : '--rsource');
    return words;
  },
};
