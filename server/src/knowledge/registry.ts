// Lookup of match and target modules by name and family.
import type { Family } from '../syntax/ast';
import { MATCHES } from './matches/index';
import { TARGETS } from './targets/index';
import type { ModuleDef } from './types';

function index(defs: ModuleDef[]): Map<string, ModuleDef[]> {
  const map = new Map<string, ModuleDef[]>();
  for (const def of defs) {
    for (const name of [def.name, ...(def.aliases ?? [])]) {
      const list = map.get(name) ?? [];
      list.push(def);
      map.set(name, list);
    }
  }
  return map;
}

const matches = index(MATCHES);
const targets = index(TARGETS);

// The last name looked up and what it found: the parser asks for a `-j` name in this family and
// then, when it is not a target, in the other one (a chain name, thousands of times in a dump).
let lastMap: Map<string, ModuleDef[]> | undefined, lastName = '', lastDefs: ModuleDef[] | undefined;

function pick(map: Map<string, ModuleDef[]>, name: string, family: Family): ModuleDef | undefined {
  let defs: ModuleDef[] | undefined;
  if (map === lastMap && name === lastName) defs = lastDefs;
  else { defs = map.get(name); lastMap = map; lastName = name; lastDefs = defs; }
  if (defs) for (const d of defs) if (d.family === undefined || d.family === family) return d;
  return undefined;
}

export const findMatch = (name: string, family: Family) => pick(matches, name, family);
export const findTarget = (name: string, family: Family) => pick(targets, name, family);
/** Known under that name in the other family only (for a precise "use ip6tables" message). */
export const otherFamilyModule = (kind: 'match' | 'target', name: string, family: Family) =>
  pick(kind === 'match' ? matches : targets, name, family === 4 ? 6 : 4);

export const allMatches = (): readonly ModuleDef[] => MATCHES;
export const allTargets = (): readonly ModuleDef[] => TARGETS;

/** Verdicts and built-in targets that are not extension modules. */
export const STANDARD_TARGETS = ['ACCEPT', 'DROP', 'RETURN', 'QUEUE'] as const;
