// Random inputs run by the real iptables in a throwaway namespace, versus our model.
// Scripts of chain and rule commands (-N -X -E -F -Z -A -I -R -D -P -C, filter and nat, jumps,
// gotos, loops, bad targets, rule numbers): a command fails for real ⇔ we report an IPT1xx error
// on it, and the ruleset left behind equals iptables-save. Found on first run: DROP in nat, -X of
// a chain with rules, -X of every chain failing as a whole, -E onto an existing name, jump loops,
// tables created by refused commands.
// Restore files (declared and undeclared chains, policies, targets of the wrong table, jumps):
// iptables-restore (a real commit, not --test) fails ⇔ we report an IPT1xx error, on the line it
// names when it names one (errors the kernel finds at COMMIT come without a line), and a file it
// loads leaves the ruleset we compute.
// Restore files over every table, for iptables-restore and ip6tables-restore (counters, DROP
// policies where they are refused, undeclared chains): the same comparison as for restore files.
// Restore files whose lines are any command (-A -I -R -D -N -X -F -Z -P -E). Found: -F without a
// chain flushes nothing in a block that flushed its table, and -E always fails there (the chain is
// created by the same transaction).
// Rules in every table, for iptables and ip6tables (address lists, many matches and targets,
// each with its tables and chains): the same comparison as for the scripts. Found: -I inserts an
// address list reversed, -R refuses a list.
// Seeded: the same inputs every run (FUZZ_SEED, FUZZ_RUNS change that).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../server/src/engine';
import { formatSave } from '../../server/src/model/ruleset';
import { cached, normalizeSave, oracleSkipReason, pool, runInNetnsAsync } from './lib/oracle';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const LENGTH = 16;

/**
 * Where our report deliberately differs from the exit status (the ruleset must still agree):
 * - `-D` with a rule's text fails when no such rule exists; scripts use it on purpose to clean up
 *   before adding (often with `2>/dev/null`), so it is not reported.
 * - `-Z` of a built-in chain fails with iptables-nft until something created that chain (its
 *   first rule, policy or flush); harmless, and iptables-legacy accepts it.
 */
function exitStatusIgnored(command: string): boolean {
  return /(^| )-C /.test(command) || /(^| )-D \S+ [-!]/.test(command) || /(^| )-Z [A-Z]+$/.test(command);
}

/** A seeded generator (a plain LCG: the same inputs on every machine). */
function random(seed: number) {
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  return { rnd, pick };
}

function scripts(): string[][] {
  const { rnd, pick } = random(SEED);
  const user = ['A', 'B', 'C'];
  const chains: Record<string, string[]> = { filter: ['INPUT', 'FORWARD', 'OUTPUT', ...user], nat: ['PREROUTING', 'POSTROUTING', 'OUTPUT', ...user] };
  const matches = ['', '-p tcp --dport 22', '-p udp --sport 53', '-s 10.0.0.0/8', '-i eth0', '-o eth0', '-m conntrack --ctstate NEW', '-p icmp'];
  const targets = ['ACCEPT', 'DROP', 'RETURN', 'A', 'B', 'C', 'INPUT', 'LOG', 'REJECT', 'MASQUERADE', 'DNAT --to-destination 10.0.0.1', 'NOPE'];
  const rule = () => { const t = pick(targets); return `${pick(matches)} ${user.includes(t) && rnd() < 0.2 ? '-g' : '-j'} ${t}`.trim(); };
  const command = (): string => {
    const nat = rnd() < 0.25;
    const t = nat ? '-t nat ' : '';
    const chain = pick(chains[nat ? 'nat' : 'filter']!);
    const n = 1 + Math.floor(rnd() * 3);
    switch (pick(['A', 'A', 'A', 'A', 'I', 'I', 'R', 'D', 'Dn', 'N', 'N', 'X', 'Xall', 'F', 'Fall', 'E', 'P', 'Z', 'C'])) {
      case 'A': return `${t}-A ${chain} ${rule()}`;
      case 'I': return rnd() < 0.5 ? `${t}-I ${chain} ${rule()}` : `${t}-I ${chain} ${n} ${rule()}`;
      case 'R': return `${t}-R ${chain} ${n} ${rule()}`;
      case 'D': return `${t}-D ${chain} ${rule()}`;
      case 'Dn': return `${t}-D ${chain} ${n}`;
      case 'N': return `${t}-N ${pick(user)}`;
      case 'X': return `${t}-X ${pick(user)}`;
      case 'Xall': return `${t}-X`;
      case 'F': return `${t}-F ${chain}`;
      case 'Fall': return `${t}-F`;
      case 'E': return `${t}-E ${pick(user)} ${pick(user)}`;
      case 'P': return `${t}-P ${chain} ${pick(['ACCEPT', 'DROP'])}`;
      case 'Z': return `${t}-Z ${chain}`;
      default: return `${t}-C ${chain} ${rule()}`;
    }
  };
  return Array.from({ length: RUNS }, () => ['-N A', '-N B', ...Array.from({ length: LENGTH }, command)]);
}

