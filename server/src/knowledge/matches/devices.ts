// Matches on the devices a packet crosses: physdev (bridge ports), devgroup (interface groups)
// and rpfilter (reverse-path check of the incoming interface).
import { loc, type Localized } from '../../syntax/ast';
import type { ModuleDef } from '../types';
import { parseInterface } from '../values';
import { bang, optionOf } from '../save-helpers';
import { hex, hookChain, parseValueMask, type ValueMask } from './xt-values';

const PHYSDEV_ORDER = ['physdev-is-in', 'physdev-in', 'physdev-is-out', 'physdev-out', 'physdev-is-bridged'];

export const physdevMatch: ModuleDef = {
  name: 'physdev',
  kind: 'match',
  doc: loc(
    'Matches the bridge ports a bridged packet enters or leaves by (for a firewall on a Linux bridge, with br_netfilter).',
    'ブリッジされたパケットが出入りするブリッジポートで判定します（Linux ブリッジ上のファイアウォール用。br_netfilter が必要）。',
  ),
  options: [
    {
      name: 'physdev-in', args: 1, negatable: true, argName: 'port', parse: (a) => parseInterface(a[0]),
      doc: loc('Bridge port the packet arrived on (INPUT, FORWARD, PREROUTING); a trailing `+` matches any port starting with the name.',
        'パケットが到着したブリッジポート（INPUT, FORWARD, PREROUTING）。末尾の `+` は前方一致です。'),
    },
    {
      name: 'physdev-out', args: 1, negatable: true, argName: 'port', parse: (a) => parseInterface(a[0]),
      doc: loc('Bridge port the packet will leave by (FORWARD, POSTROUTING; in OUTPUT only together with --physdev-is-bridged).',
        'パケットが出ていくブリッジポート（FORWARD, POSTROUTING。OUTPUT では --physdev-is-bridged と併用したときのみ）。'),
    },
    { name: 'physdev-is-in', args: 0, negatable: true, doc: loc('The packet entered through a bridge port.', 'パケットがブリッジポートから入ってきた。') },
    { name: 'physdev-is-out', args: 0, negatable: true, doc: loc('The packet will leave through a bridge port.', 'パケットがブリッジポートから出ていく。') },
    { name: 'physdev-is-bridged', args: 0, negatable: true, doc: loc('The packet is being bridged, not routed (FORWARD and POSTROUTING).', 'パケットがルーティングではなくブリッジされている（FORWARD と POSTROUTING）。') },
  ],
  validate(m, ctx) {
    if (m.options.length === 0) return [loc('physdev needs at least one --physdev-* option', 'physdev には --physdev-* オプションが少なくとも 1 つ必要です')];
    const out = optionOf(m, 'physdev-out') ?? optionOf(m, 'physdev-is-out');
    const bridged = optionOf(m, 'physdev-is-bridged');
    if (out && (!bridged || bridged.negated) && hookChain(ctx) === 'OUTPUT') {
      return [loc('--physdev-out and --physdev-is-out work in OUTPUT only with --physdev-is-bridged: the kernel refuses this rule',
        'OUTPUT で --physdev-out・--physdev-is-out を使えるのは --physdev-is-bridged と併用したときだけです（カーネルが拒否します）')];
    }
    return [];
  },
  save(m) {
    const words = ['-m', 'physdev'];
    for (const name of PHYSDEV_ORDER) {
      const o = optionOf(m, name);
      if (o) words.push(...bang(o), `--${name}`, ...(o.value !== undefined ? [o.value as string] : []));
    }
    return words;
  },
};

/** /etc/iproute2/group as Debian ships it; other names are site-specific and kept as written. */
const DEVICE_GROUPS: Record<string, number> = { default: 0 };

const groupOption = (name: string, en: string, ja: string) => ({
  name, args: 1 as const, negatable: true, argName: 'group[/mask]',
  parse: (a: string[]) => parseValueMask(a[0], `--${name}`, DEVICE_GROUPS),
  doc: loc(en, ja),
});

