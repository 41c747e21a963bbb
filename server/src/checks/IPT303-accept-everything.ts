// IPT303: a rule without any condition accepts every packet in INPUT or FORWARD although the chain
// drops by default: from that rule on, the DROP policy (and every rule below) protects nothing.
import { loc } from '../syntax/ast';
import type { CheckDef, Finding } from './types';
import { addsRule, isUnconditional } from './lib/rule-facts';
import { uniqueCommands } from './lib/exposure';

const CHAINS = ['INPUT', 'FORWARD'];

export const acceptEverything: CheckDef = {
  code: 'IPT303',
  name: 'accept-everything',
  severity: 'warning',
  summary: loc('A rule with no condition accepts everything in INPUT or FORWARD, although the chain drops by default.', '条件のないルールが INPUT や FORWARD のすべてを許可しています（チェインは既定で破棄する設定です）。'),
  run(analysis) {
    const out: Finding[] = [];
    for (const rec of uniqueCommands(analysis)) {
      const cmd = rec.command;
      if (rec.conditional || cmd.invalid || cmd.skipped || !addsRule(cmd) || cmd.table !== 'filter' || !CHAINS.includes(cmd.chain ?? '')) continue;
      if (cmd.target?.name !== 'ACCEPT' || cmd.target.nameWord?.symbolic || cmd.symbolic || !isUnconditional(cmd)) continue;
      // Only where the admin asked for "deny unless allowed": the chain's policy at the end is DROP.
      const chain = analysis.rulesets[cmd.family].chain('filter', cmd.chain!);
      if (!chain || chain.policy !== 'DROP' || !chain.rules.some((r) => r.command === cmd)) continue;
      out.push({
        range: rec.command.range,
        message: loc(
          `accepts every packet that reaches it in ${cmd.chain}, from any address to any port: the DROP policy of ${cmd.chain} and every rule below this one have no effect. Add the conditions you meant (-i, -s, -p, --dport, a state)`,
          `${cmd.chain} でここに届いたすべてのパケットを、あらゆるアドレス・ポートについて許可します。${cmd.chain} の DROP ポリシーとこれより下のルールは意味を持ちません。意図した条件（-i、-s、-p、--dport、状態など）を加えてください`),
      });
    }
    return out;
  },
};
