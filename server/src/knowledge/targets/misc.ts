// Targets that feed other subsystems: IDLETIMER (sysfs timers), LED (LED triggers), RATEEST
// (rate estimators for the rateest match), SET (ipset), CLUSTERIP (old IPv4 cluster sharing).
import { loc, type Localized } from '../../syntax/ast';
import type { ModuleDef, OptionContext, OptionDef, ValueResult } from '../types';
import { fail, ok } from '../values';
import { flagOption, has, isHookChain, last, mustGive, needsAlso, stringOption, uintOption, xtStrtoul } from './target-values';

// ---------------------------------------------------------------------------------------------
// IDLETIMER

export const idletimerTarget: ModuleDef = {
  name: 'IDLETIMER', kind: 'target',
  doc: loc(
    'Restarts a named timer on every matching packet; when it runs out, the kernel notifies userspace through sysfs (/sys/class/xt_idletimer/timers/LABEL), e.g. to notice an idle interface.',
    '一致したパケットのたびに名前付きタイマーをやり直します。時間切れになるとカーネルが sysfs（/sys/class/xt_idletimer/timers/ラベル）でユーザー空間に通知します（インターフェースの無通信検出など）。',
  ),
  options: [
    uintOption('timeout', 0, 0xffffffff, loc('Idle time in seconds before the notification (1 to 2147482).', '通知までの無通信時間（秒、1〜2147482）。'), { argName: 'seconds' }),
    stringOption('label', 28, loc('Name of the timer (up to 27 characters; rules with the same label share it).', 'タイマーの名前（27 文字まで。同じラベルのルールは同じタイマーを使います）。'), { argName: 'name' }),
    flagOption('alarm', loc('Uses an alarm timer, which also fires while the system is suspended.', 'アラームタイマーを使います（システムのサスペンド中でも動きます）。')),
  ],
  validate: (m) => {
    const out: Localized[] = [];
    const t = last(m, 'timeout')?.value as number | undefined;
    if (!has(m, 'timeout')) out.push(mustGive('IDLETIMER', 'timeout'));
    else if (t !== undefined && (t === 0 || t >= 2147483)) out.push(loc('IDLETIMER --timeout must be 1 to 2147482 seconds: the kernel refuses other values', 'IDLETIMER の --timeout は 1〜2147482 秒にします。それ以外はカーネルが拒否します'));
    if (!has(m, 'label')) out.push(mustGive('IDLETIMER', 'label'));
    else if (last(m, 'label')?.value === '') out.push(loc('IDLETIMER --label must not be empty', 'IDLETIMER の --label は空にできません'));
    return out;
  },
  save: (m) => {
    const w = ['-j', 'IDLETIMER'];
    const t = last(m, 'timeout')?.value as number | undefined;
    if (t !== undefined) w.push('--timeout', String(t));
    // The label is printed as it is, without quoting.
    const label = last(m, 'label')?.value as string | undefined;
    if (label !== undefined) w.push('--label', label);
    if (has(m, 'alarm')) w.push('--alarm');
    return w;
  },
};

// ---------------------------------------------------------------------------------------------
// LED

