// IPT203: the script flushes INPUT (or OUTPUT) while the DROP policy it sets itself is still in
// force from the previous run: the first run works, every re-run empties the chain under a DROP
// policy and cuts the admin's SSH session until the rules are back (or for good, if it stops).
import { loc, type Family } from '../syntax/ast';
import type { Analysis, CommandRecord } from '../engine';
import type { CheckDef, Finding } from './types';
import { insertLine } from './lib/edits';
import { indentOf, isPlainStatement, programText } from './lib/script';

const SESSION_CHAINS = ['INPUT', 'OUTPUT'];

export const flushUnderDropPolicy: CheckDef = {
  code: 'IPT203',
  name: 'flush-under-drop-policy',
  severity: 'warning',
  summary: loc('The script flushes a chain whose DROP policy (set by the script itself) is still in force on a re-run: the SSH session is cut while the chain is empty.', 'スクリプトが自分で設定した DROP ポリシーが残ったままチェインを消去します。再実行時、チェインが空の間 SSH 接続が切れます。'),
  run(analysis) {
    if (analysis.kind !== 'shell') return [];
    const out: Finding[] = [];
    for (const family of analysis.families) {
      const f = findForFamily(analysis, family);
      if (f) out.push(f);
    }
    return out;
  },
};

function findForFamily(analysis: Analysis, family: Family): Finding | undefined {
  const records = analysis.commands.filter((r) => r.command.family === family && !r.fromRestore && r.command.table === 'filter');
  // Chains whose policy the script leaves at DROP (unconditionally): a re-run starts with it.
  const dropAtEnd = SESSION_CHAINS.filter((chain) => {
    const last = [...records].reverse().find((r) => r.command.op === 'P' && r.command.chain === chain && !r.command.policyWord?.symbolic);
    return last && !last.conditional && last.command.policy === 'DROP';
  });
  if (!dropAtEnd.length) return undefined;
  const reset = new Set<string>();
  for (const rec of records) {
    const c = rec.command;
    if (c.op === 'P' && c.chain) {
      if (c.policy === 'ACCEPT' && !rec.conditional) reset.add(c.chain);
      else if (c.policy === 'DROP') reset.delete(c.chain);
      continue;
    }
    if (c.op !== 'F' || rec.conditional) continue;
    const hit = dropAtEnd.filter((ch) => (!c.chain || c.chain === ch) && !reset.has(ch));
    if (!hit.length) continue;
    // Only the first flush matters: after it the script rebuilds the chain.
    return report(analysis, rec, hit);
  }
  return undefined;
}

function report(analysis: Analysis, rec: CommandRecord, chains: string[]): Finding {
  const list = chains.join(', ');
  const fixes = [];
  if (isPlainStatement(analysis, rec)) {
    const indent = indentOf(analysis.text, rec.command.range.start.line);
    const program = programText(analysis, rec);
    const lines = chains.map((ch) => `${indent}${program} -P ${ch} ACCEPT`).join(analysis.text.includes('\r\n') ? '\r\n' : '\n');
    fixes.push({
      title: loc(`Reset the policy of ${list} to ACCEPT before flushing`, `消去の前に ${list} のポリシーを ACCEPT に戻す`),
      edits: [insertLine(analysis.text, rec.command.range.start.line, lines)],
      preferred: true,
    });
  }
  return {
    range: rec.command.range,
    message: loc(
      `this flush runs while ${list} still ${chains.length === 1 ? 'has' : 'have'} the DROP policy this script set on its previous run: on every re-run ${chains.length === 1 ? 'the chain is' : 'the chains are'} empty under DROP and your SSH session stalls until the rules are back (for good, if the script stops half-way). Set the policy to ACCEPT before flushing`,
      `このチェイン消去は、前回の実行でこのスクリプトが設定した ${list} の DROP ポリシーが残ったまま行われます。再実行のたびに DROP のままチェインが空になり、ルールが戻るまで SSH 接続が途絶えます（途中で止まればそのまま締め出されます）。消去の前にポリシーを ACCEPT にしてください`),
    fixes,
  };
}
