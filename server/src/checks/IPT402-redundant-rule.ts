// IPT402: earlier rules already give every packet this rule matches the same verdict.
import { loc } from '../syntax/ast';
import type { CheckDef } from './types';
import { deleteRuleFix, linesOf, orderCheck } from './lib/order-findings';

export const redundantRule: CheckDef = {
  code: 'IPT402',
  name: 'redundant-rule',
  severity: 'warning',
  summary: loc('Earlier rules already give every packet this rule matches the same verdict: it can be deleted.', 'このルールが対象とするパケットはすべて、先のルールが同じ判定で処理済みです。削除できます。'),
  run(analysis) {
    return orderCheck(analysis, 'redundant', (g) => ({
      message: loc(`redundant: the rule(s) on line ${linesOf(g)} already ${g.command.target?.name ?? 'decide'} every packet this rule matches`,
        `冗長です。${linesOf(g)} 行目のルールが、このルールの対象パケットをすべて先に ${g.command.target?.name ?? '処理'} しています`),
      related: loc('already decides these packets the same way', 'ここで同じ判定が先に行われます'),
    }), (g) => ({ tags: ['unnecessary'], fixes: deleteRuleFix(analysis, g.command, loc('Delete the redundant rule', '冗長なルールを削除')) }));
  },
};
