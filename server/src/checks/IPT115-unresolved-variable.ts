// IPT115: a word of an iptables command holds a shell variable whose value is not known statically.
// Reported once per variable (at its first use in a rule), with the other uses as related
// information: a script that sources its settings would otherwise drown in warnings.
import { loc, type Range } from '../syntax/ast';
import type { CheckDef, Finding } from './types';

export const unresolvedVariable: CheckDef = {
  code: 'IPT115',
  name: 'unresolved-variable',
  severity: 'warning',
  summary: loc('A shell variable whose value is not known: the rules using it are checked only in part.', '値がわからないシェル変数です。それを使うルールは一部しか検査できません。'),
  run(analysis) {
    const uses = new Map<string, Range[]>();
    for (const rec of analysis.commands) {
      if (rec.fromRestore) continue;
      for (const w of rec.command.words) {
        if (!w.symbolic) continue;
        const list = uses.get(w.text);
        if (list) { if (!list.some((r) => sameStart(r, w.range))) list.push(w.range); } else uses.set(w.text, [w.range]);
      }
    }
    const out: Finding[] = [];
    for (const [text, ranges] of uses) {
      const more = ranges.length - 1;
      out.push({
        range: ranges[0],
        message: loc(
          `${text} has no value that can be known before the script runs (set outside this script?): ${more ? `this rule and ${more} other use(s) are` : 'this rule is'} checked only in part`,
          `${text} の値はスクリプト実行前にはわかりません（スクリプトの外で設定？）。${more ? `このルールとほか ${more} 箇所の使用は` : 'このルールは'}一部しか検査できません`),
        related: ranges.slice(1, 20).map((r) => ({ range: r, message: loc(`${text} is used here too`, `${text} はここでも使われています`) })),
      });
    }
    return out;
  },
};

const sameStart = (a: Range, b: Range) => a.start.line === b.start.line && a.start.character === b.start.character;
