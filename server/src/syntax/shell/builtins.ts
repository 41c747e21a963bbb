// Pure helpers for the evaluator: command wrappers (sudo, command, exec, env, ...), `test` / `[`,
// `case` glob patterns, and what `read` assigns.
import type { Field, Seg } from './expand';

export const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** Programs that read a save-format document on standard input. */
export const RESTORE_PROGRAM = /^ip6?tables(?:-legacy|-nft)?-restore$/;

export interface Unwrapped {
  fields: Field[];
  /** `command NAME` runs NAME as a program or builtin, never as a function. */
  noFunctions: boolean;
}

const plain = (f: Field | undefined): string | undefined => (f && !f.symbolic ? f.text : undefined);

/** Drops `sudo`, `command`, `exec`, `env`, `nice`, `nohup` and their options; `command -v` runs nothing. */
export function unwrap(input: Field[]): Unwrapped {
  let fields = input;
  let noFunctions = false;
  for (let round = 0; round < 8; round++) {
    const name = plain(fields[0]);
    if (name === undefined) break;
    const base = basename(name);
    let i = 1;
    const opts = (withArg: RegExp, alsoAssignments = false): void => {
      for (let t = plain(fields[i]); t !== undefined; t = plain(fields[i])) {
        if (t === '--') { i++; break; }
        if (alsoAssignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) { i++; continue; }
        if (!t.startsWith('-') || t === '-') { if (t === '-' && alsoAssignments) { i++; continue; } break; }
        i++;
        if (withArg.test(t)) i++;
      }
    };
    if (base === 'sudo' || base === 'doas') opts(/^-[ugpChDrtUTa]$/);
    else if (base === 'command') {
      const o = plain(fields[1]);
      if (o === '-v' || o === '-V') return { fields: [], noFunctions: true };
      opts(/^$/);
      noFunctions = true;
    } else if (base === 'exec') opts(/^-a$/);
    else if (base === 'env') opts(/^-[uCS]$/, true);
    else if (base === 'nice') opts(/^-n$/);
    else if (base !== 'nohup') break;
    fields = fields.slice(i);
  }
  return { fields, noFunctions };
}

/** `test` / `[` over known words; undefined when the outcome depends on the system (files, ...). */
export function evalTest(args: string[]): boolean | undefined {
  const n = args.length;
  if (n === 0) return false;
  if (n === 1) return args[0] !== '';
  if (args[0] === '!' && n <= 4) {
    const r = evalTest(args.slice(1));
    return r === undefined ? undefined : !r;
  }
  if (n === 2) {
    if (args[0] === '-n') return args[1] !== '';
    if (args[0] === '-z') return args[1] === '';
    return undefined;
  }
  if (n === 3) {
    const [a, op, b] = args;
    if (op === '=' || op === '==') return a === b;
    if (op === '!=') return a !== b;
    const num = /^-?[0-9]+$/;
    if (!num.test(a) || !num.test(b)) return undefined;
    const x = Number(a), y = Number(b);
    switch (op) {
      case '-eq': return x === y;
      case '-ne': return x !== y;
      case '-lt': return x < y;
      case '-le': return x <= y;
      case '-gt': return x > y;
      case '-ge': return x >= y;
    }
  }
  return undefined;
}

/** A `case` pattern (its expanded pieces, quoting kept) as a regular expression; undefined if unknown. */
export function patternRegExp(segs: Seg[]): RegExp | undefined {
  if (segs.some((s) => s.symbolic)) return undefined;
  let re = '';
  for (const s of segs) {
    if (s.quoted) { re += escapeRe(s.text); continue; }
    const t = s.text;
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      if (c === '*') re += '[\\s\\S]*';
      else if (c === '?') re += '[\\s\\S]';
      else if (c === '\\' && i + 1 < t.length) re += escapeRe(t[++i]);
      else if (c === '[') {
        const close = t.indexOf(']', i + 2);
        if (close < 0) { re += '\\['; continue; }
        let body = t.slice(i + 1, close);
        const neg = body[0] === '!' || body[0] === '^';
        if (neg) body = body.slice(1);
        if (body.includes('[:')) return undefined;
        re += `[${neg ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
        i = close;
      } else re += escapeRe(c);
    }
  }
  try {
    return new RegExp(`^(?:${re})$`);
  } catch {
    return undefined;
  }
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The variable names `read` assigns (REPLY when none). */
export function readNames(args: Field[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const t = plain(args[i]);
    if (t === undefined) continue;
    if (/^-[^-]/.test(t)) { if (/[adinNptu]$/.test(t)) i++; continue; }
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) names.push(t);
  }
  return names.length ? names : ['REPLY'];
}

/** The lines `read` takes from a text, one per call; without -r a backslash at the end of a line joins the next one. */
export function readLines(text: string, raw: boolean): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (raw) return lines;
  // One pass (a body of 100,000 continued lines stays linear).
  const out: string[] = [];
  let pending: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = pending === undefined ? lines[i] : pending + lines[i];
    if (i + 1 < lines.length && endsWithEscape(line)) { pending = line.slice(0, -1); continue; }
    out.push(line);
    pending = undefined;
  }
  return out;
}

/** An odd number of backslashes at the end: the last one escapes the line end. */
function endsWithEscape(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s.charCodeAt(i) === 92; i--) n++;
  return n % 2 === 1;
}

/**
 * What `read` assigns to `count` names from one line, with the default IFS: fields split on blanks,
 * the last name takes the rest (inner blanks kept). Without -r a backslash makes the next character
 * ordinary (an escaped blank separates nothing) and is removed.
 */
export function readFields(line: string, count: number, raw: boolean): string[] {
  const chars: { c: string; escaped: boolean }[] = [];
  for (let i = 0; i < line.length; i++) {
    if (!raw && line[i] === '\\') { if (i + 1 < line.length) chars.push({ c: line[++i], escaped: true }); continue; }
    chars.push({ c: line[i], escaped: false });
  }
  const blank = (k: number) => k < chars.length && !chars[k].escaped && (chars[k].c === ' ' || chars[k].c === '\t');
  let end = chars.length;
  while (end > 0 && blank(end - 1)) end--;
  let i = 0;
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    while (i < end && blank(i)) i++;
    let j = i;
    if (k < count - 1) while (j < end && !blank(j)) j++;
    else j = end;
    out.push(chars.slice(i, j).map((x) => x.c).join(''));
    i = j;
  }
  return out;
}

/** Names an arithmetic expression assigns (`x=1`, `x+=2`, `x++`, `--x`). */
export function arithAssigned(text: string): string[] {
  const names = new Set<string>();
  const re = /([A-Za-z_]\w*)\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)|(?:\+\+|--)\s*([A-Za-z_]\w*)|([A-Za-z_]\w*)\s*(?:\+\+|--)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) names.add(m[1] ?? m[2] ?? m[3]);
  return [...names];
}
