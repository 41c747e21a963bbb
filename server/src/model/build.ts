// Builds the rulesets from what the front ends produced, in execution order.
import { loc, type IptablesCommand, type Problem } from '../syntax/ast';
import type { SaveFile } from '../syntax/saveFile';
import { findTable } from '../knowledge/tables';
import { applyCommand, Ruleset, type ApplyOptions } from './ruleset';
import { chainsChanged } from './hooks';
import { tableHasChainFault } from './commit-check';

export interface RestoreOptions {
  /** `--noflush`: keep what the tables already hold. */
  noflush?: boolean;
  conditional?: boolean;
}

/** Applies a restore document to the ruleset, table block by table block (each block replaces its table). */
export function applyRestore(rs: Ruleset, file: SaveFile, problems: Problem[], opts: RestoreOptions = {}): void {
  let declared = new Set<string>();
  let applyOpts: ApplyOptions = { conditional: opts.conditional, declaredChains: declared };
  let blockStart = 0;
  let table: string | undefined;
  const seen = new Set<string>();
  for (let k = 0; k < file.entries.length; k++) {
    const e = file.entries[k];
    if (e.kind === 'table') {
      table = e.name;
      seen.clear();
      // Every chain declared in the block may be jumped to from any rule of the block.
      declared = new Set();
      for (let j = k + 1; j < file.entries.length && file.entries[j].kind !== 'table'; j++) {
        const d = file.entries[j];
        if (d.kind === 'chain') declared.add(d.name);
      }
      applyOpts = { conditional: opts.conditional, declaredChains: declared, chainChecksAtCommit: !opts.noflush, restoreFlushed: !opts.noflush };
      blockStart = k;
      if (!findTable(e.name)) { table = undefined; continue; }
      const t = rs.table(e.name);
      chainsChanged(t);
      if (!opts.noflush) {
        for (const [name, c] of t.chains) {
          if (c.builtin) { c.rules = []; c.policy = 'ACCEPT'; c.policyCommand = undefined; c.policyRange = undefined; }
          else t.chains.delete(name);
        }
      }
    } else if (e.kind === 'chain' && table) {
      const t = rs.table(table);
      const builtin = findTable(table)!.chains.includes(e.name);
      if (seen.has(e.name)) {
        problems.push({ code: 'IPT111', severity: 'error', range: e.nameRange, message: loc(`chain ${e.name} is declared twice in this table`, `チェイン ${e.name} がこのテーブルで 2 回宣言されています`) });
        continue;
      }
      seen.add(e.name);
      if (builtin) {
        if (e.policy !== 'ACCEPT' && e.policy !== 'DROP') {
          problems.push({ code: 'IPT110', severity: 'error', range: e.policyRange, message: loc(`policy of built-in chain ${e.name} must be ACCEPT or DROP, not ${e.policy}`, `組み込みチェイン ${e.name} のポリシーは ACCEPT か DROP です（${e.policy} は不可）`) });
          continue;
        }
        const c = t.chains.get(e.name)!;
        c.policy = e.policy;
        c.policyRange = e.range;
      } else {
        if (e.policy !== '-') {
          problems.push({ code: 'IPT110', severity: 'error', range: e.policyRange, message: loc(`${e.name} is not a built-in chain of ${table}: a user chain is declared with "-" instead of a policy`, `${e.name} は ${table} の組み込みチェインではありません。ユーザーチェインはポリシーの代わりに "-" で宣言します`) });
          continue;
        }
        if (!t.chains.has(e.name)) t.chains.set(e.name, { name: e.name, builtin: false, rules: [], definedAt: e.nameRange });
        else t.chains.get(e.name)!.definedAt = e.nameRange;
      }
    } else if (e.kind === 'rule' && table) {
      applyCommand(rs, e.command, problems, applyOpts);
    } else if (e.kind === 'commit' && table && applyOpts.chainChecksAtCommit) {
      if (tableHasChainFault(rs.table(table))) replayBlock(rs, file, blockStart, k, problems, applyOpts);
    }
  }
}

/**
 * The table has a jump loop or a restricted target where a built-in chain forbids it: applies its
 * rules again one by one with those checks, to report the lines iptables-restore refuses and keep
 * the rules it refuses out. Only these checks' findings are added (the rest was reported already).
 */
function replayBlock(rs: Ruleset, file: SaveFile, from: number, to: number, problems: Problem[], opts: ApplyOptions): void {
  const t = rs.table((file.entries[from] as { name: string }).name);
  for (const c of t.chains.values()) c.rules = [];
  chainsChanged(t);
  const again: Problem[] = [];
  for (let k = from; k < to; k++) {
    const e = file.entries[k];
    if (e.kind === 'rule') applyCommand(rs, e.command, again, { ...opts, chainChecksAtCommit: false });
  }
  for (const p of again) if (p.code === 'IPT121' || p.code === 'IPT109') problems.push(p);
}

export function applyScriptCommand(rs: Ruleset, cmd: IptablesCommand, problems: Problem[], conditional: boolean): void {
  // A conditional command may not run: a failure it would cause is not certain, so it is not reported.
  const sink: Problem[] = conditional ? [] : problems;
  applyCommand(rs, cmd, sink, { conditional });
}
