// The canonical iptables-save form of rules and rulesets, exactly as `iptables-save` prints them
// (nft backend of iptables 1.8.9, the Debian default).
import type { IptablesCommand, ParsedModule } from '../syntax/ast';
import { findMatch, findTarget } from '../knowledge/registry';
import { formatCidr, parseAddress } from '../knowledge/values';
import { formatProtocol, parseProtocol } from '../knowledge/protocols';
import type { OptionContext } from '../knowledge/types';
import { quoteSaveString } from '../knowledge/save-helpers';

/** One address of a comma-separated `-s`/`-d` list, in canonical form (or a host name as written). */
export function canonicalAddress(text: string, family: 4 | 6): string {
  const r = parseAddress(text, family);
  if (!r.ok) return text;
  return 'hostname' in r.value ? text : formatCidr(r.value);
}

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
  const neg = (n: boolean | undefined) => (n ? ['!'] : []);
  // An address that matches everything (0.0.0.0/0, ::/0) is not printed.
  const addr = (m: typeof g.source, text: string | undefined, flag: string) => {
    if (!m || text === undefined) return;
    const canonical = canonicalAddress(text, cmd.family);
    if (!m.negated && /\/0$/.test(canonical)) return;
    words.push(...neg(m.negated), flag, canonical);
  };
  addr(g.source, addrs.source, '-s');
  addr(g.destination, addrs.destination, '-d');
  if (g.inInterface && !(g.inInterface.value === '+' && !g.inInterface.negated)) words.push(...neg(g.inInterface.negated), '-i', g.inInterface.value);
  if (g.outInterface && !(g.outInterface.value === '+' && !g.outInterface.negated)) words.push(...neg(g.outInterface.negated), '-o', g.outInterface.value);
  if (g.protocol) {
    const p = parseProtocol(g.protocol.value, cmd.family);
    const name = p.ok ? formatProtocol(p.value) : g.protocol.value;
    if (name !== undefined) words.push(...neg(g.protocol.negated), '-p', name);
  }
  if (g.fragment) words.push(...neg(g.fragment.negated), '-f');
  const ctx: OptionContext = { family: cmd.family, table: cmd.table, cmd };
  for (const m of cmd.matches) words.push(...saveModule(m, ctx));
  if (cmd.target) {
    if (cmd.goto) words.push('-g', cmd.target.name);
    else words.push(...saveModule(cmd.target, ctx));
  }
  return words;
}

function saveModule(m: ParsedModule, ctx: OptionContext): string[] {
  const def = m.kind === 'match' ? findMatch(m.name, ctx.family) : findTarget(m.name, ctx.family);
  const raw = () => [m.kind === 'match' ? '-m' : '-j', m.name, ...m.options.flatMap((o) => [...(o.negated ? ['!'] : []), o.word.text, ...o.args.map((a) => a.text)])];
  // A module with an unknown (symbolic) value cannot be canonicalised: print it as written.
  if (!def || m.options.some((o) => o.args.some((a) => a.symbolic) || (o.value === undefined && def.options.find((d) => d.name === o.name)?.parse))) return raw();
  try {
    return def.save(m, ctx);
  } catch {
    return raw();
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
