// The udp match (libxt_udp), loaded implicitly by `-p udp`. Its port reader is not the tcp one:
// it goes through getaddrinfo, so numbers are decimal only and cut to 16 bits (65537 is port 1),
// a reversed range is kept as written, and any tcp or udp service name is accepted.
import { loc, type Localized } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { parseGaiPort, parseRange } from './header-common';
import { DPORT_DOC, SPORT_DOC, saveNftPortMatch } from './tcp';

/** `--sport`/`--dport` of the udp and dccp matches. */
export function gaiPortOption(name: string, aliases: string[], doc: Localized): OptionDef {
  return {
    name, aliases, args: 1, negatable: true, argName: 'port[:port]', doc,
    parse: (args) => parseRange(args[0], 0, 65535, loc(`--${name}`, `--${name}`), 'any', parseGaiPort),
  };
}

export const udpMatch: ModuleDef = {
  name: 'udp',
  kind: 'match',
  protocols: ['udp'],
  doc: loc(
    'Matches UDP datagrams by port. `-p udp` loads it by itself, so `--dport` works without `-m udp`.',
    'UDP データグラムをポート番号で判定します。`-p udp` を書くと自動で読み込まれるため、`-m udp` なしでも `--dport` が使えます。',
  ),
  options: [
    gaiPortOption('sport', ['source-port'], SPORT_DOC),
    gaiPortOption('dport', ['destination-port'], DPORT_DOC),
  ],
  save: (m, ctx) => saveNftPortMatch(m, ctx, 'udp'),
};
