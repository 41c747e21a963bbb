// Control flow for the evaluator: results of commands, the alternative paths of a construct and
// what a loop body may assign.
import { readNames } from './builtins';
import { mergePaths, type Scope } from './expand';
import { plainText } from './parser';
import type { List, Node } from './tree';

/** The values a variable was seen with (or unknown), for the variables the editor lists. */
export interface Seen { values: Set<string>; unknown: boolean }

export type Flow = 'normal' | 'exit' | 'return' | 'break' | 'continue' | 'halt';
export interface R { flow: Flow; ok: boolean | undefined }
const DONE_TRUE: R = Object.freeze({ flow: 'normal', ok: true });
const DONE_FALSE: R = Object.freeze({ flow: 'normal', ok: false });
const DONE: R = Object.freeze({ flow: 'normal', ok: undefined });
export const done = (ok: boolean | undefined = undefined): R => (ok === true ? DONE_TRUE : ok === false ? DONE_FALSE : DONE);
export const negate = (b: boolean | undefined): boolean | undefined => (b === undefined ? undefined : !b);

/** The alternative paths of one construct (if/case/&&/loop): each gets its own scope, merged at the end. */
export class Paths {
  private scopes: Scope[] = [];
  private created: Scope[] = [];
  private results: R[] = [];
  private closed = false;
  cur: Scope;
  cond: boolean;
  constructor(private base: Scope, cond: boolean) {
    this.cur = base;
    this.cond = cond;
  }
  /** An alternative that may or may not run from here; later ones run only if it did not. */
  maybe(fn: (sc: Scope, cond: boolean) => R): void {
    const a = this.cur.child();
    this.created.push(a);
    this.scopes.push(a);
    this.results.push(fn(a, true));
    // the path where it did not run; an empty layer in between is skipped to keep chains short
    const from = this.cur !== this.base && this.cur.vars.size === 0 ? this.cur.parent! : this.cur;
    this.cur = from.child();
    this.created.push(this.cur);
    this.cond = true;
  }
  /** An alternative that surely runs once reached; nothing after it is tried. */
  surely(fn: (sc: Scope, cond: boolean) => R): void {
    this.scopes.push(this.cur);
    this.results.push(fn(this.cur, this.cond));
    this.closed = true;
  }
  finish(fallthrough: R): R {
    if (!this.closed) { this.scopes.push(this.cur); this.results.push(fallthrough); }
    mergePaths(this.base, this.scopes, this.created);
    const rs = this.results;
    if (rs.some((r) => r.flow === 'halt')) return { flow: 'halt', ok: undefined };
    const flow = rs.every((r) => r.flow === rs[0].flow) ? rs[0].flow : 'normal';
    const ok = rs.every((r) => r.ok === rs[0].ok) ? rs[0].ok : undefined;
    return { flow, ok };
  }
}

/** Names a loop body may assign (syntactically), so that a repeated body does not trust old values. */
export function assignedIn(n: Node, out: Set<string>): void {
  switch (n.t) {
    case 'simple': {
      if (n.words.length === 0) for (const a of n.assigns) out.add(a.name);
      for (const a of n.declAssigns) out.add(a.name);
      const cmd = n.words.length ? plainText(n.words[0]) : undefined;
      if (cmd === 'read') {
        const args = n.words.slice(1).map((w) => ({ text: plainText(w) ?? '', symbolic: plainText(w) === undefined, quoted: false, certain: true, start: 0, end: 0 }));
        for (const v of readNames(args)) out.add(v);
      }
      return;
    }
    case 'list': for (const i of n.items) assignedIn(i, out); return;
    case 'pipe': for (const c of n.cmds) assignedIn(c, out); return;
    case 'andor': assignedIn(n.first, out); for (const r of n.rest) assignedIn(r.node, out); return;
    case 'if': for (const c of n.clauses) { assignedIn(c.cond, out); assignedIn(c.body, out); } if (n.elseBody) assignedIn(n.elseBody, out); return;
    case 'for': out.add(n.name); assignedIn(n.body, out); return;
    case 'loop': if (n.cond) assignedIn(n.cond, out); assignedIn(n.body, out); return;
    case 'case': for (const i of n.items) assignedIn(i.body, out); return;
    case 'group': if (!n.subshell) assignedIn(n.body, out); return;
    case 'arith': for (const a of n.assigned) out.add(a); return;
  }
}

/** Iterations a loop with a known test is unrolled to at most (past them: an unknown number of runs). */
export const MAX_UNROLL = 256;

/** A test-only condition (`[ ... ]`, `test ...`, `[[ ... ]]`): evaluating it again runs no command. */
export function isTestList(l: List): boolean {
  return l.items.every((n) => n.t === 'test' || (n.t === 'simple' && !n.assigns.length && (plainText(n.words[0]) === '[' || plainText(n.words[0]) === 'test')));
}

export function copySeen(map: Map<string, Seen>): Map<string, Seen> {
  return new Map([...map].map(([k, v]) => [k, { values: new Set(v.values), unknown: v.unknown }]));
}

export function restoreSeen(map: Map<string, Seen>, saved: Map<string, Seen>): void {
  map.clear();
  for (const [k, v] of saved) map.set(k, v);
}
