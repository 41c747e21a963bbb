// Scratch: every finding of the given codes on the corpus (not a test).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../server/src/engine';
const codes = new Set((process.env.CODES ?? 'IPT201,IPT202,IPT203,IPT204,IPT205,IPT206,IPT301,IPT302,IPT303,IPT304,IPT501,IPT502,IPT503,IPT504').split(','));
const files: string[] = [];
const walk = (d: string) => { for (const n of readdirSync(d)) { const p = join(d, n); if (statSync(p).isDirectory()) walk(p); else if (!/SOURCE|README|LICEN/i.test(n)) files.push(p); } };
for (const d of process.argv.slice(2)) walk(d);
const counts: Record<string, number> = {};
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const t0 = Date.now();
  let a;
  try { a = analyze(text, { path: f }); } catch (e) { console.log('CRASH', f, (e as Error).message); continue; }
  const ms = Date.now() - t0;
  for (const p of a.problems) {
    if (!codes.has(p.code)) continue;
    counts[p.code] = (counts[p.code] ?? 0) + 1;
    if (process.env.QUIET) continue;
    const line = text.split('\n')[p.range.start.line]?.trim().slice(0, 110);
    console.log(`${p.code} ${f.replace('../shared/corpus/', '')}:${p.range.start.line + 1} | ${line}\n    ${p.message.en.slice(0, 200)}`);
  }
  if (ms > 2000) console.log('SLOW', f, ms);
}
console.log(counts, files.length);
