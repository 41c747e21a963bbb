// Targets and matches that work only in some built-in chains (DNAT: PREROUTING and OUTPUT,
// MASQUERADE: POSTROUTING, -m owner: OUTPUT and POSTROUTING...) may sit in a user chain, but the
// kernel checks them against every built-in chain that reaches that chain. iptables-nft 1.8.9
// (observed in a namespace) refuses the rule that breaks this, in a script and in a restore file
// alike ("RULE_APPEND failed (Invalid argument)"): the restricted rule when its chain is already
// reached from a wrong place, or the jump that would let a wrong place reach it.
// `iptables-restore --test` does not see it: the real restore fails.
import { loc, type IptablesCommand, type Localized } from '../syntax/ast';
import { findMatch, findTarget } from '../knowledge/registry';
import type { Table } from './ruleset';
import { chainBit, chainsOfMask } from '../knowledge/tables';

const namesOf = chainsOfMask;
const firstOf = (mask: number): string => namesOf(mask)[0] ?? '?';

/** Per table: which built-in chains reach each user chain, and each chain's restricted rules. */
interface HookIndex {
  reachedFrom: Map<string, number>;
  restricted: Map<string, { cmd: IptablesCommand; allowed: number }[]>;
}

const INDEXES = new WeakMap<Table, HookIndex>();

/** Any change but adding a rule (delete, replace, flush, rename, a restore block starting) calls this. */
export function chainsChanged(t: Table): void {
  INDEXES.delete(t);
}

/** The user chain the rule jumps or goes to, if any (shared with loops.ts and commit-check.ts). */
export function userCallee(t: Table, cmd: IptablesCommand): string | undefined {
  const target = cmd.target;
  if (!target || target.nameWord?.symbolic) return undefined;
  return t.chains.get(target.name)?.builtin === false ? target.name : undefined;
}

function indexOf(t: Table): HookIndex {
  let index = INDEXES.get(t);
  if (index) return index;
  index = { reachedFrom: new Map(), restricted: new Map() };
  for (const c of t.chains.values()) {
    for (const r of c.rules) {
      const allowed = r.command.hookMask;
      if (allowed) listOf(index.restricted, c.name).push({ cmd: r.command, allowed });
    }
  }
  INDEXES.set(t, index);
  for (const c of t.chains.values()) {
    if (!c.builtin) continue;
    for (const r of c.rules) {
      const callee = userCallee(t, r.command);
      if (callee) spread(t, index, callee, chainBit(c.name), true);
    }
  }
  return index;
}

function listOf<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

function hooksOf(t: Table, index: HookIndex, chain: string): number {
  return t.chains.get(chain)?.builtin ? chainBit(chain) : index.reachedFrom.get(chain) ?? 0;
}

/**
 * Lets the built-in chains `hooks` reach user chain `start` and the user chains below it, and
 * returns what that adds per chain (recorded when `record`), or (when only checking) the first
 * restricted rule it would break. Stops where nothing is new, so loops end.
 */
function spread(t: Table, index: HookIndex, start: string, hooks: number, record: boolean): Map<string, number> | Broken {
  // Recording trusts the caller (the model admits no breaking rule); checking records nothing.
  // Most jumps go to a chain that these built-in chains reach already.
  if ((hooks & ~hooksOf(t, index, start)) === 0) return NOTHING;
  // One array and one map for every walk (allocations per jump cost a 70,000-rule file 20 ms):
  // a check's result is committed by ruleAdded before the next walk starts.
  const todo = TODO, pending = PENDING;
  todo.length = 0;
  pending.clear();
  todo.push(start);
  while (todo.length) {
    const name = todo.pop()!;
    const c = t.chains.get(name);
    if (!c || c.builtin) continue;
    const added = hooks & ~(index.reachedFrom.get(name) ?? 0) & ~(pending.get(name) ?? 0);
    if (!added) continue;
    if (!record) for (const r of index.restricted.get(name) ?? []) if (added & ~r.allowed) return { chain: name, rule: r, wrong: added & ~r.allowed };
    pending.set(name, (pending.get(name) ?? 0) | added);
    for (const r of c.rules) {
      const callee = userCallee(t, r.command);
      if (callee) todo.push(callee);
    }
  }
  if (record) commit(index, pending);
  return pending;
}

