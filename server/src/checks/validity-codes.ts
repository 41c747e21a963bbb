// The IPT1xx codes the parser and the model report while reading commands (they are not separate
// check passes: the reader knows best why iptables would refuse a word). Severity error here
// means exactly "iptables would reject this"; the warnings mean "it loads, but cannot mean what it says".
// IPT001 is the engine's own: the checks did not run (the report is incomplete, like IPT000).
import { loc, type Localized, type Severity } from '../syntax/ast';

export interface CodeInfo { code: string; name: string; severity: Severity; summary: Localized }

export const VALIDITY_CODES: CodeInfo[] = [
  { code: 'IPT001', name: 'too-large-to-check', severity: 'error', summary: loc('The rules are too many for the checks to hold in memory: only the syntax was checked.', 'ルールが多すぎてチェックをメモリ内で実行できません。構文のみ検査しました。') },
  { code: 'IPT100', name: 'shell-syntax', severity: 'error', summary: loc('The shell cannot parse this part of the script.', 'シェルがスクリプトのこの部分を解釈できません。') },
  { code: 'IPT101', name: 'unknown-option', severity: 'error', summary: loc('An option iptables does not know.', 'iptables が知らないオプションです。') },
  { code: 'IPT102', name: 'unknown-match', severity: 'error', summary: loc('A match module (-m) iptables cannot load.', 'iptables が読み込めないマッチ（-m）です。') },
  { code: 'IPT104', name: 'missing-argument', severity: 'error', summary: loc('An option or command lacks its argument, or no command is given.', 'オプションやコマンドの引数が足りない、またはコマンドがありません。') },
  { code: 'IPT105', name: 'unexpected-argument', severity: 'error', summary: loc('A word iptables does not expect (a bad argument).', 'iptables が想定していない語（不正な引数）です。') },
  { code: 'IPT106', name: 'bad-value', severity: 'error', summary: loc('A value iptables rejects: port out of range, reversed range, bad address, protocol, state, ICMP type...', 'iptables が拒否する値：範囲外のポート、逆順の範囲、不正なアドレス・プロトコル・状態・ICMP タイプなど。') },
  { code: 'IPT107', name: 'option-needs-module', severity: 'error', summary: loc('An option that needs a protocol or module first (--dport without -p tcp).', '先にプロトコルやモジュールが必要なオプション（-p tcp のない --dport など）。') },
  { code: 'IPT108', name: 'undefined-chain', severity: 'error', summary: loc('A command names a chain that does not exist at that point (or already exists, still has rules or is jumped to when it is deleted or renamed).', 'その時点で存在しないチェインを指定しています（削除・名前変更では、既に存在する・ルールが残っている・ジャンプ先になっている場合も）。') },
  { code: 'IPT109', name: 'wrong-table-or-chain', severity: 'error', summary: loc('Something used where iptables or the kernel forbids it: a target outside its table or chain, -i in OUTPUT, -o in INPUT, an unknown table.', '使えない場所での指定：テーブルやチェインに合わないターゲット、OUTPUT での -i、INPUT での -o、不明なテーブルなど。') },
  { code: 'IPT110', name: 'bad-policy', severity: 'error', summary: loc('A policy on a user chain, or a policy other than ACCEPT or DROP.', 'ユーザーチェインへのポリシー、または ACCEPT・DROP 以外のポリシーです。') },
  { code: 'IPT111', name: 'save-file-structure', severity: 'error', summary: loc('iptables-restore structure: missing COMMIT, a rule before *table, a chain declared twice, an unterminated quote.', 'iptables-restore の構造の誤り：COMMIT がない、*テーブルより前のルール、チェインの二重宣言、閉じていない引用符。') },
  { code: 'IPT112', name: 'wrong-family', severity: 'error', summary: loc('An IPv6 address or module in iptables, or IPv4 in ip6tables.', 'iptables での IPv6 アドレスやモジュール、ip6tables での IPv4 です。') },
  { code: 'IPT113', name: 'old-negation', severity: 'error', summary: loc('The old `-s ! addr` form of negation, which iptables now rejects.', '古い否定の書き方 `-s ! アドレス` です。現在の iptables は受け付けません。') },
  { code: 'IPT114', name: 'lookalike-character', severity: 'error', summary: loc('A character that looks like - or a space but is not ASCII (copied from a web page).', '- や空白に見えて実は ASCII ではない文字（Web ページからのコピー）。') },
  { code: 'IPT115', name: 'unresolved-variable', severity: 'warning', summary: loc('A shell variable whose value is not known: the rule is checked only in part.', '値がわからないシェル変数です。ルールは一部しか検査できません。') },
  { code: 'IPT116', name: 'placeholder-address', severity: 'warning', summary: loc('A placeholder such as y.y.y.y left where a real address belongs.', '本来のアドレスの代わりに y.y.y.y のような仮の値が残っています。') },
  { code: 'IPT117', name: 'conflicting-options', severity: 'error', summary: loc('Options that cannot be combined or repeated (two commands, -p twice, `!` where negation is not allowed).', '併用・重複できないオプション（コマンド 2 つ、-p の重複、否定できない所の `!`）。') },
  { code: 'IPT118', name: 'invalid-module-options', severity: 'error', summary: loc('A match or target whose options iptables refuses as a whole (a required option missing, a bad combination).', 'マッチやターゲットのオプションの組み合わせが不正（必須オプションがない等）です。') },
  { code: 'IPT119', name: 'bad-chain-name', severity: 'error', summary: loc('A chain name that is too long (over 28 characters) or reserved.', '長すぎる（28 文字超）か予約された名前のチェインです。') },
  { code: 'IPT120', name: 'rule-number-out-of-range', severity: 'error', summary: loc('-I, -R or -D with a rule number the chain does not have at that point (in a restore file, also -D of a rule it does not have).', 'その時点のチェインに存在しないルール番号を -I・-R・-D に指定しています（保存ファイルでは存在しないルールの -D も）。') },
  { code: 'IPT121', name: 'jump-loop', severity: 'error', summary: loc('A jump that makes a loop of chains reachable from a built-in chain: iptables refuses it.', '組み込みチェインから到達できるチェインのループを作るジャンプです。iptables は拒否します。') },
];
