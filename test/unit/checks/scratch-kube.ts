import * as k from '../../../bench/kube-dump';
import { analyze } from '../../../server/src/engine';
import { CHECKS } from '../../../server/src/checks/index';
const text: string = k.generateKubeDump().text;
console.log('lines', text.split('\n').length);
let t = performance.now();
const a = analyze(text);
console.log('analyze ms', (performance.now() - t).toFixed(0), 'problems', a.problems.length);
const counts: Record<string, number> = {};
for (const p of a.problems) counts[p.code] = (counts[p.code] ?? 0) + 1;
console.log(counts);
for (const c of CHECKS) { t = performance.now(); c.run(a); const ms = performance.now() - t; if (ms > 10) console.log(c.code, ms.toFixed(0)); }
