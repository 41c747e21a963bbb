// The canonical iptables-save form of rules and rulesets, exactly as `iptables-save` prints them
// (nft backend of iptables 1.8.9, the Debian default).
import type { GenericMatch, IptablesCommand, ParsedModule } from '../syntax/ast';
import { findMatch, findTarget } from '../knowledge/registry';
import { formatCidr, parseAddress } from '../knowledge/values';
import { formatProtocol, parseProtocol } from '../knowledge/protocols';
import type { ModuleDef, OptionContext } from '../knowledge/types';
import { quoteSaveString } from '../knowledge/save-helpers';
import { stringMemo } from '../syntax/memo';

/** One address of a comma-separated `-s`/`-d` list, in canonical form (or a host name as written). */
export function canonicalAddress(text: string, family: 4 | 6): string {
  return canonicalAddressMemo(text, family)!;
}

// Both are pure functions of the word: remembered, as large dumps repeat the same values.
const canonicalAddressMemo = stringMemo((text, family) => {
  const r = parseAddress(text, family);
  if (!r.ok) return text;
  return 'hostname' in r.value ? text : formatCidr(r.value);
});

/** The word after `-p` as iptables-save prints it; undefined when `-p` is not printed. */
const canonicalProtocol = stringMemo((text, family) => {
  const p = parseProtocol(text, family);
  return p.ok ? formatProtocol(p.value) : text;
});

/** iptables makes one rule per source × destination address of a comma-separated list. */
export function addressCombinations(cmd: IptablesCommand): { source?: string; destination?: string }[] {
  const split = (v?: string) => (v === undefined ? [undefined] : v.split(','));
  const out: { source?: string; destination?: string }[] = [];
  for (const s of split(cmd.generic.source?.value)) for (const d of split(cmd.generic.destination?.value)) out.push({ source: s, destination: d });
  return out;
}

/** The words iptables-save prints for a rule of `cmd`, after `-A CHAIN`. */
export function ruleSpecWords(cmd: IptablesCommand, addrs: { source?: string; destination?: string } = addressCombinations(cmd)[0]): string[] {
  const g = cmd.generic;
  const words: string[] = [];
  pushAddress(words, g.source, addrs.source, '-s', cmd.family);
  pushAddress(words, g.destination, addrs.destination, '-d', cmd.family);
  if (g.inInterface && !(g.inInterface.value === '+' && !g.inInterface.negated)) {
    if (g.inInterface.negated) words.push('!');
    words.push('-i', g.inInterface.value);
  }
  if (g.outInterface && !(g.outInterface.value === '+' && !g.outInterface.negated)) {
    if (g.outInterface.negated) words.push('!');
    words.push('-o', g.outInterface.value);
  }
  if (g.protocol) {
    const name = canonicalProtocol(g.protocol.value, cmd.family);
    if (name !== undefined) {
      if (g.protocol.negated) words.push('!');
      words.push('-p', name);
    }
  }
  if (g.fragment) {
    if (g.fragment.negated) words.push('!');
    words.push('-f');
  }
  const ctx: OptionContext = { family: cmd.family, table: cmd.table, cmd };
  for (const m of cmd.matches) for (const w of saveModule(m, ctx)) words.push(w);
  if (cmd.target) {
    if (cmd.goto) words.push('-g', cmd.target.name);
    else for (const w of saveModule(cmd.target, ctx)) words.push(w);
  }
  return words;
}

/** An address that matches everything (0.0.0.0/0, ::/0) is not printed. */
function pushAddress(words: string[], m: GenericMatch | undefined, text: string | undefined, flag: string, family: 4 | 6): void {
  if (!m || text === undefined) return;
  const canonical = canonicalAddress(text, family);
  if (!m.negated && canonical.endsWith('/0')) return;
  if (m.negated) words.push('!');
  words.push(flag, canonical);
}

/** Some option has a symbolic argument, or a value its parser did not produce: print the module as written. */
function needsRaw(m: ParsedModule, def: ModuleDef): boolean {
  for (const o of m.options) {
    for (const a of o.args) if (a.symbolic) return true;
    if (o.value === undefined && def.options.find((d) => d.name === o.name)?.parse) return true;
  }
  return false;
}

/** A module as written (when it cannot be canonicalised). */
function rawModule(m: ParsedModule): string[] {
  return [m.kind === 'match' ? '-m' : '-j', m.name, ...m.options.flatMap((o) => [...(o.negated ? ['!'] : []), o.word.text, ...o.args.map((a) => a.text)])];
}

function saveModule(m: ParsedModule, ctx: OptionContext): string[] {
  const def = m.kind === 'match' ? findMatch(m.name, ctx.family) : findTarget(m.name, ctx.family);
  // A module with an unknown (symbolic) value cannot be canonicalised: print it as written.
  if (!def || needsRaw(m, def)) return rawModule(m);
  try {
    return def.save(m, ctx);
  } catch {
    return rawModule(m);
  }
}

/** The line iptables-save prints for (the first address combination of) a rule command. */
export function formatRule(cmd: IptablesCommand): string {
  return joinSaveWords(['-A', cmd.chain ?? '?', ...ruleSpecWords(cmd)]);
}

/** Words are printed as the modules produced them (modules quote their own strings). */
export function joinSaveWords(words: string[]): string {
  return words.join(' ');
}

export { quoteSaveString };
