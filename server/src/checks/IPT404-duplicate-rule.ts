// IPT404: a rule identical to an earlier one in the same chain.
import { loc } from '../syntax/ast';
import type { CheckDef } from './types';
import { lineOf, orderCheck } from './lib/order-findings';
import { deleteLinesFix } from './lib/edits';

export const duplicateRule: CheckDef = {
  code: 'IPT404',
  name: 'duplicate-rule',
  severity: 'warning',
  summary: loc('A rule identical to an earlier one in the same chain.', '同じチェインの前のルールとまったく同じルールです。'),
  run(analysis) {
    return orderCheck(analysis, 'duplicate', (f) => ({
      message: loc(`duplicate of the rule on line ${lineOf(f)} in ${f.chain.name}`, `${f.chain.name} の ${lineOf(f)} 行目のルールと同じです`),
      related: loc('the same rule, earlier', '同じルール（先）'),
    }), (f) => ({ tags: ['unnecessary'], fixes: deleteLinesFix(analysis, f.rule.command, loc('Delete the duplicate', '重複したルールを削除')) }));
  },
};
