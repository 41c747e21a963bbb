// The semantic side of the command-line grammar: what iptables does with each option as it reads
// them (load a module, take arguments, set the command), and every reason it would refuse.
import { loc, rangeOf, type CommandOp, type Family, type GenericMatch, type IptablesCommand, type Localized, type ParsedModule, type ParsedOption, type Problem, type Word, type WordRole } from './ast';
import { genericByLong, genericByShort, genericLongNames, type GenericOption } from '../knowledge/generic-options';
import { findMatch, findTarget, otherFamilyModule, STANDARD_TARGETS, allMatches } from '../knowledge/registry';
import { findTable, MAX_CHAIN_NAME } from '../knowledge/tables';
import type { ModuleDef, OptionContext, OptionDef } from '../knowledge/types';
import { parseInterface, parseAddress } from '../knowledge/values';
import { implicitMatchName, parseProtocol } from '../knowledge/protocols';
import { findLookalikes, type Lookalike } from './lookalikes';
import { internName } from './words';
import { acceptedAddress, acceptedProtocol, protocolNumberOf } from './memo';
import { argRole, defRole, nameRole, NEGATION_ROLE, UNKNOWN_ROLE } from './roles';

interface OpenOption {
  index: number;
  /** Arguments still wanted: a number, or 'optional' (one word if it does not look like an option). */
  want: number | 'optional';
  /** Word indexes of the arguments taken so far (replaced, never mutated: it starts as NO_ARGS). */
  args: readonly number[];
  bang?: number;
  generic?: GenericOption;
  module?: ParsedModule;
  def?: OptionDef;
  /** Unknown option: its arguments cannot be known; none are taken. */
  unknown?: boolean;
  inlineValue?: string;
}

const NO_ARGS: readonly number[] = Object.freeze([]);

const err = (p: Problem[], code: string, range: Problem['range'], message: Localized) => p.push({ code, severity: 'error', range, message });

export interface SessionOptions {
  family: Family;
  table?: string;
  origin: 'save' | 'shell';
  /** Every word is known to be plain ASCII (a hint from the caller; it changes no result). */
  ascii?: boolean;
}

export class CommandSession {
  private readonly problems: Problem[] = [];
  private readonly cmd: IptablesCommand;
  private readonly texts: string[];
  private pendingBang?: number;
  private open?: OpenOption;
  private expectRuleNum = false;
  /** Modules in load order, matches and the target (for option lookup, newest first). */
  private readonly loaded: ParsedModule[] = [];
  /** The definition of each loaded module (same index as `loaded`). */
  private readonly loadedDefs: ModuleDef[] = [];
  private unknownModuleLoaded = false;
  private protocolLoaded = false;
  private lookalikes?: Map<number, Lookalike>;
  /** The value after an old-style `-s !`, already reported. */
  private swallowNext?: number;

  constructor(private readonly words: Word[], private readonly opts: SessionOptions) {
    this.texts = words.map((w) => w.text);
    // A line known to be plain ASCII has no look-alike characters: skip the per-word scan.
    for (let i = 0; i < words.length && !opts.ascii; i++) {
      if (words[i].symbolic) continue;
      const found = findLookalikes(words[i].text);
      if (!found) continue;
      (this.lookalikes ??= new Map()).set(i, found);
      // A dash look-alike at the start is read as the option the user meant, so one typo gives one error.
      if (found.fixed.startsWith('-') && !words[i].text.startsWith('-')) this.texts[i] = found.fixed;
    }
    // Every field present from the start: one object shape for all commands keeps the model's
    // and the checks' property reads monomorphic (fields added later give each rule its own shape).
    this.cmd = {
      family: opts.family, table: opts.table ?? 'filter', tableWord: undefined, op: undefined, opWord: undefined,
      chain: undefined, chainWord: undefined, ruleNum: undefined, policy: undefined, policyWord: undefined, newName: undefined,
      generic: { protocol: undefined, source: undefined, destination: undefined, inInterface: undefined, outInterface: undefined, fragment: undefined },
      matches: [], target: undefined, goto: undefined, counters: undefined, words,
      range: words.length ? rangeOf(words[0], words[words.length - 1]) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      origin: opts.origin, symbolic: words.some((w) => w.symbolic), invalid: false, skipped: undefined,
      roles: words.map(() => UNKNOWN_ROLE),
    };
  }

