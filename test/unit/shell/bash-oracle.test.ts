// Word expansion checked against real bash: each script is fully decidable, so every iptables
// command bash runs must come out of the evaluator with the same words, none symbolic or conditional.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bashCommands, hasBash, ourCommands } from './helpers';

const cases: Record<string, string> = {
  'plain words and quotes': `iptables -A INPUT -m comment --comment "web server" -j LOG --log-prefix 'FW: '`,
  'joined quoting': `iptables -A a"b"'c'\\ d -j x`,
  'ansi-c quotes': `iptables -A INPUT --log-prefix $'tab\\there' -j LOG`,
  'backslashes': `iptables -A IN\\PUT "a\\"b" 'c\\d' "e\\\\f" -j x\\$y`,
  'variable holding a program': `IPT=/sbin/iptables\n$IPT -P INPUT DROP\n"$IPT" -P OUTPUT DROP`,
  'variable holding several words': `IPT="iptables -t nat"\n$IPT -A POSTROUTING -o eth0 -j MASQUERADE`,
  'empty variables drop unquoted words': `E=\niptables -A INPUT $E -j ACCEPT\niptables -A INPUT "$E" -j ACCEPT`,
  'unset variable when known unset': `unset X\niptables -A INPUT $X -j ACCEPT`,
  'IFS changes splitting': `L="a:b c"\nIFS=:\niptables $L\nIFS=' '\niptables $L`,
  // never-assigned variables count as unknown (environment, sourced files): `unset` makes them known
  'parameter forms': `unset C\nA=x\nB=\niptables \${A:-d} \${B:-d} \${B-d} \${C:-d} \${A:+alt} \${B:+alt} \${#A} "\${C:=set}" $C \${A}y`,
  'default word splitting': `unset NOPE\niptables \${NOPE:-a b} "\${NOPE:-a b}" \${NOPE:-"a b"}`,
  'sudo prefix': `sudo iptables -L\nsudo /sbin/iptables -S`,
  'line continuations': `iptables -A INPUT \\\n  -p tcp \\\n  --dport 22 -j ACCEPT\niptables -A OUT\\\nPUT -j DROP`,
  'for loop unrolls': `for p in 22 80 "443 8443"; do iptables -A INPUT --dport $p; iptables -A X "$p"; done`,
  'for loop over a variable': `PORTS="25 110 143"\nfor p in $PORTS; do iptables -A INPUT --dport $p -j ACCEPT; done`,
  'nested loops': `for a in 1 2; do for b in x y; do iptables -A C$a -j T$b; done; done`,
  'break and continue': `for p in 1 2 3 4; do if [ $p = 2 ]; then continue; fi; if [ $p = 4 ]; then break; fi; iptables -A P$p; done`,
  'functions and positional parameters': [
    'allow() { iptables -A INPUT -p "$1" --dport "$2" -j ACCEPT; iptables -A COUNT $#; }',
    'allow tcp 22',
    'allow udp 53',
    'both() { iptables "$@"; iptables $*; iptables "$*"; iptables "x$@y"; }',
    'both -A "a b" c',
  ].join('\n'),
  'shift and set --': `f() { shift; iptables "$@"; shift 2; iptables "$@" $#; }\nf a b c d e\nset -- p q\niptables $1 $2 $#`,
  'set -- then a function call': `set -- a b; f() { iptables $1; }; f x; iptables $1`,
  'local and global assignments': `X=global\nf() { local X=inner; Y=set-in-f; iptables $X; }\nf\niptables $X $Y`,
  'function calling function': `inner() { iptables -A "$1" -j "$2"; }\nouter() { inner "$2" "$1"; inner X "$@"; }\nouter DROP INPUT`,
  'function defined later in the text but before the call': `main() { rules; }\nrules() { iptables -A R; }\nmain`,
  'decidable if': `A=yes\nif [ "$A" = yes ]; then iptables -A YES; else iptables -A NO; fi\nif [ -z "$A" ]; then iptables -A Z; elif [ "$A" != no ]; then iptables -A ELIF; fi\nif true; then iptables -A T; fi\nif false; then iptables -A F; fi`,
  'quoted patterns in tests are plain strings': `x=yes\n[[ $x == "y*" ]] && iptables -A B\n[[ $x == yes ]] && iptables -A C\n[ "$x" = "y*" ] || iptables -A E\n[[ -n $x ]] && iptables -A F`,
  'numeric tests': `N=5\n[ $N -gt 3 ] && iptables -A GT\n[ $N -lt 3 ] && iptables -A LT\n[ $N -eq 5 ] || iptables -A NE`,
  'decidable case': `M=start\ncase "$M" in st*) iptables -A S;; stop|restart) iptables -A X;; *) iptables -A D;; esac\ncase x.y in *.[xy]) iptables -A G;; esac\ncase "a*" in 'a*') iptables -A Q;; esac`,
  'and-or with known status': `true && iptables -A A1\nfalse && iptables -A A2\nfalse || iptables -A A3\n: || iptables -A A4\nf() { return 0; }\nf && iptables -A A5`,
  'exit stops the script': `iptables -A BEFORE\nexit 0\niptables -A AFTER`,
  'exit inside a function': `die() { iptables -A DYING; exit 1; }\ndie\niptables -A AFTER`,
  'subshell assignments stay inside': `X=1\n( X=2; iptables -A S$X )\niptables -A P$X`,
  'brace group assignments leak': `X=1\n{ X=2; iptables -A S$X; }\niptables -A P$X`,
  'restore heredoc': `T=10.0.0.1\niptables-restore -n <<EOF\n*filter\n-A INPUT -s $T -j ACCEPT\nCOMMIT\nEOF\niptables -A AFTER`,
  'restore heredoc quoted': `T=10.0.0.1\nip6tables-restore <<'EOF'\n*filter\n-A INPUT -s $T -j ACCEPT\nCOMMIT\nEOF`,
  'cat heredoc piped into restore': `A=192.0.2.7\ncat <<EOF | iptables-restore -n\n*filter\n-A INPUT -s $A -j DROP\nCOMMIT\nEOF`,
  'restore heredoc with tabs stripped': 'iptables-restore <<-END\n\t*filter\n\t-A INPUT -j DROP\n\tCOMMIT\n\tEND\niptables -A AFTER',
  'comments and semicolons': `iptables -A A # comment ; iptables -A B\niptables -A C; iptables -A D#notacomment`,
  'assignment before command is temporary': `X=1\nX=2 true\niptables -A $X`,
  'export local readonly declare': `export A=a1 B=b1\nreadonly C=c1\ndeclare D=d1\niptables $A $B $C $D`,
  'append assignment': `A=x\nA+=y\niptables $A`,
  '"$@" with no arguments makes no word': `f() { iptables -A "$@" x; iptables -A $@ y; }\nf\nf ''`,
  'for without in iterates the arguments': `f() { for a; do iptables -A "$a"; done; }\nf one "two three"`,
  'while true runs its body': `while true; do iptables -A W; break; done\nwhile :; do iptables -A V; break; iptables -A NEVER; done`,
  'temporary assignment for a function call': `A=1\nf() { iptables -A F$A; }\nA=2 f\niptables -A G$A`,
  'heredoc in a function body': `load() {\n  iptables-restore --noflush <<EOF\n*nat\n-A POSTROUTING -o $1 -j MASQUERADE\nCOMMIT\nEOF\n}\nload eth0\nload ppp0`,
  'case inside a function': `handle() { case "$1" in a|b) iptables -A AB;; c) iptables -A C;; *) iptables -A OTHER "$1";; esac; }\nhandle b\nhandle c\nhandle zz`,
  'pipelines and lists on one line': `iptables -A A | true; iptables -A B & wait; { iptables -A C; iptables -A D; } > /dev/null`,
  'while false body never runs': `while false; do iptables -A W; done\nuntil true; do iptables -A U; done\niptables -A END`,
  'while read over a heredoc unrolls': `while read ip; do iptables -A INPUT -s $ip -j DROP; done <<EOF\n192.0.2.1\n  198.51.100.7  \n\nEOF\niptables -A AFTER "[$ip]"`,
  'while read -r with several names': `while read -r proto port rest; do iptables -A INPUT -p $proto --dport $port -m comment --comment "$rest"; done <<'EOF'\ntcp 22 ssh from  the\\office  \nudp\t53\nEOF`,
  'while read without -r: backslashes and continuations': `while read a b; do iptables -A X "$a" "$b"; done <<'EOF'\none \\\ntwo three\nth\\ree\\ f\\\\our\nEOF`,
  'while read over an unquoted heredoc with variables': `NET=10.0.0.0/8\nwhile read n p; do iptables -A INPUT -s "$n" --dport "$p"; done <<EOF\n$NET 22\n192.0.2.0/24   80 extra\n\${NET} 443\nEOF`,
  'while read with break and an if in the body': `while read p; do if [ "$p" = stop ]; then break; fi; iptables -A P "$p"; done <<EOF\n1\n2\nstop\n3\nEOF`,
  'arithmetic over numbers and known variables': `N=5\nBASE=8000\nE=\nf() { iptables -A INPUT --dport $(($BASE + $1)); }\niptables -A X $((BASE + N)) $(( (2+3) * 4 )) $((N / 2)) $((-7 % 3)) $((010)) $((0x1f)) $(( \${N} * 2 - 1 )) $((E + 1)) "$((N*N))"\nf 22`,
  'counted while and until loops': `i=0\nwhile [ $i -lt 3 ]; do iptables -A INPUT --dport $((5000 + i)); i=$((i + 1)); done\niptables -A AFTER $i\nn=2\nuntil [ "$n" -eq 0 ]; do iptables -A N$n; n=$((n - 1)); done`,
  'nested counted loops with break and continue': `a=0\nwhile [ $a -lt 3 ]; do\n  b=0\n  while test $b -lt 3; do\n    b=$((b + 1))\n    [ $b -eq 2 ] && continue\n    iptables -A C$a$b\n  done\n  [ $a -eq 1 ] && break\n  a=$((a + 1))\ndone\niptables -A END $a $b`,
};

describe('word expansion agrees with bash', { skip: !hasBash && 'bash not installed' }, () => {
  for (const [name, script] of Object.entries(cases)) {
    test(name, () => {
      const expected = bashCommands(script);
      const ours = ourCommands(script);
      assert.ok(expected.length > 0, 'bash recorded no command: the case is broken');
      assert.deepEqual(ours.words, expected);
      for (const e of ours.events) {
        assert.equal(e.conditional, false, `conditional: ${e.words.map((w) => w.text).join(' ')}`);
        for (const w of e.words) assert.ok(!w.symbolic, `symbolic word ${w.text}`);
      }
    });
  }
});
