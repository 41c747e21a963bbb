// Every quick fix of the safety checks, verified by the real iptables: the fixed text is analysed
// again (the finding is gone) and then loaded for real in a throwaway network namespace: save files
// with `iptables-restore --test`, scripts run by `sh -e` (any failing iptables call fails the run).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFix, lint, only, seedScript, save, script } from '../unit/checks/helpers';
import { oracleSkipReason, runInNetns, shq } from './lib/oracle';
import type { Fix } from '../../server/src/syntax/ast';

const skip = oracleSkipReason();

interface Case { name: string; text: string; code: string; family?: 4 | 6 }

const seed = seedScript();
const CASES: Case[] = [
  ...(seed ? ['IPT201', 'IPT301', 'IPT501'].map((code) => ({ name: `seed ${code}`, text: seed, code })) : []),
  { name: 'flush before policy reset', code: 'IPT203', text: script('iptables -F', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP') },
  {
    name: 'script without ESTABLISHED', code: 'IPT204',
    text: script('iptables -P INPUT DROP', 'iptables -A INPUT -i lo -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A OUTPUT -p udp --dport 53 -j ACCEPT'),
  },
  {
    name: 'script with -I rules, without ESTABLISHED', code: 'IPT204',
    text: script('iptables -P INPUT DROP', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -I INPUT -i lo -j ACCEPT'),
  },
  {
    name: 'save file without ESTABLISHED on OUTPUT', code: 'IPT204',
    text: save('*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT DROP [0:0]', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A OUTPUT -o lo -j ACCEPT', 'COMMIT'),
  },
  { name: 'script without lo', code: 'IPT205', text: script('iptables -P INPUT DROP', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT') },
  {
    name: 'ip6tables script without lo', code: 'IPT205', family: 6,
    text: script('ip6tables -P INPUT DROP', 'ip6tables -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', 'ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT'),
  },
  { name: 'save file without lo on OUTPUT', code: 'IPT205', text: save('*filter', ':OUTPUT DROP [0:0]', '-A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', 'COMMIT') },
  {
    name: 'save file passive FTP', code: 'IPT301',
    text: save('*filter', ':INPUT DROP [0:0]', '-A INPUT -s 203.0.113.5/32 -p tcp -m tcp --dport 21 -j ACCEPT', '-A INPUT -s 203.0.113.5/32 -p tcp -m tcp --dport 22 -j ACCEPT',
      '-A INPUT -s 203.0.113.5/32 -p tcp -m state --state NEW -m tcp --dport 1024: -j ACCEPT', 'COMMIT', '*raw', ':PREROUTING ACCEPT [0:0]', 'COMMIT'),
  },
  { name: 'save file state match', code: 'IPT501', text: save('*filter', '-A INPUT -m state ! --state INVALID,UNTRACKED -j ACCEPT', 'COMMIT') },
  { name: 'save file LOG', code: 'IPT502', text: save('*filter', '-A INPUT -p tcp -m tcp --dport 23 -j LOG --log-prefix "telnet: "', 'COMMIT') },
  { name: 'script LOG', code: 'IPT502', text: script('iptables -A INPUT -p tcp --dport 23 -j LOG --log-prefix "telnet: "') },
];

function loadForReal(text: string, kind: 'save' | 'shell', family: 4 | 6): { status: number; stderr: string } {
  if (kind === 'save') {
    const restore = family === 6 ? 'ip6tables-restore' : 'iptables-restore';
    return runInNetns(`printf '%s' ${shq(text)} | ${restore} --test\n`);
  }
  return runInNetns(`F=$(mktemp); printf '%s' ${shq(text)} > "$F"; sh -e "$F"; rc=$?; rm -f "$F"; exit $rc\n`);
}

for (const c of CASES) {
  test(`fixes of ${c.code} (${c.name}) remove the finding and load in the real iptables`, { skip }, () => {
    const a = lint(c.text);
    const found = only(a.problems, c.code);
    assert.ok(found.length > 0, `${c.code} expected on the input`);
    const fixes: Fix[] = found.flatMap((p) => p.fixes ?? []).filter((f, i, all) => all.findIndex((g) => g.title.en === f.title.en) === i);
    assert.ok(fixes.length > 0, 'at least one fix');
    // The unfixed input loads too: a failure below is the fix's fault.
    const orig = loadForReal(c.text, a.kind, c.family ?? 4);
    assert.equal(orig.status, 0, `original input: ${orig.stderr}`);
    for (const fix of fixes) {
      let fixed = applyFix(c.text, fix);
      // Several findings of the code (e.g. IPT501 on three lines): apply one fix after another.
      for (let k = 0; k < 10; k++) {
        const next = only(lint(fixed).problems, c.code).flatMap((p) => p.fixes ?? []).find((f) => f.title.en === fix.title.en);
        if (!next) break;
        fixed = applyFix(fixed, next);
      }
      assert.deepEqual(only(lint(fixed).problems, c.code).map((p) => p.range.start.line), [], `${fix.title.en}:\n${fixed}`);
      const r = loadForReal(fixed, a.kind, c.family ?? 4);
      assert.equal(r.status, 0, `${fix.title.en}: iptables refused the fixed text: ${r.stderr}\n${fixed}`);
      assert.equal(r.stderr.trim(), '', `${fix.title.en}: ${r.stderr}`);
    }
  });
}
