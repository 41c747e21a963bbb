// Markdown for the vocabulary of iptables (options, modules, verdicts, tables, states), shared by
// hover and completion so a word reads the same in both places.
import type { Family, Lang, Localized } from '../syntax/ast';
import { loc } from '../syntax/ast';
import { findMatch, findTarget } from '../knowledge/registry';
import { genericByLong, genericByShort, type GenericOption } from '../knowledge/generic-options';
import { findTable, CHAIN_DOCS } from '../knowledge/tables';
import type { ModuleDef, OptionDef } from '../knowledge/types';
import { tr, say, code } from './text';

export const VERDICT_DOCS: Record<string, Localized> = {
  ACCEPT: loc('Let the packet through: it leaves this chain, and for a built-in chain the whole table, accepted.', 'パケットを通します。このチェイン（組み込みチェインならこのテーブル全体）の処理を終えて許可されます。'),
  DROP: loc('Throw the packet away without a word: the sender gets no answer and waits for a timeout.', 'パケットを黙って破棄します。送信元には何も返らず、タイムアウトまで待たされます。'),
  RETURN: loc('Stop this chain and continue in the chain that called it; in a built-in chain the policy decides.', 'このチェインの処理をやめ、呼び出し元のチェインの続きに戻ります。組み込みチェインではポリシーが適用されます。'),
  QUEUE: loc('Hand the packet to a userspace program (queue 0 of nfnetlink_queue); with no program listening it is dropped.', 'パケットをユーザー空間のプログラム（nfnetlink_queue のキュー 0）に渡します。受け取るプログラムがなければ破棄されます。'),
};

export const NEGATION_DOC = loc('`!` inverts the condition that follows: the rule matches when that condition is false.', '`!` は直後の条件を反転します。その条件が成り立たないときに一致します。');
export const COMMIT_DOC = loc('Ends the table block: iptables-restore replaces the table with the whole block at once here.', 'テーブルのブロックの終わりです。ここで iptables-restore がブロック全体でテーブルを一度に置き換えます。');

export function moduleDef(kind: 'match' | 'target', name: string, family: Family): ModuleDef | undefined {
  return kind === 'match' ? findMatch(name, family) : findTarget(name, family);
}

export function genericOptionMarkdown(g: GenericOption, lang: Lang): string {
  const names = [g.short ? `-${g.short}` : undefined, `--${g.long}`, ...(g.aliases ?? []).map((x) => `--${x}`)].filter(Boolean).join(', ');
  const neg = g.negatable ? ` ${tr(lang, '(can be negated with `!`)', '（`!` で否定できます）')}` : '';
  return `**${names}**${g.argName ? ' ' + code(g.argName) : ''}\n\n${say(g.doc, lang)}${neg}`;
}

export function genericOptionByWord(text: string): GenericOption | undefined {
  if (text.startsWith('--')) return genericByLong(text.slice(2).split('=')[0]);
  return text.length === 2 && text[0] === '-' ? genericByShort(text[1]) : undefined;
}

export function moduleOptionMarkdown(def: ModuleDef, o: OptionDef, lang: Lang): string {
  const names = [`--${o.name}`, ...(o.aliases ?? []).map((x) => `--${x}`)].join(', ');
  const owner = def.kind === 'match' ? `-m ${def.name}` : `-j ${def.name}`;
  const neg = o.negatable ? ` ${tr(lang, '(can be negated with `!`)', '（`!` で否定できます）')}` : '';
  const values = o.values?.length ? `\n\n${tr(lang, 'Values', '値')}: ${o.values.slice(0, 12).map(code).join(', ')}${o.values.length > 12 ? ', …' : ''}` : '';
  return `**${names}**${o.argName ? ' ' + code(o.argName) : ''} — ${code(owner)}\n\n${say(o.doc, lang)}${neg}${values}`;
}

export function moduleMarkdown(def: ModuleDef, lang: Lang): string {
  const head = def.kind === 'match' ? tr(lang, `match extension`, `マッチ拡張`) : tr(lang, `target extension`, `ターゲット拡張`);
  const limits: string[] = [];
  if (def.family) limits.push(def.family === 4 ? tr(lang, 'IPv4 only (iptables)', 'IPv4 専用（iptables）') : tr(lang, 'IPv6 only (ip6tables)', 'IPv6 専用（ip6tables）'));
  if (def.tables) limits.push(`${tr(lang, 'tables', 'テーブル')}: ${def.tables.join(', ')}`);
  if (def.chains) limits.push(`${tr(lang, 'chains', 'チェイン')}: ${def.chains.join(', ')}`);
  if (def.protocols) limits.push(`${tr(lang, 'needs', '必要')}: ${def.protocols.map((p) => code(`-p ${p}`)).join(' / ')}`);
  const dep = def.deprecatedBy ? `\n\n${tr(lang, `Deprecated: use ${code(def.deprecatedBy)} instead.`, `非推奨です。代わりに ${code(def.deprecatedBy)} を使います。`)}` : '';
  const opts = def.options.length ? `\n\n${tr(lang, 'Options', 'オプション')}: ${def.options.slice(0, 16).map((o) => code('--' + o.name)).join(', ')}${def.options.length > 16 ? ', …' : ''}` : '';
  return `**${def.name}** — ${head}${limits.length ? ` (${limits.join('; ')})` : ''}\n\n${say(def.doc, lang)}${dep}${opts}`;
}

export function verdictMarkdown(name: string, lang: Lang): string | undefined {
  const d = VERDICT_DOCS[name];
  return d ? `**${name}** — ${tr(lang, 'verdict', '判定')}\n\n${say(d, lang)}` : undefined;
}

export function tableMarkdown(name: string, lang: Lang): string | undefined {
  const t = findTable(name);
  if (!t) return undefined;
  return `**${name}** — ${tr(lang, 'table', 'テーブル')}\n\n${say(t.doc, lang)}\n\n${tr(lang, 'Built-in chains', '組み込みチェイン')}: ${t.chains.map(code).join(', ')}`;
}

export const chainDoc = (name: string): Localized | undefined => CHAIN_DOCS[name];
