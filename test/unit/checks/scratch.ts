import { readFileSync } from 'node:fs';
import { analyze } from '../../../server/src/engine';
import { applyFix } from './helpers';
const file = process.argv[2];
const code = process.argv[3];
const k = Number(process.argv[4] ?? 0);
const text = file && file !== 'seed' ? readFileSync(file, 'utf8') : readFileSync('../shared/seed/packet_filter.sh', 'utf8').replace("'y.y.y.y'", "'203.0.113.5'");
const a = analyze(text, { path: file });
if (code) { const p = a.problems.find((x) => x.code === code)!; console.log(applyFix(text, p.fixes![k])); process.exit(0); }
for (const p of a.problems) console.log(p.code, p.severity, `${p.range.start.line + 1}:${p.range.start.character}-${p.range.end.line + 1}:${p.range.end.character}`, p.message.en.slice(0, 120), p.fixes?.map((f) => f.title.en).join(' | ') ?? '');
