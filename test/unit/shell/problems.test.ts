// IPT100: what is not valid shell, reported at a precise range, and the evaluation goes on.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateShell } from '../../../server/src/syntax/shell/index';
import { textAt } from './helpers';

function check(script: string, expected: { at: string; line: number }[]): string[] {
  const r = evaluateShell(script);
  assert.deepEqual(
    r.problems.map((p) => ({ at: textAt(script, p.range), line: p.range.start.line })),
    expected,
    JSON.stringify(r.problems.map((p) => p.message.en)),
  );
  for (const p of r.problems) {
    assert.equal(p.code, 'IPT100');
    assert.equal(p.severity, 'error');
    assert.ok(p.message.en.length > 0 && p.message.ja.length > 0 && p.message.en !== p.message.ja);
  }
  // the iptables commands that follow the broken spot are still found
  return r.events.filter((e) => e.words[0].text === 'iptables').map((e) => e.words.at(-1)!.text);
}

describe('unterminated quotes and substitutions', () => {
  test('single and double quotes: reported at the quote, the next line is read again', () => {
    assert.deepEqual(check("iptables -A INPUT -m comment --comment 'oops\niptables -A NEXT1\n", [{ at: "'", line: 0 }]), ["'oops", 'NEXT1']);
    assert.deepEqual(check('iptables -A INPUT -m comment --comment "oops\niptables -A NEXT2\n', [{ at: '"', line: 0 }]), ['"oops', 'NEXT2']);
  });

  test('$( ${ and backquotes', () => {
    assert.deepEqual(check('X=$(date\niptables -A N1\n', [{ at: '$(', line: 0 }]), ['N1']);
    assert.deepEqual(check('X=${Y:-a\niptables -A N2\n', [{ at: '${', line: 0 }]), ['N2']);
    assert.deepEqual(check('X=`date\niptables -A N3\n', [{ at: '`', line: 0 }]), ['N3']);
  });

  test('a quote closed on a later line is a multi-line word, not an error', () => {
    assert.deepEqual(check('iptables -A INPUT -m comment --comment "two\nlines" -j X\n', []), ['X']);
  });
});

describe('heredocs', () => {
  test('a heredoc without its end line: reported at <<, the next lines are read as commands', () => {
    assert.deepEqual(check('iptables-restore <<EOF\n*filter\niptables -A AFTER\n', [{ at: '<<EOF', line: 0 }]), ['AFTER']);
  });

  test('<< without a delimiter word', () => {
    check('cat <<\niptables -A X\n', [{ at: '<<', line: 0 }]);
  });

  test('the end line must match exactly (<<- allows leading tabs only)', () => {
    check('cat <<EOF\n  EOF\niptables -A X\n', [{ at: '<<EOF', line: 0 }]);
    assert.deepEqual(check('cat <<-EOF\n\t\tEOF\niptables -A X\n', []), ['X']);
  });
});

