// Word expansion over what is known statically: variables, positional parameters, ${...} forms,
// quote removal and field splitting. Unknown values are never guessed: they come out as symbolic
// text (the source text, or a display text carried from where the value came from).
import type { List, Part, Word } from './tree';
import { evalArith } from './arith';

export interface PosField { text: string; symbolic: boolean }
/** Positional parameters; `exact` is false when their number is not known (e.g. `f $UNKNOWN`). */
export interface Positional { fields: PosField[]; exact: boolean; firstUncertain: number }

export type Val =
  | { s: 'set'; v: string }
  | { s: 'unset' }
  /** Not known statically; `display` is what to show for it (else the text of the use). */
  | { s: 'unknown'; display?: string }
  | { s: 'pos'; p: Positional };

export const UNKNOWN: Val = { s: 'unknown' };
export const POSITIONAL = '@';

export function sameVal(a: Val, b: Val): boolean {
  if (a === b) return true;
  if (a.s === 'set' && b.s === 'set') return a.v === b.v;
  return a.s === 'unset' && b.s === 'unset';
}

export interface Frame { locals: Set<string>; fn?: string }

/** Variables as layers: a branch writes to its own layer, merged into the parent afterwards. */
export class Scope {
  readonly vars = new Map<string, Val>();
  constructor(readonly parent: Scope | undefined, readonly frame: Frame) {}
  get(name: string): Val {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v) return v;
    }
    return UNKNOWN;
  }
  set(name: string, v: Val): void { this.vars.set(name, v); }
  child(): Scope { return new Scope(this, this.frame); }
}

/** Merges the end states of alternative paths (each a descendant of `into`) into `into`. */
export function mergePaths(into: Scope, paths: Scope[], created: Scope[]): void {
  if (paths.length === 1 && paths[0] === into) return;
  const keys = new Set<string>();
  for (const s of created) for (const k of s.vars.keys()) keys.add(k);
  for (const k of keys) {
    const vals = paths.map((p) => p.get(k));
    into.set(k, vals.every((v) => sameVal(v, vals[0])) ? vals[0] : UNKNOWN);
  }
}

export interface Seg { text: string; quoted: boolean; split: boolean; symbolic: boolean; start: number; end: number; brk?: boolean }
export interface Field { text: string; symbolic: boolean; quoted: boolean; certain: boolean; start: number; end: number }

const DEFAULT_IFS = ' \t\n';
const BRACES = /\{[^{}\s]*(?:,|\.\.)[^{}\s]*\}/;

/** NAME when a command substitution is just `which NAME`, `command -v NAME` or `type -P NAME`. */
function lookedUp(body: List | null): string | undefined {
  const n = body?.items.length === 1 ? body.items[0] : undefined;
  if (n?.t !== 'simple' || n.assigns.length || n.redirs.some((r) => !/^\d*>/.test(r.op))) return undefined;
  const w = n.words.map((x) => (x.parts.length === 1 && x.parts[0].k === 'lit' ? x.parts[0].text : undefined));
  const ok = (name: string | undefined) => (name && /^[A-Za-z0-9_.+-]+$/.test(name) ? name : undefined);
  if (w.length === 2 && w[0] === 'which') return ok(w[1]);
  if (w.length === 3 && ((w[0] === 'command' && w[1] === '-v') || (w[0] === 'type' && w[1] === '-P'))) return ok(w[2]);
  return undefined;
}

export abstract class Expander {
  constructor(protected src: string) {}

  /** Runs a command substitution's body (its commands are events too). */
  protected abstract substitute(body: List | null, sc: Scope): void;
  /** Records the value a variable had at an evaluated use. */
  protected abstract observe(name: string, v: Val): void;

  private sourceSeg(start: number, end: number, split: boolean, display?: string): Seg {
    return { text: display ?? this.src.slice(start, end), quoted: !split, split, symbolic: true, start, end };
  }