interface Broken { chain: string; rule: { cmd: IptablesCommand; allowed: number }; wrong: number }

const NOTHING = new Map<string, number>();
const TODO: string[] = [];
const PENDING = new Map<string, number>();

function commit(index: HookIndex, pending: Map<string, number>): void {
  for (const [name, added] of pending) index.reachedFrom.set(name, (index.reachedFrom.get(name) ?? 0) | added);
}

/** The command hookRefusal last allowed, whose walk ruleAdded commits when the rule is really added. */
let checkedCmd: IptablesCommand | undefined;
let checkedPending: Map<string, number> | undefined;

const line = (cmd: IptablesCommand) => cmd.range.start.line + 1;
const restrictedNames = (cmd: IptablesCommand) => [...cmd.matches.filter((m) => findMatch(m.name, cmd.family)?.chains).map((m) => m.name), ...(cmd.target && findTarget(cmd.target.name, cmd.family)?.chains ? [cmd.target.name] : [])].join(', ');

/** Why iptables refuses to add `cmd` to `chain` of `t` (see the top of this file), or undefined. */
export function hookRefusal(t: Table, chain: string, cmd: IptablesCommand): Localized | undefined {
  const allowed = cmd.hookMask;
  const callee = userCallee(t, cmd);
  const isUser = t.chains.get(chain)?.builtin === false;
  if (!(allowed && isUser) && !callee) return undefined;
  const index = indexOf(t);
  const hooks = hooksOf(t, index, chain);
  if (allowed && isUser && hooks & ~allowed) {
    const names = restrictedNames(cmd), only = namesOf(allowed), wrong = firstOf(hooks & ~allowed);
    return loc(
      `${names} works only in ${only.join(', ')}, and chain ${chain} is reached from ${wrong}: iptables refuses this rule`,
      `${names} は ${only.join('・')} でしか使えませんが、チェイン ${chain} には ${wrong} から到達します。iptables はこのルールを拒否します`,
    );
  }
  if (!callee || !hooks) return undefined;
  const result = spread(t, index, callee, hooks, false);
  if (result instanceof Map) {
    checkedCmd = cmd;
    checkedPending = result;
    return undefined;
  }
  const { chain: reached, rule, wrong } = result;
  const names = restrictedNames(rule.cmd), only = namesOf(rule.allowed), from = firstOf(wrong);
  return loc(
    `this jump lets ${from} reach chain ${reached}, whose rule on line ${line(rule.cmd)} uses ${names} (only in ${only.join(', ')}): iptables refuses it`,
    `このジャンプで ${from} からチェイン ${reached} に到達しますが、その ${line(rule.cmd)} 行目のルールは ${names}（${only.join('・')} でのみ使用可）を使っています。iptables はこれを拒否します`,
  );
}

/** Does any built-in chain reach `chain` (itself one included)? */
export function reachedFromBuiltin(t: Table, chain: string): boolean {
  return hooksOf(t, indexOf(t), chain) !== 0;
}

/** Records a rule just added to `chain` (after hookRefusal allowed it). */
export function ruleAdded(t: Table, chain: string, cmd: IptablesCommand): void {
  const index = INDEXES.get(t);
  if (!index) return; // built on first need, from the chains as they are then
  const allowed = cmd.hookMask;
  if (allowed) listOf(index.restricted, chain).push({ cmd, allowed });
  const callee = userCallee(t, cmd);
  if (callee && checkedCmd === cmd && checkedPending) commit(index, checkedPending);
  else if (callee) spread(t, index, callee, hooksOf(t, index, chain), true); // cannot break: hookRefusal allowed it
  checkedCmd = checkedPending = undefined;
}
