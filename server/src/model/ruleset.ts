// The ruleset: per family, tables -> chains -> ordered rules, each rule remembering the command
// (and so the source range) that made it. Commands are applied in execution order, the way the
// kernel would see them when a script runs on an empty machine.
import { loc, type Family, type IptablesCommand, type Localized, type Problem, type Range } from '../syntax/ast';
import { STANDARD_TARGETS, findTarget } from '../knowledge/registry';
import { findTable, TABLES } from '../knowledge/tables';
import { isPlaceholderAddress } from '../knowledge/values';
import { addressCombinations, joinSaveWords, ruleSpecWords } from './printer';
import { flatString } from '../syntax/words';
import { loopMadeBy } from './loops';
import { chainsChanged, hookRefusal, ruleAdded } from './hooks';

export class Rule {
  private cachedSpec?: string;
  constructor(
    readonly command: IptablesCommand,
    /** This rule's own address pair when `-s`/`-d` listed several. */
    readonly addresses: { source?: string; destination?: string },
    /** Runs only under a condition the script evaluator could not decide. */
    readonly conditional: boolean,
  ) {}

  /** Canonical words after `-A CHAIN` (computed when first needed: printing, -D matching, duplicates). */
  get spec(): string {
    return (this.cachedSpec ??= specOf(this.command, this.addresses));
  }

  /**
   * This rule jumping to `chain` instead (iptables -E renames the jumps to a chain along with it).
   * A new rule with a copy of the command: commands are shared with the language server's line
   * cache and the analysis records, and are never changed.
   */
  retargeted(chain: string): Rule {
    const cmd = this.command;
    const copy: IptablesCommand = { ...cmd, target: { ...cmd.target!, name: chain }, renamedFrom: cmd.renamedFrom ?? cmd };
    return new Rule(copy, this.addresses, this.conditional);
  }
}

/**
 * A command's spec outlives one analysis: the language server reuses the commands of unchanged
 * lines (syntax/lineCache.ts), so after an edit only the changed rules are printed again.
 */
const specs = new WeakMap<IptablesCommand, { source?: string; destination?: string; spec: string }>();
function specOf(cmd: IptablesCommand, addrs: { source?: string; destination?: string }): string {
  const known = specs.get(cmd);
  if (known && known.source === addrs.source && known.destination === addrs.destination) return known.spec;
  const spec = flatString(joinSaveWords(ruleSpecWords(cmd, addrs)));
  specs.set(cmd, { source: addrs.source, destination: addrs.destination, spec });
  return spec;
}

export interface Chain {
  name: string;
  builtin: boolean;
  /** Built-in chains only. */
  policy?: string;
  /** The command that set the policy last (a `-P` or a save file's `:CHAIN POLICY` line). */
  policyCommand?: IptablesCommand;
  policyRange?: Range;
  rules: Rule[];
  /** Where a user chain was created (`-N` or `:NAME - [0:0]`). */
  definedAt?: Range;
}

export interface Table { name: string; chains: Map<string, Chain> }

export class Ruleset {
  readonly tables = new Map<string, Table>();
  constructor(readonly family: Family) {}

  /** A table appears (with all its built-in chains, policy ACCEPT) the first time something changes it. */
  table(name: string): Table {
    let t = this.tables.get(name);
    if (!t) {
      t = { name, chains: new Map() };
      for (const c of findTable(name)?.chains ?? []) t.chains.set(c, { name: c, builtin: true, policy: 'ACCEPT', rules: [] });
      this.tables.set(name, t);
    }
    return t;
  }

  /**
   * A chain as it stands. Reading never creates a table (iptables-save would then print it): a
   * built-in chain of a table nothing touched yet is returned detached, empty, with policy ACCEPT.
   */
  chain(table: string, name: string): Chain | undefined {
    const real = this.tables.get(table)?.chains.get(name);
    if (real || this.tables.has(table)) return real;
    return findTable(table)?.chains.includes(name) ? { name, builtin: true, policy: 'ACCEPT', rules: [] } : undefined;
  }

