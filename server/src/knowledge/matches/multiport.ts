// The multiport match (libxt_multiport): up to 15 ports or ranges (a range counts twice) in one
// rule. iptables checks `-p` while it reads the port list, so `-p` must come before the option and
// must be tcp, udp, udplite, sctp or dccp (not negated); service names are looked up for that
// protocol (udplite and dccp have none in /etc/services).
import { loc } from '../../syntax/ast';
import type { ModuleDef, OptionContext, OptionDef } from '../types';
import { fail, ok } from '../values';
import { bang } from '../save-helpers';
import { formatRange, parseServicePort, type NumRange } from './header-common';
import { protocolName, protocolNumber } from '../protocols';

export const MULTIPORT_PROTOCOLS = ['tcp', 'udp', 'udplite', 'sctp', 'dccp'];
const MAX_PORTS = 15;

function parsePortList(text: string, ctx: OptionContext) {
  const p = ctx.cmd.generic.protocol;
  let proto: string | undefined; // unknown (a shell variable): any protocol's service names
  if (!p) {
    return fail('multiport needs -p tcp, udp, udplite, sctp or dccp before this option', 'multiport には、このオプションより前に -p tcp・udp・udplite・sctp・dccp のいずれかが必要です');
  }
  if (!p.arg.symbolic) {
    const num = protocolNumber(p.value);
    const name = num === undefined ? undefined : protocolName(num);
    if (p.negated || !name || !MULTIPORT_PROTOCOLS.includes(name)) {
      return fail('multiport only works with -p tcp, udp, udplite, sctp or dccp (not negated)', 'multiport は -p tcp・udp・udplite・sctp・dccp（否定なし）でのみ使えます');
    }
    proto = name;
  }
  const port = (t: string) => (proto ? parseServicePort(t, proto) : [parseServicePort(t, 'tcp'), parseServicePort(t, 'udp')].find((r) => r.ok) ?? parseServicePort(t, 'tcp'));
  const ranges: NumRange[] = [];
  let count = 0;
  for (const item of text.split(',')) {
    const sides = item.split(':');
    const from = port(sides[0]);
    if (!from.ok) return from;
    let to = from.value;
    if (sides.length > 1) {
      const end = port(sides.slice(1).join(':'));
      if (!end.ok) return end;
      if (from.value >= end.value) return fail(`port range "${item}" must go upwards (start below end)`, `ポート範囲 "${item}" は開始を終了より小さくします`);
      to = end.value;
    }
    count += sides.length > 1 ? 2 : 1;
    ranges.push({ from: from.value, to });
  }
  if (count > MAX_PORTS) {
    return fail(`too many ports: multiport takes at most ${MAX_PORTS} (a range counts as two), here ${count}`, `ポートが多すぎます。multiport は最大 ${MAX_PORTS} 個まで（範囲は 2 個と数えます）で、ここでは ${count} 個です`);
  }
  return ok(ranges);
}

const listOption = (name: string, aliases: string[], en: string, ja: string): OptionDef => ({
  name, aliases, args: 1, negatable: true, argName: 'port[,port|,port:port]...',
  parse: (args, ctx) => parsePortList(args[0], ctx),
  doc: loc(en, ja),
});

const OPTION_NAMES = ['sports', 'dports', 'ports'];

export const multiportMatch: ModuleDef = {
  name: 'multiport',
  kind: 'match',
  doc: loc(
    'Matches one of several ports or port ranges in a single rule (up to 15; a range counts as two). Needs `-p tcp`, `udp`, `udplite`, `sctp` or `dccp` before it.',
    '複数のポートやポート範囲を 1 つのルールで判定します（最大 15 個、範囲は 2 個と数えます）。前に `-p tcp`・`udp`・`udplite`・`sctp`・`dccp` のいずれかが必要です。',
  ),
  options: [
    listOption('sports', ['source-ports'], 'Matches when the source port is one of the listed ports or ranges.', '送信元ポートが列挙したポート・範囲のいずれかなら一致します。'),
    listOption('dports', ['destination-ports'], 'Matches when the destination port is one of the listed ports or ranges.', '宛先ポートが列挙したポート・範囲のいずれかなら一致します。'),
    listOption('ports', [], 'Matches when either the source or the destination port is one of the listed ports or ranges.', '送信元か宛先のどちらかのポートが列挙したポート・範囲のいずれかなら一致します。'),
  ],
  validate(m) {
    const given = OPTION_NAMES.filter((n) => m.options.some((o) => o.name === n));
    if (given.length === 0) return [loc('multiport needs one of --sports, --dports or --ports', 'multiport には --sports・--dports・--ports のいずれかが必要です')];
    if (given.length > 1) return [loc(`--${given[0]} and --${given[1]} cannot be used together: multiport takes one port list`, `--${given[0]} と --${given[1]} は同時に指定できません（multiport のポートリストは 1 つです）`)];
    return [];
  },
  save(m) {
    const o = m.options.find((x) => OPTION_NAMES.includes(x.name));
    if (!o) return ['-m', 'multiport'];
    return ['-m', 'multiport', ...bang(o), `--${o.name}`, (o.value as NumRange[]).map(formatRange).join(',')];
  },
};
