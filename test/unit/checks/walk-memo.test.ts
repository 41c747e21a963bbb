// IPT201 keeps each chain's walk between commands (checks/lib/walk-memo.ts). Whatever a script
// does to its chains (append, insert, replace, delete, flush, rename, delete chains, policies,
// jumps, gotos, loops), the kept walk must give the answer a walk from scratch gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRuleArgs } from '../../../server/src/syntax/commandLine';
import { Rule, Ruleset, applyCommand } from '../../../server/src/model/ruleset';
import { verdict, type Probe } from '../../../server/src/checks/lib/reach';
import { WalkMemo } from '../../../server/src/checks/lib/walk-memo';
import { analyze } from '../../../server/src/engine';

const CHAINS = ['INPUT', 'A', 'B', 'C'];
const USER = ['A', 'B', 'C'];
const MATCHES = ['', '-p tcp --dport 22', '-p tcp --dport 80', '-p udp', '-s 10.0.0.0/8', '-m conntrack --ctstate ESTABLISHED', '-i lo', '! -p tcp'];
const TARGETS = ['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'LOG', 'A', 'B', 'C'];

const rule = fc.tuple(fc.constantFrom(...MATCHES), fc.constantFrom(...TARGETS), fc.boolean()).map(([m, t, g]) => `${m} ${g && USER.includes(t) ? '-g' : '-j'} ${t}`);
const command = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...CHAINS), rule).map(([c, r]) => `-A ${c} ${r}`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...CHAINS), fc.integer({ min: 1, max: 3 }), rule).map(([c, n, r]) => `-I ${c} ${n} ${r}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...CHAINS), fc.integer({ min: 1, max: 3 }), rule).map(([c, n, r]) => `-R ${c} ${n} ${r}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...CHAINS), fc.integer({ min: 1, max: 3 })).map(([c, n]) => `-D ${c} ${n}`) },
  { weight: 1, arbitrary: fc.constantFrom(...USER).map((c) => `-N ${c}`) },
  { weight: 1, arbitrary: fc.option(fc.constantFrom(...CHAINS)).map((c) => (c ? `-F ${c}` : '-F')) },
  { weight: 1, arbitrary: fc.option(fc.constantFrom(...USER)).map((c) => (c ? `-X ${c}` : '-X')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...USER), fc.constantFrom(...USER)).map(([a, b]) => `-E ${a} ${b}`) },
  { weight: 1, arbitrary: fc.constantFrom('ACCEPT', 'DROP').map((p) => `-P INPUT ${p}`) },
  { weight: 1, arbitrary: fc.constantFrom(...USER).map((c) => `-t nat -N ${c}`) },
);

const PROBES: Probe[] = [
  { proto: 'tcp', dport: 22, state: 'ESTABLISHED', loopback: false },
  { proto: 'tcp', dport: 80, state: 'NEW', loopback: false },
  { proto: 'udp', dport: 53, state: 'NEW', loopback: true },
];

test('a kept walk answers as a walk from scratch after every command of random scripts', () => {
  fc.assert(
    fc.property(fc.array(command, { minLength: 1, maxLength: 40, size: 'max' }), (script) => {
      for (const probe of PROBES) {
        const rs = new Ruleset(4);
        const memo = new WalkMemo('filter');
        for (const [k, line] of ['-N A', '-N B', '-N C', ...script].entries()) {
          const cmd = parseRuleArgs(line).command;
          applyCommand(rs, cmd, []);
          memo.after(cmd);
          const kept = verdict(rs, 'filter', 'INPUT', probe, memo);
          const scratch = verdict(rs, 'filter', 'INPUT', probe);
          assert.equal(kept.verdict, scratch.verdict, `after command ${k} (${line})`);
          assert.equal(kept.decidedBy, scratch.decidedBy, `decided by, after command ${k} (${line})`);
        }
      }
    }),
    { numRuns: 1500, includeErrorInReport: true },
  );
});

test('IPT201 on a script of 3,000 user chains still finds the lock-out, and the rule that ends it', () => {
  const lines = ['#!/bin/sh', 'iptables -P INPUT DROP'];
  for (let i = 0; i < 3000; i++) lines.push(`iptables -N C${i}`, `iptables -A C${i} -s 10.${(i >> 8) & 255}.${i & 255}.1 -j DROP`, `iptables -A INPUT -j C${i}`);
  lines.push('iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  const found = analyze(lines.join('\n'), { kind: 'shell' }).problems.filter((p) => p.code === 'IPT201');
  assert.equal(found.length, 1);
  assert.equal(found[0].range.start.line, 1); // the -P INPUT DROP
  assert.match(found[0].message.en, /line 9003\b/);
});

test('jump loops and deep nesting answer "maybe" at once; two jumps per level do not double the work per level', () => {
  const probe = PROBES[0];
  const build = (lines: string[]) => {
    const rs = new Ruleset(4);
    for (const l of lines) applyCommand(rs, parseRuleArgs(l).command, []);
    return rs;
  };
  // A <-> B, each jumping twice. The model refuses the jump from INPUT into the loop (IPT121), as
  // iptables does; put it in directly: the walk must neither hang nor claim a verdict.
  const loop = build(['-N A', '-N B', '-A A -j B', '-A A -j B', '-A B -j A', '-A B -j A', '-P INPUT DROP']);
  loop.table('filter').chains.get('INPUT')!.rules.push(new Rule(parseRuleArgs('-A INPUT -j A').command, {}, false));
  assert.equal(verdict(loop, 'filter', 'INPUT', probe).verdict, 'maybe');
  // A loop the packet never enters does not matter.
  const aside = build(['-N A', '-N B', '-A A -j B', '-A B -j A', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -j A']);
  assert.equal(verdict(aside, 'filter', 'INPUT', probe).verdict, 'accept');
  // 30 levels, each jumping twice to the next; the last drops: 2^30 paths, one walk per chain.
  const levels = ['-P INPUT ACCEPT'];
  for (let i = 0; i < 30; i++) levels.push(`-N L${i}`);
  for (let i = 0; i < 29; i++) levels.push(`-A L${i} -j L${i + 1}`, `-A L${i} -j L${i + 1}`);
  levels.push('-A L29 -j DROP', '-A INPUT -j L0');
  assert.equal(verdict(build(levels), 'filter', 'INPUT', probe).verdict, 'drop');
  // Nesting deeper than 32 chains is treated like a loop: no claim.
  const deep = ['-P INPUT ACCEPT'];
  for (let i = 0; i < 40; i++) deep.push(`-N D${i}`);
  for (let i = 0; i < 39; i++) deep.push(`-A D${i} -j D${i + 1}`);
  deep.push('-A D39 -j DROP', '-A INPUT -j D0');
  assert.equal(verdict(build(deep), 'filter', 'INPUT', probe).verdict, 'maybe');
});