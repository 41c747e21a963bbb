// Dev helper (not a test): prints what the linter reports for files, plus the unregistered IPT207.
import { readFileSync } from 'node:fs';
import { analyze } from '../../../server/src/engine';
import { icmpv6Blocked } from '../../../server/src/checks/IPT207-icmpv6-blocked';
const lang = (process.env.L ?? 'en') as 'en' | 'ja';
for (const f of process.argv.slice(2)) {
  const a = analyze(readFileSync(f, 'utf8'), { path: f });
  const extra = a.problems.some((p) => p.code === 'IPT207') ? [] : icmpv6Blocked.run(a).map((x) => ({ ...x, code: 'IPT207', severity: 'warning' }));
  console.log(`== ${f.split('/').pop()} (${a.kind}, fam ${a.families})`);
  for (const p of [...a.problems, ...extra].sort((x, y) => x.range.start.line - y.range.start.line)) console.log(`  ${p.code} L${p.range.start.line + 1}:${p.range.start.character} ${p.severity[0]} ${p.message[lang]}`);
}
