// Engine benchmark: whole processes, several runs each.
//   `server/bin/iptables-lint check FILE` (the launcher users run)   versus   `unshare -n sh -c 'iptables-restore --test < FILE'`
// on a generated 70,000-line kube-proxy dump and on the largest real dumps in ../shared/corpus/save.
// Reports median/min wall time, the ratio, and peak RSS; writes bench/out/results.json.
// Also times `check` on a generated blocklist script (one iptables call per network).
// Usage: npm run bench [-- --runs N] [--lines N] [--script-networks N] [--budget SECONDS-PER-COMMAND]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKubeDump } from './kube-dump';
import { generateBlocklistScript } from './blocklist-script';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out');
const CLI = ['cli.cjs', 'cli.js'].map((n) => join(ROOT, 'dist', n)).find((p) => existsSync(p)) ?? join(ROOT, 'dist', 'cli.cjs');
/** The launcher `npx iptables-lint` runs: the bundled CLI with the project's Node flags. */
const LINT = join(ROOT, 'server', 'bin', 'iptables-lint');
const CORPUS_SAVE = resolve(ROOT, '../shared/corpus/save');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const RUNS = arg('runs', 7);
/** Seconds one command may take in total; a slow command gets fewer runs (at least 2). */
const BUDGET_S = arg('budget', 180);
const LINES = arg('lines', 70_000);
const SCRIPT_NETWORKS = arg('script-networks', 20_000);

function sh(cmd: string, args: string[], input?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 1 << 30 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Why the iptables side cannot run, or false. */
function oracleSkip(): string | false {
  if (process.getuid?.() !== 0) return 'not root (unshare -n needs root)';
  if (sh('iptables-restore', ['--version']).status !== 0) return 'iptables-restore not installed';
  if (sh('unshare', ['-n', 'true']).status !== 0) return 'unshare -n does not work here';
  return false;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Timing { command: string; medianMs: number; minMs: number; maxMs: number; runs: number; peakRssKb?: number; exitCode: number }

const HAVE_HYPERFINE = sh('hyperfine', ['--version']).status === 0;
const HAVE_GNU_TIME = existsSync('/usr/bin/time') && sh('/usr/bin/time', ['-v', 'true']).stderr.includes('Maximum resident');

/** Times a shell command line: hyperfine when installed, else spawnSync in a loop. One probe run first
 * (it doubles as warm-up) decides how many runs fit in the budget. */
function time(command: string): Timing {
  const p0 = performance.now();
  sh('sh', ['-c', `${command} >/dev/null 2>&1`]);
  const probeMs = performance.now() - p0;
  const runs = Math.max(2, Math.min(RUNS, Math.floor((BUDGET_S * 1000) / Math.max(probeMs, 1))));
  let times: number[] = [];
  if (HAVE_HYPERFINE) {
    const json = join(OUT, 'hyperfine.tmp.json');
    const r = sh('hyperfine', ['--runs', String(runs), '--ignore-failure', '--style', 'none', '--export-json', json, command]);
    if (r.status !== 0) throw new Error(`hyperfine failed: ${r.stderr}`);
    times = (JSON.parse(readFileSync(json, 'utf8')) as { results: { times: number[] }[] }).results[0]!.times.map((s) => s * 1000);
  } else {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      sh('sh', ['-c', `${command} >/dev/null 2>&1`]);
      times.push(performance.now() - t0);
    }
  }
  const exitCode = sh('sh', ['-c', `${command} >/dev/null 2>&1; echo $?`]).stdout.trim();
  return { command, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), runs: times.length, peakRssKb: peakRss(command), exitCode: Number(exitCode) };
}

/** Peak resident set size of the command's process tree (largest single process), in KiB. */
function peakRss(command: string): number | undefined {
  if (HAVE_GNU_TIME) {
    const r = sh('/usr/bin/time', ['-v', 'sh', '-c', `${command} >/dev/null 2>&1`]);
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    return m ? Number(m[1]) : undefined;
  }
  // Fallback: the children's max RSS as the kernel reports it to us after they were reaped.
  const before = process.resourceUsage().maxRSS;
  sh('sh', ['-c', `${command} >/dev/null 2>&1`]);
  const after = process.resourceUsage().maxRSS;
  return after > before ? after : undefined;
}

interface Case { name: string; file: string; lines: number; bytes: number; realTest?: { status: number; stoppedAt?: number }; ours?: Timing; restoreTest?: Timing; ratio?: number; ratioMin?: number }

function realTest(file: string, restore: string): { status: number; stoppedAt?: number } {
  const r = sh('unshare', ['-n', 'sh', '-c', `${restore} --test < ${q(file)}`]);
  const m = /line:? (\d+)/.exec(r.stderr);
  return { status: r.status, stoppedAt: r.status && m ? Number(m[1]) : undefined };
}

function largestCorpusDumps(n: number): string[] {
  if (!existsSync(CORPUS_SAVE)) return [];
  const walk = (d: string): string[] => readdirSync(d).flatMap((x) => {
    const p = join(d, x);
    return statSync(p).isDirectory() ? walk(p) : x === 'SOURCE.txt' ? [] : [p];
  });
  return walk(CORPUS_SAVE).sort((a, b) => statSync(b).size - statSync(a).size).slice(0, n);
}

