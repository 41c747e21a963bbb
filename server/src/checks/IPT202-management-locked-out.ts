// IPT202: when the script or file is done, no host can open a new connection to any management
// port (SSH by default, or a port the document itself labels as SSH): INPUT drops the opening SYN
// or the rest of the connection, or OUTPUT drops the server's answers. Claimed only when it holds
// in every end state the script may leave (with and without its conditional commands), and not for
// a client firewall that serves nothing at all on purpose (replies allowed, no service open).
import { loc, type Family, type Range } from '../syntax/ast';
import type { Analysis } from '../engine';
import type { Ruleset } from '../model/ruleset';
import type { CheckDef, Finding } from './types';
import { inboundTcp, verdict, type Probe } from './lib/reach';
import { endStates, opaqueChanges } from './lib/script';
import { addsRule, destinationPorts, mergeRanges, protocol, stateLimit } from './lib/rule-facts';

export const managementLockedOut: CheckDef = {
  code: 'IPT202',
  name: 'management-locked-out',
  severity: 'error',
  summary: loc('When the rules are in place, no host can open a new connection to SSH (or the configured management ports).', 'ルールの適用後、どのホストからも SSH（または設定した管理用ポート）に新しく接続できません。'),
  run(analysis) {
    const out: Finding[] = [];
    if (opaqueChanges(analysis).length) return out;
    for (const family of analysis.families) {
      // IPv6 locked down while IPv4 is managed is a common, deliberate setup ("no IPv6 here").
      if (family === 6 && (analysis.kind === 'save' || analysis.families.includes(4))) continue;
      // A rule iptables refuses is reported already; the lockout may only be its consequence.
      // So is a rule the shell cannot read to the end (an unterminated quote swallows the rest).
      const broken = analysis.problems.filter((p) => p.code === 'IPT100').map((p) => p.range.start.line);
      if (analysis.commands.some((r) => r.command.family === family && r.command.table === 'filter' && addsRule(r.command)
        && (r.command.invalid || broken.some((l) => l >= r.command.range.start.line && l <= r.command.range.end.line)))) continue;
      const ports = [...new Set([...analysis.config.managementPorts, ...labelledSshPorts(analysis, family)])];
      const states = endStates(analysis, family);
      const blocked = states.map((rs) => blockedEverywhere(rs, ports));
      if (blocked.some((b) => !b) || states.every((rs) => clientOnly(rs))) continue;
      const first = blocked[0]!;
      const list = ports.map((p) => `tcp/${p}`).join(', ');
      const moved = relocatedSsh(analysis.rulesets[family], ports);
      const hint = moved
        ? loc(` If SSH listens on tcp/${moved.port} (accepted on line ${moved.line}), say so: add ${moved.port} to managementPorts in .iptables-lint.json, or write a comment mentioning SSH just above that rule`,
          `SSH が tcp/${moved.port}（${moved.line} 行目で許可）で待ち受けている場合は、.iptables-lint.json の managementPorts に ${moved.port} を加えるか、そのルールの直前に SSH と書いたコメントを置いてください`)
        : loc('', '');
      out.push({
        range: first.range ?? analysis.commands[0]?.command.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        message: loc(
          `${first.why.en}: once these rules are loaded, nobody can log in over SSH (${list}) any more, from any address${family === 6 ? ' (IPv6)' : ''}. Allow it at least from your own address (-s ADDRESS -p tcp --dport ${ports[0]} -j ACCEPT).${hint.en}`,
          `${first.why.ja}。このルールを読み込むと、どのアドレスからも SSH（${list}）でログインできなくなります${family === 6 ? '（IPv6）' : ''}。少なくとも自分のアドレスからは許可してください（-s アドレス -p tcp --dport ${ports[0]} -j ACCEPT）。${hint.ja}`),
      });
    }
    return out;
  },
};

interface Blocked { range?: Range; why: { en: string; ja: string } }

/** Why every management port is closed, or undefined when one of them may be open. */
function blockedEverywhere(rs: Ruleset, ports: number[]): Blocked | undefined {
  let first: Blocked | undefined;
  for (const port of ports) {
    const b = blocked(rs, port);
    if (!b) return undefined;
    first ??= b;
  }
  return first;
}

