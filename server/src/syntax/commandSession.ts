// The semantic side of the command-line grammar: what iptables does with each option as it reads
// them (load a module, take arguments, set the command), and every reason it would refuse.
import { loc, rangeOf, type CommandOp, type Family, type GenericMatch, type IptablesCommand, type Localized, type ParsedModule, type ParsedOption, type Problem, type Word, type WordRole } from './ast';
import { genericByLong, genericByShort, type GenericOption } from '../knowledge/generic-options';
import { genericByWord, moduleIndex, searchLongOption, type LongOption, type ModuleIndex } from '../knowledge/option-index';
import { findMatch, findTarget, otherFamilyModule, STANDARD_TARGETS } from '../knowledge/registry';
import { findTable, chainMask, narrowChainMask } from '../knowledge/tables';
import { chainNameMessage, genericValueCode, genericValueMessage, modulePlacementMessage, moduleProtocolMessage, natDropMessage, natDropText, negatedListText, negatedListWord, replaceWithListText, replaceWithListWord, unknownLongOption } from '../knowledge/refusals';
import type { ModuleDef, OptionContext, OptionDef } from '../knowledge/types';
import { implicitMatchName } from '../knowledge/protocols';
import { findLookalikes, FREE_TEXT_OPTIONS, lookalikeProblem, type Lookalike } from './lookalikes';
import { chainName, shareText, spanOf } from './words';
import { argRoleIn, chainRole, genericWordRole, moduleRole, nameRole, NEGATION_ROLE, optionWordRole, rolesOf, UNKNOWN_ROLE } from './roles';

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
  /** Texts used for classification, made only when a look-alike dash changed one (else the words' own). */
  private texts: string[] | undefined = undefined;
  private pendingBang: number | undefined = undefined;
  private repeated: Set<string> | undefined = undefined;
  // The option being read, as fields rather than an object per option. Its arguments are always
  // the words right after it (the grammar takes them in a row): openIndex + 1 ... openIndex + openArgs.
  /** Word index of the open option, -1 when none. */
  private openIndex = -1;
  /** Arguments still wanted: a number, or 'optional' (one word if it does not look like an option). */
  private openWant: number | 'optional' = 0;
  private openArgs = 0;
  private openBang: number | undefined = undefined;
  private openGeneric: GenericOption | undefined = undefined;
  private openModule: ParsedModule | undefined = undefined;
  private openDef: OptionDef | undefined = undefined;
  /** Unknown option: its arguments cannot be known; none are taken. */
  private openUnknown = false;
  private openInline: string | undefined = undefined;
  // The arguments of the generic option being applied (see argWord).
  private argFirst = 0;
  private argCount = 0;
  private argInline: Word | undefined = undefined;
  private expectRuleNum = false;
  /** Modules in load order, matches and the target (for option lookup, newest first). */
  private readonly loaded: Loaded[] = [];
  private unknownModuleLoaded = false;
  private protocolLoaded = false;
  private lookalikes: Map<number, Lookalike> | undefined = undefined;
  /** The value after an old-style `-s !`, already reported. */
  private swallowNext: number | undefined = undefined;

  constructor(private readonly words: Word[], private readonly opts: SessionOptions) {
    // A line known to be plain ASCII has no look-alike characters: skip the per-word scan.
    for (let i = 0; i < words.length && !opts.ascii; i++) {
      if (words[i].symbolic) continue;
      const found = findLookalikes(words[i].text);
      if (!found) continue;
      (this.lookalikes ??= new Map()).set(i, found);
      // A dash look-alike at the start is read as the option the user meant, so one typo gives one error.
      if (found.fixed.startsWith('-') && !words[i].text.startsWith('-')) (this.texts ??= words.map((w) => w.text))[i] = found.fixed;
    }
    let symbolic = false;
    for (let i = 0; i < words.length; i++) if (words[i].symbolic) { symbolic = true; break; }
    // Every field present from the start: one object shape for all commands keeps the model's
    // and the checks' property reads monomorphic (fields added later give each rule its own shape).
    this.cmd = {
      family: opts.family, table: opts.table ?? 'filter', tableWord: undefined, op: undefined, opWord: undefined,
      chain: undefined, chainWord: undefined, ruleNum: undefined, policy: undefined, policyWord: undefined, newName: undefined,
      generic: { protocol: undefined, source: undefined, destination: undefined, inInterface: undefined, outInterface: undefined, fragment: undefined },
      matches: [], target: undefined, goto: undefined, counters: undefined, words,
      range: words.length ? spanOf(words[0], words[words.length - 1]) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      origin: opts.origin, symbolic, invalid: false, skipped: undefined, hookMask: 0,
      // A copy of `words` filled with UNKNOWN_ROLE: exact length, no callback per word.
      roles: (words.slice() as unknown as WordRole[]).fill(UNKNOWN_ROLE),
    };
  }

  /** `i` undefined: a value written inside its option word (`--jump=ACCEPT`), which keeps the option's role. */
  private role(i: number | undefined, r: WordRole): void {
    if (i !== undefined) this.cmd.roles[i] = r;
  }

  /** The text used for classification (look-alike characters replaced, so one typo gives one error). */
  normalized(i: number): string { return this.texts === undefined ? this.words[i].text : this.texts[i]; }

  negation(i: number): void {
    this.role(i, NEGATION_ROLE);
    if (this.pendingBang !== undefined) err(this.problems, 'IPT117', this.words[i].range, loc('multiple `!` in a row are not allowed', '`!` を続けて書くことはできません'));
    this.pendingBang = i;
  }

  stray(i: number): void {
    if (this.swallowNext === i) { this.swallowNext = undefined; this.role(i, nameRole('value', 'negated')); return; }
    const text = this.normalized(i);
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

  private openOption(i: number, want: number | 'optional', bang: number | undefined, generic: GenericOption | undefined, module: ParsedModule | undefined, def: OptionDef | undefined, unknown: boolean, inline: string | undefined): void {
    this.openIndex = i;
    this.openWant = want;
    this.openArgs = 0;
    this.openBang = bang;
    this.openGeneric = generic;
    this.openModule = module;
    this.openDef = def;
    this.openUnknown = unknown;
    this.openInline = inline;
  }

  beginOption(i: number): void {
    this.expectRuleNum = false;
    const text = this.normalized(i);
    const bang = this.pendingBang;
    this.pendingBang = undefined;
    if (text.startsWith('--')) return this.beginLong(i, text, bang);
    if (text.length > 2 && this.cluster(i, text.slice(1), bang)) return;
    // A short option is one letter: `-A` (longer words were clusters or are unknown).
    const g = text.length === 2 ? genericByWord(text) : undefined;
    if (!g) {
      this.openOption(i, 'optional', bang, undefined, undefined, undefined, true, undefined);
      if (!this.words[i].symbolic) err(this.problems, 'IPT101', this.words[i].range, loc(`unknown option "${text}"`, `不明なオプション "${text}" です`));
      return;
    }
    this.openGenericOption(i, g, bang, undefined);
  }

  /**
   * `-vn` or `-nvL`: getopt reads grouped short options one letter at a time. Accepted when every
   * letter but the last takes no argument; the last one takes its arguments from the next words.
   */
  private cluster(i: number, letters: string, bang: number | undefined): boolean {
    const opts = [...letters].map((l) => genericByShort(l));
    if (opts.some((o) => !o) || opts.slice(0, -1).some((o) => o!.args !== 0)) return false;
    for (const o of opts.slice(0, -1)) { this.openGenericOption(i, o!, undefined, undefined); this.endOption(); }
    this.openGenericOption(i, opts[opts.length - 1]!, bang, undefined);
    return true;
  }

  /** `--name` or `--name=value` (`text` with its dashes). */
  private beginLong(i: number, text: string, bang: number | undefined): void {
    const eq = text.indexOf('=');
    let generic: GenericOption | undefined, module: ParsedModule | undefined, def: OptionDef | undefined;
    // The common case first: the word as written is a generic option or one of a loaded module.
    const g = eq < 0 ? genericByWord(text) : undefined;
    if (g && !(g.role.kind === 'match' && g.role.field === 'fragment' && this.opts.family === 6)) generic = g;
    else if (eq < 0) {
      for (let k = this.loaded.length - 1; k >= 0 && !def; k--) {
        def = this.loaded[k].info.options.get(text);
        if (def) module = this.loaded[k].module;
      }
    }
    const name = eq >= 0 ? text.slice(2, eq) : generic || def ? '' : text.slice(2);
    const inlineValue = eq >= 0 ? text.slice(eq + 1) : undefined;
    if (!generic && !def) {
      // Abbreviations, `--name=value`, the match implied by -p: getopt's full search.
      const found = this.lookupLong(name);
      if (found && 'generic' in found) generic = found.generic;
      else if (found) ({ module, def } = found);
    }
    if (generic) return this.openGenericOption(i, generic, bang, inlineValue);
    if (!def || !module) {
      // Its argument (if any) is swallowed so one unknown option gives one error, as in iptables.
      this.openOption(i, inlineValue === undefined ? 'optional' : 0, bang, undefined, undefined, undefined, true, undefined);
      const protocolUnknown = this.cmd.generic.protocol?.arg.symbolic;
      if (!this.words[i].symbolic && !this.unknownModuleLoaded && !protocolUnknown) this.reportUnknownLong(i, name);
      return;
    }
    this.role(i, optionWordRole(rolesOf(def, module), def, module));
    // `--opt=value` gives the first argument: an option of two (--tcp-flags=SYN,ACK SYN) takes one more word.
    this.openOption(i, inlineValue === undefined ? def.args : typeof def.args === 'number' ? Math.max(0, def.args - 1) : 0, bang, undefined, module, def, false, inlineValue);
    if (bang !== undefined && !def.negatable) err(this.problems, 'IPT117', rangeOf(this.words[bang], this.words[i]), loc(`--${def.name} cannot be negated with \`!\``, `--${def.name} は \`!\` で否定できません`));
  }

  private openGenericOption(i: number, g: GenericOption, bang: number | undefined, inlineValue: string | undefined): void {
    this.role(i, genericWordRole(rolesOf(g), g));
    this.openOption(i, inlineValue === undefined ? g.args : typeof g.args === 'number' ? Math.max(0, g.args - 1) : 0, bang, g, undefined, undefined, false, inlineValue);
    if (bang !== undefined && !g.negatable) err(this.problems, 'IPT117', rangeOf(this.words[bang], this.words[i]), loc(`${this.normalized(i)} cannot be negated with \`!\``, `${this.normalized(i)} は \`!\` で否定できません`));
  }

  /**
   * getopt_long: exact names first (newest module first), then a unique prefix among what is
   * loaded, and only then the match implied by `-p` (iptables loads it when an option is unknown).
   */
  private lookupLong(name: string): LongOption | undefined {
    const g = genericByLong(name);
    if (g && !(g.role.kind === 'match' && g.role.field === 'fragment' && this.opts.family === 6)) return { generic: g };
    const found = searchLongOption(name, this.loaded);
    if (found !== 'ambiguous' && found) return found;
    if (this.loadProtocolMatch()) {
      const again = searchLongOption(name, this.loaded);
      if (again && again !== 'ambiguous') return again;
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
    if (!def || this.loaded.some((m) => m.module.name === def.name)) return false;
    const module: ParsedModule = { name: def.name, kind: 'match', options: [] };
    this.loaded.push({ module, info: moduleIndex(def) });
    this.cmd.matches.push(module);
    return true;
  }

  private reportUnknownLong(i: number, name: string): void {
    const laterProtocol = () => this.words.slice(i + 1).some((w, k) => this.normalized(i + 1 + k) === '-p' || this.normalized(i + 1 + k) === '--protocol');
    const { code, message } = unknownLongOption(name, laterProtocol);
    err(this.problems, code, this.words[i].range, message);
  }

  /**
   * How many of the words after the option just begun it takes: a fixed number (as many as there
   * are), or for an optional argument the next word unless it looks like an option or `!` (getopt).
   */
  wantedArguments(): number {
    if (this.openIndex < 0) return 0;
    const next = this.openIndex + 1, left = this.words.length - next;
    if (left <= 0) return 0;
    if (this.openWant === 'optional') {
      const t = this.normalized(next);
      return t.startsWith('-') || t === '!' ? 0 : 1;
    }
    return Math.min(this.openWant, left);
  }

  /** The grammar took word `i` (always the word after the option or its previous argument). */
  argument(i: number): void {
    this.openArgs++;
    if (this.openWant === 'optional') this.openWant = 0;
  }

  endOption(): void {
    const index = this.openIndex;
    this.openIndex = -1;
    if (index < 0 || this.openUnknown) return;
    const want = this.openWant, count = this.openArgs, inline = this.openInline;
    const g = this.openGeneric, def = this.openDef, module = this.openModule;
    const wanted = want === 'optional' ? 0 : want;
    if (count < wanted) {
      const name = this.normalized(index);
      err(this.problems, 'IPT104', this.words[index].range, loc(`${name} needs ${wanted === 1 ? 'an argument' : `${wanted} arguments`}`, `${name} には引数が${wanted === 1 ? '' : ` ${wanted} 個`}必要です`));
      return;
    }
    const first = index + 1;
    const negatable = g ? g.negatable : def?.negatable;
    if (inline === undefined && count && this.normalized(first) === '!' && negatable && !this.words[first].symbolic) return this.oldNegation(index);
    const roles = g ? rolesOf(g) : rolesOf(def!, module);
    const shift = inline === undefined ? 0 : 1; // the inline value was argument 0
    for (let n = 0; n < count; n++) this.role(first + n, argRoleIn(roles, g ?? def!, n + shift, g ? undefined : module));
    const bangWord = this.openBang !== undefined ? this.words[this.openBang] : undefined;
    // `--opt=value`: the value is one more argument, first, with the option word's range.
    const w = this.words[index];
    const inlineWord: Word | undefined = inline === undefined ? undefined : { text: inline, range: w.range, symbolic: w.symbolic };
    if (g && inline !== undefined && WHOLE_WORD_VALUE.has(g.long) && !w.symbolic) return this.wholeWordValue(w, g.long, inline);
    if (g) {
      this.argFirst = first;
      this.argCount = count;
      this.argInline = inlineWord;
      this.applyGeneric(g, w, bangWord);
    } else this.applyModuleOption(module!, def!, w, first, count, inlineWord, bangWord);
  }

  /**
   * `--source=10.0.0.1`: iptables 1.8.9 reads the value of -s, -d, -p, -i, -o and -j from the whole
   * word (argv[optind - 1]), so it looks for the host `--source=10.0.0.1` and fails (checked in a
   * namespace; --goto=, --match=, --table= and the commands do work). Suggest the spaced form.
   */
  private wholeWordValue(w: Word, long: string, value: string): void {
    const fixed = `--${long} ${value}`;
    this.problems.push({
      code: 'IPT106', severity: 'error', range: w.range,
      message: loc(`iptables 1.8.9 reads the value of --${long} from the whole word, so it takes "${w.text}" as the value and rejects the command: write \`${fixed}\``,
        `iptables 1.8.9 は --${long} の値を語全体から読むため、"${w.text}" を値とみなしてコマンドを拒否します。\`${fixed}\` と書きます`),
      fixes: [{ title: loc(`Rewrite as "${fixed}"`, `"${fixed}" に書き換える`), edits: [{ range: w.range, newText: fixed }], preferred: true }],
    });
  }

  /** `-s ! 1.2.3.4`: iptables 1.8 takes `!` as the value and rejects the rule; suggest `! -s 1.2.3.4`. */
  private oldNegation(index: number): void {
    const at = index + 1;
    const opt = this.words[index], bang = this.words[at];
    const value = at + 1 < this.words.length ? this.words[at + 1] : undefined;
    this.role(at, NEGATION_ROLE);
    if (value && !value.text.startsWith('-')) this.swallowNext = at + 1;
    const fixed = value ? `! ${opt.text} ${value.text}` : undefined;
    this.problems.push({
      code: 'IPT113', severity: 'error', range: rangeOf(opt, value ?? bang),
      message: loc(`the old form \`${opt.text} ! value\` is rejected by iptables 1.8: write \`! ${opt.text} value\``, `古い書き方 \`${opt.text} ! 値\` は iptables 1.8 では拒否されます。\`! ${opt.text} 値\` と書きます`),
      fixes: fixed ? [{ title: loc(`Rewrite as "${fixed}"`, `"${fixed}" に書き換える`), edits: [{ range: rangeOf(opt, value!), newText: fixed }], preferred: true }] : undefined,
    });
  }

  /**
   * True the first time an option is repeated in this command: iptables stops at that error, and
   * a generated line repeating -s 150,000 times should give one finding, not 149,999.
   */
  private firstRepeat(option: string): boolean {
    if (this.repeated?.has(option)) return false;
    (this.repeated ??= new Set()).add(option);
    return true;
  }

  private applyModuleOption(module: ParsedModule, def: OptionDef, word: Word, first: number, count: number, inline: Word | undefined, bang?: Word): void {
    for (const p of module.options) {
      if (p.name !== def.name || def.repeatable) continue;
      if (this.firstRepeat(`--${def.name}`)) err(this.problems, 'IPT117', word.range, loc(`--${def.name} is given twice in one ${module.name} ${module.kind}: iptables allows it once`, `${module.name} の --${def.name} が 2 回指定されています（1 回だけ指定できます）`));
      break;
    }
    const args = argWords(this.words, first, count, inline);
    let symbolic = false;
    for (let k = 0; k < args.length; k++) if (args[k].symbolic) { symbolic = true; break; }
    // The object is made in one literal, with or without `value`, so all its fields stay in-object.
    let parsed: ParsedOption | undefined;
    if (def.parse && !symbolic) {
      const r = def.parse(argTexts(this, first, count, inline), this.context());
      if (r.ok) parsed = { name: def.name, word, args, negated: !!bang, bang, value: r.value };
      else err(this.problems, 'IPT106', args.length ? rangeOf(args[0], args[args.length - 1]) : word.range, r.message);
    }
    module.options.push(parsed ?? { name: def.name, word, args, negated: !!bang, bang });
  }

  private ctx?: OptionContext;
  /** One context object per command (the table is read afresh: `-t` may have changed it). */
  private context(): OptionContext {
    const ctx = (this.ctx ??= { family: this.opts.family, table: this.cmd.table, cmd: this.cmd });
    ctx.table = this.cmd.table;
    return ctx;
  }

  /**
   * Argument n of the generic option being applied, by position: with `--opt=value` the value is
   * argument 0 and the words after the option follow. argIndex(n) is the word index of argument n
   * among the words after the option (the value of `--opt=value` has none), as getopt counts them.
   */
  private argWord(n: number): Word | undefined {
    if (this.argInline !== undefined) return n === 0 ? this.argInline : n - 1 < this.argCount ? this.words[this.argFirst + n - 1] : undefined;
    return n < this.argCount ? this.words[this.argFirst + n] : undefined;
  }

  private argText(n: number): string | undefined {
    if (this.argInline !== undefined && n === 0) return this.argInline.text;
    const k = this.argInline !== undefined ? n - 1 : n;
    return k < this.argCount ? this.normalized(this.argFirst + k) : undefined;
  }

  private argIndex(n: number): number | undefined {
    const k = this.argInline !== undefined ? n - 1 : n;
    return k >= 0 && k < this.argCount ? this.argFirst + k : undefined;
  }

  private applyGeneric(g: GenericOption, word: Word, bang?: Word): void {
    const role = g.role;
    const c = this.cmd;
    switch (role.kind) {
      case 'command': return this.applyCommand(role.op, word);
      case 'match': {
        if (role.field === 'fragment') {
          if (c.generic.fragment && this.firstRepeat('-f')) err(this.problems, 'IPT117', word.range, loc('multiple -f flags are not allowed', '-f は 1 回だけ指定できます'));
          c.generic.fragment = { negated: !!bang, word, bang };
          return;
        }
        if (c.generic[role.field]) {
          if (this.firstRepeat(role.field)) err(this.problems, 'IPT117', word.range, loc(`multiple ${word.text} flags are not allowed`, `${word.text} は 1 回だけ指定できます`));
          return;
        }
        const arg = this.argWord(0)!;
        const m: GenericMatch = { value: this.argText(0)!, negated: !!bang, word, arg, bang };
        c.generic[role.field] = m;
        if (!arg.symbolic) {
          const message = genericValueMessage(role.field, m, this.opts.family);
          if (message) err(this.problems, genericValueCode(message), arg.range, message);
        }
        return;
      }
      case 'jump':
      case 'goto': return this.applyTarget(role.kind === 'goto', word, this.argWord(0)!, this.argText(0)!, this.argIndex(0));
      case 'module': return this.loadMatch(word, this.argWord(0)!, this.argText(0)!, this.argIndex(0));
      case 'table': {
        const name = this.argText(0)!, arg = this.argWord(0)!, at = this.argIndex(0);
        if (at !== undefined) this.role(at, nameRole('table', name));
        if (this.opts.origin === 'save') {
          err(this.problems, 'IPT111', word.range, loc('-t cannot be used inside an iptables-restore file: use a `*table` line', 'iptables-restore のファイル内では -t は使えません。`*テーブル名` の行を使います'));
          return;
        }
        c.tableWord = arg;
        if (arg.symbolic) return;
        c.table = name;
        const t = findTable(name);
        if (!t) err(this.problems, 'IPT109', arg.range, loc(`unknown table "${name}" (filter, nat, mangle, raw, security)`, `不明なテーブル "${name}" です（filter, nat, mangle, raw, security）`));
        return;
      }
      case 'counters': c.counters = { packets: this.argText(0)!, bytes: this.argText(1)! }; return;
      case 'family4': if (this.opts.family === 6) c.skipped = true; return;
      case 'family6': if (this.opts.family === 4) c.skipped = true; return;
      case 'ignored': return;
    }
  }

  private applyCommand(op: CommandOp, word: Word): void {
    const c = this.cmd;
    if (c.op) {
      // Once per call, as iptables stops at the first (a pasted line can repeat -A thousands of times).
      if (this.firstRepeat('#command')) err(this.problems, 'IPT117', word.range, loc(`only one command per call: -${c.op} and ${word.text} cannot be combined`, `1 回の呼び出しに指定できるコマンドは 1 つです（-${c.op} と ${word.text} は併用できません）`));
      return;
    }
    c.op = op;
    c.opWord = word;
    const arg0 = this.argWord(0), arg1 = this.argWord(1);
    if (arg0) {
      // One lookup gives the interned name (shared with the word) and its role.
      const chain = chainName(this.argText(0)!);
      c.chain = shareText(arg0, chain.name);
      c.chainWord = arg0;
      const at = this.argIndex(0);
      if (at !== undefined) this.role(at, chainRole(chain));
    }
    if (op === 'P' && arg1) {
      c.policy = this.argText(1)!;
      c.policyWord = arg1;
      const at = this.argIndex(1);
      if (at !== undefined) this.role(at, nameRole('verdict', c.policy));
    }
    if (op === 'E' && arg1) {
      const chain = chainName(this.argText(1)!);
      c.newName = shareText(arg1, chain.name);
      const at = this.argIndex(1);
      if (at !== undefined) this.role(at, chainRole(chain));
    }
    if (op === 'D' || op === 'I' || op === 'R' || op === 'Z') this.expectRuleNum = true;
    if (op === 'N' || op === 'E') {
      if (c.chain !== undefined && !arg0!.symbolic) this.checkChainName(c.chain, arg0!);
      if (op === 'E' && c.newName !== undefined && !arg1!.symbolic) this.checkChainName(c.newName, arg1!);
    }
  }

  private checkChainName(name: string, w: Word): void {
    const message = chainNameMessage(name, this.opts.family);
    if (message) err(this.problems, 'IPT119', w.range, message);
  }

  /** `argIdx`: the word holding the name; undefined for `--jump=NAME`, where the option word holds it. */
  private applyTarget(isGoto: boolean, word: Word, arg: Word, name: string, argIdx: number | undefined): void {
    const c = this.cmd;
    if (c.target) {
      if (this.firstRepeat('#target')) err(this.problems, 'IPT117', word.range, loc('only one -j or -g per rule', '-j / -g は 1 つのルールに 1 回だけ指定できます'));
      return;
    }
    const module: ParsedModule = { name, kind: 'target', word, nameWord: arg, options: [] };
    c.target = module;
    c.goto = isGoto || undefined;
    if (arg.symbolic) return;
    const def = isGoto ? undefined : findTarget(name, this.opts.family);
    if (def) {
      const info = moduleIndex(def);
      this.role(argIdx, (info.role ??= moduleRole(def, 'target')));
      module.name = def.name;
      this.loaded.push({ module, info });
    } else {
      const chain = chainName(name);
      module.name = shareText(arg, chain.name);
      this.role(argIdx, (STANDARD_TARGETS as readonly string[]).includes(name) ? nameRole('verdict', module.name) : chainRole(chain));
      if (!isGoto && otherFamilyModule('target', name, this.opts.family)) {
        err(this.problems, 'IPT112', arg.range, loc(`target ${name} exists only in ${this.opts.family === 4 ? 'ip6tables' : 'iptables'}`, `ターゲット ${name} は ${this.opts.family === 4 ? 'ip6tables' : 'iptables'} 専用です`));
      }
    }
  }

  private loadMatch(word: Word, arg: Word, name: string, argIdx: number | undefined): void {
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
    const info = moduleIndex(def);
    this.role(argIdx, (info.role ??= moduleRole(def, 'match')));
    module.name = def.name;
    this.loaded.push({ module, info });
  }

  private isAddressLike(text: string): boolean { return /^[0-9a-fA-F.:/]+$/.test(text) || /^[a-z]/.test(text); }

  finish(): { command: IptablesCommand; problems: Problem[] } {
    const c = this.cmd;
    if (this.pendingBang !== undefined) err(this.problems, 'IPT104', this.words[this.pendingBang].range, loc('`!` at the end negates nothing', '末尾の `!` は何も否定していません'));
    if (!c.op && this.words.length && !c.symbolic) err(this.problems, 'IPT104', c.range, loc('no command given (such as -A, -I, -P or -N): iptables rejects this', 'コマンド（-A, -I, -P, -N など）がありません。iptables はこれを受け付けません'));
    if (c.op === 'R' && c.ruleNum === undefined && c.chainWord) err(this.problems, 'IPT104', c.opWord!.range, loc('-R needs a rule number after the chain', '-R にはチェイン名の後にルール番号が必要です'));
    if (this.lookalikes) this.reportLookalikes(this.lookalikes);
    if (!c.skipped) this.validateModules();
    this.checkInterfacesForChain();
    const natDrop = natDropMessage(c);
    if (natDrop) err(this.problems, natDrop.code, natDrop.word.range, natDropText);
    const negatedList = negatedListWord(c);
    if (negatedList) err(this.problems, 'IPT117', negatedList.range, negatedListText);
    const list = replaceWithListWord(c);
    if (list) err(this.problems, 'IPT117', list.range, replaceWithListText);
    let invalid = false;
    for (const p of this.problems) if (p.severity === 'error') { invalid = true; break; }
    c.invalid = invalid;
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
      const m = this.loaded[k].module, def = this.loaded[k].info.def;
      const needs = m.kind === 'match' ? moduleProtocolMessage(def, proto) : undefined;
      if (needs) err(this.problems, 'IPT107', this.moduleRange(m), needs);
      if (def.validate && !hasSymbolicArgument(m)) {
        for (const message of def.validate(m, ctx)) err(this.problems, 'IPT118', this.moduleRange(m), message);
      }
      const placement = modulePlacementMessage(def, this.cmd);
      if (placement) err(this.problems, 'IPT109', this.moduleRange(m), placement);
      if (def.chains) this.cmd.hookMask = narrowChainMask(this.cmd.hookMask, chainMask(def.chains));
    }
  }

  private reportLookalikes(lookalikes: Map<number, Lookalike>): void {
    for (const [i, found] of lookalikes) {
      const role = this.cmd.roles[i];
      if (role.kind === 'value' && role.module && FREE_TEXT_OPTIONS.has(role.option)) continue;
      this.problems.push(lookalikeProblem(this.words[i], found));
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

interface Loaded { module: ParsedModule; info: ModuleIndex }

/** Generic options whose `--name=value` form iptables 1.8.9 rejects (see wholeWordValue). */
const WHOLE_WORD_VALUE = new Set(['source', 'destination', 'protocol', 'in-interface', 'out-interface', 'jump']);

/** The argument words of a module option, as kept in its ParsedOption (the `--opt=value` value first). */
function argWords(words: Word[], first: number, count: number, inline: Word | undefined): Word[] {
  if (inline === undefined) {
    if (count === 1) return [words[first]];
    if (count === 0) return [];
    if (count === 2) return [words[first], words[first + 1]];
  }
  const out: Word[] = inline === undefined ? [] : [inline];
  for (let k = 0; k < count; k++) out.push(words[first + k]);
  return out;
}

/** Their texts, for the option's value parser (a fresh array: a parser may keep it). */
function argTexts(session: CommandSession, first: number, count: number, inline: Word | undefined): string[] {
  if (inline === undefined) {
    if (count === 1) return [session.normalized(first)];
    if (count === 2) return [session.normalized(first), session.normalized(first + 1)];
  }
  const out: string[] = inline === undefined ? [] : [inline.text];
  for (let k = 0; k < count; k++) out.push(session.normalized(first + k));
  return out;
}

function hasSymbolicArgument(m: ParsedModule): boolean {
  for (const o of m.options) for (const a of o.args) if (a.symbolic) return true;
  return false;
}

