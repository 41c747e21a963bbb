// Language-server benchmark through the real server over JSON-RPC (dist/server.cjs --stdio):
// server start, one-line edit -> published diagnostics on 1k/10k/70k-line iptables-save
// documents (kube-proxy dumps), hover and completion latency, peak memory (RSS from /proc).
// Prints a table and whether the targets are met; never fails on a threshold.
//   npm run bench:lsp [-- --sizes 1000,10000 --edits 20 --budget 120 --script 20000]
// `--script N` adds a shell script of N iptables calls (bench/blocklist-script.ts; no target).
import { generateKubeDump } from '../kube-dump';
import { generateBlocklistScript } from '../blocklist-script';
import { LspClient, pos, rssOf, serverBuilt } from '../../test/lsp/client';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const SIZES = arg('sizes', '1000,10000,70000').split(',').map(Number);
const SCRIPT = Number(arg('script', '0'));
const EDITS = Number(arg('edits', '20'));
/** Seconds a size may take before the rest of its measurements are skipped. */
const BUDGET = Number(arg('budget', '150'));
const HOVERS = 200;
const COMPLETIONS = 100;

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x: number) => (Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(1) : x.toFixed(0));
const now = () => performance.now();

interface Row { size: number; lines: number; open: number; editP50: number; editP95: number; edits: number; firstEdit: number; maxEdit: number; newlineP50: number; newlineP95: number; hoverP95: number; completionP95: number; completionItems: number; rssMB: number; peakMB: number; note: string }

async function withTimeout<T>(p: Promise<T>, seconds: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), seconds * 1000); });
  const r = await Promise.race([p, t]);
  clearTimeout(timer);
  return r;
}

async function measureStart(runs = 5): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    const c = await LspClient.start();
    times.push(now() - t0);
    await c.stop();
  }
  return times;
}

/** A document to measure: where to type, and which lines hold rules. */
interface Doc { text: string; uri: string; languageId: string; editAt: (lines: string[]) => { line: number; col: number }; isRule: (line: string) => boolean }

const kubeDoc = (size: number): Doc => ({
  text: generateKubeDump(size).text, uri: `file:///bench/kube-${size}.rules`, languageId: 'iptables',
  // A character in a rule's comment in the middle of the document.
  editAt: (lines) => { const line = lines.findIndex((l, i) => i > lines.length / 2 && l.includes('--comment "')); return { line, col: lines[line].indexOf('--comment "') + '--comment "'.length }; },
  isRule: (l) => l.startsWith('-A '),
});
const scriptDoc = (networks: number): Doc => ({
  text: generateBlocklistScript(networks), uri: `file:///bench/blocklist-${networks}.sh`, languageId: 'shellscript',
  // A digit of a blocked network in the middle of the script.
  editAt: (lines) => { const line = Math.floor(lines.length / 2); return { line, col: lines[line].indexOf(' -s ') + 4 }; },
  isRule: (l) => l.startsWith('iptables -'),
});

