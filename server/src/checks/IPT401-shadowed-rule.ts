// IPT401: earlier rules already decide every packet this rule matches, with another verdict.
import { loc } from '../syntax/ast';
import type { CheckDef } from './types';
import { linesOf, moveRuleFix, orderCheck } from './lib/order-findings';
import { verdictKey } from '../analysis/order';

export const shadowedRule: CheckDef = {
  code: 'IPT401',
  name: 'shadowed-rule',
  severity: 'error',
  summary: loc('Earlier rules already decide every packet this rule matches, with another verdict: it never applies.', 'このルールが対象とするパケットはすべて、先のルールが別の判定で処理済みです。このルールは効きません。'),
  run(analysis) {
    return orderCheck(analysis, 'shadowed', (g) => ({
      message: loc(`this rule never applies: every packet it matches is already decided by the rule(s) on line ${linesOf(g)} of ${g.findings[0].chain.name}`,
        `このルールは効きません。対象のパケットはすべて ${g.findings[0].chain.name} の ${linesOf(g)} 行目のルールで先に処理されます`),
      related: loc('decides these packets first', 'ここで先に処理されます'),
    }), (g) => {
      // Above the first rule that decides some of its packets another way: the packets the rules
      // above that one decide, they decide as this rule would; all others now reach this rule.
      if (g.findings.length !== 1) return {};
      const rule = g.findings[0].rule, verdict = verdictKey(rule);
      const anchor = g.by.find((b) => verdict === undefined || verdictKey(b) !== verdict) ?? g.by[0];
      const fix = moveRuleFix(analysis, rule, anchor, loc('Move this rule above the first rule that shadows it', 'このルールを、先に処理しているルールより上へ移動'));
      return fix ? { fixes: [fix] } : {};
    });
  },
};
