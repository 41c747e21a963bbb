// Definition, references, highlights and rename of user chains and shell variables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definition, highlights, prepareRename, references, rename } from '../../../server/src/service/navigation';
import { applyEdits, at } from './helpers';

const SAVE = '*filter\n:INPUT DROP [0:0]\n:FOO - [0:0]\n-A INPUT -j F<|>OO\n-A FOO -j RETURN\nCOMMIT\n*nat\n:FOO - [0:0]\nCOMMIT\n';

test('save file: definition is the :FOO line of the same table, references every use', () => {
  const { a, pos } = at(SAVE);
  assert.deepEqual(definition(a, 'u', pos).map((l) => l.range.start), [{ line: 2, character: 1 }]);
  const refs = references(a, 'u', pos, true).map((l) => l.range.start.line);
  assert.deepEqual(refs, [2, 3, 4]); // not the nat table's FOO on line 7
  assert.deepEqual(references(a, 'u', pos, false).map((l) => l.range.start.line), [3, 4]);
  assert.deepEqual(highlights(a, pos).map((h) => h.kind), [3, 2, 2]); // Write for the declaration, Read for uses
});

test('save file: rename edits every occurrence in the table and nothing else', () => {
  const { a, pos, text } = at(SAVE);
  const edit = rename(a, 'u', pos, 'BAR');
  assert.ok(edit && !('error' in edit));
  assert.equal(applyEdits(text, edit.changes!.u), '*filter\n:INPUT DROP [0:0]\n:BAR - [0:0]\n-A INPUT -j BAR\n-A BAR -j RETURN\nCOMMIT\n*nat\n:FOO - [0:0]\nCOMMIT\n');
});

test('script: -N is the definition; quoted uses are renamed inside the quotes; expansions are left alone', () => {
  const src = '#!/bin/sh\nC=LOGDROP\niptables -N LOGDROP\niptables -A INPUT -j "LOG<|>DROP"\niptables -A LOGDROP -j DROP\niptables -A OUTPUT -j $C\n';
  const { a, pos, text } = at(src);
  assert.deepEqual(definition(a, 'u', pos).map((l) => l.range.start.line), [2]);
  assert.deepEqual(references(a, 'u', pos, true).map((l) => l.range.start.line), [2, 3, 4, 5]);
  const edit = rename(a, 'u', pos, 'LOG_AND_DROP');
  assert.ok(edit && !('error' in edit));
  assert.equal(applyEdits(text, edit.changes!.u), '#!/bin/sh\nC=LOGDROP\niptables -N LOG_AND_DROP\niptables -A INPUT -j "LOG_AND_DROP"\niptables -A LOG_AND_DROP -j DROP\niptables -A OUTPUT -j $C\n');
});

test('iptables and ip6tables chains of the same name are different chains', () => {
  const { a, pos } = at('#!/bin/sh\niptables -N X\nip6tables -N X\niptables -A INPUT -j <|>X\n');
  assert.deepEqual(references(a, 'u', pos, true).map((l) => l.range.start.line), [1, 3]);
});

test('shell variables: definition, references, rename of $X and ${X}', () => {
  const src = '#!/bin/sh\nNET=10.0.0.0/8\niptables -A INPUT -s $N<|>ET -j ACCEPT\niptables -A INPUT -d ${NET} -j ACCEPT\n';
  const { a, pos, text } = at(src);
  assert.deepEqual(definition(a, 'u', pos).map((l) => l.range), [{ start: { line: 1, character: 0 }, end: { line: 1, character: 3 } }]);
  assert.equal(references(a, 'u', pos, true).length, 3);
  const edit = rename(a, 'u', pos, 'TRUSTED');
  assert.ok(edit && !('error' in edit));
  assert.equal(applyEdits(text, edit.changes!.u), '#!/bin/sh\nTRUSTED=10.0.0.0/8\niptables -A INPUT -s $TRUSTED -j ACCEPT\niptables -A INPUT -d ${TRUSTED} -j ACCEPT\n');
});

test('rename refuses built-in chains, target names, over-long names and clashes', () => {
  const { a, pos } = at('*filter\n:FOO - [0:0]\n:BAR - [0:0]\n-A IN<|>PUT -j FOO\n-A FOO -j BAR\nCOMMIT\n');
  assert.ok(prepareRename(a, pos) && 'error' in prepareRename(a, pos)!);
  const foo = at('*filter\n:FOO - [0:0]\n:BAR - [0:0]\n-A INPUT -j F<|>OO\n-A FOO -j BAR\nCOMMIT\n');
  assert.deepEqual(prepareRename(foo.a, foo.pos), { range: { start: { line: 3, character: 12 }, end: { line: 3, character: 15 } }, placeholder: 'FOO' });
  assert.ok('error' in (rename(foo.a, 'u', foo.pos, 'ACCEPT') as object));
  assert.ok('error' in (rename(foo.a, 'u', foo.pos, 'LOG') as object));
  assert.ok('error' in (rename(foo.a, 'u', foo.pos, 'X'.repeat(29)) as object)); // iptables: chain name must be under 29 chars
  assert.ok('error' in (rename(foo.a, 'u', foo.pos, 'BAR') as object));
});
