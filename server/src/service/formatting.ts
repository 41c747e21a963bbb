// Formatting of save files into the canonical form iptables-save prints: `-A CHAIN` then the
// options in iptables' own order and spelling. Comments, blank lines and counters stay; a line
// with an error or a word the analysis cannot read is left as written.
import type { TextEdit } from 'vscode-languageserver';
import type { Analysis } from '../engine';
import type { IptablesCommand } from '../syntax/ast';
import { addressCombinations, joinSaveWords, ruleSpecWords } from '../model/printer';
import { eolOf, lineText, type Cancel, NEVER } from './text';

export function formatSaveDocument(a: Analysis, token: Cancel = NEVER): TextEdit[] {
  if (a.kind !== 'save' || a.saves.length !== 1) return [];
  const errorLines = new Set<number>();
  for (const p of a.problems) if (p.severity === 'error') for (let l = p.range.start.line; l <= p.range.end.line; l++) errorLines.add(l);
  const eol = eolOf(a);
  const edits: TextEdit[] = [];
  // The model already printed every rule it holds (Rule.spec): reuse that instead of printing again.
  const specs = new Map<IptablesCommand, string[]>();
  for (const t of a.rulesets[a.saves[0].family].tables.values()) {
    for (const c of t.chains.values()) for (const r of c.rules) { const l = specs.get(r.command); if (l) l.push(r.spec); else specs.set(r.command, [r.spec]); }
  }
  let n = 0;
  for (const e of a.saves[0].entries) {
    if ((++n & 2047) === 0 && token.isCancellationRequested) return [];
    const line = e.range.start.line;
    if (errorLines.has(line)) continue;
    const old = lineText(a, line);
    let text: string | undefined;
    if (e.kind === 'table') text = `*${e.name}`;
    else if (e.kind === 'commit') text = 'COMMIT';
    else if (e.kind === 'chain') {
      const counters = /\[\d+:\d+\]/.exec(old.slice(e.policyRange.end.character))?.[0] ?? '[0:0]';
      text = `:${e.name} ${e.policy} ${counters}`;
    } else {
      const cmd = e.command;
      if (cmd.op !== 'A' || cmd.invalid || cmd.symbolic || cmd.skipped || !cmd.chain) continue;
      const counters = cmd.counters ? `[${cmd.counters.packets}:${cmd.counters.bytes}] ` : '';
      try {
        const known = specs.get(cmd);
        const lines = known && known.length === addressCombinations(cmd).length
          ? known.map((spec) => `${counters}-A ${cmd.chain}${spec ? ' ' + spec : ''}`)
          : addressCombinations(cmd).map((addrs) => counters + joinSaveWords(['-A', cmd.chain!, ...ruleSpecWords(cmd, addrs)]));
        text = lines.join(eol);
      } catch {
        continue; // a module that cannot print this rule: leave it as written
      }
    }
    if (text !== undefined && text !== old) {
      edits.push({ range: { start: { line, character: 0 }, end: { line, character: old.length } }, newText: text });
    }
  }
  // Trailing blanks on comment lines.
  for (const c of a.comments) {
    const old = lineText(a, c.range.start.line);
    const trimmed = old.replace(/\s+$/, '');
    if (trimmed !== old) edits.push({ range: { start: { line: c.range.start.line, character: trimmed.length }, end: { line: c.range.start.line, character: old.length } }, newText: '' });
  }
  return edits;
}
