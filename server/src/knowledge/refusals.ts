// Why iptables refuses parts of a command line, in the user's words: values of the generic matches
// (-p, -s/-d, -i/-o), the name of a new chain, an option no loaded module has. The command-line
// parser reports these; each function says why, or nothing.
import { loc, type Family, type GenericMatch, type IptablesCommand, type Localized, type Word } from '../syntax/ast';
import { acceptedAddress, acceptedProtocol, protocolNumberOf } from '../syntax/memo';
import { parseProtocol } from './protocols';
import { allMatches, findTarget, STANDARD_TARGETS } from './registry';
import { ALL_BUILTIN_CHAINS, MAX_CHAIN_NAME } from './tables';
import type { ModuleDef } from './types';
import { parseAddress, parseInterface } from './values';

/** Why iptables refuses the value of a generic match, or undefined. */
export function genericValueMessage(field: keyof IptablesCommand['generic'], m: GenericMatch, family: Family): Localized | undefined {
  let message: Localized | undefined;
  if (field === 'protocol') {
    const number = acceptedProtocol(m.value, family);
    if (number === undefined) { const r = parseProtocol(m.value, family); if (!r.ok) message = r.message; }
    else if (number === 0 && m.negated) message = loc('`! -p all` would never match any packet: iptables rejects it', '`! -p all` はどのパケットにも一致しないため、iptables は拒否します');
  } else if (field === 'source' || field === 'destination') {
    // Each address of a comma-separated list, up to the first refused one.
    if (m.value.indexOf(',') < 0) message = addressMessage(m, m.value, family);
    else for (const part of m.value.split(',')) if ((message = addressMessage(m, part, family))) break;
    if (m.value === '') message = loc('empty address', 'アドレスが空です');
  } else if (field === 'inInterface' || field === 'outInterface') {
    if (m.value === '') message = loc('empty interface name: iptables refuses it as "likely to be undesired"', 'インターフェース名が空です。iptables は受け付けません');
    else { const r = parseInterface(m.value); if (!r.ok) message = r.message; }
  }
  return message;
}

/** The code of a generic value refusal: IPT112 when the value belongs to the other family. */
export function genericValueCode(message: Localized): string {
  return /only|IPv6 address; iptables|IPv4 address; ip6tables/.test(message.en) ? 'IPT112' : 'IPT106';
}

/** One address of `-s`/`-d` (and why `! -s 0/0` cannot match). */
function addressMessage(m: GenericMatch, part: string, family: Family): Localized | undefined {
  const accepted = acceptedAddress(part, family);
  if (accepted === undefined) { const r = parseAddress(part, family); if (!r.ok) return r.message; }
  if (m.negated && accepted === 2) {
    return loc(`\`! ${m.word.text} ${part}\` would never match any packet: iptables rejects it`, `\`! ${m.word.text} ${part}\` はどのパケットにも一致しないため、iptables は拒否します`);
  }
  return undefined;
}

/** Why iptables refuses `name` for a new chain (-N, -E), or undefined. */
export function chainNameMessage(name: string, family: Family): Localized | undefined {
  if (name.length > MAX_CHAIN_NAME) {
    return loc(`chain name "${name}" is ${name.length} characters long; iptables allows at most ${MAX_CHAIN_NAME}`, `チェイン名 "${name}" は ${name.length} 文字です。iptables で使えるのは ${MAX_CHAIN_NAME} 文字までです`);
  }
  if (name.startsWith('-') || name.startsWith('!') || /\s/.test(name) || name === '') {
    return loc(`"${name}" is not a valid chain name`, `"${name}" はチェイン名として使えません`);
  }
  if ((STANDARD_TARGETS as readonly string[]).includes(name) || findTarget(name, family)) {
    return loc(`"${name}" is the name of a target and cannot be a chain name`, `"${name}" はターゲット名なのでチェイン名には使えません`);
  }
  return undefined;
}

/**
 * `--name` that no loaded module has: IPT107 with the `-p`/`-m` that would bring it when some
 * match has it (`protocolLater`: a `-p` comes after it, so the order is what is wrong), else IPT101.
 */
export function unknownLongOption(name: string, protocolLater: () => boolean): { code: string; message: Localized } {
  const owners = allMatches().filter((m) => m.options.some((o) => o.name === name || o.aliases?.includes(name)));
  if (!owners.length) return { code: 'IPT101', message: loc(`unknown option "--${name}"`, `不明なオプション "--${name}" です`) };
  const protoOwners = owners.filter((m) => m.protocols?.includes(m.name));
  const hint = protoOwners.length ? protoOwners.map((m) => `-p ${m.name}`).join(' / ') : owners.map((m) => `-m ${m.name}`).join(' / ');
  return {
    code: 'IPT107',
    message: protoOwners.length && protocolLater()
      ? loc(`--${name} must come after ${hint}: iptables reads options from left to right`, `--${name} は ${hint} より後に書く必要があります（iptables は左から順に読みます）`)
      : loc(`--${name} needs ${hint} before it`, `--${name} を使うには、その前に ${hint} が必要です`),
  };
}

