// Structured fuzzing: scripts made of shell tokens in random order never make the front end throw,
// and every range it returns points inside the text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { evaluateShell } from '../../../server/src/syntax/shell/index';

const pieces = [
  'iptables', '-A', 'INPUT', '$IPT', 'IPT=iptables', 'X="a b"', '$X', '"$X"', "'q'", '"', "'", '`', '$(', ')', '(', '${', '}', '{',
  'if', 'then', 'elif', 'else', 'fi', 'for', 'in', 'do', 'done', 'while', 'until', 'case', 'esac', ';;', 'x)', 'f()', 'function',
  '&&', '||', '|', ';', '&', '<<EOF', '<<-EOF', "<<'E'", 'EOF', 'E', '\tEOF', '>', '2>&1', '<', '<<<', '#', '# c', '\\', '\\\n',
  '\n', '\r\n', '\r', ' ', '\t', '\uFEFF', '日本', '😀', '\u3000', '$1', '"$@"', '$#', 'shift', 'set', '--', 'exit', 'return',
  'break', 'local', 'export', 'A=(', '[[', ']]', '((', '))', '$((', '!', 'sudo', 'iptables-restore', 'cat', '=', '*', '?',
];

test('random token soup never throws and ranges stay inside the text', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 80 }), fc.array(fc.constantFrom(' ', '', '\n'), { maxLength: 80 }), (toks, seps) => {
      const text = toks.map((t, i) => t + (seps[i] ?? ' ')).join('');
      const r = evaluateShell(text);
      const lines = text.split(/\r\n|\r|\n/);
      const inside = (p: { line: number; character: number }) => p.line < lines.length && p.character <= lines[p.line].length;
      for (const e of r.events) for (const w of e.words) assert.ok(inside(w.range.start) && inside(w.range.end), JSON.stringify(text));
      for (const p of r.problems) assert.ok(inside(p.range.start) && inside(p.range.end), JSON.stringify(text));
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: Number(process.env.FUZZ_SEED ?? 42) },
  );
});
