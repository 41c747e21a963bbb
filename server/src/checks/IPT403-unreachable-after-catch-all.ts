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
    return orderCheck(analysis, 'unreachable', (f) => ({
      message: loc(`never reached: the rule on line ${lineOf(f)} matches every packet in ${f.chain.name} and ends it (-j ${f.by[0].command.target?.name})`,
        `到達しません。${lineOf(f)} 行目のルールが ${f.chain.name} のすべてのパケットに一致し、処理を終えます（-j ${f.by[0].command.target?.name}）`),
      related: loc('matches every packet', 'すべてのパケットに一致します'),
    }), () => ({ tags: ['unnecessary'] }));
  },
};
