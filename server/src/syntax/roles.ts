// The meaning of each word of a command (WordRole), as shared immutable objects: a large file
// has a million words but only a few thousand distinct roles.
import type { ParsedModule, WordRole } from './ast';
import type { GenericOption } from '../knowledge/generic-options';
import type { OptionDef } from '../knowledge/types';

/**
 * Roles are immutable and few distinct ones exist: equal roles share one object, found through
 * the definition object or the name they describe (no string keys built per word).
 */
const BY_DEF = new WeakMap<object, WordRole[]>();
const BY_NAME = new Map<string, Map<string, WordRole>>();

export function defRole(def: object, slot: number, make: () => WordRole): WordRole {
  let list = BY_DEF.get(def);
  if (!list) BY_DEF.set(def, (list = []));
  return (list[slot] ??= make());
}

/** The role of the n-th argument of an option (slot n + 1 of its definition's list). */
export function argRole(owner: GenericOption | OptionDef, n: number, module: ParsedModule | undefined): WordRole {
  const known = BY_DEF.get(owner)?.[n + 1];
  if (known) return known;
  return defRole(owner, n + 1, () => (module ? { kind: 'value', option: (owner as OptionDef).name, module: module.name, index: n } : { kind: 'value', option: (owner as GenericOption).long, index: n }));
}

type NameRoleKind = 'value' | 'table' | 'chain' | 'verdict';
const MADE: Record<NameRoleKind, (name: string) => WordRole> = {
  value: (option) => ({ kind: 'value', option, index: 0 }),
  table: (name) => ({ kind: 'table', name }),
  chain: (name) => ({ kind: 'chain', name }),
  verdict: (name) => ({ kind: 'verdict', name }),
};

export function nameRole(kind: NameRoleKind, name: string): WordRole {
  let map = BY_NAME.get(kind);
  if (!map) BY_NAME.set(kind, (map = new Map()));
  let r = map.get(name);
  if (!r) { r = MADE[kind](name); if (map.size < 50_000) map.set(name, r); }
  return r;
}

export const UNKNOWN_ROLE: WordRole = { kind: 'unknown' };
export const NEGATION_ROLE: WordRole = { kind: 'negation' };
