// IPT401: earlier rules already decide every packet this rule matches, with another verdict.
import { loc } from '../syntax/ast';
import type { CheckDef } from './types';
import { linesOf, orderCheck } from './lib/order-findings';
import { moveLinesFix } from './lib/edits';

export const shadowedRule: CheckDef = {
  code: 'IPT401',
  name: 'shadowed-rule',
  severity: 'error',
  summary: loc('Earlier rules already decide every packet this rule matches, with another verdict: it never applies.', 'このルールが対象とするパケットはすべて、先のルールが別の判定で処理済みです。このルールは効きません。'),
  run(analysis) {
    return orderCheck(analysis, 'shadowed', (f) => ({
      message: loc(`this rule never applies: every packet it matches is already decided by the rule(s) on line ${linesOf(f)} of ${f.chain.name}`,
        `このルールは効きません。対象のパケットはすべて ${f.chain.name} の ${linesOf(f)} 行目のルールで先に処理されます`),
      related: loc('decides these packets first', 'ここで先に処理されます'),
    }), (f) => {
      const first = Math.min(...f.by.map((r) => r.command.range.start.line));
      const r = f.rule.command.range;
      const fix = moveLinesFix(analysis.text, r.start.line, r.end.line, first, loc('Move this rule above the first rule that shadows it', 'このルールを、先に処理しているルールより上へ移動'));
      return fix && sameFile(analysis, f) ? { fixes: [fix] } : {};
    });
  },
};

/** Moving lines only makes sense when both rules are written in this document as separate lines. */
function sameFile(analysis: import('../engine').Analysis, f: import('../analysis/order').OrderFinding): boolean {
  const rule = f.rule.command, firstBy = f.by[0].command;
  return rule.range.start.line !== firstBy.range.start.line && analysis.commands.some((c) => c.command === rule && !c.conditional);
}
