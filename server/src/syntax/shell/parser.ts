// The statement structure of a shell script: a hand-written recursive descent over the items of
// items.ts. Recovery: a construct that is never closed is reported at its opening word and keeps
// what it parsed; a closing word nobody waits for is reported and skipped; anything else out of
// place is reported and the parse resumes at the next line. Nesting is bounded (MAX_NEST): deeper
// constructs are skipped without recursion, so no input can overflow the stack.
import { WordReader, type Collect, type Item } from './items';
import * as M from './messages';
import type { Assign, List, Node, Redir, Simple, Word } from './tree';

const CLOSERS = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', 'esac', '}']);
const CASE_SEPS = new Set([';;', ';&', ';;&']);
const DECLARATIONS = new Set(['export', 'local', 'readonly', 'declare', 'typeset']);
const OPENERS = new Set(['if', 'case', 'for', 'select', 'while', 'until', '{']);
const ENDERS = new Set(['fi', 'esac', 'done', '}']);
const COMMAND_START_KW = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '{', '!', 'time']);
export const MAX_NEST = 100;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The text of a word written as plain unquoted characters, else undefined. */
export function plainText(w: Word): string | undefined {
  const p = w.parts;
  return p.length === 1 && p[0].k === 'lit' && !p[0].quoted ? p[0].text : undefined;
}

export class Parser extends WordReader {
  private items: Item[] = [];
  private pos = 0;
  /** The closing words (and `)`, `;;`) that the constructs being parsed wait for. */
  private open: string[][] = [];
  private depth = 0;
  private deepReported = false;

  constructor(col: Collect) {
    super(col);
  }

  parseScript(text: string, base: number): List {
    const saved = { items: this.items, pos: this.pos, open: this.open, depth: this.depth };
    this.items = this.toItems(this.lexAt(text, base, 'main').tokens);
    this.pos = 0;
    this.open = [];
    this.depth = 0;
    try {
      return this.parseList();
    } finally {
      Object.assign(this, saved);
    }
  }

  protected parseNested(text: string, base: number): List {
    return this.parseScript(text, base);
  }

  // ---- helpers
  private peek(k = 0): Item | undefined { return this.items[this.pos + k]; }
  private kwAt(k = 0): string | undefined { const it = this.peek(k); return it?.k === 'word' ? it.kw : undefined; }
  private opAt(k = 0): string | undefined { const it = this.peek(k); return it?.k === 'op' ? it.op : undefined; }
  private prevEnd(): number { const it = this.items[this.pos - 1]; return it ? (it.k === 'word' ? it.w.end : it.end) : 0; }
  private itemStart(it: Item): number { return it.k === 'word' ? it.w.start : it.start; }
  private itemEnd(it: Item): number { return it.k === 'word' ? it.w.end : it.end; }
  private itemText(it: Item): string { return this.col.src.slice(this.itemStart(it), this.itemEnd(it)); }
  private expects(word: string): boolean { return this.open.some((set) => set.includes(word)); }
  private skipNewlines(): void { while (this.peek()?.k === 'nl') this.pos++; }
  /** A command list that must not be empty (bash rejects `then fi`, `{ }`, `do done`). */
  private body(opener: Item | undefined, closers: string[]): List {
    const list = this.within(closers, () => this.parseList());
    const close = this.kwAt() ?? this.opAt();
    if (list.items.length === 0 && opener && close) this.report(opener, M.emptyBody(this.itemText(opener), close));
    return list;
  }
  private within<R>(closers: string[], fn: () => R): R {
    this.open.push(closers);
    try { return fn(); } finally { this.open.pop(); }
  }
  private report(it: Item, message: M.RawProblem['message']): void {
    this.problem(this.itemStart(it), this.itemEnd(it), message);
  }
  private skipLine(): void {
    while (this.pos < this.items.length && this.items[this.pos].k !== 'nl') this.pos++;
  }
  private canStartCommand(): boolean {
    const it = this.peek();
    if (!it) return false;
    if (it.k === 'word') return !(it.kw && (CLOSERS.has(it.kw) || it.kw === 'in'));
    return it.k === 'redir' || it.k === 'arith' || (it.k === 'op' && it.op === '(');
  }

