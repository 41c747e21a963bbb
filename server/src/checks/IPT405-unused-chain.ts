// IPT405: a user chain nothing jumps to, or a jump to a chain that has no rules.
import { loc } from '../syntax/ast';
import type { Analysis } from '../engine';
import { findTable } from '../knowledge/tables';
import type { Rule, Table } from '../model/ruleset';
import { opaqueEvents } from '../analysis/order-trust';
import type { CheckDef, Finding } from './types';

export const unusedChain: CheckDef = {
  code: 'IPT405',
  name: 'unused-chain',
  severity: 'info',
  summary: loc('A user chain nothing jumps to, or a jump to an empty chain.', 'どこからもジャンプされないユーザーチェイン、または空のチェインへのジャンプです。'),
  run(analysis) {
    const out: Finding[] = [];
    // A script whose commands are partly unknown may jump through a variable: no claim then.
    if (analysis.kind === 'shell' && analysis.commands.some((c) => c.command.target?.nameWord?.symbolic)) return out;
    // Nor when another tool or file may add the jumps (a sourced file, a restore from a file).
    const mayBeJumpedElsewhere = opaqueEvents(analysis).length > 0;
    const fragments = fragmentChains(analysis);
    // A jump written in the document counts even when the model left it out (a rule iptables
    // would refuse): "never jumped to" would then describe our model, not the file.
    const written = new Set(analysis.commands.filter((c) => c.command.invalid || c.command.skipped).map((c) => `${c.command.family}|${c.command.table}|${c.command.target?.name}`));
    for (const f of analysis.families) {
      const rs = analysis.rulesets[f];
      for (const table of rs.tables.values()) {
        const index = jumpsTo(table);
        for (const chain of table.chains.values()) {
          if (chain.builtin || !chain.definedAt) continue;
          const refs = index.get(chain.name) ?? 0;
          if (refs === 0) {
            const key = `${f}|${table.name}|${chain.name}`;
            if (mayBeJumpedElsewhere || fragments.has(key) || written.has(key) || HOOKED.test(chain.name)) continue;
            const message = chain.rules.length
              ? loc(`chain ${chain.name} (${table.name}) is never jumped to: its ${chain.rules.length} rule(s) never run`, `チェイン ${chain.name}（${table.name}）へのジャンプがないため、その ${chain.rules.length} 個のルールは実行されません`)
              : loc(`chain ${chain.name} (${table.name}) is empty and never jumped to`, `チェイン ${chain.name}（${table.name}）は空で、どこからもジャンプされません`);
            out.push({ range: chain.definedAt, tags: ['unnecessary'], message });
          } else if (!chain.rules.length) {
            // One finding per empty chain (kube-proxy jumps to its empty chains thousands of times).
            // A -g to an empty chain is not "nothing": it returns from the calling chain.
            const all = index.rules(chain.name);
            const certain = all.filter((r) => !r.conditional && !r.command.goto);
            if (!certain.length || all.some((r) => r.command.goto)) continue;
            out.push({
              range: chain.definedAt,
              message: loc(`chain ${chain.name} (${table.name}) has no rules: the ${certain.length} jump(s) to it do nothing`, `チェイン ${chain.name}（${table.name}）にはルールがありません。ここへの ${certain.length} 個のジャンプは何もしません`),
              related: certain.slice(0, 5).map((r) => ({ range: r.command.target?.nameWord?.range ?? r.command.range, message: loc('jumps to the empty chain', '空のチェインへジャンプ') })),
            });
          }
        }
      }
    }
    return out;
  },
};

/** Chains that other software jumps to from rules of its own (Docker, ufw, fail2ban, libvirt, Kubernetes and CNI plugins, Tailscale). */
const HOOKED = /^(DOCKER(-USER|-INGRESS|-FORWARD|-BRIDGE|-CT|-ISOLATION-STAGE-[12])?|ufw6?-.*|f2b-.*|fail2ban-.*|LIBVIRT_.*|KUBE-.*|cali-.*|CILIUM_.*|WEAVE.*|FLANNEL.*|ts-.*)$/;

/**
 * How many rules of the table jump or go to each name; the rules themselves only for empty chains,
 * in one more pass when first asked (counting first spares 18,000 lists on a kube-proxy nat table).
 */
function jumpsTo(table: Table): { get(name: string): number | undefined; rules(name: string): Rule[] } {
  const counts = new Map<string, number>();
  for (const c of table.chains.values()) {
    for (const r of c.rules) {
      const t = r.command.target?.name;
      if (t !== undefined) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
  }
  let toEmpty: Map<string, Rule[]> | undefined;
  return {
    get: (name) => counts.get(name),
    rules: (name) => {
      if (!toEmpty) {
        toEmpty = new Map();
        for (const c of table.chains.values()) if (!c.rules.length && counts.has(c.name)) toEmpty.set(c.name, []);
        for (const c of table.chains.values()) for (const r of c.rules) { const t = r.command.target?.name; if (t !== undefined) toEmpty.get(t)?.push(r); }
      }
      return toEmpty.get(name) ?? [];
    },
  };
}

/**
 * Chains declared in a table block that declares none of the table's built-in chains: a fragment
 * meant to be loaded into a running firewall (ufw's before.rules, user.rules), whose chains are
 * jumped to from rules this document does not hold.
 */
function fragmentChains(analysis: Analysis): Set<string> {
  const out = new Set<string>();
  for (const save of analysis.saves) {
    let table: string | undefined;
    let declared: string[] = [];
    const flush = () => {
      const builtins = findTable(table ?? '')?.chains ?? [];
      if (table && !declared.some((c) => builtins.includes(c))) for (const c of declared) out.add(`${save.family}|${table}|${c}`);
    };
    for (const e of save.entries) {
      if (e.kind === 'table') { flush(); table = e.name; declared = []; }
      else if (e.kind === 'chain') declared.push(e.name);
    }
    flush();
  }
  return out;
}
