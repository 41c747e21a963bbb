// Hover: what the word under the cursor means, in this ruleset, plus the problems reported there.
import { MarkupKind, type Hover } from 'vscode-languageserver';
import type { Analysis } from '../engine';
import type { Family, IptablesCommand, Lang, Position, Range, WordRole } from '../syntax/ast';
import { genericByLong, genericByShort } from '../knowledge/generic-options';
import { stateDoc, statusDoc } from '../knowledge/conntrack-states';
import { parseProtocol } from '../knowledge/protocols';
import { findTable } from '../knowledge/tables';
import { formatRule } from '../model/printer';
import { isRelevant } from './documents';
import { callersOf, locate, type Located } from './locate';
import { code, inRange, lineNo, say, tr } from './text';
import { COMMIT_DOC, NEGATION_DOC, chainDoc, genericOptionMarkdown, moduleDef, moduleMarkdown, moduleOptionMarkdown, tableMarkdown, verdictMarkdown } from './docs';
import { PORT_OPTIONS, describeAddresses, describePorts, protocolOf } from './values';

export function hover(a: Analysis, pos: Position, lang: Lang): Hover | null {
  if (!isRelevant(a)) return null;
  const found = locate(a, pos);
  const parts: string[] = [];
  let range: Range | undefined;
  if (found) {
    const text = describe(a, found, lang);
    if (text) { parts.push(text); range = 'word' in found ? found.word.range : found.range; }
  }
  const here = a.problems.filter((p) => inRange(p.range, pos));
  if (here.length) parts.push(here.map((p) => `**${p.code}** ${p.message[lang]}`).join('\n\n'));
  if (!parts.length) return null;
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range };
}

function describe(a: Analysis, found: Located, lang: Lang): string | undefined {
  switch (found.kind) {
    case 'word': return describeWord(a, found.rec.command, found.role, found.word.text, lang);
    case 'program': {
      const cmd = found.rec.command;
      const prog = found.word.text.includes('6') ? 'ip6tables' : 'iptables';
      const lines = [`**${code(found.word.text)}** — ${prog} (IPv${cmd.family})`];
      if (found.rec.conditional) lines.push(tr(lang, 'Runs only under a condition the analysis cannot decide.', '実行されるかどうかは条件次第です（解析では判断できません）。'));
      if ((cmd.op === 'A' || cmd.op === 'I') && !cmd.invalid && !cmd.symbolic) {
        lines.push(`${tr(lang, 'As iptables-save prints it', 'iptables-save での表記')}:\n\`\`\`\n${formatRule(cmd)}\n\`\`\``);
      }
      return lines.join('\n\n');
    }
    case 'saveTable': return tableMarkdown(found.name, lang);
    case 'saveChain': return chainMarkdown(a, found.family, found.table ?? 'filter', found.name, lang);
    case 'savePolicy': return verdictMarkdown(found.policy, lang) ?? (found.policy === '-' ? tr(lang, '`-`: a user-defined chain has no policy.', '`-`：ユーザー定義チェインにはポリシーがありません。') : undefined);
    case 'commit': return `**COMMIT**\n\n${say(COMMIT_DOC, lang)}`;
    case 'variable': {
      const v = found.variable;
      const value = v.value !== undefined ? `= ${code(v.value)}` : tr(lang, '— value not known statically (set differently on different paths, or from outside)', '— 値は静的には分かりません（経路によって異なるか、外部から与えられます）');
      const defs = v.definitions.length
        ? tr(lang, `Set on line ${v.definitions.map(lineNo).join(', ')}`, `${v.definitions.map(lineNo).join(', ')} 行目で設定`)
        : tr(lang, 'Never set in this script (comes from the environment)', 'このスクリプト内では設定されていません（環境変数から）');
      return `**$${v.name}** ${value}\n\n${defs} · ${tr(lang, `used ${v.uses.length} time(s)`, `${v.uses.length} 回使用`)}`;
    }
    case 'function': {
      const f = found.fn;
      return `**${f.name}()** — ${tr(lang, 'shell function', 'シェル関数')}\n\n${tr(lang, `Defined on line ${lineNo(f.definition)} · called ${f.calls.length} time(s)`, `${lineNo(f.definition)} 行目で定義 · ${f.calls.length} 回呼び出し`)}`;
    }
  }
}

function describeWord(a: Analysis, cmd: IptablesCommand, role: WordRole, text: string, lang: Lang): string | undefined {
  switch (role.kind) {
    case 'command': {
      const g = genericByShort(role.op);
      return g ? genericOptionMarkdown(g, lang) : undefined;
    }
    case 'option': {
      if (role.module && role.moduleKind) {
        const def = moduleDef(role.moduleKind, role.module, cmd.family);
        const o = def?.options.find((x) => x.name === role.name);
        if (def && o) return moduleOptionMarkdown(def, o, lang);
      }
      const g = genericByLong(role.name);
      return g ? genericOptionMarkdown(g, lang) : undefined;
    }
    case 'module': {
      const def = moduleDef(role.moduleKind, role.name, cmd.family);
      return def ? moduleMarkdown(def, lang) : undefined;
    }
    case 'chain': return chainMarkdown(a, cmd.family, cmd.table, role.name, lang);
    case 'table': return tableMarkdown(role.name, lang);
    case 'verdict': return verdictMarkdown(role.name, lang);
    case 'negation': return say(NEGATION_DOC, lang);
    case 'value': return valueMarkdown(cmd, role, text, lang);
    default: return undefined;
  }
}

