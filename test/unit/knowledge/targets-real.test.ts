// Every recorded answer of the real iptables 1.8.9 for target rules (targets-real-iptables.txt):
// accepted rules must print the same iptables-save line, refused ones must give an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRuleArgs } from '../../../server/src/syntax/commandLine';
import { formatRule } from '../../../server/src/model/printer';

const cases = readFileSync(join(import.meta.dirname, 'targets-real-iptables.txt'), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const parts = l.split('|');
    return { family: Number(parts[0]) as 4 | 6, table: parts[1], chain: parts[2] === 'USER' ? 'USERCHAIN' : parts[2], rule: parts[3], expected: parts.slice(4).join('|') };
  });

test('recorded real-iptables answers for target rules', () => {
  assert.ok(cases.length > 600);
  const wrong: string[] = [];
  for (const c of cases) {
    const { command, problems } = parseRuleArgs(`-A ${c.chain} ${c.rule}`, { family: c.family, table: c.table });
    const errors = problems.filter((p) => p.severity === 'error');
    const got = errors.length ? 'FAIL' : formatRule(command).replace(/^-A \S+ /, '');
    if (got !== c.expected) wrong.push(`v${c.family} ${c.table} ${c.chain}: ${c.rule}\n  real: ${c.expected}\n  ours: ${got}${errors.length ? ` (${errors.map((e) => e.message.en).join('; ')})` : ''}`);
  }
  assert.deepEqual(wrong, []);
});