  /** All rules of a chain's table that jump or go to it. */
  referencesTo(table: string, chain: string): Rule[] {
    const out: Rule[] = [];
    for (const c of this.tables.get(table)?.chains.values() ?? []) for (const r of c.rules) if (r.command.target?.name === chain) out.push(r);
    return out;
  }
}

const TABLE_ORDER = ['mangle', 'security', 'raw', 'filter', 'nat'];

/** The exact text `iptables-save` (nft backend) prints for the ruleset, without the comment lines. */
export function formatSave(rs: Ruleset): string {
  const out: string[] = [];
  const names = [...rs.tables.keys()].sort((a, b) => order(a) - order(b));
  for (const name of names) {
    const t = rs.tables.get(name)!;
    out.push(`*${name}`);
    const builtins = [...t.chains.values()].filter((c) => c.builtin);
    const users = [...t.chains.values()].filter((c) => !c.builtin).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const c of builtins) out.push(`:${c.name} ${c.policy ?? 'ACCEPT'} [0:0]`);
    for (const c of users) out.push(`:${c.name} - [0:0]`);
    for (const c of [...builtins, ...users]) for (const r of c.rules) out.push(`-A ${c.name}${r.spec ? ' ' + r.spec : ''}`);
    out.push('COMMIT');
  }
  return out.length ? out.join('\n') + '\n' : '';
}

function order(table: string): number {
  const i = TABLE_ORDER.indexOf(table);
  return i < 0 ? TABLE_ORDER.length + TABLES.findIndex((t) => t.name === table) : i;
}

const modelError = (problems: Problem[], code: string, range: Range, message: Localized) => problems.push({ code, severity: 'error', range, message });

export interface ApplyOptions {
  conditional?: boolean;
  /** In a restore file, jumps may name chains declared anywhere in the table block. */
  declaredChains?: Set<string>;
  /**
   * Jump loops and restricted targets in user chains are checked for the whole table at COMMIT
   * (build.ts), not rule by rule: a 70,000-line file is checked in one pass, and replayed rule by
   * rule only when something is wrong, to name the line iptables-restore names.
   */
  chainChecksAtCommit?: boolean;
  /** A restore block that flushed its table (no --noflush): what it deletes must have been added in it. */
  restoreFlushed?: boolean;
}

