// IPT403: a rule after an unconditional terminating rule in the same chain.
import { loc } from '../syntax/ast';
import type { CheckDef } from './types';
import { lineOf, orderCheck } from './lib/order-findings';

export const unreachableAfterCatchAll: CheckDef = {
  code: 'IPT403',
  name: 'unreachable-after-catch-all',
  severity: 'error',
  summary: loc('A rule after a rule that matches every packet and ends the chain: it is never reached.', 'すべてのパケットに一致して処理を終えるルールの後にあるため、到達しないルールです。'),
  run(analysis) {
    return orderCheck(analysis, 'unreachable', (g) => {
      const by = g.by[0].command, chain = g.findings[0].chain.name;
      const verdict = `${by.goto ? '-g' : '-j'} ${by.target?.name}`;
      return {
        message: loc(`never reached: the rule on line ${lineOf(g)} matches every packet in ${chain} and ends it (${verdict})`,
          `到達しません。${lineOf(g)} 行目のルールが ${chain} のすべてのパケットに一致し、処理を終えます（${verdict}）`),
        related: loc('matches every packet', 'すべてのパケットに一致します'),
      };
    }, () => ({ tags: ['unnecessary'] }));
  },
};
