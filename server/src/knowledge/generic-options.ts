// The options iptables itself understands (not from an extension): commands, generic matches,
// -j/-g/-m, and the few options that only steer the program.
import { loc, type CommandOp, type Localized } from '../syntax/ast';

export type GenericRole =
  | { kind: 'command'; op: CommandOp }
  | { kind: 'match'; field: 'protocol' | 'source' | 'destination' | 'inInterface' | 'outInterface' | 'fragment' }
  | { kind: 'jump' | 'goto' | 'module' | 'table' | 'counters' | 'family4' | 'family6' | 'ignored' };

export interface GenericOption {
  long: string;
  aliases?: string[];
  short?: string;
  /** Argument words; 'optional' = taken when the next word does not start with `-` or `!`. */
  args: 0 | 1 | 2 | 'optional';
  negatable?: boolean;
  role: GenericRole;
  argName?: string;
  doc: Localized;
}

const cmd = (op: CommandOp) => ({ kind: 'command', op }) as const;

export const GENERIC_OPTIONS: GenericOption[] = [
  { long: 'append', short: 'A', args: 1, role: cmd('A'), argName: 'chain', doc: loc('Add the rule at the end of the chain.', 'チェインの末尾にルールを追加します。') },
  { long: 'check', short: 'C', args: 1, role: cmd('C'), argName: 'chain', doc: loc('Ask whether a matching rule exists in the chain; changes nothing.', '同じルールがチェインにあるかを確認します（何も変更しません）。') },
  { long: 'delete', short: 'D', args: 1, role: cmd('D'), argName: 'chain [rulenum]', doc: loc('Remove a rule, given by its number or by repeating its definition.', 'ルールを削除します。番号か、同じ内容を書いて指定します。') },
  { long: 'insert', short: 'I', args: 1, role: cmd('I'), argName: 'chain [rulenum]', doc: loc('Put the rule at the given position (default 1, the top) of the chain.', 'ルールをチェインの指定位置（省略時は先頭）に挿入します。') },
  { long: 'replace', short: 'R', args: 1, role: cmd('R'), argName: 'chain rulenum', doc: loc('Replace the rule at the given position.', '指定した番号のルールを置き換えます。') },
  { long: 'list', short: 'L', args: 'optional', role: cmd('L'), argName: '[chain]', doc: loc('Show the rules of one chain or of all chains in the table.', 'チェイン（省略時はテーブルの全チェイン）のルールを表示します。') },
  { long: 'list-rules', short: 'S', args: 'optional', role: cmd('S'), argName: '[chain]', doc: loc('Print the rules as iptables commands.', 'ルールを iptables コマンドの形で表示します。') },
  { long: 'flush', short: 'F', args: 'optional', role: cmd('F'), argName: '[chain]', doc: loc('Delete every rule of the chain (all chains of the table if none is named). Policies stay.', 'チェイン（省略時はテーブルの全チェイン）のルールをすべて削除します。ポリシーはそのままです。') },
  { long: 'zero', short: 'Z', args: 'optional', role: cmd('Z'), argName: '[chain [rulenum]]', doc: loc('Reset packet and byte counters.', 'パケット数・バイト数のカウンタを 0 に戻します。') },
  { long: 'new-chain', short: 'N', args: 1, role: cmd('N'), argName: 'chain', doc: loc('Create a user-defined chain.', 'ユーザー定義チェインを作成します。') },
  { long: 'delete-chain', short: 'X', args: 'optional', role: cmd('X'), argName: '[chain]', doc: loc('Delete an empty user-defined chain (all of them if none is named).', '空のユーザー定義チェインを削除します（省略時はすべて）。') },
  { long: 'policy', short: 'P', args: 2, role: cmd('P'), argName: 'chain target', doc: loc('Set what happens to packets that reach the end of a built-in chain: ACCEPT or DROP.', '組み込みチェインの最後まで到達したパケットの扱い（ACCEPT か DROP）を設定します。') },
  { long: 'rename-chain', short: 'E', args: 2, role: cmd('E'), argName: 'old new', doc: loc('Rename a user-defined chain.', 'ユーザー定義チェインの名前を変更します。') },
  { long: 'protocol', short: 'p', args: 1, negatable: true, role: { kind: 'match', field: 'protocol' }, argName: 'protocol', doc: loc('Match this protocol (tcp, udp, icmp, ... or a number). Also makes that protocol\'s options (such as --dport) available.', 'プロトコル（tcp, udp, icmp など、または番号）で判定します。そのプロトコルのオプション（--dport など）も使えるようになります。') },
  { long: 'source', aliases: ['src'], short: 's', args: 1, negatable: true, role: { kind: 'match', field: 'source' }, argName: 'address[/mask][,...]', doc: loc('Match the source address or network. A comma-separated list makes one rule per address.', '送信元アドレスまたはネットワークで判定します。カンマ区切りで複数書くとアドレスごとに別のルールになります。') },
  { long: 'destination', aliases: ['dst'], short: 'd', args: 1, negatable: true, role: { kind: 'match', field: 'destination' }, argName: 'address[/mask][,...]', doc: loc('Match the destination address or network. A comma-separated list makes one rule per address.', '宛先アドレスまたはネットワークで判定します。カンマ区切りで複数書くとアドレスごとに別のルールになります。') },
  { long: 'in-interface', short: 'i', args: 1, negatable: true, role: { kind: 'match', field: 'inInterface' }, argName: 'name[+]', doc: loc('Match the interface the packet arrived on (`+` at the end matches any name with that prefix). Not in OUTPUT or POSTROUTING.', 'パケットが届いたインターフェースで判定します（末尾の `+` は前方一致）。OUTPUT・POSTROUTING では使えません。') },
  { long: 'out-interface', short: 'o', args: 1, negatable: true, role: { kind: 'match', field: 'outInterface' }, argName: 'name[+]', doc: loc('Match the interface the packet will leave by (`+` at the end matches any name with that prefix). Not in INPUT or PREROUTING.', 'パケットが出ていくインターフェースで判定します（末尾の `+` は前方一致）。INPUT・PREROUTING では使えません。') },
  { long: 'fragment', short: 'f', args: 0, negatable: true, role: { kind: 'match', field: 'fragment' }, doc: loc('Match second and later fragments of fragmented IPv4 packets (they carry no ports).', '分割された IPv4 パケットの 2 番目以降の断片に一致します（ポート情報を含みません）。') },
  { long: 'jump', short: 'j', args: 1, role: { kind: 'jump' }, argName: 'target', doc: loc('What to do with a matching packet: a verdict (ACCEPT, DROP, ...), a target extension, or a user chain to run.', '一致したパケットの扱い：判定（ACCEPT, DROP など）、ターゲット拡張、または処理を移すユーザーチェイン。') },
  { long: 'goto', short: 'g', args: 1, role: { kind: 'goto' }, argName: 'chain', doc: loc('Continue in a user chain without coming back: a RETURN there goes to the caller\'s caller.', 'ユーザーチェインへ移り、戻ってきません（移動先の RETURN は呼び出し元のさらに元へ戻ります）。') },
  { long: 'match', short: 'm', args: 1, role: { kind: 'module' }, argName: 'match', doc: loc('Load a match extension, making its options available.', 'マッチ拡張を読み込み、そのオプションを使えるようにします。') },
  { long: 'table', short: 't', args: 1, role: { kind: 'table' }, argName: 'table', doc: loc('The table to work on: filter (default), nat, mangle, raw or security.', '操作するテーブル：filter（既定）、nat、mangle、raw、security。') },
  { long: 'set-counters', short: 'c', args: 2, role: { kind: 'counters' }, argName: 'packets bytes', doc: loc('Start the rule\'s counters at these values.', 'ルールのカウンタをこの値で初期化します。') },
  { long: 'ipv4', short: '4', args: 0, role: { kind: 'family4' }, doc: loc('This rule is for IPv4 (ip6tables skips it).', 'IPv4 用のルールです（ip6tables では無視されます）。') },
  { long: 'ipv6', short: '6', args: 0, role: { kind: 'family6' }, doc: loc('This rule is for IPv6 (iptables skips it).', 'IPv6 用のルールです（iptables では無視されます）。') },
  { long: 'verbose', short: 'v', args: 0, role: { kind: 'ignored' }, doc: loc('Print more detail.', '詳しく表示します。') },
  { long: 'numeric', short: 'n', args: 0, role: { kind: 'ignored' }, doc: loc('Print addresses and ports as numbers (no DNS look-ups).', 'アドレスやポートを数値のまま表示します（名前解決しません）。') },
  { long: 'exact', short: 'x', args: 0, role: { kind: 'ignored' }, doc: loc('Print exact counter values.', 'カウンタを丸めずに表示します。') },
  { long: 'line-numbers', args: 0, role: { kind: 'ignored' }, doc: loc('Show rule numbers when listing.', '一覧表示でルール番号を表示します。') },
  { long: 'wait', short: 'w', args: 'optional', role: { kind: 'ignored' }, argName: '[seconds]', doc: loc('Wait for the xtables lock instead of failing.', 'xtables のロックが空くまで待ちます。') },
  { long: 'wait-interval', short: 'W', args: 1, role: { kind: 'ignored' }, argName: 'microseconds', doc: loc('How often to retry the lock while waiting.', 'ロック待ちの再試行間隔です。') },
  { long: 'modprobe', args: 1, role: { kind: 'ignored' }, argName: 'command', doc: loc('The program used to load kernel modules.', 'カーネルモジュールを読み込むプログラムを指定します。') },
];

const byLong = new Map<string, GenericOption>();
const byShort = new Map<string, GenericOption>();
for (const o of GENERIC_OPTIONS) {
  for (const n of [o.long, ...(o.aliases ?? [])]) byLong.set(n, o);
  if (o.short) byShort.set(o.short, o);
}

export const genericByLong = (name: string) => byLong.get(name);
export const genericByShort = (letter: string) => byShort.get(letter);
export const genericLongNames = (): string[] => [...byLong.keys()];
