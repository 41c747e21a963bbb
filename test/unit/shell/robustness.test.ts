// Any text in, a result out: junk, huge lines, deep nesting, odd line ends and characters.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Range } from '../../../server/src/syntax/ast';
import { evaluateShell } from '../../../server/src/syntax/shell/index';
import type { ShellResult } from '../../../server/src/syntax/shell/types';
import { rng, textAt } from './helpers';

/** Every range in the result lies inside the text and is ordered. */
function rangesSane(text: string, r: ShellResult): void {
  const lines = text.split(/\r\n|\r|\n/);
  const ok = (x: Range): void => {
    for (const p of [x.start, x.end]) {
      assert.ok(p.line >= 0 && p.line < lines.length, `line ${p.line}`);
      assert.ok(p.character >= 0 && p.character <= lines[p.line].length, `character ${p.character} on line ${p.line}`);
    }
    assert.ok(x.start.line < x.end.line || (x.start.line === x.end.line && x.start.character <= x.end.character));
  };
  for (const e of r.events) { ok(e.range); e.words.forEach((w) => ok(w.range)); }
  r.problems.forEach((p) => ok(p.range));
  r.comments.forEach((c) => ok(c.range));
  r.variables.forEach((v) => { v.uses.forEach(ok); v.definitions.forEach(ok); });
  r.functions.forEach((f) => { ok(f.definition); ok(f.nameRange); f.calls.forEach(ok); });
}

const timed = <T>(fn: () => T): [T, number] => {
  const t0 = performance.now();
  const v = fn();
  return [v, performance.now() - t0];
};

describe('junk', () => {
  test('binary junk (1 MB of random bytes)', () => {
    const next = rng(7);
    let s = '';
    for (let i = 0; i < 1_000_000; i++) s += String.fromCharCode(Math.floor(next() * 256));
    rangesSane(s, evaluateShell(s));
  });

  test('shell punctuation junk', () => {
    const next = rng(11);
    const alphabet = `"'\`$(){}[];|&<>\\\n# \tx=*!-`;
    for (let round = 0; round < 20; round++) {
      let s = '';
      for (let i = 0; i < 5000; i++) s += alphabet[Math.floor(next() * alphabet.length)];
      rangesSane(s, evaluateShell(s));
    }
  });

  test('random UTF-16, lone surrogates included', () => {
    const next = rng(5);
    let s = '';
    for (let i = 0; i < 200_000; i++) s += String.fromCharCode(Math.floor(next() * 65536));
    rangesSane(s, evaluateShell(s));
  });
});

describe('size and depth', () => {
  test('a 10 MB single line', () => {
    const s = 'iptables -A INPUT -m comment --comment ' + 'x'.repeat(10_000_000) + ' -j ACCEPT';
    const [r, ms] = timed(() => evaluateShell(s));
    assert.equal(r.events.length, 1);
    assert.equal(r.events[0].words[6].text.length, 10_000_000);
    assert.deepEqual(r.events[0].words[8].range.end, { line: 0, character: s.length });
    assert.ok(ms < 20_000, `${ms} ms`);
  });

  test('5,000 nested ifs: bounded, reported once, later commands still found', () => {
    const n = 5000;
    const s = 'if true; then\n'.repeat(n) + 'iptables -A DEEP\n' + 'fi\n'.repeat(n) + 'iptables -A AFTER\n';
    const r = evaluateShell(s);
    assert.deepEqual(r.problems.map((p) => [p.code, p.severity, p.range.start.line]), [['IPT100', 'warning', 100]]);
    assert.deepEqual(r.events.map((e) => e.words[2].text), ['AFTER']);
  });

  test('deep nesting of every other kind does not overflow the stack', () => {
    const n = 5000;
    const cases = [
      '{ '.repeat(n) + 'true; ' + '}; '.repeat(n),
      '( '.repeat(n) + 'true ' + ') '.repeat(n),
      'echo ' + '$('.repeat(n) + 'x' + ')'.repeat(n),
      'echo ' + '"$('.repeat(n) + 'x' + ')"'.repeat(n),
      'echo ' + '${a:-'.repeat(n) + 'x' + '}'.repeat(n),
      'echo ' + '$('.repeat(n),
      'echo ' + '`'.repeat(n + 1),
      'while true; do '.repeat(n) + 'break; ' + 'done; '.repeat(n),
      'case x in x) '.repeat(n) + ';; esac '.repeat(n),
      Array.from({ length: 300 }, (_, i) => `f${i}() { f${i + 1}; f${i + 1}; }`).join('\n') + '\nf0',
      'f() { f; f; iptables -A R; }; f',
      'if a; then :\n' + Array.from({ length: n }, (_, i) => `elif b${i}; then iptables -A E${i}`).join('\n') + '\nfi',
    ];
    for (const s of cases) rangesSane(s + '\niptables -A LAST\n', evaluateShell(s + '\niptables -A LAST\n'));
  });

  test('loops and calls that multiply stop at a budget with a warning', () => {
    const s = 'for a in 1 2 3 4 5 6 7 8 9 10; do '.repeat(7) + 'iptables -A L $a; ' + 'done; '.repeat(7);
    const [r, ms] = timed(() => evaluateShell(s));
    assert.ok(r.events.length < 1_000_000);
    assert.deepEqual(r.problems.map((p) => p.severity), ['warning']);
    assert.ok(ms < 20_000, `${ms} ms`);
  });

  test('many unterminated heredocs and quotes stay fast', () => {
    const a = Array.from({ length: 50_000 }, (_, i) => `cat <<E${i}`).join('\n') + '\niptables -A H\n';
    const [ra, ta] = timed(() => evaluateShell(a));
    assert.equal(ra.problems.length, 50_000);
    assert.equal(ra.events.at(-1)!.words[2].text, 'H');
    const b = 'echo "$(\n'.repeat(20_000);
    const [, tb] = timed(() => evaluateShell(b));
    assert.ok(ta < 10_000 && tb < 10_000, `${ta} ms, ${tb} ms`);
  });

  test('time grows linearly with size', () => {
    const gen = (bytes: number): string => {
      const out: string[] = ['IPT=/sbin/iptables'];
      let len = 0;
      for (let i = 0; len < bytes; i++) {
        const l = [
          `if [ -n "$X${i}" ]; then\n  $IPT -A INPUT -p tcp --dport ${i % 65535} -j ACCEPT # c${i}\nfi`,
          `f${i % 50}() { $IPT -A FWD -d "$1" -j DROP; }`,
          `for p in 1 2 3; do $IPT -A OUT --sport $p -j ACCEPT; done`,
          `$IPT -A INPUT -i eth${i % 4} -m comment --comment 'rule ${i}' -j ACCEPT`,
        ][i % 4];
        out.push(l);
        len += l.length + 1;
      }
      return out.join('\n');
    };
    evaluateShell(gen(100_000));
    const [, small] = timed(() => evaluateShell(gen(500_000)));
    const [, large] = timed(() => evaluateShell(gen(2_000_000)));
    assert.ok(large < 10 * small + 1000, `0.5 MB: ${small.toFixed(0)} ms, 2 MB: ${large.toFixed(0)} ms`);
  });
});

