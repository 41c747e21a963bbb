// Small helpers for the modules' canonical printers (save functions).
import type { ParsedModule, ParsedOption } from '../syntax/ast';

/** The last occurrence of an option (iptables keeps the last when one is repeated and allowed). */
export function optionOf(m: ParsedModule, name: string): ParsedOption | undefined {
  for (let i = m.options.length - 1; i >= 0; i--) if (m.options[i].name === name) return m.options[i];
  return undefined;
}

export const bang = (o: ParsedOption): string[] => (o.negated ? ['!'] : []);

/**
 * Quotes a string argument the way iptables-save does (xtables_save_string, checked on 1.8.9):
 * a non-empty word of letters, digits, `_` and `-` only is printed bare; anything else goes in
 * double quotes with `"`, `'` and `\` escaped by a backslash (`it's` -> `"it\'s"`, `` -> `""`).
 */
export function quoteSaveString(text: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(text)) return text;
  return `"${text.replace(/(["'\\])/g, '\\$1')}"`;
}