  // ---- lists
  private parseList(): List {
    const items: Node[] = [];
    for (;;) {
      const it = this.peek();
      if (!it) break;
      if (it.k === 'nl') { this.pos++; continue; }
      if (it.k === 'op' && it.op !== '(') {
        if ((it.op === ')' || CASE_SEPS.has(it.op)) && this.expects(it.op === ')' ? ')' : ';;')) break;
        this.report(it, it.op === ')' || CASE_SEPS.has(it.op) ? M.stray(it.op) : M.unexpected(it.op));
        this.pos++;
        continue;
      }
      if (it.k === 'word' && it.kw && CLOSERS.has(it.kw)) {
        if (this.expects(it.kw)) break;
        this.report(it, M.stray(it.kw));
        this.pos++;
        continue;
      }
      if (it.k === 'word' && it.kw === 'in') {
        this.report(it, M.unexpected('in'));
        this.skipLine();
        continue;
      }
      items.push(this.parseAndOr());
      const nx = this.peek();
      if (!nx) break;
      if (nx.k === 'nl' || (nx.k === 'op' && (nx.op === ';' || nx.op === '&'))) { this.pos++; continue; }
      if (nx.k === 'op' && (nx.op === ')' || CASE_SEPS.has(nx.op))) continue;
      if (nx.k === 'word' && nx.kw && CLOSERS.has(nx.kw)) continue;
      this.report(nx, M.unexpected(this.itemText(nx)));
      this.skipLine();
    }
    return { t: 'list', items };
  }

  private parseAndOr(): Node {
    const first = this.parsePipeline();
    const rest: { op: '&&' | '||'; node: Node }[] = [];
    for (let op = this.opAt(); op === '&&' || op === '||'; op = this.opAt()) {
      const opItem = this.peek()!;
      this.pos++;
      this.skipNewlines();
      if (!this.canStartCommand()) { this.report(opItem, M.needsCommand(op)); break; }
      rest.push({ op, node: this.parsePipeline() });
    }
    return rest.length ? { t: 'andor', first, rest } : first;
  }

  private parsePipeline(): Node {
    let bang = false;
    if (this.kwAt() === '!') {
      const bangItem = this.peek()!;
      bang = true;
      this.pos++;
      // a lone `!` is valid (it negates an empty pipeline); a keyword that closes something is not
      const nx = this.peek();
      if (!nx || nx.k === 'nl' || (nx.k === 'op' && (nx.op === ';' || nx.op === '&'))) return { t: 'opaque' };
      if (!this.canStartCommand() || this.kwAt() === '!') { this.report(bangItem, M.needsCommand('!')); return { t: 'opaque' }; }
    }
    const cmds = [this.parseCommand()];
    for (let op = this.opAt(); op === '|' || op === '|&'; op = this.opAt()) {
      const opItem = this.peek()!;
      this.pos++;
      this.skipNewlines();
      if (!this.canStartCommand()) { this.report(opItem, M.needsCommand(op)); break; }
      cmds.push(this.parseCommand());
    }
    return cmds.length === 1 && !bang ? cmds[0] : { t: 'pipe', cmds, bang };
  }

  private parseCommand(): Node {
    const it = this.peek();
    if (!it) return { t: 'opaque' };
    if (it.k === 'word' && it.kw) {
      switch (it.kw) {
        case 'if': return this.compound(() => this.parseIf());
        case 'for': case 'select': return this.compound(() => this.parseFor());
        case 'while': case 'until': return this.compound(() => this.parseLoop());
        case 'case': return this.compound(() => this.parseCase());
        case '{': return this.compound(() => this.parseGroup(false));
        case 'function': return this.compound(() => this.parseFunction());
        case '[[': return this.parseTest();
        case 'time':
          this.pos++;
          if (this.kwAt() === '-p') this.pos++;
          return this.canStartCommand() ? this.parseCommand() : { t: 'opaque' };
      }
      if (this.opAt(1) === '(' && this.opAt(2) === ')') return this.compound(() => this.parseFunction());
    }
    if (it.k === 'op' && it.op === '(') return this.compound(() => this.parseGroup(true));
    if (it.k === 'arith') { this.pos++; return { t: 'arith', assigned: it.assigned }; }
    return this.parseSimple();
  }

