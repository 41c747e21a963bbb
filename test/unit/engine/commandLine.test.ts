// The command-line grammar against behaviour observed from the real iptables 1.8.9 (nft backend):
// every expectation below was printed or refused by `iptables` in a network namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandWords, parseRuleArgs } from '../../../server/src/syntax/commandLine';
import { splitRestoreWords } from '../../../server/src/syntax/words';
import { formatRule } from '../../../server/src/model/printer';

const accepts = (rule: string, saved: string, family: 4 | 6 = 4, table?: string) => {
  const { command, problems } = parseRuleArgs(rule, { family, table });
  const errors = problems.filter((p) => p.severity === 'error');
  assert.deepEqual(errors.map((e) => `${e.code} ${e.message.en}`), [], rule);
  assert.equal(formatRule(command), saved);
};
const rejects = (rule: string, code: string, family: 4 | 6 = 4) => {
  const { problems } = parseRuleArgs(rule, { family });
  assert.ok(problems.some((p) => p.severity === 'error' && p.code === code), `${rule}: expected ${code}, got ${problems.map((p) => p.code).join(',') || 'nothing'}`);
};

test('generic matches print in iptables-save order with canonical addresses', () => {
  accepts('-A INPUT -p tcp -i eth0 -d 10.0.0.1 -s 1.2.3.4/8 --dport 22 -j ACCEPT', '-A INPUT -s 1.0.0.0/8 -d 10.0.0.1/32 -i eth0 -p tcp -m tcp --dport 22 -j ACCEPT');
  accepts('-A FORWARD -o eth1 -i eth0 -j ACCEPT', '-A FORWARD -i eth0 -o eth1 -j ACCEPT');
  accepts('-A FORWARD -f -p 6 -s 1.2.3.4 -j DROP', '-A FORWARD -s 1.2.3.4/32 -p tcp -f -j DROP');
  accepts('-A INPUT -s 10.1 -j ACCEPT', '-A INPUT -s 10.1.0.0/32 -j ACCEPT');
  accepts('-A INPUT -s 10.0.0.0/255.0.255.0 -j ACCEPT', '-A INPUT -s 10.0.0.0/255.0.255.0 -j ACCEPT');
  accepts('-A INPUT -p all -j ACCEPT', '-A INPUT -j ACCEPT');
  accepts('-A INPUT -p 47 -j ACCEPT', '-A INPUT -p gre -j ACCEPT');
  accepts('-A INPUT -p 200 -j ACCEPT', '-A INPUT -p 200 -j ACCEPT');
});

test('IPv6 addresses print as glibc inet_ntop does', () => {
  accepts('-A INPUT -s 2001:db8:0:0:1:0:0:1', '-A INPUT -s 2001:db8::1:0:0:1/128', 6);
  accepts('-A INPUT -s ::ffff:1.2.3.4', '-A INPUT -s ::ffff:1.2.3.4/128', 6);
  accepts('-A INPUT -s fe80::1:0:0:0', '-A INPUT -s fe80::1:0:0:0/128', 6);
});

