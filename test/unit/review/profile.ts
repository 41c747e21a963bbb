// Dev helper (not a test): times the stages of analyze() and each check on one file.
import { readFileSync } from 'node:fs';
import { evaluateShell } from '../../../server/src/syntax/shell/index';
import { analyze } from '../../../server/src/engine';
import { CHECKS } from '../../../server/src/checks/index';
const f = process.argv[2];
const text = readFileSync(f, 'utf8');
let t = performance.now();
const sh = evaluateShell(text);
console.log('shell', (performance.now() - t).toFixed(0), 'ms, events', sh.events.length);
t = performance.now();
const saved = CHECKS.splice(0, CHECKS.length);
const a = analyze(text);
console.log('analyze without checks', (performance.now() - t).toFixed(0), 'ms');
for (const c of saved) {
  t = performance.now();
  const n = c.run(a).length;
  const ms = performance.now() - t;
  if (ms > 50) console.log(c.code, ms.toFixed(0), 'ms', n);
}
CHECKS.push(...saved);
