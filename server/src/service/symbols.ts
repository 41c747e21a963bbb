// The outline (table -> chain -> rules) and folding ranges (table blocks, comment blocks,
// multi-line commands).
import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver';
import { ruleCount, type Analysis } from '../engine';
import type { IptablesCommand, Range } from '../syntax/ast';
import type { SaveFile } from '../syntax/saveFile';
import { findTable } from '../knowledge/tables';
import { isRelevant } from './documents';
import { cmp, lineText, type Cancel, NEVER } from './text';

const span = (ranges: Range[]): Range => ranges.reduce((acc, r) => ({
  start: cmp(r.start, acc.start) < 0 ? r.start : acc.start,
  end: cmp(r.end, acc.end) > 0 ? r.end : acc.end,
}));

/** The text of a save-file rule for the outline: what follows `-A CHAIN` on its line. */
function ruleLabel(a: Analysis, cmd: IptablesCommand): string {
  const r = cmd.range;
  const from = cmd.chainWord && cmd.chainWord.range.start.line === r.start.line ? cmd.chainWord.range.end.character : r.start.character;
  const rest = lineText(a, r.start.line).slice(from, r.start.line === r.end.line ? r.end.character : undefined).replace(/\s+/g, ' ').trim();
  return rest.length > 120 ? rest.slice(0, 117) + '…' : rest || '(empty rule)';
}

/** Above this many rules the outline lists tables and chains only (a kube-proxy dump has 50k rules). */
const RULE_SYMBOL_LIMIT = 5000;

export function documentSymbols(a: Analysis, token: Cancel = NEVER): DocumentSymbol[] {
  if (!isRelevant(a)) return [];
  if (a.kind === 'save') return a.saves.flatMap((s) => saveSymbols(a, s, token));
  // A script's heredocs are part of the ruleset it builds, so they appear under it.
  const out = scriptSymbols(a, token);
  for (const f of a.shell?.functions ?? []) {
    out.push({ name: `${f.name}()`, kind: SymbolKind.Function, range: f.definition, selectionRange: f.nameRange });
  }
  return out.sort((x, y) => cmp(x.range.start, y.range.start));
}

/** A save document: `*table` blocks; chains are their `:NAME` lines with the rules appended to them. */
function saveSymbols(a: Analysis, save: SaveFile, token: Cancel): DocumentSymbol[] {
  const withRules = save.entries.length <= RULE_SYMBOL_LIMIT || save.entries.filter((e) => e.kind === 'rule').length <= RULE_SYMBOL_LIMIT;
  const counts = new Map<DocumentSymbol, number>();
  const tables: DocumentSymbol[] = [];
  let table: DocumentSymbol | undefined;
  let chains = new Map<string, DocumentSymbol>();
  let n = 0;
  for (const e of save.entries) {
    if ((++n & 4095) === 0 && token.isCancellationRequested) break;
    if (e.kind === 'table') {
      table = { name: e.name, kind: SymbolKind.Namespace, range: e.range, selectionRange: e.nameRange, children: [] };
      chains = new Map();
      tables.push(table);
    } else if (!table) {
      continue;
    } else if (e.kind === 'chain') {
      const c: DocumentSymbol = { name: e.name, detail: e.policy === '-' ? undefined : e.policy, kind: findTable(table.name)?.chains.includes(e.name) ? SymbolKind.Event : SymbolKind.Function, range: e.range, selectionRange: e.nameRange, children: [] };
      chains.set(e.name, c);
      table.children!.push(c);
      table.range = { start: table.range.start, end: e.range.end };
    } else if (e.kind === 'rule') {
      const cmd = e.command;
      const name = cmd.chain ?? '?';
      let c = chains.get(name);
      if (!c) {
        const sel = cmd.chainWord?.range ?? e.range;
        c = { name, kind: SymbolKind.Function, range: e.range, selectionRange: sel, children: [] };
        chains.set(name, c);
        table.children!.push(c);
      }
      if (withRules) c.children!.push({ name: ruleLabel(a, cmd), detail: cmd.target?.name, kind: SymbolKind.Field, range: e.range, selectionRange: e.range });
      else counts.set(c, (counts.get(c) ?? 0) + 1);
      c.range = { start: c.range.start, end: e.range.end };
      table.range = { start: table.range.start, end: e.range.end };
    } else if (e.kind === 'commit') {
      table.range = { start: table.range.start, end: e.range.end };
      table = undefined;
    }
  }
  for (const [c, n] of counts) c.detail = `${c.detail ? c.detail + ' · ' : ''}${n} rule${n === 1 ? '' : 's'}`;
  return tables;
}

/** A script: the ruleset it leaves behind, each rule at the command that made it. */
function scriptSymbols(a: Analysis, token: Cancel): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  // A blocklist script (or one command listing many addresses) makes tens of thousands of rules.
  const withRules = ruleCount(a) <= RULE_SYMBOL_LIMIT;
  for (const family of a.families) {
    for (const t of a.rulesets[family].tables.values()) {
      const chains: DocumentSymbol[] = [];
      for (const c of t.chains.values()) {
        if (token.isCancellationRequested) return out;
        const rules = c.rules;
        const ranges = rules.map((r) => r.command.range);
        const anchor = c.definedAt ?? c.policyRange ?? ranges[0];
        if (!anchor) continue; // a built-in chain nobody touched
        const children: DocumentSymbol[] = withRules ? rules.map((r) => ({ name: `-A ${c.name} ${r.spec}`.slice(0, 160), detail: r.command.target?.name, kind: SymbolKind.Field, range: r.command.range, selectionRange: r.command.range })) : [];
        const counted = withRules ? '' : `${rules.length} rule${rules.length === 1 ? '' : 's'}`;
        const detail = [c.builtin ? c.policy : undefined, counted].filter((x) => x).join(' · ') || undefined;
        chains.push({ name: c.name, detail, kind: c.builtin ? SymbolKind.Event : SymbolKind.Function, range: span([anchor, ...ranges]), selectionRange: anchor, children });
      }
      if (!chains.length) continue;
      const name = a.families.length > 1 ? `${t.name} (IPv${family})` : t.name;
      out.push({ name, kind: SymbolKind.Namespace, range: span(chains.map((c) => c.range)), selectionRange: chains[0].selectionRange, children: chains });
    }
  }
  return out;
}

export function foldingRanges(a: Analysis): FoldingRange[] {
  const out: FoldingRange[] = [];
  // Runs of comment lines.
  const lines = a.comments.map((c) => c.range.start.line).sort((x, y) => x - y);
  for (let i = 0; i < lines.length;) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j] + 1) j++;
    if (j > i) out.push({ startLine: lines[i], endLine: lines[j], kind: FoldingRangeKind.Comment });
    i = j + 1;
  }
  if (!isRelevant(a)) return out;
  for (const s of a.saves) {
    let start: number | undefined;
    for (const e of s.entries) {
      if (e.kind === 'table') start = e.range.start.line;
      else if (e.kind === 'commit' && start !== undefined) { if (e.range.start.line > start) out.push({ startLine: start, endLine: e.range.start.line, kind: FoldingRangeKind.Region }); start = undefined; }
    }
  }
  if (a.kind === 'shell') {
    const seen = new Set<number>();
    for (const rec of a.commands) {
      const r = rec.command.range;
      if (r.end.line > r.start.line && !seen.has(r.start.line)) { seen.add(r.start.line); out.push({ startLine: r.start.line, endLine: r.end.line }); }
    }
  }
  return out;
}
