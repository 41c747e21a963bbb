// Partial evaluation of a parsed script: runs it over what is known statically and records the
// commands it would run, in execution order. Literal `for` lists unroll, functions are inlined at
// their calls, decidable conditions (`true`, `[ a = a ]`) pick their branch, and every other branch
// runs once as "conditional", its variable changes merged (different values become unknown).
// `exit`, `return`, `break` end what they end only when they run unconditionally.
import type { Range, Word as OutWord } from '../ast';
import { arithAssigned, basename, evalTest, patternRegExp, readFields, readLines, readNames, RESTORE_PROGRAM, unwrap } from './builtins';
import { Expander, POSITIONAL, Scope, UNKNOWN, type Field, type Positional, type Val } from './expand';
import * as M from './messages';
import type { RawProblem } from './messages';
import { assignedIn, copySeen, type Seen, done, isTestList, MAX_UNROLL, negate, Paths, restoreSeen, type R } from './flow';
import { plainText } from './parser';
import type { Heredoc, List, Node, Redir, Simple } from './tree';
import type { ShellEvent } from './types';

const MAX_EVAL_DEPTH = 250;
const MAX_CALL_DEPTH = 16;
const MAX_RECURSION = 3;

type FuncNode = Node & { t: 'func' };

export class Evaluator extends Expander {
  readonly events: ShellEvent[] = [];
  readonly problems: RawProblem[] = [];
  readonly observed = new Map<string, Seen>();
  readonly assigned = new Map<string, Seen>();
  private funcs = new Map<string, FuncNode>();
  private steps = 0;
  private depth = 0;
  private callStack: string[] = [];
  private halted = false;
  /** Whether the command whose words are being expanded runs conditionally (for `$(...)` inside). */
  private curCond = false;
  private assignedCache = new WeakMap<List, string[]>();
  /** Heredoc bodies of the last simple command, and the one a pipeline feeds to its second command. */
  private lastBodies = new Map<Redir, string>();
  private feed: { redir: Redir; text: string } | undefined;

  constructor(src: string, private maxSteps: number, private range: (start: number, end: number) => Range) {
    super(src);
  }

  run(script: List): void {
    const root = new Scope(undefined, { locals: new Set() });
    this.list(script, root, false);
  }

  // ---- bookkeeping
  protected observe(name: string, v: Val): void { record(this.observed, name, v); }

  protected substitute(body: List | null, sc: Scope): void {
    if (!body || this.depth >= MAX_EVAL_DEPTH || this.halted) return;
    this.depth++;
    const cond = this.curCond;
    try {
      this.list(body, sc.child(), cond);
    } finally {
      this.depth--;
      this.curCond = cond;
    }
  }

  private halt(n: Simple): R {
    if (!this.halted) this.problems.push({ start: n.start, end: n.end, message: M.tooMuch(), severity: 'warning' });
    this.halted = true;
    return { flow: 'halt', ok: undefined };
  }

  // ---- lists and operators
  private list(l: List, sc: Scope, cond: boolean): R {
    let r = done(true);
    for (const n of l.items) {
      if (this.halted) return { flow: 'halt', ok: undefined };
      r = this.node(n, sc, cond);
      if (r.flow !== 'normal') return r;
    }
    return r;
  }

