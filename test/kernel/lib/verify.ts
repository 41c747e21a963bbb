// One ruleset in the lab: load it, send each case, and compare what the kernel did — which rules'
// counters moved, whether the packet got through every table — with what the tracer says.
import type { Analysis } from '../../../server/src/engine';
import type { Rule, Ruleset } from '../../../server/src/model/ruleset';
import { traceRuleset, HOOKS, type TraceResult } from '../../../server/src/analysis/tracer';
import { addressText, parsePacket, type Packet } from '../../../server/src/analysis/trace-packet';
import { decodeFrame, ethernet, ipPacket, type SeenFrame } from './packets';
import type { Case } from './cases';
import type { Counters, Lab } from './lab';

export interface CaseResult {
  ruleset: string;
  packet: string;
  why: Case['why'];
  status: 'agree' | 'depends' | 'disagree' | 'skipped';
  tracer: string;
  kernel: string;
  detail?: string;
  /** Agreed only on the second try (what the kernel did the first time). */
  retried?: string;
}

type Keyed = Map<Rule, string>;

/** table/chain/index for every rule, as iptables-save -c lists them. */
function ruleKeys(rs: Ruleset): Keyed {
  const keys: Keyed = new Map();
  for (const t of rs.tables.values()) for (const c of t.chains.values()) c.rules.forEach((r, i) => keys.set(r, `${t.name}/${c.name}/${i}`));
  return keys;
}

/** The model and the kernel hold the same chains with the same number of rules (so indexes line up). */
export function sameShape(rs: Ruleset, k: Counters): string | undefined {
  for (const t of rs.tables.values()) {
    const kt = k.rules.get(t.name);
    if (!kt) return `table ${t.name} missing in the kernel`;
    for (const c of t.chains.values()) {
      const kc = kt.get(c.name);
      if (!kc) return `chain ${t.name}/${c.name} missing in the kernel`;
      if (kc.length !== c.rules.length) return `chain ${t.name}/${c.name}: kernel ${kc.length} rules, model ${c.rules.length}`;
    }
    if (kt.size !== t.chains.size) return `table ${t.name}: kernel has ${kt.size} chains, model ${t.chains.size}`;
  }
  for (const name of k.rules.keys()) if (!rs.tables.has(name) && [...k.rules.get(name)!.values()].some((x) => x.length)) return `kernel has rules in table ${name}`;
  return undefined;
}

/** Chains a locally generated reply walks (OUTPUT and POSTROUTING, and what they call). */
function replyChains(rs: Ruleset): Set<string> {
  const out = new Set<string>();
  for (const [table, name] of HOOKS.output) {
    const t = rs.tables.get(table);
    const stack = [name];
    while (t && stack.length) {
      const c = stack.pop()!;
      const key = `${table}/${c}`;
      if (out.has(key) || !t.chains.has(c)) continue;
      out.add(key);
      for (const r of t.chains.get(c)!.rules) if (r.command.target && t.chains.has(r.command.target.name)) stack.push(r.command.target.name);
    }
  }
  return out;
}

function delta(before: Counters, after: Counters): Set<string> {
  const hit = new Set<string>();
  for (const [table, chains] of after.rules) for (const [chain, counts] of chains) {
    const old = before.rules.get(table)?.get(chain) ?? [];
    counts.forEach((n, i) => { if (n > (old[i] ?? 0)) hit.add(`${table}/${chain}/${i}`); });
  }
  for (const [table, chains] of after.policies) for (const [chain, n] of chains) if (n > (before.policies.get(table)?.get(chain) ?? 0) && after.policyName.get(`${table}/${chain}`) !== 'ACCEPT') hit.add(`P:${table}/${chain}`);
  return hit;
}

function tracerSets(r: TraceResult, keys: Keyed, rs: Ruleset): Set<string>[] {
  return r.outcomes.map((o) => {
    const s = new Set<string>();
    for (const st of o.steps) if (st.matched) s.add(keys.get(st.rule)!);
    for (const h of o.hooks) {
      if (h.line !== null) continue;
      // iptables-nft keeps no policy counter for a chain whose policy was never set to DROP: ACCEPT
      // policies are checked by the verdict (the packet got through), DROP policies by their counter.
      if (h.verdict === 'ACCEPT') continue;
      s.add(`P:${h.table}/${h.chain}`);
    }
    return s;
  });
}

