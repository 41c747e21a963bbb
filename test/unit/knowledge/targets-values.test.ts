// The C-library behaviours the target parsers copy. Expected values come from glibc (Python's
// socket.inet_ntop/inet_aton use it) and from what iptables 1.8.9 printed in iptables-save.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv6, inetAton, inetPton4, inetPton6, parsePrefixLength, strtoumax, xtSaveString, xtUint } from '../../../server/src/knowledge/targets/target-values';
import { rejectType } from '../../../server/src/knowledge/targets/reject';
import { parseClass } from '../../../server/src/knowledge/targets/mark';
import { parseTuple } from '../../../server/src/knowledge/targets/hmark';
import { rateestParams, parseRateTime } from '../../../server/src/knowledge/targets/misc';
import { parseRuleArgs } from '../../../server/src/syntax/commandLine';
import { formatRule } from '../../../server/src/model/printer';

test('strtoumax and xtables_strtoul: base 0, white space, sign, trailing text', () => {
  assert.deepEqual(strtoumax('0x10'), { value: 16n, end: 4, overflow: false });
  assert.deepEqual(strtoumax('010'), { value: 8n, end: 3, overflow: false });
  // "080" reads "0" as octal and stops at 8 (iptables then reports garbage "80").
  assert.equal(strtoumax('080')?.end, 1);
  // "0x" without a hex digit is the number 0 followed by "x".
  assert.equal(strtoumax('0x')?.end, 1);
  assert.equal(strtoumax('abc'), undefined);
  assert.equal(xtUint(' 3', 0, 7), 3);
  assert.equal(xtUint('+3', 0, 7), 3);
  assert.equal(xtUint('3 ', 0, 7), undefined);
  assert.equal(xtUint('-0', 0, 7), undefined);
  assert.equal(xtUint('4294967296', 0, 0xffffffff), undefined);
});

test('IPv4 literals: inet_pton is strict, inet_aton (getaddrinfo) takes short and octal forms', () => {
  assert.deepEqual(inetPton4('1.2.3.4'), [1, 2, 3, 4]);
  assert.equal(inetPton4('01.2.3.4'), undefined);
  assert.equal(inetPton4('1.2.3'), undefined);
  assert.deepEqual(inetAton('1.2.3'), [1, 2, 0, 3]);
  assert.deepEqual(inetAton('0x7f.1'), [127, 0, 0, 1]);
  assert.deepEqual(inetAton('010.2.3.4'), [8, 2, 3, 4]);
  assert.equal(inetAton('1.2.3.4 '), undefined);
  assert.equal(inetAton('256.1.1.1'), undefined);
});

test('IPv6 text form as glibc inet_ntop writes it', () => {
  const cases: [string, string][] = [
    ['::1.2.3.4', '::1.2.3.4'], ['::ffff:1.2.3.4', '::ffff:1.2.3.4'], ['::1', '::1'], ['::', '::'], ['1::', '1::'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'], ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'], ['DEAD:0:0::BEEF', 'dead::beef'],
    ['0:0:1::', '0:0:1::'], ['::ffff:0:1.2.3.4', '::ffff:0:102:304'], ['fe80::1:0:0:0', 'fe80::1:0:0:0'],
  ];
  for (const [input, want] of cases) assert.equal(formatIPv6(inetPton6(input)!), want, input);
  assert.equal(inetPton6('fe80::1%eth0'), undefined);
  assert.equal(formatIPv6(inetPton6('1:2:3:4:5:6:7::')!), '1:2:3:4:5:6:7:0');
  assert.equal(formatIPv6(inetPton6('::1:2:3:4:5:6:7')!), '0:1:2:3:4:5:6:7');
  assert.equal(formatIPv6(inetPton6('1:2:3:4:5:6:1.2.3.4')!), '1:2:3:4:5:6:102:304');
  for (const bad of ['1:2:3:4::5:6:7:8', ':1::', '1::2::3', '::1.2.3.4.5', '1:2:3:4:5:6:7:1.2.3.4', '12345::']) assert.equal(inetPton6(bad), undefined, bad);
});

