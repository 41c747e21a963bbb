// `iptables-lint trace` and `iptables-lint matrix`: the tracer and the exposure matrix on the
// command line (JSON shapes in DESIGN.md's CLI contract; text for people).
import type { Analysis } from './engine';
import type { Family, Lang } from './syntax/ast';
import { tracePacket, type TraceResult, type TraceStep } from './analysis/tracer';
import { exposureMatrix, formatMatrixText, matrixJson } from './analysis/matrix';

export interface ExtraArgs {
  format: 'text' | 'json' | 'sarif';
  lang: Lang;
  packet?: string;
  family?: Family;
}

const t = (lang: Lang, en: string, ja: string) => (lang === 'ja' ? ja : en);

/** Runs `trace` or `matrix` on already analysed files; returns the exit status (0 fine, 2 usage). */
export function runExtraCommand(command: 'trace' | 'matrix', analyses: { path: string; analysis: Analysis }[], args: ExtraArgs,
  out: (s: string) => void, errOut: (s: string) => void): number {
  const { lang } = args;
  if (args.format === 'sarif') {
    errOut(`iptables-lint: ${t(lang, `--format sarif is not available for ${command} (use text or json)`, `${command} では --format sarif は使えません（text か json を使います）`)}`);
    return 2;
  }
  if (command === 'matrix') {
    const results = analyses.map(({ path, analysis }) => ({ path, matrix: exposureMatrix(analysis, { family: args.family }) }));
    if (args.format === 'json') out(JSON.stringify({ version: 1, files: results.map(({ path, matrix }) => ({ path, ...matrixJson(matrix, lang) })) }));
    else out(results.map(({ path, matrix }) => (results.length > 1 ? `${path}\n` : '') + formatMatrixText(matrix, lang)).join('\n\n'));
    return 0;
  }
  if (!args.packet) {
    errOut(`iptables-lint: ${t(lang, 'trace needs --packet "PROTO SRC[:PORT] > DST[:PORT] [in IFACE] [out IFACE] [state STATE]"', 'trace には --packet "PROTO 送信元[:ポート] > 宛先[:ポート] [in IF] [out IF] [state 状態]" が必要です')}`);
    return 2;
  }
  if (analyses.length !== 1) {
    errOut(`iptables-lint: ${t(lang, 'trace takes exactly one file', 'trace に指定できるファイルは 1 つだけです')}`);
    return 2;
  }
  const { path, analysis } = analyses[0];
  const r = tracePacket(analysis, args.packet);
  if (!r.ok) {
    errOut(`iptables-lint: --packet: ${r.message[lang]}`);
    return 2;
  }
  out(args.format === 'json' ? JSON.stringify(traceJson(r, lang)) : traceText(r, path, analysis, lang));
  return 0;
}

/** DESIGN.md's contract (version, verdict, decidedBy, steps), plus fields that only add. */
export function traceJson(r: TraceResult, lang: Lang): object {
  return {
    version: 1,
    verdict: r.verdict,
    decidedBy: r.decidedBy ? { line: r.decidedBy.line, chain: r.decidedBy.chain, table: r.decidedBy.table } : null,
    steps: r.steps.map((s) => ({
      table: s.table, chain: s.chain, line: s.line, matched: s.matched,
      ...(s.target && s.matched ? { target: s.target } : {}),
      ...(s.undecided ? { undecided: s.undecided[lang] } : {}),
    })),
    packet: r.packetText,
    family: r.family,
    path: r.path,
    policy: r.policyOf ?? null,
    hooks: r.hooks.map((h) => ({ table: h.table, chain: h.chain, verdict: h.verdict, line: h.line })),
    dependsOn: r.dependsOn.map((d) => ({ line: d.line, chain: d.chain, table: d.table, reason: d.reason[lang] })),
    outcomes: r.outcomes.map((o) => ({
      verdict: o.verdict,
      decidedBy: o.decidedBy ? { line: o.decidedBy.line, chain: o.decidedBy.chain, table: o.decidedBy.table } : null,
      assuming: o.assumptions.map((a) => ({ line: a.line, chain: a.chain, matched: a.matched })),
    })),
    notes: r.notes.map((n) => n[lang]),
  };
}

