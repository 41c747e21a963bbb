// Options by the word as written (`-A`, `--append`, `--dport`): the command-line parser looks up
// every option word of every rule, and a lookup with the word itself needs no slice of it (short
// words are interned by the word splitter, so their hash is computed once).
import type { ParsedModule, WordRole } from '../syntax/ast';
import { GENERIC_OPTIONS, genericByLong, genericLongNames, type GenericOption } from './generic-options';
import type { ModuleDef, OptionDef } from './types';

const GENERIC = new Map<string, GenericOption>();
for (const o of GENERIC_OPTIONS) {
  for (const n of [o.long, ...(o.aliases ?? [])]) GENERIC.set(`--${n}`, o);
  if (o.short) GENERIC.set(`-${o.short}`, o);
}

/** The generic option written `-X` or `--long-name` (exactly; no `=value`, no abbreviation). */
export const genericByWord = (word: string): GenericOption | undefined => GENERIC.get(word);

/** What the command-line parser keeps per module definition, made once per definition. */
export interface ModuleIndex {
  readonly def: ModuleDef;
  /**
   * Its options by `--name` and `--alias`. When two options share a spelling, the first in
   * `options` order is the one found (as `options.find` would).
   */
  readonly options: ReadonlyMap<string, OptionDef>;
  /** The role of a `-m NAME` / `-j NAME` word naming it (set by the parser on first use). */
  role: WordRole | undefined;
}

const BY_MODULE = new WeakMap<ModuleDef, ModuleIndex>();

export function moduleIndex(def: ModuleDef): ModuleIndex {
  let index = BY_MODULE.get(def);
  if (index) return index;
  const options = new Map<string, OptionDef>();
  for (const o of def.options) {
    for (const n of [o.name, ...(o.aliases ?? [])]) if (!options.has(`--${n}`)) options.set(`--${n}`, o);
  }
  BY_MODULE.set(def, (index = { def, options, role: undefined }));
  return index;
}

/** A long option found: a generic one, or one of a loaded module. */
export type LongOption = { generic: GenericOption } | { module: ParsedModule; def: OptionDef };

/**
 * getopt_long among the generic options and the modules loaded so far (`loaded` in load order):
 * an option of a module named exactly `name` (newest module first), else the one option whose name
 * starts with `name` ('ambiguous' when several do). The caller looks for an exact generic option first.
 */
export function searchLongOption(name: string, loaded: readonly { module: ParsedModule; info: { def: ModuleDef } }[]): LongOption | 'ambiguous' | undefined {
  const exact = (d: OptionDef) => d.name === name || (d.aliases?.includes(name) ?? false);
  for (let k = loaded.length - 1; k >= 0; k--) {
    const def = loaded[k].info.def.options.find(exact);
    if (def) return { module: loaded[k].module, def };
  }
  const candidates: LongOption[] = [];
  const seen = new Set<unknown>();
  for (const long of genericLongNames()) {
    const gg = genericByLong(long)!;
    if (long.startsWith(name) && !seen.has(gg)) { seen.add(gg); candidates.push({ generic: gg }); }
  }
  for (let k = loaded.length - 1; k >= 0; k--) {
    for (const o of loaded[k].info.def.options) {
      if ([o.name, ...(o.aliases ?? [])].some((n) => n.startsWith(name)) && !seen.has(o)) { seen.add(o); candidates.push({ module: loaded[k].module, def: o }); }
    }
  }
  return candidates.length === 1 ? candidates[0] : candidates.length > 1 ? 'ambiguous' : undefined;
}
