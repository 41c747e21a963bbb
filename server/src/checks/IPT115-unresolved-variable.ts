// IPT115: a word of an iptables command holds a shell variable whose value is not known statically.
import { loc } from '../syntax/ast';
import type { CheckDef, Finding } from './types';

export const unresolvedVariable: CheckDef = {
  code: 'IPT115',
  name: 'unresolved-variable',
  severity: 'warning',
  summary: loc('A shell variable whose value is not known: the rule is checked only in part.', '値がわからないシェル変数です。ルールは一部しか検査できません。'),
  run(analysis) {
    const out: Finding[] = [];
    for (const rec of analysis.commands) {
      if (rec.fromRestore) continue;
      const seen = new Set<string>();
      for (const w of rec.command.words) {
        if (!w.symbolic || seen.has(w.text)) continue;
        seen.add(w.text);
        out.push({
          range: w.range,
          message: loc(`${w.text} has no value that can be known before the script runs: this rule is checked only in part`,
            `${w.text} の値はスクリプト実行前にはわかりません。このルールは一部しか検査できません`),
        });
      }
    }
    return out;
  },
};