const PATH_TEXT = {
  input: ['incoming: to this host', '受信: このホスト宛て'],
  forward: ['forwarded: through this host', '転送: このホストを経由'],
  output: ['outgoing: from this host', '送信: このホストから'],
} as const;

/** Each rule evaluated (long runs of non-matching rules folded), then the verdict. Lines are 1-based here. */
export function traceText(r: TraceResult, path: string, analysis: Analysis, lang: Lang): string {
  const lines: string[] = [];
  const src = analysis.text.split('\n');
  const ruleText = (s: TraceStep) => (src[s.line] ?? '').trim().replace(/\s+/g, ' ').slice(0, 90);
  lines.push(`${t(lang, 'packet', 'パケット')}: ${r.packetText}  (${PATH_TEXT[r.path][lang === 'ja' ? 1 : 0]})`);
  let current = '';
  let run: TraceStep[] = [];
  const flush = () => {
    if (run.length > 6) {
      lines.push(`    ${ruleLine(run[0])}  ${t(lang, 'no match', '不一致')}`);
      lines.push(`    … ${t(lang, `${run.length - 2} more rules did not match (lines ${run[1].line + 1}-${run[run.length - 2].line + 1})`, `ほか ${run.length - 2} 個のルールも不一致（${run[1].line + 1}〜${run[run.length - 2].line + 1} 行目）`)}`);
      lines.push(`    ${ruleLine(run[run.length - 1])}  ${t(lang, 'no match', '不一致')}`);
    } else for (const s of run) lines.push(`    ${ruleLine(s)}  ${t(lang, 'no match', '不一致')}`);
    run = [];
  };
  const ruleLine = (s: TraceStep) => `${path}:${s.line + 1}  ${ruleText(s)}`;
  for (const s of r.steps) {
    const head = `${s.table} ${s.chain}`;
    if (head !== current) { flush(); current = head; lines.push(`  ${head}`); }
    if (!s.matched && !s.undecided) { run.push(s); continue; }
    flush();
    const what = s.undecided ? `${t(lang, 'undecided', '判定不能')} (${s.undecided[lang]})` : `${t(lang, 'MATCH', '一致')} -> ${s.target ?? t(lang, '(no target)', '（ターゲットなし）')}`;
    lines.push(`    ${ruleLine(s)}  ${what}`);
  }
  flush();
  for (const h of r.hooks) if (h.line === null) lines.push(`  ${h.table} ${h.chain}: ${t(lang, `policy ${h.verdict}`, `ポリシー ${h.verdict}`)}`);
  const by = r.decidedBy
    ? t(lang, `by ${path}:${r.decidedBy.line + 1} (${r.decidedBy.table} ${r.decidedBy.chain})`, `${path}:${r.decidedBy.line + 1}（${r.decidedBy.table} ${r.decidedBy.chain}）による`)
    : r.policyOf ? t(lang, `by the policy of ${r.policyOf.table} ${r.policyOf.chain}`, `${r.policyOf.table} ${r.policyOf.chain} のポリシーによる`) : t(lang, 'no rule or policy decided (nothing filters this path)', '決定したルールもポリシーもありません（この経路には何もフィルタがありません）');
  lines.push(`${t(lang, 'verdict', '判定')}: ${r.verdict} ${r.verdict === 'DEPENDS' && r.decidedBy ? t(lang, `at ${path}:${r.decidedBy.line + 1}`, `${path}:${r.decidedBy.line + 1} の条件次第`) : by}`);
  for (const d of r.dependsOn) lines.push(`  ${path}:${d.line + 1}: ${d.reason[lang]}`);
  if (r.verdict === 'DEPENDS' && r.outcomes.length > 1) {
    for (const o of r.outcomes.slice(0, 8)) {
      const assuming = o.assumptions.map((a) => `${a.line + 1}${a.matched ? '✓' : '✗'}`).join(' ');
      lines.push(`  ${t(lang, 'if', '仮定')} [${assuming}] -> ${o.verdict}${o.decidedBy ? ` (${path}:${o.decidedBy.line + 1})` : ''}`);
    }
    if (r.outcomes.length > 8) lines.push(`  … ${r.outcomes.length - 8}`);
  }
  for (const n of r.notes) lines.push(`${t(lang, 'note', '注')}: ${n[lang]}`);
  return lines.join('\n');
}
