// IPT301-IPT304: exposure. Port counts follow iptables-extensions(8): `1024:` means 1024-65535,
// `:1023` means 0-1023; DNAT'ed packets traverse FORWARD, not INPUT (the netfilter hooks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, lineRange, lines1, lint, only, rangeOfText, save, script } from './helpers';

test('IPT301: an open-ended range is reported on the port word, with the number of ports and services inside', () => {
  const text = save('*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp -m tcp --dport 1024: -j ACCEPT', 'COMMIT');
  const [p] = only(lint(text).problems, 'IPT301');
  assert.deepEqual(p.range, rangeOfText(text, 3, '1024:'));
  assert.match(p.message.en, /64,512 ports/); // 65535 - 1024 + 1
  assert.match(p.message.en, /MySQL 3306/);
  assert.match(p.message.en, /PostgreSQL 5432/);
  assert.match(p.message.ja, /64,512 個のポート/);
});

test('IPT301: ranges under 1,000 ports, answers, outbound rules and loopback are not exposure', () => {
  const cases = [
    '-A INPUT -p tcp --dport 50000:50100 -j ACCEPT',
    '-A INPUT -p tcp --dport 1024:65535 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '-A INPUT -p udp --sport 53 --dport 1024:65535 -j ACCEPT',
    '-A INPUT -p tcp ! --syn --dport 1024: -j ACCEPT',
    '-A OUTPUT -p tcp --dport 1024:65535 -j ACCEPT',
    '-A INPUT -i lo -p tcp --dport 1:65535 -j ACCEPT',
  ];
  for (const c of cases) assert.deepEqual(lines1(lint(save('*filter', c, 'COMMIT')).problems, 'IPT301'), [], c);
  // 1,000 ports exactly is already broad; a negated single port leaves 65,535 open.
  assert.deepEqual(lines1(lint(save('*filter', '-A INPUT -p tcp --dport 2000:2999 -j ACCEPT', 'COMMIT')).problems, 'IPT301'), [2]);
  const neg = only(lint(save('*filter', '-A INPUT -p tcp ! --dport 22 -j ACCEPT', 'COMMIT')).problems, 'IPT301');
  assert.match(neg[0].message.en, /65,535 ports/);
});

test('IPT301: next to an FTP accept, the fixes narrow the range or use the FTP helper; both pass re-analysis', () => {
  const text = save('*filter', ':INPUT DROP [0:0]', '-A INPUT -s 203.0.113.5/32 -p tcp -m tcp --dport 21 -j ACCEPT', '-A INPUT -s 203.0.113.5/32 -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -s 203.0.113.5/32 -p tcp -m state --state NEW -m tcp --dport 1024: -j ACCEPT', 'COMMIT');
  const [p] = only(lint(text).problems, 'IPT301');
  assert.equal(p.fixes?.length, 2);
  const narrow = applyFix(text, p.fixes![0]);
  assert.match(narrow, /--dport 50000:50100 -j ACCEPT/);
  const helper = applyFix(text, p.fixes![1]);
  assert.equal(helper.split('\n')[4], '-A INPUT -s 203.0.113.5/32 -p tcp -m conntrack --ctstate RELATED -m helper --helper ftp -j ACCEPT');
  assert.match(helper, /\*raw\n-A PREROUTING -p tcp --dport 21 -j CT --helper ftp\nCOMMIT\n$/);
  for (const fixed of [narrow, helper]) {
    const a = lint(fixed);
    assert.deepEqual(lines1(a.problems, 'IPT301'), []);
    assert.deepEqual(a.problems.filter((x) => x.severity === 'error'), []);
  }
  // Without FTP in sight there is nothing safe to suggest.
  assert.deepEqual(only(lint(save('*filter', '-A INPUT -p tcp --dport 1024: -j ACCEPT', 'COMMIT')).problems, 'IPT301')[0].fixes, []);
});

