// IPT204: INPUT or OUTPUT drops by default and nothing lets the answers through: replies to the
// connections the other chain allows are dropped (in the hosting guide's script, the DNS answers
// to the queries OUTPUT allows; or every answer of the web server INPUT allows). Claimed only when
// the reply of such an allowed connection is certainly dropped.
import { loc, type Family, type Range } from '../syntax/ast';
import type { Analysis } from '../engine';
import type { Ruleset } from '../model/ruleset';
import type { CheckDef, Finding } from './types';
import { verdict, type Probe } from './lib/reach';
import { destinationPorts, mergeRanges, protocol, stateLimit } from './lib/rule-facts';
import { insertAtTopFix } from './lib/edits';
import { endStates, opaqueChanges } from './lib/script';

const EPHEMERAL = 40000;
/** When a chain allows everything outwards, these stand for "the connections the host opens". */
const TYPICAL_OUT: Service[] = [{ proto: 'udp', port: 53 }, { proto: 'tcp', port: 443 }, { proto: 'tcp', port: 80 }];
const TYPICAL_IN: Service[] = [{ proto: 'tcp', port: 22 }];
const RULE = '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT';

interface Service { proto: 'tcp' | 'udp'; port: number }

export const missingEstablished: CheckDef = {
  code: 'IPT204',
  name: 'missing-established',
  severity: 'warning',
  summary: loc('INPUT or OUTPUT drops by default and nothing accepts ESTABLISHED,RELATED traffic: the answers to allowed connections are dropped.', 'INPUT か OUTPUT が既定で破棄し、ESTABLISHED,RELATED の通信を許可するルールがありません。許可した接続の応答が破棄されます。'),
  run(analysis) {
    const out: Finding[] = [];
    if (opaqueChanges(analysis).length) return out;
    for (const family of analysis.families) {
      for (const chain of ['INPUT', 'OUTPUT'] as const) {
        const f = check(analysis, family, chain);
        if (f) out.push(f);
      }
    }
    return out;
  },
};

function check(analysis: Analysis, family: Family, chain: 'INPUT' | 'OUTPUT'): Finding | undefined {
  const other = chain === 'INPUT' ? 'OUTPUT' : 'INPUT';
  let dropped: { services: Service[]; range?: Range } | undefined;
  for (const rs of endStates(analysis, family)) {
    const here = droppedReplies(rs, chain, other);
    if (!here.services.length) return undefined;
    dropped ??= here;
  }
  const range = dropped?.range;
  if (!dropped || !range) return undefined;
  const names = dropped.services.slice(0, 4).map(describe);
  const v6 = family === 6 ? loc(' (IPv6)', '（IPv6）') : loc('', '');
  const what = chain === 'INPUT'
    ? loc(`the answers to connections this host opens (${names.map((n) => n.en).join(', ')}) arrive on INPUT and are dropped`, `このホストが開始する接続（${names.map((n) => n.ja).join('、')}）の応答は INPUT に届き、破棄されます`)
    : loc(`the answers to connections INPUT accepts (${names.map((n) => n.en).join(', ')}) leave through OUTPUT and are dropped`, `INPUT が受け入れた接続（${names.map((n) => n.ja).join('、')}）の応答は OUTPUT から出ようとして破棄されます`);
  const fix = insertAtTopFix(analysis, family, 'filter', chain, RULE,
    loc(`Accept ESTABLISHED,RELATED traffic at the top of ${chain}`, `${chain} の先頭で ESTABLISHED,RELATED の通信を許可する`));
  return {
    range,
    message: loc(`${chain}${v6.en} drops by default and no rule accepts ESTABLISHED,RELATED traffic: ${what.en}. Accept such traffic at the top of ${chain} (${RULE})`, `${chain}${v6.ja || ' '}は既定で破棄し、ESTABLISHED,RELATED の通信を許可するルールがありません。${what.ja}。${chain} の先頭で許可してください（${RULE}）`),
    fixes: fix ? [{ ...fix, preferred: true }] : [],
  };
}

const describe = (s: Service) => {
  const known: Record<string, string> = { 'udp/53': 'DNS', 'tcp/53': 'DNS', 'tcp/80': 'HTTP', 'tcp/443': 'HTTPS', 'tcp/22': 'SSH', 'tcp/25': 'SMTP', 'tcp/21': 'FTP', 'udp/123': 'NTP' };
  const k = `${s.proto}/${s.port}`;
  return loc(known[k] ? `${known[k]} ${k}` : k, known[k] ? `${known[k]} ${k}` : k);
};

/** The services whose replies `chain` certainly drops, among those `other` lets start. */
function droppedReplies(rs: Ruleset, chain: string, other: string): { services: Service[]; range?: Range } {
  const c = rs.chain('filter', chain);
  const services: Service[] = [];
  let range: Range | undefined;
  if (!c) return { services };
  // The reply first (cheap when `chain` is short), then whether `other` lets the service start at
  // all; four named services are enough for the message, and a bounded number of tries keeps a
  // ruleset of 100,000 rules linear.
  let tries = 0;
  for (const s of candidateServices(rs, other)) {
    if (services.length >= 4 || ++tries > MAX_TRIES) break;
    // Opened from the other side: the reply goes from the service port back to an ephemeral port.
    const reply: Probe = { proto: s.proto, sport: s.port, dport: EPHEMERAL, state: 'ESTABLISHED', loopback: false };
    const v = verdict(rs, 'filter', chain, reply);
    if (v.verdict !== 'drop') continue;
    if (verdict(rs, 'filter', other, { proto: s.proto, dport: s.port, state: 'NEW', loopback: false }).verdict === 'drop') continue;
    services.push(s);
    range ??= v.decidedBy?.command.range ?? c.policyRange;
  }
  return { services, range };
}

const MAX_TRIES = 64;

/** Services (protocol and port) that `chain` may let start a connection to, by its accept rules and its policy. */
function candidateServices(rs: Ruleset, chain: string): Service[] {
  const c = rs.chain('filter', chain);
  if (!c) return [];
  const found = new Map<string, Service>();
  const add = (s: Service) => found.set(`${s.proto}/${s.port}`, s);
  for (const rule of c.rules) {
    const cmd = rule.command;
    if (cmd.target?.name !== 'ACCEPT') continue;
    const proto = protocol(cmd);
    if (proto !== 'tcp' && proto !== 'udp') continue;
    const st = stateLimit(cmd);
    if (st && !(st.negated ? !st.states.has('NEW') : st.states.has('NEW'))) continue;
    const ports = destinationPorts(cmd);
    if (!ports || ports.negated) continue;
    for (const r of mergeRanges(ports.ranges)) if (r.to - r.from < 16) for (let p = r.from; p <= r.to; p++) add({ proto, port: p });
  }
  // A chain that accepts by default lets the host open anything.
  if (c.policy !== 'DROP') (chain === 'OUTPUT' ? TYPICAL_OUT : TYPICAL_IN).forEach(add);
  return [...found.values()];
}
