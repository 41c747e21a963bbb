// The shell front end: a firewall script in, the commands it runs (and its variables, functions,
// comments and syntax problems) out. Pipeline: Chevrotain multi-mode lexer (lexer.ts) -> words and
// operators (items.ts) -> hand-written recursive descent (parser.ts) -> partial evaluation
// (evaluate.ts). Never throws on any input; time is linear in the size of the text.
import type { Problem, Range } from '../ast';
import { Evaluator } from './evaluate';
import type { Seen } from './flow';
import type { Collect } from './items';
import { newBudget } from './lexer';
import { CODE } from './messages';
import { Parser } from './parser';
import { LineIndex } from './positions';
import type { NameRef } from './tree';
import type { ShellFunction, ShellResult, ShellVariable } from './types';

export type * from './types';
export { iptablesFamily } from './programs';

export function evaluateShell(text: string): ShellResult {
  const lines = new LineIndex(text);
  const range = (start: number, end: number): Range => lines.range(start, end);
  const col: Collect = {
    src: text, budget: newBudget(text.length), problems: [], uses: [], defs: [], comments: [], funcs: [], commandNames: [], simpleCount: 0,
  };
  const script = new Parser(col).parseScript(text, 0);
  const ev = new Evaluator(text, 200_000 + 8 * col.simpleCount, range);
  ev.run(script);

  const problems: Problem[] = [...col.problems, ...ev.problems]
    .sort((a, b) => a.start - b.start)
    .map((p) => ({ code: CODE, severity: p.severity, message: p.message, range: range(p.start, p.end) }));
  return {
    events: ev.events,
    problems,
    variables: variables(col, ev, range),
    functions: functions(col, range),
    comments: dedupe(col.comments).map((c) => ({ text: c.text, range: range(c.start, c.end) })),
  };
}

/** Sorted by position, each source range once (function bodies and loops are evaluated repeatedly). */
function dedupe<T extends { start: number; end: number }>(xs: T[]): T[] {
  const sorted = [...xs].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: T[] = [];
  for (const x of sorted) {
    const last = out[out.length - 1];
    if (!last || last.start !== x.start || last.end !== x.end) out.push(x);
  }
  return out;
}

function single(s: Seen | undefined): string | undefined {
  return s && !s.unknown && s.values.size === 1 ? [...s.values][0] : undefined;
}

function variables(col: Collect, ev: Evaluator, range: (s: number, e: number) => Range): ShellVariable[] {
  const byName = new Map<string, { defs: NameRef[]; uses: NameRef[] }>();
  const entry = (name: string) => {
    let e = byName.get(name);
    if (!e) byName.set(name, (e = { defs: [], uses: [] }));
    return e;
  };
  for (const d of col.defs) entry(d.name).defs.push(d);
  for (const u of col.uses) entry(u.name).uses.push(u);
  return [...byName].map(([name, e]) => {
    const v: ShellVariable = {
      name,
      definitions: dedupe(e.defs).map((d) => range(d.start, d.end)),
      uses: dedupe(e.uses).map((u) => range(u.start, u.end)),
    };
    // the value seen at every evaluated use; for a variable never read, the value of every assignment
    const value = ev.observed.has(name) ? single(ev.observed.get(name)) : single(ev.assigned.get(name));
    if (value !== undefined) v.value = value;
    return v;
  });
}

/** Each call belongs to the definition of its name that precedes it in the text (or the first one). */
function functions(col: Collect, range: (s: number, e: number) => Range): ShellFunction[] {
  const defs = [...col.funcs].sort((a, b) => a.start - b.start);
  const byName = new Map<string, typeof defs>();
  for (const f of defs) {
    const list = byName.get(f.name);
    if (list) list.push(f);
    else byName.set(f.name, [f]);
  }
  const calls = new Map<(typeof defs)[number], NameRef[]>();
  const at = new Map<string, number>();
  for (const c of dedupe(col.commandNames)) {
    const list = byName.get(c.name);
    if (!list) continue;
    // calls come in text order: advance to the last definition before this call
    let i = at.get(c.name) ?? 0;
    while (i + 1 < list.length && list[i + 1].start <= c.start) i++;
    at.set(c.name, i);
    const owner = list[i];
    let out = calls.get(owner);
    if (!out) calls.set(owner, (out = []));
    out.push(c);
  }
  return defs.map((f) => ({
    name: f.name,
    definition: range(f.start, f.end),
    nameRange: range(f.nameStart, f.nameEnd),
    calls: (calls.get(f) ?? []).map((c) => range(c.start, c.end)),
  }));
}
