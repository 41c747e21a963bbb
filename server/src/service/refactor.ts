// Refactorings offered as code actions: a script to an iptables-restore file, a repeated address
// or port to a shell variable, every `-m state --state` to `-m conntrack --ctstate`.
import type { CodeAction, Range as LspRange, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import type { Analysis } from '../engine';
import type { Lang, Word } from '../syntax/ast';
import { serviceName } from '../knowledge/services';
import { SERVER_COMMANDS, restoreFiles } from './commands';
import { wordAt } from './locate';
import { cmp, eolOf, lineCount, lineText, rangeKey, textOf, tr } from './text';
import { PORT_OPTIONS, protocolOf } from './values';

export const REFACTOR_KINDS = {
  restoreFile: 'refactor.rewrite.iptables.restoreFile',
  extractVariable: 'refactor.extract.iptables.variable',
  conntrack: 'refactor.rewrite.iptables.conntrack',
} as const;

export interface RefactorOptions {
  /** The client can create files in a workspace edit. */
  createFiles: boolean;
  /** The client asks for a code action's edit when the user picks it (codeAction/resolve). */
  resolveEdits?: boolean;
}

/** What a code action left to resolve carries: which refactoring, of which document. */
export interface PendingRefactor { refactor: 'restoreFile'; uri: string }

export function refactorings(a: Analysis, uri: string, range: LspRange, lang: Lang, want: (kind: string) => boolean, opts: RefactorOptions): CodeAction[] {
  const out: CodeAction[] = [];
  if (want(REFACTOR_KINDS.extractVariable)) { const x = extractVariable(a, uri, range, lang); if (x) out.push(x); }
  if (want(REFACTOR_KINDS.conntrack)) { const x = stateToConntrack(a, uri, lang); if (x) out.push(x); }
  if (want(REFACTOR_KINDS.restoreFile)) { const x = toRestoreFile(a, uri, lang, opts); if (x) out.push(x); }
  return out;
}

/** Every `-m state --state X` of the document becomes `-m conntrack --ctstate X` (same meaning, the supported match). */
export function stateToConntrack(a: Analysis, uri: string, lang: Lang): CodeAction | undefined {
  const edits = new Map<string, TextEdit>();
  for (const rec of a.commands) {
    for (const m of rec.command.matches) {
      if (m.name !== 'state' || !m.nameWord || m.nameWord.symbolic || textOf(a, m.nameWord.range) !== 'state') continue;
      const opts = m.options.filter((o) => o.name === 'state');
      if (opts.some((o) => textOf(a, o.word.range) !== '--state')) continue;
      edits.set(rangeKey(m.nameWord.range), { range: m.nameWord.range, newText: 'conntrack' });
      for (const o of opts) edits.set(rangeKey(o.word.range), { range: o.word.range, newText: '--ctstate' });
    }
  }
  if (!edits.size) return undefined;
  const count = [...edits.values()].filter((e) => e.newText === 'conntrack').length;
  return {
    title: tr(lang, `Convert ${count} "-m state --state" to "-m conntrack --ctstate"`, `${count} 個の "-m state --state" を "-m conntrack --ctstate" に変換`),
    kind: REFACTOR_KINDS.conntrack,
    edit: { changes: { [uri]: [...edits.values()] } },
  };
}

/** A script becomes restore files next to it (or, for clients that cannot create files, the server command opens them). */
export function toRestoreFile(a: Analysis, uri: string, lang: Lang, opts: RefactorOptions): CodeAction | undefined {
  if (a.kind !== 'shell' || !a.families.length) return undefined;
  const title = tr(lang, 'Convert this script to an iptables-restore file', 'このスクリプトを iptables-restore 形式のファイルに変換');
  if (!opts.createFiles) return { title, kind: REFACTOR_KINDS.restoreFile, command: { title, command: SERVER_COMMANDS.restoreFile, arguments: [uri] } };
  // The whole ruleset printed (megabytes for a blocklist script): only once the user picks it.
  if (opts.resolveEdits) return { title, kind: REFACTOR_KINDS.restoreFile, data: { refactor: 'restoreFile', uri } satisfies PendingRefactor };
  return { title, kind: REFACTOR_KINDS.restoreFile, edit: restoreFileEdit(a, uri, lang) };
}

/** The edit of "Convert this script to an iptables-restore file": restore files created beside it. */
export function restoreFileEdit(a: Analysis, uri: string, lang: Lang): WorkspaceEdit {
  const dir = uri.slice(0, uri.lastIndexOf('/') + 1);
  const edit: WorkspaceEdit = { documentChanges: [] };
  for (const f of restoreFiles(a, uri, lang)) {
    const target = dir + encodeURIComponent(f.fileName);
    edit.documentChanges!.push({ kind: 'create', uri: target, options: { overwrite: false, ignoreIfExists: false } });
    edit.documentChanges!.push({ textDocument: { uri: target, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: f.text }] });
  }
  return edit;
}

