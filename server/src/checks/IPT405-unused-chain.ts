// IPT405: a user chain nothing jumps to, or a jump to a chain that has no rules.
import { loc } from '../syntax/ast';
import type { CheckDef, Finding } from './types';

export const unusedChain: CheckDef = {
  code: 'IPT405',
  name: 'unused-chain',
  severity: 'info',
  summary: loc('A user chain nothing jumps to, or a jump to an empty chain.', 'どこからもジャンプされないユーザーチェイン、または空のチェインへのジャンプです。'),
  run(analysis) {
    const out: Finding[] = [];
    // A script whose commands are partly unknown may jump through a variable: no claim then.
    if (analysis.commands.some((c) => c.command.target?.nameWord?.symbolic)) return out;
    for (const f of analysis.families) {
      const rs = analysis.rulesets[f];
      for (const table of rs.tables.values()) {
        const index = rs.referenceIndex(table.name);
        for (const chain of table.chains.values()) {
          if (chain.builtin || !chain.definedAt) continue;
          const refs = index.get(chain.name) ?? [];
          if (!refs.length) {
            const message = chain.rules.length
              ? loc(`chain ${chain.name} (${table.name}) is never jumped to: its ${chain.rules.length} rule(s) never run`, `チェイン ${chain.name}（${table.name}）へのジャンプがないため、その ${chain.rules.length} 個のルールは実行されません`)
              : loc(`chain ${chain.name} (${table.name}) is empty and never jumped to`, `チェイン ${chain.name}（${table.name}）は空で、どこからもジャンプされません`);
            out.push({ range: chain.definedAt, tags: ['unnecessary'], message });
          } else if (!chain.rules.length) {
            // One finding per empty chain (kube-proxy jumps to its empty chains thousands of times).
            const certain = refs.filter((r) => !r.conditional);
            if (!certain.length) continue;
            out.push({
              range: chain.definedAt,
              message: loc(`chain ${chain.name} (${table.name}) has no rules: the ${certain.length} jump(s) to it do nothing`, `チェイン ${chain.name}（${table.name}）にはルールがありません。ここへの ${certain.length} 個のジャンプは何もしません`),
              related: certain.slice(0, 5).map((r) => ({ range: r.command.target?.nameWord?.range ?? r.command.range, message: loc('jumps to the empty chain', '空のチェインへジャンプ') })),
            });
          }
        }
      }
    }
    return out;
  },
};
