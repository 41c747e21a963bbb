// What the evaluator hands out besides the words themselves: ranges, conditional flags, symbolic
// words, restore events, variables, functions and comments.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { evaluateShell, iptablesFamily } from '../../../server/src/syntax/shell/index';
import type { ShellEvent, ShellRestoreEvent } from '../../../server/src/syntax/shell/types';
import { textAt } from './helpers';

const texts = (e: ShellEvent): string[] => e.words.map((w) => w.text);
const ipt = (script: string): ShellEvent[] => evaluateShell(script).events.filter((e) => e.words[0].symbolic || iptablesFamily(e.words[0]) || /restore$/.test(e.words[0].text));

describe('ranges', () => {
  test('every word covers its own source text', () => {
    const s = 'iptables -A INPUT  -s "10.0.0.1" -m comment --comment \'two words\' -j ACCEPT\n';
    const [e] = ipt(s);
    assert.deepEqual(e.words.map((w) => textAt(s, w.range)), ['iptables', '-A', 'INPUT', '-s', '"10.0.0.1"', '-m', 'comment', '--comment', "'two words'", '-j', 'ACCEPT']);
    assert.deepEqual(e.range, { start: { line: 0, character: 0 }, end: { line: 0, character: s.length - 1 } });
  });

  test('a command over continuation lines has one range over all of them', () => {
    const s = 'iptables -A INPUT \\\n  -p tcp \\\n  -j DROP\n';
    const [e] = ipt(s);
    assert.deepEqual(e.range, { start: { line: 0, character: 0 }, end: { line: 2, character: 9 } });
    assert.equal(textAt(s, e.words[5].range), '-j');
  });

  test('words split out of one $VAR all get the range of $VAR', () => {
    const s = 'IPT="iptables -t nat"\n  $IPT -A POSTROUTING\n';
    const [e] = ipt(s);
    assert.deepEqual(texts(e), ['iptables', '-t', 'nat', '-A', 'POSTROUTING']);
    for (const w of e.words.slice(0, 3)) assert.equal(textAt(s, w.range), '$IPT');
    assert.equal(textAt(s, e.words[3].range), '-A');
  });

  test('a word from a function argument has the range of its use inside the function', () => {
    const s = 'allow() {\n  iptables -A INPUT -s $1 --dport "$2" -j ACCEPT\n}\nallow 10.1.1.1 22\nallow 10.2.2.2 80\n';
    const es = ipt(s);
    assert.equal(es.length, 2);
    for (const e of es) {
      assert.equal(textAt(s, e.words[4].range), '$1');
      assert.equal(textAt(s, e.words[6].range), '"$2"');
      assert.equal(e.range.start.line, 1, 'the event points at the command in the body');
    }
    assert.deepEqual(es.map((e) => e.words[4].text), ['10.1.1.1', '10.2.2.2']);
  });
});

describe('conditional commands', () => {
  const flags = (s: string) => ipt(s).map((e) => [texts(e).slice(2).join(' '), e.conditional]);

  test('if, elif, else, case and while bodies are conditional unless decided', () => {
    const s = [
      'iptables -A T0',
      'if [ -f /etc/x ]; then iptables -A T1; elif [ "$1" = b ]; then iptables -A T2; else iptables -A T3; fi',
      'case "$1" in start) iptables -A T4;; *) iptables -A T5;; esac',
      'while read line; do iptables -A T6; done < /etc/list',
      'for p in $PORTS; do iptables -A T7 $p; done',
      'if true; then iptables -A T8; fi',
      'iptables -A T9',
    ].join('\n');
    assert.deepEqual(flags(s), [['T0', false], ['T1', true], ['T2', true], ['T3', true], ['T4', true], ['T5', true], ['T6', true], ['T7 $p', true], ['T8', false], ['T9', false]]);
  });

  test('tests with unquoted patterns are not decided', () => {
    assert.deepEqual(flags('x=yes\n[[ $x == y* ]] && iptables -A A\n[ $x = y* ] && iptables -A B'), [['A', true], ['B', true]]);
  });

  test('the right side of && and || is conditional, the left side is not', () => {
    assert.deepEqual(flags('iptables -C A || iptables -A B\niptables -N C && iptables -A D\n[ -n "$X" ] && iptables -A E'), [
      ['A', false], ['B', true], ['C', false], ['D', true], ['E', true],
    ]);
  });

  test('a function called conditionally runs its body conditionally', () => {
    assert.deepEqual(flags('f() { iptables -A F; }\nf\n[ -x /bin/true ] && f'), [['F', false], ['F', true]]);
  });

  test('a conditional exit does not end the evaluation, an unconditional one does', () => {
    assert.deepEqual(flags('[ -r /etc/fw.conf ] || exit 1\niptables -A A\nif [ "$1" = stop ]; then exit 0; fi\niptables -A B\nexit\niptables -A C'), [
      ['A', false], ['B', false],
    ]);
  });

  test('exits on every path of an if/else end the evaluation', () => {
    assert.deepEqual(flags('if [ -f x ]; then exit 0; else exit 1; fi\niptables -A NEVER'), []);
  });
});

