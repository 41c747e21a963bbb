// Completion in context, from the words before the cursor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completion } from '../../../server/src/service/completion';
import { at } from './helpers';

const labels = (src: string, kind?: 'save' | 'shell') => {
  const { a, pos } = at(src, kind);
  return completion(a, pos, 'en').items.map((i) => i.label);
};
const SAVE = (line: string) => `*filter\n:INPUT DROP [0:0]\n:FOO - [0:0]\n${line}\nCOMMIT\n`;

test('chains after -A: the table\'s built-in chains and the user chains', () => {
  assert.deepEqual(labels(SAVE('-A <|>')).sort(), ['FOO', 'FORWARD', 'INPUT', 'OUTPUT']);
  // nat has PREROUTING, INPUT, OUTPUT, POSTROUTING (iptables(8), TABLES).
  assert.deepEqual(labels('#!/bin/sh\niptables -t nat -A <|>\n').sort(), ['INPUT', 'OUTPUT', 'POSTROUTING', 'PREROUTING']);
  // -P takes built-in chains only, then ACCEPT or DROP.
  assert.deepEqual(labels('#!/bin/sh\niptables -N X\niptables -P <|>\n').sort(), ['FORWARD', 'INPUT', 'OUTPUT']);
  assert.deepEqual(labels('#!/bin/sh\niptables -P INPUT <|>\n'), ['ACCEPT', 'DROP']);
});

test('tables after -t', () => {
  assert.deepEqual(labels('#!/bin/sh\niptables -t <|>\n').sort(), ['filter', 'mangle', 'nat', 'raw', 'security']);
});

test('targets and user chains after -j, only targets valid in the table', () => {
  const l = labels(SAVE('-A INPUT -j <|>'));
  for (const x of ['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'LOG', 'FOO']) assert.ok(l.includes(x), x);
  assert.ok(!l.includes('MASQUERADE'), 'MASQUERADE is valid only in nat');
  assert.ok(labels('#!/bin/sh\niptables -t nat -A POSTROUTING -j <|>\n').includes('MASQUERADE'));
  // A half-typed target is still completed as a target.
  assert.ok(labels(SAVE('-A INPUT -j AC<|>')).includes('ACCEPT'));
});

test('modules after -m; their options once loaded; protocol options after -p', () => {
  const m = labels(SAVE('-A INPUT -m <|>'));
  for (const x of ['conntrack', 'multiport', 'limit', 'comment']) assert.ok(m.includes(x), x);
  const tcp = labels(SAVE('-A INPUT -p tcp --<|>'));
  for (const x of ['--dport', '--sport', '--tcp-flags', '--syn']) assert.ok(tcp.includes(x), x);
  assert.ok(!labels(SAVE('-A INPUT --<|>')).includes('--dport'), '--dport needs -p tcp first');
  assert.ok(labels(SAVE('-A INPUT -m conntrack --<|>')).includes('--ctstate'));
  // -p is given already: not offered again.
  assert.ok(!labels(SAVE('-A INPUT -p tcp -<|>')).includes('-p'));
});

test('state names after --state / --ctstate, also after a comma', () => {
  // state accepts INVALID, NEW, RELATED, ESTABLISHED, UNTRACKED (iptables-extensions(8), state).
  assert.deepEqual(labels(SAVE('-A INPUT -m state --state <|>')).sort(), ['ESTABLISHED', 'INVALID', 'NEW', 'RELATED', 'UNTRACKED']);
  const { a, pos } = at(SAVE('-A INPUT -m conntrack --ctstate NEW,<|>'));
  const items = completion(a, pos, 'en').items;
  assert.ok(items.some((i) => i.label === 'SNAT')); // conntrack also has SNAT and DNAT
  const edit = items[0].textEdit as { range: { start: { character: number } } };
  assert.equal(edit.range.start.character, pos.character, 'replaces only the item after the comma');
});

test('protocols after -p, well-known ports after --dport, option values', () => {
  const p = labels('#!/bin/sh\niptables -A INPUT -p <|>\n');
  for (const x of ['tcp', 'udp', 'icmp', 'all']) assert.ok(p.includes(x), x);
  const { a, pos } = at(SAVE('-A INPUT -p tcp --dport <|>'));
  const ssh = completion(a, pos, 'en').items.find((i) => i.label === '22');
  assert.equal(ssh?.detail, 'tcp/ssh');
  assert.ok(labels(SAVE('-A INPUT -j LOG --log-level <|>')).includes('warning'));
});

test('commands at the start of an iptables call; save-file line starts', () => {
  const l = labels('#!/bin/sh\niptables <|>\n');
  for (const x of ['-A', '-I', '-N', '-P']) assert.ok(l.includes(x), x);
  assert.deepEqual(labels('<|>\n*filter\nCOMMIT\n', 'save').slice(0, 2), ['*filter', '*nat']);
  assert.ok(labels(SAVE('<|>')).includes('COMMIT'));
});

test('items carry their documentation', () => {
  const { a, pos } = at(SAVE('-A INPUT -m <|>'));
  const item = completion(a, pos, 'en').items.find((i) => i.label === 'conntrack');
  assert.match((item?.documentation as { value: string }).value, /connection/i);
});

test('scripts: only on iptables command lines; $ offers variables', () => {
  assert.deepEqual(labels('#!/bin/sh\niptables -A INPUT\necho -<|>\n'), []);
  assert.deepEqual(labels('#!/bin/sh\nNET=10.0.0.0/8\niptables -A INPUT -s $<|>\n'), ['$NET']);
});

test('with itemDefaults.editRange the items carry no edit of their own', () => {
  const { a, pos } = at(SAVE('-A INPUT -j <|>'));
  const list = completion(a, pos, 'en', { editRangeDefault: true });
  assert.deepEqual(list.itemDefaults?.editRange, { start: pos, end: pos });
  assert.ok(list.items.every((i) => i.textEdit === undefined));
  const opts = completion(a, { line: 3, character: 10 }, 'en', { editRangeDefault: true });
  assert.equal(opts.items.find((i) => i.label === '-p')?.textEditText, '-p ');
});
