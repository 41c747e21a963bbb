// Go to definition, references, highlights and rename for user chains (save files and scripts)
// and shell variables. A chain is known by family + table + name: `-N FOO` in the filter table
// and FOO in nat are different chains.
import { DocumentHighlightKind, type DocumentHighlight, type Location, type Range as LspRange, type WorkspaceEdit } from 'vscode-languageserver';
import type { Analysis } from '../engine';
import type { Family, Lang, Position, Range } from '../syntax/ast';
import type { ShellVariable } from '../syntax/shell/types';
import { STANDARD_TARGETS, findTarget } from '../knowledge/registry';
import { findTable, MAX_CHAIN_NAME } from '../knowledge/tables';
import { isRelevant } from './documents';
import { locate, variableNameRange } from './locate';
import { rangeKey, textOf, tr, type Cancel, NEVER } from './text';

export type NavSymbol =
  | { kind: 'chain'; family: Family; table: string; name: string; builtin: boolean }
  | { kind: 'variable'; variable: ShellVariable };

export interface Occurrence {
  range: Range;
  definition: boolean;
  /** The source text is exactly the name (not a `$VAR` that expands to it): safe to rename here. */
  editable: boolean;
}

export function symbolAt(a: Analysis, pos: Position): NavSymbol | undefined {
  const found = locate(a, pos);
  if (!found) return undefined;
  if (found.kind === 'variable') return { kind: 'variable', variable: found.variable };
  if (found.kind === 'word' && found.role.kind === 'chain' && !found.word.symbolic) {
    const c = found.rec.command;
    return chainSymbol(c.family, c.table, found.role.name);
  }
  if (found.kind === 'saveChain') return chainSymbol(found.family, found.table ?? 'filter', found.name);
  return undefined;
}

const chainSymbol = (family: Family, table: string, name: string): NavSymbol =>
  ({ kind: 'chain', family, table, name, builtin: findTable(table)?.chains.includes(name) ?? false });

/** Every place the symbol appears in the document, definitions first, without duplicates. */
export function occurrences(a: Analysis, sym: NavSymbol, token: Cancel = NEVER): Occurrence[] {
  const out: Occurrence[] = [];
  const seen = new Set<string>();
  const add = (range: Range, definition: boolean, editable: boolean) => {
    const k = rangeKey(range);
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ range, definition, editable });
  };
  if (sym.kind === 'variable') {
    for (const d of sym.variable.definitions) add(variableNameRange(a, sym.variable, d), true, true);
    for (const u of sym.variable.uses) add(variableNameRange(a, sym.variable, u), false, true);
    return out;
  }
  for (const save of a.saves) {
    if (save.family !== sym.family) continue;
    let table: string | undefined;
    for (const e of save.entries) {
      if (e.kind === 'table') table = e.name;
      else if (e.kind === 'chain' && table === sym.table && e.name === sym.name) add(e.nameRange, true, true);
    }
  }
  let n = 0;
  for (const rec of a.commands) {
    if ((++n & 4095) === 0 && token.isCancellationRequested) return out;
    const c = rec.command;
    if (c.family !== sym.family || c.table !== sym.table || c.tableWord?.symbolic) continue;
    c.roles.forEach((role, i) => {
      if (role.kind !== 'chain' || role.name !== sym.name) return;
      const w = c.words[i];
      if (w.symbolic) return;
      const definition = (c.op === 'N' && w === c.chainWord) || (c.op === 'E' && w !== c.chainWord);
      const inner = nameRange(a, w.range, sym.name);
      add(inner ?? w.range, definition, inner !== undefined);
    });
  }
  out.sort((x, y) => Number(y.definition) - Number(x.definition));
  return out;
}

/** Where the name itself is in the source: the whole word, or inside its quotes; undefined if it came from an expansion. */
function nameRange(a: Analysis, r: Range, name: string): Range | undefined {
  const src = textOf(a, r);
  if (src === name) return r;
  if (r.start.line === r.end.line && (src === `"${name}"` || src === `'${name}'`)) {
    return { start: { line: r.start.line, character: r.start.character + 1 }, end: { line: r.end.line, character: r.end.character - 1 } };
  }
  return undefined;
}

