// The rule-line parse path: how option words take their arguments (getopt's rules, now decided
// when the option is read) and the number and address readers that have a fast path for plain
// values. Expected results are what iptables 1.8.9 (nft) does, checked in a network namespace
// (`iptables -A ...; iptables-save`), or what the man pages say.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRuleArgs } from '../../../server/src/syntax/commandLine';
import { parseSaveFile } from '../../../server/src/syntax/saveFile';
import type { IptablesCommand, Problem } from '../../../server/src/syntax/ast';

const errors = (ps: Problem[]) => ps.filter((p) => p.severity === 'error').map((p) => p.code);
const option = (c: IptablesCommand, module: string, name: string) => [...c.matches, ...(c.target ? [c.target] : [])].find((m) => m.name === module)?.options.find((o) => o.name === name);

test('a required argument is the next word even when it starts with a dash (iptables keeps `--comment -x`)', () => {
  const { command, problems } = parseRuleArgs('-A INPUT -m comment --comment -x -j ACCEPT');
  assert.deepEqual(errors(problems), []);
  const o = option(command, 'comment', 'comment');
  assert.equal(o?.args[0].text, '-x');
  assert.deepEqual(command.roles[5], { kind: 'value', option: 'comment', module: 'comment', index: 0 });
  assert.equal(command.target?.name, 'ACCEPT');
});

test('`--dport=22` is read as `--dport 22`; `--tcp-flags` with two words still takes both', () => {
  const eq = parseRuleArgs('-A INPUT -p tcp --dport=22 -j ACCEPT');
  assert.deepEqual(errors(eq.problems), []);
  assert.deepEqual(option(eq.command, 'tcp', 'dport')?.value, { from: 22, to: 22 });
  const flags = parseRuleArgs('-A INPUT -p tcp --tcp-flags SYN,ACK SYN -j ACCEPT');
  assert.deepEqual(errors(flags.problems), []);
  assert.deepEqual(option(flags.command, 'tcp', 'tcp-flags')?.args.map((w) => w.text), ['SYN,ACK', 'SYN']);
  assert.equal(flags.command.target?.name, 'ACCEPT', 'the word after the two arguments is an option again');
});

test('an optional argument is taken only when the next word does not look like an option (-L [chain])', () => {
  const bare = parseRuleArgs('-L -n');
  assert.equal(bare.command.op, 'L');
  assert.equal(bare.command.chain, undefined);
  assert.deepEqual(errors(bare.problems), []);
  const named = parseRuleArgs('-L INPUT -n');
  assert.equal(named.command.chain, 'INPUT');
  assert.deepEqual(errors(named.problems), []);
});

test('an option missing its argument at the end of the line is reported, not read past the end', () => {
  const { command, problems } = parseRuleArgs('-A INPUT -p tcp --dport');
  assert.ok(errors(problems).includes('IPT104'), JSON.stringify(problems));
  assert.equal(command.words.length, 5);
});

test('port numbers as iptables reads them: tcp takes C numbers (0x16 = 22, 022 = 18), udp wraps 65537 to 1', () => {
  const port = (rule: string) => {
    const { command, problems } = parseRuleArgs(`-A INPUT ${rule}`);
    return errors(problems).length ? 'refused' : (option(command, rule.includes('udp') ? 'udp' : 'tcp', 'dport')?.value as { from: number }).from;
  };
  assert.equal(port('-p tcp --dport 22'), 22);
  assert.equal(port('-p tcp --dport 0x16'), 22);
  assert.equal(port('-p tcp --dport 022'), 18);
  assert.equal(port('-p tcp --dport 65535'), 65535);
  assert.equal(port('-p tcp --dport 65536'), 'refused');
  assert.equal(port('-p udp --dport 65537'), 1);
});

