// Tables and their built-in chains, with what traffic each chain sees.
import { loc, type Family, type Localized } from '../syntax/ast';

export interface TableDef { name: string; chains: string[]; doc: Localized; families: Family[] }

export const TABLES: TableDef[] = [
  { name: 'filter', chains: ['INPUT', 'FORWARD', 'OUTPUT'], families: [4, 6], doc: loc('The default table: decides which packets are let through.', '既定のテーブル。パケットを通すかどうかを決めます。') },
  { name: 'nat', chains: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], families: [4, 6], doc: loc('Address translation, consulted for the first packet of each connection only.', 'アドレス変換のテーブル。各接続の最初のパケットだけが通ります。') },
  { name: 'mangle', chains: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'], families: [4, 6], doc: loc('Changes packet headers and marks (TOS, TTL, MARK).', 'パケットのヘッダやマーク（TOS, TTL, MARK）を書き換えるテーブル。') },
  { name: 'raw', chains: ['PREROUTING', 'OUTPUT'], families: [4, 6], doc: loc('Runs before connection tracking; used to exempt traffic from it (NOTRACK, CT).', '接続追跡より前に通るテーブル。追跡の対象外にする（NOTRACK, CT）ために使います。') },
  { name: 'security', chains: ['INPUT', 'FORWARD', 'OUTPUT'], families: [4, 6], doc: loc('Mandatory access control (SELinux SECMARK) rules, after filter.', '強制アクセス制御（SELinux の SECMARK）用のテーブル。filter の後に通ります。') },
];

export const CHAIN_DOCS: Record<string, Localized> = {
  INPUT: loc('Packets addressed to this host itself.', 'このホスト宛てのパケットが通るチェイン。'),
  OUTPUT: loc('Packets this host sends.', 'このホストが送信するパケットが通るチェイン。'),
  FORWARD: loc('Packets routed through this host to another machine.', 'このホストを経由して他のマシンへ転送されるパケットが通るチェイン。'),
  PREROUTING: loc('Every arriving packet, before the routing decision.', '到着したすべてのパケットがルーティング判断の前に通るチェイン。'),
  POSTROUTING: loc('Every leaving packet, after the routing decision.', '送出されるすべてのパケットがルーティング判断の後に通るチェイン。'),
};

export const findTable = (name: string) => TABLES.find((t) => t.name === name);
export const isBuiltinChain = (table: string, chain: string) => findTable(table)?.chains.includes(chain) ?? false;
export const ALL_BUILTIN_CHAINS = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

/** Built-in chains as bits of a number (sets without allocation, for the model's reach checks). */
export const chainBit = (chain: string): number => { const i = ALL_BUILTIN_CHAINS.indexOf(chain); return i < 0 ? 0 : 1 << i; };
export const chainMask = (chains: readonly string[]): number => chains.reduce((m, c) => m | chainBit(c), 0);
export const chainsOfMask = (mask: number): string[] => ALL_BUILTIN_CHAINS.filter((c) => mask & chainBit(c));
/** Marks a mask as a restriction, so that modules sharing no chain give "nowhere", not 0 ("anywhere"). */
const RESTRICTED = 1 << 30;
export const narrowChainMask = (mask: number, allowed: number): number => (mask ? mask & allowed : allowed) | RESTRICTED;

/** Longest chain name iptables accepts (it says "must be under 29 chars"). */
export const MAX_CHAIN_NAME = 28;
