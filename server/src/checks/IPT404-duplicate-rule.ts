// IPT404: a rule identical to an earlier one in the same chain, which it can never add to.
import { loc } from '../syntax/ast';
import type { CheckDef } from './types';
import { deleteRuleFix, lineOf, orderCheck } from './lib/order-findings';

export const duplicateRule: CheckDef = {
  code: 'IPT404',
  name: 'duplicate-rule',
  severity: 'warning',
  summary: loc('A rule identical to an earlier one in the same chain.', '同じチェインの前のルールとまったく同じルールです。'),
  run(analysis) {
    return orderCheck(analysis, 'duplicate', (g) => ({
      message: loc(`duplicate of the rule on line ${lineOf(g)} in ${g.findings[0].chain.name}`, `${g.findings[0].chain.name} の ${lineOf(g)} 行目のルールと同じです`),
      related: loc('the same rule, earlier', '同じルール（先）'),
    }), (g) => ({ tags: ['unnecessary'], fixes: deleteRuleFix(analysis, g.command, loc('Delete the duplicate', '重複したルールを削除')) }));
  },
};