/** A match that needs `-p` (one of `def.protocols`, not negated) without it; `proto` is the rule's `-p`. */
export function moduleProtocolMessage(def: ModuleDef, proto: GenericMatch | undefined): Localized | undefined {
  if (!def.protocols || proto?.arg.symbolic || proto?.negated) return undefined;
  const given = proto ? protocolNumberOf(proto.value) : undefined;
  if (given !== undefined) for (const x of def.protocols) if (protocolNumberOf(x === 'icmp6' ? 'ipv6-icmp' : x) === given) return undefined;
  return loc(`the ${def.name} match needs ${def.protocols.map((x) => `-p ${x}`).join(' or ')}`, `${def.name} マッチには ${def.protocols.map((x) => `-p ${x}`).join(' または ')} が必要です`);
}

/** A module used in a table, or in a built-in chain (-A/-I/-R), that the kernel does not allow it in. */
export function modulePlacementMessage(def: ModuleDef, cmd: IptablesCommand): Localized | undefined {
  if (def.tables && !def.tables.includes(cmd.table) && !cmd.tableWord?.symbolic) {
    return loc(`${def.name} is not allowed in the ${cmd.table} table (only ${def.tables.join(', ')})`, `${def.name} は ${cmd.table} テーブルでは使えません（${def.tables.join(', ')} のみ）`);
  }
  if (def.chains && cmd.chain && ALL_BUILTIN_CHAINS.includes(cmd.chain) && !def.chains.includes(cmd.chain) && (cmd.op === 'A' || cmd.op === 'I' || cmd.op === 'R')) {
    return loc(`${def.name} is not allowed in the ${cmd.chain} chain (only ${def.chains.join(', ')})`, `${def.name} は ${cmd.chain} チェインでは使えません（${def.chains.join(', ')} のみ）`);
  }
  return undefined;
}

/**
 * iptables refuses DROP in the nat table, as a target and as a policy, before talking to the kernel:
 * "The "nat" table is not intended for filtering, the use of DROP is therefore inhibited" (iptables 1.8.9).
 */
export function natDropMessage(cmd: IptablesCommand): { code: 'IPT109' | 'IPT110'; word: Word } | undefined {
  if (cmd.table !== 'nat' || cmd.tableWord?.symbolic) return undefined;
  if (cmd.op === 'P' && cmd.policy === 'DROP' && cmd.policyWord && !cmd.policyWord.symbolic) return { code: 'IPT110', word: cmd.policyWord };
  const t = cmd.target;
  if (t?.name === 'DROP' && t.nameWord && !t.nameWord.symbolic) return { code: 'IPT109', word: t.nameWord };
  return undefined;
}

/** `-R` with an address list: it replaces one rule, so iptables wants one source and one destination. */
export function replaceWithListWord(cmd: IptablesCommand): Word | undefined {
  if (cmd.op !== 'R') return undefined;
  for (const m of [cmd.generic.source, cmd.generic.destination]) if (m && !m.arg.symbolic && m.value.includes(',')) return m.arg;
  return undefined;
}

/** `! -s a,b`: iptables cannot negate a list (it would need "neither a nor b" in one rule). */
export function negatedListWord(cmd: IptablesCommand): Word | undefined {
  for (const m of [cmd.generic.source, cmd.generic.destination]) if (m?.negated && !m.arg.symbolic && m.value.includes(',')) return m.bang ?? m.arg;
  return undefined;
}

export const negatedListText = loc(
  '`!` cannot negate a list of addresses: iptables refuses this ("! not allowed with multiple source or destination IP addresses"). Write one rule per address that jumps away (e.g. -j RETURN in a chain of its own), or use an ipset',
  '`!` でアドレスのリストは否定できません。iptables はこれを拒否します（"! not allowed with multiple source or destination IP addresses"）。アドレスごとに別のルールで抜ける（専用チェイン内で -j RETURN など）か、ipset を使ってください',
);

export const replaceWithListText = loc(
  '-R replaces one rule, so it takes one source and one destination, not a list: iptables refuses this ("Replacement rule does not specify a unique address")',
  '-R は 1 つのルールを置き換えるため、送信元・宛先はリストではなく 1 つずつしか指定できません。iptables はこれを拒否します（"Replacement rule does not specify a unique address"）',
);

export const natDropText = loc(
  'the nat table is not for filtering: iptables refuses DROP here (drop packets in the filter table)',
  'nat テーブルはフィルタリング用ではないため、iptables はここでの DROP を拒否します（パケットの破棄は filter テーブルで行ってください）',
);