test('options: implicit protocol match, abbreviations, --opt=value, order-independent target', () => {
  accepts('-A INPUT ! -p tcp --dport 22 -j ACCEPT', '-A INPUT ! -p tcp -m tcp --dport 22 -j ACCEPT');
  accepts('-A INPUT -p tcp --dpo 22 -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT');
  accepts('-A INPUT -p tcp --dport=23 -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 23 -j ACCEPT');
  accepts('-A INPUT -p tcp -j ACCEPT --dport 22', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT');
  accepts('-A INPUT -p tcp -m tcp -m tcp --dport 1 -j ACCEPT', '-A INPUT -p tcp -m tcp -m tcp --dport 1 -j ACCEPT');
});

test('what iptables rejects', () => {
  rejects('-A INPUT -o lo -j ACCEPT', 'IPT109');
  rejects('-A OUTPUT -i lo -j ACCEPT', 'IPT109');
  rejects('-A INPUT -s ! 1.2.3.4 -j ACCEPT', 'IPT113');
  rejects('-A INPUT -p tcp --d 22 -j ACCEPT', 'IPT101');
  rejects('-A INPUT -i "" -j ACCEPT', 'IPT106');
  rejects('-A INPUT -p tcp --dport 22 --dport 23 -j ACCEPT', 'IPT117');
  rejects('-A INPUT -p tcp -p udp -j ACCEPT', 'IPT117');
  rejects('-A INPUT -j ACCEPT -j DROP', 'IPT117');
  rejects('-A INPUT -m nosuch', 'IPT102');
  rejects('-A INPUT -p tcp --dport 22 -j ACCEPT extra', 'IPT105');
  rejects('-A INPUT --dport 22 -j ACCEPT', 'IPT107');
  rejects('-N x2345678901234567890123456789', 'IPT119');
  rejects('-A INPUT -p tcp --dport 4:3 -j ACCEPT', 'IPT106');
  rejects('-A INPUT -s 2001:db8::1 -j ACCEPT', 'IPT112');
  rejects('-A INPUT -p tcp --dport 65536 -j ACCEPT', 'IPT106');
  rejects('-A INPUT -m tcp --dport 1', 'IPT107');
  rejects('-A INPUT -s 10.11.12.13/255.0.0.0', 'IPT112', 6);
});

test('chain name of 28 characters is accepted, 29 is not', () => {
  assert.equal(parseRuleArgs('-N x234567890123456789012345678').problems.length, 0);
  rejects('-N x2345678901234567890123456789', 'IPT119');
});

test('look-alike dashes copied from web pages are reported with an ASCII fix', () => {
  const { problems } = parseRuleArgs('-A INPUT -p tcp \u2013\u2013dport 22 -j ACCEPT');
  const p = problems.find((x) => x.code === 'IPT114');
  assert.ok(p, 'IPT114 expected');
  assert.equal(p.fixes?.[0].edits[0].newText, '--dport');
  assert.deepEqual(p.range, { start: { line: 0, character: 16 }, end: { line: 0, character: 23 } });
});

test('look-alike characters give one error each; what stays wrong after their fixes is still reported', () => {
  const codes = (text: string) => parseRuleArgs(text).problems.map((p) => `${p.code}@${p.range.start.character}`);
  // A full-width space glues the chain and -p into one word: without the fix applied, the chain
  // would be unknown and --dport would lack its -p tcp. Only the look-alike is the user's mistake.
  assert.deepEqual(codes('-A INPUT\u3000-p tcp --dport 22 -j ACCEPT'), ['IPT114@3']);
  assert.deepEqual(codes('-A INPUT -p tcp --dport \uFF12\uFF12 -j ACCEPT'), ['IPT114@24']);
  // A real error elsewhere on the line stays, at its own word (here after the glued word).
  assert.deepEqual(codes('-A INPUT\u3000-p tcp --dport 70000 -j ACCEPT'), ['IPT114@3', 'IPT106@24']);
  // ... and an error inside the fixed word is placed on its piece.
  assert.deepEqual(codes('-A INPUT\u3000-p tpc --dport 22 -j ACCEPT').slice(0, 2), ['IPT114@3', 'IPT106@12']);
  // A quoted word cannot be cut at its characters: what stays wrong in it is shown on the whole word, without a fix.
  const quoted = parseRuleArgs('-A INPUT -p tcp "--dpotr\u3000x" -j ACCEPT').problems;
  assert.deepEqual(quoted.map((p) => [p.code, p.range.start.character, p.range.end.character, p.code === 'IPT114' || !p.fixes]), [['IPT114', 16, 27, true], ['IPT101', 16, 27, true]]);
  const { command } = parseRuleArgs('-A INPUT\u3000-p tcp --dport 22 -j ACCEPT');
  assert.equal(command.invalid, true, 'iptables rejects the line as written');
});

test('free-text values may contain any character', () => {
  const { problems } = parseRuleArgs('-A INPUT -p tcp --dport 22 -j ACCEPT');
  assert.equal(problems.length, 0);
});

test('a match-all address is not printed; its negation is refused (real iptables-nft 1.8.9)', () => {
  accepts('-A INPUT -s 0/0 -d 0.0.0.0/0 -j LOG', '-A INPUT -j LOG');
  accepts('-A INPUT -s ::/0 -j ACCEPT', '-A INPUT -j ACCEPT', 6);
  rejects('-A INPUT ! -s 0.0.0.0/0 -j LOG', 'IPT106');
});

test('grouped short options are read one letter at a time, as getopt does', () => {
  const { command, problems } = parseRuleArgs('-L -vn');
  assert.deepEqual(problems, []);
  assert.equal(command.op, 'L');
  assert.equal(parseRuleArgs('-nvL INPUT').command.chain, 'INPUT');
});

test('options after an unknown -p $PROTO are not reported: they may belong to its match', () => {
  const r = (text: string, symbolic: number) => splitRestoreWords(text, 0).words.map((w, k) => (k === symbolic ? { text: w.text, range: w.range, symbolic: true } : w));
  const { problems } = parseCommandWords(r('-A INPUT -p $PROTO --dport 22 -j ACCEPT', 3), { family: 4, origin: 'shell' });
  assert.deepEqual(problems.filter((p) => p.severity === 'error'), []);
});
