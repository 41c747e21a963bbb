// Characters that look like `-`, `"` or a space but are not ASCII: typical of rules copied from
// web pages and word processors. iptables sees them as different characters and rejects the word.
import { loc, type Localized, type Problem, type Word } from './ast';

const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\uFF0D]/g;
const SPACES = /[\u00A0\u2000-\u200B\u202F\u205F\u3000]/g;
const QUOTES = /[\u2018\u2019\u201C\u201D\uFF02\uFF07]/g;
const FULLWIDTH = /[\uFF01-\uFF5E]/g;

export interface Lookalike { fixed: string; names: Localized }

/** The ASCII spelling of a word with look-alike characters, or undefined when it has none. */
export function findLookalikes(text: string): Lookalike | undefined {
  if (/^[\x00-\x7F]*$/.test(text)) return undefined;
  const en: string[] = [], ja: string[] = [];
  let fixed = text;
  if (DASHES.test(fixed)) { en.push('a dash that is not a hyphen-minus'); ja.push('ハイフンではないダッシュ記号'); fixed = fixed.replace(DASHES, '-'); }
  if (SPACES.test(fixed)) { en.push('a non-ASCII space'); ja.push('全角または特殊な空白'); fixed = fixed.replace(SPACES, ' '); }
  if (QUOTES.test(fixed)) { en.push('typographic quotes'); ja.push('全角または装飾された引用符'); fixed = fixed.replace(QUOTES, (q) => ('\u2018\u2019\uFF07'.includes(q) ? "'" : '"')); }
  if (FULLWIDTH.test(fixed)) { en.push('full-width characters'); ja.push('全角文字'); fixed = fixed.replace(FULLWIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)); }
  if (!en.length) return undefined;
  return { fixed, names: { en: en.join(' and '), ja: ja.join('と') } };
}

/** Options whose argument is free text, where any character is fine. */
export const FREE_TEXT_OPTIONS: ReadonlySet<string> = new Set(['comment', 'log-prefix', 'nflog-prefix', 'ulog-prefix', 'string', 'hex-string', 'name', 'led-trigger-id', 'selctx', 'label', 'rateest-name']);

/** The IPT114 error for a word with look-alike characters, with the fix. */
export function lookalikeProblem(w: Word, found: Lookalike): Problem {
  return {
    code: 'IPT114', severity: 'error', range: w.range,
    message: loc(`"${w.text}" contains ${found.names.en}, not plain ASCII: iptables will not recognise it (often copied from a web page)`,
      `"${w.text}" に${found.names.ja}が含まれています。iptables は認識できません（Web ページからのコピーでよく起こります）`),
    fixes: [{ title: loc(`Replace with "${found.fixed}"`, `"${found.fixed}" に置き換える`), edits: [{ range: w.range, newText: found.fixed }], preferred: true }],
  };
}