interface Real { status: number[]; save: string }

/** Runs each command with `program` in one fresh namespace: every exit status, then the save output. */
function realScript(program: 'iptables' | 'ip6tables', commands: string[]): Promise<Real> {
  return cached('script-fuzz', { v: 2, program, commands }, async () => {
    const body = commands.map((c) => `${program} ${c} >/dev/null 2>&1; echo "@@ $?"`).join('\n');
    const r = await runInNetnsAsync(`${body}\necho "@@SAVE"; ${program}-save\n`);
    const [statuses, save] = r.stdout.split('@@SAVE\n');
    return { status: [...(statuses ?? '').matchAll(/@@ (\d+)/g)].map((m) => Number(m[1])), save: save ?? '' };
  });
}

interface RealRestore { status: number; line?: number; stderr: string; save: string }

/** One real restore (a commit, not --test) in a fresh namespace: exit status, the line it names, the save output. */
function realRestore(family: 4 | 6, text: string): Promise<RealRestore> {
  const program = family === 4 ? 'iptables' : 'ip6tables';
  return cached('restore-fuzz', { v: 2, family, text }, async () => {
    const r = await runInNetnsAsync(`E=$(mktemp)\n${program}-restore 2>"$E" <<'@@RULES'\n${text}@@RULES\necho "@@rc $?"; cat "$E"; rm -f "$E"; echo "@@SAVE"; ${program}-save\n`);
    const m = /@@rc (\d+)\n([\s\S]*?)@@SAVE\n([\s\S]*)$/.exec(r.stdout);
    if (!m) throw new Error(`the real run broke: ${r.stderr.slice(0, 300)}`);
    // "line N: ..." for what the kernel refuses, "Error occurred at line: N" for what the parser refuses.
    const line = /line:? (\d+)/.exec(m[2]!)?.[1];
    return { status: Number(m[1]), line: line ? Number(line) : undefined, stderr: m[2]!.trim(), save: m[3]! };
  });
}

/**
 * Restore files against the real restore: it fails ⇔ we report an IPT1xx error, `placed` says
 * whether one of our error lines matches the line it names, and a file it loads leaves our ruleset.
 * `skipCrashes`: a run that died on a signal is counted, not compared.
 */
async function compareRestores(files: string[], family: 4 | 6, placed: (text: string, ours: number, theirs: number) => boolean, skipCrashes = false) {
  const reals = await pool(files, 4, (text) => realRestore(family, text));
  const failures: string[] = [];
  let refused = 0, crashed = 0;
  for (const [i, text] of files.entries()) {
    const real = reals[i]!;
    if (skipCrashes && real.status >= 128) { crashed++; continue; }
    const a = analyze(text, { kind: 'save', family });
    const errors = a.problems.filter((p) => p.code.startsWith('IPT1') && p.severity === 'error');
    if (real.status !== 0) refused++;
    if ((real.status !== 0) !== (errors.length > 0)) failures.push(`file ${i}: real exit ${real.status} (${real.stderr.split('\n')[0]}), we report ${errors.length} error(s)\n${text}`);
    else if (real.line !== undefined && !errors.some((p) => placed(text, p.range.start.line + 1, real.line!))) failures.push(`file ${i}: the real restore failed on line ${real.line}, we report no error there\n${text}`);
    else if (real.status === 0 && normalizeSave(real.save) !== normalizeSave(formatSave(a.rulesets[family]))) failures.push(`file ${i}: ruleset differs\n${text}`);
  }
  return { failures, refused, crashed };
}

const skip = oracleSkipReason();