  private role(i: number, r: WordRole): void {
    this.cmd.roles[i] = r;
  }

  /** The text used for classification (look-alike characters replaced, so one typo gives one error). */
  normalized(i: number): string { return this.texts[i]; }

  negation(i: number): void {
    this.role(i, NEGATION_ROLE);
    if (this.pendingBang !== undefined) err(this.problems, 'IPT117', this.words[i].range, loc('multiple `!` in a row are not allowed', '`!` を続けて書くことはできません'));
    this.pendingBang = i;
  }

  stray(i: number): void {
    if (this.swallowNext === i) { this.swallowNext = undefined; this.role(i, nameRole('value', 'negated')); return; }
    const text = this.texts[i];
    if (this.expectRuleNum && /^[0-9]+$/.test(text)) {
      this.cmd.ruleNum = Number(text);
      this.role(i, nameRole('value', 'rulenum'));
      this.expectRuleNum = false;
      return;
    }
    this.expectRuleNum = false;
    if (this.words[i].symbolic) return;
    if (this.pendingBang !== undefined && this.isAddressLike(text)) {
      err(this.problems, 'IPT113', rangeOf(this.words[this.pendingBang], this.words[i]), loc('the old `-s ! address` form of negation is rejected: write `! -s address`', '古い否定の書き方 `-s ! アドレス` は受け付けられません。`! -s アドレス` と書きます'));
      this.pendingBang = undefined;
      return;
    }
    err(this.problems, 'IPT105', this.words[i].range, loc(`unexpected word "${text}": iptables rejects it as a bad argument`, `余分な語 "${text}" があります。iptables は不正な引数として拒否します`));
  }

  beginOption(i: number): void {
    this.expectRuleNum = false;
    const text = this.texts[i];
    const bang = this.pendingBang;
    this.pendingBang = undefined;
    if (text.startsWith('--')) return this.beginLong(i, text.slice(2), bang);
    const letter = text.slice(1);
    if (letter.length > 1 && this.cluster(i, letter, bang)) return;
    const g = letter.length === 1 ? genericByShort(letter) : undefined;
    if (!g) {
      this.open = { index: i, want: 'optional', args: NO_ARGS, bang, unknown: true };
      if (!this.words[i].symbolic) err(this.problems, 'IPT101', this.words[i].range, loc(`unknown option "${text}"`, `不明なオプション "${text}" です`));
      return;
    }
    this.openGeneric(i, g, bang);
  }

  /**
   * `-vn` or `-nvL`: getopt reads grouped short options one letter at a time. Accepted when every
   * letter but the last takes no argument; the last one takes its arguments from the next words.
   */
  private cluster(i: number, letters: string, bang: number | undefined): boolean {
    const opts = [...letters].map((l) => genericByShort(l));
    if (opts.some((o) => !o) || opts.slice(0, -1).some((o) => o!.args !== 0)) return false;
    for (const o of opts.slice(0, -1)) { this.openGeneric(i, o!, undefined); this.endOption(); }
    this.openGeneric(i, opts[opts.length - 1]!, bang);
    return true;
  }

  private beginLong(i: number, full: string, bang: number | undefined): void {
    const eq = full.indexOf('=');
    const name = eq >= 0 ? full.slice(0, eq) : full;
    const inlineValue = eq >= 0 ? full.slice(eq + 1) : undefined;
    const found = this.lookupLong(name);
    if (!found) {
      // Its argument (if any) is swallowed so one unknown option gives one error, as in iptables.
      this.open = { index: i, want: inlineValue === undefined ? 'optional' : 0, args: NO_ARGS, bang, unknown: true };
      const protocolUnknown = this.cmd.generic.protocol?.arg.symbolic;
      if (!this.words[i].symbolic && !this.unknownModuleLoaded && !protocolUnknown) this.reportUnknownLong(i, name);
      return;
    }
    if ('generic' in found) return this.openGeneric(i, found.generic, bang, inlineValue);
    const { module, def } = found;
    this.role(i, defRole(def, 0, () => ({ kind: 'option', name: def.name, module: module.name, moduleKind: module.kind })));
    this.open = { index: i, want: def.args, args: NO_ARGS, bang, module, def, inlineValue };
    if (bang !== undefined && !def.negatable) err(this.problems, 'IPT117', rangeOf(this.words[bang], this.words[i]), loc(`--${def.name} cannot be negated with \`!\``, `--${def.name} は \`!\` で否定できません`));
    if (inlineValue !== undefined) this.open.want = 0;
  }

