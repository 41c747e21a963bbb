// Text edits that fixes share: moving whole lines (with the comment block just above them).
import type { Analysis, CommandRecord } from '../../engine';
import type { Family, Fix, Localized, Range, TextEdit } from '../../syntax/ast';
import { eolOf, indentOf, isPlainStatement, lineStart, programText } from './script';

/**
 * Moves lines [from, to] (0-based, inclusive), plus the comment lines directly above them, so that
 * they stand before line `before` (a line index; the text's line count means "at the end").
 */
export function moveLinesFix(text: string, from: number, to: number, before: number, title: Localized): Fix | undefined {
  const lines = text.split('\n');
  const blank = (k: number) => k >= 0 && k < lines.length && /^\s*\r?$/.test(lines[k]);
  let start = from;
  while (start > 0 && /^\s*#/.test(lines[start - 1]) && !/^#!/.test(lines[start - 1])) start--;
  if (before >= start && before <= to + 1) return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const moved = lines.slice(start, to + 1).map((l) => l.replace(/\r$/, ''));
  // A block set apart by blank lines stays set apart, and leaves no double blank behind.
  const spaced = blank(start - 1);
  const removeTo = spaced && blank(to + 1) ? to + 2 : to + 1;
  const edits: TextEdit[] = [];
  const removeEnd = removeTo < lines.length ? { line: removeTo, character: 0 } : { line: lines.length - 1, character: lines[lines.length - 1].length };
  edits.push({ range: { start: { line: start, character: 0 }, end: removeEnd }, newText: '' });
  const atEnd = before >= lines.length || (before === lines.length - 1 && lines[before] === '');
  if (atEnd) {
    const last = lines.length - 1;
    const needsNl = lines[last] !== '';
    const gap = spaced && !(blank(last - 1) && lines[last] === '') ? eol : '';
    edits.push({ range: { start: { line: last, character: lines[last].length }, end: { line: last, character: lines[last].length } }, newText: (needsNl ? eol : '') + gap + moved.join(eol) + eol });
  } else {
    const lead = spaced && !blank(before - 1) ? eol : '';
    const trail = spaced && !blank(before) ? eol : '';
    edits.push({ range: { start: { line: before, character: 0 }, end: { line: before, character: 0 } }, newText: lead + moved.join(eol) + eol + trail });
  }
  return { title, edits };
}

/**
 * Deletes the lines of a command, when it is written in this document on lines of its own and
 * produced exactly one rule (a script loop or function body is shared by several rules: no fix).
 */
export function deleteLinesFix(analysis: import('../../engine').Analysis, cmd: import('../../syntax/ast').IptablesCommand, title: Localized): Fix[] | undefined {
  const uses = analysis.commands.filter((c) => c.command.range.start.line === cmd.range.start.line);
  if (uses.length !== 1 || uses[0].command !== cmd) return undefined;
  const lines = analysis.text.split('\n');
  const start = cmd.range.start.line, end = cmd.range.end.line;
  const before = lines[start].slice(0, cmd.range.start.character);
  const after = lines[end].slice(cmd.range.end.character);
  if (before.trim() !== '' && !/^\s*(sudo\s+)?\S*$/.test(before)) return undefined;
  if (after.trim() !== '' && !after.trim().startsWith('#')) return undefined;
  const to = end + 1 < lines.length ? { line: end + 1, character: 0 } : { line: end, character: lines[end].length };
  return [{ title, edits: [{ range: { start: { line: start, character: 0 }, end: to }, newText: '' }], preferred: true }];
}

/**
 * A fix that puts a rule (`args` after the chain name, e.g. `-i lo -j ACCEPT`) at the top of a
 * chain. In a save file (or a restore heredoc): a `-A` line before the chain's first rule in the
 * last block of that table. In a script: a command before the chain's first `-A` after its last
 * flush, or an `-I CHAIN 1` after the last command that touches the chain when others insert,
 * delete or replace by number. Undefined when no safe place exists (conditional, loop, function).
 */
export function insertAtTopFix(analysis: Analysis, family: Family, table: string, chain: string, args: string, title: Localized, after?: CommandRecord): Fix | undefined {
  const records = analysis.commands.filter((r) => r.command.family === family);
  const fromSave = records.filter((r) => r.fromRestore && r.command.table === table);
  const save = [...analysis.saves].reverse().find((s) => s.family === family && s.entries.some((e) => e.kind === 'table' && e.name === table));
  if (save && (analysis.kind === 'save' || fromSave.length)) {
    if (analysis.kind === 'shell' && records.some((r) => !r.fromRestore && r.command.table === table)) return undefined;
    const start = save.entries.map((e) => e.kind === 'table' && e.name === table).lastIndexOf(true);
    let at: Range | undefined;
    for (let k = start + 1; k < save.entries.length; k++) {
      const e = save.entries[k];
      if (e.kind === 'rule' && e.command.chain === chain) { at = e.range; break; }
      if (e.kind === 'commit' || e.kind === 'table') { at = e.range; break; }
    }
    if (!at) return undefined;
    return { title, edits: [insertLine(analysis.text, at.start.line, `${indentOf(analysis.text, at.start.line)}-A ${chain} ${args}`)] };
  }
  if (analysis.kind !== 'shell' || records.some((r) => r.fromRestore)) return undefined;
  const own = records.filter((r) => r.command.table === table);
  let from = 0;
  own.forEach((r, k) => { if (r.command.op === 'F' && !r.conditional && (!r.command.chain || r.command.chain === chain)) from = k + 1; });
  const touching = own.slice(from).filter((r) => r.command.chain === chain && ['A', 'I', 'R', 'D'].includes(r.command.op ?? ''));
  const t = table === 'filter' ? '' : ` -t ${table}`;
  const line = (anchor: CommandRecord, op: string) => `${indentOf(analysis.text, anchor.command.range.start.line)}${programText(analysis, anchor)}${t} ${op} ${chain} ${args}`;
  if (!touching.length) {
    // After the chain's last policy command (or the last flush, when that comes later): nothing removes the rule again.
    const lastPolicy = (list: CommandRecord[]) => [...list].reverse().find((r) => r.command.op === 'P' && r.command.chain === chain);
    const anchor = after ?? lastPolicy(own.slice(from)) ?? (from > 0 ? own[from - 1] : lastPolicy(own));
    if (!anchor || !isPlainStatement(analysis, anchor)) return undefined;
    return { title, edits: [insertLine(analysis.text, anchor.command.range.end.line + 1, line(anchor, '-A'))] };
  }
  if (touching.every((r) => r.command.op === 'A')) {
    const anchor = touching[0];
    if (!isPlainStatement(analysis, anchor)) return undefined;
    return { title, edits: [insertLine(analysis.text, anchor.command.range.start.line, line(anchor, '-A'))] };
  }
  const anchor = touching[touching.length - 1];
  if (!isPlainStatement(analysis, anchor)) return undefined;
  return { title, edits: [insertLine(analysis.text, anchor.command.range.end.line + 1, line(anchor, '-I').replace(` -I ${chain} `, ` -I ${chain} 1 `))] };
}

/** An edit that inserts one whole line before line `line` (past the last line: at the end). */
export function insertLine(text: string, line: number, content: string): TextEdit {
  const eol = eolOf(text);
  const lines = text.split('\n');
  if (line < lines.length && !(line === lines.length - 1 && lines[line] === '')) return { range: { start: lineStart(line), end: lineStart(line) }, newText: content + eol };
  const last = lines.length - 1;
  const end = { line: last, character: lines[last].length };
  return { range: { start: end, end }, newText: (lines[last] === '' ? '' : eol) + content + eol };
}