test('random chain and rule commands: our errors and ruleset agree with the real iptables', { skip, timeout: 10 * 60_000 }, async () => {
  const all = scripts();
  const reals = await pool(all, 4, (commands) => realScript('iptables', commands));
  const failures: string[] = [];
  let compared = 0;
  for (const [i, commands] of all.entries()) {
    const real = reals[i]!;
    assert.equal(real.status.length, commands.length, `script ${i}: the real run broke`);
    const a = analyze(commands.map((c) => `iptables ${c}`).join('\n'), { kind: 'shell' });
    const errorLines = new Set(a.problems.filter((p) => p.code.startsWith('IPT1') && p.severity === 'error').map((p) => p.range.start.line));
    for (let k = 0; k < commands.length; k++) {
      if (exitStatusIgnored(commands[k]!)) continue;
      compared++;
      const realFailed = real.status[k] !== 0;
      if (realFailed !== errorLines.has(k)) failures.push(`script ${i}, command ${k + 1}: real exit ${real.status[k]}, we report ${errorLines.has(k) ? 'an error' : 'nothing'}: iptables ${commands[k]}\n  script: ${commands.slice(0, k + 1).join(' ; ')}`);
    }
    if (normalizeSave(real.save) !== normalizeSave(formatSave(a.rulesets[4]))) {
      failures.push(`script ${i}: ruleset differs\n  script: ${commands.join(' ; ')}\n--- real\n${normalizeSave(real.save)}\n--- ours\n${normalizeSave(formatSave(a.rulesets[4]))}`);
    }
  }
  console.log(`${all.length} scripts, ${compared} commands compared, ${failures.length} mismatch(es)`);
  assert.deepEqual(failures.slice(0, 5), []);
});

function restoreFiles(): string[] {
  const { rnd, pick } = random(SEED + 1);
  const user = ['A', 'B', 'C'];
  const matches = ['', '-p tcp -m tcp --dport 22', '-p udp -m udp --sport 53', '-s 10.0.0.0/8', '-i eth0', '-o eth0', '-m conntrack --ctstate NEW', '-p icmp', '-m comment --comment "x y"', '-m limit --limit 3/min'];
  const valid: Record<string, string[]> = {
    filter: ['ACCEPT', 'DROP', 'RETURN', 'LOG --log-prefix "p: "', 'REJECT', 'MARK --set-mark 1'],
    nat: ['ACCEPT', 'RETURN', 'LOG --log-prefix "p: "', 'MASQUERADE', 'DNAT --to-destination 10.0.0.1', 'SNAT --to-source 10.0.0.2'],
  };
  // Wrong in some table or chain, or no target at all.
  const doubtful = ['DROP', 'INPUT', 'REJECT', 'MASQUERADE', 'DNAT --to-destination 10.0.0.1', 'SNAT --to-source 10.0.0.2', 'NOPE'];
  const file = (): string => {
    const out: string[] = [];
    for (const table of pick([['filter'], ['nat'], ['filter', 'nat']])) {
      const builtins = table === 'filter' ? ['INPUT', 'FORWARD', 'OUTPUT'] : ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'];
      out.push(`*${table}`);
      for (const b of builtins) out.push(`:${b} ${table === 'nat' ? 'ACCEPT' : pick(['ACCEPT', 'DROP', 'ACCEPT'])} [0:0]`);
      const declared = user.filter(() => rnd() < 0.7);
      for (const u of declared) out.push(`:${u} - [0:0]`);
      const n = 2 + Math.floor(rnd() * 8);
      for (let i = 0; i < n; i++) {
        const chain = rnd() < 0.95 ? pick([...builtins, ...declared]) : pick(user);
        const r = rnd();
        const t = r < 0.08 ? pick(doubtful) : r < 0.3 && declared.length ? pick(declared) : pick(valid[table]!);
        out.push(`-A ${chain} ${pick(matches)} ${user.includes(t) && rnd() < 0.2 ? '-g' : '-j'} ${t}`.replace(/ +/g, ' '));
      }
      out.push('COMMIT');
    }
    return `${out.join('\n')}\n`;
  };
  return Array.from({ length: RUNS }, file);
}

test('random restore files: iptables-restore fails where we report an error, and loads what we compute', { skip, timeout: 10 * 60_000 }, async () => {
  const files = restoreFiles();
  const { failures, refused } = await compareRestores(files, 4, reportedAt);
  console.log(`${files.length} restore files (${refused} refused by iptables-restore), ${failures.length} mismatch(es)`);
  assert.deepEqual(failures.slice(0, 5), []);
});

