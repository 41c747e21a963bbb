// IPT115: a word of an iptables command holds a shell variable whose value is not known statically.
// Reported once per variable (at its first use in a rule), with the other uses as related
// information: a script that sources its settings would otherwise drown in warnings.
import { loc, type Range } from '../syntax/ast';
import type { Analysis } from '../engine';
import type { CheckDef, Finding } from './types';

export const unresolvedVariable: CheckDef = {
  code: 'IPT115',
  name: 'unresolved-variable',
  severity: 'warning',
  summary: loc('A shell variable whose value is not known: the rules using it are checked only in part.', '値がわからないシェル変数です。それを使うルールは一部しか検査できません。'),
  run(analysis) {
    const uses = new Map<string, Range[]>();
    const broken = analysis.problems.filter((p) => p.code === 'IPT100').map((p) => p.range.start);
    for (const rec of analysis.commands) {
      if (rec.fromRestore) continue;
      for (const w of rec.command.words) {
        // Symbolic for another reason (an unterminated quote, reported as IPT100): not a variable.
        if (!w.symbolic || !/[$`]/.test(w.text) || broken.some((p) => inside(p, w.range))) continue;
        const list = uses.get(w.text);
        if (list) { if (!list.some((r) => sameStart(r, w.range))) list.push(w.range); } else uses.set(w.text, [w.range]);
      }
    }
    const out: Finding[] = [];
    for (const [text, ranges] of uses) {
      const more = ranges.length - 1;
      const why = origin(analysis, text);
      out.push({
        range: ranges[0],
        message: loc(
          `${text} ${why.en}: ${more ? `this rule and ${more} other use(s) are` : 'this rule is'} checked only in part`,
          `${text} ${why.ja}。${more ? `このルールとほか ${more} 箇所の使用は` : 'このルールは'}一部しか検査できません`),
        related: [
          ...(why.definedAt ? [{ range: why.definedAt, message: loc(`${text} is set here`, `${text} はここで設定されています`) }] : []),
          ...ranges.slice(1, 20).map((r) => ({ range: r, message: loc(`${text} is used here too`, `${text} はここでも使われています`) })),
        ],
      });
    }
    return out;
  },
};

/** Why the value is unknown: an argument, an assignment from something known only at run time, or no assignment here. */
function origin(analysis: Analysis, text: string): { en: string; ja: string; definedAt?: Range } {
  const m = /\$\{?#?([A-Za-z_][A-Za-z0-9_]*|[0-9@*])/.exec(text);
  const name = m?.[1];
  if (name && /^[0-9@*]$/.test(name)) {
    return loc('is an argument given to the script (or to a function) and is known only when it runs', 'はスクリプト（または関数）に渡す引数で、実行するまで値がわかりません');
  }
  const v = name ? analysis.shell?.variables.find((x) => x.name === name) : undefined;
  if (v?.definitions.length) {
    const line = v.definitions[0].start.line + 1;
    return { ...loc(`is set on line ${line} from a value known only when the script runs (an argument, a command's output, a file)`, `は ${line} 行目で、実行するまでわからない値（引数、コマンドの出力、ファイルなど）から設定されます`), definedAt: v.definitions[0] };
  }
  return loc('is not set in this script (the environment, a sourced file or read?), so its value is not known before it runs', 'はこのスクリプト内で設定されていないため（環境変数、読み込んだファイル、read など）、実行前には値がわかりません');
}

const inside = (p: Range['start'], r: Range) => (p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character))
  && (p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character));

const sameStart = (a: Range, b: Range) => a.start.line === b.start.line && a.start.character === b.start.character;
