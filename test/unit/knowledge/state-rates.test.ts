// rates.ts and conntrack-states.ts on their own. Every expected text below was printed by the
// real iptables 1.8.9 (`iptables -A INPUT -m limit --limit R; iptables-save` in a namespace).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  HASHLIMIT_SCALE, LIMIT_SCALE, formatByteRate, formatRate, parseByteRate, parseRate, rateQuantumMs,
} from '../../../server/src/knowledge/rates';
import { formatStates, formatStatuses, parseCtStates, parseCtStatuses, parseStateMatchStates, stateDoc } from '../../../server/src/knowledge/conntrack-states';
import { quoteSaveString } from '../../../server/src/knowledge/save-helpers';
import { parseRuleArgs } from '../../../server/src/syntax/commandLine';

const LIMIT: [string, string][] = [
  ['1/s', '1/sec'], ['13/s', '13/sec'], ['120/min', '2/sec'], ['30/min', '30/min'], ['7/min', '7/min'], ['61/min', '61/min'],
  ['3600/hour', '1/sec'], ['7200/hour', '2/sec'], ['90/hour', '90/hour'], ['3/hour', '3/hour'], ['25/hour', '25/hour'],
  ['1/day', '1/day'], ['24/day', '1/hour'], ['48/day', '2/hour'], ['1440/day', '1/min'], ['86400/day', '1/sec'],
  ['100000/day', '100000/day'], ['999/s', '1000/sec'], ['9999/s', '10000/sec'], ['10000/s', '10000/sec'], ['47/day', '47/day'],
  ['3x/se', '3/sec'], ['3/m', '3/min'], ['2/d', '2/day'], ['+3/m', '3/min'],
];
// hashlimit keeps 100 times finer periods: 999/s stays 999/sec there.
const HASHLIMIT: [string, string][] = [
  ['999/s', '999/sec'], ['9999/s', '10000/sec'], ['120/min', '2/sec'], ['24/day', '1/hour'], ['1000000/s', '1000000/sec'], ['3/day', '3/day'],
];
const BYTES: [string, string][] = [
  ['1b/s', '0b/s'], ['17b/s', '16b/s'], ['100b/s', '96b/s'], ['1000b/s', '992b/s'], ['1kb/s', '1kb/s'], ['1023kb/s', '1023kb/s'],
  ['1024kb/s', '1mb/s'], ['1000mb/s', '1008mb/s'], ['4000mb/s', '4095mb/s'], ['5000mb/s', '5286113568b/s'], ['123456b/s', '123456b/s'],
];

describe('rates', () => {
  it('limit rates come back in the unit iptables-save picks', () => {
    for (const [text, printed] of LIMIT) {
      const r = parseRate(text, LIMIT_SCALE, 'limit');
      assert.ok(r.ok, text);
      assert.equal(formatRate(r.value.period, LIMIT_SCALE), printed, text);
    }
  });
  it('hashlimit rates use the finer 1/1000000 s scale', () => {
    for (const [text, printed] of HASHLIMIT) {
      const r = parseRate(text, HASHLIMIT_SCALE, 'hashlimit-upto');
      assert.ok(r.ok, text);
      assert.equal(formatRate(r.value.period, HASHLIMIT_SCALE), printed, text);
    }
  });
  it('refuses what iptables refuses', () => {
    for (const bad of ['/s', '5/', '5/seconds', '0/s', 'abc', '10001/s']) assert.equal(parseRate(bad, LIMIT_SCALE, 'limit').ok, false, bad);
    assert.equal(parseRate('1000001/s', HASHLIMIT_SCALE, 'x').ok, false);
    assert.equal(parseRate('10000/s', LIMIT_SCALE, 'x').ok, true);
  });
  it('byte rates of hashlimit round through the kernel cost like iptables', () => {
    for (const [text, printed] of BYTES) {
      const r = parseByteRate(text, 'hashlimit-upto');
      assert.ok(r?.ok, text);
      assert.equal(formatByteRate(r.value.cost), printed, text);
    }
    assert.equal(parseByteRate('10/sec', 'x'), undefined);
  });
  it('the default expiry is one unit of the printed rate', () => {
    const r = parseRate('120/min', HASHLIMIT_SCALE, 'x');
    assert.ok(r.ok);
    assert.equal(rateQuantumMs(r.value.period, HASHLIMIT_SCALE), 1000);
  });
  it('hashlimit: a burst of 5 overflows the kernel credits at 1/day and 3/day, not at 10/day', () => {
    const ok = (rule: string) => !parseRuleArgs(`-A INPUT -m hashlimit ${rule} --hashlimit-name x`, {}).problems.some((p) => p.severity === 'error');
    assert.equal(ok('--hashlimit-upto 1/day --hashlimit-burst 1'), true);
    assert.equal(ok('--hashlimit-upto 1/day'), false);
    assert.equal(ok('--hashlimit-upto 3/day --hashlimit-burst 5'), false);
    assert.equal(ok('--hashlimit-upto 10/day --hashlimit-burst 100'), true);
    assert.equal(ok('--hashlimit-upto 1/day --hashlimit-rate-match'), true);
  });
});

describe('conntrack states', () => {
  it('reads abbreviations in any case and prints in a fixed order', () => {
    const r = parseCtStates('e,R,new');
    assert.ok(r.ok);
    assert.equal(formatStates(r.value), 'NEW,RELATED,ESTABLISHED');
    const all = parseCtStates('DNAT,SNAT,UNTRACKED,ESTABLISHED,RELATED,NEW,INVALID');
    assert.ok(all.ok);
    assert.equal(formatStates(all.value), 'INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,SNAT,DNAT');
  });
  it('refuses empty items, unknown names and (for -m state) the NAT states', () => {
    for (const bad of ['', 'NEW,', ',NEW', 'wrong', 'NEWX']) assert.equal(parseCtStates(bad).ok, false, bad);
    assert.equal(parseStateMatchStates('SNAT').ok, false);
    assert.equal(parseStateMatchStates('untracked').ok, true);
  });
  it('statuses: NONE alone stands for no flag', () => {
    const none = parseCtStatuses('none');
    assert.ok(none.ok);
    assert.equal(formatStatuses(none.value), 'NONE');
    const two = parseCtStatuses('NONE,ASSURED');
    assert.ok(two.ok);
    assert.equal(formatStatuses(two.value), 'ASSURED');
  });
  it('has docs in both languages for hovers', () => {
    assert.match(stateDoc('established')!.en, /both directions/);
    assert.match(stateDoc('NEW')!.ja, /接続/);
    assert.equal(stateDoc('BOGUS'), undefined);
  });
});

describe('quoteSaveString (xtables_save_string)', () => {
  it('prints plain words bare and quotes the rest', () => {
    assert.equal(quoteSaveString('foo'), 'foo');
    assert.equal(quoteSaveString('a_b-C9'), 'a_b-C9');
    assert.equal(quoteSaveString(''), '""');
    assert.equal(quoteSaveString('a.b'), '"a.b"');
    assert.equal(quoteSaveString('hello world'), '"hello world"');
    assert.equal(quoteSaveString('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(quoteSaveString("it's"), '"it\\\'s"');
    assert.equal(quoteSaveString('$x'), '"$x"');
  });
});
