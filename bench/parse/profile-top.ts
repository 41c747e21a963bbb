// Self time per function of a .cpuprofile (node --cpu-prof), top N: node --import tsx bench/parse/profile-top.ts FILE [N]
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
const prof = JSON.parse(readFileSync(process.argv[2], 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const N = Number(process.argv[3] ?? 40);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
for (let k = 0; k < prof.samples.length; k++) {
  const n = byId.get(prof.samples[k])!;
  const f = n.callFrame;
  const key = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-1)[0]}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (prof.timeDeltas[k] ?? 0) / 1000);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log(`total ${total.toFixed(0)} ms`);
for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(`${ms.toFixed(1).padStart(8)}  ${k}`);
