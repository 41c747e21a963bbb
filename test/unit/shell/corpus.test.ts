// Real firewall scripts (../shared/corpus/scripts, read-only, skipped when absent): no crash, no
// IPT100 on valid shell, and every iptables line that runs is found.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { evaluateShell, iptablesFamily } from '../../../server/src/syntax/shell/index';

const root = new URL('../../../../shared/corpus/scripts/', import.meta.url);
const files = existsSync(root)
  ? readdirSync(root).flatMap((d) => readdirSync(new URL(`${d}/`, root)).filter((f) => f !== 'SOURCE.txt').map((f) => `${d}/${f}`))
  : [];

/** A line that starts an iptables command (by name or through a variable named like one). */
const IPT_LINE = /^\s*(?:\$\{?IPT\w*\}?|\$ipt|(?:\/\S*\/)?ip6?tables)\s/;

/** Lines between `start` (a regexp for the opening line) and the next line that is exactly `end`. */
function block(lines: string[], start: RegExp, end: string): number[] {
  const from = lines.findIndex((l) => start.test(l));
  assert.ok(from >= 0, `no line matches ${start}`);
  const to = lines.findIndex((l, i) => i > from && l.trim() === end);
  return Array.from({ length: to - from }, (_, k) => from + k);
}

/** Lines that never run, by the script's own logic (checked: no events there). */
const NOT_RUN: Record<string, (lines: string[]) => number[]> = {
  // these two functions are defined but never called (the call to build_bl_chain is commented out)
  'gdsotirov-firewall/rc.firewall': (l) => [...block(l, /^build_ddos_chain\(\)/, '}'), ...block(l, /^build_bl_chain\(\)/, '}')],
  // the script sets DHCP="no" and PPPOE_PMTU="no" before testing them
  'oskar-andreasson-iptables-tutorial/scripts_rc.DHCP.firewall.txt': (l) => [
    ...block(l, /^if \[ \$DHCP == "yes" \]/, 'fi'),
    ...block(l, /^if \[ \$PPPOE_PMTU == "yes" \]/, 'fi'),
  ],
};

describe('corpus scripts', { skip: files.length === 0 && 'corpus not present' }, () => {
  for (const file of files) {
    test(file, (t) => {
      const text = readFileSync(new URL(file, root), 'utf8');
      const r = evaluateShell(text);
      const count = r.events.filter((e) => iptablesFamily(e.words[0]) || (e.words[0].symbolic && /ipt/i.test(e.words[0].text))).length;
      t.diagnostic(`${count} iptables commands, ${r.events.length} commands in all`);
      // fail2ban action templates are INI files with <placeholders>, not shell: only "no crash" applies
      if (file.startsWith('fail2ban')) return;
      assert.deepEqual(r.problems.map((p) => `${p.range.start.line}: ${p.message.en}`), []);
      const lines = text.split('\n');
      const notRun = new Set(NOT_RUN[file]?.(lines) ?? []);
      const eventLines = new Set(r.events.map((e) => e.range.start.line));
      for (const i of notRun) assert.ok(!eventLines.has(i) || !IPT_LINE.test(lines[i]), `line ${i + 1} should not run: ${lines[i]}`);
      const missing = lines.map((_, i) => i).filter((i) => IPT_LINE.test(lines[i]) && !notRun.has(i) && !eventLines.has(i));
      assert.deepEqual(missing.map((i) => `${i + 1}: ${lines[i].trim()}`), []);
    });
  }
});