function valueMarkdown(cmd: IptablesCommand, role: Extract<WordRole, { kind: 'value' }>, text: string, lang: Lang): string | undefined {
  const opt = role.option;
  if (opt === 'rulenum') return tr(lang, `Rule number ${code(text)} (1 is the first rule of the chain).`, `ルール番号 ${code(text)}（1 がチェインの先頭のルール）。`);
  if (!role.module) {
    if (opt === 'protocol') {
      const p = parseProtocol(text, cmd.family);
      if (!p.ok) return p.message[lang];
      return p.value.number === 0
        ? tr(lang, `${code(text)} — every protocol`, `${code(text)} — すべてのプロトコル`)
        : `${code(text)} — ${tr(lang, 'IP protocol', 'IP プロトコル')} ${p.value.number}${p.value.name && p.value.name !== text ? ` (${p.value.name})` : ''}`;
    }
    if (opt === 'source' || opt === 'destination') {
      const head = opt === 'source' ? tr(lang, 'Source', '送信元') : tr(lang, 'Destination', '宛先');
      const lines = describeAddresses(text, cmd.family, lang);
      return lines.length ? `**${head}**\n\n${lines.map((l) => `- ${l}`).join('\n')}` : undefined;
    }
    if (opt === 'in-interface' || opt === 'out-interface') {
      const wild = text.endsWith('+') ? tr(lang, `every interface whose name starts with ${code(text.slice(0, -1))}`, `名前が ${code(text.slice(0, -1))} で始まるすべてのインターフェース`) : tr(lang, `the interface ${code(text)}`, `インターフェース ${code(text)}`);
      return `${opt === 'in-interface' ? tr(lang, 'Arrives on', '受信') : tr(lang, 'Leaves by', '送信')}: ${wild}`;
    }
    const g = genericByLong(opt);
    return g ? genericOptionMarkdown(g, lang) : undefined;
  }
  if (PORT_OPTIONS.has(opt)) {
    const lines = describePorts(text, protocolOf(cmd), lang);
    if (lines.length) return lines.map((l) => `- ${l}`).join('\n');
  }
  if (opt === 'state' || opt === 'ctstate' || opt === 'ctstatus') {
    const doc = opt === 'ctstatus' ? statusDoc : stateDoc;
    const items = text.split(',').filter(Boolean).map((s) => `- **${s.toUpperCase()}** — ${say(doc(s), lang) || tr(lang, 'unknown', '不明')}`);
    return items.join('\n');
  }
  const def = role.module ? moduleDef(kindOfModule(cmd, role.module), role.module, cmd.family) : undefined;
  const o = def?.options.find((x) => x.name === opt);
  return def && o ? moduleOptionMarkdown(def, o, lang) : undefined;
}

function kindOfModule(cmd: IptablesCommand, name: string): 'match' | 'target' {
  return cmd.target?.name === name && !cmd.matches.some((m) => m.name === name) ? 'target' : 'match';
}

/** A chain as this ruleset has it: built-in (traffic, policy) or user-defined (creation, rules, callers). */
export function chainMarkdown(a: Analysis, family: Family, table: string, name: string, lang: Lang): string {
  const rs = a.rulesets[family];
  const builtin = findTable(table)?.chains.includes(name) ?? false;
  const fam = a.families.length > 1 ? ` (IPv${family})` : '';
  const chain = rs.tables.get(table)?.chains.get(name);
  if (builtin) {
    const lines = [`**${name}** — ${tr(lang, `built-in chain of the ${table} table`, `${table} テーブルの組み込みチェイン`)}${fam}`, say(chainDoc(name), lang)];
    const policy = chain?.policy ?? 'ACCEPT';
    const where = chain?.policyRange ? tr(lang, ` (line ${lineNo(chain.policyRange)})`, `（${lineNo(chain.policyRange)} 行目）`) : tr(lang, ' (default)', '（既定）');
    lines.push(`${tr(lang, 'Policy', 'ポリシー')}: **${policy}**${where} · ${tr(lang, `${chain?.rules.length ?? 0} rule(s)`, `ルール ${chain?.rules.length ?? 0} 個`)}`);
    return lines.join('\n\n');
  }
  if (!chain) {
    return `**${name}**${fam}\n\n${tr(lang, `No chain of this name exists in the ${table} table at the end.`, `最終的に ${table} テーブルにこの名前のチェインはありません。`)}`;
  }
  const callerLines = [...new Set(callersOf(a, family, table, name).map(lineNo))];
  const shown = callerLines.slice(0, 10).join(', ') + (callerLines.length > 10 ? ', …' : '');
  const lines = [`**${name}** — ${tr(lang, `user-defined chain in the ${table} table`, `${table} テーブルのユーザー定義チェイン`)}${fam}`];
  const facts = [
    chain.definedAt ? tr(lang, `created on line ${lineNo(chain.definedAt)}`, `${lineNo(chain.definedAt)} 行目で作成`) : undefined,
    tr(lang, `${chain.rules.length} rule(s)`, `ルール ${chain.rules.length} 個`),
    callerLines.length ? tr(lang, `jumped to from line ${shown}`, `${shown} 行目からジャンプ`) : tr(lang, 'nothing jumps to it', 'どこからもジャンプされていません'),
  ].filter(Boolean);
  lines.push(facts.join(' · '));
  return lines.join('\n\n');
}