test('IPT302: SSH and MySQL from anywhere, reported on the port; a source limit or trusted wide source is fine', () => {
  const text = save('*filter', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp -m multiport --dports 80,443,3306 -j ACCEPT', 'COMMIT');
  const p = only(lint(text).problems, 'IPT302');
  assert.deepEqual(p.map((x) => x.range), [rangeOfText(text, 2, '22'), rangeOfText(text, 3, '80,443,3306')]);
  assert.match(p[1].message.en, /MySQL \(tcp\/3306\)/);
  assert.doesNotMatch(p[1].message.en, /443/);
  const safe = [
    '-A INPUT -s 203.0.113.0/24 -p tcp --dport 22 -j ACCEPT',
    '-A INPUT -p tcp --dport 443 -j ACCEPT',
    '-A INPUT -i eth1 -p tcp --dport 3306 -j ACCEPT',
    '-A INPUT -p tcp --dport 22 -m conntrack --ctstate ESTABLISHED -j ACCEPT',
    '-A INPUT -p tcp --dport 22 -m recent --rcheck --name knock -j ACCEPT',
    '-A INPUT -p tcp --dport 3306 -j DROP',
  ];
  for (const c of safe) assert.deepEqual(lines1(lint(save('*filter', c, 'COMMIT')).problems, 'IPT302'), [], c);
  const wide = save('*filter', '-A INPUT -s 0.0.0.0/1 -p tcp --dport 22 -j ACCEPT', 'COMMIT');
  assert.deepEqual(lines1(lint(wide).problems, 'IPT302'), [2]);
  assert.deepEqual(lines1(lint(wide, { cfg: { trustedSources: ['0.0.0.0/1'] } }).problems, 'IPT302'), []);
});

test('IPT302: a user chain reached only from one interface is not "any address"', () => {
  const text = save('*filter', ':lan - [0:0]', '-A INPUT -i eth1 -j lan', '-A lan -p tcp --dport 22 -j ACCEPT', 'COMMIT');
  assert.deepEqual(lines1(lint(text).problems, 'IPT302'), []);
  const open = save('*filter', ':svc - [0:0]', '-A INPUT -j svc', '-A svc -p tcp --dport 22 -j ACCEPT', 'COMMIT');
  assert.deepEqual(lines1(lint(open).problems, 'IPT302'), [4]);
});

test('IPT302: along a chain of 300 jumps, one source limit anywhere on the way closes what the last chain accepts', () => {
  const chain = (limitAt: number) => {
    const lines = ['*filter', ...Array.from({ length: 300 }, (_, i) => `:C${i} - [0:0]`), '-A INPUT -j C0'];
    for (let i = 0; i < 299; i++) lines.push(`-A C${i} ${i === limitAt ? '-s 10.0.0.0/8 ' : ''}-j C${i + 1}`);
    lines.push('-A C299 -p tcp --dport 22 -j ACCEPT', 'COMMIT');
    return save(...lines);
  };
  assert.deepEqual(lines1(lint(chain(-1)).problems, 'IPT302'), [602]);
  assert.deepEqual(lines1(lint(chain(150)).problems, 'IPT302'), []);
  // A second way in, without a limit, opens it again.
  const twoWays = chain(150).replace('-A INPUT -j C0', '-A INPUT -j C0\n-A INPUT -j C299');
  assert.deepEqual(lines1(lint(twoWays).problems, 'IPT302'), [603]);
});

test('IPT303: an unconditional ACCEPT under a DROP policy; with conditions or an ACCEPT policy it is not reported', () => {
  const text = save('*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', '-A INPUT -i lo -j ACCEPT', '-A FORWARD -j ACCEPT', 'COMMIT');
  assert.deepEqual(only(lint(text).problems, 'IPT303').map((x) => x.range), [lineRange(text, 5)]);
  assert.deepEqual(lines1(lint(save('*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -j ACCEPT', 'COMMIT')).problems, 'IPT303'), []);
  assert.deepEqual(lines1(lint(save('*filter', ':OUTPUT DROP [0:0]', '-A OUTPUT -j ACCEPT', 'COMMIT')).problems, 'IPT303'), []);
  assert.deepEqual(lines1(lint(script('iptables -P INPUT DROP', 'if [ "$1" = open ]; then iptables -A INPUT -j ACCEPT; fi')).problems, 'IPT303'), []);
});

test('IPT304: a Docker-style DNAT of a port INPUT drops is reported on the target; FORWARD dropping it or DNAT to this host is fine', () => {
  const nat = ['*nat', ':PREROUTING ACCEPT [0:0]', ':DOCKER - [0:0]', '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80', 'COMMIT'];
  const text = save(...nat, '*filter', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT');
  const [p, ...rest] = only(lint(text).problems, 'IPT304');
  assert.equal(rest.length, 0);
  assert.deepEqual(p.range, { start: rangeOfText(text, 5, '-j').start, end: rangeOfText(text, 5, '172.17.0.2:80').end });
  assert.deepEqual(p.related?.[0].range, lineRange(text, 8));
  const fwdDrop = save(...nat, '*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', 'COMMIT');
  assert.deepEqual(lines1(lint(fwdDrop).problems, 'IPT304'), []);
  const inputOpen = save(...nat, '*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 8080 -j ACCEPT', 'COMMIT');
  assert.deepEqual(lines1(lint(inputOpen).problems, 'IPT304'), []);
  const local = save('*nat', '-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination :80', 'COMMIT', '*filter', ':INPUT DROP [0:0]', 'COMMIT');
  assert.deepEqual(lines1(lint(local).problems, 'IPT304'), []);
});
