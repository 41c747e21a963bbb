// Completion in context: the words before the cursor go through the same command-line parser as
// the analysis, with the word being typed as a placeholder; the role the parser gives it says what
// belongs there (a chain after -A, a module after -m, a value of --state...).
import { CompletionItemKind, CompletionItemTag, InsertTextFormat, MarkupKind, type CompletionItem, type CompletionList, type Range as LspRange } from 'vscode-languageserver';
import type { Analysis } from '../engine';
import type { Family, IptablesCommand, Lang, Position, Word, WordRole } from '../syntax/ast';
import { parseCommandWords } from '../syntax/commandLine';
import { splitRestoreWords } from '../syntax/words';
import { GENERIC_OPTIONS, genericByLong, genericByShort, type GenericOption } from '../knowledge/generic-options';
import { STANDARD_TARGETS, allMatches, allTargets, findMatch } from '../knowledge/registry';
import { TABLES, findTable } from '../knowledge/tables';
import { knownProtocolNames, implicitMatchName, parseProtocol } from '../knowledge/protocols';
import { CT_STATES, CT_STATUSES, STATE_MATCH_STATES } from '../knowledge/conntrack-states';
import { SERVICES } from '../knowledge/services';
import type { ModuleDef, OptionDef } from '../knowledge/types';
import { isRelevant } from './documents';
import { recordsOnLine } from './locate';
import { cmp, lineText, rangeKey, say, textOf, tr } from './text';
import { chainDoc, genericOptionMarkdown, moduleDef, moduleMarkdown, moduleOptionMarkdown, tableMarkdown, verdictMarkdown } from './docs';
import { PORT_OPTIONS, protocolOf } from './values';

interface Ctx {
  a: Analysis;
  lang: Lang;
  family: Family;
  /** Words before the one being typed. */
  before: Word[];
  prefix: string;
  /** What the typed prefix is replaced with. */
  range: LspRange;
  origin: 'save' | 'shell';
  table?: string;
  /** Set when a long list was cut: the client asks again as the user types. */
  incomplete?: boolean;
}

/** More user chains than this (kube-proxy dumps have tens of thousands) are filtered by the typed prefix and cut. */
const MAX_CHAIN_ITEMS = 500;

export interface CompletionOptions {
  /** The client understands `CompletionList.itemDefaults.editRange` (LSP 3.17): items need no textEdit each. */
  editRangeDefault?: boolean;
}

export function completion(a: Analysis, pos: Position, lang: Lang, opts: CompletionOptions = {}): CompletionList {
  const empty: CompletionList = { isIncomplete: false, items: [] };
  if (!isRelevant(a) && a.kind !== 'save') return empty;
  const ctx = contextAt(a, pos, lang);
  if (!ctx) return empty;
  if (ctx === 'lineStart') return { isIncomplete: false, items: saveLineStarts(a, pos, lang) };
  const items = ctx.origin === 'shell' && ctx.prefix.startsWith('$') ? variables(ctx) : itemsFor(ctx);
  const list = opts.editRangeDefault ? compact(items) : { isIncomplete: false, items };
  list.isIncomplete = !!ctx.incomplete;
  return list;
}

/** One edit range for the whole list instead of one per item: a list of thousands of chains stays small. */
function compact(items: CompletionItem[]): CompletionList {
  const first = items[0]?.textEdit;
  if (!first || !('range' in first) || items.some((it) => !it.textEdit || !('range' in it.textEdit) || rangeKey(it.textEdit.range) !== rangeKey(first.range))) return { isIncomplete: false, items };
  return {
    isIncomplete: false,
    itemDefaults: { editRange: first.range },
    items: items.map(({ textEdit, filterText, ...it }) => {
      const newText = (textEdit as { newText: string }).newText;
      const out: CompletionItem = { ...it };
      if (newText !== it.label) out.textEditText = newText;
      if (filterText !== undefined && filterText !== it.label) out.filterText = filterText;
      return out;
    }),
  };
}