  private valueSeg(v: Val, start: number, end: number, inDq: boolean): Seg {
    if (v.s === 'set') return { text: v.v, quoted: inDq, split: !inDq, symbolic: false, start, end };
    if (v.s === 'unset') return { text: '', quoted: inDq, split: !inDq, symbolic: false, start, end };
    return this.sourceSeg(start, end, !inDq, v.s === 'unknown' ? v.display : undefined);
  }

  /** The text of `$k` (k ≥ 1) when known: '' past the end of a known list. */
  private positionalText(k: number, sc: Scope): string | undefined {
    const pv = sc.get(POSITIONAL);
    if (pv.s !== 'pos' || k === 0) return undefined;
    const p = pv.p;
    if (k > p.fields.length) return p.exact ? '' : undefined;
    const f = p.fields[k - 1];
    return k - 1 < p.firstUncertain && !f.symbolic ? f.text : undefined;
  }

  /** `$1`, `$#`, `$@`, `$*`: from the positional parameters of the current function (or script). */
  private positional(name: string, sc: Scope, start: number, end: number, inDq: boolean, out: Seg[]): void {
    const pv = sc.get(POSITIONAL);
    const p = pv.s === 'pos' ? pv.p : undefined;
    if (name === '#') {
      if (p?.exact) out.push({ text: String(p.fields.length), quoted: inDq, split: !inDq, symbolic: false, start, end });
      else out.push(this.sourceSeg(start, end, !inDq));
      return;
    }
    if (name === '@' || name === '*') {
      if (!p) { out.push(this.sourceSeg(start, end, !inDq)); return; }
      if (inDq && name === '*') {
        out.push({ text: p.fields.map((f) => f.text).join(' '), quoted: true, split: false, symbolic: p.fields.some((f) => f.symbolic) || !p.exact, start, end });
        return;
      }
      p.fields.forEach((f, i) => {
        if (i > 0) out.push({ text: '', quoted: false, split: false, symbolic: false, start, end, brk: true });
        out.push({ text: f.text, quoted: inDq, split: !inDq, symbolic: f.symbolic || i >= p.firstUncertain, start, end });
      });
      if (!p.exact) out.push({ ...this.sourceSeg(start, end, true), text: '' });
      return;
    }
    const k = Number(name);
    if (!p || k === 0 || k > p.fields.length || k - 1 >= p.firstUncertain) {
      const known = p && k > 0 && k <= p.fields.length ? p.fields[k - 1].text : undefined;
      if (p?.exact && k > p.fields.length) out.push({ text: '', quoted: inDq, split: !inDq, symbolic: false, start, end });
      else out.push(this.sourceSeg(start, end, !inDq, known));
      return;
    }
    const f = p.fields[k - 1];
    out.push({ text: f.text, quoted: inDq, split: !inDq, symbolic: f.symbolic, start, end });
  }

