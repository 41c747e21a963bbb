import { readFileSync } from 'node:fs';
import { analyze } from '../../../server/src/engine';
const file = process.argv[2];
const text = file ? readFileSync(file, 'utf8') : readFileSync('../shared/seed/packet_filter.sh', 'utf8').replace("'y.y.y.y'", "'203.0.113.5'");
const a = analyze(text, { path: file });
console.log(a.kind, a.families, a.commands.length);
for (const p of a.problems) console.log(p.code, p.severity, `${p.range.start.line + 1}:${p.range.start.character}-${p.range.end.line + 1}:${p.range.end.character}`, p.message.en, p.fixes?.map((f) => f.title.en).join(' | ') ?? '');
