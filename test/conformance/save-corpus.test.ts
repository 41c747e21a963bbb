// Conformance on real iptables-save files (corpus/save): the real iptables-restore decides whether each
// file loads and where it stops; iptables-save after the load is the truth for `iptables-lint save`.
// Ours: `check` has an IPT1xx error exactly where the real one rejects (none when it loads), and
// `save` prints what the real iptables-save prints, modulo comments and counters.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { cliSkipReason, type Diagnostic, isRejection, parseCheckJson, parseSaveJson, runCliAsync } from './lib/engine';
import { CORPUS, corpusSkipReason, type Family, iptablesVersion, normalizeSave, oracleSkipReason, pool, PROJECT_ROOT, writeReport } from './lib/oracle';
import { clip, pct, shortDiff, table } from './lib/report';
import { blockOf, detectFamily, type RealRestore, realRestore } from './lib/savefile';

/** Share of files where check and save both agree with the real iptables. The lead raises it; 1 is the goal. */
const REQUIRED_AGREEMENT = 1;

/** Files whose real verdict depends on this machine's kernel rather than on the text. */
const ALLOW_LIST: Record<string, string> = {
  'ustclug-liimstrap/etc_iptables_rules.v4': 'names a host (pxe.ustc.edu.cn): iptables resolves it through DNS, which the namespace lacks',
  'ustclug-liimstrap/etc_iptables_rules.v6': 'names a host (pxe.ustc.edu.cn): iptables resolves it through DNS, which the namespace lacks',
};

const SAVE_DIR = join(CORPUS, 'save');
const GEN_DIR = join(PROJECT_ROOT, 'test-results', 'generated');
const skip = corpusSkipReason('save') || oracleSkipReason();

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return listFiles(p);
    return n === 'SOURCE.txt' ? [] : [p];
  }).sort();
}

type Outcome = 'agree' | 'missed-error' | 'false-error' | 'wrong-line' | 'save-differs' | 'crash' | 'allowed' | 'unchecked';
const BAD = new Set<Outcome>(['missed-error', 'false-error', 'wrong-line', 'save-differs', 'crash']);

interface FileResult {
  path: string; family: Family; lines: number; real: RealRestore; outcome: Outcome; detail: string;
  ourErrors?: { line: number; code: string; message: string }[];
}

/** Runs the CLI once over many files; when it fails as a whole, once per file so one crash names its file. */
async function cliPerFile<T>(args: string[], files: string[], parse: (r: Awaited<ReturnType<typeof runCliAsync>>) => T[], key: (x: T) => string): Promise<Map<string, T | Error>> {
  const out = new Map<string, T | Error>();
  const all = await runCliAsync([...args, ...files], 600_000);
  try {
    for (const x of parse(all)) out.set(key(x), x);
    if (out.size === files.length) return out;
  } catch { /* fall through to one process per file */ }
  await pool(files, 8, async (f) => {
    const r = await runCliAsync([...args, f]);
    try { const [x] = parse(r); out.set(f, x ?? new Error('no output')); } catch (e) { out.set(f, e as Error); }
  });
  return out;
}

function judge(path: string, text: string, real: RealRestore, diags: Diagnostic[] | Error, saved: string | Error | undefined): { outcome: Outcome; detail: string; ourErrors?: FileResult['ourErrors'] } {
  if (diags instanceof Error) return { outcome: 'crash', detail: `check: ${clip(diags.message, 200)}` };
  const ourErrors = diags.filter(isRejection).map((d) => ({ line: d.range.start.line + 1, code: d.code, message: d.message }))
    .sort((a, b) => a.line - b.line);
  const first = ourErrors[0];
  const loaded = real.load.status === 0;
  if (loaded && first) return { outcome: 'false-error', detail: `real loads; ours: line ${first.line} ${first.code} ${clip(first.message, 100)}`, ourErrors };
  if (!loaded) {
    const n = real.load.line;
    const realMsg = clip(real.load.stderr.split('\n').filter((l) => !/^Try |^Warning/.test(l)).join(' '), 120);
    if (!first) return { outcome: 'missed-error', detail: `real stops at line ${n ?? '?'}: ${realMsg}`, ourErrors };
    if (n !== undefined) {
      // A failure reported at COMMIT (e.g. a jump to a missing chain) belongs to some line of that table.
      const { start, isCommit } = blockOf(text, n);
      const ok = isCommit ? first.line >= start && first.line <= n : first.line === n;
      if (!ok) return { outcome: 'wrong-line', detail: `real stops at line ${n}${isCommit ? ' (COMMIT)' : ''}: ${realMsg}; our first error: line ${first.line} ${first.code}`, ourErrors };
    }
    return { outcome: 'agree', detail: `both reject (line ${n})`, ourErrors };
  }
  if (saved instanceof Error || saved === undefined) return { outcome: 'crash', detail: `save: ${clip(saved?.message ?? 'no output', 200)}`, ourErrors };
  const want = normalizeSave(real.saved);
  const got = normalizeSave(saved);
  if (want !== got) return { outcome: 'save-differs', detail: `\n${shortDiff(want, got)}`, ourErrors };
  return { outcome: 'agree', detail: 'both load, same save', ourErrors };
}