  private openGeneric(i: number, g: GenericOption, bang: number | undefined, inlineValue?: string): void {
    this.role(i, defRole(g, 0, () => (g.role.kind === 'command' ? { kind: 'command', op: g.role.op } : { kind: 'option', name: g.long })));
    this.open = { index: i, want: g.args, args: NO_ARGS, bang, generic: g, inlineValue };
    if (inlineValue !== undefined) this.open.want = typeof g.args === 'number' ? Math.max(0, g.args - 1) : 0;
    if (bang !== undefined && !g.negatable) err(this.problems, 'IPT117', rangeOf(this.words[bang], this.words[i]), loc(`${this.texts[i]} cannot be negated with \`!\``, `${this.texts[i]} は \`!\` で否定できません`));
  }

  /**
   * getopt_long: exact names first (newest module first), then a unique prefix among what is
   * loaded, and only then the match implied by `-p` (iptables loads it when an option is unknown).
   */
  private lookupLong(name: string): { generic: GenericOption } | { module: ParsedModule; def: OptionDef } | undefined {
    const g = genericByLong(name);
    if (g && !(g.role.kind === 'match' && g.role.field === 'fragment' && this.opts.family === 6)) return { generic: g };
    const exactTest = (d: OptionDef) => d.name === name || (d.aliases?.includes(name) ?? false);
    const found = this.findModuleOption(exactTest) ?? this.uniquePrefix(name);
    if (found !== 'ambiguous' && found) return found;
    if (this.loadProtocolMatch()) {
      const again = this.findModuleOption(exactTest) ?? this.uniquePrefix(name);
      if (again && again !== 'ambiguous') return again;
    }
    return undefined;
  }

  private uniquePrefix(name: string): { generic: GenericOption } | { module: ParsedModule; def: OptionDef } | 'ambiguous' | undefined {
    const candidates: ({ generic: GenericOption } | { module: ParsedModule; def: OptionDef })[] = [];
    const seen = new Set<unknown>();
    for (const long of genericLongNames()) {
      const gg = genericByLong(long)!;
      if (long.startsWith(name) && !seen.has(gg)) { seen.add(gg); candidates.push({ generic: gg }); }
    }
    for (let k = this.loaded.length - 1; k >= 0; k--) {
      const def = this.loadedDefs[k];
      for (const o of def.options) {
        if ([o.name, ...(o.aliases ?? [])].some((n) => n.startsWith(name)) && !seen.has(o)) { seen.add(o); candidates.push({ module: this.loaded[k], def: o }); }
      }
    }
    return candidates.length === 1 ? candidates[0] : candidates.length > 1 ? 'ambiguous' : undefined;
  }

  private findModuleOption(test: (d: OptionDef) => boolean): { module: ParsedModule; def: OptionDef } | undefined {
    for (let k = this.loaded.length - 1; k >= 0; k--) {
      const def = this.loadedDefs[k].options.find(test);
      if (def) return { module: this.loaded[k], def };
    }
    return undefined;
  }

  /** iptables loads the match named by `-p` when it meets an option it does not know yet. */
  private loadProtocolMatch(): boolean {
    const p = this.cmd.generic.protocol;
    if (!p || this.protocolLoaded || p.arg.symbolic) return false;
    this.protocolLoaded = true;
    const name = implicitMatchName(p.value);
    if (!name) return false;
    const def = findMatch(name, this.opts.family);
    if (!def || this.loaded.some((m) => m.name === def.name)) return false;
    const module: ParsedModule = { name: def.name, kind: 'match', options: [] };
    this.loaded.push(module);
    this.loadedDefs.push(def);
    this.cmd.matches.push(module);
    return true;
  }

