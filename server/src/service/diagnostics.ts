// Problems -> LSP diagnostics (code, link to the docs page, severity, tags, related information).
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver';
import type { Analysis } from '../engine';
import type { Lang, Problem } from '../syntax/ast';
import { docsUrl } from '../report/docs';
import { isRelevant } from './documents';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint } as const;

export function toDiagnostic(p: Problem, uri: string, lang: Lang, index: number): Diagnostic {
  const d: Diagnostic = {
    range: p.range,
    severity: SEVERITY[p.severity],
    code: p.code,
    codeDescription: { href: docsUrl(p.code) },
    source: 'iptables-lint',
    message: p.message[lang],
    data: { index },
  };
  const tags = (p.tags ?? []).map((t) => (t === 'unnecessary' ? DiagnosticTag.Unnecessary : DiagnosticTag.Deprecated));
  if (tags.length) d.tags = tags;
  if (p.related?.length) d.relatedInformation = p.related.map((r) => ({ location: { uri, range: r.range }, message: r.message[lang] }));
  return d;
}

export function diagnosticsFor(a: Analysis, uri: string, lang: Lang): Diagnostic[] {
  if (!isRelevant(a)) return [];
  return a.problems.map((p, i) => toDiagnostic(p, uri, lang, i));
}
