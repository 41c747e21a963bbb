// Robustness on real firewall shell scripts (corpus/scripts): `iptables-lint check` must not crash,
// must not call valid shell (as `bash -n` judges it) a shell syntax error (IPT100), and should be quick.
// fail2ban action templates are INI files with <placeholders>, not shell: only "no crash" applies.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { cliSkipReason, type Diagnostic, isRejection, parseCheckJson, runCliAsync } from './lib/engine';
import { CORPUS, corpusSkipReason, oracleSkipReason, pool, writeReport } from './lib/oracle';
import { clip, table } from './lib/report';
import { literalCommandAt, realVerdict } from './lib/verify-command';

const DIR = join(CORPUS, 'scripts');
/**
 * IPT1xx errors on literal commands that the real iptables accepts when run alone (false alarms).
 * The lead lowers this to 0 as the engine improves.
 */
const MAX_REFUTED_ERRORS = 3;
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

// Every IPT1xx error ("iptables would reject this") on a literal command of a valid script is put to
// the real iptables: the command runs alone in a namespace (user chains it needs are created first).
test('corpus/scripts: IPT1xx errors on literal commands, confirmed by the real iptables', { skip: skip || oracleSkipReason(), timeout: 10 * 60_000 }, async () => {
  const files = listFiles(DIR).filter((f) => !relative(DIR, f).startsWith('fail2ban-action-templates/') && spawnSync('bash', ['-n', f]).status === 0);
  const checked = await pool(files, 4, async (f) => ({ f, files: parseCheckJson(await runCliAsync(['check', '--format', 'json', f], HANG_MS)) }));
  const items: { where: string; codes: string; verdict: string; detail: string }[] = [];
  for (const { f, files: [file] } of checked) {
    const text = readFileSync(f, 'utf8');
    const byCommand = new Map<string, { line: number; diags: Diagnostic[] }>();
    for (const d of (file?.diagnostics ?? []).filter(isRejection)) {
      const line = d.range.start.line + 1;
      const cmd = literalCommandAt(text, line);
      const key = typeof cmd === 'string' ? `${line}` : `${cmd.firstLine}`;
      const entry = byCommand.get(key) ?? { line: typeof cmd === 'string' ? line : cmd.firstLine, diags: [] };
      entry.diags.push(d);
      byCommand.set(key, entry);
    }
    for (const { line, diags } of byCommand.values()) {
      const cmd = literalCommandAt(text, line);
      const where = `${relative(DIR, f)}:${line}`;
      const codes = [...new Set(diags.map((d) => d.code))].join(',');
      if (typeof cmd === 'string') { items.push({ where, codes, verdict: 'unverifiable', detail: cmd }); continue; }
      const real = await realVerdict(cmd);
      const ours = clip(diags.map((d) => d.message).join('; '), 110);
      if (real.accepted) items.push({ where, codes, verdict: 'REFUTED', detail: `real accepts \`${clip(cmd.args, 90)}\`; ours: ${ours}` });
      else items.push({ where, codes, verdict: 'confirmed', detail: `real: ${clip(real.stderr.split('\n')[0] ?? '', 90)}` });
    }
  }
  console.log(`\n${table(['where', 'codes', 'verdict', 'detail'], items.map((i) => [clip(i.where, 62), i.codes, i.verdict, i.detail]))}`);
  const n = (v: string): number => items.filter((i) => i.verdict === v).length;
  console.log(`IPT1xx errors on commands: ${items.length}; confirmed by the real iptables ${n('confirmed')}, refuted ${n('REFUTED')}, unverifiable ${n('unverifiable')}`);
  const refuted = items.filter((i) => i.verdict === 'REFUTED');
  assert.ok(refuted.length <= MAX_REFUTED_ERRORS, `${refuted.length} errors the real iptables refutes (allowed: ${MAX_REFUTED_ERRORS}):\n${refuted.map((i) => `  ${i.where} ${i.codes}: ${i.detail}`).join('\n')}`);
});