/** Applies one command to the ruleset as the kernel would, reporting what iptables would refuse. */
export function applyCommand(rs: Ruleset, cmd: IptablesCommand, problems: Problem[], opts: ApplyOptions = {}): void {
  if (cmd.invalid || cmd.skipped || !cmd.op) return;
  if (cmd.chainWord?.symbolic || cmd.tableWord?.symbolic) return;
  const table = cmd.table;
  switch (cmd.op) {
    case 'A': case 'I': case 'R': case 'D': case 'C': {
      const chain = existing(rs, cmd);
      if (!chain) { noChain(problems, cmd); return; }
      if (cmd.op === 'C') return;
      if (!checkTarget(rs, cmd, problems, opts)) return;
      // iptables resolves a placeholder like y.y.y.y as a host name, fails, and adds nothing
      // (IPT116 tells the user); the model must not pretend the rule exists.
      if (hasPlaceholder(cmd)) return;
      if (cmd.op !== 'D' && !opts.chainChecksAtCommit && (makesLoop(rs, cmd, problems) || refusedByHooks(rs, cmd, problems))) return;
      const rules = makeRules(cmd, opts.conditional ?? false);
      // The chain as it stands; its table is created only when a rule is really added (a refused
      // -I/-R or any -D leaves a missing table missing, as iptables-nft does).
      const current = rs.tables.get(table)?.chains.get(cmd.chain!) ?? chain;
      const live = () => rs.table(table).chains.get(cmd.chain!) ?? chain;
      if (cmd.op === 'A') { const l = live(); for (const r of rules) l.rules.push(r); ruleAdded(rs.table(table), cmd.chain!, cmd); } // no spread: an address list can make 100,000s of rules
      else if (cmd.op === 'I') {
        const at = (cmd.ruleNum ?? 1) - 1;
        if (at < 0 || at > current.rules.length) return indexError(problems, cmd, current);
        const l = live();
        // In place: a blocklist script inserts tens of thousands of rules at the top, one at a time.
        if (rules.length === 1) l.rules.splice(at, 0, rules[0]);
        // An address list is inserted one rule at a time at the same place: it ends up reversed
        // (iptables 1.8.9: -I INPUT -s A,B gives B's rule first).
        else l.rules = [...l.rules.slice(0, at), ...rules.slice().reverse(), ...l.rules.slice(at)];
        ruleAdded(rs.table(table), cmd.chain!, cmd);
      } else if (cmd.op === 'R') {
        const at = (cmd.ruleNum ?? 0) - 1;
        if (at < 0 || at >= current.rules.length) return indexError(problems, cmd, current);
        current.rules.splice(at, 1, rules[0]);
        chainsChanged(rs.table(table));
      } else if (cmd.ruleNum !== undefined) {
        const at = cmd.ruleNum - 1;
        if (at < 0 || at >= current.rules.length) return indexError(problems, cmd, current);
        current.rules.splice(at, 1);
      } else {
        let missing = false;
        for (const r of rules) {
          const k = current.rules.findIndex((x) => x.spec === r.spec);
          if (k >= 0) current.rules.splice(k, 1); else missing = true;
        }
        // In a script, deleting a rule that may not be there is a common way to clean up (its error
        // is ignored). A restore file that flushed the table fails as a whole on it.
        if (missing && opts.restoreFlushed) {
          modelError(problems, 'IPT120', cmd.range, loc(
            `no such rule in ${cmd.chain} at this point: iptables-restore fails on this line ("Bad rule (does a matching rule exist in that chain?)") and loads nothing`,
            `この時点の ${cmd.chain} にそのルールはありません。iptables-restore はこの行で失敗し（"Bad rule (does a matching rule exist in that chain?)"）、何も読み込みません`,
          ));
        }
      }
      if (cmd.op === 'D') { const t = rs.tables.get(table); if (t) chainsChanged(t); }
      return;
    }
    case 'N': {
      const chainRange = chainRangeOf(cmd);
      if (existing(rs, cmd) && rs.tables.get(table)?.chains.has(cmd.chain!)) {
        modelError(problems, 'IPT108', chainRange, loc(`chain ${cmd.chain} already exists`, `チェイン ${cmd.chain} は既に存在します`));
        return;
      }
      if (findTable(table)?.chains.includes(cmd.chain!)) {
        modelError(problems, 'IPT108', chainRange, loc(`${cmd.chain} is a built-in chain of ${table}; it cannot be created`, `${cmd.chain} は ${table} の組み込みチェインなので作成できません`));
        return;
      }
      rs.table(table).chains.set(cmd.chain!, { name: cmd.chain!, builtin: false, rules: [], definedAt: chainRange });
      return;
    }
    case 'P': {
      const chain = existing(rs, cmd);
      if (!chain || !chain.builtin) {
        modelError(problems, 'IPT110', chainRangeOf(cmd), loc(`a policy can only be set on a built-in chain of the ${table} table, not on ${cmd.chain}`, `ポリシーを設定できるのは ${table} テーブルの組み込みチェインだけです（${cmd.chain} は不可）`));
        return;
      }
      if (cmd.policyWord?.symbolic) return;
      if (cmd.policy !== 'ACCEPT' && cmd.policy !== 'DROP') {
        modelError(problems, 'IPT110', cmd.policyWord?.range ?? cmd.range, loc(`policy must be ACCEPT or DROP, not ${cmd.policy}`, `ポリシーは ACCEPT か DROP で指定します（${cmd.policy} は不可）`));
        return;
      }
      const live = rs.table(table).chains.get(cmd.chain!) ?? chain;
      live.policy = cmd.policy;
      live.policyCommand = cmd;
      live.policyRange = cmd.range;
      return;
    }
    case 'F': {
      const t = rs.tables.get(table);
      // In a restore block that flushed its table, `-F` without a chain flushes nothing: iptables-restore
      // 1.8.9 (nf_tables) keeps every rule the block added before it (with --noflush it flushes them).
      if (!cmd.chain && opts.restoreFlushed) return;
      if (cmd.chain) {
        if (!existing(rs, cmd)) { noChain(problems, cmd); return; }
        // Flushing a built-in chain creates its table (iptables-nft 1.8.9); flushing everything does not.
        rs.table(table).chains.get(cmd.chain)!.rules = [];
      }
      else for (const c of t?.chains.values() ?? []) c.rules = [];
      const flushed = rs.tables.get(table);
      if (flushed) chainsChanged(flushed);
      return;
    }
    case 'X': {
      const t = rs.tables.get(table);
      if (!t) { if (cmd.chain && !existing(rs, cmd)) noChain(problems, cmd); return; }
      const chainRange = chainRangeOf(cmd);
      if (!cmd.chain) return deleteAllUserChains(t, cmd, problems, opts);
      const c = t.chains.get(cmd.chain);
      if (!c) { noChain(problems, cmd); return; }
      if (c.builtin) { modelError(problems, 'IPT108', chainRange, loc(`built-in chain ${c.name} cannot be deleted`, `組み込みチェイン ${c.name} は削除できません`)); return; }
      if (rs.referencesTo(table, c.name).length) { modelError(problems, 'IPT108', chainRange, loc(`chain ${c.name} is still used by a jump and cannot be deleted`, `チェイン ${c.name} はまだジャンプ先として使われているため削除できません`)); return; }
      if (c.rules.length) { modelError(problems, 'IPT108', chainRange, loc(`chain ${c.name} still has rules: iptables deletes only an empty chain (flush it first: -F ${c.name})`, `チェイン ${c.name} にはまだルールがあります。iptables が削除できるのは空のチェインだけです（先に -F ${c.name} で空にしてください）`)); return; }
      t.chains.delete(c.name);
      opts.declaredChains?.delete(c.name); // a restore line after it cannot jump to it any more
      chainsChanged(t);
      return;
    }
    case 'E': {
      const t = rs.tables.get(table);
      const c = t?.chains.get(cmd.chain!);
      if (!t || !c || c.builtin) { noChain(problems, cmd); return; }
      if (t.chains.has(cmd.newName!) || findTable(table)?.chains.includes(cmd.newName!)) {
        const last = cmd.words[cmd.words.length - 1];
        modelError(problems, 'IPT108', last?.text === cmd.newName ? last.range : cmd.range, loc(`chain ${cmd.newName} already exists: iptables cannot rename ${c.name} to it`, `チェイン ${cmd.newName} は既に存在するため、${c.name} をその名前に変更できません`));
        return;
      }
      if (opts.restoreFlushed) {
        // Every user chain of a flushed block is created by the block itself, and iptables-restore
        // 1.8.9 (nf_tables) cannot rename a chain in the transaction that creates it: the commit fails
        // on this line and nothing loads. Lines after it do not know the new name either.
        modelError(problems, 'IPT108', cmd.range, loc(
          `iptables-restore cannot rename ${c.name} here: the chain is created by this same file, and the rename fails at COMMIT ("CHAIN_RENAME failed (No such file or directory)"), so nothing loads. Declare the chain under its new name instead (:${cmd.newName} - [0:0])`,
          `iptables-restore はここで ${c.name} の名前を変更できません。チェインはこのファイル自身が作成するため、名前の変更は COMMIT で失敗し（"CHAIN_RENAME failed (No such file or directory)"）、何も読み込まれません。新しい名前でチェインを宣言してください（:${cmd.newName} - [0:0]）`,
        ));
        return;
      }
      t.chains.delete(c.name);
      c.name = cmd.newName!;
      t.chains.set(c.name, c);
      chainsChanged(t);
      const jumpsToOld = (r: Rule) => r.command.target?.name === cmd.chain;
      for (const chain of t.chains.values()) if (chain.rules.some(jumpsToOld)) chain.rules = chain.rules.map((r) => (jumpsToOld(r) ? r.retargeted(c.name) : r));
      return;
    }
    case 'Z': case 'L': case 'S':
      if (cmd.chain && !existing(rs, cmd)) noChain(problems, cmd);
      return;
    default: return;
  }
}