export const ledTarget: ModuleDef = {
  name: 'LED', kind: 'target',
  doc: loc(
    'Creates an LED trigger "netfilter-ID" that flashes when packets match; attach it with `echo netfilter-ID > /sys/class/leds/NAME/trigger`.',
    'パケットが一致すると点滅する LED トリガー "netfilter-ID" を作ります。`echo netfilter-ID > /sys/class/leds/名前/trigger` で LED に割り当てます。',
  ),
  options: [
    {
      name: 'led-trigger-id', args: 1, argName: 'name',
      doc: loc('Name of the trigger, without the "netfilter-" prefix (up to 16 characters; required).', 'トリガーの名前。"netfilter-" を除いた部分です（16 文字まで、必須）。'),
      parse: (args) => (Buffer.byteLength(args[0]) > 16 ? fail('--led-trigger-id is longer than 16 characters', '--led-trigger-id が 16 文字を超えています') : ok(args[0])),
    },
    {
      name: 'led-delay', args: 1, argName: 'ms|inf', values: ['inf'],
      doc: loc('How long the LED stays on after a packet, in milliseconds (0: just blink); `inf` keeps it on.', 'パケットの後に LED を点けておく時間（ミリ秒。0 なら点滅だけ）。`inf` なら点けたままにします。'),
      parse: (args) => {
        if (args[0].toLowerCase().startsWith('inf')) return ok(0xffffffff);
        const n = xtStrtoul(args[0], 0, 0xffffffff)?.value;
        return n === undefined ? fail(`--led-delay needs milliseconds (0-4294967295) or "inf", not "${args[0]}"`, `--led-delay にはミリ秒（0〜4294967295）か "inf" を指定します（"${args[0]}" は不可）`) : ok(n);
      },
    },
    flagOption('led-always-blink', loc('Blinks on every packet even while the LED is already on.', 'LED が点いている間も、パケットのたびに点滅させます。')),
  ],
  validate: (m) => (has(m, 'led-trigger-id') ? [] : [mustGive('LED', 'led-trigger-id')]),
  save: (m) => {
    const id = (last(m, 'led-trigger-id')?.value as string | undefined) ?? '';
    const w = ['-j', 'LED', '--led-trigger-id', `"${id.replace(/(["\\])/g, '\\$1')}"`];
    const delay = last(m, 'led-delay')?.value as number | undefined;
    // Printed with %d: `inf` (all ones) comes out as -1.
    if (delay) w.push('--led-delay', String(delay | 0));
    if (has(m, 'led-always-blink')) w.push('--led-always-blink');
    return w;
  },
};

// ---------------------------------------------------------------------------------------------
// RATEEST

const TIME_UNITS: [RegExp, number][] = [[/^(s|sec|secs)$/i, 1e6], [/^(ms|msec|msecs)$/i, 1e3], [/^(us|usec|usecs)$/i, 1]];

