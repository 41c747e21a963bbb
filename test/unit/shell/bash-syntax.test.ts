// Differential check against `bash -n`: random scripts made of shell tokens. Whatever bash accepts
// must get no IPT100 error from us (no false alarms); what bash rejects we should mostly report too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { evaluateShell } from '../../../server/src/syntax/shell/index';
import { hasBash, rng } from './helpers';

const pieces = [
  'iptables', '-A', '$X', '"$X"', "'q'", '"a b"', 'if', 'then', 'elif', 'else', 'fi', 'for', 'x', 'in', 'do', 'done', 'while',
  'case', 'esac', ';;', 'y)', 'f()', '{', '}', '(', ')', '&&', '||', '|', ';', '&', '\n', '\n', '\n', '>', 'out', '2>&1', '#c',
  'true', '!', 'X=1', '$(echo)', '`date`', '${X:-d}',
];

/** A random well-formed script (then sometimes damaged by dropping one space-separated token). */
function structured(next: () => number, depth = 0): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
  const cmd = () => pick(['iptables -A INPUT -j ACCEPT', 'true', 'echo "$X"', "X='a b'", '$IPT -F', 'f x', '[ -n "$X" ]']);
  const body = (): string => Array.from({ length: 1 + Math.floor(next() * 3) }, () => structured(next, depth + 1)).join(pick(['; ', '\n']));
  if (depth > 3) return cmd();
  return pick([
    cmd, cmd,
    () => `if ${cmd()}; then ${body()}; fi`,
    () => `if ${cmd()}\nthen\n${body()}\nelif ${cmd()}; then ${body()}\nelse ${body()}; fi`,
    () => `for x in a "b c"; do ${body()}; done`,
    () => `while ${cmd()}; do ${body()}; done`,
    () => `case "$X" in a|b) ${body()};; *) ${body()} ;; esac`,
    () => `{ ${body()}; }`,
    () => `( ${body()} )`,
    () => `f() {\n${body()}\n}`,
    () => `${cmd()} && ${cmd()} || ${cmd()}`,
    () => `${cmd()} | ${cmd()}`,
    () => `cat <<EOF\n$X line\nEOF`,
  ])();
}

test('structured scripts, some damaged: the same agreement with bash -n', { skip: !hasBash && 'bash not installed' }, (t) => {
  const next = rng(77);
  const falseAlarms: string[] = [];
  let rejected = 0;
  let missed = 0;
  for (let k = 0; k < 300; k++) {
    let text = structured(next) + '\n';
    if (next() < 0.5) {
      const toks = text.split(' ');
      toks.splice(Math.floor(next() * toks.length), 1);
      text = toks.join(' ');
    }
    const valid = spawnSync('bash', ['-n'], { input: text }).status === 0;
    const errors = evaluateShell(text).problems.filter((p) => p.severity === 'error');
    // bash only warns about a heredoc that runs to the end of the text (and reads the rest as its
    // body); we report it as an error and read the following lines as commands
    const heredoc = errors.some((p) => /here-document/.test(p.message.en));
    if (valid && errors.length && !heredoc) falseAlarms.push(`${JSON.stringify(text)}: ${errors[0].message.en}`);
    if (!valid) { rejected++; if (!errors.length) missed++; }
  }
  t.diagnostic(`bash rejected ${rejected} of 300; we reported ${rejected - missed} of those`);
  assert.deepEqual(falseAlarms, []);
  assert.ok(missed <= rejected * 0.05, `${missed} of ${rejected} missed`);
});

test('no IPT100 error on what bash -n accepts; most of what it rejects is reported', { skip: !hasBash && 'bash not installed' }, (t) => {
  const next = rng(2024);
  const falseAlarms: string[] = [];
  let rejected = 0;
  let missed = 0;
  for (let k = 0; k < 400; k++) {
    const len = 2 + Math.floor(next() * 14);
    const text = Array.from({ length: len }, () => pieces[Math.floor(next() * pieces.length)]).join(' ') + '\n';
    const valid = spawnSync('bash', ['-n'], { input: text }).status === 0;
    const errors = evaluateShell(text).problems.filter((p) => p.severity === 'error');
    if (valid && errors.length) falseAlarms.push(`${JSON.stringify(text)}: ${errors[0].message.en}`);
    if (!valid) { rejected++; if (!errors.length) missed++; }
  }
  t.diagnostic(`bash rejected ${rejected} of 400; we reported ${rejected - missed} of those`);
  assert.deepEqual(falseAlarms, []);
  assert.ok(rejected > 100 && missed <= rejected * 0.05, `${missed} of ${rejected} missed`);
});