  private reportUnknownLong(i: number, name: string): void {
    const owners = allMatches().filter((m) => m.options.some((o) => o.name === name || o.aliases?.includes(name)));
    if (owners.length) {
      const protoOwners = owners.filter((m) => m.protocols?.includes(m.name));
      const hint = protoOwners.length ? protoOwners.map((m) => `-p ${m.name}`).join(' / ') : owners.map((m) => `-m ${m.name}`).join(' / ');
      const later = protoOwners.length && this.words.slice(i + 1).some((w, k) => this.texts[i + 1 + k] === '-p' || this.texts[i + 1 + k] === '--protocol');
      err(this.problems, 'IPT107', this.words[i].range, later
        ? loc(`--${name} must come after ${hint}: iptables reads options from left to right`, `--${name} は ${hint} より後に書く必要があります（iptables は左から順に読みます）`)
        : loc(`--${name} needs ${hint} before it`, `--${name} を使うには、その前に ${hint} が必要です`));
      return;
    }
    err(this.problems, 'IPT101', this.words[i].range, loc(`unknown option "--${name}"`, `不明なオプション "--${name}" です`));
  }

  wantsArgument(next: number): boolean {
    const o = this.open;
    if (!o || next === undefined || Number.isNaN(next) || next < 0 || next >= this.words.length) return false;
    if (o.want === 'optional') {
      const t = this.texts[next];
      return !(t.startsWith('-') || t === '!');
    }
    return o.args.length < o.want;
  }

  argument(i: number): void {
    const o = this.open!;
    o.args = o.args.length ? [...o.args, i] : [i];
    if (o.want === 'optional') o.want = 0;
  }

  endOption(): void {
    const o = this.open;
    this.open = undefined;
    if (!o || o.unknown) return;
    const wanted = o.want === 'optional' ? 0 : o.want;
    const argWords = o.args.map((k) => this.words[k]);
    const argTexts = o.args.map((k) => this.texts[k]);
    if (o.inlineValue !== undefined) {
      const w = this.words[o.index];
      argWords.unshift({ text: o.inlineValue, range: w.range, symbolic: w.symbolic });
      argTexts.unshift(o.inlineValue);
    }
    if (o.args.length < wanted) {
      const name = this.texts[o.index];
      err(this.problems, 'IPT104', this.words[o.index].range, loc(`${name} needs ${wanted === 1 ? 'an argument' : `${wanted} arguments`}`, `${name} には引数が${wanted === 1 ? '' : ` ${wanted} 個`}必要です`));
      return;
    }
    const negatable = o.generic ? o.generic.negatable : o.def?.negatable;
    if (argTexts[0] === '!' && negatable && o.args.length && o.inlineValue === undefined && !this.words[o.args[0]].symbolic) return this.oldNegation(o);
    const owner = o.generic ?? o.def!;
    for (let n = 0; n < o.args.length; n++) this.role(o.args[n], argRole(owner, n, o.generic ? undefined : o.module));
    const bangWord = o.bang !== undefined ? this.words[o.bang] : undefined;
    if (o.generic) this.applyGeneric(o.generic, this.words[o.index], argWords, argTexts, o.args, bangWord);
    else this.applyModuleOption(o.module!, o.def!, this.words[o.index], argWords, argTexts, bangWord);
  }

  /** `-s ! 1.2.3.4`: iptables 1.8 takes `!` as the value and rejects the rule; suggest `! -s 1.2.3.4`. */
  private oldNegation(o: OpenOption): void {
    const opt = this.words[o.index], bang = this.words[o.args[0]];
    const value = o.args[0] + 1 < this.words.length ? this.words[o.args[0] + 1] : undefined;
    this.role(o.args[0], NEGATION_ROLE);
    if (value && !value.text.startsWith('-')) this.swallowNext = o.args[0] + 1;
    const fixed = value ? `! ${opt.text} ${value.text}` : undefined;
    this.problems.push({
      code: 'IPT113', severity: 'error', range: rangeOf(opt, value ?? bang),
      message: loc(`the old form \`${opt.text} ! value\` is rejected by iptables 1.8: write \`! ${opt.text} value\``, `古い書き方 \`${opt.text} ! 値\` は iptables 1.8 では拒否されます。\`! ${opt.text} 値\` と書きます`),
      fixes: fixed ? [{ title: loc(`Rewrite as "${fixed}"`, `"${fixed}" に書き換える`), edits: [{ range: rangeOf(opt, value!), newText: fixed }], preferred: true }] : undefined,
    });
  }

