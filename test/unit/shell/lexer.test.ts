// The Chevrotain multi-mode lexer on its own: token kinds, modes, heredoc bodies, comments.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lex, newBudget, type HeredocRecord, type Mode } from '../../../server/src/syntax/shell/lexer';
import { rng } from './helpers';

const kinds = (text: string, mode: Mode = 'main') => lex(text, mode, newBudget(text.length)).tokens.map((t) => [t.tokenType.name, t.image]);

describe('shell lexer', () => {
  test('operators, words and word parts', () => {
    assert.deepEqual(kinds('a&&b||c;d|e&f'), [
      ['Lit', 'a'], ['AndIf', '&&'], ['Lit', 'b'], ['OrIf', '||'], ['Lit', 'c'], ['Semi', ';'],
      ['Lit', 'd'], ['Pipe', '|'], ['Lit', 'e'], ['Amp', '&'], ['Lit', 'f'],
    ]);
    assert.deepEqual(kinds(`x'y'"z$V"\${W:-1}$(c)\`d\`\\ 2>&1`), [
      ['Lit', 'x'], ['SQ', "'y'"], ['DQOpen', '"'], ['DQText', 'z'], ['Var', '$V'], ['DQClose', '"'],
      ['DollarBrace', '${W:-1}'], ['CmdSub', '$(c)'], ['Backtick', '`d`'], ['Escape', '\\ '], ['Redir', '2>&'], ['Lit', '1'],
    ]);
  });

  test('double quotes are a mode of their own', () => {
    assert.deepEqual(kinds('"a \\" $b ${c} $(d "e") \\x"'), [
      ['DQOpen', '"'], ['DQText', 'a '], ['DQEscape', '\\"'], ['DQText', ' '], ['Var', '$b'], ['DQText', ' '],
      ['DollarBraceDq', '${c}'], ['DQText', ' '], ['CmdSub', '$(d "e")'], ['DQText', ' '], ['Backslash', '\\'], ['DQText', 'x'], ['DQClose', '"'],
    ]);
  });

  test('a comment starts only where a word could start', () => {
    const r = lex('a #c1\nb#c $x#y;#c2\n', 'main', newBudget(100));
    assert.deepEqual(r.comments.map((c) => c.image), ['#c1', '#c2']);
    assert.deepEqual(r.tokens.filter((t) => t.tokenType.name === 'Lit').map((t) => t.image), ['a', 'b#c', '#y']);
  });

  test('heredoc bodies ride on the newline that ends their line', () => {
    const text = 'cat <<A <<-"B"; echo\nbody a\nA\n\tbody b\n\tB\nnext\n';
    const r = lex(text, 'main', newBudget(text.length));
    const [a, b] = r.heredocs;
    const body = (h: HeredocRecord) => text.slice(h.bodyStart, h.bodyEnd);
    assert.deepEqual([a.delim, a.strip, a.quoted, body(a)], ['A', false, false, 'body a\n']);
    assert.deepEqual([b.delim, b.strip, b.quoted, body(b)], ['B', true, true, '\tbody b\n']);
    const nl = r.tokens.find((t) => t.tokenType.name === 'HeredocNewline')!;
    assert.equal(nl.image, '\nbody a\nA\n\tbody b\n\tB\n');
    assert.equal(r.tokens.at(-2)!.image, 'next');
  });

  test('unquoted heredoc bodies and ${...} words have their own modes', () => {
    assert.deepEqual(kinds('a $b \\$c "d"', 'heredoc'), [['HdText', 'a '], ['Var', '$b'], ['HdText', ' '], ['HdEscape', '\\$'], ['HdText', 'c "d"']]);
    assert.deepEqual(kinds(`-i $x 'y z'`, 'param'), [['ParamText', '-i '], ['Var', '$x'], ['ParamText', ' '], ['SQ', "'y z'"]]);
  });

  test('no input makes the lexer fail: every character belongs to a token', () => {
    const next = rng(3);
    let s = '';
    for (let i = 0; i < 100_000; i++) s += String.fromCharCode(Math.floor(next() * 65536));
    for (const mode of ['main', 'dq', 'heredoc', 'param', 'dqparam'] as Mode[]) {
      const r = lex(s, mode, newBudget(s.length));
      const covered = r.tokens.reduce((n, t) => n + t.image.length, 0) + r.comments.reduce((n, t) => n + t.image.length, 0);
      const blanks = (s.match(/[ \t\uFEFF]|\r(?!\n)/g) ?? []).length;
      assert.ok(covered + (mode === 'main' ? blanks : 0) >= s.length, `${mode}: ${covered} of ${s.length}`);
    }
  });
});
