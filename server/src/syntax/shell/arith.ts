// Shell arithmetic `$(( ... ))` as far as firewall scripts use it: integers (decimal, 0x hex, 0
// octal), variables (`N`, `$N`, `${N}`, `$1`) holding integers, + - * / % with parentheses and unary
// signs. Anything else (comparisons, assignments, a variable holding an expression or an unknown
// value) gives undefined: the word stays unknown, never guessed.

/** The value of a variable: its text, '' when unset, undefined when not known. */
export type ArithLookup = (name: string) => string | undefined;

/** The decimal text of the expression's value, or undefined. */
export function evalArith(expr: string, lookup: ArithLookup): string | undefined {
  const p = new ArithParser(expr, lookup);
  const v = p.parse();
  return v === undefined || !Number.isSafeInteger(v) ? undefined : String(v);
}

/** An integer literal as the shell reads it (0x hex, leading 0 octal); undefined if it is not one. */
function integer(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return 0;
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(t);
  if (!m) return undefined;
  const digits = m[2];
  const n = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.length > 1 && digits[0] === '0' ? parseInt(digits, 8) : Number(digits);
  return m[1] === '-' ? -n : n;
}

/** Nesting beyond this (parentheses, signs) is not computed: no deep recursion on a pasted monster. */
const MAX_DEPTH = 64;

class ArithParser {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string, private readonly lookup: ArithLookup) {}

  parse(): number | undefined {
    const v = this.sum();
    this.blank();
    return this.i === this.s.length ? v : undefined;
  }

  private blank(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  private sum(): number | undefined {
    let v = this.product();
    for (;;) {
      this.blank();
      const op = this.s[this.i];
      if (op !== '+' && op !== '-') return v;
      if (this.s[this.i + 1] === op || this.s[this.i + 1] === '=') return undefined; // ++, --, +=, -=
      this.i++;
      const r = this.product();
      if (v === undefined || r === undefined) return undefined;
      v = op === '+' ? v + r : v - r;
    }
  }

  private product(): number | undefined {
    let v = this.unary();
    for (;;) {
      this.blank();
      const op = this.s[this.i];
      if (op !== '*' && op !== '/' && op !== '%') return v;
      if (this.s[this.i + 1] === '*' || this.s[this.i + 1] === '=') return undefined; // **, *=, /=, %=
      this.i++;
      const r = this.unary();
      if (v === undefined || r === undefined) return undefined;
      if (op === '*') v *= r;
      else if (r === 0) return undefined; // the shell stops with "division by 0"
      else v = op === '/' ? Math.trunc(v / r) : v % r;
    }
  }

  private unary(): number | undefined {
    if (++this.depth > MAX_DEPTH) return undefined;
    try { return this.signed(); } finally { this.depth--; }
  }

  private signed(): number | undefined {
    this.blank();
    const c = this.s[this.i];
    if ((c === '+' || c === '-') && this.s[this.i + 1] !== c) {
      this.i++;
      const v = this.unary();
      return v === undefined ? undefined : c === '-' ? -v : v;
    }
    return this.atom();
  }

  private atom(): number | undefined {
    this.blank();
    const rest = this.s.slice(this.i);
    if (rest[0] === '(') {
      this.i++;
      const v = this.sum();
      this.blank();
      if (this.s[this.i] !== ')') return undefined;
      this.i++;
      return v;
    }
    const num = /^(0[xX][0-9a-fA-F]+|[0-9]+)(?![\w#])/.exec(rest);
    if (num) { this.i += num[0].length; return integer(num[0]); }
    const name = /^(?:\$\{([A-Za-z_]\w*|[0-9]+)\}|\$([0-9])|\$?([A-Za-z_]\w*))/.exec(rest);
    if (!name) return undefined;
    this.i += name[0].length;
    const text = this.lookup(name[1] ?? name[2] ?? name[3]);
    return text === undefined ? undefined : integer(text);
  }
}
