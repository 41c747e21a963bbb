// IPT504: a script that builds the firewall with many separate iptables calls. Each call changes
// the live ruleset on its own: while the script runs (or if it stops half-way) the host runs on a
// half-built firewall, and every call reloads the whole table. One iptables-restore file is
// applied at once, all or nothing, and is much faster.
import { loc } from '../syntax/ast';
import type { CheckDef } from './types';
import { addsRule } from './lib/rule-facts';

const MIN_COMMANDS = 10;

export const scriptNotAtomic: CheckDef = {
  code: 'IPT504',
  name: 'script-not-atomic',
  severity: 'info',
  summary: loc('Many separate iptables calls: one iptables-restore file would apply the whole ruleset at once.', 'iptables を何度も個別に呼び出しています。iptables-restore のファイル 1 つなら全体を一度に適用できます。'),
  run(analysis) {
    if (analysis.kind !== 'shell') return [];
    const calls = analysis.commands.filter((r) => !r.fromRestore && (addsRule(r.command) || r.command.op === 'P' || r.command.op === 'N'));
    // Commands under conditions would need the same conditions around the restore file.
    if (calls.length < MIN_COMMANDS || calls.some((r) => r.conditional) || analysis.commands.some((r) => r.fromRestore)) return [];
    const first = calls[0];
    return [{
      range: first.command.range,
      message: loc(
        `this script changes the firewall with ${calls.length} separate iptables calls: while it runs, and for good if it stops half-way, the host has a half-built ruleset. Keep the rules in one iptables-restore file (in VS Code, the command "Convert to iptables-restore File" writes it) and load it with one iptables-restore call: all or nothing, at once`,
        `このスクリプトは ${calls.length} 回の iptables 呼び出しでファイアウォールを変更します。実行中は（途中で止まればその後も）ルールが中途半端な状態になります。ルールを iptables-restore 形式のファイル 1 つにまとめ（VS Code ではコマンド「iptables-restore 形式に変換」で作成できます）、iptables-restore 1 回で読み込んでください。全体が一度に、すべてかゼロかで適用されます`),
    }];
  },
};