function ruleScripts(family: 4 | 6): string[][] {
  const { rnd, pick } = random(SEED + family);
  const user = ['A', 'B'];
  const tables: Record<string, string[]> = { filter: ['INPUT', 'FORWARD', 'OUTPUT'], nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'], raw: ['PREROUTING', 'OUTPUT'] };
  const addresses = family === 4 ? ['10.0.0.0/8', '192.168.1.1,192.168.1.2', '0.0.0.0/0', '! 10.1.0.0/16'] : ['2001:db8::/32', '2001:db8::1,2001:db8::2', '::/0', '! fe80::/10'];
  const matches = () => pick(['', '-p tcp --dport 22', '-p tcp -m multiport --dports 80,443', '-p udp --sport 53', `-s ${pick(addresses).replace('! ', '')}`, `-d ${pick(addresses)}`, '-i eth0', '-o eth0',
    '-m conntrack --ctstate NEW,ESTABLISHED', '-m state --state RELATED', family === 4 ? '-p icmp --icmp-type echo-request' : '-p ipv6-icmp --icmpv6-type echo-request', '-m limit --limit 5/s',
    '-m mark --mark 0x1', '-m owner --uid-owner 0', '-m addrtype --dst-type LOCAL', '-m comment --comment "c"', '-p tcp --syn', '-m pkttype --pkt-type multicast']);
  const targets = () => pick(['ACCEPT', 'DROP', 'RETURN', 'A', 'B', 'LOG --log-prefix "x "', 'REJECT', 'REJECT --reject-with tcp-reset', 'MARK --set-mark 2', 'CONNMARK --save-mark',
    'TCPMSS --clamp-mss-to-pmtu', 'CT --notrack', 'NOTRACK', 'MASQUERADE', `DNAT --to-destination ${family === 4 ? '10.0.0.1' : '[2001:db8::1]'}`, `SNAT --to-source ${family === 4 ? '10.0.0.2' : '2001:db8::2'}`,
    'REDIRECT --to-ports 8080', 'TPROXY --on-port 1 --tproxy-mark 0x1', 'CLASSIFY --set-class 1:1', 'DSCP --set-dscp 1', 'TOS --set-tos 0x10', 'TTL --ttl-set 64', 'HL --hl-set 64',
    'NFLOG', 'NFQUEUE --queue-num 1', 'AUDIT --type accept', 'SYNPROXY']);
  const command = (): string => {
    const table = pick(Object.keys(tables));
    const t = table === 'filter' ? '' : `-t ${table} `;
    const chain = pick([...tables[table]!, ...user]);
    const rule = `${matches()} -j ${targets()}`.trim();
    switch (pick(['A', 'A', 'A', 'A', 'A', 'I', 'I', 'D', 'N', 'P', 'F', 'X'])) {
      case 'A': return `${t}-A ${chain} ${rule}`;
      case 'I': return rnd() < 0.5 ? `${t}-I ${chain} ${rule}` : `${t}-I ${chain} 2 ${rule}`;
      case 'D': return `${t}-D ${chain} ${rule}`;
      case 'N': return `${t}-N ${pick(user)}`;
      case 'P': return `${t}-P ${chain} ${pick(['ACCEPT', 'DROP'])}`;
      case 'F': return `${t}-F ${chain}`;
      default: return `${t}-X ${pick(user)}`;
    }
  };
  const setup = Object.keys(tables).flatMap((tb) => user.map((u) => `${tb === 'filter' ? '' : `-t ${tb} `}-N ${u}`));
  return Array.from({ length: Math.ceil(RUNS / 2) }, () => [...setup, ...Array.from({ length: 12 }, command)]);
}

for (const family of [4, 6] as const) {
  const program = family === 4 ? 'iptables' : 'ip6tables';
  test(`random ${program} rules in every table: our errors and ruleset agree with the real ${program}`, { skip, timeout: 10 * 60_000 }, async () => {
    const all = ruleScripts(family);
    const reals = await pool(all, 4, (commands) => realScript(program, commands));
    const failures: string[] = [];
    let refused = 0;
    for (const [i, commands] of all.entries()) {
      const real = reals[i]!;
      const a = analyze(commands.map((c) => `${program} ${c}`).join('\n'), { kind: 'shell' });
      const errorLines = new Set(a.problems.filter((p) => p.code.startsWith('IPT1') && p.severity === 'error').map((p) => p.range.start.line));
      commands.forEach((c, k) => {
        if (exitStatusIgnored(c)) return;
        if (real.status[k] !== 0) refused++;
        if ((real.status[k] !== 0) !== errorLines.has(k)) failures.push(`script ${i}, command ${k + 1}: real exit ${real.status[k]}, we report ${errorLines.has(k) ? 'an error' : 'nothing'}: ${program} ${c}`);
      });
      if (normalizeSave(real.save) !== normalizeSave(formatSave(a.rulesets[family]))) failures.push(`script ${i}: ruleset differs\n  script: ${commands.join(' ; ')}`);
    }
    console.log(`${all.length} ${program} scripts (${refused} commands refused for real), ${failures.length} mismatch(es)`);
    assert.deepEqual(failures.slice(0, 5), []);
  });
}

/**
 * Is our error on line `ours` where iptables-restore said `theirs`? A jump to a chain that was never
 * declared is named at the table's COMMIT ("Chain 'B' does not exist"); we put it on the jump, so
 * any line of that table block counts.
 */
function reportedAt(text: string, ours: number, theirs: number): boolean {
  if (ours === theirs) return true;
  const lines = text.split('\n');
  if (lines[theirs - 1] !== 'COMMIT' || ours > theirs) return false;
  for (let k = theirs - 1; k >= ours; k--) if (lines[k - 1]?.startsWith('*')) return false;
  return true;
}

/** Is our error on line `ours` in the table block of line `theirs`, and not after it? */
function reportedAtOrBefore(text: string, ours: number, theirs: number): boolean {
  if (ours > theirs) return false;
  const lines = text.split('\n');
  for (let k = theirs; k > ours; k--) if (lines[k - 1]?.startsWith('*')) return false;
  return true;
}

function restoreFilesAllTables(family: 4 | 6): string[] {
  const { rnd, pick } = random(SEED + 10 + family);
  const user = ['A', 'B'];
  const tables: Record<string, string[]> = { filter: ['INPUT', 'FORWARD', 'OUTPUT'], nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'], raw: ['PREROUTING', 'OUTPUT'], security: ['INPUT', 'FORWARD', 'OUTPUT'] };
  const addresses = family === 4 ? ['10.0.0.0/8', '192.168.1.1,192.168.1.2', '0.0.0.0/0'] : ['2001:db8::/32', '2001:db8::1,2001:db8::2', '::/0'];
  const matches = () => pick(['', '-p tcp -m tcp --dport 22', '-p tcp -m multiport --dports 80,443', '-p udp -m udp --sport 53', `-s ${pick(addresses)}`, `! -d ${pick(addresses)}`, '-i eth0', '-o eth0',
    '-m conntrack --ctstate NEW,ESTABLISHED', family === 4 ? '-p icmp -m icmp --icmp-type 8' : '-p ipv6-icmp -m icmp6 --icmpv6-type 128', '-m limit --limit 5/sec', '-m mark --mark 0x1',
    '-m owner --uid-owner 0', '-m comment --comment "c d"', '-m recent --rcheck --name x', '-m hashlimit --hashlimit-upto 5/sec --hashlimit-name h']);
  const anyTarget = () => pick(['ACCEPT', 'DROP', 'RETURN', 'A', 'B', 'LOG --log-prefix "x "', `REJECT --reject-with ${family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable'}`, 'MARK --set-xmark 0x2/0xffffffff',
    'CONNMARK --save-mark', 'CT --notrack', 'MASQUERADE', `DNAT --to-destination ${family === 4 ? '10.0.0.1' : '[2001:db8::1]'}`, `SNAT --to-source ${family === 4 ? '10.0.0.2' : '2001:db8::2'}`,
    'REDIRECT --to-ports 8080', 'NFQUEUE --queue-num 1', 'TCPMSS --clamp-mss-to-pmtu']);
  const fitting: Record<string, string[]> = { filter: ['ACCEPT', 'DROP', 'LOG', 'RETURN', 'NFQUEUE --queue-num 1'], nat: ['ACCEPT', 'RETURN', 'LOG'], mangle: ['ACCEPT', 'DROP', 'MARK --set-xmark 0x2/0xffffffff', 'CONNMARK --save-mark', 'RETURN'], raw: ['ACCEPT', 'DROP', 'CT --notrack', 'RETURN'], security: ['ACCEPT', 'DROP', 'RETURN', 'LOG'] };
  const file = (): string => {
    const out: string[] = [];
    for (const table of Object.keys(tables).filter(() => rnd() < 0.4)) {
      out.push(`*${table}`);
      for (const b of tables[table]!) out.push(`:${b} ${rnd() < 0.85 ? 'ACCEPT' : 'DROP'} [${Math.floor(rnd() * 9)}:${Math.floor(rnd() * 999)}]`);
      const declared = user.filter(() => rnd() < 0.8);
      for (const u of declared) out.push(`:${u} - [0:0]`);
      const n = 1 + Math.floor(rnd() * 7);
      for (let i = 0; i < n; i++) {
        const target = rnd() < 0.3 ? anyTarget() : rnd() < 0.3 && declared.length ? pick(declared) : pick(fitting[table]!);
        out.push(`${rnd() < 0.2 ? '[3:180] ' : ''}-A ${pick([...tables[table]!, ...declared])} ${matches()} -j ${target}`.replace(/ +/g, ' '));
      }
      out.push('COMMIT');
    }
    return `${out.join('\n')}\n`;
  };
  return Array.from({ length: Math.ceil(RUNS / 2) }, file);
}

for (const family of [4, 6] as const) {
  const program = family === 4 ? 'iptables-restore' : 'ip6tables-restore';
  test(`random restore files over every table: ${program} fails where we report an error, and loads what we compute`, { skip, timeout: 10 * 60_000 }, async () => {
    const files = restoreFilesAllTables(family);
    const { failures, refused } = await compareRestores(files, family, reportedAt);
    console.log(`${files.length} files (${refused} refused by ${program}), ${failures.length} mismatch(es)`);
    assert.deepEqual(failures.slice(0, 5), []);
  });
}

function restoreCommandFiles(): string[] {
  const { rnd, pick } = random(SEED + 20);
  const user = ['A', 'B', 'C'];
  const builtins: Record<string, string[]> = { filter: ['INPUT', 'FORWARD', 'OUTPUT'], nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'] };
  const matches = ['', '-p tcp -m tcp --dport 22', '-s 10.0.0.0/8', '-i eth0', '-m conntrack --ctstate NEW'];
  const file = (): string => {
    const out: string[] = [];
    for (const table of pick([['filter'], ['nat'], ['filter', 'nat']])) {
      out.push(`*${table}`);
      for (const b of builtins[table]!) out.push(`:${b} ACCEPT [0:0]`);
      for (const u of user) if (rnd() < 0.9) out.push(`:${u} - [0:0]`);
      const targets = table === 'filter' ? ['ACCEPT', 'DROP', 'RETURN', 'A', 'B', 'C', 'LOG'] : ['ACCEPT', 'RETURN', 'A', 'B', 'C', 'LOG'];
      const chain = () => pick([...builtins[table]!, ...user]);
      const rule = () => `${pick(matches)} -j ${pick(targets)}`.trim();
      const append = () => `-A ${chain()} ${rule()}`;
      const lines = [append, append, append, append, append, append, () => `-I ${chain()} ${rule()}`, () => `-I ${chain()} 2 ${rule()}`,
        () => `-R ${chain()} 1 ${rule()}`, () => `-D ${chain()} ${rule()}`, () => `-D ${chain()} 1`, () => `-N ${pick(user)}`, () => `-X ${pick(user)}`, () => `-F ${chain()}`,
        () => `-Z ${chain()}`, () => `-P ${pick(builtins[table]!)} ${pick(['ACCEPT', 'DROP'])}`, () => '-F'];
      // -E makes the whole file fail (see the model): in a few blocks only, so that most files still load.
      if (rnd() < 0.15) lines.push(() => `-E ${pick(user)} ${pick([...user, 'D'])}`);
      for (let i = 0; i < 2 + Math.floor(rnd() * 9); i++) out.push(pick(lines)().replace(/ +/g, ' '));
      out.push('COMMIT');
    }
    return `${out.join('\n')}\n`;
  };
  return Array.from({ length: RUNS }, file);
}

test('random restore files of any command: iptables-restore fails where we report an error, and loads what we compute', { skip, timeout: 10 * 60_000 }, async () => {
  const files = restoreCommandFiles();
  // A refused -X is queued, and the chain is already gone for the lines after it: iptables-restore
  // may name a later line ("No chain") than the -X we report, so an error of ours in the same
  // table block, at or before the named line, counts. iptables-restore 1.8.9 (nf_tables) dies with
  // a segmentation fault on some -R lines (-R POSTROUTING 1 after an -A to it in nat): skipped.
  const { failures, refused, crashed } = await compareRestores(files, 4, reportedAtOrBefore, true);
  console.log(`${files.length} restore files of commands (${refused} refused, ${crashed} crashed iptables-restore), ${failures.length} mismatch(es)`);
  assert.deepEqual(failures.slice(0, 5), []);
});