/**
 * `-X` without a chain: iptables-nft deletes every user chain of the table in one transaction, so
 * one chain that still has rules or is jumped to makes all of it fail ("Device or resource busy":
 * nothing is deleted, observed with iptables 1.8.9), although the man page says empty chains go.
 */
function deleteAllUserChains(t: Table, cmd: IptablesCommand, problems: Problem[], opts: ApplyOptions): void {
  const referenced = new Set<string>();
  for (const c of t.chains.values()) for (const r of c.rules) if (r.command.target) referenced.add(r.command.target.name);
  const busy: string[] = [];
  for (const c of t.chains.values()) if (!c.builtin && (c.rules.length || referenced.has(c.name))) busy.push(c.name);
  if (busy.length) {
    const names = busy.length > 5 ? `${busy.slice(0, 5).join(', ')}, ...` : busy.join(', ');
    // (In a restore block that flushed its table, -F without a chain flushes nothing: name the chains.)
    const flush = opts.restoreFlushed
      ? loc(`Flush each chain by name first (-F ${busy[0]}): in a restore file, -F without a chain flushes nothing`, `先に各チェインを名前で空にしてください（-F ${busy[0]}）。restore ファイルではチェイン名なしの -F は何も消去しません`)
      : loc('Flush the table first (-F)', '先に -F で空にしてください');
    modelError(problems, 'IPT108', cmd.opWord?.range ?? cmd.range, loc(
      `-X without a chain deletes every user chain at once, and iptables refuses all of it (nothing is deleted) while a user chain still has rules or is jumped to: ${names}. ${flush.en}`,
      `チェイン名なしの -X はすべてのユーザーチェインを一度に削除しようとするため、ルールが残っているかジャンプ先になっているチェイン（${names}）があると全体が失敗し、何も削除されません。${flush.ja}`,
    ));
    return;
  }
  for (const c of [...t.chains.values()]) if (!c.builtin) { t.chains.delete(c.name); opts.declaredChains?.delete(c.name); }
  chainsChanged(t);
}