test('iptables-save quoting of strings (xtables_save_string)', () => {
  assert.equal(xtSaveString('abc'), 'abc');
  assert.equal(xtSaveString('-x'), '-x');
  assert.equal(xtSaveString('_'), '_');
  assert.equal(xtSaveString('test: '), '"test: "');
  assert.equal(xtSaveString('a.b'), '"a.b"');
  assert.equal(xtSaveString('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(xtSaveString("a'b"), '"a\\\'b"');
  assert.equal(xtSaveString('a$b`c'), '"a$b`c"');
  assert.equal(xtSaveString('日本語'), '"日本語"');
});

test('prefix lengths: IPv4 takes any 32-bit number, IPv6 at most 128', () => {
  assert.equal(parsePrefixLength('255', 4, false), 32);
  assert.equal(parsePrefixLength('0x10', 4, false), 16);
  assert.equal(parsePrefixLength('255.255.0.0', 4, false), 16);
  assert.equal(parsePrefixLength('255.0.255.0', 4, false), 32);
  assert.equal(parsePrefixLength('129', 6, false), undefined);
  assert.equal(parsePrefixLength('ffff:ffff::', 6, false), 32);
  assert.equal(parsePrefixLength(' 8', 4, true), undefined);
  assert.equal(parsePrefixLength(' 8', 4, false), 8);
});

test('--reject-with takes any prefix of a name or alias, first in iptables order', () => {
  // Each answer below is what iptables-save printed for the word given.
  assert.equal(rejectType('', 4), 'icmp-net-unreachable');
  assert.equal(rejectType('h', 4), 'icmp-host-unreachable');
  assert.equal(rejectType('p', 4), 'icmp-proto-unreachable');
  assert.equal(rejectType('icmp-p', 4), 'icmp-proto-unreachable');
  assert.equal(rejectType('a', 4), 'icmp-admin-prohibited');
  assert.equal(rejectType('TCP-RST', 4), 'tcp-reset');
  assert.equal(rejectType('icmp6-no-route', 4), undefined);
  assert.equal(rejectType('a', 6), 'icmp6-adm-prohibited');
  assert.equal(rejectType('p', 6), 'icmp6-port-unreachable');
  assert.equal(rejectType('icmp6-r', 6), 'icmp6-reject-route');
  assert.equal(rejectType('tcp-rst', 6), undefined);
  assert.equal(rejectType('icmp6-not-neighbour', 6), undefined);
});

test('CLASSIFY reads major:minor with sscanf %x', () => {
  assert.equal(parseClass('1:2'), 0x00010002);
  assert.equal(parseClass('10000:1'), 0x00000001);
  assert.equal(parseClass('1:-1'), 0x0001ffff);
  assert.equal(parseClass('1:2x'), 0x00010002);
  assert.equal(parseClass('1'), undefined);
  assert.equal(parseClass(':1'), undefined);
});

test('HMARK tuple words are case-insensitive prefixes', () => {
  assert.deepEqual(parseTuple('SRC,Dst,c'), ['src', 'dst', 'ct']);
  assert.deepEqual(parseTuple('s,sp,d,dp,p'), ['src', 'sport', 'dst', 'dport', 'proto']);
  assert.equal(parseTuple('src,'), undefined);
  assert.equal(parseTuple('foo'), undefined);
});

test('RATEEST rounds the interval to 250ms x 2^n and derives ewma_log', () => {
  assert.equal(parseRateTime('250ms'), 250000);
  assert.equal(parseRateTime('1'), 1);
  assert.equal(parseRateTime('1.5s'), 1500000);
  assert.equal(parseRateTime('5 s'), undefined);
  assert.deepEqual(rateestParams(1000000, 2000000), { interval: 0, ewmaLog: 1 });
  assert.equal(rateestParams(1000000, 1000000), 'ewmalog');
  assert.equal(rateestParams(9000000, 90000000), 'interval');
});

test('round trips of quoted strings in a save file', () => {
  // iptables-save printed `--log-prefix "a\"b\\c"` for the prefix a"b\c.
  const { command, problems } = parseRuleArgs(String.raw`-A INPUT -j LOG --log-prefix "a\"b\\c"`, { family: 4 });
  assert.deepEqual(problems, []);
  assert.equal(formatRule(command), String.raw`-A INPUT -j LOG --log-prefix "a\"b\\c"`);
});

test('LED prints its id always quoted, and inf as -1 (printf %d of an unsigned value)', () => {
  const { command, problems } = parseRuleArgs('-A INPUT -j LED --led-trigger-id x --led-delay inf --led-always-blink', { family: 4 });
  assert.deepEqual(problems.filter((p) => p.severity === 'error'), []);
  assert.equal(formatRule(command), '-A INPUT -j LED --led-trigger-id "x" --led-delay -1 --led-always-blink');
});
