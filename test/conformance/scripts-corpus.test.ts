// Robustness on real firewall shell scripts (corpus/scripts): `iptables-lint check` must not crash,
// must not call valid shell (as `bash -n` judges it) a shell syntax error (IPT100), and should be quick.
// fail2ban action templates are INI files with <placeholders>, not shell: only "no crash" applies.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { cliSkipReason, type Diagnostic, isRejection, parseCheckJson, runCliAsync } from './lib/engine';
import { CORPUS, corpusSkipReason, pool, writeReport } from './lib/oracle';
import { clip, table } from './lib/report';

const DIR = join(CORPUS, 'scripts');
/** A process that takes longer than this is reported as hanging (not a speed threshold). */
const HANG_MS = 60_000;

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return listFiles(p);
    return n === 'SOURCE.txt' ? [] : [p];
  }).sort();
}

const skip = corpusSkipReason('scripts') || cliSkipReason();

test('corpus/scripts: check does not crash, no IPT100 on valid shell', { skip, timeout: 10 * 60_000 }, async () => {
  const files = listFiles(DIR);
  const results = await pool(files, 4, async (f) => {
    const rel = relative(DIR, f);
    const template = rel.startsWith('fail2ban-action-templates/');
    const bashOk = spawnSync('bash', ['-n', f], { encoding: 'utf8' }).status === 0;
    const r = await runCliAsync(['check', '--format', 'json', f], HANG_MS);
    let diags: Diagnostic[] = [];
    let kind = '?';
    let crash: string | undefined;
    if (r.signal) crash = `killed by ${r.signal} after ${(r.ms / 1000).toFixed(1)} s`;
    else {
      try {
        const [file] = parseCheckJson(r);
        diags = file?.diagnostics ?? [];
        kind = file?.kind ?? '?';
      } catch (e) { crash = clip((e as Error).message, 300); }
    }
    const ipt100 = diags.filter((d) => d.code === 'IPT100');
    return { rel, template, bashOk, ms: r.ms, lines: readFileSync(f, 'utf8').split('\n').length, kind, diags, ipt100, crash };
  });

  console.log(`\n${table(['file', 'lines', 'bash -n', 'kind', 'seconds', 'errors', 'IPT100', 'diagnostics', 'verdict'], results.map((r) => [
    clip(r.rel, 60), r.lines, r.template ? 'template' : r.bashOk ? 'ok' : 'invalid', r.kind, (r.ms / 1000).toFixed(2),
    r.diags.filter(isRejection).length, r.ipt100.length, r.diags.length,
    r.crash ? 'CRASH' : !r.template && r.bashOk && r.ipt100.length ? 'FALSE IPT100' : 'ok',
  ]))}`);
  const total = results.reduce((s, r) => s + r.ms, 0) / 1000;
  const slowest = [...results].sort((a, b) => b.ms - a.ms)[0]!;
  console.log(`total ${total.toFixed(2)} s for ${results.length} processes; slowest ${slowest.rel} ${(slowest.ms / 1000).toFixed(2)} s`);
  // Which codes the corpus draws, for the lead's eye.
  const byCode = new Map<string, number>();
  for (const r of results) for (const d of r.diags) byCode.set(`${d.code} ${d.severity}`, (byCode.get(`${d.code} ${d.severity}`) ?? 0) + 1);
  console.log(`diagnostics by code: ${[...byCode].sort().map(([k, v]) => `${k}×${v}`).join(', ') || 'none'}`);
  writeReport('scripts-corpus.json', results.map(({ diags, ...r }) => ({ ...r, diagnostics: diags })));

  const crashes = results.filter((r) => r.crash);
  assert.deepEqual(crashes.map((r) => `${r.rel}: ${r.crash}`), [], 'check crashed or hung');
  const false100 = results.filter((r) => !r.template && r.bashOk && r.ipt100.length);
  assert.deepEqual(false100.map((r) => `${r.rel}: ${r.ipt100.map((d) => `line ${d.range.start.line + 1}: ${clip(d.message, 100)}`).join('; ')}`), [],
    'IPT100 (shell syntax error) on scripts bash -n accepts');
});