  private applyModuleOption(module: ParsedModule, def: OptionDef, word: Word, args: Word[], texts: string[], bang?: Word): void {
    if (!def.repeatable && module.options.some((p) => p.name === def.name)) {
      err(this.problems, 'IPT117', word.range, loc(`--${def.name} is given twice in one ${module.name} ${module.kind}: iptables allows it once`, `${module.name} の --${def.name} が 2 回指定されています（1 回だけ指定できます）`));
    }
    // The object is made in one literal, with or without `value`, so all its fields stay in-object.
    let parsed: ParsedOption = { name: def.name, word, args, negated: !!bang, bang };
    if (def.parse && !args.some((a) => a.symbolic)) {
      const r = def.parse(texts, this.context());
      if (r.ok) parsed = { name: def.name, word, args, negated: !!bang, bang, value: r.value };
      else err(this.problems, 'IPT106', args.length ? rangeOf(args[0], args[args.length - 1]) : word.range, r.message);
    }
    module.options.push(parsed);
  }

  private ctx?: OptionContext;
  /** One context object per command (the table is read afresh: `-t` may have changed it). */
  private context(): OptionContext {
    const ctx = (this.ctx ??= { family: this.opts.family, table: this.cmd.table, cmd: this.cmd });
    ctx.table = this.cmd.table;
    return ctx;
  }

  private applyGeneric(g: GenericOption, word: Word, args: Word[], texts: string[], argIdx: readonly number[], bang?: Word): void {
    const role = g.role;
    const c = this.cmd;
    switch (role.kind) {
      case 'command': return this.applyCommand(role.op, word, args, texts, argIdx);
      case 'match': {
        if (role.field === 'fragment') {
          if (c.generic.fragment) err(this.problems, 'IPT117', word.range, loc('multiple -f flags are not allowed', '-f は 1 回だけ指定できます'));
          c.generic.fragment = { negated: !!bang, word, bang };
          return;
        }
        if (c.generic[role.field]) {
          err(this.problems, 'IPT117', word.range, loc(`multiple ${word.text} flags are not allowed`, `${word.text} は 1 回だけ指定できます`));
          return;
        }
        const m: GenericMatch = { value: texts[0], negated: !!bang, word, arg: args[0], bang };
        c.generic[role.field] = m;
        if (!args[0].symbolic) this.validateGenericValue(role.field, m);
        return;
      }
      case 'jump':
      case 'goto': return this.applyTarget(role.kind === 'goto', word, args[0], texts[0], argIdx[0]);
      case 'module': return this.loadMatch(word, args[0], texts[0], argIdx[0]);
      case 'table': {
        if (argIdx[0] !== undefined) this.role(argIdx[0], nameRole('table', texts[0]));
        if (this.opts.origin === 'save') {
          err(this.problems, 'IPT111', word.range, loc('-t cannot be used inside an iptables-restore file: use a `*table` line', 'iptables-restore のファイル内では -t は使えません。`*テーブル名` の行を使います'));
          return;
        }
        c.tableWord = args[0];
        if (args[0].symbolic) return;
        c.table = texts[0];
        const t = findTable(texts[0]);
        if (!t) err(this.problems, 'IPT109', args[0].range, loc(`unknown table "${texts[0]}" (filter, nat, mangle, raw, security)`, `不明なテーブル "${texts[0]}" です（filter, nat, mangle, raw, security）`));
        return;
      }
      case 'counters': c.counters = { packets: texts[0], bytes: texts[1] }; return;
      case 'family4': if (this.opts.family === 6) c.skipped = true; return;
      case 'family6': if (this.opts.family === 4) c.skipped = true; return;
      case 'ignored': return;
    }
  }