describe('symbolic words', () => {
  test('unknown values keep their source text and are never guessed', () => {
    const s = 'iptables -A INPUT -s $TRUSTED -d "${NET}/24" -i $(ip route | head -1) -o `cat /etc/if` --dport ${PORT:-22}\n';
    const [e] = ipt(s);
    const sym = e.words.filter((w) => w.symbolic).map((w) => w.text);
    assert.deepEqual(sym, ['$TRUSTED', '${NET}/24', '$(ip route | head -1)', '`cat /etc/if`', '${PORT:-22}']);
    assert.ok(!e.words[0].symbolic && !e.words[1].symbolic);
  });

  test('an unknown program stays a symbolic first word', () => {
    const [e] = ipt('. /etc/firewall.conf\n$IPTABLES -P INPUT DROP\n');
    assert.equal(e.words[0].text, '$IPTABLES');
    assert.equal(e.words[0].symbolic, true);
    assert.equal(iptablesFamily(e.words[0]), undefined);
  });

  test('a variable set differently on two paths becomes unknown after them', () => {
    const s = 'if [ -f /x ]; then IF=eth0; else IF=eth1; fi\niptables -A INPUT -i $IF\nif [ -f /y ]; then J=lo; else J=lo; fi\niptables -A INPUT -i $J\n';
    const [a, b] = ipt(s);
    assert.deepEqual([a.words[4].text, a.words[4].symbolic], ['$IF', true]);
    assert.deepEqual([b.words[4].text, b.words[4].symbolic], ['lo', undefined]);
  });

  test('a variable a loop body changes is not trusted inside the repeated body', () => {
    const [e] = ipt('X=first\nwhile read l; do iptables -A INPUT -s $X; X=$l; done\n');
    assert.equal(e.words[4].symbolic, true);
  });

  test('an argument count that depends on an unknown expansion is not guessed', () => {
    const [e] = ipt('f() { iptables -A X $# "$2"; }\nf $UNKNOWN b\n');
    assert.deepEqual(e.words.slice(3).map((w) => w.symbolic), [true, true]);
  });

  test('$(which iptables) and $(command -v ...) name the program itself', () => {
    const es = ipt('IPT=$(which iptables)\nIP6=`command -v ip6tables`\n$IPT -A A\n$IP6 -A B\n');
    assert.deepEqual(es.map((e) => [e.words[0].text, e.words[0].symbolic, iptablesFamily(e.words[0])]), [['iptables', undefined, 4], ['ip6tables', undefined, 6]]);
  });

  test('bash brace expansion is not modelled: such words are unknown', () => {
    const es = ipt('for p in {8000..8002}; do iptables -A INPUT --dport $p; done\niptables -A IN{PUT,X}\n');
    assert.deepEqual(es.map((e) => [e.words.at(-1)!.symbolic, e.conditional]), [[true, true], [true, false]]);
  });

  test('commands inside $(...) are run as events too', () => {
    const es = evaluateShell('IP=$(iptables -S INPUT | wc -l)\n').events;
    assert.deepEqual(es.map((e) => e.words[0].text), ['iptables', 'wc']);
  });
});

describe('restore heredocs', () => {
  test('iptables-restore <<EOF gives a restore event with its body and body position', () => {
    const s = 'NET=192.0.2.0/24\n/sbin/iptables-restore --noflush <<EOF\n*filter\n-A INPUT -s $NET -j ACCEPT\nCOMMIT\nEOF\n';
    const [e] = ipt(s) as ShellRestoreEvent[];
    assert.equal(e.kind, 'restore');
    assert.deepEqual(texts(e), ['/sbin/iptables-restore', '--noflush']);
    assert.equal(e.body, '*filter\n-A INPUT -s 192.0.2.0/24 -j ACCEPT\nCOMMIT\n');
    assert.deepEqual(e.bodyStart, { line: 2, character: 0 });
  });

  test('a quoted delimiter keeps the body literal; <<- removes leading tabs', () => {
    const a = ipt("ip6tables-restore <<'X'\n-A INPUT -s $NET\nX\n")[0] as ShellRestoreEvent;
    assert.equal(a.body, '-A INPUT -s $NET\n');
    const b = ipt('iptables-restore <<-X\n\t\t*filter\n\tCOMMIT\n\tX\n')[0] as ShellRestoreEvent;
    assert.equal(b.body, '*filter\nCOMMIT\n');
  });

  test('other programs with a heredoc are plain commands; iptables-restore without one is too', () => {
    const es = evaluateShell('cat <<EOF\n-A INPUT\nEOF\niptables-restore < /etc/iptables/rules.v4\n').events;
    assert.deepEqual(es.map((e) => [e.kind, e.words[0].text]), [['command', 'cat'], ['command', 'iptables-restore']]);
  });
});

