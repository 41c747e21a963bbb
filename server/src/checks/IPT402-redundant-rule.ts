// IPT402: earlier rules already give every packet this rule matches the same verdict.
import { loc } from '../syntax/ast';
import type { CheckDef } from './types';
import { linesOf, orderCheck } from './lib/order-findings';
import { deleteLinesFix } from './lib/edits';

export const redundantRule: CheckDef = {
  code: 'IPT402',
  name: 'redundant-rule',
  severity: 'warning',
  summary: loc('Earlier rules already give every packet this rule matches the same verdict: it can be deleted.', 'このルールが対象とするパケットはすべて、先のルールが同じ判定で処理済みです。削除できます。'),
  run(analysis) {
    return orderCheck(analysis, 'redundant', (f) => ({
      message: loc(`redundant: the rule(s) on line ${linesOf(f)} already ${f.rule.command.target?.name ?? 'decide'} every packet this rule matches`,
        `冗長です。${linesOf(f)} 行目のルールが、このルールの対象パケットをすべて先に ${f.rule.command.target?.name ?? '処理'} しています`),
      related: loc('already decides these packets the same way', 'ここで同じ判定が先に行われます'),
    }), (f) => ({ tags: ['unnecessary'], fixes: deleteLinesFix(analysis, f.rule.command, loc('Delete the redundant rule', '冗長なルールを削除')) }));
  },
};
