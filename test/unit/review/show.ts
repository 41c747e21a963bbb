import { readFileSync } from 'node:fs';
import { analyze } from '../../../server/src/engine';
const lang = process.env.L ?? 'en';
for (const f of process.argv.slice(2)) {
  const a = analyze(readFileSync(f, 'utf8'), { path: f });
  console.log(`== ${f.split('/').pop()} (${a.kind}, fam ${a.families})`);
  for (const p of a.problems.sort((x, y) => x.range.start.line - y.range.start.line)) console.log(`  ${p.code} L${p.range.start.line + 1}:${p.range.start.character} ${p.severity[0]} ${(p.message as any)[lang]}`);
}
