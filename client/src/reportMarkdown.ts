// Markdown for the reports the server computes. The packet trace: the verdict, then every rule the
// packet met with its text, each line number a link to that line of the traced document.
import * as vscode from 'vscode';

interface TraceStep { table?: string; chain?: string; line?: number; matched?: boolean; target?: string; undecided?: string }
interface TraceResult {
  verdict?: string;
  decidedBy?: { line: number; chain: string } | null;
  steps?: TraceStep[];
  dependsOn?: { line: number; chain: string; reason: string }[];
  notes?: string[];
}

/** Longer runs of rules that do not match, in one chain, are shown as one row (kube-proxy chains have thousands). */
const FOLD_AFTER = 6;

/** Renders the server's trace answer (the CLI's JSON shape); anything else as it is. */
export function traceMarkdown(result: unknown, packet: string, source?: vscode.TextDocument): string {
  const r = result as TraceResult;
  if (!r || typeof r !== 'object' || typeof r.verdict !== 'string') return markdownOf(result);
  const lineLink = (line: number) => {
    const n = line + 1;
    return source && source.uri.scheme !== 'untitled' ? `[${n}](${source.uri.with({ fragment: `L${n}` }).toString()})` : String(n);
  };
  const ruleText = (line: number | undefined) => {
    if (!source || line === undefined || line >= source.lineCount) return '';
    const text = source.lineAt(line).text.trim().replace(/\s+/g, ' ');
    return text ? '`' + cell(text.length > 100 ? text.slice(0, 99) + '…' : text).replace(/`/g, "'") + '`' : '';
  };

  const out = [`## ${vscode.l10n.t('Packet trace')}`, '', '`' + packet.replace(/`/g, "'") + '`', ''];
  const decided = r.decidedBy
    ? vscode.l10n.t('decided by the rule on line {0} (chain {1})', lineLink(r.decidedBy.line), r.decidedBy.chain)
    : vscode.l10n.t('decided by the chain policy');
  out.push(`**${vscode.l10n.t('Verdict')}: ${r.verdict}** (${decided})`, '');
  if (r.decidedBy && ruleText(r.decidedBy.line)) out.push(ruleText(r.decidedBy.line), '');
  for (const d of r.dependsOn ?? []) out.push(`- ${vscode.l10n.t('depends on line {0} (chain {1}): {2}', lineLink(d.line), d.chain, d.reason)}`);
  for (const n of r.notes ?? []) out.push(`- ${n}`);
  if (r.dependsOn?.length || r.notes?.length) out.push('');

  const steps = r.steps ?? [];
  if (steps.length) {
    out.push(`| ${vscode.l10n.t('Table')} | ${vscode.l10n.t('Chain')} | ${vscode.l10n.t('Line')} | ${vscode.l10n.t('Rule')} | ${vscode.l10n.t('Matched')} |`, '|---|---|---:|---|:---:|');
    for (let i = 0; i < steps.length; ) {
      const s = steps[i];
      let j = i;
      while (j < steps.length && !steps[j].matched && steps[j].table === s.table && steps[j].chain === s.chain) j++;
      if (j - i > FOLD_AFTER) {
        const first = steps[i].line, last = steps[j - 1].line;
        const lines = first === undefined || last === undefined ? '' : `${lineLink(first)}–${lineLink(last)}`;
        out.push(`| ${s.table ?? ''} | ${s.chain ?? ''} | ${lines} | ${vscode.l10n.t('{0} rules that do not match', j - i)} | |`);
        i = j;
        continue;
      }
      const mark = s.matched ? `✔${s.target ? ' → ' + cell(s.target) : ''}` : s.undecided ? `? ${cell(s.undecided)}` : '';
      out.push(`| ${s.table ?? ''} | ${s.chain ?? ''} | ${s.line === undefined ? '' : lineLink(s.line)} | ${ruleText(s.line)} | ${mark} |`);
      i++;
    }
  }
  return out.join('\n') + '\n';
}

/** A report the server sent as Markdown (or as `{ markdown }`); anything else as JSON. */
export function markdownOf(result: unknown): string {
  if (typeof result === 'string') return result;
  if (result && typeof result === 'object' && typeof (result as { markdown?: unknown }).markdown === 'string') {
    return (result as { markdown: string }).markdown;
  }
  return '```json\n' + JSON.stringify(result, null, 2) + '\n```\n';
}

/** Text that may stand in a table cell. */
const cell = (text: string) => text.replace(/\|/g, '\\|');
