// Outline and folding ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { documentSymbols, foldingRanges } from '../../../server/src/service/symbols';
import { at } from './helpers';

const SAVE = '# one\n# two\n*filter\n:INPUT DROP [0:0]\n:FOO - [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j FOO\n-A FOO -j RETURN\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n';

test('save file outline: table -> chain -> rules, ranges inside their parents', () => {
  const { a } = at(SAVE);
  const syms = documentSymbols(a);
  assert.deepEqual(syms.map((s) => s.name), ['filter', 'nat']);
  const filter = syms[0];
  assert.deepEqual(filter.children!.map((c) => c.name), ['INPUT', 'FOO']);
  assert.deepEqual(filter.children![0].children!.map((r) => r.name), ['-p tcp --dport 22 -j ACCEPT', '-j FOO']);
  assert.deepEqual({ start: filter.range.start.line, end: filter.range.end.line }, { start: 2, end: 8 });
  for (const c of filter.children!) {
    assert.ok(c.range.start.line >= filter.range.start.line && c.range.end.line <= filter.range.end.line);
    for (const r of c.children!) assert.ok(r.range.start.line >= c.range.start.line && r.range.end.line <= c.range.end.line);
  }
});

test('script outline comes from the ruleset, with the ranges of the commands', () => {
  const { a } = at('#!/bin/sh\niptables -P INPUT DROP\niptables -N WEB\niptables -A INPUT -p tcp --dport 80 -j WEB\niptables -A WEB -j ACCEPT\nip6tables -A INPUT -j DROP\nsetup() {\n  true\n}\n');
  const syms = documentSymbols(a);
  assert.deepEqual(syms.map((s) => s.name), ['filter (IPv4)', 'filter (IPv6)', 'setup()']);
  const input = syms[0].children!.find((c) => c.name === 'INPUT')!;
  assert.equal(input.detail, 'DROP');
  assert.equal(input.children![0].range.start.line, 3);
  assert.equal(input.children![0].name, '-A INPUT -p tcp -m tcp --dport 80 -j WEB');
});

test('folding: table blocks and comment runs', () => {
  const { a } = at(SAVE);
  const f = foldingRanges(a).map((r) => [r.startLine, r.endLine, r.kind]);
  assert.deepEqual(f, [[0, 1, 'comment'], [2, 8, 'region'], [9, 11, 'region']]);
});

test('a shell script without iptables has no outline', () => {
  const { a } = at('#!/bin/sh\necho hi\n');
  assert.deepEqual(documentSymbols(a), []);
});

test('a script making more than 5,000 rules: the outline lists its chains with their rule counts', () => {
  const blocks = Array.from({ length: 6000 }, (_, i) => `iptables -A INPUT -s 10.1.${i >> 8}.${i & 255} -j DROP`).join('\n');
  const syms = documentSymbols(at(`#!/bin/sh\niptables -P INPUT DROP\n${blocks}\niptables -A OUTPUT -j ACCEPT\n`).a);
  const chains = syms[0].children!;
  assert.deepEqual(chains.map((c) => [c.name, c.detail, c.children?.length]), [['INPUT', 'DROP · 6000 rules', 0], ['OUTPUT', 'ACCEPT · 1 rule', 0]]);
  assert.equal(chains[0].range.end.line, 6001);
});