/** The range that errors about the command's chain point at (built only when one is reported). */
const chainRangeOf = (cmd: IptablesCommand): Range => cmd.chainWord?.range ?? cmd.range;

function existing(rs: Ruleset, cmd: IptablesCommand): Chain | undefined {
  return cmd.chain ? rs.chain(cmd.table, cmd.chain) : undefined;
}

function noChain(problems: Problem[], cmd: IptablesCommand): void {
  modelError(problems, 'IPT108', chainRangeOf(cmd), loc(`chain ${cmd.chain} does not exist in the ${cmd.table} table at this point`, `この時点で ${cmd.table} テーブルにチェイン ${cmd.chain} は存在しません`));
}

function hasPlaceholder(cmd: IptablesCommand): boolean {
  const g = cmd.generic;
  return placeholderIn(g.source) || placeholderIn(g.destination);
}

function placeholderIn(m: IptablesCommand['generic']['source']): boolean {
  if (!m || m.arg.symbolic) return false;
  return m.value.indexOf(',') < 0 ? isPlaceholderAddress(m.value) : m.value.split(',').some(isPlaceholderAddress);
}

function indexError(problems: Problem[], cmd: IptablesCommand, chain: Chain): void {
  modelError(problems, 'IPT120', cmd.range, loc(`rule number ${cmd.ruleNum ?? '?'} is out of range: ${chain.name} has ${chain.rules.length} rule(s) at this point`, `ルール番号 ${cmd.ruleNum ?? '?'} は範囲外です（この時点で ${chain.name} のルールは ${chain.rules.length} 個）`));
}

