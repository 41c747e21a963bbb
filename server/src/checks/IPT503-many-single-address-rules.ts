// IPT503: a long run of rules in one chain that differ only in one address (a block list, an allow
// list). Each packet is compared with every one of them in turn; an ipset holds the addresses in a
// hash and one rule (`-m set --match-set NAME src`) does the same work at once, and is easier to edit.
import { loc } from '../syntax/ast';
import type { Rule, Ruleset } from '../model/ruleset';
import type { CheckDef, Finding } from './types';

const MIN_RUN = 10;

export const manySingleAddressRules: CheckDef = {
  code: 'IPT503',
  name: 'many-single-address-rules',
  severity: 'info',
  summary: loc('Many consecutive rules that differ only in one address: an ipset does the same in one rule.', '1 つのアドレスだけが異なるルールが多数続いています。ipset を使えば 1 つのルールで済みます。'),
  run(analysis) {
    const out: Finding[] = [];
    for (const family of analysis.families) {
      const rs = analysis.rulesets[family];
      for (const table of rs.tables.values()) for (const chain of table.chains.values()) out.push(...runs(rs, chain.name, chain.rules));
    }
    return out;
  },
};

/** The rule's words with one address (source or destination) taken out; undefined if it has no single address. */
function shape(rule: Rule): { key: string; side: 'src' | 'dst' } | undefined {
  const cmd = rule.command;
  const { source, destination } = rule.addresses;
  const single = (a?: string) => !!a && !/^(0\.0\.0\.0|::)\/0$/.test(a);
  if (cmd.symbolic) return undefined;
  if (single(source) && !single(destination)) return { key: `src ${rule.spec.replace(`-s ${source}`, '-s *')}`, side: 'src' };
  if (single(destination) && !single(source)) return { key: `dst ${rule.spec.replace(`-d ${destination}`, '-d *')}`, side: 'dst' };
  return undefined;
}

function runs(_rs: Ruleset, chain: string, rules: Rule[]): Finding[] {
  const out: Finding[] = [];
  if (rules.length < MIN_RUN) return out;
  // Rules of one run jump to the same target: a rule whose neighbours both jump elsewhere is in
  // no run, and is not printed (a kube-proxy dump's service rules each jump to their own chain).
  const sameTarget = (a: Rule, b: Rule) => a.command.goto === b.command.goto && a.command.target?.name === b.command.target?.name;
  const shapes = rules.map((r, k) => ((k > 0 && sameTarget(rules[k - 1], r)) || (k + 1 < rules.length && sameTarget(r, rules[k + 1])) ? shape(r) : undefined));
  let k = 0;
  while (k < rules.length) {
    const first = shapes[k];
    let j = k + 1;
    if (first) while (j < rules.length && shapes[j]?.key === first.key) j++;
    const n = j - k;
    if (first && n >= MIN_RUN) {
      const run = rules.slice(k, j);
      const target = run[0].command.target?.name ?? '';
      const side = first.side;
      out.push({
        range: run[0].command.range,
        message: loc(
          `${n} rules in a row in ${chain} differ only in their ${side === 'src' ? 'source' : 'destination'} address: put the addresses in an ipset (ipset create NAME hash:net; ipset add NAME ADDRESS) and use one rule, -m set --match-set NAME ${side}${target ? ` -j ${target}` : ''}. It is faster (one hash lookup instead of ${n} comparisons) and the list can change without touching the rules`,
          `${chain} で ${n} 個のルールが続けて${side === 'src' ? '送信元' : '宛先'}アドレスだけ異なっています。アドレスを ipset にまとめ（ipset create 名前 hash:net; ipset add 名前 アドレス）、-m set --match-set 名前 ${side}${target ? ` -j ${target}` : ''} の 1 ルールにしてください。${n} 回の比較が 1 回の検索になり、ルールに触れずに一覧を変更できます`),
        related: [{ range: run[run.length - 1].command.range, message: loc('the run ends here', 'ここまで続きます') }],
      });
    }
    k = Math.max(j, k + 1);
  }
  return out;
}
