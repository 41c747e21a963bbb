// $(( ... )): what the evaluator computes and what it leaves unknown (values checked with bash).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evalArith } from '../../../server/src/syntax/shell/arith';

const vars: Record<string, string | undefined> = { N: '5', EMPTY: '', HEX: '0x10', EXPR: '2+3', WORD: 'eth0', UNKNOWN: undefined };
const lookup = (name: string) => (name in vars ? vars[name] : '');

test('numbers, known variables and + - * / % with parentheses', () => {
  // bash: echo $((8000 + N)) $((7 / 2)) $((-7 / 2)) $((-7 % 3)) $((010 + 0x1f)) $((HEX)) $((-(N - 8) * 2)) $((UNSET + 1)) $((EMPTY)) $(( +N ))
  const cases: [string, string][] = [['8000 + N', '8005'], ['7 / 2', '3'], ['-7 / 2', '-3'], ['-7 % 3', '-1'], ['010 + 0x1f', '39'], ['HEX', '16'],
    ['-(N - 8) * 2', '6'], ['UNSET + 1', '1'], ['EMPTY', '0'], [' +N ', '5'], ['$N*${N}', '25']];
  for (const [expr, want] of cases) assert.equal(evalArith(expr, lookup), want, expr);
});

test('what it does not compute stays unknown', () => {
  for (const expr of ['N > 3', 'N == 5', 'N++', 'N += 1', 'N = 2', '2 ** 3', 'N ? 1 : 2', 'N / 0', 'N % (N - 5)', 'UNKNOWN + 1', 'WORD', 'EXPR * 2', '(1 + 2', '1 +', '', '08', '2#101', 'N << 1'])
    assert.equal(evalArith(expr, lookup), undefined, expr);
});

test('a pasted monster (deep parentheses or signs) stays unknown without deep recursion', () => {
  assert.equal(evalArith(`${'('.repeat(20000)}1${')'.repeat(20000)}`, lookup), undefined);
  assert.equal(evalArith(`${'- '.repeat(20000)}1`, lookup), undefined);
  assert.equal(evalArith(`${'('.repeat(30)}N${')'.repeat(30)}`, lookup), '5');
});