  private applyCommand(op: CommandOp, word: Word, args: Word[], texts: string[], argIdx: readonly number[]): void {
    const c = this.cmd;
    if (c.op) {
      err(this.problems, 'IPT117', word.range, loc(`only one command per call: -${c.op} and ${word.text} cannot be combined`, `1 回の呼び出しに指定できるコマンドは 1 つです（-${c.op} と ${word.text} は併用できません）`));
      return;
    }
    c.op = op;
    c.opWord = word;
    if (args.length) {
      c.chain = internName(texts[0]);
      c.chainWord = args[0];
      if (argIdx[0] !== undefined) this.role(argIdx[0], nameRole('chain', texts[0]));
    }
    if (op === 'P' && args[1]) {
      c.policy = texts[1];
      c.policyWord = args[1];
      if (argIdx[1] !== undefined) this.role(argIdx[1], nameRole('verdict', texts[1]));
    }
    if (op === 'E' && args[1]) {
      c.newName = internName(texts[1]);
      if (argIdx[1] !== undefined) this.role(argIdx[1], nameRole('chain', texts[1]));
    }
    if (op === 'D' || op === 'I' || op === 'R' || op === 'Z') this.expectRuleNum = true;
    for (const [k, name] of [[0, c.chain], [1, op === 'E' ? c.newName : undefined]] as const) {
      if (name !== undefined && !args[k].symbolic && (op === 'N' || op === 'E')) this.checkChainName(name, args[k]);
    }
  }

  private checkChainName(name: string, w: Word): void {
    if (name.length > MAX_CHAIN_NAME) {
      err(this.problems, 'IPT119', w.range, loc(`chain name "${name}" is ${name.length} characters long; iptables allows at most ${MAX_CHAIN_NAME}`, `チェイン名 "${name}" は ${name.length} 文字です。iptables で使えるのは ${MAX_CHAIN_NAME} 文字までです`));
    } else if (name.startsWith('-') || name.startsWith('!') || /\s/.test(name) || name === '') {
      err(this.problems, 'IPT119', w.range, loc(`"${name}" is not a valid chain name`, `"${name}" はチェイン名として使えません`));
    } else if ((STANDARD_TARGETS as readonly string[]).includes(name) || findTarget(name, this.opts.family)) {
      err(this.problems, 'IPT119', w.range, loc(`"${name}" is the name of a target and cannot be a chain name`, `"${name}" はターゲット名なのでチェイン名には使えません`));
    }
  }

  private applyTarget(isGoto: boolean, word: Word, arg: Word, name: string, argIdx: number): void {
    const c = this.cmd;
    if (c.target) {
      err(this.problems, 'IPT117', word.range, loc('only one -j or -g per rule', '-j / -g は 1 つのルールに 1 回だけ指定できます'));
      return;
    }
    const module: ParsedModule = { name, kind: 'target', word, nameWord: arg, options: [] };
    c.target = module;
    c.goto = isGoto || undefined;
    if (arg.symbolic) return;
    const def = isGoto ? undefined : findTarget(name, this.opts.family);
    if (def) {
      this.role(argIdx, defRole(def, 0, () => ({ kind: 'module', name: def.name, moduleKind: 'target' })));
      module.name = def.name;
      this.loaded.push(module);
      this.loadedDefs.push(def);
    } else {
      module.name = internName(name);
      this.role(argIdx, (STANDARD_TARGETS as readonly string[]).includes(name) ? nameRole('verdict', name) : nameRole('chain', module.name));
      if (!isGoto && otherFamilyModule('target', name, this.opts.family)) {
        err(this.problems, 'IPT112', arg.range, loc(`target ${name} exists only in ${this.opts.family === 4 ? 'ip6tables' : 'iptables'}`, `ターゲット ${name} は ${this.opts.family === 4 ? 'ip6tables' : 'iptables'} 専用です`));
      }
    }
  }

