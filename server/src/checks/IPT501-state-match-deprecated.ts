// IPT501: `-m state --state` is the old, limited front end of connection tracking; `-m conntrack
// --ctstate` does the same (same state names) and is what current documentation and tools use.
import { loc, rangeOf, type Fix, type TextEdit } from '../syntax/ast';
import type { CheckDef, Finding } from './types';
import { moduleWords } from './lib/rule-facts';
import { uniqueCommands } from './lib/exposure';

export const stateMatchDeprecated: CheckDef = {
  code: 'IPT501',
  name: 'state-match-deprecated',
  severity: 'info',
  summary: loc('`-m state --state` is superseded by `-m conntrack --ctstate`.', '`-m state --state` は `-m conntrack --ctstate` に置き換えられています。'),
  run(analysis) {
    const out: Finding[] = [];
    for (const rec of uniqueCommands(analysis)) {
      for (const m of rec.command.matches) {
        if (m.name !== 'state' || !m.word || !m.nameWord) continue;
        const words = moduleWords(m);
        const edits: TextEdit[] = [{ range: m.nameWord.range, newText: 'conntrack' }];
        for (const o of m.options) if (o.name === 'state' && !o.word.symbolic) edits.push({ range: o.word.range, newText: '--ctstate' });
        const canFix = !m.nameWord.symbolic && !m.word.symbolic && m.options.length > 0 && m.options.every((o) => o.name === 'state' && !o.word.symbolic);
        const fixes: Fix[] = canFix ? [{ title: loc('Use -m conntrack --ctstate', '-m conntrack --ctstate に置き換える'), edits, preferred: true }] : [];
        const state = m.options[0]?.args[0]?.text;
        out.push({
          range: rangeOf(words[0], words[words.length - 1]),
          message: loc(
            `-m state is the old form of connection-state matching: write -m conntrack --ctstate${state ? ` ${state}` : ''} (same states, same effect)`,
            `-m state は接続状態の判定の古い書き方です。-m conntrack --ctstate${state ? ` ${state}` : ''} と書きます（状態名も効果も同じです）`),
          tags: ['deprecated'],
          fixes,
        });
      }
    }
    return out;
  },
};