describe('variables, functions, comments', () => {
  const s = [
    '#!/bin/sh', // 0
    '# trusted host', // 1
    "TrustIP='y.y.y.y'", // 2
    'IPT=/sbin/iptables # the binary', // 3
    'add() {', // 4
    '  $IPT -A INPUT -s ${TrustIP} -p tcp --dport "$1" -j ACCEPT', // 5
    '}', // 6
    'add 21', // 7
    'add 22', // 8
    'echo a#b', // 9
    'for P in 1 2; do echo $P; done', // 10
  ].join('\n');
  const r = evaluateShell(s);
  const v = (name: string) => r.variables.find((x) => x.name === name)!;

  test('a variable known at every use has its value, definitions and uses', () => {
    assert.equal(v('TrustIP').value, 'y.y.y.y');
    assert.deepEqual(v('TrustIP').definitions.map((d) => textAt(s, d)), ["TrustIP='y.y.y.y'"]);
    assert.deepEqual(v('TrustIP').uses.map((u) => textAt(s, u)), ['${TrustIP}']);
    assert.equal(v('IPT').value, '/sbin/iptables');
    assert.deepEqual(v('IPT').uses.map((u) => u.start.line), [5], 'a use in a function body is listed once');
    assert.equal(v('P').value, undefined, 'different at different uses');
    assert.deepEqual(v('P').definitions.map((d) => textAt(s, d)), ['P']);
  });

  test('functions list their definition, name and calls', () => {
    assert.equal(r.functions.length, 1);
    const f = r.functions[0];
    assert.equal(f.name, 'add');
    assert.equal(textAt(s, f.nameRange), 'add');
    assert.deepEqual(f.definition.start, { line: 4, character: 0 });
    assert.deepEqual(f.definition.end, { line: 6, character: 1 });
    assert.deepEqual(f.calls.map((c) => c.start.line), [7, 8]);
  });

  test('every comment is listed with its range; # inside a word is not a comment', () => {
    assert.deepEqual(r.comments.map((c) => c.text), ['#!/bin/sh', '# trusted host', '# the binary']);
    for (const c of r.comments) assert.equal(textAt(s, c.range), c.text);
  });

  test('function bodies run at their calls, in execution order', () => {
    const es = r.events.filter((e) => iptablesFamily(e.words[0]));
    assert.deepEqual(es.map((e) => e.words.at(-3)!.text), ['21', '22']);
    assert.deepEqual(es[0].words[4].text, 'y.y.y.y');
  });
});

const seed = new URL('../../../../shared/seed/packet_filter.sh', import.meta.url);

describe('the seed script', { skip: !existsSync(seed) && 'seed not present' }, () => {
  test('packet_filter.sh: every iptables line, with TrustIP expanded', () => {
    const s = readFileSync(seed, 'utf8');
    const r = evaluateShell(s);
    const lines = s.split('\n').map((l, i) => [l, i] as const).filter(([l]) => /^iptables\s/.test(l));
    const es = r.events.filter((e) => iptablesFamily(e.words[0]) === 4);
    assert.deepEqual(es.map((e) => e.range.start.line), lines.map(([, i]) => i));
    assert.ok(es.every((e) => !e.conditional && e.words.every((w) => !w.symbolic)));
    const trust = es.flatMap((e) => e.words).filter((w) => textAt(s, w.range) === '$TrustIP');
    assert.equal(trust.length, 3);
    assert.ok(trust.every((w) => w.text === 'y.y.y.y'));
    assert.equal(r.variables.find((v) => v.name === 'TrustIP')?.value, 'y.y.y.y');
    assert.equal(r.problems.length, 0);
    assert.equal(r.comments.length, s.split('\n').filter((l) => l.startsWith('#')).length);
  });
});

describe('loops with a test', () => {
  test('a loop that does not end, or whose test becomes unknown, is not unrolled: its body counts once, its variables unknown', () => {
    const endless = ipt('i=0\nwhile [ 1 ]; do iptables -A X$i; i=$((i + 1)); done\n');
    assert.equal(endless.length, 1);
    assert.equal(endless[0].words[2].symbolic, true);
    const unknown = ipt('i=0\nwhile [ $i -lt 3 ]; do iptables -A Y$i; i=$(cat /tmp/n); done\n');
    assert.equal(unknown.length, 1);
    assert.equal(unknown[0].words[2].symbolic, true);
  });
});

describe('while read over a heredoc', () => {
  test('a command substitution in the list runs once, and the loop stays unknown', () => {
    const events = evaluateShell('while read x; do iptables -A X "$x"; done <<EOF\n$(iptables -A SUB)\nEOF\n').events;
    assert.equal(events.filter((e) => e.words[2]?.text === 'SUB').length, 1);
  });

  test('100,000 continued lines are joined into one line (in one pass: joining them one at a time took 5 s)', () => {
    const body = 'a\\\n'.repeat(100_000) + 'b\n';
    const events = ipt(`while read x; do iptables -A X "$x"; done <<'EOF'\n${body}EOF\n`);
    assert.equal(events.length, 1);
    assert.equal(events[0].words[3].text, 'a'.repeat(100_000) + 'b');
  });
});
