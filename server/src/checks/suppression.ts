// `# iptables-lint disable=IPT201,IPT301` silences those codes for the next command (or, written at
// the end of a command's line, for that command); `# iptables-lint disable-file=IPT406` for the
// whole file; severities from the configuration apply last.
import type { Analysis } from '../engine';
import type { Problem, Range } from '../syntax/ast';
import { configureSeverity } from './index';

const DIRECTIVE = /#\s*iptables-lint\s+(disable|disable-file|disable-next-line)\s*=\s*([A-Za-z0-9_, ]+)/;

interface Directive { codes: Set<string>; fileWide: boolean; line: number }

export function parseDirectives(comments: { text: string; range: Range }[]): Directive[] {
  const out: Directive[] = [];
  for (const c of comments) {
    const m = DIRECTIVE.exec(c.text);
    if (!m) continue;
    const codes = new Set(m[2].split(/[ ,]+/).filter(Boolean).map((s) => s.toUpperCase()));
    out.push({ codes, fileWide: m[1] === 'disable-file', line: c.range.start.line });
  }
  return out;
}

export function applySuppressions(analysis: Analysis, problems: Problem[]): Problem[] {
  const directives = parseDirectives(analysis.comments);
  const fileWide = new Set<string>();
  const spans: { codes: Set<string>; from: number; to: number }[] = [];
  let starts: Range[] | undefined; // sorted only when a line directive needs it (not on every edit of a dump)
  for (const d of directives) {
    if (d.fileWide) { d.codes.forEach((c) => fileWide.add(c)); continue; }
    starts ??= analysis.commands.map((c) => c.command.range).sort((a, b) => a.start.line - b.start.line);
    // The command on the directive's own line (trailing comment), else the next command below it.
    const target = starts.find((r) => r.start.line <= d.line && r.end.line >= d.line) ?? starts.find((r) => r.start.line > d.line);
    if (target) spans.push({ codes: d.codes, from: target.start.line, to: target.end.line });
  }
  if (!fileWide.size && !spans.length) return configureSeverity(problems, analysis.config.severity);
  const kept = problems.filter((p) => {
    if (fileWide.has(p.code) || fileWide.has('ALL')) return false;
    const line = p.range.start.line;
    return !spans.some((s) => (s.codes.has(p.code) || s.codes.has('ALL')) && line >= s.from && line <= s.to);
  });
  return configureSeverity(kept, analysis.config.severity);
}
