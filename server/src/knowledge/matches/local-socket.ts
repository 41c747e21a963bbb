// Matches on the local socket of a packet: owner (the sending process' user and group), cgroup
// (its control group) and socket (a listening or established socket exists for the packet).
import { loc, type Localized } from '../../syntax/ast';
import type { ModuleDef, ValueResult } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf, quoteSaveString } from '../save-helpers';
import { FIXED_GROUPS, FIXED_USERS, cUintPrefix, exclusiveMessage, hasBadValue, uintArg } from './xt-values';

/** A uid/gid or range; `name` when given by a name whose id we cannot know (site-specific). */
export interface IdRange { from: number; to: number; name?: string }

const MAX_ID = 0xfffffffe;

function parseId(text: string, option: string, names: Record<string, number>): ValueResult<IdRange> {
  if (text in names) return ok({ from: names[text], to: names[text] });
  const bad = fail(`--${option}: "${text}" is not a number, a range (a-b) or a ${option.startsWith('uid') ? 'user' : 'group'} name`,
    `--${option}: "${text}" は数値でも範囲（a-b）でも${option.startsWith('uid') ? 'ユーザー' : 'グループ'}名でもありません`);
  const a = /^[\s+]*[0-9]/.test(text) ? cUintPrefix(text, 0) : undefined;
  if (!a) {
    // Resolved by the machine that loads the rules (getpwnam/getgrnam): kept as written.
    return /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(text) ? ok({ from: 0, to: 0, name: text }) : bad;
  }
  if (a.value > MAX_ID) return bad;
  if (a.rest === '') return ok({ from: a.value, to: a.value });
  if (a.rest[0] !== '-' && a.rest[0] !== ':') return bad;
  const b = cUintPrefix(a.rest.slice(1), 0);
  if (!b || b.rest !== '' || b.value > MAX_ID) return bad;
  return ok({ from: a.value, to: b.value });
}

