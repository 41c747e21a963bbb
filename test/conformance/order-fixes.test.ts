// Every quick fix of the rule-order checks (IPT401 move, IPT402/IPT404 delete, IPT406 move),
// verified by the real iptables: the fixed text is linted again (the finding is gone) and loaded
// for real in a throwaway network namespace: save files with `iptables-restore --test`, scripts
// run with `sh -e` (a failing iptables call fails the run). The unfixed text loads too, so a
// failure is the fix's fault. After a delete fix the kernel holds the same rules minus the deleted one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFix, lint, only, save, script } from '../unit/checks/helpers';
import { oracleSkipReason, runInNetns, shq } from './lib/oracle';

const skip = oracleSkipReason();

interface Case { name: string; code: string; text: string }

const filter = (...rules: string[]) => save('*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT');

const CASES: Case[] = [
  { name: 'save file, accept after a broader drop', code: 'IPT401', text: filter('-A INPUT -i lo -j ACCEPT', '-A INPUT -p tcp -j DROP', '# ssh', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT') },
  { name: 'script, accept after a broader drop', code: 'IPT401', text: script('iptables -F', 'iptables -A INPUT -p tcp -j DROP', '', '# ssh from the office', 'iptables -A INPUT -p tcp -s 203.0.113.0/24 --dport 22 -j ACCEPT') },
  {
    name: 'restore heredoc in a script', code: 'IPT401',
    text: script('iptables-restore <<EOF', '*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -p udp -j REJECT', '-A INPUT -p udp -m udp --dport 53 -j ACCEPT', 'COMMIT', 'EOF'),
  },
  { name: 'save file, narrower accept', code: 'IPT402', text: filter('-A INPUT -s 10.0.0.0/8 -j ACCEPT', '-A INPUT -s 10.1.2.3/32 -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -j DROP') },
  { name: 'script, narrower accept', code: 'IPT402', text: script('iptables -F', 'iptables -A INPUT -p tcp -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -j DROP') },
  { name: 'save file, repeated NAT rule', code: 'IPT404', text: save('*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', '-A POSTROUTING -o eth0 -j MASQUERADE', '-A POSTROUTING -o eth0 -j MASQUERADE', 'COMMIT') },
  { name: 'script, repeated accept', code: 'IPT404', text: script('iptables -F', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 443 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT') },
  {
    name: 'save file, ESTABLISHED accept late', code: 'IPT406',
    text: save('*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', '-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW -j ACCEPT', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', 'COMMIT'),
  },
  {
    name: 'script, ESTABLISHED accept late', code: 'IPT406',
    text: script('iptables -F', 'iptables -A INPUT -i lo -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -m state --state NEW -j ACCEPT', 'iptables -A INPUT -p udp --dport 53 -j ACCEPT', '# replies', 'iptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT'),
  },
];

function load(text: string, kind: 'save' | 'shell', dump = false): { status: number; stdout: string; stderr: string } {
  if (kind === 'save') return runInNetns(`printf '%s' ${shq(text)} | iptables-restore ${dump ? '' : '--test'}${dump ? ' && iptables-save' : ''}\n`);
  return runInNetns(`F=$(mktemp); printf '%s' ${shq(text)} > "$F"; sh -e "$F"; rc=$?; rm -f "$F"; [ $rc = 0 ] && ${dump ? 'iptables-save' : 'true'}; exit $rc\n`);
}

/** The rule lines the kernel holds, without comments and counters, in order. */
const rulesOf = (dumpText: string) => dumpText.split('\n').filter((l) => /^-A /.test(l));

for (const c of CASES) {
  test(`${c.code} fix (${c.name}) removes the finding and loads in the real iptables`, { skip }, () => {
    const a = lint(c.text);
    const found = only(a.problems, c.code);
    assert.equal(found.length, 1, `one ${c.code} expected on the input`);
    const fixes = found[0].fixes ?? [];
    assert.equal(fixes.length, 1, 'one fix');
    const before = load(c.text, a.kind, true);
    assert.equal(before.status, 0, `original input: ${before.stderr}`);
    const fixed = applyFix(c.text, fixes[0]);
    assert.deepEqual(only(lint(fixed).problems, c.code), [], `${fixes[0].title.en}:\n${fixed}`);
    const after = load(fixed, a.kind, true);
    assert.equal(after.status, 0, `iptables refused the fixed text: ${after.stderr}\n${fixed}`);
    assert.equal(after.stderr.trim(), '', after.stderr);
    const was = rulesOf(before.stdout), now = rulesOf(after.stdout);
    if (c.code === 'IPT402' || c.code === 'IPT404') {
      // Exactly one rule fewer, the others in the same order.
      assert.equal(now.length, was.length - 1);
      assert.ok(was.some((_, k) => JSON.stringify([...was.slice(0, k), ...was.slice(k + 1)]) === JSON.stringify(now)), `${was.join('\n')}\n---\n${now.join('\n')}`);
    } else {
      // A move: the same rules, another order.
      assert.deepEqual([...now].sort(), [...was].sort());
      assert.notDeepEqual(now, was);
    }
  });
}
