// The sctp (libxt_sctp) and dccp (libxt_dccp) matches, loaded implicitly by `-p sctp` / `-p dccp`.
// sctp reads ports like tcp (sctp service names, start <= end); dccp like udp (getaddrinfo).
import { loc } from '../../syntax/ast';
import type { ModuleDef } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf } from '../save-helpers';
import { formatRange, negatedProtocolError, xtStrtoui, type NumRange } from './header-common';
import { DPORT_DOC, SPORT_DOC, portRangeOption } from './tcp';
import { gaiPortOption } from './udp';

/** SCTP chunk types: name, number, flag letters from bit 7 down to bit 0 (`-` = no flag). */
export const SCTP_CHUNKS: readonly [string, number, string][] = [
  ['DATA', 0, '----IUBE'], ['INIT', 1, '--------'], ['INIT_ACK', 2, '--------'], ['SACK', 3, '--------'],
  ['HEARTBEAT', 4, '--------'], ['HEARTBEAT_ACK', 5, '--------'], ['ABORT', 6, '-------T'], ['SHUTDOWN', 7, '--------'],
  ['SHUTDOWN_ACK', 8, '--------'], ['ERROR', 9, '--------'], ['COOKIE_ECHO', 10, '--------'], ['COOKIE_ACK', 11, '--------'],
  ['ECN_ECNE', 12, '--------'], ['ECN_CWR', 13, '--------'], ['SHUTDOWN_COMPLETE', 14, '-------T'], ['I_DATA', 64, '----IUBE'],
  ['RE_CONFIG', 130, '--------'], ['PAD', 132, '--------'], ['ASCONF', 193, '--------'], ['ASCONF_ACK', 128, '--------'],
  ['FORWARD_TSN', 192, '--------'], ['I_FORWARD_TSN', 194, '--------'],
];

export interface SctpChunkTypes {
  match: 'all' | 'any' | 'only';
  /** 'ALL', 'NONE', or the chunk types by number with their flag tests. */
  chunks: 'ALL' | 'NONE' | Map<number, { flags: number; mask: number }>;
}

function parseChunkTypes(args: string[]) {
  const match = args[0].toLowerCase();
  if (match !== 'all' && match !== 'any' && match !== 'only') {
    return fail(`the first word of --chunk-types must be all, any or only, not "${args[0]}"`, `--chunk-types の 1 語目は all・any・only のいずれかです（"${args[0]}" は不可）`);
  }
  const list = args[1];
  if (list.toUpperCase() === 'ALL' || list.toUpperCase() === 'NONE') return ok<SctpChunkTypes>({ match, chunks: list.toUpperCase() as 'ALL' | 'NONE' });
  const chunks = new Map<number, { flags: number; mask: number }>();
  for (const item of list.split(',')) {
    if (item === '') continue;
    const [name, flagText = ''] = item.split(':');
    const def = SCTP_CHUNKS.find(([n]) => n === name.toUpperCase());
    if (!def || item.split(':').length > 2) return fail(`unknown SCTP chunk type "${name}"`, `不明な SCTP チャンクタイプ "${name}" です`);
    const entry = chunks.get(def[1]) ?? { flags: 0, mask: 0 };
    for (const letter of flagText) {
      const bit = 7 - def[2].indexOf(letter.toUpperCase());
      if (bit > 7 || letter === '-') {
        const known = def[2].replace(/-/g, '');
        return fail(`"${letter}" is not a flag of the ${def[0]} chunk (${known ? `its flags: ${known}` : 'it has none'})`, `"${letter}" は ${def[0]} チャンクのフラグではありません（${known ? `使えるフラグ: ${known}` : 'フラグはありません'}）`);
      }
      entry.mask |= 1 << bit;
      if (letter === letter.toUpperCase()) entry.flags |= 1 << bit;
    }
    chunks.set(def[1], entry);
  }
  return chunks.size ? ok<SctpChunkTypes>({ match, chunks }) : ok<SctpChunkTypes>({ match, chunks: 'NONE' });
}

function formatChunkTypes(v: SctpChunkTypes): string {
  if (typeof v.chunks === 'string') return v.chunks;
  const parts: string[] = [];
  for (const [name, num, letters] of [...SCTP_CHUNKS].sort((a, b) => a[1] - b[1])) {
    const e = v.chunks.get(num);
    if (!e) continue;
    let flags = '';
    // iptables-save looks flags up by chunk number in a table of 22 entries: I_DATA's (64) are
    // kept in the rule but never printed.
    if (e.mask && num < SCTP_CHUNKS.length) {
      for (let bit = 7; bit >= 0; bit--) {
        if (e.mask & (1 << bit)) flags += e.flags & (1 << bit) ? letters[7 - bit] : letters[7 - bit].toLowerCase();
      }
    }
    parts.push(flags ? `${name}:${flags}` : name);
  }
  return parts.join(',');
}

