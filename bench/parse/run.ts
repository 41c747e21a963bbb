// Parse-only benchmark: parseSaveFile on the 70k kube-proxy dump, several times in one process.
// Prints wall times (the first run is the one a CLI call pays: cold JIT), the time spent in GC
// during each parse, and the heap a parse result keeps (heapUsed after gc with the result alive,
// minus the heap before).
// Run: node --expose-gc --import tsx bench/parse/run.ts [--runs N] [FILE]
// (or bundle it with esbuild, as the CLI is bundled, for readable profiles).
import { readFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { parseSaveFile } from '../../server/src/syntax/saveFile';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 9;
const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs') ?? 'bench/out/kube-proxy-70023.rules';
const text = readFileSync(file, 'utf8');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.error('run with node --expose-gc for heap figures');

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

// GC time during the parses themselves (the forced collections between runs excluded).
let gcMs = 0;
let measuring = false;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const flags = (e as unknown as { detail?: { flags?: number } }).detail?.flags ?? 0;
    if (measuring && !(flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED)) gcMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

async function main(): Promise<void> {
  const times: number[] = [], cpus: number[] = [], gcs: number[] = [], heaps: number[] = [];
  let keep: { entries: unknown[] } | undefined;
  for (let r = 0; r < RUNS; r++) {
    keep = undefined;
    gc?.(); gc?.();
    await new Promise((res) => setTimeout(res, 0));
    const before = process.memoryUsage().heapUsed;
    gcMs = 0;
    measuring = true;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    keep = parseSaveFile(text, 4);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
    await new Promise((res) => setTimeout(res, 0)); // the observer is told of this run's collections
    measuring = false;
    gcs.push(gcMs);
    gc?.(); gc?.();
    heaps.push(process.memoryUsage().heapUsed - before);
  }
  console.log(`parse ${file}: ${keep!.entries.length} entries, runs ${RUNS}`);
  console.log(`times ms: ${times.map((t) => t.toFixed(0)).join(' ')}`);
  console.log(`cpu ms:   ${cpus.map((t) => t.toFixed(0)).join(' ')} (all threads; median ${median(cpus).toFixed(0)})`);
  console.log(`gc ms:    ${gcs.map((t) => t.toFixed(0)).join(' ')}`);
  console.log(`first ${times[0].toFixed(0)} ms (gc ${gcs[0].toFixed(0)}), median ${median(times).toFixed(0)} ms (gc ${median(gcs).toFixed(0)}), median of runs 2.. ${median(times.slice(1)).toFixed(0)} ms`);
  console.log(`retained heap median ${(median(heaps) / 1048576).toFixed(1)} MB`);
}
void main();