  private loadMatch(word: Word, arg: Word, name: string, argIdx: number): void {
    const module: ParsedModule = { name, kind: 'match', word, nameWord: arg, options: [] };
    this.cmd.matches.push(module);
    if (arg.symbolic) { this.unknownModuleLoaded = true; return; }
    const def = findMatch(name, this.opts.family);
    if (!def) {
      this.unknownModuleLoaded = true;
      const other = otherFamilyModule('match', name, this.opts.family);
      err(this.problems, other ? 'IPT112' : 'IPT102', arg.range, other
        ? loc(`match ${name} exists only in ${this.opts.family === 4 ? 'ip6tables' : 'iptables'}`, `マッチ ${name} は ${this.opts.family === 4 ? 'ip6tables' : 'iptables'} 専用です`)
        : loc(`unknown match "${name}": iptables cannot load it`, `不明なマッチ "${name}" です。iptables は読み込めません`));
      return;
    }
    this.role(argIdx, defRole(def, 0, () => ({ kind: 'module', name: def.name, moduleKind: 'match' })));
    module.name = def.name;
    this.loaded.push(module);
    this.loadedDefs.push(def);
  }

  private validateGenericValue(field: keyof IptablesCommand['generic'], m: GenericMatch): void {
    const fam = this.opts.family;
    let message: Localized | undefined;
    if (field === 'protocol') {
      const number = acceptedProtocol(m.value, fam);
      if (number === undefined) { const r = parseProtocol(m.value, fam); if (!r.ok) message = r.message; }
      else if (number === 0 && m.negated) message = loc('`! -p all` would never match any packet: iptables rejects it', '`! -p all` はどのパケットにも一致しないため、iptables は拒否します');
    } else if (field === 'source' || field === 'destination') {
      for (const part of m.value.indexOf(',') < 0 ? [m.value] : m.value.split(',')) {
        const accepted = acceptedAddress(part, fam);
        if (accepted === undefined) { const r = parseAddress(part, fam); if (!r.ok) { message = r.message; break; } }
        if (m.negated && accepted === 2) {
          message = loc(`\`! ${m.word.text} ${part}\` would never match any packet: iptables rejects it`, `\`! ${m.word.text} ${part}\` はどのパケットにも一致しないため、iptables は拒否します`);
          break;
        }
      }
      if (m.value === '') message = loc('empty address', 'アドレスが空です');
    } else if (field === 'inInterface' || field === 'outInterface') {
      if (m.value === '') message = loc('empty interface name: iptables refuses it as "likely to be undesired"', 'インターフェース名が空です。iptables は受け付けません');
      else { const r = parseInterface(m.value); if (!r.ok) message = r.message; }
    }
    if (message) err(this.problems, fieldCode(message), m.arg.range, message);
  }

  private isAddressLike(text: string): boolean { return /^[0-9a-fA-F.:/]+$/.test(text) || /^[a-z]/.test(text); }

  finish(): { command: IptablesCommand; problems: Problem[] } {
    const c = this.cmd;
    if (this.pendingBang !== undefined) err(this.problems, 'IPT104', this.words[this.pendingBang].range, loc('`!` at the end negates nothing', '末尾の `!` は何も否定していません'));
    if (!c.op && this.words.length && !c.symbolic) err(this.problems, 'IPT104', c.range, loc('no command given (such as -A, -I, -P or -N): iptables rejects this', 'コマンド（-A, -I, -P, -N など）がありません。iptables はこれを受け付けません'));
    if (c.op === 'R' && c.ruleNum === undefined && c.chainWord) err(this.problems, 'IPT104', c.opWord!.range, loc('-R needs a rule number after the chain', '-R にはチェイン名の後にルール番号が必要です'));
    this.reportLookalikes();
    if (!c.skipped) this.validateModules();
    this.checkInterfacesForChain();
    c.invalid = this.problems.some((p) => p.severity === 'error');
    this.trimArrays();
    return { command: c, problems: this.problems };
  }

  /**
   * Arrays grown by push keep room for 17 entries; a 70,000-rule file keeps hundreds of thousands
   * of them, so the kept ones are copied to their exact size (same elements, same order).
   */
  private trimArrays(): void {
    const c = this.cmd;
    if (c.matches.length) c.matches = c.matches.slice();
    for (const m of c.matches) if (m.options.length) m.options = m.options.slice();
    if (c.target?.options.length) c.target.options = c.target.options.slice();
  }