  /** Bounds nesting; reads the redirections after a compound command. */
  private compound(fn: () => Node): Node {
    if (this.depth >= MAX_NEST) {
      const it = this.peek()!;
      if (!this.deepReported) {
        this.deepReported = true;
        this.problem(this.itemStart(it), this.itemEnd(it), M.tooDeep(MAX_NEST), 'warning');
      }
      this.skipCompound();
      return { t: 'opaque' };
    }
    this.depth++;
    let node: Node;
    try { node = fn(); } finally { this.depth--; }
    const redirs = this.redirections();
    if ('redirs' in node) node.redirs.push(...redirs);
    return node;
  }

  private redirections(): Redir[] {
    const out: Redir[] = [];
    for (let it = this.peek(); it?.k === 'redir'; it = this.peek()) {
      this.pos++;
      out.push(this.redirect(it));
    }
    return out;
  }

  private redirect(it: Item & { k: 'redir' }): Redir {
    if (it.heredoc) return { op: it.op, start: it.start, end: it.end, heredoc: it.heredoc };
    const target = this.peek();
    if (target?.k === 'word') {
      this.pos++;
      return { op: it.op, start: it.start, end: target.w.end, target: target.w };
    }
    this.report(it, M.needsTarget(it.op));
    return { op: it.op, start: it.start, end: it.end };
  }

  // ---- simple commands
  private parseSimple(): Simple {
    const first = this.peek()!;
    const node: Simple = { t: 'simple', assigns: [], words: [], redirs: [], declAssigns: [], start: this.itemStart(first), end: this.itemEnd(first) };
    for (let it = this.peek(); it; it = this.peek()) {
      if (it.k === 'word') {
        this.pos++;
        const a = node.words.length === 0 ? this.assignment(it.w) : undefined;
        if (a) node.assigns.push(a);
        else node.words.push(it.w);
      } else if (it.k === 'redir') {
        this.pos++;
        node.redirs.push(this.redirect(it));
      } else break;
      node.end = this.prevEnd();
    }
    this.col.simpleCount++;
    const name = node.words.length ? plainText(node.words[0]) : undefined;
    if (name !== undefined) {
      const w0 = node.words[0];
      this.col.commandNames.push({ name, start: w0.start, end: w0.end });
      if (DECLARATIONS.has(name)) {
        for (const w of node.words.slice(1)) {
          const a = this.assignment(w, false);
          if (a) node.declAssigns.push(a);
        }
      } else if (name === 'read' || name === 'getopts') this.boundNames(name, node.words.slice(1));
    }
    return node;
  }

  /** `NAME=value` (or `NAME+=value`, `NAME=(...)`); consumes an array's items when `arrays`. */
  private assignment(w: Word, arrays = true): Assign | undefined {
    const p0 = w.parts[0];
    if (p0.k !== 'lit' || p0.quoted) return undefined;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/.exec(p0.text);
    if (!m) return undefined;
    const restText = p0.text.slice(m[0].length);
    const valueStart = p0.start + m[0].length;
    const parts = restText ? [{ ...p0, text: restText, start: valueStart }, ...w.parts.slice(1)] : w.parts.slice(1);
    let end = w.end;
    let array = false;
    const nx = this.peek();
    if (arrays && parts.length === 0 && nx?.k === 'op' && nx.op === '(' && nx.start === w.end) {
      array = true;
      let depth = 0;
      while (this.pos < this.items.length) {
        const it = this.items[this.pos++];
        if (it.k === 'op' && it.op === '(') depth++;
        else if (it.k === 'op' && it.op === ')' && --depth === 0) break;
      }
      end = this.prevEnd();
    }
    this.col.defs.push({ name: m[1], start: w.start, end });
    return { name: m[1], start: w.start, end, append: m[2] === '+', array, value: { parts, start: valueStart, end: w.end } };
  }

  /** Names that `read` and `getopts` assign, for the variables list. */
  private boundNames(cmd: string, args: Word[]): void {
    const texts = args.map(plainText);
    let names: number[] = [];
    if (cmd === 'getopts') names = texts.length >= 2 ? [1] : [];
    else {
      for (let i = 0; i < texts.length; i++) {
        const t = texts[i];
        if (t === undefined) continue;
        if (/^-[^-]/.test(t)) { if (/[adinNptu]$/.test(t)) i++; continue; }
        names.push(i);
      }
    }
    for (const i of names) {
      if (texts[i] !== undefined && NAME.test(texts[i]!)) this.col.defs.push({ name: texts[i]!, start: args[i].start, end: args[i].end });
    }
  }