const formatId = (r: IdRange) => r.name ?? (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`);

export const ownerMatch: ModuleDef = {
  name: 'owner',
  kind: 'match',
  chains: ['OUTPUT', 'POSTROUTING'],
  doc: loc(
    'Matches locally generated packets by the user or group owning the sending socket. Only in OUTPUT and POSTROUTING: forwarded and incoming packets have no local owner.',
    'ローカルで生成されたパケットを、送信したソケットの所有ユーザー・グループで判定します。OUTPUT と POSTROUTING でのみ使えます（転送・受信パケットにはローカルの所有者がいません）。',
  ),
  options: [
    {
      name: 'uid-owner', args: 1, negatable: true, argName: 'user|uid[-uid]',
      parse: (args) => parseId(args[0], 'uid-owner', FIXED_USERS),
      doc: loc('User name, numeric UID or UID range (`1000-1999`). iptables-save prints numbers.', 'ユーザー名、UID、または UID の範囲（`1000-1999`）。iptables-save は数値で出力します。'),
    },
    {
      name: 'gid-owner', args: 1, negatable: true, argName: 'group|gid[-gid]',
      parse: (args) => parseId(args[0], 'gid-owner', FIXED_GROUPS),
      doc: loc('Group name, numeric GID or GID range. iptables-save prints numbers.', 'グループ名、GID、または GID の範囲。iptables-save は数値で出力します。'),
    },
    {
      name: 'suppl-groups', args: 0,
      doc: loc('Also check the supplementary groups of the process for --gid-owner (must come after --gid-owner).', '--gid-owner をプロセスの補助グループにも適用します（--gid-owner の後に書きます）。'),
    },
    {
      name: 'socket-exists', args: 0, negatable: true,
      doc: loc('Match if the packet is associated with a local socket at all.', 'パケットがローカルのソケットに関連付いていれば一致します。'),
    },
  ],
  validate(m) {
    const out: Localized[] = [];
    if (!optionOf(m, 'uid-owner') && !optionOf(m, 'gid-owner') && !optionOf(m, 'socket-exists')) {
      out.push(loc('owner needs at least one of --uid-owner, --gid-owner or --socket-exists', 'owner には --uid-owner, --gid-owner, --socket-exists の少なくとも 1 つが必要です'));
    }
    const suppl = m.options.findIndex((o) => o.name === 'suppl-groups');
    if (suppl >= 0) {
      const gid = m.options.findIndex((o) => o.name === 'gid-owner');
      if (gid < 0 || gid > suppl) out.push(loc('--suppl-groups needs --gid-owner before it', '--suppl-groups の前に --gid-owner が必要です'));
      if (m.options[suppl].negated) out.push(loc('--suppl-groups cannot be negated', '--suppl-groups は否定できません'));
    }
    if (!hasBadValue(m, ownerMatch)) {
      for (const name of ['uid-owner', 'gid-owner']) {
        const r = optionOf(m, name)?.value as IdRange | undefined;
        if (r && r.from > r.to) out.push(loc(`--${name} range ${r.from}-${r.to} is reversed: the kernel refuses it`, `--${name} の範囲 ${r.from}-${r.to} は逆順です（カーネルが拒否します）`));
      }
    }
    return out;
  },
  save(m) {
    const words = ['-m', 'owner'];
    const se = optionOf(m, 'socket-exists');
    if (se) words.push(...bang(se), '--socket-exists');
    for (const name of ['uid-owner', 'gid-owner']) {
      const o = optionOf(m, name);
      if (o) words.push(...bang(o), `--${name}`, formatId(o.value as IdRange));
    }
    if (optionOf(m, 'suppl-groups')) words.push('--suppl-groups');
    return words;
  },
};

export const cgroupMatch: ModuleDef = {
  name: 'cgroup',
  kind: 'match',
  chains: ['INPUT', 'OUTPUT', 'POSTROUTING'],
  doc: loc(
    'Matches packets of sockets that belong to a control group: a cgroup v2 path (e.g. a systemd service) or a net_cls class id. In INPUT it only sees packets already tied to a local socket, so it is most useful in OUTPUT.',
    'ソケットが属するコントロールグループで判定します（cgroup v2 のパス（systemd のサービスなど）または net_cls のクラス ID）。INPUT では既にローカルソケットに結び付いたパケットしか判定できないため、主に OUTPUT で使います。',
  ),
  options: [
    {
      name: 'path', args: 1, negatable: true, argName: 'path',
      parse: (args) => ok(args[0]),
      doc: loc('cgroup v2 path relative to the cgroup2 root, e.g. `system.slice/nginx.service` (must exist when the rule is loaded).',
        'cgroup2 ルートからの相対パス（例: `system.slice/nginx.service`。ルール読み込み時に存在している必要があります）。'),
    },
    {
      name: 'cgroup', args: 1, negatable: true, argName: 'classid', parse: uintArg('--cgroup'),
      doc: loc('net_cls class id set through the cgroup v1 net_cls controller.', 'cgroup v1 の net_cls コントローラで設定したクラス ID。'),
    },
  ],
  validate(m) {
    const p = optionOf(m, 'path'), c = optionOf(m, 'cgroup');
    if (p && c) return [exclusiveMessage('path', 'cgroup')];
    return p || c ? [] : [loc('cgroup needs --path or --cgroup', 'cgroup には --path か --cgroup が必要です')];
  },
  save(m) {
    const p = optionOf(m, 'path');
    if (p) return ['-m', 'cgroup', ...bang(p), '--path', quoteSaveString(p.value as string)];
    const c = optionOf(m, 'cgroup')!;
    return ['-m', 'cgroup', ...bang(c), '--cgroup', String(c.value)];
  },
};

const SOCKET_FLAGS = ['transparent', 'nowildcard', 'restore-skmark'];

export const socketMatch: ModuleDef = {
  name: 'socket',
  kind: 'match',
  chains: ['PREROUTING', 'INPUT'],
  doc: loc(
    'Matches if a local socket (established, or listening on a specific address) exists for the packet; used with TPROXY for transparent proxying. Only in PREROUTING and INPUT.',
    'パケットに対応するローカルソケット（確立済み、または特定アドレスで待ち受け中）があれば一致します。TPROXY による透過プロキシで使います。PREROUTING と INPUT でのみ使えます。',
  ),
  options: [
    { name: 'transparent', args: 0, doc: loc('Only sockets with IP_TRANSPARENT set count.', 'IP_TRANSPARENT が設定されたソケットだけを対象にします。') },
    { name: 'nowildcard', args: 0, doc: loc('Also count sockets bound to the "any" address (by default they are ignored: security implications for forwarded traffic).', '"any" アドレスに bind したソケットも対象にします（既定では無視。転送トラフィックではセキュリティ上の影響があります）。') },
    { name: 'restore-skmark', args: 0, doc: loc('Copy the socket\'s mark (SO_MARK) to the packet mark when it matches.', '一致したとき、ソケットのマーク（SO_MARK）をパケットのマークにコピーします。') },
  ],
  save(m) {
    return ['-m', 'socket', ...SOCKET_FLAGS.filter((f) => optionOf(m, f)).map((f) => `--${f}`)];
  },
};