describe('unmatched keywords and brackets', () => {
  test('if without fi, fi without if', () => {
    check('if [ -f x ]; then\n  iptables -A X\n', [{ at: 'if', line: 0 }]);
    assert.deepEqual(check('iptables -A A\nfi\niptables -A B\n', [{ at: 'fi', line: 1 }]), ['A', 'B']);
  });

  test('do without done, done without do, missing do and then', () => {
    check('for p in 1 2; do\n  iptables -A X\n', [{ at: 'do', line: 0 }]);
    check('iptables -A A\ndone\n', [{ at: 'done', line: 1 }]);
    check('while true\n  iptables -A X\ndone\n', [{ at: 'while', line: 0 }]);
    check('if true\n  iptables -A X\nfi\n', [{ at: 'if', line: 0 }]);
  });

  test('{ without }, } without {, ( without ), ) without (', () => {
    check('f() {\n  iptables -A X\n', [{ at: '{', line: 0 }]);
    check('iptables -A X\n}\n', [{ at: '}', line: 1 }]);
    check('( iptables -A X\n', [{ at: '(', line: 0 }]);
    check('iptables -A X )\n', [{ at: ')', line: 0 }]);
  });

  test('case without esac, esac without case, a pattern without )', () => {
    check('case "$1" in\n  start) iptables -A X;;\n', [{ at: 'case', line: 0 }]);
    check('iptables -A X\nesac\n', [{ at: 'esac', line: 1 }]);
    check('case "$1" in\n  start iptables -A X;;\nesac\n', [{ at: 'iptables', line: 1 }]);
  });

  test('a closer that belongs to an outer construct closes the inner one with an error', () => {
    check('while read x; do\n  if [ -n "$x" ]; then\n    iptables -A X\ndone\n', [{ at: 'if', line: 1 }]);
  });

  test('operators with nothing around them', () => {
    check('&& iptables -A X\n', [{ at: '&&', line: 0 }]);
    check('iptables -A X &&\n', [{ at: '&&', line: 0 }]);
    check('iptables -A X |\n', [{ at: '|', line: 0 }]);
    check('iptables -A X >\n', [{ at: '>', line: 0 }]);
  });

  test('many broken lines never hide the commands between them', () => {
    const lines: string[] = [];
    for (let i = 0; i < 48; i++) lines.push(['fi', 'done', 'esac', '}', ')', ';;', '&& true', 'then'][i % 8], `iptables -A R${i}`);
    const r = evaluateShell(lines.join('\n') + '\n');
    assert.deepEqual(r.events.map((e) => e.words[2].text), Array.from({ length: 48 }, (_, i) => `R${i}`));
    assert.deepEqual(r.problems.map((p) => p.range.start.line), Array.from({ length: 48 }, (_, i) => 2 * i));
    assert.ok(r.events.every((e) => !e.conditional));
  });
});

describe('valid shell that is not modelled is skipped quietly', () => {
  const valid = [
    'A=(one two "three four")\necho "${A[@]}" ${#A[@]} ${A[1]}',
    '[[ $x =~ ^[0-9]+$ && -n "$y" || ( -z $z ) ]] && echo ok',
    '(( i = 1 + 2 )); for ((i = 0; i < 3; i++)); do echo $i; done',
    'diff <(iptables-save) <(cat rules) >/dev/null 2>&1; cmd &>/dev/null; cmd 2>>log 3<&0 <>f',
    'select x in a b; do break; done',
    'function f { echo; }\nfunction g() { echo; }\nf; g',
    'case $x in (a) echo;; (b|c) echo;& d) echo;;& *) ;; esac',
    'read -r a b <<< "$line"; cat <<< here',
    'time -p sleep 0; ! false; coproc true',
    'echo ${x//a/b} ${x#*.} ${x%%.*} ${x:1:2} ${!x} ${x^^} $((1 + 2)) $[1]',
    'echo "$( echo "$( echo ")" )" )" `echo \\`x\\``',
    "echo $'it\\'s' $\"text\" 'it'\\''s'",
    'if a; then :; elif b; then :; else :; fi; until false; do break; done',
    'x=1 y=2 env; export -p; local; declare -A m; trap "echo bye" EXIT',
    'while read -r l; do echo "$l"; done < <(iptables -S)',
    'for f in /etc/*.conf; do . "$f"; done\nsource ./lib.sh',
    '{ echo a; echo b; } | sort\n(cd /tmp && ls) || exit 1',
    'echo a\\\nb; echo "multi\nline" \'also\nmulti\'',
    'echo }{ ]] 2>/dev/null || true',
    'X=$(case $1 in a) echo A;; (b) echo B;; esac); echo "$(case y in y) echo;; esac)"',
  ];
  for (const s of valid) {
    test(JSON.stringify(s.slice(0, 40)), () => {
      const r = evaluateShell(s);
      assert.deepEqual(r.problems.map((p) => p.message.en), []);
    });
  }

  test('each of them really is valid for bash', { skip: process.platform === 'win32' }, async () => {
    const { spawnSync } = await import('node:child_process');
    for (const s of valid) {
      const r = spawnSync('bash', ['-n', '-c', s], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${s}\n${r.stderr}`);
    }
  });
});
