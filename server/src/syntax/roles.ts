// The meaning of each word of a command (WordRole), as shared immutable objects: a large file
// has a million words but only a few thousand distinct roles.
import type { ParsedModule, WordRole } from './ast';
import type { GenericOption } from '../knowledge/generic-options';
import type { ModuleDef, OptionDef } from '../knowledge/types';
import type { ChainName } from './words';

/**
 * Roles are immutable and few distinct ones exist: equal roles share one object, found through
 * the definition object or the name they describe (no string keys built per word).
 * Each definition has one list (per module for a module option: DNAT and SNAT share the object
 * of `--random`, and hover must name the module it was written in): slot 0 is the role of the
 * option (or module) word itself, slot n + 1 the role of its n-th argument.
 */
const BY_DEF = new WeakMap<object, WordRole[]>();
const BY_MODULE_DEF = new WeakMap<object, Map<string, WordRole[]>>();

/** The role list of a definition (in `module`, for a module option); callers may keep it (it is never replaced). */
export function rolesOf(def: object, module?: ParsedModule): WordRole[] {
  if (module) {
    let byModule = BY_MODULE_DEF.get(def);
    if (!byModule) BY_MODULE_DEF.set(def, (byModule = new Map()));
    let list = byModule.get(module.name);
    if (!list) byModule.set(module.name, (list = []));
    return list;
  }
  let list = BY_DEF.get(def);
  if (!list) BY_DEF.set(def, (list = []));
  return list;
}

/** The role of a generic option's word (`roles` = rolesOf(g)). */
export function genericWordRole(roles: WordRole[], g: GenericOption): WordRole {
  return (roles[0] ??= g.role.kind === 'command' ? { kind: 'command', op: g.role.op } : { kind: 'option', name: g.long });
}

/** The role of a module option's word (`roles` = rolesOf(def, module)). */
export function optionWordRole(roles: WordRole[], def: OptionDef, module: ParsedModule): WordRole {
  return (roles[0] ??= { kind: 'option', name: def.name, module: module.name, moduleKind: module.kind });
}

/** The role of a `-m NAME` / `-j NAME` word naming a known module. */
export function moduleRole(def: ModuleDef, kind: 'match' | 'target'): WordRole {
  const roles = rolesOf(def);
  return (roles[0] ??= { kind: 'module', name: def.name, moduleKind: kind });
}

/** The role of the n-th argument of an option (`roles` = rolesOf(owner)). */
export function argRoleIn(roles: WordRole[], owner: GenericOption | OptionDef, n: number, module: ParsedModule | undefined): WordRole {
  return (roles[n + 1] ??= module ? { kind: 'value', option: (owner as OptionDef).name, module: module.name, index: n } : { kind: 'value', option: (owner as GenericOption).long, index: n });
}

type NameRoleKind = 'value' | 'table' | 'chain' | 'verdict';
// One map per kind; each keeps at most 50,000 roles (then new ones are made but not kept).
const VALUE = new Map<string, WordRole>(), TABLE = new Map<string, WordRole>(), CHAIN = new Map<string, WordRole>(), VERDICT = new Map<string, WordRole>();

export function nameRole(kind: NameRoleKind, name: string): WordRole {
  const map = kind === 'chain' ? CHAIN : kind === 'verdict' ? VERDICT : kind === 'value' ? VALUE : TABLE;
  let r = map.get(name);
  if (!r) {
    r = kind === 'chain' ? { kind: 'chain', name } : kind === 'verdict' ? { kind: 'verdict', name } : kind === 'value' ? { kind: 'value', option: name, index: 0 } : { kind: 'table', name };
    if (map.size < 50_000) map.set(name, r);
  }
  return r;
}

/** The role of a word naming a chain, kept with the interned name. */
export function chainRole(chain: ChainName): WordRole {
  return (chain.role ??= { kind: 'chain', name: chain.name });
}

export const UNKNOWN_ROLE: WordRole = { kind: 'unknown' };
export const NEGATION_ROLE: WordRole = { kind: 'negation' };
