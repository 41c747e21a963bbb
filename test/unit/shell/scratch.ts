import { evaluateShell } from '../../../server/src/syntax/shell/index';
import { readFileSync } from 'node:fs';
const t = process.argv[2] === '-f' ? readFileSync(process.argv[3], 'utf8') : process.argv[2];
const r = evaluateShell(t);
for (const e of r.events) console.log(e.kind, e.conditional ? 'COND' : '    ', e.words.map(w => (w.symbolic ? '~' : '') + JSON.stringify(w.text) + `@${w.range.start.line}:${w.range.start.character}-${w.range.end.line}:${w.range.end.character}`).join(' '), e.kind === 'restore' ? JSON.stringify(e.body) + JSON.stringify(e.bodyStart) : '');
for (const p of r.problems) console.log('PROBLEM', p.severity, p.message.en, JSON.stringify(p.range));
if (process.env.V) { console.log(JSON.stringify(r.variables)); console.log(JSON.stringify(r.functions)); console.log(JSON.stringify(r.comments)); }