describe('line ends and characters', () => {
  test('CRLF: \\r is not part of any word, ranges are right, heredoc end lines match', () => {
    const s = 'IPT=iptables\r\n$IPT -A INPUT \\\r\n  -j ACCEPT\r\niptables-restore <<EOF\r\n*filter\r\nCOMMIT\r\nEOF\r\niptables -A LAST\r\n';
    const r = evaluateShell(s);
    assert.deepEqual(r.problems, []);
    const [a, b, c] = r.events;
    assert.deepEqual(a.words.map((w) => w.text), ['iptables', '-A', 'INPUT', '-j', 'ACCEPT']);
    assert.deepEqual(a.words[4].range, { start: { line: 2, character: 5 }, end: { line: 2, character: 11 } });
    assert.equal(b.kind, 'restore');
    assert.deepEqual(c.words.map((w) => w.text), ['iptables', '-A', 'LAST']);
    assert.deepEqual(c.range, { start: { line: 7, character: 0 }, end: { line: 7, character: 16 } });
    for (const e of r.events) for (const w of e.words) assert.ok(!w.text.includes('\r'));
  });

  test('a UTF-8 byte order mark before the first word', () => {
    const s = '\uFEFFiptables -P INPUT DROP\n';
    const [e] = evaluateShell(s).events;
    assert.equal(e.words[0].text, 'iptables');
    assert.deepEqual(e.words[0].range.start, { line: 0, character: 1 });
  });

  test('tabs count as one character', () => {
    const s = '\tiptables\t-A\tINPUT\n';
    const [e] = evaluateShell(s).events;
    assert.deepEqual(e.words.map((w) => w.range.start.character), [1, 10, 13]);
  });

  test('full-width characters and surrogate pairs are counted in UTF-16 units', () => {
    const s = '# 許可する 😀\nC="日本語 😀"; iptables -A INPUT -m comment --comment "$C" -j ACCEPT　# 全角スペースの後\n';
    const r = evaluateShell(s);
    const [e] = r.events;
    assert.equal(e.words[6].text, '日本語 😀');
    assert.equal(textAt(s, e.words[6].range), '"$C"');
    assert.equal(e.words[6].range.start.character, 'C="日本語 😀"; iptables -A INPUT -m comment --comment '.length);
    // U+3000 is not a shell blank: it belongs to the word before it
    assert.equal(e.words[8].text, 'ACCEPT　#');
    assert.deepEqual(r.comments.map((c) => textAt(s, c.range)), ['# 許可する 😀']);
  });

  test('a lone \\r separates words and ends a line for positions, as LSP counts lines', () => {
    const s = 'iptables -A A\riptables -A B\n';
    const [e] = evaluateShell(s).events;
    assert.deepEqual(e.words[3].text, 'iptables');
    assert.deepEqual(e.words[3].range, { start: { line: 1, character: 0 }, end: { line: 1, character: 8 } });
  });
});
