// IPT201: while a script runs, INPUT starts dropping (a DROP policy or a catch-all DROP/REJECT)
// before any rule lets the admin's SSH (management port) traffic in, so running the script over
// SSH cuts the admin's own session in between.
import { loc, type Fix, type Range } from '../syntax/ast';
import type { Analysis, CommandRecord } from '../engine';
import { Ruleset, applyCommand } from '../model/ruleset';
import type { CheckDef, Finding } from './types';
import { inputMayAccept } from './lib/reach';
import { moveLinesFix } from './lib/edits';

export const policyBeforeManagementAllow: CheckDef = {
  code: 'IPT201',
  name: 'policy-before-management-allow',
  severity: 'error',
  summary: loc('A DROP policy takes effect on INPUT before SSH is allowed: running the script over SSH locks you out.', 'SSH を許可する前に INPUT の DROP ポリシーが効きます。SSH 経由でスクリプトを実行すると締め出されます。'),
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

function findForFamily(analysis: Analysis, family: 4 | 6): Finding | undefined {
  const records = analysis.commands.filter((r) => r.command.family === family && !r.fromRestore);
  const scratch = new Ruleset(family);
  for (const port of analysis.config.managementPorts) {
    const state = () => inputMayAccept(scratch, { port, state: 'ESTABLISHED' }) || inputMayAccept(scratch, { port, state: 'NEW' });
    let cutAt: CommandRecord | undefined;
    for (const rec of records) {
      const before = state();
      applyCommand(scratch, rec.command, []);
      const after = state();
      if (before && !after && !rec.conditional && !cutAt) cutAt = rec;
      if (cutAt && after) return report(analysis, cutAt, rec, port, records);
    }
    scratch.tables.clear();
  }
  return undefined;
}

function report(analysis: Analysis, cut: CommandRecord, restored: CommandRecord, port: number, records: CommandRecord[]): Finding {
  const cutLine = cut.command.range.start.line + 1;
  const okLine = restored.command.range.start.line + 1;
  const gap = okLine - cutLine;
  const what = cut.command.op === 'P' ? loc(`the DROP policy on ${cut.command.chain}`, `${cut.command.chain} の DROP ポリシー`) : loc('this catch-all DROP/REJECT rule', 'この全遮断ルール');
  const fixes: Fix[] = [];
  if (cut.command.op === 'P') {
    // Move the whole run of -P commands (with the comment block above it) to the end of the script.
    const group = policyGroup(records, cut);
    const lastLine = Math.max(...records.map((r) => r.command.range.end.line));
    const end = moveLinesFix(analysis.text, group.from, group.to, lastLine + 1,
      loc('Move the policy commands to the end of the script', 'ポリシー設定をスクリプトの最後へ移動'));
    if (end) fixes.push({ ...end, preferred: true });
    const afterAllow = moveLinesFix(analysis.text, group.from, group.to, restored.command.range.end.line + 1,
      loc(`Move the policy commands below the rule on line ${okLine}`, `ポリシー設定を ${okLine} 行目のルールの後へ移動`));
    if (afterAllow && restored.command.range.end.line + 1 !== lastLine + 1) fixes.push(afterAllow);
  }
  return {
    range: cut.command.range,
    message: loc(
      `${what.en} (line ${cutLine}) starts dropping your SSH traffic (tcp/${port}), but the first rule that lets it back in is on line ${okLine}, ${gap} line${gap === 1 ? '' : 's'} later: run over SSH, this script cuts your own session in between`,
      `${what.ja}（${cutLine} 行目）で SSH（tcp/${port}）の通信が遮断されますが、再び許可されるのは ${gap} 行後の ${okLine} 行目です。SSH 経由で実行すると、その間に自分の接続が切れてしまいます`),
    related: [{ range: restored.command.range, message: loc(`tcp/${port} is allowed again only here`, `tcp/${port} が再び許可されるのはここです`) }],
    fixes,
  };
}

/** The consecutive -P commands around `cut` (by line), as a line span. */
function policyGroup(records: CommandRecord[], cut: CommandRecord): { from: number; to: number } {
  const policies = records.filter((r) => r.command.op === 'P').map((r) => r.command.range);
  let from = cut.command.range.start.line, to = cut.command.range.end.line;
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of policies) {
      if (r.end.line === from - 1) { from = r.start.line; grew = true; }
      if (r.start.line === to + 1) { to = r.end.line; grew = true; }
    }
  }
  return { from, to };
}

export type { Range };