const chainOf = (key: string) => key.replace(/^P:/, '').split('/').slice(0, 2).join('/');
const show = (s: Set<string>) => [...s].sort().join(' ') || '(none)';

function conntrackArgs(p: Packet): string[] {
  const a = ['-s', p.srcText, '-d', p.dstText];
  if (p.proto === 6) return [...a, '-p', 'tcp', '--sport', String(p.sport), '--dport', String(p.dport), '--state', 'ESTABLISHED', '-t', '120', '-u', 'SEEN_REPLY,ASSURED'];
  if (p.proto === 17) return [...a, '-p', 'udp', '--sport', String(p.sport), '--dport', String(p.dport), '-t', '120', '-u', 'SEEN_REPLY'];
  if (p.proto === 1) return [...a, '-p', 'icmp', '--icmp-type', String(p.icmpType), '--icmp-code', '0', '--icmp-id', String(icmpId(p)), '-t', '30', '-u', 'SEEN_REPLY'];
  return [...a, '-p', 'icmpv6', '--icmpv6-type', String(p.icmpType), '--icmpv6-code', '0', '--icmpv6-id', String(icmpId(p)), '-t', '30', '-u', 'SEEN_REPLY'];
}

/** Each packet gets its own ICMP identifier, so no two share a conntrack entry. */
const icmpIds = new WeakMap<Packet, number>();
let nextIcmpId = 0x1000;
const icmpId = (p: Packet) => { let id = icmpIds.get(p); if (id === undefined) { id = nextIcmpId = (nextIcmpId + 1) & 0xffff; icmpIds.set(p, id); } return id; };

/** Sends one packet on its path and reports what the kernel did with it. */
export async function observe(lab: Lab, p: Packet, path: Case['path']): Promise<{ delivered: boolean; rejectSeen: boolean; frames: SeenFrame[]; hit: Set<string> }> {
  if (path === 'input') await lab.addLocal(p.family, [addressText(p.dst, p.family)]);
  const l4 = { proto: p.proto, sport: p.sport, dport: p.dport, flags: p.tcpFlags, icmpType: p.icmpType, icmpCode: p.icmpCode, icmpId: icmpId(p) };
  const before = await lab.counters(p.family);
  let frames: { iface: string; frame: string }[] = [];
  if (path === 'output') await lab.sendOut(p.family, ipPacket(p.family, p.src, p.dst, l4), addressText(p.dst, p.family));
  else frames = await lab.sendIn(ethernet(lab.macs.iif, lab.macs.kp0, p.family, ipPacket(p.family, p.src, p.dst, l4)));
  const after = await lab.counters(p.family);
  const obs = after.observer.map((n, i) => n - before.observer[i]);
  const v6 = p.family === 6 ? 1 : 0;
  const delivered = (path === 'input' ? obs[v6] : obs[2 + v6]) > 0;
  const seen = frames.map((f) => decodeFrame(f.frame)).filter((f): f is SeenFrame => f !== undefined);
  const rejectSeen = seen.some((f) => !f.tagged && ((f.proto === 1 || f.proto === 58) ? f.innerTagged === true && (f.icmpType === 3 || f.icmpType === 1) : f.proto === 6 && (f.tcpFlags! & 4) !== 0 && f.sport === p.dport && f.dport === p.sport));
  return { delivered, rejectSeen, frames: seen, hit: delta(before, after) };
}