test('source addresses: /32 and /0 are accepted, /33 is refused, and `! -s x/0` is refused (it matches nothing)', () => {
  assert.deepEqual(errors(parseRuleArgs('-A INPUT -s 10.1.2.3/32 -j ACCEPT').problems), []);
  assert.deepEqual(errors(parseRuleArgs('-A INPUT -s 10.0.0.0/0 -j ACCEPT').problems), []);
  assert.notDeepEqual(errors(parseRuleArgs('-A INPUT -s 10.1.2.3/33 -j ACCEPT').problems), []);
  assert.notDeepEqual(errors(parseRuleArgs('-A INPUT ! -s 10.0.0.0/0 -j ACCEPT').problems), []);
  assert.notDeepEqual(errors(parseRuleArgs('-A INPUT -s 10.1.2.3 -j ACCEPT', { family: 6 }).problems), []);
});

test('DNAT addresses are read as inet_pton does: 10.244.1.2 is fine, 10.244.1.256 and 10.244.01.2 are refused', () => {
  const dnat = (to: string) => parseRuleArgs(`-A PREROUTING -p tcp -j DNAT --to-destination ${to}`, { table: 'nat' });
  const ok = dnat('10.244.1.2:8080');
  assert.deepEqual(errors(ok.problems), []);
  const v = option(ok.command, 'DNAT', 'to-destination')?.value as { minIp: number[]; maxIp: number[]; minPort: number; maxPort: number };
  assert.deepEqual([v.minIp, v.maxIp, v.minPort, v.maxPort], [[10, 244, 1, 2], [10, 244, 1, 2], 8080, 8080]);
  assert.notDeepEqual(errors(dnat('10.244.1.256:8080').problems), []);
  assert.notDeepEqual(errors(dnat('10.244.01.2:8080').problems), []);
});

test('chain names: the command, the target and the words agree on every rule of a save file', () => {
  const chain = 'KUBE-SVC-AAAAAAAAAAAAAAAA', sep = 'KUBE-SEP-BBBBBBBBBBBBBBBB';
  const text = ['*nat', `:${chain} - [0:0]`, `:${sep} - [0:0]`, `-A ${chain} -j ${sep}`, `-A ${chain} -j ${sep}`, `-A ${sep} -j RETURN`, 'COMMIT', ''].join('\n');
  const save = parseSaveFile(text, 4);
  assert.deepEqual(save.problems, []);
  const rules = save.entries.flatMap((e) => (e.kind === 'rule' ? [e.command] : []));
  assert.equal(rules.length, 3);
  for (const c of rules.slice(0, 2)) {
    assert.equal(c.chain, chain);
    assert.equal(c.words[1].text, chain);
    assert.equal(c.target?.name, sep);
    assert.equal(c.words[3].text, sep);
    assert.deepEqual(c.roles[1], { kind: 'chain', name: chain });
    assert.deepEqual(c.roles[3], { kind: 'chain', name: sep });
  }
  assert.deepEqual(rules[2].roles[3], { kind: 'verdict', name: 'RETURN' });
});

test('`--opt=value` on an option of two arguments takes one more word (iptables accepts --tcp-flags=SYN,ACK SYN)', async () => {
  const { formatRule } = await import('../../../server/src/model/printer');
  // iptables-save after `iptables-restore` of each line, in a namespace (1.8.9, nft):
  const cases: [string, string][] = [
    ['-A INPUT -p tcp --tcp-flags=SYN,ACK SYN -j ACCEPT', '-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN -j ACCEPT'],
    ['-A INPUT -p sctp -m sctp --chunk-types=all DATA -j ACCEPT', '-A INPUT -p sctp -m sctp --chunk-types all DATA -j ACCEPT'],
  ];
  for (const [line, saved] of cases) {
    const { command, problems } = parseRuleArgs(line);
    assert.deepEqual(errors(problems), [], line);
    assert.equal(formatRule(command), saved);
  }
  const { command } = parseRuleArgs(cases[0][0]);
  // The word after the inline value is the option's second argument (the flags that must be set).
  assert.deepEqual(command.roles[5], { kind: 'value', option: 'tcp-flags', module: 'tcp', index: 1 });
});