function contextAt(a: Analysis, pos: Position, lang: Lang): Ctx | 'lineStart' | undefined {
  const save = saveContext(a, pos.line);
  if (save) {
    const text = lineText(a, pos.line);
    const head = text.slice(0, pos.character);
    if (/^\s*[*:#]/.test(head) || /^\s*COMMIT/.test(head)) return head.trim() === '' ? 'lineStart' : undefined;
    const counter = /^\s*\[\d+:\d+\]\s*/.exec(head);
    const words = splitRestoreWords(head, pos.line, counter ? counter[0].length : 0).words;
    const typing = words.length && words[words.length - 1].range.end.character === pos.character && !/\s$/.test(head) ? words.pop()! : undefined;
    if (!words.length && !(typing?.text.startsWith('-'))) return 'lineStart';
    return { a, lang, family: save.family, before: words, prefix: typing?.text ?? '', range: replaceRange(typing, pos), origin: 'save', table: save.table };
  }
  // A script: only inside an iptables command the analysis found on this line.
  const recs = recordsOnLine(a, pos.line);
  const rec = recs.find((r) => !r.fromRestore && r.program && cmp(r.program.range.end, pos) <= 0);
  if (!rec) return undefined;
  const before: Word[] = [];
  let typing: Word | undefined;
  for (const w of rec.command.words) {
    if (cmp(w.range.end, pos) < 0) before.push(w);
    else if (cmp(w.range.start, pos) <= 0) { typing = w; break; }
    else break;
  }
  const prefix = typing ? textOf(a, { start: typing.range.start, end: pos }) : '';
  return { a, lang, family: rec.command.family, before, prefix, range: replaceRange(typing, pos), origin: 'shell' };
}

const replaceRange = (typing: Word | undefined, pos: Position): LspRange => ({ start: typing ? typing.range.start : pos, end: pos });

/** The save document (the file, or a heredoc of a script) covering a line, and the table open there. */
function saveContext(a: Analysis, line: number): { family: Family; table?: string } | undefined {
  for (const s of a.saves) {
    const first = s.entries[0]?.range.start.line;
    if (first === undefined && a.kind !== 'save') continue;
    const last = s.entries[s.entries.length - 1]?.range.end.line ?? line;
    if (a.kind !== 'save' && (line < first || line > last)) continue;
    // Binary search for the last entry at or before the line.
    let lo = 0, hi = s.entries.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s.entries[mid].range.start.line <= line) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    let table: string | undefined;
    for (let k = found; k >= 0; k--) {
      const e = s.entries[k];
      if (e.kind === 'commit' && e.range.start.line < line) break;
      if (e.kind === 'table') { table = e.name; break; }
    }
    return { family: s.family, table };
  }
  return a.kind === 'save' ? { family: 4 } : undefined;
}

function saveLineStarts(a: Analysis, pos: Position, lang: Lang): CompletionItem[] {
  const ctx = saveContext(a, pos.line);
  const items: CompletionItem[] = [];
  if (!ctx?.table) {
    for (const t of TABLES) items.push(item(`*${t.name}`, CompletionItemKind.Module, tableMarkdown(t.name, lang), { sortText: `0${t.name}` }));
  } else {
    items.push(item('-A', CompletionItemKind.Keyword, genericOptionMarkdown(genericByLong('append')!, lang), { sortText: '0', insertText: '-A ' }));
    items.push(item(':', CompletionItemKind.Snippet, tr(lang, 'Declare a user-defined chain', 'ユーザー定義チェインを宣言'), { insertText: ':${1:NAME} - [0:0]', insertTextFormat: InsertTextFormat.Snippet, sortText: '1', filterText: ':', labelDetails: { description: ':NAME - [0:0]' } }));
    items.push(item('COMMIT', CompletionItemKind.Keyword, tr(lang, 'End of the table block', 'テーブルのブロックの終わり'), { sortText: '2' }));
  }
  return items;
}

function item(label: string, kind: CompletionItemKind, doc: string | undefined, extra: Partial<CompletionItem> = {}): CompletionItem {
  const it: CompletionItem = { label, kind, ...extra };
  if (doc) it.documentation = { kind: MarkupKind.Markdown, value: doc };
  return it;
}

function itemsFor(ctx: Ctx): CompletionItem[] {
  const placeholder: Word = { text: ctx.prefix, range: ctx.range };
  const { command } = parseCommandWords([...ctx.before, placeholder], { family: ctx.family, table: ctx.table, origin: ctx.origin });
  const edit = (items: CompletionItem[]) => items.map((it) => (it.textEdit ? it : { ...it, textEdit: { range: ctx.range, newText: it.insertText ?? it.label }, insertText: undefined, filterText: it.filterText ?? it.label }));
  // The word being typed starts an option: offer options whatever the parser made of it.
  if (ctx.prefix.startsWith('-')) return edit(options(ctx, command));
  const slot = argumentSlot(command);
  if (!slot) return edit(options(ctx, command));
  const { role, index } = slot;
  if (role.kind === 'command') {
    switch (role.op) {
      case 'N': return [];
      case 'P': return edit(index === 0 ? chains(ctx, command, 'builtin') : verdicts(ctx, ['ACCEPT', 'DROP']));
      case 'E': return index === 0 ? edit(chains(ctx, command, 'user')) : [];
      case 'X': return edit(chains(ctx, command, 'user'));
      default: return index === 0 ? edit(chains(ctx, command, 'all')) : edit(options(ctx, command));
    }
  }
  if (role.kind !== 'option') return edit(options(ctx, command));
  if (role.module) return edit(optionValues(ctx, command, role.module, role.name));
  switch (role.name) {
    case 'table': return edit(tables(ctx));
    case 'match': return edit(matches(ctx));
    case 'jump': return edit(targets(ctx, command));
    case 'goto': return edit(chains(ctx, command, 'user'));
    case 'protocol': return edit(protocols(ctx));
    default: return [];
  }
}

/**
 * Which option (or command) the word being typed is an argument of, and which argument: the
 * nearest option before it, if it still wants that many arguments. (When an option misses
 * arguments the parser gives its words no role, so the arity is counted here.)
 */
function argumentSlot(cmd: IptablesCommand): { role: Extract<WordRole, { kind: 'command' | 'option' }>; index: number } | undefined {
  const last = cmd.roles.length - 1;
  for (let j = last - 1; j >= 0; j--) {
    const role = cmd.roles[j];
    if (role.kind === 'negation') return undefined;
    if (role.kind !== 'command' && role.kind !== 'option') continue;
    const index = last - j - 1;
    return index < arity(cmd, role) ? { role, index } : undefined;
  }
  return undefined;
}

function arity(cmd: IptablesCommand, role: Extract<WordRole, { kind: 'command' | 'option' }>): number {
  if (role.kind === 'command') {
    const g = genericByShort(role.op);
    const n = g?.args === 'optional' ? 1 : g?.args ?? 0;
    return role.op === 'D' || role.op === 'I' || role.op === 'R' || role.op === 'Z' ? n + 1 : n;
  }
  const args = role.module
    ? moduleDef(role.moduleKind ?? 'match', role.module, cmd.family)?.options.find((o) => o.name === role.name)?.args
    : genericByLong(role.name)?.args;
  return args === 'optional' ? 1 : args ?? 0;
}

function options(ctx: Ctx, cmd: IptablesCommand): CompletionItem[] {
  const items: CompletionItem[] = [];
  const long = ctx.prefix.startsWith('--');
  const generic = (g: GenericOption, sort: string) => {
    if (ctx.origin === 'save' && (g.role.kind === 'table' || (g.role.kind === 'command' && cmd.op))) return;
    if (g.role.kind === 'command' && cmd.op) return;
    if (g.role.kind === 'ignored' || g.role.kind === 'family4' || g.role.kind === 'family6' || g.role.kind === 'counters') return;
    // A generic match or a target given once already cannot be given again.
    if (g.role.kind === 'match' && cmd.generic[g.role.field]) return;
    if ((g.role.kind === 'jump' || g.role.kind === 'goto') && cmd.target) return;
    const label = !long && g.short ? `-${g.short}` : `--${g.long}`;
    items.push(item(label, g.role.kind === 'command' ? CompletionItemKind.Keyword : CompletionItemKind.Property, genericOptionMarkdown(g, ctx.lang), { sortText: sort + label, detail: g.argName, insertText: g.args === 0 ? label : label + ' ' }));
  };
  for (const g of GENERIC_OPTIONS) generic(g, g.role.kind === 'command' ? '0' : '2');
  // Options of every module loaded so far, the implicit protocol match included.
  const seen = new Set<string>();
  const modules: ModuleDef[] = [];
  for (const m of cmd.matches) { const d = moduleDef('match', m.name, ctx.family); if (d) modules.push(d); }
  const p = cmd.generic.protocol;
  if (p && !p.arg.symbolic) {
    const name = implicitMatchName(p.value);
    const d = name ? findMatch(name, ctx.family) : undefined;
    if (d && !modules.includes(d)) modules.push(d);
  }
  if (cmd.target) { const d = moduleDef('target', cmd.target.name, ctx.family); if (d) modules.push(d); }
  for (const def of modules.reverse()) {
    for (const o of def.options) {
      if (seen.has(o.name)) continue;
      seen.add(o.name);
      const label = `--${o.name}`;
      items.push(item(label, CompletionItemKind.Field, moduleOptionMarkdown(def, o, ctx.lang), { sortText: '1' + label, detail: o.argName ? `${o.argName} (${def.name})` : def.name, insertText: o.args === 0 ? label : label + ' ' }));
    }
  }
  return items;
}

function chains(ctx: Ctx, cmd: IptablesCommand, which: 'builtin' | 'user' | 'all'): CompletionItem[] {
  const table = ctx.table ?? cmd.table;
  const items: CompletionItem[] = [];
  if (which !== 'user') {
    for (const c of findTable(table)?.chains ?? []) items.push(item(c, CompletionItemKind.Class, say(chainDoc(c), ctx.lang), { sortText: '0' + c, detail: table }));
  }
  if (which !== 'builtin') {
    items.push(...userChainItems(ctx, table));
  }
  return items;
}

/** User chains of a table: those in the final ruleset and any declared or created anywhere in the document. */
/** User chains as lean items (no documentation, no sortText: they sort by name after verdicts and targets). */
function userChainItems(ctx: Ctx, table: string): CompletionItem[] {
  let names = userChains(ctx.a, ctx.family, table);
  if (names.length > MAX_CHAIN_ITEMS) {
    const p = ctx.prefix.toLowerCase();
    names = names.filter((n) => n.toLowerCase().includes(p));
    if (names.length > MAX_CHAIN_ITEMS) { names = names.slice(0, MAX_CHAIN_ITEMS); ctx.incomplete = true; }
    if (!p) ctx.incomplete = true;
  }
  return names.map((name) => ({ label: name, kind: CompletionItemKind.Function }));
}

/** Precomputes the user chains of every table (called after diagnostics, off the request path). */
export function warmCompletion(a: Analysis): void {
  for (const family of a.families) for (const table of a.rulesets[family].tables.keys()) userChains(a, family, table);
}

const chainCache = new WeakMap<Analysis, Map<string, string[]>>();

export function userChains(a: Analysis, family: Family, table: string): string[] {
  let perTable = chainCache.get(a);
  if (!perTable) chainCache.set(a, perTable = new Map());
  const key = `${family}/${table}`;
  let list = perTable.get(key);
  if (!list) perTable.set(key, list = collectUserChains(a, family, table));
  return list;
}

function collectUserChains(a: Analysis, family: Family, table: string): string[] {
  const names = new Set<string>();
  for (const c of a.rulesets[family].tables.get(table)?.chains.values() ?? []) if (!c.builtin) names.add(c.name);
  for (const rec of a.commands) {
    const c = rec.command;
    if (c.family === family && c.table === table && c.op === 'N' && c.chain && !c.chainWord?.symbolic) names.add(c.chain);
  }
  return [...names].sort();
}

function targets(ctx: Ctx, cmd: IptablesCommand): CompletionItem[] {
  const table = ctx.table ?? cmd.table;
  const items = verdicts(ctx, [...STANDARD_TARGETS]);
  for (const def of allTargets()) {
    if (def.family && def.family !== ctx.family) continue;
    if (def.tables && !def.tables.includes(table)) continue;
    items.push(item(def.name, CompletionItemKind.Module, moduleMarkdown(def, ctx.lang), { sortText: '~' + def.name, detail: tr(ctx.lang, 'target', 'ターゲット') }));
  }
  items.push(...userChainItems(ctx, table));
  return items;
}

function verdicts(ctx: Ctx, names: string[]): CompletionItem[] {
  return names.map((n) => item(n, CompletionItemKind.EnumMember, verdictMarkdown(n, ctx.lang), { sortText: '0' + n }));
}

function tables(ctx: Ctx): CompletionItem[] {
  return TABLES.filter((t) => t.families.includes(ctx.family)).map((t) => item(t.name, CompletionItemKind.Module, tableMarkdown(t.name, ctx.lang)));
}

function matches(ctx: Ctx): CompletionItem[] {
  return allMatches().filter((d) => !d.family || d.family === ctx.family).map((d) => item(d.name, CompletionItemKind.Module, moduleMarkdown(d, ctx.lang), { detail: tr(ctx.lang, 'match', 'マッチ'), tags: d.deprecatedBy ? [CompletionItemTag.Deprecated] : undefined, sortText: (d.deprecatedBy ? '9' : '0') + d.name }));
}

function protocols(ctx: Ctx): CompletionItem[] {
  return knownProtocolNames().map((n, i) => {
    const p = parseProtocol(n, ctx.family);
    const detail = p.ok ? (p.value.number === 0 ? tr(ctx.lang, 'every protocol', 'すべてのプロトコル') : `${p.value.number}`) : undefined;
    return item(n, CompletionItemKind.EnumMember, undefined, { detail, sortText: String(i).padStart(3, '0') });
  });
}

function optionValues(ctx: Ctx, cmd: IptablesCommand, module: string, option: string): CompletionItem[] {
  const def = moduleDef(cmd.target?.name === module ? 'target' : 'match', module, ctx.family) ?? moduleDef('match', module, ctx.family);
  const o: OptionDef | undefined = def?.options.find((x) => x.name === option);
  // Comma lists: complete the item after the last comma.
  const comma = ctx.prefix.lastIndexOf(',');
  const range = comma < 0 ? ctx.range : { start: { line: ctx.range.end.line, character: ctx.range.end.character - (ctx.prefix.length - comma - 1) }, end: ctx.range.end };
  const inList = (items: CompletionItem[]) => items.map((it) => ({ ...it, textEdit: { range, newText: it.label } }));
  if (option === 'state' || option === 'ctstate') {
    const names = option === 'state' ? STATE_MATCH_STATES : CT_STATES.map((s) => s.name);
    return inList(CT_STATES.filter((s) => names.includes(s.name)).map((s) => item(s.name, CompletionItemKind.EnumMember, say(s.doc, ctx.lang))));
  }
  if (option === 'ctstatus') return inList(CT_STATUSES.map((s) => item(s.name, CompletionItemKind.EnumMember, say(s.doc, ctx.lang))));
  if (PORT_OPTIONS.has(option)) {
    const proto = protocolOf(cmd);
    const list = SERVICES[proto] ?? SERVICES.tcp;
    return inList(list.filter(([port]) => port > 0).sort((x, y) => x[0] - y[0]).map(([port, names]) => ({ ...item(String(port), CompletionItemKind.Value, undefined, { detail: `${proto}/${names[0]}` }), labelDetails: { description: names[0] }, sortText: String(port).padStart(5, '0'), filterText: `${port} ${names[0]}` })));
  }
  const docOf = def && o ? moduleOptionMarkdown(def, o, ctx.lang) : undefined;
  return (o?.values ?? []).map((v, i) => ({ ...item(v, CompletionItemKind.Value, docOf, { sortText: String(i).padStart(3, '0') }), textEdit: { range: ctx.range, newText: v } }));
}

function variables(ctx: Ctx): CompletionItem[] {
  return (ctx.a.shell?.variables ?? []).map((v) => ({
    ...item(`$${v.name}`, CompletionItemKind.Variable, v.value !== undefined ? '`' + v.value + '`' : undefined, { detail: v.value }),
    textEdit: { range: ctx.range, newText: `$${v.name}` },
  }));
}
