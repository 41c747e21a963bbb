// Hover texts: expected facts come from the man pages, /etc/services, /etc/protocols and arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hover } from '../../../server/src/service/hover';
import { at } from './helpers';

const md = (src: string, lang: 'en' | 'ja' = 'en', kind?: 'save' | 'shell') => {
  const { a, pos } = at(src, kind);
  const h = hover(a, pos, lang);
  return h ? (h.contents as { value: string }).value : undefined;
};
const SAVE = (rule: string) => `*filter\n:INPUT DROP [0:0]\n:FOO - [0:0]\n${rule}\n-A FOO -j RETURN\nCOMMIT\n`;

test('a command word explains the command (iptables(8): -A appends)', () => {
  const h = md('#!/bin/sh\niptables -<|>A INPUT -j DROP\n');
  assert.match(h!, /--append/);
  assert.match(h!, /end of the chain/);
});

test('a built-in chain says what traffic passes and its policy in this ruleset', () => {
  const h = md(SAVE('-A IN<|>PUT -j FOO'));
  assert.match(h!, /addressed to this host/);
  assert.match(h!, /Policy: \*\*DROP\*\* \(line 2\)/);
  assert.match(h!, /1 rule/);
});

test('a user chain says where it was created, how many rules, who jumps to it', () => {
  const h = md(SAVE('-A INPUT -j F<|>OO'));
  assert.match(h!, /created on line 3/);
  assert.match(h!, /1 rule/);
  assert.match(h!, /jumped to from line 4/);
});

test('ports show the /etc/services name; open ranges their size', () => {
  assert.match(md(SAVE('-A INPUT -p tcp --dport 2<|>2 -j ACCEPT'))!, /tcp\/ssh/);
  assert.match(md(SAVE('-A INPUT -p udp --dport 5<|>3 -j ACCEPT'))!, /udp\/domain/);
  // 1024..65535 inclusive is 64512 ports.
  assert.match(md(SAVE('-A INPUT -p tcp --dport 10<|>24: -j ACCEPT'))!, /64,512 ports/);
  assert.match(md(SAVE('-A INPUT -p tcp -m multiport --dports 80,44<|>3 -j ACCEPT'))!, /tcp\/https/);
});

test('addresses show first and last address and the size', () => {
  const h = md(SAVE('-A INPUT -s 10.0.0.0<|>/8 -j ACCEPT'))!;
  assert.match(h, /10\.0\.0\.0 – 10\.255\.255\.255/);
  assert.match(h, /16,777,216 addresses/);
  // Host bits set: iptables loads the network 192.168.1.0/24 (iptables-save prints it so).
  assert.match(md(SAVE('-A INPUT -d 192.168.1.7/2<|>4 -j ACCEPT'))!, /= `192\.168\.1\.0\/24`/);
  assert.match(md('#!/bin/sh\nip6tables -A INPUT -s 2001:db8::/3<|>2 -j DROP\n')!, /2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, 2\^96 addresses/);
});

test('a long address list: the first 20 described, the rest counted (a 10 MB list made a 35 MB hover)', () => {
  const list = Array.from({ length: 25 }, (_, i) => `10.0.0.${i + 1}`).join(',');
  const h = md(`#!/bin/sh\niptables -A INPUT -s 10.0.<|>${list.slice(5)} -j DROP\n`)!;
  assert.equal((h.match(/^- /gm) ?? []).length, 21);
  assert.match(h, /10\.0\.0\.20/);
  assert.doesNotMatch(h, /10\.0\.0\.21`/);
  assert.match(h, /… and 5 more: 25 addresses, one rule each/);
  assert.match(md(`#!/bin/sh\niptables -A INPUT -s 10.0.<|>${list.slice(5)} -j DROP\n`, 'ja')!, /ほか 5 個：全部で 25 個のアドレス/);
});

test('modules, their options, states, protocols, tables and verdicts have docs', () => {
  assert.match(md(SAVE('-A INPUT -m conn<|>track --ctstate NEW -j ACCEPT'))!, /\*\*conntrack\*\* — match extension/);
  assert.match(md(SAVE('-A INPUT -m state --st<|>ate NEW -j ACCEPT'))!, /--state/);
  assert.match(md(SAVE('-A INPUT -m state --state NEW,ESTAB<|>LISHED -j ACCEPT'))!, /\*\*NEW\*\*[\s\S]*\*\*ESTABLISHED\*\*/);
  assert.match(md(SAVE('-A INPUT -m st<|>ate --state NEW -j ACCEPT'))!, /conntrack/); // deprecated in favour of conntrack
  assert.match(md(SAVE('-A INPUT -p ud<|>p -j ACCEPT'))!, /IP protocol 17/); // /etc/protocols: udp 17
  assert.match(md('#!/bin/sh\niptables -t n<|>at -A POSTROUTING -j MASQUERADE\n')!, /PREROUTING.*POSTROUTING/);
  assert.match(md(SAVE('-A INPUT -j ACC<|>EPT'))!, /verdict/);
  assert.match(md(SAVE('-A INPUT -j LO<|>G --log-prefix x'))!, /kernel log/);
});

test('shell variables show value and where they are set', () => {
  const h = md('#!/bin/sh\nTrustIP=10.1.2.0/24\niptables -A INPUT -s $Tru<|>stIP -j ACCEPT\n')!;
  assert.match(h, /\$TrustIP\*\* = `10\.1\.2\.0\/24`/);
  assert.match(h, /line 2/);
});

test('diagnostics under the cursor are part of the hover', () => {
  const h = md(SAVE('-A INPUT -p tcp --dport 22 -j NOSU<|>CH'))!;
  assert.match(h, /IPT108/);
});

test('Japanese when the client asked for it', () => {
  const h = md(SAVE('-A INPUT -j F<|>OO'), 'ja')!;
  assert.match(h, /ユーザー定義チェイン/);
  assert.match(h, /3 行目で作成/);
});

test('nothing for a shell script without iptables, or for blank space', () => {
  assert.equal(md('#!/bin/sh\necho hel<|>lo\n'), undefined);
  assert.equal(md(SAVE('-A INPUT -j ACCEPT   <|>')), undefined);
});
