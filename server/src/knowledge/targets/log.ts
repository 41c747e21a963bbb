// Logging targets: LOG (kernel log), NFLOG (netlink to userspace), ULOG (its old IPv4-only
// predecessor) and AUDIT (audit records).
import { loc, type ParsedModule } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { fail, ok } from '../values';
import { exclusive, flagOption, has, last, mustGive, truncateBytes, uintOption, xtSaveString, xtUint } from './target-values';

/** syslog level names iptables knows (case-sensitive); error and panic are old spellings. */
const LOG_LEVELS: Record<string, number> = {
  emerg: 0, panic: 0, alert: 1, crit: 2, error: 3, warning: 4, notice: 5, info: 6, debug: 7,
};

/** A prefix string: not empty, no newline, cut to the kernel's buffer. */
function prefixOption(name: string, size: number, doc: ReturnType<typeof loc>): OptionDef {
  return {
    name, args: 1, argName: 'prefix', doc,
    parse: (args) => {
      if (args[0] === '') return fail(`--${name} must not be empty`, `--${name} は空にできません`);
      if (args[0].includes('\n')) return fail(`--${name} must not contain a newline`, `--${name} に改行は使えません`);
      return ok(truncateBytes(args[0], size));
    },
  };
}

const LOG_FLAGS: [string, ReturnType<typeof loc>][] = [
  ['log-tcp-sequence', loc('Also logs TCP sequence numbers (a risk if users can read the log).', 'TCP のシーケンス番号も記録します（ログを一般ユーザーが読めると危険です）。')],
  ['log-tcp-options', loc('Also logs the options of the TCP header.', 'TCP ヘッダのオプションも記録します。')],
  ['log-ip-options', loc('Also logs the options of the IP/IPv6 header.', 'IP/IPv6 ヘッダのオプションも記録します。')],
  ['log-uid', loc('Also logs the user id of the local process that sent the packet.', 'パケットを送ったローカルプロセスのユーザー ID も記録します。')],
  ['log-macdecode', loc('Logs MAC addresses and the link-layer protocol in readable form.', 'MAC アドレスとリンク層のプロトコルを読みやすい形で記録します。')],
];

export const logTarget: ModuleDef = {
  name: 'LOG', kind: 'target',
  doc: loc(
    'Writes a line about each matching packet to the kernel log (dmesg, syslog), then goes on with the next rule: it does not accept or drop. Put it before the DROP or REJECT rule it documents.',
    '一致したパケットの情報をカーネルログ（dmesg や syslog）に書き、次のルールへ進みます（許可も破棄もしません）。記録したい DROP や REJECT のルールの前に置きます。',
  ),
  options: [
    {
      name: 'log-level', args: 1, argName: 'level', values: Object.keys(LOG_LEVELS),
      doc: loc('syslog level, as a number 0-7 or a name (emerg, alert, crit, error, warning, notice, info, debug); warning (4) by default.',
        'syslog のレベル。0〜7 の数値か名前（emerg, alert, crit, error, warning, notice, info, debug）で指定します。既定は warning（4）。'),
      parse: (args) => {
        const n = xtUint(args[0], 0, 7) ?? LOG_LEVELS[args[0]];
        return n === undefined
          ? fail(`unknown log level "${args[0]}" (0-7 or emerg, alert, crit, error, warning, notice, info, debug)`, `不明なログレベル "${args[0]}" です（0〜7 または emerg, alert, crit, error, warning, notice, info, debug）`)
          : ok(n);
      },
    },
    prefixOption('log-prefix', 30, loc('Text put in front of each log line (up to 29 characters; longer text is cut).', '各ログ行の先頭に付ける文字列（29 文字まで。長い分は切り捨てられます）。')),
    ...LOG_FLAGS.map(([name, doc]) => flagOption(name, doc)),
  ],
  save: (m) => {
    const words = ['-j', 'LOG'];
    const prefix = last(m, 'log-prefix')?.value as string | undefined;
    if (prefix !== undefined) words.push('--log-prefix', xtSaveString(prefix));
    const level = last(m, 'log-level')?.value as number | undefined;
    if (level !== undefined && level !== 4) words.push('--log-level', String(level));
    for (const [name] of LOG_FLAGS) if (has(m, name)) words.push(`--${name}`);
    return words;
  },
};

