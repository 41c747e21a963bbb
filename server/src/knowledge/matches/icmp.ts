// The icmp (libipt_icmp, IPv4) and icmp6 (libip6t_icmp6, IPv6) matches. `-p icmp` and
// `-p icmpv6` / `-p ipv6-icmp` / `-p 58` load them by themselves; the type option is required.
import { loc, type Family } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { bang, optionOf } from '../save-helpers';
import { formatIcmpType, icmpTypeValues, parseIcmpType, type IcmpSpec } from '../icmp';
import { negatedProtocolError } from './header-common';

const typeOption = (family: Family): OptionDef => ({
  name: family === 4 ? 'icmp-type' : 'icmpv6-type',
  args: 1, negatable: true, argName: 'type[/code]|typename',
  values: icmpTypeValues(family),
  parse: (args) => parseIcmpType(args[0], family),
  doc: family === 4
    ? loc('ICMP type by name (echo-request, destination-unreachable, ...; `any` for all) or number, optionally with a code: `3/4`.', 'ICMP タイプを名前（echo-request, destination-unreachable など。すべてなら `any`）または番号で指定します。`3/4` のようにコードも指定できます。')
    : loc('ICMPv6 type by name (echo-request, neighbour-solicitation, packet-too-big, ...) or number, optionally with a code: `1/4`.', 'ICMPv6 タイプを名前（echo-request, neighbour-solicitation, packet-too-big など）または番号で指定します。`1/4` のようにコードも指定できます。'),
});

function icmpModule(family: Family): ModuleDef {
  const name = family === 4 ? 'icmp' : 'icmp6';
  const option = typeOption(family);
  return {
    name,
    kind: 'match',
    family,
    ...(family === 6 ? { aliases: ['icmpv6', 'ipv6-icmp'] } : {}),
    protocols: [family === 4 ? 'icmp' : 'ipv6-icmp'],
    doc: family === 4
      ? loc('Matches ICMP messages by type and code. `-p icmp` loads it by itself; `--icmp-type` is required.', 'ICMP メッセージをタイプとコードで判定します。`-p icmp` を書くと自動で読み込まれます。`--icmp-type` の指定が必要です。')
      : loc('Matches ICMPv6 messages by type and code. `-p ipv6-icmp` (or `icmpv6`) loads it by itself; `--icmpv6-type` is required. IPv6 needs neighbour discovery: do not drop types 133-136.', 'ICMPv6 メッセージをタイプとコードで判定します。`-p ipv6-icmp`（または `icmpv6`）を書くと自動で読み込まれます。`--icmpv6-type` の指定が必要です。IPv6 は近隣探索が必須なので、タイプ 133〜136 は落とさないでください。'),
    options: [option],
    validate: (m, ctx) => [
      ...(m.options.some((o) => o.name === option.name) ? [] : [loc(`the ${name} match needs --${option.name}`, `${name} マッチには --${option.name} の指定が必要です`)]),
      ...negatedProtocolError(ctx, name, family === 4 ? 'icmp' : 'ipv6-icmp'),
    ],
    save(m) {
      const o = optionOf(m, option.name);
      return ['-m', name, ...(o ? [...bang(o), `--${option.name}`, formatIcmpType(o.value as IcmpSpec, family)] : [])];
    },
  };
}

export const icmpMatch = icmpModule(4);
export const icmp6Match = icmpModule(6);