type ValueKind = 'address' | 'port';

function valueKindOf(option: string, module?: string): ValueKind | undefined {
  if (!module && (option === 'source' || option === 'destination')) return 'address';
  if (module && PORT_OPTIONS.has(option)) return 'port';
  return undefined;
}

/** The literal address or port under the cursor, written the same way in two or more commands, becomes `$NAME`. */
export function extractVariable(a: Analysis, uri: string, range: LspRange, lang: Lang): CodeAction | undefined {
  if (a.kind !== 'shell') return undefined;
  const found = wordAt(a, range.start);
  if (!found || found.kind !== 'word' || found.role.kind !== 'value' || found.word.symbolic || found.rec.fromRestore) return undefined;
  const kind = valueKindOf(found.role.option, found.role.module);
  const value = found.word.text;
  if (!kind || textOf(a, found.word.range) !== value) return undefined;
  const seen = new Set<string>();
  const targets: Word[] = [];
  for (const rec of a.commands) {
    if (rec.fromRestore) continue;
    rec.command.roles.forEach((role, i) => {
      const w = rec.command.words[i];
      if (role.kind !== 'value' || w.text !== value || w.symbolic || valueKindOf(role.option, role.module) !== kind) return;
      const k = rangeKey(w.range);
      if (seen.has(k) || textOf(a, w.range) !== value) return;
      seen.add(k);
      targets.push(w);
    });
  }
  if (targets.length < 2) return undefined;
  const name = freshName(a, suggestName(kind, value, protocolOf(found.rec.command)));
  const line = insertionLine(a);
  const eol = eolOf(a);
  const edits: TextEdit[] = [
    { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${name}=${value}${eol}` },
    ...targets.sort((x, y) => cmp(x.range.start, y.range.start)).map((w) => ({ range: w.range, newText: `$${name}` })),
  ];
  return {
    title: tr(lang, `Extract ${value} into the variable ${name} (${targets.length} uses)`, `${value} を変数 ${name} に抽出（${targets.length} 箇所）`),
    kind: REFACTOR_KINDS.extractVariable,
    edit: { changes: { [uri]: edits } },
  };
}

function suggestName(kind: ValueKind, value: string, proto: string): string {
  if (kind === 'port') {
    const svc = /^[0-9]+$/.test(value) ? serviceName(Number(value), proto) : /^[a-z][a-z0-9-]*$/i.test(value) ? value : undefined;
    return svc ? `${svc.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PORT` : `PORT_${value.replace(/[^0-9A-Za-z]/g, '_')}`;
  }
  const single = !value.includes('/') || /\/(32|128)$/.test(value);
  return `${single ? 'HOST' : 'NET'}_${value.replace(/\/(32|128)$/, '').replace(/[^0-9A-Za-z]/g, '_').replace(/_+$/, '')}`.toUpperCase();
}

function freshName(a: Analysis, base: string): string {
  const taken = new Set((a.shell?.variables ?? []).map((v) => v.name));
  let name = base;
  for (let k = 2; taken.has(name); k++) name = `${base}_${k}`;
  return name;
}

/** After the shebang and the comment block at the top, before any command. */
function insertionLine(a: Analysis): number {
  const n = lineCount(a);
  let line = 0;
  while (line < n && /^\s*(#.*)?$/.test(lineText(a, line))) line++;
  return line;
}