test('corpus/save files against the real iptables-restore / iptables-save', { skip, timeout: 15 * 60_000 }, async (t) => {
  const files = listFiles(SAVE_DIR);
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const families = new Map(files.map((f) => [f, detectFamily(f, texts.get(f)!)]));
  const t0 = performance.now();
  const reals = await pool(files, 8, (f) => realRestore(f, families.get(f)!));
  const oracleSeconds = (performance.now() - t0) / 1000;

  const cliSkip = cliSkipReason();
  if (cliSkip) t.diagnostic(`comparison skipped: ${cliSkip} (only the oracle runs)`);
  const checks = new Map<string, Diagnostic[] | Error>();
  const saves = new Map<string, string | Error>();
  if (!cliSkip) {
    for (const fam of [4, 6] as const) {
      const group = files.filter((f) => families.get(f) === fam);
      const c = await cliPerFile(['check', '--format', 'json', '--family', String(fam)], group, parseCheckJson, (x) => x.path);
      for (const [k, v] of c) checks.set(k, v instanceof Error ? v : v.diagnostics);
      const s = await cliPerFile(['save', '--format', 'json', '--family', String(fam)], group, parseSaveJson, (x) => x.path);
      for (const [k, v] of s) saves.set(k, v instanceof Error ? v : v.save);
    }
  }

  const results: FileResult[] = files.map((f, i) => {
    const real = reals[i]!;
    const text = texts.get(f)!;
    const base = { path: relative(SAVE_DIR, f), family: families.get(f)!, lines: text.split('\n').length, real };
    if (cliSkip) return { ...base, outcome: 'unchecked', detail: '' };
    const j = judge(f, text, real, checks.get(f) ?? new Error('no result from check'), saves.get(f));
    const allow = ALLOW_LIST[base.path];
    return { ...base, ...j, outcome: allow ? 'allowed' : j.outcome, detail: allow ? `${allow}; ${j.detail}` : j.detail };
  });

  const rows = results.map((r) => [
    clip(r.path.replace(/^diekmann-Iptables_Semantics\/thy\//, 'diekmann…/').replace(/^moby\/TestIptabler\//, 'moby/'), 70),
    `v${r.family}`, r.lines, r.real.load.status === 0 ? 'loads' : `rejects@${r.real.load.line ?? '?'}`, r.outcome,
  ]);
  console.log(`\n${iptablesVersion()}; ${files.length} files; oracle ${oracleSeconds.toFixed(1)} s (cached after the first run)`);
  console.log(table(['file', 'fam', 'lines', 'real', 'ours'], rows));
  const n = (o: Outcome): number => results.filter((r) => r.outcome === o).length;
  const compared = results.length - n('allowed') - n('unchecked');
  const realLoads = results.filter((r) => r.real.load.status === 0).length;
  const testOnly = results.filter((r) => r.real.test.status === 0 && r.real.load.status !== 0);
  console.log(`\nreal: ${realLoads} load, ${results.length - realLoads} rejected (${testOnly.length} of them pass --test but fail to load)`);
  console.log(table(['outcome', 'files'], (['agree', 'missed-error', 'false-error', 'wrong-line', 'save-differs', 'crash', 'allowed', 'unchecked'] as Outcome[]).map((o) => [o, n(o)])));
  if (compared) console.log(`agreement: ${n('agree')}/${compared} = ${pct(n('agree'), compared)}`);
  const bad = results.filter((r) => BAD.has(r.outcome));
  if (bad.length) console.log(`\nDisagreements:\n${bad.map((r) => `  [${r.outcome}] ${r.path} (v${r.family}): ${r.detail}`).join('\n')}`);
  t.diagnostic(`report: ${writeReport('save-corpus.json', { iptables: iptablesVersion(), required: REQUIRED_AGREEMENT, results: results.map(({ real, ...r }) => ({ ...r, realLoad: real.load, realTest: real.test })) })}`);

  // Oracle sanity: most of these files are real dumps that load.
  assert.ok(realLoads > files.length * 0.8, `only ${realLoads}/${files.length} files load in the real iptables-restore`);
  if (cliSkip) return;
  assert.equal(n('crash'), 0, `check/save crashed on:\n${results.filter((r) => r.outcome === 'crash').map((r) => `  ${r.path}: ${r.detail}`).join('\n')}`);
  assert.ok(n('agree') / compared >= REQUIRED_AGREEMENT, `agreement ${pct(n('agree'), compared)} is below ${(REQUIRED_AGREEMENT * 100).toFixed(1)}%`);
});

// A generated kube-proxy dump (bench/kube-dump.ts, small): iptables-save prints it back unchanged, so
// ours must load it without errors and print exactly the same.
test('generated kube-proxy dump: check is clean, save equals the real iptables-save', { skip: oracleSkipReason() || cliSkipReason(), timeout: 5 * 60_000 }, async () => {
  const { generateKubeDump } = await import('../../bench/kube-dump');
  const { text, stats } = generateKubeDump(3000, 7);
  mkdirSync(GEN_DIR, { recursive: true });
  const file = join(GEN_DIR, `kube-proxy-${stats.lines}.rules`);
  writeFileSync(file, text);
  const real = await realRestore(file, 4);
  assert.equal(real.load.status, 0, `the real iptables-restore rejects the generated dump: ${real.load.stderr}`);
  const [checked] = parseCheckJson(await runCliAsync(['check', '--format', 'json', file]));
  const errors = (checked?.diagnostics ?? []).filter(isRejection);
  assert.deepEqual(errors.slice(0, 5).map((d) => `line ${d.range.start.line + 1}: ${d.code} ${d.message}`), [], `${errors.length} IPT1xx errors on a dump the real iptables loads`);
  const [saved] = parseSaveJson(await runCliAsync(['save', '--format', 'json', file]));
  const want = normalizeSave(real.saved);
  const got = normalizeSave(saved?.save ?? '');
  assert.ok(want === got, `save differs from the real iptables-save (-real +ours):\n${shortDiff(want, got, 10)}`);
});
