// Finds where a quoted or nested shell construct ends ('...', "...", $(...), ${...}, `...`).
// The lexer's custom token patterns use it to decide whether a construct is closed before they
// commit to it. Iterative (explicit stack), so deeply nested junk cannot overflow the call stack.

export const enum Ctx { SQ, DQ, Paren, Brace, BraceInDq, Backtick, Case }

/** A shared work counter: once spent, scans give up (report "unterminated") to stay linear. */
export interface ScanBudget { left: number }

const BS = 92, SQ = 39, DQ = 34, DOLLAR = 36, LPAR = 40, RPAR = 41, LBR = 123, RBR = 125, BT = 96, HASH = 35, NL = 10;

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === NL || c === 13 || c === 59 /* ; */ || c === LPAR || c === 124 /* | */ || c === 38 /* & */;
}

/** The keyword `word` stands at `i` as a whole word. */
function wordAt(text: string, i: number, pos: number, word: string): boolean {
  if (!text.startsWith(word, i)) return false;
  const after = text.charCodeAt(i + word.length);
  return (i === pos || isBlank(text.charCodeAt(i - 1))) && (Number.isNaN(after) || isBlank(after) || after === RPAR);
}

/**
 * `pos` is the first offset inside the construct (after its opener); returns the offset just past
 * its closer, or -1 when the text (or the budget) ends first.
 */
export function scanFrom(text: string, pos: number, kind: Ctx, budget: ScanBudget): number {
  const stack: Ctx[] = [kind];
  const n = text.length;
  let i = pos;
  const startBudget = budget.left;
  while (i < n) {
    if (startBudget - (i - pos) < 0) { budget.left = 0; return -1; }
    const top = stack[stack.length - 1];
    const c = text.charCodeAt(i);
    if (top === Ctx.SQ) {
      const j = text.indexOf("'", i);
      if (j < 0) { budget.left -= n - pos; return -1; }
      i = j + 1;
      stack.pop();
    } else if (top === Ctx.Backtick) {
      if (c === BS) i += 2;
      else if (c === BT) { stack.pop(); i++; }
      else i++;
    } else if (top === Ctx.DQ) {
      if (c === BS) i += 2;
      else if (c === DQ) { stack.pop(); i++; }
      else if (c === DOLLAR && text.charCodeAt(i + 1) === LPAR) { stack.push(Ctx.Paren); i += 2; }
      else if (c === DOLLAR && text.charCodeAt(i + 1) === LBR) { stack.push(Ctx.BraceInDq); i += 2; }
      else if (c === BT) { stack.push(Ctx.Backtick); i++; }
      else i++;
    } else if (top === Ctx.Paren || top === Ctx.Case) {
      if (c === BS) i += 2;
      else if (c === SQ) { stack.push(Ctx.SQ); i++; }
      else if (c === DQ) { stack.push(Ctx.DQ); i++; }
      else if (c === BT) { stack.push(Ctx.Backtick); i++; }
      else if (c === LPAR) { stack.push(Ctx.Paren); i++; }
      else if (c === RPAR) { if (top === Ctx.Paren) stack.pop(); i++; }
      // `case ... esac` inside $(...): its pattern parentheses do not close the substitution
      else if ((c === 99 || c === 101) && wordAt(text, i, pos, 'case')) { stack.push(Ctx.Case); i += 4; }
      else if (c === 101 && top === Ctx.Case && wordAt(text, i, pos, 'esac')) { stack.pop(); i += 4; }
      else if (c === DOLLAR && text.charCodeAt(i + 1) === LBR) { stack.push(Ctx.Brace); i += 2; }
      else if (c === HASH && (i === pos || isBlank(text.charCodeAt(i - 1)))) {
        // A comment inside $(...): its quotes and parentheses do not count.
        const e = text.indexOf('\n', i);
        i = e < 0 ? n : e;
      } else i++;
    } else {
      // ${...}: single quotes only quote outside double quotes.
      if (c === BS) i += 2;
      else if (c === RBR) { stack.pop(); i++; }
      else if (c === SQ && top === Ctx.Brace) { stack.push(Ctx.SQ); i++; }
      else if (c === DQ) { stack.push(Ctx.DQ); i++; }
      else if (c === BT) { stack.push(Ctx.Backtick); i++; }
      else if (c === DOLLAR && text.charCodeAt(i + 1) === LPAR) { stack.push(Ctx.Paren); i += 2; }
      else if (c === DOLLAR && text.charCodeAt(i + 1) === LBR) { stack.push(top); i += 2; }
      else i++;
    }
    if (stack.length === 0) {
      budget.left -= i - pos;
      return Math.min(i, n);
    }
  }
  budget.left -= n - pos;
  return -1;
}

/** End of the line that contains `pos` (offset of its `\n` or `\r\n`, or the text length). */
export function lineEnd(text: string, pos: number): number {
  let e = text.indexOf('\n', pos);
  if (e < 0) e = text.length;
  if (e > pos && text.charCodeAt(e - 1) === 13) e--;
  return e;
}
