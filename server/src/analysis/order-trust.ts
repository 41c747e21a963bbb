// Which rules of a script the rule-order analysis may reason about. A save file is exact, but a
// script leaves uncertainty behind: commands under conditions the evaluator could not decide,
// commands through unknown variables, other tools changing the firewall (a sourced file, a
// restore from a file). A rule is "placed" when its position relative to the other rules of its
// chain is certain, and "stable" when it certainly still exists at the end. Claims are made only
// about placed rules, and only stable, placed rules may be the reason for a claim.
import type { Analysis, CommandRecord } from '../engine';
import { writtenCommand, type Family, type IptablesCommand } from '../syntax/ast';
import type { Rule } from '../model/ruleset';
import type { ShellEvent } from '../syntax/shell/types';

export interface Trust {
  placed(rule: Rule): boolean;
  stable(rule: Rule): boolean;
}

export const TRUST_ALL: Trust = { placed: () => true, stable: () => true };

/** Programs that may change the firewall behind the linter's back (besides iptables through an unknown variable). */
export const OPAQUE_PROGRAM = /^(?:.*\/)?(?:\.|source|eval|exec|sh|bash|dash|ksh|zsh|xargs|run-parts|ip6?tables(?:-legacy|-nft)?-restore|iptables-apply|ufw|firewall-cmd|nft|shorewall6?|ferm|service|systemctl|invoke-rc\.d|rc-service|fail2ban-client|netfilter-persistent)$|\/init\.d\//;

/** Programs held in variables whose names say they are not firewall tools (`$ECHO`, `$MODPROBE`, ...). */
const HARMLESS_VARIABLE = /^\$\{?(ECHO|PRINTF|MODPROBE|INSMOD|RMMOD|LSMOD|DEPMOD|SYSCTL|LOGGER|DATE|SLEEP|TOUCH|MKDIR|CHMOD|CHOWN|RM|CP|MV|CAT|GREP|EGREP|AWK|SED|CUT|TR|HEAD|TAIL|WC|SORT|EXPR|TEST|IP|IFCONFIG|ROUTE|TC|LOGGER)\}?$/i;

/** Does this shell command possibly change the firewall in ways the linter cannot see? */
export function isOpaque(ev: ShellEvent): boolean {
  const p = ev.words[0];
  if (ev.kind !== 'command' || !p) return false;
  return p.symbolic ? !HARMLESS_VARIABLE.test(p.text) : OPAQUE_PROGRAM.test(p.text);
}

/** Shell commands that may change the firewall behind the linter's back, in execution order. */
export function opaqueEvents(analysis: Analysis): ShellEvent[] {
  if (analysis.kind !== 'shell') return [];
  return (analysis.shell?.events ?? []).filter(isOpaque);
}

const keyOf = (family: Family, table: string, chain: string) => `${family}|${table}|${chain}`;

/** The trust of the rules of one family of an analysed document. */
export function trustOf(analysis: Analysis, family: Family): Trust {
  if (analysis.kind !== 'shell') return TRUST_ALL;
  const records = analysis.commands;
  const recIndex = new Map<IptablesCommand, number>();
  records.forEach((r, k) => { if (!recIndex.has(r.command)) recIndex.set(r.command, k); });

  // Opaque events, as the index of the first record created after them.
  let lastOpaque = -1;
  const events = analysis.shell?.events ?? [];
  let p = 0;
  for (const ev of events) {
    const program = ev.words[0];
    if (isOpaque(ev)) lastOpaque = p;
    if (ev.kind === 'command') { if (p < records.length && records[p].command.range === ev.range) p++; }
    else while (p < records.length && records[p].fromRestore && records[p].program === program) p++;
  }
  // Records we could not line up with events: every rule may predate an opaque change.
  if (p !== records.length && lastOpaque >= 0) lastOpaque = records.length;

  // Per chain: the record index up to which its rules may have been removed behind our back, and
  // whether a conditional change of its rule count makes later rule numbers uncertain.
  const invalidUntil = new Map<string, number>();
  const dirty = new Set<string>();
  const misplaced = new Set<IptablesCommand>();
  const chainsOf = (fam: Family, table: string | undefined) => {
    const out: string[] = [];
    for (const t of analysis.rulesets[fam].tables.values()) if (table === undefined || t.name === table) for (const c of t.chains.keys()) out.push(keyOf(fam, t.name, c));
    return out;
  };
  const invalidate = (keys: string[], k: number) => { for (const key of keys) invalidUntil.set(key, k); };
  records.forEach((r: CommandRecord, k) => {
    const c = r.command;
    if (c.family !== family || c.invalid || c.skipped || !c.op) return;
    const op = c.op;
    const changesCount = op === 'A' || op === 'I' || op === 'D' || op === 'F';
    const removes = op === 'D' || op === 'F' || op === 'R' || op === 'X' || op === 'E';
    if (c.tableWord?.symbolic || c.chainWord?.symbolic || op === 'E') {
      const keys = chainsOf(family, c.tableWord?.symbolic ? undefined : c.table);
      if (removes) invalidate(keys, k);
      if (changesCount || op === 'E') for (const key of keys) dirty.add(key);
      return;
    }
    const keys = c.chain ? [keyOf(family, c.table, c.chain)] : chainsOf(family, c.table);
    if (r.conditional) {
      if (changesCount || r.fromRestore) for (const key of keys) dirty.add(key);
      return;
    }
    // After a certain flush the chain's rule numbers are certain again.
    if (op === 'F') for (const key of keys) dirty.delete(key);
    const numbered = (op === 'I' && (c.ruleNum ?? 1) > 1) || op === 'R' || (op === 'D' && c.ruleNum !== undefined);
    const isDirty = keys.some((key) => dirty.has(key));
    // A deletion whose rule we cannot identify for sure: by a number after an uncertain change,
    // or by a specification holding unknown values.
    if ((op === 'D' || op === 'R') && (isDirty || c.symbolic)) invalidate(keys, k);
    if (numbered && isDirty) misplaced.add(c);
  });

  return {
    placed: (rule) => !misplaced.has(writtenCommand(rule.command)) && !freeSymbolic(rule.command),
    stable: (rule) => {
      const k = recIndex.get(writtenCommand(rule.command));
      if (k === undefined) return false;
      if (k < lastOpaque) return false;
      const c = rule.command;
      return k > (invalidUntil.get(keyOf(family, c.table, c.chain ?? '')) ?? -1);
    },
  };
}

/** A shell word of unknown value standing on its own (`$OPTS`): it may hold any options at all. */
export function freeSymbolic(cmd: IptablesCommand): boolean {
  if (!cmd.symbolic) return false;
  return cmd.words.some((w, k) => w.symbolic && cmd.roles[k]?.kind !== 'value');
}
