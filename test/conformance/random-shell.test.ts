// Random firewall scripts in the shape hosting guides hand out, run for real with sh in a throwaway
// namespace, versus our partial evaluation: variables (`IPT=/sbin/iptables` then `$IPT`, quoted and
// braced uses, reassignment, `${VAR:-default}` of a set variable), literal and variable `for` loops,
// functions called with arguments, line continuations, `&&` and `;` lists, quoting, comments, user
// chains, -I with positions, -D of an earlier rule, policies, nat and ip6tables, `if` and `case` on a
// set variable, `while read` over a heredoc, `$(( ))` arithmetic, counted `while [ ]` loops, heredocs
// fed to iptables-restore. Every command of these scripts is valid: the real run must succeed, we
// must report no IPT1xx error, and the rulesets iptables-save and ip6tables-save print must equal
// ours. Seeded (FUZZ_SEED, FUZZ_RUNS change it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../server/src/engine';
import { formatSave } from '../../server/src/model/ruleset';
import { cached, normalizeSave, oracleSkipReason, pool, runInNetnsAsync } from './lib/oracle';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125) + 7;
const RUNS = Number(process.env.FUZZ_RUNS ?? 400) >> 1;

function random(seed: number) {
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  return { rnd, pick };
}

/** One script: a header of variables and helpers, then 6-20 statements. */
function script(rnd: () => number, pick: <T>(a: readonly T[]) => T): string {
  const out: string[] = ['#!/bin/sh'];
  const ipt = pick(['iptables', '/sbin/iptables', '$IPT', '${IPT}', '"$IPT"']);
  if (ipt.includes('IPT')) out.push(pick(['IPT=iptables', 'IPT=/sbin/iptables', 'IPT="/sbin/iptables"', "IPT='iptables'"]));
  out.push(`TRUST=${pick(['203.0.113.7', '"198.51.100.0/24"', "'192.0.2.10'"])}`, 'LAN=192.168.1.0/24', `PORTS="${pick(['22 80 443', '25 110', '8080'])}"`, 'WEB=80', 'N=2', `MODE=${pick(['server', 'router', 'gw', 'desktop'])}`);
  const chain = pick(['LOGDROP', 'SSH_IN', 'web-in']);
  let chainMade = false;
  let helper = false;
  const added: string[] = [];
  const match = () => pick(['', '-p tcp --dport 22', '-p udp --sport 53', '-s "$TRUST"', '-s $LAN', '-i lo', '-m conntrack --ctstate ESTABLISHED,RELATED', '-p icmp --icmp-type echo-request', '-m state --state NEW -p tcp --dport "$WEB"', '-p tcp -m multiport --dports 80,443']);
  const target = () => pick(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'LOG --log-prefix "fw: "', ...(chainMade ? [chain] : [])]);
  const stmt = (): string => {
    switch (pick(['rule', 'rule', 'rule', 'var', 'loopvar', 'loop', 'fn', 'chain', 'insert', 'delete', 'policy', 'cont', 'and', 'nat', 'v6', 'reassign', 'default', 'comment', 'if', 'case', 'heredoc', 'reset', 'nested', 'remark', 'readloop', 'arith', 'counted'])) {
      case 'counted': return `i=0\nwhile [ $i -lt ${pick(['2', '3', '$N'])} ]; do\n  ${ipt} -A INPUT -p udp --dport $((6000 + i)) -j ACCEPT\n  i=$((i + 1))\ndone`;
      case 'arith': return `${ipt} -A INPUT -p tcp --dport $((WEB + ${pick(['1', '1000', 'N'])})) -j ACCEPT`;
      case 'readloop': return `while read ${pick(['net', '-r net'])} port; do\n  ${ipt} -A INPUT -s "$net" -p tcp --dport "$port" -j ACCEPT\ndone <<${pick(['EOF', "'EOF'"])}\n192.0.2.1 22\n  198.51.100.0/24\t${pick(['80', '443'])}  \n203.0.113.9 8080\nEOF`;
      case 'if': return `if [ "$MODE" = "${pick(['server', 'router'])}" ]; then\n  ${ipt} -A INPUT -p tcp --dport 25 -j ACCEPT\nelse\n  ${ipt} -A INPUT -p tcp --dport 25 -j REJECT\nfi`;
      case 'case': return `case "$MODE" in\n  server) ${ipt} -A INPUT -p tcp --dport 993 -j ACCEPT ;;\n  router|gw) ${ipt} -A FORWARD -s $LAN -j ACCEPT ;;\n  *) ${ipt} -A INPUT -j LOG ;;\nesac`;
      case 'heredoc': return `iptables-restore --noflush <<EOF\n*filter\n-A INPUT -s $TRUST -p tcp --dport $WEB -j ACCEPT\nCOMMIT\nEOF`;
      case 'reset': chainMade = false; added.length = 0; return `${ipt} -F\n${ipt} -X\n${ipt} -Z`;
      case 'nested':
        if (!helper) return '# no helper yet';
        return `open_both() {\n  allow tcp "$1"\n  allow udp "$1"\n}\nopen_both ${pick(['5353', '1194'])}`;
      case 'remark': return `${ipt} -A INPUT -p tcp --dport 22 -m comment --comment "ssh from the office" -j ACCEPT`;
      // (WEB may be reassigned later: such a rule is not deleted by its text.)
      case 'rule': { const r = `-A INPUT ${match()} -j ${target()}`.replace(/ +/g, ' '); if (!r.includes('WEB')) added.push(r); return `${ipt} ${r}`; }
      case 'var': return `${ipt} -A INPUT -s $TRUST -p tcp --dport ${pick(['22', '$WEB', '"$WEB"', '${WEB}'])} -j ACCEPT`;
      case 'loopvar': return `for p in $PORTS; do\n  ${ipt} -A INPUT -p tcp --dport "$p" -j ACCEPT\ndone`;
      case 'loop': return `for net in ${pick(['10.0.0.0/8 172.16.0.0/12', '192.0.2.1', '"198.51.100.1" 203.0.113.0/24'])}; do ${ipt} -A INPUT -s "$net" -j DROP; done`;
      case 'fn':
        if (!helper) { helper = true; return `allow() {\n  ${ipt} -A INPUT -p "$1" --dport "$2" -j ACCEPT\n}\nallow tcp 8080`; }
        return `allow ${pick(['tcp', 'udp'])} ${pick(['53', '123', '"9000"'])}`;
      case 'chain':
        if (!chainMade) { chainMade = true; return `${ipt} -N ${chain}\n${ipt} -A ${chain} -j LOG --log-prefix "${chain}: "\n${ipt} -A ${chain} -j DROP`; }
        return `${ipt} -A INPUT ${match()} -j ${chain}`.replace(/ +/g, ' ');
      case 'insert': return `${ipt} -I INPUT ${pick(['', '1 '])}${match()} -j ACCEPT`.replace(/ +/g, ' ');
      case 'delete': return added.length ? `${ipt} ${added.splice(Math.floor(rnd() * added.length), 1)[0]!.replace(/^-A /, '-D ')}` : '# nothing to delete yet';
      case 'policy': return `${ipt} -P ${pick(['INPUT', 'FORWARD', 'OUTPUT'])} ${pick(['ACCEPT', 'DROP'])}`;
      case 'cont': return `${ipt} -A INPUT \\\n    -p tcp --dport 443 \\\n    -j ACCEPT`;
      case 'and': return `${ipt} -A INPUT -i lo -j ACCEPT && ${ipt} -A OUTPUT -o lo -j ACCEPT; ${ipt} -A FORWARD -j DROP`;
      case 'nat': return `${ipt} -t nat -A POSTROUTING -s $LAN -o eth0 -j MASQUERADE`;
      case 'v6': return `ip6tables -A INPUT -p ${pick(['ipv6-icmp', 'tcp --dport 22', 'udp --dport 546'])} -j ACCEPT`;
      case 'reassign': return `WEB=${pick(['8080', '"8443"', '443'])}`;
      case 'default': return `${ipt} -A INPUT -p tcp --dport \${WEB:-8000} -j ACCEPT`;
      default: return pick(['# allow what we need', '', '  # indented comment']);
    }
  };
  const n = 6 + Math.floor(rnd() * 15);
  for (let i = 0; i < n; i++) out.push(stmt());
  return `${out.join('\n')}\n`;
}