  protected segs(parts: Part[], sc: Scope, inDq: boolean, out: Seg[]): void {
    for (const p of parts) {
      switch (p.k) {
        case 'lit':
          // bash brace expansion ({a,b}, {1..5}) is not modelled: such a word is unknown, never guessed
          if (!p.quoted && !inDq && !p.fromParam && BRACES.test(p.text)) out.push({ ...this.sourceSeg(p.start, p.end, true), text: p.text });
          else out.push({ text: p.text, quoted: p.quoted || inDq, split: !!p.fromParam && !inDq, symbolic: false, start: p.start, end: p.end });
          break;
        case 'dq': {
          const before = out.length;
          this.segs(p.parts, sc, true, out);
          // `""` still makes a (possibly empty) field, but `"$@"` with no arguments makes none
          const atSign = p.parts.some((q) => (q.k === 'var' || q.k === 'param') && (q.k === 'var' ? q.name : q.p.name) === '@');
          if (out.length === before && !atSign) out.push({ text: '', quoted: true, split: false, symbolic: false, start: p.start, end: p.end });
          break;
        }
        case 'var':
          if (/^(?:[0-9]+|[@*#])$/.test(p.name)) this.positional(p.name, sc, p.start, p.end, inDq, out);
          else if (/^[?$!-]$/.test(p.name)) out.push(this.sourceSeg(p.start, p.end, !inDq));
          else {
            const v = sc.get(p.name);
            this.observe(p.name, v);
            out.push(this.valueSeg(v, p.start, p.end, inDq));
          }
          break;
        case 'param':
          this.param(p, sc, inDq, out);
          break;
        case 'cmd': {
          this.substitute(p.body, sc);
          // `$(which iptables)` / `$(command -v iptables)` runs the same program as plain `iptables`
          const found = lookedUp(p.body);
          out.push(found ? { text: found, quoted: inDq, split: false, symbolic: false, start: p.start, end: p.end } : this.sourceSeg(p.start, p.end, !inDq));
          break;
        }
        case 'arith': {
          // $(( ... )) over numbers and known variables; anything else stays unknown
          const value = evalArith(this.src.slice(p.start + 3, p.end - 2), (name) => {
            if (/^[0-9]+$/.test(name)) return this.positionalText(Number(name), sc);
            const v = sc.get(name);
            this.observe(name, v);
            return v.s === 'set' ? v.v : v.s === 'unset' ? '' : undefined;
          });
          out.push(value !== undefined ? { text: value, quoted: inDq, split: !inDq, symbolic: false, start: p.start, end: p.end } : this.sourceSeg(p.start, p.end, !inDq));
          break;
        }
        default:
          out.push(this.sourceSeg(p.start, p.end, !inDq));
      }
    }
  }

  private param(part: Part & { k: 'param' }, sc: Scope, inDq: boolean, out: Seg[]): void {
    const { name, op, word } = part.p;
    const { start, end } = part;
    const special = /^(?:[0-9]+|[@*#])$/.test(name);
    if (op === '' && special) { this.positional(name, sc, start, end, inDq, out); return; }
    if (special || op === 'other' || /^[?$!-]$/.test(name)) { out.push(this.sourceSeg(start, end, !inDq)); return; }
    const v = sc.get(name);
    this.observe(name, v);
    if (op === '' || op === ':?' || op === '?') { out.push(this.valueSeg(v, start, end, inDq)); return; }
    if (op === 'len') {
      out.push(v.s === 'set' || v.s === 'unset'
        ? { text: String(v.s === 'set' ? v.v.length : 0), quoted: inDq, split: !inDq, symbolic: false, start, end }
        : this.sourceSeg(start, end, !inDq));
      return;
    }
    if (v.s !== 'set' && v.s !== 'unset') { out.push(this.sourceSeg(start, end, !inDq)); return; }
    const colon = op.startsWith(':');
    const empty = v.s === 'unset' || (colon && v.v === '');
    const kind = op.replace(':', '');
    // an unquoted ${X:-...} word is split like any expansion result (its text parts are fromParam)
    const wordSegs = (): Seg[] => {
      const ws: Seg[] = [];
      this.segs(word, sc, inDq, ws);
      return ws;
    };
    if (kind === '-' || kind === '=') {
      if (!empty) { out.push(this.valueSeg(v, start, end, inDq)); return; }
      const ws = wordSegs();
      if (kind === '=') {
        const sym = ws.some((s) => s.symbolic);
        sc.set(name, sym ? UNKNOWN : { s: 'set', v: ws.map((s) => s.text).join('') });
      }
      out.push(...ws);
      return;
    }
    // `+`: the word when set (non-empty for `:+`), else nothing
    if (empty) out.push({ text: '', quoted: inDq, split: !inDq, symbolic: false, start, end });
    else out.push(...wordSegs());
  }

  /** The fields a word expands to (field splitting on IFS; quotes removed). */
  protected fields(w: Word, sc: Scope): Field[] {
    const segs: Seg[] = [];
    this.segs(w.parts, sc, false, segs);
    const ifsVal = sc.get('IFS');
    const ifs = ifsVal.s === 'set' ? ifsVal.v : DEFAULT_IFS;
    const b = new FieldBuilder();
    for (const s of segs) {
      if (s.brk) { b.breakHere(); continue; }
      if (!s.split) { b.add(s, s.text); continue; }
      if (s.symbolic) { b.add(s, s.text).certain = false; continue; }
      // split a known unquoted expansion on IFS
      const pieces = splitIfs(s.text, ifs);
      if (pieces.length === 0) {
        if (s.text !== '') b.flush(true);
        continue;
      }
      if (pieces.leadingBreak) b.flush(true);
      for (let i = 0; i < pieces.length; i++) {
        if (i > 0) b.flush(true);
        b.add(s, pieces[i]);
      }
      if (pieces.trailingBreak) b.flush(true);
    }
    b.flush(false);
    const out = b.out;
    if (out.length === 1 && !b.splitHappened) { out[0].start = w.start; out[0].end = w.end; }
    return out;
  }

  /** A word expanded without field splitting (assignment values, `case` subjects, here-strings). */
  protected single(parts: Part[], sc: Scope): { text: string; symbolic: boolean; segs: Seg[] } {
    const segs: Seg[] = [];
    this.segs(parts, sc, false, segs);
    return { text: segs.map((s) => s.text).join(''), symbolic: segs.some((s) => s.symbolic), segs };
  }
}

/** Accumulates fields while a word's pieces are split. */
class FieldBuilder {
  readonly out: Field[] = [];
  private cur: Field | null = null;
  splitHappened = false;
  add(s: Seg, text: string): Field {
    let cur = this.cur;
    if (!cur) cur = this.cur = { text: '', symbolic: false, quoted: false, certain: true, start: s.start, end: s.end };
    cur.text += text;
    if (s.start < cur.start) cur.start = s.start;
    if (s.end > cur.end) cur.end = s.end;
    if (s.symbolic) cur.symbolic = true;
    if (s.quoted) cur.quoted = true;
    return cur;
  }
  /** Ends the current field; an empty unquoted one disappears. */
  flush(split: boolean): void {
    const cur = this.cur;
    if (cur && (cur.text !== '' || cur.quoted || cur.symbolic)) this.out.push(cur);
    this.cur = null;
    if (split) this.splitHappened = true;
  }
  /** Between the arguments of "$@": every field is kept, even an empty one. */
  breakHere(): void {
    if (this.cur) this.out.push(this.cur);
    this.cur = null;
    this.splitHappened = true;
  }
}

type Pieces = string[] & { leadingBreak?: boolean; trailingBreak?: boolean };

/** POSIX field splitting of one expansion result. */
export function splitIfs(text: string, ifs: string): Pieces {
  if (ifs === '') return Object.assign([text], {});
  const white = [...ifs].filter((c) => c === ' ' || c === '\t' || c === '\n').join('');
  const isWhite = (c: string): boolean => white.includes(c);
  const isIfs = (c: string): boolean => ifs.includes(c);
  const out: Pieces = [];
  let i = 0;
  const n = text.length;
  while (i < n && isWhite(text[i])) i++;
  out.leadingBreak = i > 0;
  let cur = '';
  let have = false;
  while (i < n) {
    const c = text[i];
    if (!isIfs(c)) { cur += c; have = true; i++; continue; }
    // one delimiter: surrounding IFS white space plus at most one non-white IFS character
    while (i < n && isWhite(text[i])) i++;
    if (i < n && isIfs(text[i]) && !isWhite(text[i])) {
      i++;
      while (i < n && isWhite(text[i])) i++;
      out.push(cur);
      cur = '';
      have = false;
      continue;
    }
    if (i >= n) { out.trailingBreak = true; break; }
    out.push(cur);
    cur = '';
    have = false;
  }
  if (have) out.push(cur);
  return out;
}
