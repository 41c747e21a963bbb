// Two specialised matches: ipvs (properties of IPVS load-balanced connections) and osf (passive
// operating-system fingerprinting of TCP SYN packets).
import { loc, type Localized } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf } from '../save-helpers';
import { parseProtocol } from '../protocols';
import { formatHostMask, parseAnyPort, parseHostMask, requiredMessage, truncateBytes, uintArg, type HostMask } from './xt-values';

const portArg = (option: string) => (a: string[]) => {
  const p = parseAnyPort(a[0]);
  return p === undefined ? fail(`--${option}: "${a[0]}" is not a port number or service name`, `--${option}: "${a[0]}" はポート番号でもサービス名でもありません`) : ok(p);
};

const upperChoice = (option: string, allowed: string[]) => (a: string[]) => {
  const v = a[0].toUpperCase();
  return allowed.includes(v) ? ok(v) : fail(`--${option} takes ${allowed.join(', ')}, not "${a[0]}"`, `--${option} には ${allowed.join(', ')} のいずれかを指定します（"${a[0]}" は不可）`);
};

const IPVS_ORDER = ['vproto', 'vaddr', 'vport', 'vdir', 'vmethod', 'vportctl'];

const ipvsOptions: OptionDef[] = [
  { name: 'ipvs', args: 0, negatable: true, doc: loc('The packet belongs to an IPVS connection (implied by every other option).', 'パケットが IPVS の接続に属する（他のオプションを指定すると暗黙に含まれます）。') },
  {
    name: 'vproto', args: 1, negatable: true, argName: 'protocol', values: ['tcp', 'udp', 'sctp'],
    parse: (a, ctx) => { const p = parseProtocol(a[0], ctx.family); return p.ok ? ok(p.value.number) : p; },
    doc: loc('Protocol of the virtual service, by name or number (printed as a number).', '仮想サービスのプロトコル（名前または番号。番号で出力されます）。'),
  },
  { name: 'vaddr', args: 1, negatable: true, argName: 'address[/mask]', parse: (a, ctx) => parseHostMask(a[0], ctx.family, '--vaddr'), doc: loc('Virtual IP address of the service.', 'サービスの仮想 IP アドレス。') },
  { name: 'vport', args: 1, negatable: true, argName: 'port', parse: portArg('vport'), doc: loc('Virtual port of the service, by number or name.', 'サービスの仮想ポート（番号または名前）。') },
  { name: 'vdir', args: 1, argName: 'ORIGINAL|REPLY', values: ['ORIGINAL', 'REPLY'], parse: upperChoice('vdir', ['ORIGINAL', 'REPLY']), doc: loc('Direction of the packet within the connection.', '接続の中でのパケットの方向。') },
  { name: 'vmethod', args: 1, negatable: true, argName: 'GATE|IPIP|MASQ', values: ['GATE', 'IPIP', 'MASQ'], parse: upperChoice('vmethod', ['GATE', 'IPIP', 'MASQ']), doc: loc('IPVS forwarding method: GATE (direct routing), IPIP (tunnel) or MASQ (NAT).', 'IPVS の転送方式: GATE（ダイレクトルーティング）、IPIP（トンネル）、MASQ（NAT）。') },
  { name: 'vportctl', args: 1, negatable: true, argName: 'port', parse: portArg('vportctl'), doc: loc('Virtual port of the controlling connection, e.g. 21 for FTP data connections.', '制御接続の仮想ポート（FTP のデータ接続なら 21 など）。') },
];

export const ipvsMatch: ModuleDef = {
  name: 'ipvs',
  kind: 'match',
  doc: loc(
    'Matches properties of IPVS (Linux Virtual Server) connections: virtual service address, port, protocol, direction and forwarding method.',
    'IPVS（Linux Virtual Server）の接続の属性で判定します: 仮想サービスのアドレス、ポート、プロトコル、方向、転送方式。',
  ),
  options: ipvsOptions,
  validate(m) {
    const out: Localized[] = [];
    if (m.options.length === 0) out.push(loc('ipvs needs at least one option', 'ipvs には少なくとも 1 つのオプションが必要です'));
    const ipvs = optionOf(m, 'ipvs');
    if (ipvs?.negated && m.options.some((o) => o.name !== 'ipvs')) out.push(loc('! --ipvs cannot be combined with other ipvs options', '! --ipvs は他の ipvs オプションと同時に指定できません'));
    return out;
  },
  save(m) {
    const words = ['-m', 'ipvs'];
    const ipvs = optionOf(m, 'ipvs');
    // --ipvs is printed only alone: any other option implies it.
    if (ipvs && m.options.every((o) => o.name === 'ipvs')) words.push(...bang(ipvs), '--ipvs');
    for (const name of IPVS_ORDER) {
      const o = optionOf(m, name);
      if (!o) continue;
      const v = name === 'vaddr' ? formatHostMask(o.value as HostMask) : String(o.value);
      words.push(...(name === 'vdir' ? [] : bang(o)), `--${name}`, v);
    }
    return words;
  },
};

/** MAXGENRELEN - 1 bytes of the genre survive. */
const GENRE_BYTES = 31;

export const osfMatch: ModuleDef = {
  name: 'osf',
  kind: 'match',
  protocols: ['tcp'],
  chains: ['PREROUTING', 'INPUT', 'FORWARD'],
  doc: loc(
    'Passive OS fingerprinting: guesses the operating system of the sender from its TCP SYN packets (window size, options, TTL...). Needs fingerprints loaded with nfnl_osf and `-p tcp`.',
    'パッシブ OS フィンガープリント: TCP SYN パケット（ウィンドウサイズ、オプション、TTL など）から送信元の OS を推定します。nfnl_osf で読み込んだフィンガープリントと `-p tcp` が必要です。',
  ),
  options: [
    { name: 'genre', args: 1, negatable: true, argName: 'genre', values: ['Linux', 'Windows', 'FreeBSD', 'OpenBSD', 'MacOS'], parse: (a) => ok(truncateBytes(a[0], GENRE_BYTES)), doc: loc('Operating system genre to match, e.g. Linux or Windows.', '一致させる OS の種類（例: Linux, Windows）。') },
    { name: 'ttl', args: 1, argName: '0|1|2', values: ['0', '1', '2'], parse: uintArg('--ttl', 0, 2), doc: loc('TTL check: 0 compare with the fingerprint (LANs), 1 allow a lower TTL (routed hosts), 2 ignore the TTL.', 'TTL の検査: 0 はフィンガープリントと比較（LAN 向け）、1 は小さい TTL も許す（ルーティングされた相手）、2 は TTL を見ない。') },
    { name: 'log', args: 1, argName: '0|1|2', values: ['0', '1', '2'], parse: uintArg('--log', 0, 2), doc: loc('Log guessed genres to the kernel log: 0 all matched or unknown, 1 only the first, 2 all known matches.', '推定した OS をカーネルログに記録します: 0 は一致・不明のすべて、1 は最初の 1 件、2 は既知の一致すべて。') },
  ],
  validate: (m) => (optionOf(m, 'genre') ? [] : [requiredMessage('osf', 'genre')]),
  save(m) {
    const g = optionOf(m, 'genre')!;
    // printf("%s"): the genre is printed as it is, never quoted.
    const words = ['-m', 'osf', ...bang(g), '--genre', g.value as string];
    for (const name of ['ttl', 'log']) {
      const o = optionOf(m, name);
      if (o) words.push(`--${name}`, String(o.value));
    }
    return words;
  },
};
