import { evaluateShell, iptablesFamily } from '../../../server/src/syntax/shell/index';
import { readFileSync, readdirSync } from 'node:fs';
const root = '../shared/corpus/scripts';
for (const d of readdirSync(root)) for (const f of readdirSync(`${root}/${d}`)) {
  if (f === 'SOURCE.txt') continue;
  const t = readFileSync(`${root}/${d}/${f}`, 'utf8');
  const t0 = performance.now();
  const r = evaluateShell(t);
  const ms = performance.now() - t0;
  const ipt = r.events.filter(e => iptablesFamily(e.words[0]) !== undefined).length;
  const sym = r.events.filter(e => e.words[0].symbolic && /ipt/i.test(e.words[0].text)).length;
  console.log(`${d}/${f}: events=${r.events.length} iptables=${ipt} symbolic-ipt=${sym} restore=${r.events.filter(e=>e.kind==='restore').length} problems=${r.problems.length} ${ms.toFixed(1)}ms`);
  for (const p of r.problems) console.log('   ', p.severity, p.message.en, JSON.stringify(p.range.start));
}