export const nflogTarget: ModuleDef = {
  name: 'NFLOG', kind: 'target',
  doc: loc(
    'Passes matching packets to a userspace logger over netlink (ulogd, tcpdump -i nflog:N), then goes on with the next rule.',
    '一致したパケットを netlink 経由でユーザー空間のロガー（ulogd、tcpdump -i nflog:N など）に渡し、次のルールへ進みます。',
  ),
  options: [
    uintOption('nflog-group', 0, 65535, loc('Netlink group (0-65535) the logger listens on; 0 by default.', 'ロガーが待ち受ける netlink グループ（0〜65535）。既定は 0。')),
    prefixOption('nflog-prefix', 128, loc('Text attached to each logged packet (up to 127 characters with the nft backend; longer text is cut).', '記録する各パケットに付ける文字列（nft バックエンドでは 127 文字まで。長い分は切り捨てられます）。')),
    uintOption('nflog-range', 0, 0xffffffff, loc('Obsolete and never worked; ignored by iptables-nft. Use --nflog-size.', '廃止済みで、正しく動いたことがありません（iptables-nft では無視されます）。--nflog-size を使います。')),
    uintOption('nflog-size', 0, 0xffffffff, loc('Number of bytes of each packet copied to userspace.', '各パケットのうちユーザー空間へコピーするバイト数。')),
    uintOption('nflog-threshold', 0, 65535, loc('Packets queued in the kernel before they are sent to userspace together.', 'まとめてユーザー空間へ送る前にカーネル内にためるパケット数。')),
  ],
  validate: (m) => exclusive(m, 'NFLOG', ['nflog-range', 'nflog-size']),
  save: (m) => {
    const words = ['-j', 'NFLOG'];
    const prefix = last(m, 'nflog-prefix')?.value as string | undefined;
    if (prefix !== undefined) words.push('--nflog-prefix', xtSaveString(prefix));
    const group = last(m, 'nflog-group')?.value as number | undefined;
    if (group) words.push('--nflog-group', String(group));
    // iptables-nft drops --nflog-range; --nflog-size is printed even when 0.
    const size = last(m, 'nflog-size')?.value as number | undefined;
    if (size !== undefined) words.push('--nflog-size', String(size));
    const threshold = last(m, 'nflog-threshold')?.value as number | undefined;
    if (threshold) words.push('--nflog-threshold', String(threshold));
    return words;
  },
};

export const ulogTarget: ModuleDef = {
  name: 'ULOG', kind: 'target', family: 4, deprecatedBy: 'NFLOG',
  doc: loc(
    'Old IPv4-only netlink logging, replaced by NFLOG. Linux removed it in 3.17, so current kernels refuse the rule.',
    '旧式の IPv4 専用 netlink ロギングで、NFLOG に置き換えられました。Linux 3.17 で削除されたため、現在のカーネルはこのルールを拒否します。',
  ),
  options: [
    uintOption('ulog-nlgroup', 1, 32, loc('Netlink group 1-32; 1 by default.', 'netlink グループ（1〜32）。既定は 1。')),
    prefixOption('ulog-prefix', 32, loc('Text attached to each logged packet (up to 31 characters).', '記録する各パケットに付ける文字列（31 文字まで）。')),
    uintOption('ulog-cprange', 0, Number.MAX_SAFE_INTEGER, loc('Bytes of each packet copied to userspace; 0 (the default) copies all.', '各パケットのうちユーザー空間へコピーするバイト数。0（既定）なら全部。')),
    uintOption('ulog-qthreshold', 1, 50, loc('Packets queued in the kernel before they are sent together (1-50); 1 by default.', 'まとめて送る前にカーネル内にためるパケット数（1〜50）。既定は 1。')),
  ],
  validate: () => [loc('ULOG is refused by every kernel since Linux 3.17 (the module was removed): use NFLOG', 'ULOG は Linux 3.17 以降のカーネルでは拒否されます（モジュールが削除されました）。NFLOG を使います')],
  save: (m) => {
    const words = ['-j', 'ULOG'];
    const prefix = last(m, 'ulog-prefix')?.value as string | undefined;
    if (prefix !== undefined) words.push('--ulog-prefix', xtSaveString(prefix));
    const group = last(m, 'ulog-nlgroup')?.value as number | undefined;
    if (group !== undefined && group !== 1) words.push('--ulog-nlgroup', String(group));
    const range = last(m, 'ulog-cprange')?.value as number | undefined;
    // Printed as a 32-bit number.
    if (range) words.push('--ulog-cprange', String(Number(BigInt(range) & 0xffffffffn)));
    const threshold = last(m, 'ulog-qthreshold')?.value as number | undefined;
    if (threshold !== undefined && threshold !== 1) words.push('--ulog-qthreshold', String(threshold));
    return words;
  },
};

const AUDIT_TYPES = ['accept', 'drop', 'reject'];

export const auditTarget: ModuleDef = {
  name: 'AUDIT', kind: 'target',
  doc: loc(
    'Creates an audit record (auditd) for each matching packet, then goes on with the next rule.',
    '一致したパケットごとに監査レコード（auditd）を作り、次のルールへ進みます。',
  ),
  options: [{
    name: 'type', args: 1, argName: 'type', values: AUDIT_TYPES,
    doc: loc('Record type accept, drop or reject. Required by iptables, though kernels since 4.12 ignore it.', '記録の種類 accept / drop / reject。iptables では必須ですが、カーネル 4.12 以降は無視します。'),
    parse: (args) => {
      const t = args[0].toLowerCase();
      return AUDIT_TYPES.includes(t) ? ok(t) : fail(`--type must be accept, drop or reject, not "${args[0]}"`, `--type には accept / drop / reject を指定します（"${args[0]}" は不可）`);
    },
  }],
  validate: (m: ParsedModule) => (has(m, 'type') ? [] : [mustGive('AUDIT', 'type')]),
  save: (m) => {
    const t = last(m, 'type')?.value as string | undefined;
    return t ? ['-j', 'AUDIT', '--type', t] : ['-j', 'AUDIT'];
  },
};

export const LOG_TARGETS = [logTarget, nflogTarget, ulogTarget, auditTarget];