/** A jump must name a verdict, a target extension or a chain that exists (in a restore file: is declared). */
function checkTarget(rs: Ruleset, cmd: IptablesCommand, problems: Problem[], opts: ApplyOptions): boolean {
  const t = cmd.target;
  if (!t || t.nameWord?.symbolic) return true;
  if (!cmd.goto && ((STANDARD_TARGETS as readonly string[]).includes(t.name) || findTarget(t.name, cmd.family))) return true;
  const exists = rs.tables.get(cmd.table)?.chains.has(t.name) || opts.declaredChains?.has(t.name);
  if (exists && !(findTable(cmd.table)?.chains.includes(t.name))) return true;
  const range = t.nameWord?.range ?? cmd.range;
  if (findTable(cmd.table)?.chains.includes(t.name)) {
    modelError(problems, 'IPT108', range, loc(`cannot jump to the built-in chain ${t.name}`, `組み込みチェイン ${t.name} へはジャンプできません`));
    return false;
  }
  modelError(problems, 'IPT108', range, loc(`${cmd.goto ? '-g' : '-j'} ${t.name}: no such target, and no chain of that name exists in the ${cmd.table} table at this point`, `${cmd.goto ? '-g' : '-j'} ${t.name}：そのようなターゲットはなく、この時点で ${cmd.table} テーブルにその名前のチェインもありません`));
  return false;
}

/** A jump iptables refuses because it makes a loop of chains reachable (loops.ts); reported as IPT121. */
function makesLoop(rs: Ruleset, cmd: IptablesCommand, problems: Problem[]): boolean {
  const target = cmd.target;
  const t = rs.tables.get(cmd.table);
  if (!target || target.nameWord?.symbolic || !t || !t.chains.get(target.name) || t.chains.get(target.name)!.builtin) return false;
  const loop = loopMadeBy(t, cmd.chain!, target.name);
  if (!loop) return false;
  const path = loop.join(' -> ');
  modelError(problems, 'IPT121', target.nameWord?.range ?? cmd.range, loc(
    `this jump makes a loop of chains (${path}) that a built-in chain reaches: iptables refuses it ("Too many links")`,
    `このジャンプで組み込みチェインから到達できるチェインのループ（${path}）ができます。iptables はこれを拒否します（"Too many links"）`,
  ));
  return true;
}

/** A restricted target or match where a built-in chain that forbids it would reach it (hooks.ts); IPT109. */
function refusedByHooks(rs: Ruleset, cmd: IptablesCommand, problems: Problem[]): boolean {
  const t = rs.tables.get(cmd.table);
  const why = t && hookRefusal(t, cmd.chain!, cmd);
  if (!why) return false;
  modelError(problems, 'IPT109', cmd.target?.nameWord?.range ?? cmd.range, why);
  return true;
}

function makeRules(cmd: IptablesCommand, conditional: boolean): Rule[] {
  return addressesOf(cmd).map((addresses) => new Rule(cmd, addresses, conditional));
}

/** A command's address pairs, kept across analyses (the language server reuses unchanged commands); read-only. */
const ADDRESSES = new WeakMap<IptablesCommand, readonly { source?: string; destination?: string }[]>();
const NO_ADDRESSES = [Object.freeze({})];
function addressesOf(cmd: IptablesCommand): readonly { source?: string; destination?: string }[] {
  if (!cmd.generic.source && !cmd.generic.destination) return NO_ADDRESSES;
  let list = ADDRESSES.get(cmd);
  if (!list) ADDRESSES.set(cmd, (list = addressCombinations(cmd).map((a) => Object.freeze(a))));
  return list;
}
