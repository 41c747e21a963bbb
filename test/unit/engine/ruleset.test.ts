// Script semantics of the model: what iptables leaves in the kernel after each command, as observed
// with the real iptables 1.8.9 in a namespace (which commands create a table, -I positions, -X rules).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuleArgs } from '../../../server/src/syntax/commandLine';
import { Ruleset, applyCommand, formatSave } from '../../../server/src/model/ruleset';
import type { Problem } from '../../../server/src/syntax/ast';

function run(lines: string[], family: 4 | 6 = 4) {
  const rs = new Ruleset(family);
  const problems: Problem[] = [];
  for (const l of lines) {
    const { command, problems: ps } = parseRuleArgs(l, { family });
    problems.push(...ps);
    applyCommand(rs, command, problems);
  }
  return { rs, problems };
}

test('listing, flushing and zeroing create no table; -N, -P and -A do', () => {
  assert.equal(formatSave(run(['-t nat -L', '-t nat -F', '-t mangle -Z', '-t raw -X']).rs), '');
  assert.match(formatSave(run(['-t nat -N FOO']).rs), /^\*nat\n:PREROUTING ACCEPT \[0:0\]\n:INPUT ACCEPT \[0:0\]\n:OUTPUT ACCEPT \[0:0\]\n:POSTROUTING ACCEPT \[0:0\]\n:FOO - \[0:0\]\nCOMMIT\n$/);
  assert.match(formatSave(run(['-t mangle -P INPUT ACCEPT']).rs), /^\*mangle\n/);
});

test('-I inserts at a position; an index past the end is refused', () => {
  const { rs, problems } = run(['-A INPUT -j ACCEPT', '-I INPUT -j DROP', '-I INPUT 2 -j RETURN', '-I INPUT 9 -j DROP']);
  assert.equal(formatSave(rs).split('\n').filter((l) => l.startsWith('-A')).join('|'), '-A INPUT -j DROP|-A INPUT -j RETURN|-A INPUT -j ACCEPT');
  assert.deepEqual(problems.map((p) => p.code), ['IPT120']);
});

test('-D by rule text and by number, -R, -F of one chain', () => {
  const { rs, problems } = run(['-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -j DROP', '-A INPUT -p udp -j ACCEPT', '-D INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-D INPUT 1', '-R INPUT 1 -j REJECT', '-A OUTPUT -j ACCEPT', '-F OUTPUT']);
  assert.deepEqual(problems, []);
  assert.equal(formatSave(rs).split('\n').filter((l) => l.startsWith('-A')).join('|'), '-A INPUT -j REJECT --reject-with icmp-port-unreachable');
});

test('a chain still jumped to cannot be deleted; -X without a name deletes the unused ones', () => {
  const busy = run(['-N A', '-N B', '-A A -j B', '-X B']);
  assert.deepEqual(busy.problems.map((p) => p.code), ['IPT108']);
  const all = run(['-N A', '-N B', '-A A -j B', '-F A', '-X']);
  assert.deepEqual(all.problems, []);
  assert.doesNotMatch(formatSave(all.rs), /:A |:B /);
});

test('jumps and appends to chains that do not exist; policies', () => {
  assert.deepEqual(run(['-A INPUT -j NOSUCH']).problems.map((p) => p.code), ['IPT108']);
  assert.deepEqual(run(['-A NOSUCH -j ACCEPT']).problems.map((p) => p.code), ['IPT108']);
  assert.deepEqual(run(['-P INPUT REJECT']).problems.map((p) => p.code), ['IPT110']);
  assert.deepEqual(run(['-N FOO', '-P FOO DROP']).problems.map((p) => p.code), ['IPT110']);
});

test('a comma-separated source list makes one rule per address', () => {
  const { rs } = run(['-A FORWARD -f -p 6 -s 1.2.3.4,5.6.7.8 -j DROP']);
  assert.equal(formatSave(rs).split('\n').filter((l) => l.startsWith('-A')).join('|'), '-A FORWARD -s 1.2.3.4/32 -p tcp -f -j DROP|-A FORWARD -s 5.6.7.8/32 -p tcp -f -j DROP');
});

test('-E renames a chain and the jumps to it', () => {
  const { rs, problems } = run(['-N OLD', '-A INPUT -j OLD', '-E OLD NEW']);
  assert.deepEqual(problems, []);
  assert.match(formatSave(rs), /:NEW - \[0:0\]\n-A INPUT -j NEW\n/);
});

test('reading a chain never creates its table: a nat-only file saves as nat only', async () => {
  const { analyze } = await import('../../../server/src/engine');
  const { formatSave: save } = await import('../../../server/src/model/ruleset');
  const a = analyze('*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n', { kind: 'save' });
  assert.equal(save(a.rulesets[4]), '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n');
});
