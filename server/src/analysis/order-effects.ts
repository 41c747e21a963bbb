// What a rule does besides deciding: whether it changes header fields the packet-space analysis
// reads, whether it changes anything a later match could read (marks, sets, conntrack, ...), and
// whether running it twice is the same as once. Unknown targets and matches count as doing anything.
import type { IptablesCommand, ParsedModule } from '../syntax/ast';
import type { Table } from '../model/ruleset';

/** Targets that leave the packet and every state a match can read as they were. */
const EFFECT_FREE = new Set([
  'ACCEPT', 'DROP', 'REJECT', 'RETURN', 'QUEUE', 'NFQUEUE', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'TPROXY',
  'LOG', 'NFLOG', 'ULOG', 'TRACE', 'AUDIT', 'TEE', 'SYNPROXY', 'IDLETIMER', 'LED', 'CLASSIFY', 'CHECKSUM',
]);

/** Targets that change a field of the packet space (conntrack state; IPv6 addresses). */
const FIELD_CHANGING = new Set(['CT', 'NOTRACK', 'DNPT', 'SNPT']);

/** Targets that set a value (the second time sets the same value again). */
const SETS_A_VALUE = new Set(['CHECKSUM', 'CLASSIFY', 'TCPMSS', 'DSCP']);

/** Targets whose only effect, when run a second time on the same packet, is another log line. */
const LOGGING = new Set(['LOG', 'NFLOG', 'ULOG', 'TRACE', 'AUDIT']);

/**
 * Matches whose answer depends only on the packet and on state that no match changes: the same
 * rule asked twice in a row gives the same answer. limit, hashlimit, statistic, quota, recent,
 * bpf and the like keep state of their own (a second copy of the rule answers differently).
 */
const PURE_MATCHES = new Set([
  'tcp', 'udp', 'udplite', 'sctp', 'dccp', 'icmp', 'icmp6', 'multiport', 'state', 'conntrack', 'iprange', 'comment',
  'mac', 'mark', 'connmark', 'addrtype', 'physdev', 'owner', 'length', 'ttl', 'hl', 'tos', 'dscp', 'ecn', 'tcpmss',
  'pkttype', 'policy', 'devgroup', 'realm', 'helper', 'socket', 'cgroup', 'rpfilter', 'ipv6header', 'frag', 'hbh',
  'dst', 'rt', 'mh', 'ah', 'esp', 'ipcomp', 'connbytes', 'rateest', 'cluster', 'ipvs', 'u32', 'string', 'time',
  'cpu', 'nfacct', 'connlimit', 'set', 'connlabel', 'srh', 'eui64', 'l2tp', 'osf',
]);

const SET_COUNTERS = /^(packets|bytes)-(eq|lt|gt)$/;

function moduleIsPure(m: ParsedModule): boolean {
  if (!PURE_MATCHES.has(m.name)) return false;
  if (m.name === 'set') return !m.options.some((o) => SET_COUNTERS.test(o.name));
  if (m.name === 'connlabel') return !m.options.some((o) => o.name === 'set');
  return true;
}

/** Every match of the rule answers the same when asked twice. */
export function matchesArePure(cmd: IptablesCommand): boolean {
  for (const m of cmd.matches) if (!moduleIsPure(m)) return false;
  return true;
}

/** Matches with their own state only: a second copy answers differently, but no other rule reads it. */
const OWN_STATE = new Set(['limit', 'hashlimit', 'statistic', 'quota', 'recent', 'set']);

/** Matches that change state other rules may read, even when evaluated on a packet the rule does not match. */
function matchesChangeState(cmd: IptablesCommand): boolean {
  for (const m of cmd.matches) {
    if (m.name === 'recent' && m.options.some((o) => o.name === 'set' || o.name === 'update' || o.name === 'remove')) return true;
    if (m.name === 'connlabel' && m.options.some((o) => o.name === 'set')) return true;
    if (!PURE_MATCHES.has(m.name) && !OWN_STATE.has(m.name)) return true;
  }
  return false;
}

export interface ChainEffects {
  /** The chain (or a chain it calls) changes a field of the packet space. */
  mutates(chain: string): boolean;
  /** Every rule of the chain (and of the chains it calls) is effect-free with pure matches. */
  pure(chain: string): boolean;
  isChain(name: string): boolean;
}