  // ---- compound commands
  private expectKw(kw: string, opener: Item, message: M.RawProblem['message']): boolean {
    if (this.kwAt() === kw) { this.pos++; return true; }
    this.report(opener, message);
    return false;
  }

  private parseIf(): Node {
    const ifItem = this.peek()!;
    this.pos++;
    const clauses: { cond: List; body: List }[] = [];
    let elseBody: List | undefined;
    let opener = ifItem;
    for (;;) {
      const cond = this.body(opener, ['then', 'elif', 'else', 'fi']);
      let body: List = { t: 'list', items: [] };
      const thenItem = this.peek();
      if (this.kwAt() === 'then') {
        this.pos++;
        body = this.body(thenItem, ['elif', 'else', 'fi']);
      } else if (this.peek()) this.report(opener, M.missingKeyword(this.itemText(opener), 'then'));
      clauses.push({ cond, body });
      const kw = this.kwAt();
      if (kw === 'elif') { opener = this.peek()!; this.pos++; continue; }
      if (kw === 'else') {
        const elseItem = this.peek();
        this.pos++;
        elseBody = this.body(elseItem, ['fi']);
      }
      this.expectKw('fi', ifItem, M.unclosed('if', 'fi'));
      return { t: 'if', clauses, elseBody, redirs: [] };
    }
  }

  private loopBody(opener: Item): List {
    const doItem = this.peek();
    if (this.kwAt() === 'do') this.pos++;
    else this.report(opener, M.missingKeyword(this.itemText(opener), 'do'));
    const body = this.body(doItem?.k === 'word' && doItem.kw === 'do' ? doItem : undefined, ['done']);
    this.expectKw('done', doItem?.k === 'word' && doItem.kw === 'do' ? doItem : opener, M.unclosed('do', 'done'));
    return body;
  }

  private parseFor(): Node {
    const forItem = this.peek()!;
    this.pos++;
    const arith = this.peek();
    if (arith?.k === 'arith') {
      this.pos++;
      if (this.opAt() === ';') this.pos++;
      this.skipNewlines();
      return { t: 'loop', until: false, cond: null, body: this.loopBody(forItem), redirs: [] };
    }
    const nameItem = this.peek();
    if (nameItem?.k !== 'word' || !nameItem.kw || !NAME.test(nameItem.kw)) {
      this.report(forItem, M.needsName(this.itemText(forItem)));
      this.skipLine();
      return { t: 'opaque' };
    }
    this.pos++;
    const name = nameItem.kw;
    this.col.defs.push({ name, start: nameItem.w.start, end: nameItem.w.end });
    this.skipNewlines();
    let words: Word[] | null = null;
    if (this.kwAt() === 'in') {
      this.pos++;
      words = [];
      for (let it = this.peek(); it?.k === 'word'; it = this.peek()) { words.push(it.w); this.pos++; }
    }
    if (this.opAt() === ';') this.pos++;
    this.skipNewlines();
    const select = this.itemText(forItem) === 'select';
    return { t: 'for', name, nameStart: nameItem.w.start, nameEnd: nameItem.w.end, words, body: this.loopBody(forItem), redirs: [], select };
  }

  private parseLoop(): Node {
    const item = this.peek() as Item & { k: 'word' };
    this.pos++;
    const cond = this.body(item, ['do', 'done']);
    return { t: 'loop', until: item.kw === 'until', cond, body: this.loopBody(item), redirs: [] };
  }

  private parseCase(): Node {
    const caseItem = this.peek()!;
    this.pos++;
    const subject = this.peek();
    if (subject?.k !== 'word') {
      this.report(caseItem, M.needsName('case'));
      this.skipLine();
      return { t: 'opaque' };
    }
    this.pos++;
    this.skipNewlines();
    if (this.kwAt() === 'in') this.pos++;
    else this.report(caseItem, M.missingKeyword('case', 'in'));
    const items: { patterns: Word[]; body: List; sep: string }[] = [];
    for (;;) {
      this.skipNewlines();
      const it = this.peek();
      if (this.kwAt() === 'esac') { this.pos++; break; }
      if (!it || (it.k === 'word' && it.kw && CLOSERS.has(it.kw) && this.expects(it.kw)) || (it.k === 'op' && it.op === ')' && this.expects(')'))) {
        this.report(caseItem, M.unclosed('case', 'esac'));
        break;
      }
      if (this.opAt() === '(') this.pos++;
      const patterns: Word[] = [];
      for (let p = this.peek(); p?.k === 'word'; p = this.peek()) {
        patterns.push(p.w);
        this.pos++;
        if (this.opAt() !== '|') break;
        this.pos++;
      }
      if (this.opAt() !== ')' || patterns.length === 0) {
        this.report(this.peek() ?? caseItem, M.casePattern());
        this.skipLine();
        continue;
      }
      this.pos++;
      const body = this.within([';;', ';&', ';;&', 'esac'], () => this.parseList());
      const sep = this.opAt();
      if (sep !== undefined && CASE_SEPS.has(sep)) this.pos++;
      items.push({ patterns, body, sep: sep && CASE_SEPS.has(sep) ? sep : ';;' });
    }
    return { t: 'case', word: subject.w, items, redirs: [] };
  }

