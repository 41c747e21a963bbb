// The probe walk under the safety checks: which rules surely match a kind of packet, which surely
// do not, and which might. Semantics from iptables-extensions(8): --syn is SYN set with ACK, RST and
// FIN clear; multiport --ports matches either port; `eth+` matches every name starting with eth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuleArgs } from '../../../server/src/syntax/commandLine';
import { Ruleset, applyCommand } from '../../../server/src/model/ruleset';
import { ruleMatches, verdict, type Probe } from '../../../server/src/checks/lib/reach';

const newSsh: Probe = { proto: 'tcp', dport: 22, sport: 40000, state: 'NEW', loopback: false };
const estSsh: Probe = { ...newSsh, state: 'ESTABLISHED' };
const m = (args: string, p: Probe) => ruleMatches(parseRuleArgs(`-A INPUT ${args} -j ACCEPT`).command, p);

test('ports, protocols and states: yes, no or maybe', () => {
  assert.equal(m('-p tcp --dport 22', newSsh), 'yes');
  assert.equal(m('-p tcp --dport 1024:', newSsh), 'no');
  assert.equal(m('-p udp --dport 22', newSsh), 'no');
  assert.equal(m('-p tcp ! --dport 22', newSsh), 'no');
  assert.equal(m('-p tcp -m multiport --dports 80,22', newSsh), 'yes');
  assert.equal(m('-p tcp -m multiport --ports 40000', newSsh), 'yes');
  assert.equal(m('-m conntrack --ctstate ESTABLISHED,RELATED', newSsh), 'no');
  assert.equal(m('-m state --state EST', estSsh), 'yes'); // abbreviations are accepted
  assert.equal(m('-m recent --rcheck --name x', newSsh), 'maybe');
});

test('TCP flags: --syn is the opening segment only', () => {
  assert.equal(m('-p tcp --syn', newSsh), 'yes');
  assert.equal(m('-p tcp --syn', estSsh), 'no');
  assert.equal(m('-p tcp ! --syn', estSsh), 'yes');
  assert.equal(m('-p tcp --tcp-flags SYN,ACK SYN,ACK', estSsh), 'maybe');
});

test('addresses and interfaces from a remote host or over lo', () => {
  const lo: Probe = { ...newSsh, loopback: true };
  assert.equal(m('-s 203.0.113.5', newSsh), 'maybe');
  assert.equal(m('-s 127.0.0.1', newSsh), 'no');
  assert.equal(m('-s 0.0.0.0/0', newSsh), 'yes');
  assert.equal(m('-i lo', lo), 'yes');
  assert.equal(m('-i lo', newSsh), 'no');
  assert.equal(m('! -i lo', newSsh), 'yes');
  assert.equal(m('-i eth+', newSsh), 'maybe');
  assert.equal(m('-i eth+', lo), 'no');
  assert.equal(m('-f', newSsh), 'no');
});

test('verdicts follow jumps, RETURN and the policy; a maybe-rule never makes a verdict sure', () => {
  const rs = new Ruleset(4);
  for (const line of ['-P INPUT DROP', '-N ssh', '-A INPUT -p tcp --dport 22 -j ssh', '-A ssh -s 10.0.0.0/8 -j RETURN', '-A ssh -j ACCEPT']) applyCommand(rs, parseRuleArgs(line).command, []);
  assert.equal(verdict(rs, 'filter', 'INPUT', newSsh).verdict, 'maybe'); // from 10/8 it returns to the DROP policy
  assert.equal(verdict(rs, 'filter', 'INPUT', { ...newSsh, dport: 80 }).verdict, 'drop');
  applyCommand(rs, parseRuleArgs('-I ssh -j ACCEPT').command, []);
  assert.equal(verdict(rs, 'filter', 'INPUT', newSsh).verdict, 'accept');
});