export const sctpMatch: ModuleDef = {
  name: 'sctp',
  kind: 'match',
  protocols: ['sctp'],
  doc: loc(
    'Matches SCTP packets by port and by the chunk types they carry. `-p sctp` loads it by itself.',
    'SCTP パケットをポート番号や含まれるチャンクの種類で判定します。`-p sctp` を書くと自動で読み込まれます。',
  ),
  options: [
    portRangeOption('sctp', 'sport', ['source-port'], SPORT_DOC),
    portRangeOption('sctp', 'dport', ['destination-port'], DPORT_DOC),
    {
      name: 'chunk-types', args: 2, negatable: true, argName: '{all|any|only} type[:flags][,...]',
      values: ['all', 'any', 'only', ...SCTP_CHUNKS.map(([n]) => n), 'ALL', 'NONE'],
      parse: parseChunkTypes,
      doc: loc(
        '`all`: every listed chunk type is present; `any`: at least one is; `only`: no other type is. Flags after `:` (DATA: I U B E, ABORT and SHUTDOWN_COMPLETE: T) must be set when upper case, clear when lower case.',
        '`all` は列挙したチャンクがすべてある、`any` はどれかがある、`only` はそれ以外がないときに一致します。`:` の後のフラグ（DATA は I U B E、ABORT と SHUTDOWN_COMPLETE は T）は大文字なら立っている、小文字なら下りていることを求めます。',
      ),
    },
  ],
  validate: (m, ctx) => negatedProtocolError(ctx, 'sctp', 'sctp'),
  save(m) {
    const words = ['-m', 'sctp'];
    for (const name of ['sport', 'dport']) {
      const o = optionOf(m, name);
      if (o) words.push(...bang(o), `--${name}`, formatRange(o.value as NumRange));
    }
    const c = optionOf(m, 'chunk-types');
    if (c) {
      const v = c.value as SctpChunkTypes;
      words.push(...bang(c), '--chunk-types', v.match, formatChunkTypes(v));
    }
    return words;
  },
};

export const DCCP_TYPES = ['REQUEST', 'RESPONSE', 'DATA', 'ACK', 'DATAACK', 'CLOSEREQ', 'CLOSE', 'RESET', 'SYNC', 'SYNCACK', 'INVALID'];

export const dccpMatch: ModuleDef = {
  name: 'dccp',
  kind: 'match',
  protocols: ['dccp'],
  doc: loc(
    'Matches DCCP packets by port, packet type or option. `-p dccp` loads it by itself.',
    'DCCP パケットをポート番号・パケットタイプ・オプションで判定します。`-p dccp` を書くと自動で読み込まれます。',
  ),
  options: [
    gaiPortOption('sport', ['source-port'], SPORT_DOC),
    gaiPortOption('dport', ['destination-port'], DPORT_DOC),
    {
      name: 'dccp-types', args: 1, negatable: true, argName: 'type[,type...]', values: DCCP_TYPES,
      parse: (args) => {
        let bits = 0;
        for (const item of args[0].split(',')) {
          if (item === '') continue;
          const i = DCCP_TYPES.indexOf(item.toUpperCase());
          if (i < 0) return fail(`unknown DCCP packet type "${item}" (${DCCP_TYPES.join(', ')})`, `不明な DCCP パケットタイプ "${item}" です（${DCCP_TYPES.join(', ')}）`);
          bits |= 1 << i;
        }
        return ok(bits);
      },
      doc: loc('Matches when the DCCP packet type is one of the comma-separated types.', 'DCCP パケットタイプがカンマ区切りのいずれかであれば一致します。'),
    },
    {
      name: 'dccp-option', args: 1, negatable: true, argName: 'number',
      parse: (args) => {
        const n = xtStrtoui(args[0], 1, 255);
        return n === undefined ? fail(`DCCP option number must be 1-255, not "${args[0]}"`, `DCCP オプション番号は 1〜255 で指定します（"${args[0]}" は不可）`) : ok(n);
      },
      doc: loc('Matches when the DCCP option with this number is present.', '指定した番号の DCCP オプションがあれば一致します。'),
    },
  ],
  validate: (m, ctx) => negatedProtocolError(ctx, 'dccp', 'dccp'),
  save(m) {
    const words = ['-m', 'dccp'];
    for (const name of ['sport', 'dport']) {
      const o = optionOf(m, name);
      if (o) words.push(...bang(o), `--${name}`, formatRange(o.value as NumRange));
    }
    const types = optionOf(m, 'dccp-types');
    if (types) words.push(...bang(types), '--dccp-types', DCCP_TYPES.filter((_, i) => (types.value as number) & (1 << i)).join(','));
    const opt = optionOf(m, 'dccp-option');
    if (opt) words.push(...bang(opt), '--dccp-option', String(opt.value));
    return words;
  },
};
