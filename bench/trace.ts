// Tracer and exposure-matrix benchmark (in process, after the file is analysed):
// - trace single packets through the generated 70,000-line kube-proxy dump (target <= 5 ms each);
// - the exposure matrix of the largest real dumps in ../shared/corpus/save (target <= 2 s each).
// Usage: node --import tsx bench/trace.ts [--lines N] [--runs N] [--top N]   (writes bench/out/trace.json)
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze } from '../server/src/engine';
import { tracePacket } from '../server/src/analysis/tracer';
import { exposureMatrix } from '../server/src/analysis/matrix';
import { generateKubeDump } from './kube-dump';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out');
const CORPUS = resolve(ROOT, '../shared/corpus/save');
const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const LINES = arg('lines', 70_000), RUNS = arg('runs', 20), TOP = arg('top', 5);

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

function kubeFile(): string {
  mkdirSync(OUT, { recursive: true });
  const existing = readdirSync(OUT).find((f) => /^kube-proxy-\d+\.rules$/.test(f) && Math.abs(Number(/\d+/.exec(f)![0]) - LINES) < 100);
  if (existing) return join(OUT, existing);
  const dump = generateKubeDump(LINES);
  const file = join(OUT, `kube-proxy-${dump.stats.lines}.rules`);
  writeFileSync(file, dump.text);
  return file;
}

function packetsFor(text: string): string[] {
  // A cluster IP with endpoints, one without (REJECT), a node port, an established reply, and a miss.
  const svc = /-A KUBE-SERVICES -d (\S+)\/32 -p (tcp|udp) -m comment --comment "[^"]*cluster IP" -m \2 --dport (\d+) -j KUBE-SVC/.exec(text);
  const dead = /-A KUBE-SERVICES -d (\S+)\/32 -p (tcp|udp) -m comment --comment "[^"]*has no endpoints" -m \2 --dport (\d+) -j REJECT/.exec(text);
  const node = /-A KUBE-NODEPORTS -p (tcp|udp) -m comment --comment "[^"]*" -m \1 --dport (\d+) -j KUBE-EXT/.exec(text);
  const out: string[] = [];
  if (svc) out.push(`${svc[2]} 10.244.3.7:40000 > ${svc[1]}:${svc[3]} in cni0 out eth0`);
  if (dead) out.push(`${dead[2]} 10.244.3.7:40001 > ${dead[1]}:${dead[3]} in cni0 out eth0`);
  if (node) out.push(`${node[1]} 203.0.113.9:40002 > 192.0.2.10:${node[2]} in eth0`);
  out.push('tcp 203.0.113.9:443 > 192.0.2.10:40003 in eth0 state ESTABLISHED flags ACK reply');
  out.push('tcp 203.0.113.9:40004 > 192.0.2.10:22 in eth0');
  return out;
}

function benchTrace() {
  const file = kubeFile();
  const text = readFileSync(file, 'utf8');
  const t0 = performance.now();
  const analysis = analyze(text, { kind: 'save', path: file });
  const loadMs = performance.now() - t0;
  console.log(`kube-proxy dump ${relative(ROOT, file)}: ${text.split('\n').length} lines, analysed in ${ms(loadMs)}`);
  const rows = [];
  for (const packet of packetsFor(text)) {
    const c0 = performance.now();
    const first = tracePacket(analysis, packet);
    const coldMs = performance.now() - c0;
    const times: number[] = [];
    for (let k = 0; k < RUNS; k++) { const s = performance.now(); tracePacket(analysis, packet); times.push(performance.now() - s); }
    const r = first.ok ? first : undefined;
    const row = { packet, verdict: r?.verdict, steps: r?.steps.length, branches: r?.outcomes.length, firstMs: coldMs, medianMs: median(times), maxMs: Math.max(...times) };
    rows.push(row);
    console.log(`  ${packet}\n    ${row.verdict} after ${row.steps} rules, ${row.branches} branch(es): first ${ms(coldMs)}, median ${ms(row.medianMs)}, max ${ms(row.maxMs)}${row.firstMs <= 5 && row.medianMs <= 5 ? '' : '  (over 5 ms)'}`);
  }
  return { file: relative(ROOT, file), loadMs, traces: rows };
}

function benchMatrix() {
  if (!existsSync(CORPUS)) { console.log('corpus absent: matrix benchmark skipped'); return []; }
  const all: string[] = [];
  const walk = (d: string) => { for (const n of readdirSync(d)) { const p = join(d, n); if (statSync(p).isDirectory()) walk(p); else if (n !== 'SOURCE.txt') all.push(p); } };
  walk(CORPUS);
  const largest = all.map((f) => ({ f, lines: readFileSync(f, 'utf8').split('\n').length })).sort((a, b) => b.lines - a.lines).slice(0, TOP);
  const rows = [];
  console.log(`exposure matrix, ${TOP} largest files of ../shared/corpus/save:`);
  for (const { f, lines } of largest) {
    const analysis = analyze(readFileSync(f, 'utf8'), { kind: 'save', path: f });
    const s = performance.now();
    const m = exposureMatrix(analysis);
    const took = performance.now() - s;
    const complete = m.tables.every((t) => t.complete);
    rows.push({ file: relative(CORPUS, f), lines, ms: took, complete, groups: m.tables.map((t) => t.groups.length), rows: m.tables.map((t) => t.rows.length) });
    console.log(`  ${String(lines).padStart(5)} lines  ${ms(took).padStart(9)}  ${complete ? 'complete' : 'INCOMPLETE (work limit)'}${took <= 2000 ? '' : '  (over 2 s)'}  ${relative(CORPUS, f)}`);
  }
  return rows;
}

const trace = benchTrace();
const matrix = benchMatrix();
writeFileSync(join(OUT, 'trace.json'), JSON.stringify({ when: new Date().toISOString(), node: process.version, trace, matrix }, null, 1));
console.log(`results: ${relative(ROOT, join(OUT, 'trace.json'))}`);
