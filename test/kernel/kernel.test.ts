// Proof against the Linux kernel: the tracer's verdict and matched rules, and sampled exposure-matrix
// cells, compared with what the real netfilter does with crafted packets (see lib/lab.ts for the
// two-namespace lab). Rulesets: the seed script, test/fixtures/scripts, test/fixtures/trace and the
// save files in ../shared/corpus/save that this kernel loads. Needs root; skips cleanly otherwise.
//   KERNEL_PACKETS=N    packets per corpus file (default 8; fixtures get 5x)
//   KERNEL_SEED=N       seed of the random packets (default 20240601)
//   KERNEL_BUDGET_S=N   stop adding corpus files after N seconds (default 300)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, detectSaveFamily } from '../../server/src/engine';
import { Lab, cleanStaleNamespaces, hasConntrackTool, labSkipReason } from './lib/lab';
import { generateCases, pickInterfaces } from './lib/cases';
import { addressNet } from '../../server/src/analysis/trace-match';
import { runRuleset, type CaseResult, type RulesetRun } from './lib/verify';
import { sampleMatrix, type CellResult } from './lib/matrix-sample';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = resolve(ROOT, '../shared/corpus/save');
const SEED_SCRIPT = resolve(ROOT, '../shared/seed/packet_filter.sh');
const REPORT = join(ROOT, 'test-results', 'kernel');
const PACKETS = Number(process.env.KERNEL_PACKETS ?? 8);
const SEED = Number(process.env.KERNEL_SEED ?? 20240601);
const BUDGET_MS = Number(process.env.KERNEL_BUDGET_S ?? 300) * 1000;

const skip = labSkipReason();
const conntrack = !skip && hasConntrackTool();

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  }).sort();
}

/** Every ruleset to load, with the number of packets it gets. */
function rulesets(): { run: RulesetRun; packets: number; corpus?: boolean }[] {
  const out: { run: RulesetRun; packets: number; corpus?: boolean }[] = [];
  const scratch = join(tmpdir(), `iptlk-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const script = (name: string, text: string, packets: number) => {
    const path = join(scratch, `${out.length}.sh`);
    writeFileSync(path, text);
    const analysis = analyze(text, { kind: 'shell' });
    for (const family of analysis.families) out.push({ run: { name: `${name}/v${family}`, family, analysis, load: (lab) => lab.runScript(path) }, packets });
  };
  if (existsSync(SEED_SCRIPT)) script('seed/packet_filter.sh (TrustIP=210.172.143.2)', readFileSync(SEED_SCRIPT, 'utf8').replace("TrustIP='y.y.y.y'", "TrustIP='210.172.143.2'"), PACKETS * 6);
  for (const f of files(join(ROOT, 'test/fixtures/scripts')).filter((f) => f.endsWith('.sh'))) script(relative(ROOT, f), readFileSync(f, 'utf8'), PACKETS * 3);
  const save = (name: string, path: string, packets: number, corpus = false) => {
    const text = readFileSync(path, 'utf8');
    const family = detectSaveFamily(text, path);
    out.push({ run: { name, family, analysis: analyze(text, { kind: 'save', family, path }), load: (lab) => lab.restore(family, text) }, packets, corpus });
  };
  for (const f of files(join(ROOT, 'test/fixtures/trace')).filter((f) => f.endsWith('.rules'))) save(relative(ROOT, f), f, PACKETS * 5);
  for (const f of files(CORPUS).filter((f) => !f.endsWith('SOURCE.txt'))) save(`corpus/${relative(CORPUS, f)}`, f, PACKETS, true);
  return out;
}

const results: CaseResult[] = [];
const cells: CellResult[] = [];
const skipped: { name: string; reason: string }[] = [];
let lab: Lab | undefined;

after(() => lab?.stop());

test('the kernel agrees with the tracer and with sampled matrix cells', { skip: skip || undefined }, async () => {
  cleanStaleNamespaces();
  const started = Date.now();
  const all = rulesets();
  lab = new Lab('eth0', 'eth1');
  await lab.start();
  let n = 0;
  for (const { run, packets, corpus } of all) {
    n++;
    if (corpus && Date.now() - started > BUDGET_MS) {
      skipped.push({ name: run.name, reason: 'time budget (KERNEL_BUDGET_S)' });
      continue;
    }
    const rs = run.analysis.rulesets[run.family];
    const names = pickInterfaces(rs);
    await lab.rename(names.iif, names.oif);
    const cases = generateCases(rs, { seed: SEED + n, count: packets, iif: names.iif, oif: names.oif, established: conntrack });
    const got = await runRuleset(lab, run, cases, conntrack);
    if (got.skipped) { skipped.push({ name: run.name, reason: got.skipped }); continue; }
    results.push(...got.results);
    const local = new Set<bigint>(lab.locals.map((a) => addressNet(a, run.family)).filter((x) => typeof x !== 'string').map((x) => x.net)), remote = new Set<bigint>();
    cells.push(...await sampleMatrix(lab, run.name, run.analysis, run.family, Math.max(4, Math.round(packets / 2)), SEED + 7 * n, { local, remote }));
  }

  const count = (s: CaseResult['status']) => results.filter((r) => r.status === s).length;
  const decided = count('agree') + count('disagree');
  const summary = {
    rulesets: all.length - skipped.length,
    rulesetsSkipped: skipped.length,
    packets: results.length,
    agree: count('agree'),
    disagree: count('disagree'),
    depends: count('depends'),
    skippedPackets: count('skipped'),
    agreement: decided ? `${((100 * count('agree')) / decided).toFixed(2)} %` : 'n/a',
    agreedOnRetry: results.filter((r) => r.retried).length,
    matrixCells: cells.length,
    matrixAgree: cells.filter((c) => c.ok).length,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  mkdirSync(REPORT, { recursive: true });
  writeFileSync(join(REPORT, 'report.json'), JSON.stringify({ summary, skipped, disagreements: results.filter((r) => r.status === 'disagree'), matrixMisses: cells.filter((c) => !c.ok), results, cells }, null, 1));
  console.log(`# kernel: ${summary.rulesets} rulesets, ${summary.packets} packets: ${summary.agree} agree, ${summary.disagree} disagree, ${summary.depends} depends, ${summary.skippedPackets} not run; agreement ${summary.agreement} (${summary.agreedOnRetry} on a second try); matrix cells ${summary.matrixAgree}/${summary.matrixCells}; ${summary.rulesetsSkipped} rulesets skipped; ${summary.seconds} s (report: ${relative(ROOT, REPORT)}/report.json)`);
  for (const r of results.filter((x) => x.status === 'disagree').slice(0, 10)) console.log(`#   ${r.ruleset}: ${r.packet} | tracer ${r.tracer} | kernel ${r.kernel} | ${r.detail}`);
  for (const c of cells.filter((x) => !x.ok).slice(0, 10)) console.log(`#   matrix ${c.ruleset} ${c.table}: ${c.packet} expected ${c.expected}, delivered ${c.delivered}`);

  assert.ok(results.length > 50, `too few packets compared (${results.length}); see ${REPORT}/report.json`);
  assert.equal(summary.disagree, 0, 'the tracer disagrees with the kernel (details above and in the report)');
  assert.equal(cells.filter((c) => !c.ok).length, 0, 'matrix cells disagree with the kernel');
});