function formatGroup(v: ValueMask): string {
  if (v.name) return v.name;
  if (v.mask === 0xffffffff) {
    const name = Object.keys(DEVICE_GROUPS).find((k) => DEVICE_GROUPS[k] === v.value);
    return name ?? hex(v.value);
  }
  return `${hex(v.value)}/${hex(v.mask)}`;
}

export const devgroupMatch: ModuleDef = {
  name: 'devgroup',
  kind: 'match',
  doc: loc(
    'Matches the device group (`ip link set DEV group N`) of the incoming or outgoing interface, so one rule covers a whole set of interfaces.',
    '入力・出力インターフェースのデバイスグループ（`ip link set DEV group N`）で判定します。1 つのルールで複数のインターフェースをまとめて扱えます。',
  ),
  options: [
    groupOption('src-group', 'Group of the incoming interface (number, number/mask or a name from /etc/iproute2/group). Not in OUTPUT or POSTROUTING.',
      '入力インターフェースのグループ（番号、番号/マスク、または /etc/iproute2/group の名前）。OUTPUT・POSTROUTING では使えません。'),
    groupOption('dst-group', 'Group of the outgoing interface. Not in PREROUTING or INPUT.', '出力インターフェースのグループ。PREROUTING・INPUT では使えません。'),
  ],
  validate(m, ctx) {
    const out: Localized[] = [];
    if (!optionOf(m, 'src-group') && !optionOf(m, 'dst-group')) out.push(loc('devgroup needs --src-group or --dst-group', 'devgroup には --src-group か --dst-group が必要です'));
    const chain = hookChain(ctx);
    if (optionOf(m, 'src-group') && (chain === 'OUTPUT' || chain === 'POSTROUTING')) {
      out.push(loc(`--src-group cannot be used in ${chain}: there is no incoming interface`, `${chain} では --src-group は使えません（入力インターフェースがありません）`));
    }
    if (optionOf(m, 'dst-group') && (chain === 'PREROUTING' || chain === 'INPUT')) {
      out.push(loc(`--dst-group cannot be used in ${chain}: the outgoing interface is not known yet`, `${chain} では --dst-group は使えません（出力インターフェースがまだ決まっていません）`));
    }
    return out;
  },
  save(m) {
    const words = ['-m', 'devgroup'];
    for (const name of ['src-group', 'dst-group']) {
      const o = optionOf(m, name);
      if (o) words.push(...bang(o), `--${name}`, formatGroup(o.value as ValueMask));
    }
    return words;
  },
};

const RPFILTER_FLAGS = ['loose', 'validmark', 'accept-local', 'invert'];

export const rpfilterMatch: ModuleDef = {
  name: 'rpfilter',
  kind: 'match',
  tables: ['raw', 'mangle'],
  chains: ['PREROUTING'],
  doc: loc(
    'Reverse-path filter: matches if a reply to the packet would leave by the interface it came in on (anti-spoofing). Only in PREROUTING of the raw or mangle table; loopback traffic always passes.',
    'リバースパスフィルタ: パケットへの応答が、到着したインターフェースから出ていくなら一致します（なりすまし対策）。raw または mangle テーブルの PREROUTING でのみ使えます。ループバックは常に通ります。',
  ),
  options: [
    { name: 'loose', args: 0, doc: loc('Accept a reply route through any interface, not only the one the packet came in on.', '到着したインターフェース以外を通る応答経路も許します。') },
    { name: 'validmark', args: 0, doc: loc('Use the packet mark in the reverse route lookup.', '逆方向の経路検索にパケットのマークを使います。') },
    { name: 'accept-local', args: 0, doc: loc('Also accept packets from the network whose source address is one of this host\'s.', '送信元がこのホスト自身のアドレスであるネットワークからのパケットも許します。') },
    { name: 'invert', args: 0, doc: loc('Invert the result: match packets that fail the check (use this to drop spoofed packets).', '結果を反転し、検査に失敗したパケットに一致します（なりすましパケットの破棄に使います）。') },
  ],
  save(m) {
    return ['-m', 'rpfilter', ...RPFILTER_FLAGS.filter((f) => optionOf(m, f)).map((f) => `--${f}`)];
  },
};