function fmtMs(ms?: number): string { return ms === undefined ? '-' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`; }
function fmtKb(kb?: number): string { return kb === undefined ? '-' : `${(kb / 1024).toFixed(0)} MiB`; }

function main(): void {
  if (!existsSync(CLI)) { console.error('dist/cli.cjs missing: run `npm run build` (npm run bench does)'); process.exit(2); }
  mkdirSync(OUT, { recursive: true });
  const skip = oracleSkip();
  if (skip) console.log(`iptables side skipped: ${skip}`);

  const t0 = performance.now();
  const dump = generateKubeDump(LINES);
  const kubeFile = join(OUT, `kube-proxy-${dump.stats.lines}.rules`);
  writeFileSync(kubeFile, dump.text);
  console.log(`generated ${relative(ROOT, kubeFile)}: ${dump.stats.lines} lines, ${dump.stats.services} services, ${dump.stats.servicePorts} service ports, ${dump.stats.endpoints} endpoints, ${dump.stats.chains} chains (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const cases: Case[] = [{ name: 'kube-proxy (generated)', file: kubeFile, lines: dump.stats.lines, bytes: dump.text.length }];
  // The three largest real dumps, and (the largest of those are rejected early by the real parser)
  // the two largest that iptables-restore --test reads to the end.
  const candidates = largestCorpusDumps(12);
  const restoreOf = (f: string): string => (/ip6tables|\.v6$/.test(f) ? 'ip6tables-restore' : 'iptables-restore');
  const loading = skip ? [] : candidates.slice(3).filter((f) => realTest(f, restoreOf(f)).status === 0).slice(0, 2);
  for (const f of [...candidates.slice(0, 3), ...loading]) {
    const text = readFileSync(f, 'utf8');
    cases.push({ name: basename(dirname(f)) + '/' + basename(f), file: f, lines: text.split('\n').length - 1, bytes: Buffer.byteLength(text) });
  }

  for (const c of cases) {
    const restore = restoreOf(c.file);
    if (!skip) {
      c.realTest = realTest(c.file, restore);
      if (c.file === kubeFile && c.realTest.status !== 0) throw new Error(`the generated dump does not load in the real ${restore} --test (line ${c.realTest.stoppedAt})`);
    }
    process.stdout.write(`timing ${c.name}... `);
    c.ours = time(`${q(LINT)} check ${q(c.file)}`);
    if (!skip) {
      c.restoreTest = time(`unshare -n sh -c ${q(`${restore} --test < ${q(c.file)}`)}`);
      c.ratio = c.ours.medianMs / c.restoreTest.medianMs;
      c.ratioMin = c.ours.minMs / c.restoreTest.minMs;
    }
    console.log(`check ${c.ours.runs} runs, restore ${c.restoreTest?.runs ?? 0} runs`);
  }

  const rows = cases.map((c) => [
    c.name.length > 52 ? `…${c.name.slice(-51)}` : c.name, String(c.lines),
    c.realTest ? (c.realTest.status === 0 ? 'loads' : `stops@${c.realTest.stoppedAt ?? '?'}`) : '-',
    fmtMs(c.ours?.medianMs), fmtMs(c.ours?.minMs), fmtKb(c.ours?.peakRssKb), String(c.ours?.exitCode ?? '-'),
    fmtMs(c.restoreTest?.medianMs), fmtMs(c.restoreTest?.minMs), fmtKb(c.restoreTest?.peakRssKb),
    c.ratio === undefined ? '-' : `${c.ratio.toFixed(1)}×`,
    c.ratioMin === undefined ? '-' : `${c.ratioMin.toFixed(1)}×`,
  ]);
  const head = ['file', 'lines', 'real --test', 'check med', 'check min', 'check RSS', 'exit', 'restore med', 'restore min', 'restore RSS', 'ratio med', 'ratio min'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}`);
  console.log('\nratio med/min = median/min of check ÷ median/min of iptables-restore --test (min is the steadier figure on a busy machine); "stops@N": the real parser gave up at line N, so its time covers less of the file.');

  // Where the time of one check of the kube-proxy dump goes (the CLI prints it on stderr when asked).
  const phases = sh('sh', ['-c', `IPTABLES_LINT_TIMINGS=1 ${q(LINT)} check ${q(kubeFile)} >/dev/null`]).stderr;
  const m = /timings [^:]*: (\{.*\}) ms/.exec(phases);
  const split = m ? (JSON.parse(m[1]!) as { frontEnd: number; checks: number; byCheck: Record<string, number> }) : undefined;
  if (split) {
    const top = Object.entries(split.byCheck).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([c, ms]) => `${c} ${ms} ms`).join(', ');
    console.log(`\none check of the kube-proxy dump, inside the process: front end (parse + model) ${split.frontEnd} ms, checks ${split.checks} ms (${top})`);
  }

  // A shell script of one iptables call per blocked network (no oracle: running 20,000 iptables
  // processes would time iptables' start-up, not its parser).
  const scriptFile = join(OUT, `blocklist-${SCRIPT_NETWORKS}.sh`);
  writeFileSync(scriptFile, generateBlocklistScript(SCRIPT_NETWORKS));
  const script = time(`${q(LINT)} check ${q(scriptFile)}`);
  console.log(`\nblocklist script, ${SCRIPT_NETWORKS} iptables calls: check ${fmtMs(script.medianMs)} median (${script.runs} runs), ${fmtKb(script.peakRssKb)} peak RSS, exit ${script.exitCode}`);

  const results = {
    phases: split,
    blocklistScript: { networks: SCRIPT_NETWORKS, ...script, command: undefined },
    date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model,
    iptables: sh('iptables', ['--version']).stdout.trim() || null, timer: HAVE_HYPERFINE ? 'hyperfine' : 'node', runs: RUNS,
    kubeDump: dump.stats,
    cases: cases.map((c) => ({ ...c, file: relative(ROOT, c.file) })),
  };
  writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${relative(ROOT, join(OUT, 'results.json'))}`);
}

main();