/** A time as strtod + unit (s, ms, us; none means microseconds), in microseconds (truncated). */
export function parseRateTime(text: string): number | undefined {
  const m = /^\s*([+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)(.*)$/.exec(text);
  if (!m) return undefined;
  let t = Number(m[1]);
  if (m[2] !== '') {
    const unit = TIME_UNITS.find(([re]) => re.test(m[2]));
    if (!unit) return undefined;
    t *= unit[1];
  }
  return t >= 0 && t < 2 ** 32 ? Math.trunc(t) : undefined;
}

/** libxt_RATEEST final check: interval 250ms * 2^k (k 0-5), ewma_log from the averaging time. */
export function rateestParams(interval: number, ewma: number): { interval: number; ewmaLog: number } | string {
  let k = 0;
  for (; k <= 5; k++) if (interval <= (1 << k) * 250000) break;
  if (k > 5) return 'interval';
  let e = 1;
  for (; e < 32; e++) {
    const w = 1.0 - 1.0 / 2 ** e;
    if (interval / -Math.log(w) > ewma) break;
  }
  e--;
  if (e === 0 || e >= 31) return 'ewmalog';
  return { interval: k - 2, ewmaLog: e };
}

function formatRateTime(us: number): string {
  if (us >= 1e6) return `${(us / 1e6).toFixed(1)}s`;
  if (us >= 1e3) return `${(us / 1e3).toFixed(1)}ms`;
  return `${us}us`;
}

const timeOption = (name: string, doc: Localized): OptionDef => ({
  name, args: 1, argName: 'time', doc,
  parse: (args): ValueResult<number> => {
    const t = parseRateTime(args[0]);
    return t === undefined ? fail(`--${name} needs a time such as 250ms, 1s or 500000us, not "${args[0]}"`, `--${name} には 250ms, 1s, 500000us のような時間を指定します（"${args[0]}" は不可）`) : ok(t);
  },
});

export const rateestTarget: ModuleDef = {
  name: 'RATEEST', kind: 'target',
  doc: loc('Measures the rate of matching traffic into a named estimator, which the rateest match can then compare.', '一致したトラフィックのレートを名前付きの推定器で測ります。その値は rateest マッチで比較できます。'),
  options: [
    stringOption('rateest-name', 16, loc('Name of the estimator (up to 15 characters; required).', '推定器の名前（15 文字まで、必須）。'), { argName: 'name' }),
    timeOption('rateest-interval', loc('Measurement interval (s, ms or us; rounded up to 250ms x 2^n, at most 8s; required).', '測定間隔（s, ms, us。250ms × 2^n に切り上げ、最大 8s。必須）。')),
    timeOption('rateest-ewmalog', loc('Averaging time constant (longer than the interval; required).', '平均をとる時定数（測定間隔より長くします。必須）。')),
  ],
  validate: (m) => {
    const out: Localized[] = [];
    for (const n of ['rateest-name', 'rateest-interval', 'rateest-ewmalog']) if (!has(m, n)) out.push(mustGive('RATEEST', n));
    const i = last(m, 'rateest-interval')?.value as number | undefined, e = last(m, 'rateest-ewmalog')?.value as number | undefined;
    if (out.length || i === undefined || e === undefined) return out;
    const r = rateestParams(i, e);
    if (r === 'interval') out.push(loc('RATEEST --rateest-interval is too large (8s at most)', 'RATEEST の --rateest-interval が大きすぎます（最大 8s）'));
    if (r === 'ewmalog') out.push(loc('RATEEST --rateest-ewmalog is out of range for this interval (it must be clearly longer)', 'RATEEST の --rateest-ewmalog がこの測定間隔に対して範囲外です（十分長くします）'));
    return out;
  },
  save: (m) => {
    const name = last(m, 'rateest-name')?.value as string | undefined;
    const i = last(m, 'rateest-interval')?.value as number | undefined, e = last(m, 'rateest-ewmalog')?.value as number | undefined;
    const r = i !== undefined && e !== undefined ? rateestParams(i, e) : undefined;
    if (name === undefined || !r || typeof r === 'string') return ['-j', 'RATEEST'];
    const interval = Number((1000000n << BigInt(r.interval + 2)) / 4n) >>> 0;
    const ewma = Number((BigInt(interval) << BigInt(r.ewmaLog)) & 0xffffffffn);
    // The name is printed without quoting.
    return ['-j', 'RATEEST', '--rateest-name', name, '--rateest-interval', formatRateTime(interval), '--rateest-ewmalog', formatRateTime(ewma)];
  },
};

// ---------------------------------------------------------------------------------------------
// SET

interface SetRef { name: string; flags: string }

function setOption(name: string, doc: Localized): OptionDef {
  return {
    name, args: 2, argName: 'setname src|dst[,...]', doc,
    parse: (args): ValueResult<SetRef> => {
      const [set, flags] = args;
      if (Buffer.byteLength(set) > 31) return fail(`set name "${set}" is longer than 31 characters`, `セット名 "${set}" が 31 文字を超えています`);
      const parts = flags.split(',');
      if (parts.length > 6) return fail('at most 6 src/dst flags are allowed', 'src / dst の指定は 6 個までです');
      if (parts.some((p) => p !== 'src' && p !== 'dst')) return fail(`--${name} needs a comma-separated list of src and dst, not "${flags}"`, `--${name} には src と dst をカンマ区切りで指定します（"${flags}" は不可）`);
      return ok({ name: set, flags });
    },
  };
}

export const setTarget: ModuleDef = {
  name: 'SET', kind: 'target',
  doc: loc(
    'Adds the packet\'s address/port to an ipset set, deletes it, or (--map-set) copies mark, priority or queue stored in the set to the packet. The set must exist (ipset create) when the rule is added.',
    'パケットのアドレスやポートを ipset のセットに追加・削除します。--map-set ではセットに保存したマーク・優先度・キューをパケットに写します。ルールを追加する時点でセットが存在している（ipset create 済み）必要があります。',
  ),
  options: [
    setOption('add-set', loc('Adds the packet\'s src/dst values to this set, e.g. `--add-set blacklist src`.', 'パケットの src / dst の値をこのセットに追加します（例: `--add-set blacklist src`）。')),
    setOption('del-set', loc('Deletes the packet\'s src/dst values from this set.', 'パケットの src / dst の値をこのセットから削除します。')),
    setOption('map-set', loc('Looks the packet up in this set and copies the stored skbinfo (mangle table only).', 'パケットをこのセットで検索し、保存された skbinfo を写します（mangle テーブル専用）。')),
    {
      name: 'timeout', args: 1, argName: 'seconds',
      doc: loc('With --add-set: timeout of the new entry instead of the set\'s default.', '--add-set で、セットの既定値の代わりに使うエントリのタイムアウト。'),
      parse: (args) => {
        const n = xtStrtoul(args[0], 0, 0xfffffffe)?.value;
        return n === undefined ? fail(`--timeout needs seconds 0-4294967294, not "${args[0]}"`, `--timeout には秒数 0〜4294967294 を指定します（"${args[0]}" は不可）`) : ok(n);
      },
    },
    flagOption('exist', loc('With --add-set: refresh the timeout of an entry that already exists.', '--add-set で、既にあるエントリのタイムアウトを更新します。')),
    flagOption('map-mark', loc('With --map-set: sets the packet mark from the set.', '--map-set で、セットの値からパケットのマークを設定します。')),
    flagOption('map-prio', loc('With --map-set: sets the tc priority from the set (OUTPUT, FORWARD, POSTROUTING).', '--map-set で、セットの値から tc の優先度を設定します（OUTPUT・FORWARD・POSTROUTING）。')),
    flagOption('map-queue', loc('With --map-set: sets the NIC transmit queue from the set (OUTPUT, FORWARD, POSTROUTING).', '--map-set で、セットの値から NIC の送信キューを設定します（OUTPUT・FORWARD・POSTROUTING）。')),
  ],
  validate: (m, ctx: OptionContext) => {
    const out: Localized[] = [];
    if (!has(m, 'add-set') && !has(m, 'del-set') && !has(m, 'map-set')) return [loc('SET needs --add-set, --del-set or --map-set', 'SET には --add-set, --del-set, --map-set のどれかが必要です')];
    for (const f of ['exist', 'timeout']) if (has(m, f) && !has(m, 'add-set')) out.push(needsAlso('SET', f, 'add-set'));
    const maps = ['map-mark', 'map-prio', 'map-queue'];
    for (const f of maps) if (has(m, f) && !has(m, 'map-set')) out.push(needsAlso('SET', f, 'map-set'));
    if (has(m, 'map-set')) {
      if (!maps.some((f) => has(m, f))) out.push(loc('SET --map-set needs --map-mark, --map-prio or --map-queue', 'SET の --map-set には --map-mark, --map-prio, --map-queue のどれかが必要です'));
      if (ctx.table !== 'mangle') out.push(loc('SET --map-set works only in the mangle table', 'SET の --map-set は mangle テーブルでのみ使えます'));
      const chain = ctx.cmd.chain;
      if ((has(m, 'map-prio') || has(m, 'map-queue')) && isHookChain(chain) && !['OUTPUT', 'FORWARD', 'POSTROUTING'].includes(chain!)) {
        out.push(loc(`--map-prio and --map-queue work only in OUTPUT, FORWARD and POSTROUTING, not in ${chain}`, `--map-prio と --map-queue は OUTPUT・FORWARD・POSTROUTING でのみ使えます（${chain} では使えません）`));
      }
    }
    return out;
  },
  save: (m) => {
    const w = ['-j', 'SET'];
    const ref = (n: string) => last(m, n)?.value as SetRef | undefined;
    const add = ref('add-set');
    if (add) w.push('--add-set', add.name, add.flags);
    if (has(m, 'exist')) w.push('--exist');
    const timeout = last(m, 'timeout')?.value as number | undefined;
    if (timeout !== undefined) w.push('--timeout', String(timeout));
    const del = ref('del-set');
    if (del) w.push('--del-set', del.name, del.flags);
    const map = ref('map-set');
    if (map) w.push('--map-set', map.name, map.flags);
    for (const f of ['map-mark', 'map-prio', 'map-queue']) if (has(m, f)) w.push(`--${f}`);
    return w;
  },
};

// ---------------------------------------------------------------------------------------------
// CLUSTERIP (IPv4)

const HASHMODES = ['sourceip', 'sourceip-sourceport', 'sourceip-sourceport-destport'];

export const clusteripTarget: ModuleDef = {
  name: 'CLUSTERIP', kind: 'target', family: 4, deprecatedBy: 'cluster',
  doc: loc(
    'Old way to share one IPv4 address and multicast MAC among cluster nodes. It does not work with iptables-nft and was removed from Linux 6.3: use the cluster match.',
    'クラスタのノード間で IPv4 アドレスとマルチキャスト MAC を共有する古い方法です。iptables-nft では動かず、Linux 6.3 で削除されました。cluster マッチを使います。',
  ),
  options: [
    flagOption('new', loc('Creates the cluster IP; required on the first rule for an address.', 'クラスタ IP を作ります。アドレスごとの最初のルールに必須です。')),
    {
      name: 'hashmode', args: 1, argName: 'mode', values: HASHMODES,
      doc: loc('What decides the node: sourceip, sourceip-sourceport or sourceip-sourceport-destport.', '担当ノードを決める要素: sourceip, sourceip-sourceport, sourceip-sourceport-destport。'),
      parse: (args) => (HASHMODES.includes(args[0]) ? ok(args[0]) : fail(`unknown --hashmode "${args[0]}" (${HASHMODES.join(', ')})`, `不明な --hashmode "${args[0]}" です（${HASHMODES.join(', ')}）`)),
    },
    {
      name: 'clustermac', args: 1, argName: 'mac',
      doc: loc('The shared MAC address; must be a multicast address (lowest bit of the first byte set).', '共有する MAC アドレス。マルチキャストアドレス（先頭バイトの最下位ビットが 1）にします。'),
      parse: (args) => {
        const bytes = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(args[0]) ? args[0].split(':').map((x) => parseInt(x, 16)) : undefined;
        if (!bytes) return fail(`"${args[0]}" is not a MAC address`, `"${args[0]}" は MAC アドレスではありません`);
        if (!(bytes[0] & 1)) return fail('--clustermac must be a multicast MAC address', '--clustermac はマルチキャストの MAC アドレスにします');
        return ok(bytes);
      },
    },
    uintOption('total-nodes', 0, 16, loc('Number of nodes in the cluster (up to 16).', 'クラスタのノード数（16 まで）。')),
    uintOption('local-node', 0, 16, loc('Number of this node (1 to --total-nodes).', 'このノードの番号（1〜--total-nodes）。')),
    uintOption('hash-init', 0, 0xffffffff, loc('Seed of the hash.', 'ハッシュの初期値。')),
  ],
  validate: (m) => {
    const out: Localized[] = [];
    const opts = ['hashmode', 'clustermac', 'total-nodes', 'local-node', 'hash-init'];
    for (const o of opts) if (has(m, o) && !has(m, 'new')) { out.push(needsAlso('CLUSTERIP', o, 'new')); break; }
    if (m.options.length && !out.length && !['new', ...opts.slice(0, 4)].every((o) => has(m, o))) {
      out.push(loc('CLUSTERIP needs --new, --hashmode, --clustermac, --total-nodes and --local-node together', 'CLUSTERIP には --new, --hashmode, --clustermac, --total-nodes, --local-node をそろえて指定します'));
    }
    out.push(loc('CLUSTERIP is refused by iptables-nft (and by kernels since Linux 6.3); use the cluster match instead', 'CLUSTERIP は iptables-nft（および Linux 6.3 以降のカーネル）では拒否されます。代わりに cluster マッチを使います'));
    return out;
  },
  save: (m) => {
    if (!has(m, 'new')) return ['-j', 'CLUSTERIP'];
    const mac = ((last(m, 'clustermac')?.value as number[] | undefined) ?? [0, 0, 0, 0, 0, 0]).map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
    const num = (n: string) => String((last(m, n)?.value as number | undefined) ?? 0);
    return ['-j', 'CLUSTERIP', '--new', '--hashmode', (last(m, 'hashmode')?.value as string | undefined) ?? 'unknown-error', '--clustermac', mac,
      '--total-nodes', num('total-nodes'), '--local-node', num('local-node'), '--hash-init', num('hash-init')];
  },
};

export const MISC_TARGETS = [idletimerTarget, ledTarget, rateestTarget, setTarget, clusteripTarget];