  private validateModules(): void {
    const ctx = this.context();
    const proto = this.cmd.generic.protocol;
    for (let k = 0; k < this.loaded.length; k++) {
      const m = this.loaded[k], def = this.loadedDefs[k];
      if (def.protocols && m.kind === 'match' && !proto?.arg.symbolic && !proto?.negated) {
        const given = proto ? protocolNumberOf(proto.value) : undefined;
        if (given === undefined || !def.protocols.some((x) => protocolNumberOf(x === 'icmp6' ? 'ipv6-icmp' : x) === given)) {
          err(this.problems, 'IPT107', this.moduleRange(m), loc(`the ${def.name} match needs ${def.protocols.map((x) => `-p ${x}`).join(' or ')}`, `${def.name} マッチには ${def.protocols.map((x) => `-p ${x}`).join(' または ')} が必要です`));
        }
      }
      if (def.validate && !m.options.some((o) => o.args.some((a) => a.symbolic))) {
        for (const message of def.validate(m, ctx)) err(this.problems, 'IPT118', this.moduleRange(m), message);
      }
      if (def.tables && !def.tables.includes(this.cmd.table) && !this.cmd.tableWord?.symbolic) {
        err(this.problems, 'IPT109', this.moduleRange(m), loc(`${def.name} is not allowed in the ${this.cmd.table} table (only ${def.tables.join(', ')})`, `${def.name} は ${this.cmd.table} テーブルでは使えません（${def.tables.join(', ')} のみ）`));
      } else if (def.chains && this.cmd.chain && isBuiltin(this.cmd.chain) && !def.chains.includes(this.cmd.chain) && (this.cmd.op === 'A' || this.cmd.op === 'I' || this.cmd.op === 'R')) {
        err(this.problems, 'IPT109', this.moduleRange(m), loc(`${def.name} is not allowed in the ${this.cmd.chain} chain (only ${def.chains.join(', ')})`, `${def.name} は ${this.cmd.chain} チェインでは使えません（${def.chains.join(', ')} のみ）`));
      }
    }
  }

  private reportLookalikes(): void {
    for (const [i, found] of this.lookalikes ?? []) {
      const role = this.cmd.roles[i];
      if (role.kind === 'value' && role.module && FREE_TEXT.has(role.option)) continue;
      const w = this.words[i];
      this.problems.push({
        code: 'IPT114', severity: 'error', range: w.range,
        message: loc(`"${w.text}" contains ${found.names.en}, not plain ASCII: iptables will not recognise it (often copied from a web page)`,
          `"${w.text}" に${found.names.ja}が含まれています。iptables は認識できません（Web ページからのコピーでよく起こります）`),
        fixes: [{ title: loc(`Replace with "${found.fixed}"`, `"${found.fixed}" に置き換える`), edits: [{ range: w.range, newText: found.fixed }], preferred: true }],
      });
    }
  }

  private moduleRange(m: ParsedModule): Problem['range'] {
    return (m.nameWord ?? m.options[0]?.word)?.range ?? this.cmd.range;
  }

  private checkInterfacesForChain(): void {
    const { chain, generic, op } = this.cmd;
    if (!chain || !(op === 'A' || op === 'I' || op === 'R' || op === 'C' || op === 'D')) return;
    if (generic.outInterface && (chain === 'INPUT' || chain === 'PREROUTING')) {
      err(this.problems, 'IPT109', generic.outInterface.word.range, loc(`-o cannot be used in ${chain}: the outgoing interface is not known yet there`, `${chain} では -o は使えません（出力インターフェースがまだ決まっていません）`));
    }
    if (generic.inInterface && (chain === 'OUTPUT' || chain === 'POSTROUTING')) {
      err(this.problems, 'IPT109', generic.inInterface.word.range, loc(`-i cannot be used in ${chain}: locally sent packets have no incoming interface there`, `${chain} では -i は使えません（ローカルから送信されたパケットには入力インターフェースがありません）`));
    }
  }
}

/** Options whose argument is free text, where any character is fine. */
const FREE_TEXT = new Set(['comment', 'log-prefix', 'nflog-prefix', 'ulog-prefix', 'string', 'hex-string', 'name', 'led-trigger-id', 'selctx', 'label', 'rateest-name']);

const isBuiltin = (chain: string) => ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].includes(chain);

function fieldCode(message: Localized): string {
  return /only|IPv6 address; iptables|IPv4 address; ip6tables/.test(message.en) ? 'IPT112' : 'IPT106';
}
