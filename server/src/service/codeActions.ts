// Quick fixes carried by problems, "disable for this line/file", and "fix all".
import { CodeActionKind, type CodeAction, type Range as LspRange, type TextEdit } from 'vscode-languageserver';
import type { Analysis } from '../engine';
import type { Lang, Problem } from '../syntax/ast';
import { toDiagnostic } from './diagnostics';
import { isRelevant } from './documents';
import { refactorings, type RefactorOptions } from './refactor';

const overlaps = (a: LspRange, b: LspRange) =>
  !(a.end.line < b.start.line || (a.end.line === b.start.line && a.end.character < b.start.character) ||
    b.end.line < a.start.line || (b.end.line === a.start.line && b.end.character < a.start.character));

export function codeActions(a: Analysis, uri: string, range: LspRange, lang: Lang, only?: string[], opts: RefactorOptions = { createFiles: false }): CodeAction[] {
  if (!isRelevant(a)) return [];
  const out: CodeAction[] = [];
  const want = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(o + '.'));
  if (want(CodeActionKind.QuickFix)) {
    a.problems.forEach((p, i) => {
      if (!overlaps(p.range, range)) return;
      const diagnostic = toDiagnostic(p, uri, lang, i);
      for (const f of p.fixes ?? []) {
        out.push({ title: f.title[lang], kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: f.preferred, edit: { changes: { [uri]: f.edits } } });
      }
      out.push(disableAction(a, p, uri, lang, diagnostic, false), disableAction(a, p, uri, lang, diagnostic, true));
    });
  }
  if (want(CodeActionKind.SourceFixAll) || want('source.fixAll.iptables')) {
    const edits = fixAllEdits(a.problems);
    if (edits.length) out.push({ title: lang === 'ja' ? '自動修正できる問題をすべて修正' : 'Fix all auto-fixable problems', kind: 'source.fixAll.iptables', edit: { changes: { [uri]: edits } } });
  }
  // Refactorings only when asked for everything or for refactor.* (not on save's source.fixAll).
  out.push(...refactorings(a, uri, range, lang, want, opts));
  return out;
}

/** The preferred fix of every problem, skipping fixes whose edits would overlap an earlier one. */
export function fixAllEdits(problems: Problem[]): TextEdit[] {
  const taken: TextEdit[] = [];
  for (const p of problems) {
    const fix = p.fixes?.find((f) => f.preferred) ?? (p.fixes?.length === 1 ? p.fixes[0] : undefined);
    if (!fix) continue;
    if (fix.edits.some((e) => taken.some((t) => overlaps(t.range, e.range)))) continue;
    taken.push(...fix.edits);
  }
  return taken;
}

function disableAction(a: Analysis, p: Problem, uri: string, lang: Lang, diagnostic: ReturnType<typeof toDiagnostic>, file: boolean): CodeAction {
  const line = file ? firstLineAfterShebang(a.text) : commandStartLine(a, p);
  const indent = file ? '' : (a.text.split('\n')[line] ?? '').match(/^\s*/)![0];
  const eol = a.text.includes('\r\n') ? '\r\n' : '\n';
  const newText = `${indent}# iptables-lint ${file ? 'disable-file' : 'disable'}=${p.code}${eol}`;
  const title = file ? (lang === 'ja' ? `このファイルで ${p.code} を無効にする` : `Disable ${p.code} for this file`) : (lang === 'ja' ? `この行で ${p.code} を無効にする` : `Disable ${p.code} for this line`);
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText }] } } };
}

function commandStartLine(a: Analysis, p: Problem): number {
  const rec = a.commands.find((c) => c.command.range.start.line <= p.range.start.line && c.command.range.end.line >= p.range.start.line);
  return rec ? rec.command.range.start.line : p.range.start.line;
}

function firstLineAfterShebang(text: string): number {
  return text.startsWith('#!') ? 1 : 0;
}
