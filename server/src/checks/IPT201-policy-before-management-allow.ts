// IPT201: while a script runs, INPUT starts dropping (a DROP policy or a catch-all DROP/REJECT)
// the packets of the admin's own SSH session (a management port) before any rule lets them in
// again, so running the script over SSH cuts the session in between; if the script stops half-way
// (a typo, a failing command), the admin is locked out. Save files are applied atomically: not here.
import { loc, type Family, type Fix } from '../syntax/ast';
import type { Analysis, CommandRecord } from '../engine';
import { Ruleset, applyCommand } from '../model/ruleset';
import type { CheckDef, Finding } from './types';
import { inboundTcp, ruleMatches, surelyDropped, type Probe } from './lib/reach';
import { STANDARD_TARGETS, findTarget } from '../knowledge/registry';
import { moveLinesFix } from './lib/edits';
import { isPlainStatement, opaqueChanges } from './lib/script';
import { WalkMemo } from './lib/walk-memo';

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

function findForFamily(analysis: Analysis, family: Family): Finding | undefined {
  const records = analysis.commands.filter((r) => r.command.family === family);
  // A restore heredoc replaces tables at once; mixing it with commands is beyond this check.
  if (records.some((r) => r.fromRestore)) return undefined;
  for (const port of analysis.config.managementPorts) {
    const scratch = new Ruleset(family);
    // The admin's running session: its next segments arrive as ESTABLISHED.
    const probe = inboundTcp(port, 'ESTABLISHED');
    const walks = new WalkMemo('filter');
    let cutAt: CommandRecord | undefined;
    let dropped = false;
    for (const rec of records) {
      applyCommand(scratch, rec.command, [], { conditional: rec.conditional });
      walks.after(rec.command);
      // Walking INPUT after every command is quadratic: skip the commands that cannot change the answer.
      if (!mayChange(rec, dropped, probe)) continue;
      const after = surelyDropped(scratch, 'INPUT', probe, walks);
      if (!cutAt && !dropped && after && !rec.conditional) cutAt = rec;
      else if (cutAt && !after) {
        // Something we cannot see ran in between (a sourced file, a restore): it may have let SSH in.
        const from = cutAt.command.range.end.line, to = rec.command.range.start.line;
        if (opaqueChanges(analysis).some((r) => r.start.line > from && r.start.line < to)) return undefined;
        return report(analysis, cutAt, rec, port, records);
      }
      dropped = after;
    }
  }
  return undefined;
}

/**
 * Can this command change whether INPUT surely drops the probe? False only when it certainly
 * cannot: another table or chain policy, a LOG-like target, an ACCEPT while nothing is dropped or
 * one that cannot match the probe, a DROP that does not surely match it (its "maybe" only adds a
 * drop to the accepts that stay possible).
 */
function mayChange(rec: CommandRecord, dropped: boolean, probe: Probe): boolean {
  const c = rec.command;
  if (c.invalid || c.skipped || !c.op || c.table !== 'filter' || c.tableWord?.symbolic) return false;
  if (c.op === 'P') return c.chain === 'INPUT' || !!c.chainWord?.symbolic;
  if (c.op !== 'A' && c.op !== 'I') return c.op !== 'C';
  const t = c.target;
  if (!t) return false;
  if (t.nameWord?.symbolic || c.chainWord?.symbolic) return true;
  switch (t.name) {
    case 'ACCEPT': return dropped && (rec.conditional || ruleMatches(c, probe) !== 'no');
    case 'DROP': case 'REJECT': return !dropped && !rec.conditional && ruleMatches(c, probe) === 'yes';
    case 'RETURN': return true;
  }
  if ((STANDARD_TARGETS as readonly string[]).includes(t.name) || t.name === 'NFQUEUE') return true;
  // A target extension that does not decide (LOG, MARK...); a jump to a user chain may.
  return !!c.goto || !findTarget(t.name, c.family);
}

function report(analysis: Analysis, cut: CommandRecord, restored: CommandRecord, port: number, records: CommandRecord[]): Finding {
  const cutLine = cut.command.range.start.line + 1;
  const okLine = restored.command.range.start.line + 1;
  const gap = okLine - cutLine;
  const policy = cut.command.op === 'P';
  const what = policy ? loc(`the DROP policy on ${cut.command.chain}`, `${cut.command.chain} の DROP ポリシー`) : loc('this catch-all DROP/REJECT rule', 'すべてを破棄するこのルール');
  const fixes: Fix[] = [];
  const group = policy ? policyGroup(analysis, records, cut) : undefined;
  if (group) {
    const plain = analysis.commands.filter((r) => isPlainStatement(analysis, r));
    const lastLine = Math.max(...plain.map((r) => r.command.range.end.line));
    const end = moveLinesFix(analysis.text, group.from, group.to, lastLine + 1,
      loc('Move the policy commands to the end of the script', 'ポリシー設定をスクリプトの最後へ移動'));
    if (end) fixes.push({ ...end, preferred: true });
    const below = restored.command.range.end.line + 1;
    if (below !== lastLine + 1 && isPlainStatement(analysis, restored)) {
      const afterAllow = moveLinesFix(analysis.text, group.from, group.to, below,
        loc(`Move the policy commands below the rule on line ${okLine}`, `ポリシー設定を ${okLine} 行目のルールの後へ移動`));
      if (afterAllow) fixes.push(afterAllow);
    }
  }
  return {
    range: cut.command.range,
    message: loc(
      `${what.en} (line ${cutLine}) starts dropping the packets of your SSH session (tcp/${port}), and nothing lets them in again until line ${okLine}, ${gap} line${gap === 1 ? '' : 's'} later: run over SSH, your session stalls in between, and if the script stops before line ${okLine} (an error, Ctrl-C, a dropped connection) you are locked out. ${policy ? 'Set the DROP policy after the rules that allow SSH' : 'Put the rules that allow SSH before it'}`,
      `${what.ja}（${cutLine} 行目）で SSH（tcp/${port}）のパケットが破棄され始め、再び許可されるのは ${gap} 行後の ${okLine} 行目です。SSH 経由で実行するとその間は応答が途絶え、${okLine} 行目より前でスクリプトが止まると（エラー、Ctrl-C、回線断など）締め出されます。${policy ? 'DROP ポリシーは SSH を許可するルールの後で設定してください' : 'SSH を許可するルールをこれより前に置いてください'}`),
    related: [{ range: restored.command.range, message: loc(`tcp/${port} is let in again only here`, `tcp/${port} が再び許可されるのはここです`) }],
    fixes,
  };
}

/** The run of -P commands on consecutive lines around `cut`, when every one of them can be moved. */
function policyGroup(analysis: Analysis, records: CommandRecord[], cut: CommandRecord): { from: number; to: number } | undefined {
  const policies = records.filter((r) => r.command.op === 'P');
  let from = cut.command.range.start.line, to = cut.command.range.end.line;
  const members = new Set<CommandRecord>([cut]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of policies) {
      if (members.has(r)) continue;
      if (r.command.range.end.line === from - 1) { from = r.command.range.start.line; members.add(r); grew = true; }
      else if (r.command.range.start.line === to + 1) { to = r.command.range.end.line; members.add(r); grew = true; }
    }
  }
  return [...members].every((r) => isPlainStatement(analysis, r)) ? { from, to } : undefined;
}