/** Effects of the user chains of one table, followed through -j and -g (a cycle counts as anything). */
export function chainEffects(table: Table): ChainEffects {
  const memo = new Map<string, { mutates: boolean; pure: boolean } | 'busy'>();
  const visit = (name: string): { mutates: boolean; pure: boolean } => {
    const m = memo.get(name);
    if (m === 'busy') return { mutates: true, pure: false };
    if (m) return m;
    const chain = table.chains.get(name);
    if (!chain) return { mutates: false, pure: true }; // a target extension, not a chain
    memo.set(name, 'busy');
    let mutates = false, pure = true;
    for (const r of chain.rules) {
      const c = r.command;
      const t = c.target;
      if (c.symbolic && c.words.some((w) => w.symbolic)) pure = false;
      if (!matchesArePure(c) || matchesChangeState(c)) pure = false;
      if (!t) continue;
      if (t.nameWord?.symbolic) { mutates = true; pure = false; continue; }
      if (table.chains.has(t.name)) {
        const sub = visit(t.name);
        mutates ||= sub.mutates;
        pure &&= sub.pure;
      } else {
        if (FIELD_CHANGING.has(t.name)) mutates = true;
        if (!EFFECT_FREE.has(t.name)) pure = false;
      }
    }
    const res = { mutates, pure };
    memo.set(name, res);
    return res;
  };
  return { mutates: (n) => visit(n).mutates, pure: (n) => visit(n).pure, isChain: (n) => table.chains.has(n) };
}

const targetName = (cmd: IptablesCommand) => (cmd.target?.nameWord?.symbolic ? undefined : cmd.target?.name);

/** After this rule, a packet that goes on may have other values in the fields the analysis reads. */
export function mutatesFields(cmd: IptablesCommand, effects: ChainEffects): boolean {
  if (!cmd.target) return false;
  const t = targetName(cmd);
  if (t === undefined) return true;
  if (cmd.goto) return false; // packets that match never come back to this chain
  return FIELD_CHANGING.has(t) || effects.mutates(t);
}

/** This rule may change something a later rule of the chain reads (a mark, a set, conntrack, ...). */
export function isImpure(cmd: IptablesCommand, effects: ChainEffects): boolean {
  if (matchesChangeState(cmd)) return true;
  if (cmd.symbolic && cmd.words.some((w) => w.symbolic)) return true;
  if (!cmd.target) return false;
  const t = targetName(cmd);
  if (t === undefined) return true;
  if (EFFECT_FREE.has(t)) return false;
  // After -g the packet never comes back to this chain: what the chain does is not seen here.
  if (effects.isChain(t)) return !cmd.goto && !effects.pure(t);
  return true;
}

/**
 * Running this rule a second time, right after the first, changes nothing but log lines: no
 * target, a logging target, a jump to a pure chain, or a target that sets a value (MARK or
 * CONNMARK setting bits inside their mask, CT, NOTRACK, CHECKSUM, CLASSIFY, TCPMSS, DSCP).
 */
export function isRepeatHarmless(cmd: IptablesCommand, effects: ChainEffects): boolean {
  const t = cmd.target;
  if (!t) return true;
  const name = targetName(cmd);
  if (name === undefined) return false;
  if (LOGGING.has(name)) return true;
  if (name === 'CT' || name === 'NOTRACK') return true; // a packet that already has a conntrack entry is left alone
  if (SETS_A_VALUE.has(name)) return true;
  if (name === 'MARK' || name === 'CONNMARK') return t.options.length === 1 && setsWithinMask(t.options[0].name, t.options[0].args[0]?.text ?? '');
  return effects.isChain(name) && effects.pure(name);
}

/** `--set-xmark v/m` is idempotent when v has no bit outside m; `--set-mark v` always is. */
function setsWithinMask(option: string, arg: string): boolean {
  if (option === 'set-mark') return true;
  if (option !== 'set-xmark') return false;
  const [v, m] = arg.split('/');
  try {
    const value = BigInt(v), mask = m === undefined ? 0xffffffffn : BigInt(m);
    return (value & ~mask) === 0n;
  } catch { return false; }
}