function blocked(rs: Ruleset, port: number): Blocked | undefined {
  const steps: [string, Probe, Blocked['why']][] = [
    ['INPUT', inboundTcp(port, 'NEW'), loc(`INPUT drops new connections to tcp/${port}`, `INPUT が tcp/${port} への新しい接続を破棄します`)],
    ['INPUT', inboundTcp(port, 'ESTABLISHED'), loc(`INPUT drops the packets that follow the first one of a connection to tcp/${port}`, `INPUT が tcp/${port} への接続の 2 つ目以降のパケットを破棄します`)],
    ['OUTPUT', { proto: 'tcp', dport: 40000, sport: port, state: 'ESTABLISHED', loopback: false }, loc(`OUTPUT drops the server's answers from tcp/${port}`, `OUTPUT が tcp/${port} からの応答を破棄します`)],
  ];
  for (const [chain, probe, why] of steps) {
    const v = verdict(rs, 'filter', chain, probe);
    if (v.verdict === 'drop') return { range: v.decidedBy?.command.range ?? rs.chain('filter', chain)?.policyRange, why };
  }
  return undefined;
}

/**
 * A deliberate client firewall: INPUT lets answers in (an ESTABLISHED accept) but no new
 * connection to any port the rules name; or a router whose rules are all in FORWARD. Locking SSH
 * out there is the point, not a mistake.
 */
function clientOnly(rs: Ruleset): boolean {
  const input = rs.chain('filter', 'INPUT');
  if (!input) return false;
  // A forwarding firewall with no rule of its own for INPUT: the box itself is managed elsewhere.
  if (!input.rules.length && rs.chain('filter', 'FORWARD')?.rules.length) return true;
  const answers = input.rules.some((r) => {
    const s = stateLimit(r.command);
    return r.command.target?.name === 'ACCEPT' && !!s && !s.negated && s.states.has('ESTABLISHED') && !s.states.has('NEW');
  });
  if (!answers) return false;
  for (const c of rs.tables.get('filter')?.chains.values() ?? []) {
    for (const r of c.rules) {
      const proto = protocol(r.command);
      const ports = destinationPorts(r.command);
      if (r.command.target?.name !== 'ACCEPT' || (proto !== 'tcp' && proto !== 'udp') || !ports) continue;
      for (const range of mergeRanges(ports.ranges)) {
        if (verdict(rs, 'filter', 'INPUT', { proto, dport: range.from, state: 'NEW', loopback: false }).verdict !== 'drop') return false;
      }
    }
  }
  return true;
}

const SSH_WORD = /\bssh/i;

/**
 * A port that looks like SSH moved away from 22 (2222, 10022, 22222...), accepted for new
 * connections from outside: then "nobody can log in" is probably wrong, and the message says how
 * to tell the linter.
 */
function relocatedSsh(rs: Ruleset, ports: number[]): { port: number; line: number } | undefined {
  for (const c of rs.tables.get('filter')?.chains.values() ?? []) {
    for (const r of c.rules) {
      const l = destinationPorts(r.command);
      if (r.command.target?.name !== 'ACCEPT' || protocol(r.command) !== 'tcp' || !l || l.negated || l.ranges.length !== 1) continue;
      const port = l.ranges[0].from;
      if (port !== l.ranges[0].to || ports.includes(port) || !/^\d*22$/.test(String(port)) || port === 5222) continue;
      if (verdict(rs, 'filter', 'INPUT', inboundTcp(port, 'NEW')).verdict === 'drop') continue;
      return { port, line: r.command.range.start.line + 1 };
    }
  }
  return undefined;
}

/** Ports of accept rules that the document labels as SSH (a comment just above, or -m comment). */
function labelledSshPorts(analysis: Analysis, family: Family): number[] {
  const out: number[] = [];
  const commentLines = new Map<number, string>();
  for (const c of analysis.comments) commentLines.set(c.range.start.line, c.text);
  for (const rec of analysis.commands) {
    const cmd = rec.command;
    if (cmd.family !== family || !addsRule(cmd) || cmd.target?.name !== 'ACCEPT' || protocol(cmd) !== 'tcp') continue;
    const ports = destinationPorts(cmd);
    if (!ports || ports.negated || ports.ranges.length !== 1 || ports.ranges[0].from !== ports.ranges[0].to) continue;
    const line = cmd.range.start.line;
    const near = [1, 2, 3].map((k) => commentLines.get(line - k) ?? '').join(' ');
    const own = cmd.matches.find((m) => m.name === 'comment')?.options[0]?.args[0]?.text ?? '';
    if (SSH_WORD.test(near) || SSH_WORD.test(own)) out.push(ports.ranges[0].from);
  }
  return out;
}

export type { Family };
