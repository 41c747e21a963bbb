// IPT302: new connections to a port that should rarely face the whole Internet (SSH, Telnet,
// databases, remote desktop, caches, container APIs) are accepted from any source address.
// Sources listed in the configuration's trustedSources do not count as "any source".
import { loc, type Family, type GenericMatch, type Localized } from '../syntax/ast';
import type { Analysis, CommandRecord } from '../engine';
import { SENSITIVE_PORTS, type SensitivePort } from '../knowledge/sensitive-ports';
import type { CheckDef, Finding } from './types';
import { addressOf, cidrWithin, destinationPorts, mergeRanges, portCount, protocolAllows } from './lib/rule-facts';
import { acceptsNewInbound, limitedBySourcePort, reachedOnlyFromSome } from './lib/exposure';

/** Wide ranges are IPT301's business; this check names single services. */
const MAX_PORTS = 1000;
/** Rate limits and connection counts do not restrict who may connect; anything else might. */
const OPEN_MATCHES = new Set(['tcp', 'udp', 'multiport', 'state', 'conntrack', 'comment', 'limit', 'hashlimit', 'connlimit']);
/** Matches that limit how often, not who: the rule is still open to everybody. */
const RATE = new Set(['limit', 'hashlimit', 'connlimit']);
/** Web-facing ports that are often meant to be public. */
const NOT_SENSITIVE = new Set([8080]);

export const sensitivePortOpenToWorld: CheckDef = {
  code: 'IPT302',
  name: 'sensitive-port-open-to-world',
  severity: 'warning',
  summary: loc('New connections to SSH, Telnet, a database, remote desktop or a similar service are accepted from any address.', 'SSH、Telnet、データベース、リモートデスクトップなどへの新しい接続を、あらゆるアドレスから受け付けています。'),
  run(analysis) {
    const out: Finding[] = [];
    const byRange = new Map<string, { rec: CommandRecord; services: Map<string, SensitivePort> }>();
    for (const rec of analysis.commands) {
      const hits = exposed(analysis, rec);
      if (!hits.length) continue;
      const r = rec.command.range;
      const k = `${r.start.line}:${r.start.character}`;
      const entry = byRange.get(k) ?? { rec, services: new Map() };
      for (const s of hits) entry.services.set(`${s.proto}/${s.port}`, s);
      byRange.set(k, entry);
    }
    for (const { rec, services } of byRange.values()) {
      const list = [...services.values()];
      const limit = destinationPorts(rec.command);
      out.push({
        range: limit ? { start: limit.words[0].range.start, end: limit.words[limit.words.length - 1].range.end } : rec.command.range,
        message: message(list, rec.command.generic.destination, rec.command.matches.some((m) => RATE.has(m.name))),
      });
    }
    return out;
  },
};

/** "SSH (tcp/22) on 10.0.0.5 is open ...": the advice differs for SSH itself (a tunnel over SSH makes no sense there). */
function message(list: SensitivePort[], dest: GenericMatch | undefined, rateLimited: boolean): Localized {
  const en = list.map((s) => `${s.name} (${s.proto}/${s.port})`).join(', ');
  const ja = list.map((s) => `${s.name}（${s.proto}/${s.port}）`).join('、');
  const on = dest && !dest.arg.symbolic ? loc(` on ${dest.negated ? 'any address but ' : ''}${dest.value}`, `${dest.negated ? `${dest.value} 以外` : dest.value} の`) : loc('', '');
  const ssh = list.every((s) => s.name === 'SSH');
  const advice = ssh
    ? loc(`limit it to the addresses you log in from (-s ADDRESS), or reach it over a VPN; if it must stay open, allow key logins only${rateLimited ? '' : ' and rate-limit new connections'}`,
      `ログイン元のアドレスだけに制限する（-s アドレス）か VPN 経由にしてください。開けておく必要がある場合は、鍵認証のみを許可${rateLimited ? 'してください' : 'し、新規接続の頻度を制限してください'}`)
    : loc('limit the rule to the addresses that need it (-s ADDRESS), or reach the service over a VPN or an SSH tunnel',
      '必要なアドレスだけに制限する（-s アドレス）か、VPN や SSH トンネル経由で使ってください');
  return loc(
    `${en}${on.en} ${list.length === 1 ? 'is' : 'are'} open to new connections from any address on the Internet: ${advice.en}`,
    `${on.ja}${ja}は、インターネット上のどのアドレスからでも新しく接続できます。${advice.ja}`);
}

function exposed(analysis: Analysis, rec: CommandRecord): SensitivePort[] {
  const cmd = rec.command;
  if (rec.conditional || !acceptsNewInbound(analysis, rec) || limitedBySourcePort(cmd)) return [];
  if (cmd.symbolic || cmd.matches.some((m) => !OPEN_MATCHES.has(m.name))) return [];
  const g = cmd.generic;
  if (g.inInterface || g.outInterface) return []; // an inside interface is not the world
  if (!fromAnywhere(g.source, cmd.family, analysis.config.trustedSources)) return [];
  if (reachedOnlyFromSome(analysis.rulesets[cmd.family], cmd.table, cmd.chain!)) return [];
  const limit = destinationPorts(cmd);
  if (!limit || limit.negated || portCount(limit) >= MAX_PORTS) return [];
  const ranges = mergeRanges(limit.ranges);
  return SENSITIVE_PORTS.filter((s) => !NOT_SENSITIVE.has(s.port) && protocolAllows(cmd, s.proto) === true && ranges.some((r) => s.port >= r.from && s.port <= r.to));
}

/** No source limit, 0.0.0.0/0, a negated one, or a very wide one not within the trusted sources. */
function fromAnywhere(src: GenericMatch | undefined, family: Family, trusted: string[]): boolean {
  if (!src) return true;
  if (src.arg.symbolic) return false;
  if (src.negated) return true;
  const nets = src.value.split(',').map((t) => addressOf(t, family));
  if (nets.some((n) => !n)) return false;
  const trustedNets = trusted.map((t) => addressOf(t, family)).filter((n) => !!n);
  const wide = family === 4 ? 8 : 16;
  return nets.some((n) => n!.prefix >= 0 && n!.prefix < wide && !trustedNets.some((t) => cidrWithin(n!, t!)));
}
