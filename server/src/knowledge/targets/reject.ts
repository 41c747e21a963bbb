// REJECT: drop the packet and answer with an ICMP error or a TCP reset. The IPv4 and IPv6
// modules are separate (libipt_REJECT, libip6t_REJECT) with different --reject-with names.
import { loc, type Family, type ParsedModule } from '../../syntax/ast';
import type { ModuleDef, OptionContext } from '../types';
import { fail, ok } from '../values';
import { IPPROTO, last, protocolUnknown, ruleHasProtocol } from './target-values';

/** [name printed by iptables-save, alias]; the order is the one iptables searches. */
const REJECT_V4: [string, string][] = [
  ['icmp-net-unreachable', 'net-unreach'],
  ['icmp-host-unreachable', 'host-unreach'],
  ['icmp-proto-unreachable', 'proto-unreach'],
  ['icmp-port-unreachable', 'port-unreach'],
  ['icmp-net-prohibited', 'net-prohib'],
  ['icmp-host-prohibited', 'host-prohib'],
  ['tcp-reset', 'tcp-rst'],
  ['icmp-admin-prohibited', 'admin-prohib'],
];

const REJECT_V6: [string, string][] = [
  ['icmp6-no-route', 'no-route'],
  ['icmp6-adm-prohibited', 'adm-prohibited'],
  ['icmp6-addr-unreachable', 'addr-unreach'],
  ['icmp6-port-unreachable', 'port-unreach'],
  ['tcp-reset', 'tcp-reset'],
  ['icmp6-policy-fail', 'policy-fail'],
  ['icmp6-reject-route', 'reject-route'],
];

/**
 * iptables compares only as many characters as were typed, ignoring case, so any prefix of a
 * name or alias works and the first entry that fits wins (`icmp-p` means icmp-proto-unreachable).
 */
export function rejectType(text: string, family: Family): string | undefined {
  const table = family === 4 ? REJECT_V4 : REJECT_V6;
  const t = text.toLowerCase();
  return table.find(([name, alias]) => name.startsWith(t) || alias.startsWith(t))?.[0];
}

function rejectTarget(family: Family): ModuleDef {
  const table = family === 4 ? REJECT_V4 : REJECT_V6;
  const fallback = family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable';
  return {
    name: 'REJECT', kind: 'target', family, tables: ['filter'], chains: ['INPUT', 'FORWARD', 'OUTPUT'],
    doc: family === 4
      ? loc('Drops the packet and answers the sender with an ICMP error (port unreachable by default) or a TCP reset. Only in the filter table, INPUT, FORWARD and OUTPUT.',
        'パケットを破棄し、送信元に ICMP エラー（既定はポート到達不能）または TCP リセットを返します。filter テーブルの INPUT・FORWARD・OUTPUT でのみ使えます。')
      : loc('Drops the packet and answers the sender with an ICMPv6 error (port unreachable by default) or a TCP reset. Only in the filter table, INPUT, FORWARD and OUTPUT.',
        'パケットを破棄し、送信元に ICMPv6 エラー（既定はポート到達不能）または TCP リセットを返します。filter テーブルの INPUT・FORWARD・OUTPUT でのみ使えます。'),
    options: [{
      name: 'reject-with', args: 1, argName: 'type',
      values: table.map(([name]) => name),
      doc: family === 4
        ? loc('The answer: icmp-net-unreachable, icmp-host-unreachable, icmp-port-unreachable (default), icmp-proto-unreachable, icmp-net-prohibited, icmp-host-prohibited, icmp-admin-prohibited, or tcp-reset (only with -p tcp).',
          '返す応答: icmp-net-unreachable, icmp-host-unreachable, icmp-port-unreachable（既定）, icmp-proto-unreachable, icmp-net-prohibited, icmp-host-prohibited, icmp-admin-prohibited、または tcp-reset（-p tcp のときだけ）。')
        : loc('The answer: icmp6-no-route, icmp6-adm-prohibited, icmp6-addr-unreachable, icmp6-port-unreachable (default), icmp6-policy-fail, icmp6-reject-route, or tcp-reset (only with -p tcp).',
          '返す応答: icmp6-no-route, icmp6-adm-prohibited, icmp6-addr-unreachable, icmp6-port-unreachable（既定）, icmp6-policy-fail, icmp6-reject-route、または tcp-reset（-p tcp のときだけ）。'),
      parse: (args) => {
        const found = rejectType(args[0], family);
        if (found) return ok(found);
        if (family === 4 && 'echo-reply'.startsWith(args[0].toLowerCase())) {
          return fail('--reject-with echo-reply is no longer supported', '--reject-with echo-reply は現在は使えません');
        }
        return fail(`unknown reject type "${args[0]}" (use ${table.map(([n]) => n).join(', ')})`, `不明な応答の種類 "${args[0]}" です（${table.map(([n]) => n).join(', ')} が使えます）`);
      },
    }],
    validate: (m: ParsedModule, ctx: OptionContext) => {
      // The kernel accepts a TCP reset only for rules limited to TCP.
      if (last(m, 'reject-with')?.value === 'tcp-reset' && !protocolUnknown(ctx) && !ruleHasProtocol(ctx, [IPPROTO.tcp])) {
        return [loc('--reject-with tcp-reset needs -p tcp (not negated): the kernel refuses it otherwise', '--reject-with tcp-reset には -p tcp（否定なし）が必要です。ないとカーネルが拒否します')];
      }
      return [];
    },
    save: (m) => ['-j', 'REJECT', '--reject-with', (last(m, 'reject-with')?.value as string | undefined) ?? fallback],
  };
}

export const rejectTarget4 = rejectTarget(4);
export const rejectTarget6 = rejectTarget(6);