async function measureSize(size: number, doc: Doc = kubeDoc(size)): Promise<Row> {
  const { text, uri } = doc;
  const lines = text.split('\n');
  const row: Row = { size, lines: lines.length, open: NaN, editP50: NaN, editP95: NaN, edits: 0, firstEdit: NaN, maxEdit: NaN, newlineP50: NaN, newlineP95: NaN, hoverP95: NaN, completionP95: NaN, completionItems: 0, rssMB: NaN, peakMB: NaN, note: '' };
  const c = await LspClient.start();
  const deadline = now() + BUDGET * 1000;
  const left = () => Math.max(1, (deadline - now()) / 1000);
  try {
    let t0 = now();
    c.open(uri, text, doc.languageId);
    const first = await withTimeout(c.diagnosticsFor(uri, 1, BUDGET * 1000), left());
    if (first === 'timeout') { row.note = `first analysis over ${BUDGET} s`; return row; }
    row.open = now() - t0;

    // One-line edits in the middle of the document: a character added, then removed.
    const { line: target, col } = doc.editAt(lines);
    const times: number[] = [];
    for (let k = 0; k < EDITS; k++) {
      const change = k % 2 === 0
        ? { range: { start: pos(target, col), end: pos(target, col) }, text: 'x' }
        : { range: { start: pos(target, col), end: pos(target, col + 1) }, text: '' };
      t0 = now();
      const v = c.change(uri, [change]);
      const got = await withTimeout(c.diagnosticsFor(uri, v, BUDGET * 1000), left());
      if (got === 'timeout') { row.note = `stopped after ${times.length} edits (budget)`; break; }
      times.push(now() - t0);
      if (now() > deadline) { row.note = `stopped after ${times.length} edits (budget)`; break; }
    }
    row.edits = times.length;
    row.editP50 = pct(times, 50);
    row.editP95 = pct(times, 95);
    row.firstEdit = times[0] ?? NaN;
    row.maxEdit = times.length ? Math.max(...times) : NaN;

    // Enter pressed and undone in the middle: every later line moves (not a target; for the record).
    const newlines: number[] = [];
    for (let k = 0; k < 10 && now() < deadline; k++) {
      const change = k % 2 === 0
        ? { range: { start: pos(target, 0), end: pos(target, 0) }, text: '\n' }
        : { range: { start: pos(target, 0), end: pos(target + 1, 0) }, text: '' };
      t0 = now();
      const v = c.change(uri, [change]);
      const got = await withTimeout(c.diagnosticsFor(uri, v, BUDGET * 1000), left());
      if (got === 'timeout') break;
      newlines.push(now() - t0);
    }
    row.newlineP50 = pct(newlines, 50);
    row.newlineP95 = pct(newlines, 95);

    // Hover on words of rule lines spread over the document (the analysis is current).
    const ruleLines = lines.map((l, i) => [l, i] as const).filter(([l]) => doc.isRule(l));
    const hovers: number[] = [];
    for (let k = 0; k < HOVERS && now() < deadline; k++) {
      const [l, i] = ruleLines[Math.floor((k * 7919) % ruleLines.length)];
      const words = [...l.matchAll(/\S+/g)];
      const w = words[k % words.length];
      t0 = now();
      await c.request('textDocument/hover', { textDocument: { uri }, position: pos(i, (w.index ?? 0) + 1) });
      hovers.push(now() - t0);
    }
    row.hoverP95 = pct(hovers, 95);

    // Completion after `-j ` (targets plus every user chain of the table) and after `--` (options).
    const completions: number[] = [];
    for (let k = 0; k < COMPLETIONS && now() < deadline; k++) {
      const [l, i] = ruleLines[Math.floor((k * 104729) % ruleLines.length)];
      const at = k % 2 === 0 ? l.indexOf(' -j ') + 4 : l.indexOf(' --') + 3;
      t0 = now();
      const list = await c.request<{ items: unknown[] }>('textDocument/completion', { textDocument: { uri }, position: pos(i, at > 3 ? at : l.length) });
      completions.push(now() - t0);
      row.completionItems = Math.max(row.completionItems, list.items.length);
    }
    row.completionP95 = pct(completions, 95);
    const mem = rssOf(c.proc.pid!);
    if (mem) { row.rssMB = mem.rss / 2 ** 20; row.peakMB = mem.peak / 2 ** 20; }
    return row;
  } finally {
    c.kill();
  }
}

async function main(): Promise<void> {
  if (!serverBuilt()) { console.error('dist/server.cjs is missing: run npm run build'); process.exit(2); }
  const start = await measureStart();
  console.log(`server start (spawn -> initialize result), ${start.length} runs: p50 ${ms(pct(start, 50))} ms, max ${ms(Math.max(...start))} ms`);
  const rows: Row[] = [];
  for (const size of SIZES) {
    const r = await measureSize(size);
    rows.push(r);
    console.log(`  ${size} lines measured${r.note ? ' — ' + r.note : ''}`);
  }
  if (SCRIPT > 0) {
    const r = await measureSize(SCRIPT, scriptDoc(SCRIPT));
    r.note = `shell script, ${SCRIPT} iptables calls${r.note ? '; ' + r.note : ''}`;
    rows.push(r);
    console.log(`  script of ${SCRIPT} calls measured`);
  }
  console.log('\n| lines | open->diagnostics ms | edit->diagnostics p50 / p95 ms (n) | first / max edit ms | Enter p50 / p95 ms | hover p95 ms | completion p95 ms (max items) | RSS / peak MB | note |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    console.log(`| ${r.lines} | ${ms(r.open)} | ${ms(r.editP50)} / ${ms(r.editP95)} (${r.edits}) | ${ms(r.firstEdit)} / ${ms(r.maxEdit)} | ${ms(r.newlineP50)} / ${ms(r.newlineP95)} | ${ms(r.hoverP95)} | ${ms(r.completionP95)} (${r.completionItems}) | ${ms(r.rssMB)} / ${ms(r.peakMB)} | ${r.note} |`);
  }
  const at = (n: number) => rows.find((r) => r.size === n);
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met');
  const r10 = at(10000), r70 = at(70000);
  console.log('\nTargets:');
  console.log(`- edit->diagnostics p95 <= 50 ms at 10k lines: ${verdict(r10 && r10.edits ? r10.editP95 <= 50 : undefined)}`);
  console.log(`- edit->diagnostics p95 <= 300 ms at 70k lines: ${verdict(r70 && r70.edits ? r70.editP95 <= 300 : undefined)}`);
  const hov = rows.filter((r) => !Number.isNaN(r.hoverP95));
  console.log(`- hover/completion p95 <= 10 ms: ${verdict(hov.length ? hov.every((r) => r.hoverP95 <= 10 && r.completionP95 <= 10) : undefined)}`);
  console.log(`- server start <= 300 ms: ${verdict(pct(start, 50) <= 300)}`);
  console.log(`- memory <= 300 MB at 70k lines: ${verdict(r70 && !Number.isNaN(r70.peakMB) ? r70.peakMB <= 300 : undefined)}`);
}

await main();