export async function runCase(lab: Lab, rs: Ruleset, name: string, c: Case, ctx: { keys: Keyed; reply: Set<string>; conntrack: boolean }): Promise<CaseResult> {
  const parsed = parsePacket(c.text);
  const base = { ruleset: name, packet: c.text, why: c.why };
  if (!parsed.ok) return { ...base, status: 'skipped', tracer: '', kernel: '', detail: parsed.message.en };
  const p = parsed.packet;
  const r = traceRuleset(rs, p);
  const tracer = `${r.verdict}${r.decidedBy ? `@${r.decidedBy.chain}:${r.decidedBy.line + 1}` : r.policyOf ? `@policy ${r.policyOf.chain}` : ''}`;
  if (c.state === 'ESTABLISHED') {
    if (!ctx.conntrack) return { ...base, status: 'skipped', tracer, kernel: '', detail: 'conntrack tool missing' };
    if (r.outcomes.some((o) => o.hooks.some((h) => h.verdict === 'NAT'))) return { ...base, status: 'skipped', tracer, kernel: '', detail: 'the connection would be NATed; conntrack -I cannot reproduce that' };
    const ins = await lab.conntrackInsert(conntrackArgs(p));
    if (!ins.ok) return { ...base, status: 'skipped', tracer, kernel: '', detail: `conntrack -I failed: ${ins.error}` };
  }
  const { delivered, rejectSeen, frames: seen, hit: rawHit } = await observe(lab, p, c.path);
  let hit = rawHit;
  const kernel = `${delivered ? 'ACCEPT' : rejectSeen ? 'REJECT' : 'DROP|REJECT'} [${show(hit)}]`;
  if (r.verdict === 'DEPENDS') return { ...base, status: 'depends', tracer, kernel, detail: r.dependsOn.map((d) => `${d.line + 1}: ${d.reason.en}`).join('; ') };

  // A reply the kernel made (a RST, an ICMP error, a REJECT) walks OUTPUT and POSTROUTING too.
  const noisy = c.path !== 'output' && ((c.path === 'input' && delivered) || seen.some((f) => !f.tagged) || [...hit].some((k) => /REJECT/.test(keyTarget(k, rs))));
  const keep = (k: string) => !noisy || !ctx.reply.has(chainOf(k));
  hit = new Set([...hit].filter(keep));
  const expected = tracerSets(r, ctx.keys, rs).map((s) => new Set([...s].filter(keep)));
  const verdictOk = r.verdict === 'ACCEPT' ? delivered : !delivered && !(r.verdict === 'DROP' && rejectSeen);
  const rulesOk = expected.some((s) => s.size === hit.size && [...s].every((k) => hit.has(k)));
  if (verdictOk && rulesOk) return { ...base, status: 'agree', tracer, kernel };
  return { ...base, status: 'disagree', tracer, kernel, detail: `${verdictOk ? '' : 'verdict differs; '}${rulesOk ? '' : `tracer matched [${expected.map(show).join(' | ')}]`}` };
}

function keyTarget(key: string, rs: Ruleset): string {
  if (key.startsWith('P:')) return '';
  const [table, chain, i] = key.split('/');
  return rs.tables.get(table)?.chains.get(chain)?.rules[Number(i)]?.command.target?.name ?? '';
}

export interface RulesetRun { name: string; family: 4 | 6; analysis: Analysis; load: (lab: Lab) => Promise<{ ok: boolean; error: string }> }

/** Loads the ruleset, checks the kernel holds the same shape as the model, runs the cases. */
export async function runRuleset(lab: Lab, run: RulesetRun, cases: Case[], conntrack: boolean): Promise<{ results: CaseResult[]; skipped?: string }> {
  await lab.reset();
  const loaded = await run.load(lab);
  if (!loaded.ok) return { results: [], skipped: `does not load: ${loaded.error.split('\n')[0]}` };
  const rs = run.analysis.rulesets[run.family];
  const shape = sameShape(rs, await lab.counters(run.family));
  if (shape) return { results: [], skipped: `model and kernel differ: ${shape}` };
  const ctx = { keys: ruleKeys(rs), reply: replyChains(rs), conntrack };
  const results: CaseResult[] = [];
  for (const c of cases) {
    let r = await runCase(lab, rs, run.name, c, ctx);
    if (r.status === 'disagree') {
      // Once more as a fresh flow (next source port, new ICMP id): a stray packet in the counting
      // window is noise of the lab; a real difference shows again.
      const again = await runCase(lab, rs, run.name, { ...c, text: c.text.replace(/:(\d+) >/, (_, p: string) => `:${(Number(p) % 65535) + 1} >`) }, ctx);
      if (again.status === 'agree') r = { ...again, packet: c.text, retried: `first try: kernel ${r.kernel}` };
    }
    results.push(r);
  }
  return { results };
}