export function definition(a: Analysis, uri: string, pos: Position): Location[] {
  if (!isRelevant(a)) return [];
  const sym = symbolAt(a, pos);
  if (!sym) return [];
  return occurrences(a, sym).filter((o) => o.definition).map((o) => ({ uri, range: o.range }));
}

export function references(a: Analysis, uri: string, pos: Position, includeDeclaration: boolean, token: Cancel = NEVER): Location[] {
  if (!isRelevant(a)) return [];
  const sym = symbolAt(a, pos);
  if (!sym) return [];
  return occurrences(a, sym, token).filter((o) => includeDeclaration || !o.definition).map((o) => ({ uri, range: o.range }));
}

export function highlights(a: Analysis, pos: Position): DocumentHighlight[] {
  if (!isRelevant(a)) return [];
  const sym = symbolAt(a, pos);
  if (!sym) return [];
  return occurrences(a, sym).map((o) => ({ range: o.range, kind: o.definition ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
}

export type RenameCheck = { range: LspRange; placeholder: string } | { error: string };

export function prepareRename(a: Analysis, pos: Position, lang: Lang = 'en'): RenameCheck | undefined {
  if (!isRelevant(a)) return undefined;
  const sym = symbolAt(a, pos);
  if (!sym) return undefined;
  if (sym.kind === 'chain' && sym.builtin) return { error: tr(lang, `${sym.name} is a built-in chain and cannot be renamed`, `${sym.name} は組み込みチェインなので名前を変更できません`) };
  const here = occurrences(a, sym).find((o) => o.range.start.line === pos.line && o.range.start.character <= pos.character && pos.character <= o.range.end.character);
  if (!here || !here.editable) return { error: tr(lang, 'this name comes from a shell expansion; rename it where it is written', 'この名前はシェルの展開結果です。書かれている場所で変更してください') };
  return { range: here.range, placeholder: sym.kind === 'chain' ? sym.name : sym.variable.name };
}

export function rename(a: Analysis, uri: string, pos: Position, newName: string, lang: Lang = 'en'): WorkspaceEdit | { error: string } | undefined {
  const check = prepareRename(a, pos, lang);
  if (!check || 'error' in check) return check;
  const sym = symbolAt(a, pos)!;
  const invalid = sym.kind === 'chain' ? chainNameProblem(newName, sym.family, lang) : /^[A-Za-z_][A-Za-z0-9_]*$/.test(newName) ? undefined : tr(lang, `"${newName}" is not a valid shell variable name`, `"${newName}" はシェル変数名として使えません`);
  if (invalid) return { error: invalid };
  if (sym.kind === 'chain' && userChainExists(a, sym, newName)) return { error: tr(lang, `a chain named ${newName} already exists in the ${sym.table} table`, `${sym.table} テーブルには既に ${newName} という名前のチェインがあります`) };
  const edits = occurrences(a, sym).filter((o) => o.editable).map((o) => ({ range: o.range, newText: newName }));
  return { changes: { [uri]: edits } };
}

function chainNameProblem(name: string, family: Family, lang: Lang): string | undefined {
  if (name.length === 0 || name.length > MAX_CHAIN_NAME) return tr(lang, `a chain name has 1 to ${MAX_CHAIN_NAME} characters`, `チェイン名は 1〜${MAX_CHAIN_NAME} 文字です`);
  if (/^[-!]/.test(name) || /[\s"'$`\\]/.test(name)) return tr(lang, `"${name}" is not a valid chain name`, `"${name}" はチェイン名として使えません`);
  if ((STANDARD_TARGETS as readonly string[]).includes(name) || findTarget(name, family)) return tr(lang, `"${name}" is the name of a target`, `"${name}" はターゲット名です`);
  return undefined;
}

function userChainExists(a: Analysis, sym: Extract<NavSymbol, { kind: 'chain' }>, name: string): boolean {
  if (findTable(sym.table)?.chains.includes(name)) return true;
  return occurrences(a, { ...sym, name }).length > 0;
}