  private node(n: Node, sc: Scope, cond: boolean): R {
    switch (n.t) {
      case 'simple': return this.simple(n, sc, cond);
      case 'list': return this.list(n, sc, cond);
      case 'pipe': return this.pipe(n, sc, cond);
      case 'andor': return this.andor(n, sc, cond);
      case 'func': this.funcs.set(n.name, n); return done(true);
      case 'test': {
        this.curCond = cond;
        const args = n.words.map((w) => this.single(w.parts, sc));
        // unquoted * ? [ are patterns in [[ ]]; && || ( ) =~ are not modelled
        const known = args.every((a) => !a.symbolic && !a.segs.some((g) => !g.quoted && /[*?[]/.test(g.text)))
          && !args.some((a) => /^(?:&&|\|\||=~|\(|\))$/.test(a.text));
        return done(known ? evalTest(args.map((a) => a.text)) : undefined);
      }
      case 'arith':
        for (const name of n.assigned) sc.set(name, UNKNOWN);
        return done();
      case 'opaque': return done();
    }
    if (this.depth >= MAX_EVAL_DEPTH) return done();
    this.depth++;
    try {
      this.redirs(n.redirs, sc, cond);
      switch (n.t) {
        case 'if': return this.ifNode(n, sc, cond);
        case 'case': return this.caseNode(n, sc, cond);
        case 'for': return this.forNode(n, sc, cond);
        case 'loop': return this.loopNode(n, sc, cond);
        case 'group': {
          if (!n.subshell) return this.list(n.body, sc, cond);
          const r = this.list(n.body, sc.child(), cond);
          return r.flow === 'halt' ? r : done(r.ok);
        }
      }
    } finally {
      this.depth--;
    }
  }

  private pipe(n: Node & { t: 'pipe' }, sc: Scope, cond: boolean): R {
    let r = done();
    if (n.cmds.length === 1) {
      r = this.node(n.cmds[0], sc, cond);
      if (r.flow !== 'normal') return r;
    } else {
      // each part of a pipeline runs in a subshell; `cat <<EOF | iptables-restore` feeds the heredoc
      n.cmds.forEach((c, i) => {
        if (r.flow === 'halt') return;
        this.feed = i === 1 ? this.catBody(n.cmds[0]) : undefined;
        r = this.node(c, sc.child(), cond);
        this.feed = undefined;
      });
      if (r.flow === 'halt') return r;
    }
    return done(n.bang ? negate(r.ok) : r.ok);
  }

  private andor(n: Node & { t: 'andor' }, sc: Scope, cond: boolean): R {
    const first = this.node(n.first, sc, cond);
    if (first.flow !== 'normal') return first;
    let ok = first.ok;
    for (const { op, node } of n.rest) {
      const runWhen = op === '&&';
      if (ok === !runWhen) continue;
      if (ok === runWhen) {
        const r = this.node(node, sc, cond);
        if (r.flow !== 'normal') return r;
        ok = r.ok;
        continue;
      }
      const p = new Paths(sc, cond);
      p.maybe((s, c) => this.node(node, s, c));
      const r = p.finish(done(!runWhen));
      if (r.flow !== 'normal') return r;
      ok = r.ok;
    }
    return done(ok);
  }

  // ---- compound commands
  private ifNode(n: Node & { t: 'if' }, sc: Scope, cond: boolean): R {
    const p = new Paths(sc, cond);
    for (const clause of n.clauses) {
      const c = this.list(clause.cond, p.cur, p.cond);
      if (c.flow === 'halt') return c;
      if (c.ok === true) { p.surely((s, k) => this.list(clause.body, s, k)); return p.finish(done(true)); }
      if (c.ok === undefined) p.maybe((s, k) => this.list(clause.body, s, k));
    }
    if (n.elseBody) { const e = n.elseBody; p.surely((s, k) => this.list(e, s, k)); }
    return p.finish(done(true));
  }

  private caseNode(n: Node & { t: 'case' }, sc: Scope, cond: boolean): R {
    this.curCond = cond;
    const subject = this.single(n.word.parts, sc);
    const p = new Paths(sc, cond);
    for (const item of n.items) {
      let m: boolean | undefined = false;
      for (const pat of item.patterns) {
        this.curCond = p.cond;
        const re = patternRegExp(this.single(pat.parts, p.cur).segs);
        const r = subject.symbolic || !re ? undefined : re.test(subject.text);
        if (r === true) { m = true; break; }
        if (r === undefined) m = undefined;
      }
      if (m === true) { p.surely((s, k) => this.list(item.body, s, k)); break; }
      if (m === undefined) p.maybe((s, k) => this.list(item.body, s, k));
    }
    return p.finish(done(true));
  }

  private forNode(n: Node & { t: 'for' }, sc: Scope, cond: boolean): R {
    this.curCond = cond;
    const fields = n.words ? n.words.flatMap((w) => this.fields(w, sc)) : this.positionalFields(sc);
    if (n.select) return this.maybeRepeated(n.body, sc, cond, (s) => s.set(n.name, UNKNOWN));
    for (const f of fields) {
      const val: Val = f.symbolic ? UNKNOWN : { s: 'set', v: f.text };
      if (f.certain) {
        sc.set(n.name, val);
        record(this.assigned, n.name, val);
        const r = this.list(n.body, sc, cond);
        if (r.flow === 'break') return done();
        if (r.flow !== 'normal' && r.flow !== 'continue') return r;
      } else {
        // an unquoted unknown expansion: any number of iterations, each with an unknown value
        const r = this.maybeRepeated(n.body, sc, cond, (s) => s.set(n.name, UNKNOWN));
        if (r.flow !== 'normal') return r;
      }
    }
    return done();
  }

  private loopNode(n: Node & { t: 'loop' }, sc: Scope, cond: boolean): R {
    const input = this.readLoopInput(n, sc);
    if (input) return this.readLoop(n, input, sc, cond);
    let runs: boolean | undefined;
    if (n.cond) {
      const c = this.list(n.cond, sc, cond);
      if (c.flow !== 'normal') return c;
      runs = n.until ? negate(c.ok) : c.ok;
    }
    if (runs === false) return done(true);
    if (runs === true && isTestList(n.cond!)) {
      const unrolled = this.unroll(n, sc, cond);
      if (unrolled) return unrolled;
    }
    if (runs === true) {
      // `while true`: the body surely runs (at least once)
      this.forgetAssigned(n.body, sc);
      const r = this.list(n.body, sc, cond);
      return r.flow === 'normal' || r.flow === 'break' || r.flow === 'continue' ? done() : r;
    }
    return this.maybeRepeated(n.body, sc, cond);
  }

  /**
   * A `while [ ... ]` / `until [ ... ]` loop whose test stays known (`i=0; while [ $i -lt 3 ]; ...
   * i=$((i + 1))`): run as the shell runs it, at most MAX_UNROLL times. Undefined, with nothing it
   * did kept, when the test becomes unknown or the loop does not end by then.
   */
  private unroll(n: Node & { t: 'loop' }, sc: Scope, cond: boolean): R | undefined {
    const mark = { events: this.events.length, problems: this.problems.length, observed: copySeen(this.observed), assigned: copySeen(this.assigned), funcs: new Map(this.funcs) };
    const s = sc.child();
    const keep = (r: R): R => { for (const [name, v] of s.vars) sc.set(name, v); return r; };
    for (let i = 0; i < MAX_UNROLL; i++) {
      const r = this.list(n.body, s, cond);
      if (r.flow === 'halt') return r;
      if (r.flow === 'break') return keep(done());
      if (r.flow === 'exit' || r.flow === 'return') return keep(r);
      const c = this.list(n.cond!, s, cond);
      const again = c.flow === 'normal' ? (n.until ? negate(c.ok) : c.ok) : undefined;
      if (again === false) return keep(done(true));
      if (again === undefined) break;
    }
    this.events.length = mark.events;
    this.problems.length = mark.problems;
    restoreSeen(this.observed, mark.observed);
    restoreSeen(this.assigned, mark.assigned);
    this.funcs = mark.funcs;
    return undefined;
  }

  /**
   * `while read [-r] NAME...; do ...; done <<EOF` over a heredoc whose text is known (a list of
   * addresses or ports written into the script): the lines it reads, so the loop can be unrolled.
   */
  private readLoopInput(n: Node & { t: 'loop' }, sc: Scope): { names: string[]; raw: boolean; lines: string[] } | undefined {
    if (n.until || !n.cond || n.cond.items.length !== 1 || n.redirs.length !== 1 || !n.redirs[0].heredoc) return undefined;
    const read = n.cond.items[0];
    if (read.t !== 'simple' || read.assigns.length || read.redirs.length) return undefined;
    const words = read.words.map(plainText);
    if (words[0] !== 'read') return undefined;
    const raw = words[1] === '-r';
    const names = words.slice(raw ? 2 : 1);
    if (!names.length || names.some((w) => w === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(w))) return undefined;
    const text = this.knownHeredocText(n.redirs[0].heredoc, sc);
    if (text === undefined) return undefined;
    return { names: names as string[], raw, lines: readLines(text, raw) };
  }

  /** The loop of readLoopInput, one iteration per line: fields split on blanks, the last name takes the rest. */
  private readLoop(n: Node & { t: 'loop' }, input: { names: string[]; raw: boolean; lines: string[] }, sc: Scope, cond: boolean): R {
    const { names, lines } = input;
    for (const line of lines) {
      readFields(line, names.length, input.raw).forEach((value, k) => {
        const val: Val = { s: 'set', v: value };
        sc.set(names[k], val);
        record(this.assigned, names[k], val);
      });
      const r = this.list(n.body, sc, cond);
      if (r.flow === 'break') return done();
      if (r.flow !== 'normal' && r.flow !== 'continue') return r;
    }
    // At the end of its input `read` fails and empties its variables.
    for (const name of names) sc.set(name, { s: 'set', v: '' });
    return done(true);
  }

  /** A heredoc's text when every expansion in it is known (undefined otherwise, or when it is not terminated). */
  private knownHeredocText(h: Heredoc, sc: Scope): string | undefined {
    if (!h.rec.terminated) return undefined;
    // A command substitution ran already (with the loop's redirections) and its output is unknown:
    // expanding the body again here would run its commands a second time.
    if (h.parts?.some((p) => p.k === 'cmd')) return undefined;
    if (h.parts) for (const part of h.parts) if (this.single([part], sc).symbolic) return undefined;
    return this.heredocText(h, sc);
  }

  /** A loop body that may run any number of times: once, conditionally, with what it assigns unknown. */
  private maybeRepeated(body: List, sc: Scope, cond: boolean, bind?: (s: Scope) => void): R {
    const p = new Paths(sc, cond);
    p.maybe((s, k) => {
      bind?.(s);
      this.forgetAssigned(body, s);
      const r = this.list(body, s, k);
      return r.flow === 'break' || r.flow === 'continue' ? done() : r;
    });
    return p.finish(done(true));
  }

  private forgetAssigned(body: List, sc: Scope): void {
    let names = this.assignedCache.get(body);
    if (!names) {
      const set = new Set<string>();
      assignedIn(body, set);
      names = [...set];
      this.assignedCache.set(body, names);
    }
    for (const name of names) sc.set(name, UNKNOWN);
  }

  // ---- simple commands
  private simple(n: Simple, sc: Scope, cond: boolean): R {
    if (++this.steps > this.maxSteps) return this.halt(n);
    this.curCond = cond;
    if (n.words.length === 0) {
      for (const a of n.assigns) this.assign(a, sc);
      this.redirs(n.redirs, sc, cond);
      return done(true);
    }
    const expanded: Field[] = [];
    for (const w of n.words) for (const f of this.fields(w, sc)) expanded.push(f);
    const bodies = (this.lastBodies = this.redirs(n.redirs, sc, cond));
    const { fields, noFunctions } = unwrap(expanded);
    if (fields.length === 0) return done();
    const name = fields[0].symbolic ? undefined : fields[0].text;
    const fn = name !== undefined && !noFunctions ? this.funcs.get(name) : undefined;
    if (fn) return this.call(fn, fields, n, sc, cond);
    if (name !== undefined) {
      const r = this.builtin(name, fields.slice(1), n, sc);
      if (r) return r;
    }
    this.emit(n, fields, bodies, cond);
    return done();
  }

  private assign(a: Simple['assigns'][number], sc: Scope): void {
    let val: Val = UNKNOWN;
    if (!a.array) {
      const v = this.single(a.value.parts, sc);
      if (!v.symbolic) val = { s: 'set', v: v.text };
      if (a.append) {
        const old = sc.get(a.name);
        val = val.s === 'set' && (old.s === 'set' || old.s === 'unset') ? { s: 'set', v: (old.s === 'set' ? old.v : '') + val.v } : UNKNOWN;
      }
    }
    sc.set(a.name, val);
    record(this.assigned, a.name, val);
  }

  private call(fn: FuncNode, fields: Field[], n: Simple, sc: Scope, cond: boolean): R {
    const recursion = this.callStack.filter((f) => f === fn.name).length;
    if (this.callStack.length >= MAX_CALL_DEPTH || recursion >= MAX_RECURSION || this.depth >= MAX_EVAL_DEPTH) return done();
    const frame = { locals: new Set<string>([POSITIONAL]), fn: fn.name };
    const fs = new Scope(sc, frame);
    fs.set(POSITIONAL, { s: 'pos', p: positionalOf(fields.slice(1)) });
    for (const a of n.assigns) { this.assign(a, fs); frame.locals.add(a.name); }
    this.callStack.push(fn.name);
    this.depth++;
    let r: R;
    try {
      r = this.node(fn.body, fs, cond);
    } finally {
      this.callStack.pop();
      this.depth--;
    }
    for (const [k, v] of fs.vars) if (!frame.locals.has(k)) sc.set(k, v);
    if (r.flow === 'return') return done(r.ok);
    return r.flow === 'break' || r.flow === 'continue' ? done() : r;
  }

  /** Builtins that change what the evaluator knows; undefined for any other command. */
  private builtin(name: string, args: Field[], n: Simple, sc: Scope): R | undefined {
    switch (name) {
      case 'true': case ':': return done(true);
      case 'false': return done(false);
      case '[': case 'test': {
        const texts = args.map((a) => a.text);
        if (name === '[') { if (texts.pop() !== ']') return done(); }
        // an unquoted word with * ? [ may be a file name pattern: not decided
        const known = args.every((a, i) => !a.symbolic && a.certain && (a.quoted || i === texts.length || !/[*?[]/.test(a.text)));
        return done(known ? evalTest(texts) : undefined);
      }
      case 'exit': return { flow: 'exit', ok: undefined };
      case 'return': {
        // `return 0` / `return 1` make the call's status known (`f && g`)
        const code = args[0] && !args[0].symbolic && /^[0-9]+$/.test(args[0].text) ? Number(args[0].text) : undefined;
        return { flow: 'return', ok: code === undefined ? undefined : code === 0 };
      }
      case 'break': return { flow: 'break', ok: undefined };
      case 'continue': return { flow: 'continue', ok: undefined };
      case 'export': case 'local': case 'readonly': case 'declare': case 'typeset': {
        const arrays = args.some((a) => /^-[a-zA-Z]*[aA]/.test(a.text));
        for (const a of n.declAssigns) {
          this.assign(a, sc);
          if (arrays) sc.set(a.name, UNKNOWN);
          if (name === 'local' || ((name === 'declare' || name === 'typeset') && sc.frame.fn)) sc.frame.locals.add(a.name);
        }
        if (name === 'local') {
          for (const a of args) {
            if (!a.symbolic && /^[A-Za-z_][A-Za-z0-9_]*$/.test(a.text)) { sc.frame.locals.add(a.text); sc.set(a.text, { s: 'unset' }); }
          }
        }
        return done(true);
      }
      case 'unset': {
        const fns = args.some((a) => a.text === '-f');
        for (const a of args) {
          if (a.symbolic || a.text.startsWith('-')) continue;
          if (fns) this.funcs.delete(a.text);
          else sc.set(a.text, { s: 'unset' });
        }
        return done(true);
      }
      case 'read':
        for (const v of readNames(args)) sc.set(v, UNKNOWN);
        return done();
      case 'getopts':
        for (const v of [args[1]?.text, 'OPTARG', 'OPTIND']) if (v) sc.set(v, UNKNOWN);
        return done();
      case 'let':
        for (const a of args) for (const v of arithAssigned(a.text)) sc.set(v, UNKNOWN);
        return done();
      case 'set': {
        const dd = args.findIndex((a) => a.text === '--');
        const list = dd >= 0 ? args.slice(dd + 1) : args.length && !/^[-+]/.test(args[0].text) ? args : undefined;
        if (list) sc.set(POSITIONAL, { s: 'pos', p: positionalOf(list) });
        return done(true);
      }
      case 'shift': {
        const pv = sc.get(POSITIONAL);
        const k = args[0] ? Number(args[0].text) : 1;
        if (pv.s !== 'pos') return done();
        if (args[0]?.symbolic || !Number.isInteger(k) || k < 0) { sc.set(POSITIONAL, UNKNOWN); return done(); }
        const p = pv.p;
        sc.set(POSITIONAL, { s: 'pos', p: { fields: p.fields.slice(k), exact: p.exact, firstUncertain: Math.max(0, p.firstUncertain - k) } });
        return done();
      }
    }
    return undefined;
  }

  private positionalFields(sc: Scope): Field[] {
    const pv = sc.get(POSITIONAL);
    if (pv.s !== 'pos') return [{ text: '$@', symbolic: true, quoted: true, certain: false, start: 0, end: 0 }];
    return pv.p.fields.map((f, i) => ({ text: f.text, symbolic: f.symbolic, quoted: true, certain: i < pv.p.firstUncertain, start: 0, end: 0 }));
  }

  // ---- redirections, heredocs and events
  /** Expands redirection targets and heredoc bodies (their `$(...)` run); returns the bodies' text. */
  private redirs(rs: Redir[], sc: Scope, cond: boolean): Map<Redir, string> {
    const bodies = new Map<Redir, string>();
    for (const r of rs) {
      this.curCond = cond;
      if (r.target) this.single(r.target.parts, sc);
      if (r.heredoc) bodies.set(r, this.heredocText(r.heredoc, sc));
    }
    return bodies;
  }

  /**
   * The text a heredoc feeds. Body lines keep their numbers (body line k is document line start + k):
   * unknown values and values with newlines keep their source text, and `\<newline>` stays as written.
   */
  private heredocText(h: Heredoc, sc: Scope): string {
    const rec = h.rec;
    if (!rec.terminated) return '';
    let text = '';
    if (!h.parts) text = this.src.slice(rec.bodyStart, rec.bodyEnd);
    else {
      let pos = rec.bodyStart;
      for (const part of h.parts) {
        if (part.start > pos) text += this.src.slice(pos, part.start);
        const v = this.single([part], sc);
        const source = this.src.slice(part.start, part.end);
        text += v.symbolic || (v.text.includes('\n') && !source.includes('\n')) ? source : v.text;
        pos = part.end;
      }
      text += this.src.slice(pos, rec.bodyEnd);
    }
    return rec.strip ? text.replace(/^\t+/gm, '') : text;
  }

  /** The heredoc body a plain `cat <<EOF` just printed (the left side of a pipeline). */
  private catBody(n: Node): { redir: Redir; text: string } | undefined {
    if (n.t !== 'simple' || n.words.length !== 1 || !/^(?:\/(?:usr\/)?bin\/)?cat$/.test(plainText(n.words[0]) ?? '')) return undefined;
    const redir = n.redirs.findLast((r) => r.heredoc);
    const text = redir && this.lastBodies.get(redir);
    return redir && text !== undefined ? { redir, text } : undefined;
  }

  private emit(n: Simple, fields: Field[], bodies: Map<Redir, string>, cond: boolean): void {
    const words: OutWord[] = [];
    for (const f of fields) words.push(this.outWord(f));
    const range = this.range(n.start, n.end);
    if (!fields[0].symbolic && RESTORE_PROGRAM.test(basename(fields[0].text))) {
      const own = [...bodies.keys()].pop();
      const hd = own ? { redir: own, text: bodies.get(own)! } : this.feed;
      if (hd?.redir.heredoc) {
        const rec = hd.redir.heredoc.rec;
        const at = rec.terminated ? rec.bodyStart : rec.opEnd;
        this.events.push({ kind: 'restore', words, range, conditional: cond, body: hd.text, bodyStart: this.range(at, at).start });
        return;
      }
    }
    this.events.push({ kind: 'command', words, range, conditional: cond });
  }

  private outWord(f: Field): OutWord {
    const w: OutWord = { text: f.text, range: this.range(f.start, f.end) };
    if (f.symbolic) w.symbolic = true;
    if (f.quoted) w.quoted = true;
    return w;
  }
}

function record(map: Map<string, Seen>, name: string, v: Val): void {
  let s = map.get(name);
  if (!s) map.set(name, (s = { values: new Set(), unknown: false }));
  if (v.s === 'set') s.values.add(v.v);
  else if (v.s === 'unset') s.values.add('');
  else s.unknown = true;
}

function positionalOf(fields: Field[]): Positional {
  const u = fields.findIndex((f) => !f.certain);
  return {
    fields: fields.map((f) => ({ text: f.text, symbolic: f.symbolic })),
    exact: u < 0,
    firstUncertain: u < 0 ? fields.length : u,
  };
}