interface Real { status: number; stderr: string; v4: string; v6: string }
const MARK = '@@RANDOM-SHELL@@';

function realRun(text: string): Promise<Real> {
  return cached('random-shell', { v: 1, text }, async () => {
    const run = [
      'T=$(mktemp); E=$(mktemp)',
      `cat > "$T" <<'${MARK}EOF'`, text.replace(/\n$/, ''), `${MARK}EOF`,
      `sh "$T" >/dev/null 2>"$E"; echo "${MARK}rc $?"; cat "$E"`,
      `echo "${MARK}v4"; iptables-save; echo "${MARK}v6"; ip6tables-save`,
    ].join('\n');
    const r = await runInNetnsAsync(`${run}\n`);
    const m = new RegExp(`${MARK}rc (\\d+)\\n([\\s\\S]*?)${MARK}v4\\n([\\s\\S]*?)${MARK}v6\\n([\\s\\S]*)$`).exec(r.stdout);
    if (!m) throw new Error(`the real run broke: ${r.stderr.slice(0, 300)}`);
    return { status: Number(m[1]), stderr: m[2]!.trim(), v4: m[3]!, v6: m[4]! };
  });
}

const skip = oracleSkipReason();

test('random guide-style scripts run for real: no error from us, the same rulesets', { skip, timeout: 10 * 60_000 }, async () => {
  const { rnd, pick } = random(SEED);
  const all = Array.from({ length: RUNS }, () => script(rnd, pick));
  const reals = await pool(all, 4, realRun);
  const failures: string[] = [];
  for (const [i, text] of all.entries()) {
    const real = reals[i]!;
    // The generator writes valid commands only: a failure here is a broken generator, not a finding.
    assert.equal(real.stderr, '', `script ${i} failed for real (exit ${real.status}):\n${text}`);
    const a = analyze(text, { kind: 'shell' });
    const errors = a.problems.filter((p) => p.code.startsWith('IPT1') && p.severity === 'error');
    if (errors.length) failures.push(`script ${i}: we report ${errors.map((p) => `${p.code}@${p.range.start.line + 1} ${p.message.en}`).join('; ')}\n${text}`);
    for (const fam of [4, 6] as const) {
      const want = normalizeSave(fam === 4 ? real.v4 : real.v6), got = normalizeSave(formatSave(a.rulesets[fam]));
      if (want !== got) failures.push(`script ${i}: IPv${fam} ruleset differs\n${text}--- real\n${want}--- ours\n${got}`);
    }
  }
  console.log(`${all.length} random scripts run, ${failures.length} mismatch(es)`);
  assert.deepEqual(failures.slice(0, 3), []);
});