  private parseGroup(subshell: boolean): Node {
    const open = this.peek()!;
    this.pos++;
    const close = subshell ? ')' : '}';
    const body = this.body(open, [close]);
    const done = subshell ? this.opAt() === ')' : this.kwAt() === '}';
    if (done) this.pos++;
    else this.report(open, M.unclosed(subshell ? '(' : '{', close));
    return { t: 'group', body, subshell, redirs: [] };
  }

  /** `name() compound` or `function name [()] compound`. */
  private parseFunction(): Node {
    const first = this.peek() as Item & { k: 'word' };
    let nameItem: Item = first;
    if (first.kw === 'function') {
      this.pos++;
      const it = this.peek();
      if (it?.k !== 'word') {
        this.report(first, M.needsName('function'));
        return { t: 'opaque' };
      }
      nameItem = it;
    }
    const name = this.itemText(nameItem);
    const nameStart = this.itemStart(nameItem);
    const nameEnd = this.itemEnd(nameItem);
    this.pos++;
    if (this.opAt() === '(' && this.opAt(1) === ')') this.pos += 2;
    this.skipNewlines();
    if (!this.canStartCommand()) {
      this.report(nameItem, M.needsCommand(`${name}()`));
      return { t: 'opaque' };
    }
    const body = this.parseCommand();
    if (body.t === 'simple' || body.t === 'pipe' || body.t === 'andor' || body.t === 'test') this.report(nameItem, M.functionBody());
    const start = first.w.start;
    const end = this.prevEnd();
    this.col.funcs.push({ name, nameStart, nameEnd, start, end });
    return { t: 'func', name, nameStart, nameEnd, start, end, body };
  }

  /** `[[ ... ]]`: its operators are words of the test, not shell operators. */
  private parseTest(): Node {
    const open = this.peek()!;
    this.pos++;
    const words: Word[] = [];
    for (;;) {
      const it = this.peek();
      if (!it || (it.k === 'nl' && !(['&&', '||'] as (string | undefined)[]).includes(this.opAt(-1)))) {
        this.report(open, M.unclosed('[[', ']]'));
        break;
      }
      this.pos++;
      if (it.k === 'word' && it.kw === ']]') break;
      if (it.k === 'word') words.push(it.w);
      else if (it.k !== 'nl') {
        const s = this.itemStart(it), e = this.itemEnd(it);
        words.push({ parts: [{ k: 'lit', text: this.col.src.slice(s, e), quoted: false, start: s, end: e }], start: s, end: e });
      }
    }
    const node: Node = { t: 'test', words, start: this.itemStart(open), end: this.prevEnd() };
    this.col.simpleCount++;
    return node;
  }

  /** Past the end of a construct nested too deeply, counting openers and closers, without recursion. */
  private skipCompound(): void {
    let depth = 0;
    let parens = 0;
    let cmdPos = true;
    while (this.pos < this.items.length) {
      const it = this.items[this.pos++];
      if (it.k === 'word') {
        if (cmdPos && it.kw && OPENERS.has(it.kw)) depth++;
        else if (cmdPos && it.kw && ENDERS.has(it.kw) && --depth <= 0 && parens === 0) return;
        cmdPos = !!it.kw && COMMAND_START_KW.has(it.kw);
      } else if (it.k === 'op') {
        if (it.op === '(' && cmdPos) { parens++; depth++; }
        else if (it.op === ')' && parens > 0) { parens--; if (--depth <= 0) return; }
        cmdPos = true;
      } else cmdPos = it.k === 'nl';
    }
  }
}
