// The packet-header matches (tcp, udp, icmp, sctp, multiport, IPv6 extension headers, ttl, tos,
// string, u32, ...) and `-p` itself, checked against what the real iptables 1.8.9 did with the same
// rules: header-cases-*.tsv hold each rule with the real result (recorded by header-oracle.sh in
// a network namespace). Accepted rules must print exactly the real iptables-save line; rejected
// ones must give an error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandWords } from '../../../server/src/syntax/commandLine';
import { formatRule } from '../../../server/src/model/printer';
import type { Family, Word } from '../../../server/src/syntax/ast';

interface Case { file: string; family: Family; table: string; chain: string; rule: string; ok: boolean; save: string }

/** Splits a rule as bash would (the oracle ran it through `eval`): '...', "...", and \x. */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '', has = false;
  for (let i = 0; i < s.length;) {
    const c = s[i];
    if (c === ' ' || c === '\t') { if (has) out.push(cur); cur = ''; has = false; i++; continue; }
    has = true;
    if (c === "'") { const j = s.indexOf("'", i + 1); assert.ok(j > 0, `unbalanced quote in ${s}`); cur += s.slice(i + 1, j); i = j + 1; continue; }
    if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') { if (s[i] === '\\' && '"\\$`'.includes(s[i + 1])) i++; cur += s[i++]; }
      i++;
      continue;
    }
    if (c === '\\') { cur += s[i + 1]; i += 2; continue; }
    cur += c; i++;
  }
  if (has) out.push(cur);
  return out;
}

const zero = { line: 0, character: 0 };
const words = (texts: string[]): Word[] => texts.map((text) => ({ text, range: { start: zero, end: zero } }));

/** Our verdict on a case: the save line (after `-A CHAIN`) or the errors. */
function ours(c: Case): { ok: boolean; text: string } {
  const { command, problems } = parseCommandWords(words(['-A', c.chain, ...shellWords(c.rule)]), { family: c.family, table: c.table, origin: 'shell' });
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length) return { ok: false, text: errors.map((e) => `${e.code} ${e.message.en}`).join('; ') };
  return { ok: true, text: formatRule(command).slice(`-A ${c.chain}`.length).trimStart() };
}

const agrees = (c: Case, r: { ok: boolean; text: string }) => r.ok === c.ok && (!c.ok || r.text === c.save);

function loadCases(): Case[] {
  const dir = import.meta.dirname;
  const cases: Case[] = [];
  for (const file of readdirSync(dir).filter((f) => /^header-cases-.*\.tsv$/.test(f)).sort()) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const [fam, table, chain, rule, result, save = ''] = line.split('\t');
      cases.push({ file, family: Number(fam) as Family, table, chain, rule, ok: result === 'OK', save });
    }
  }
  return cases;
}

/** Differences that cannot be decided from the text of the rule. */
const GAPS: { why: string; test: (c: Case) => boolean }[] = [
  { why: 'nft keeps 8 bits of mptcp (262) as tcp, but the tcp match still sees 262', test: (c) => c.rule.startsWith('-p mptcp -m tcp') },
  { why: 'a pinned BPF object exists or not on the machine that loads the rule', test: (c) => c.rule.includes('--object-pinned') },
];
const gapOf = (c: Case) => GAPS.find((g) => g.test(c));

const ALL = loadCases();

describe('header matches agree with the real iptables 1.8.9', () => {
  it('has recorded cases', () => assert.ok(ALL.length > 1000, `only ${ALL.length} cases`));
  for (const file of [...new Set(ALL.map((c) => c.file))]) {
    it(file, () => {
      const wrong: string[] = [];
      for (const c of ALL.filter((x) => x.file === file && !gapOf(x))) {
        const r = ours(c);
        if (!agrees(c, r)) wrong.push(`v${c.family} ${c.table}/${c.chain}: ${c.rule}\n    real: ${c.ok ? c.save : 'FAIL'}\n    ours: ${r.ok ? r.text : `FAIL ${r.text}`}`);
      }
      assert.deepEqual(wrong, []);
    });
  }
});