test('an option two targets share (--random of SNAT and DNAT) is described as the one of the target it is written with', () => {
  // iptables-extensions(8) documents --random under both SNAT and DNAT.
  const roleOfRandom = (line: string) => {
    const { command } = parseRuleArgs(line, { table: 'nat' });
    return command.roles[command.words.findIndex((w) => w.text === '--random')];
  };
  assert.deepEqual(roleOfRandom('-A POSTROUTING -j SNAT --to-source 192.0.2.1 --random'), { kind: 'option', name: 'random', module: 'SNAT', moduleKind: 'target' });
  assert.deepEqual(roleOfRandom('-A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1 --random'), { kind: 'option', name: 'random', module: 'DNAT', moduleKind: 'target' });
  assert.deepEqual(roleOfRandom('-A POSTROUTING -j SNAT --to-source 192.0.2.1 --random'), { kind: 'option', name: 'random', module: 'SNAT', moduleKind: 'target' });
});

test('values written inside their option word (--goto=X, --policy=INPUT DROP) give the following words the right roles', () => {
  // iptables 1.8.9 accepts both (getopt_long); iptables-save prints `-g X` and `:INPUT DROP`.
  const goto = parseRuleArgs('-A INPUT -p tcp --goto=X');
  assert.deepEqual(errors(goto.problems), []);
  assert.equal(goto.command.target?.name, 'X');
  assert.equal(goto.command.roles.length, goto.command.words.length, 'no role outside the words');
  assert.ok(!Object.keys(goto.command.roles).includes('undefined'));
  const policy = parseRuleArgs('--policy=INPUT DROP');
  assert.deepEqual(errors(policy.problems), []);
  assert.equal(policy.command.chain, 'INPUT');
  assert.equal(policy.command.policy, 'DROP');
  assert.deepEqual(policy.command.roles[1], { kind: 'verdict', name: 'DROP' });
});

test('iptables 1.8.9 rejects --source=, --destination=, --protocol=, --in-interface=, --out-interface= and --jump= (it reads the whole word)', () => {
  // Each line run in a namespace: iptables 1.8.9 (nft) exits 2 with "host/network `--source=10.0.0.1' not found",
  // "unknown protocol \"--protocol=tcp\"", "interface name `--out-interface=e' must be shorter than IFNAMSIZ",
  // "Chain '--jump=ACCEPT' does not exist"; --goto=, --match=, --table= and --append= are accepted.
  const rejected: [string, string][] = [
    ['-A INPUT --source=10.0.0.1 -j ACCEPT', '--source 10.0.0.1'],
    ['-A INPUT ! --source=10.0.0.1 -j ACCEPT', '--source 10.0.0.1'],
    ['-A INPUT --destination=10.0.0.1 -j ACCEPT', '--destination 10.0.0.1'],
    ['-A INPUT --protocol=tcp -j ACCEPT', '--protocol tcp'],
    ['-A INPUT --in-interface=eth0 -j ACCEPT', '--in-interface eth0'],
    ['-A FORWARD --out-interface=e -j ACCEPT', '--out-interface e'],
    ['-A INPUT -p tcp --jump=ACCEPT', '--jump ACCEPT'],
  ];
  for (const [line, fixed] of rejected) {
    const { command, problems } = parseRuleArgs(line);
    assert.deepEqual(errors(problems), ['IPT106'], line);
    assert.ok(command.invalid, line);
    const fix = problems[0].fixes?.[0]?.edits[0];
    assert.equal(fix?.newText, fixed, line);
    // The fix replaces exactly the option word.
    const word = command.words.find((w) => w.text.includes('='))!;
    assert.deepEqual(fix?.range, word.range, line);
    const fixedLine = line.replace(word.text, fixed);
    assert.deepEqual(errors(parseRuleArgs(fixedLine).problems), [], fixedLine);
  }
  for (const line of ['-A INPUT -p tcp --match=tcp --dport 22 -j ACCEPT', '-A INPUT --goto=X', '--table=nat -A PREROUTING -j ACCEPT', '--append=INPUT -j ACCEPT']) {
    assert.deepEqual(errors(parseRuleArgs(line).problems), [], line);
  }
});
