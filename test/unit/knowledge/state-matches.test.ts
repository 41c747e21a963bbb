// The state and metadata match modules (conntrack, limit, hashlimit, recent, time, owner...)
// checked through the real command-line parser and printer against what iptables 1.8.9 itself
// accepts and prints (expectations recorded from the binary, see state-binary-cases.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRuleArgs } from '../../../server/src/syntax/commandLine';
import { formatRule } from '../../../server/src/model/printer';
import { findMatch } from '../../../server/src/knowledge/registry';
import { BINARY_CASES } from './state-binary-cases';

/** Parse `-A CHAIN rule` and return the save line, or null when we report an error. */
function save(rule: string, opts: { family?: 4 | 6; table?: string; chain?: string } = {}): string | null {
  const { command, problems } = parseRuleArgs(`-A ${opts.chain ?? 'INPUT'} ${rule}`, { family: opts.family ?? 4, table: opts.table ?? 'filter' });
  return problems.some((p) => p.severity === 'error') ? null : formatRule(command);
}

function errors(rule: string, opts: { family?: 4 | 6; table?: string; chain?: string } = {}): string[] {
  const { problems } = parseRuleArgs(`-A ${opts.chain ?? 'INPUT'} ${rule}`, { family: opts.family ?? 4, table: opts.table ?? 'filter' });
  return problems.filter((p) => p.severity === 'error').map((p) => p.message.en);
}

describe('state/metadata matches agree with the real iptables 1.8.9', () => {
  for (const group of BINARY_CASES) {
    it(`${group.cases.length} rules in ${group.table} ${group.chain} (IPv${group.family})`, () => {
      const wrong: string[] = [];
      for (const [rule, expected] of group.cases) {
        const got = save(rule, group);
        if (got !== expected) wrong.push(`${rule}\n  iptables: ${expected ?? 'rejects'}\n  ours:     ${got ?? 'rejects: ' + errors(rule, group).join('; ')}`);
      }
      assert.deepEqual(wrong, []);
    });
  }
});

describe('conntrack and state', () => {
  it('prints states in iptables order whatever the input order and case', () => {
    assert.equal(save('-m conntrack --ctstate established,related,new'), '-A INPUT -m conntrack --ctstate NEW,RELATED,ESTABLISHED');
    assert.equal(save('-m state --state INVALID,UNTRACKED'), '-A INPUT -m state --state INVALID,UNTRACKED');
  });
  it('accepts SNAT/DNAT in --ctstate only', () => {
    assert.equal(save('-m conntrack --ctstate DNAT'), '-A INPUT -m conntrack --ctstate DNAT');
    assert.equal(save('-m state --state DNAT'), null);
  });
  it('marks state as deprecated in favour of conntrack', () => {
    assert.equal(findMatch('state', 4)?.deprecatedBy, 'conntrack');
  });
  it('rejects an IPv4 address under ip6tables, as ip6tables does', () => {
    assert.equal(save('-m conntrack --ctorigsrc 1.1.1.1', { family: 6 }), null);
  });
});

describe('comment', () => {
  it('keeps 255 bytes and silently drops the rest (iptables does not reject it)', () => {
    const long = 'x'.repeat(300);
    assert.equal(save(`-m comment --comment ${long}`), `-A INPUT -m comment --comment ${'x'.repeat(255)}`);
    assert.equal(save(`-m comment --comment ${'x'.repeat(255)}`), `-A INPUT -m comment --comment ${'x'.repeat(255)}`);
  });
  it('counts bytes, not characters: 85 Japanese characters fit, the 86th is cut', () => {
    assert.equal(save(`-m comment --comment ${'日'.repeat(86)}`), `-A INPUT -m comment --comment "${'日'.repeat(85)}"`);
  });
  it('quotes like xtables_save_string: bare word, or double quotes with \\ " \' escaped', () => {
    assert.equal(save('-m comment --comment a_b-C9'), '-A INPUT -m comment --comment a_b-C9');
    assert.equal(save('-m comment --comment "it\'s"'), '-A INPUT -m comment --comment "it\\\'s"');
    assert.equal(save('-m comment --comment ""'), '-A INPUT -m comment --comment ""');
  });
  it('cannot be negated or repeated', () => {
    assert.equal(save('-m comment ! --comment x'), null);
    assert.equal(save('-m comment --comment x --comment y'), null);
  });
});

describe('rules that depend on the chain', () => {
  it('owner only in OUTPUT and POSTROUTING', () => {
    assert.equal(save('-m owner --uid-owner root', { chain: 'INPUT' }), null);
    assert.equal(save('-m owner --uid-owner root', { chain: 'OUTPUT' }), '-A OUTPUT -m owner --uid-owner 0');
    assert.equal(save('-m owner --uid-owner root', { chain: 'my-chain' }), '-A my-chain -m owner --uid-owner 0');
  });
  it('rpfilter only in PREROUTING of raw or mangle', () => {
    assert.equal(save('-m rpfilter', { table: 'raw', chain: 'PREROUTING' }), '-A PREROUTING -m rpfilter');
    assert.equal(save('-m rpfilter', { table: 'filter', chain: 'INPUT' }), null);
    assert.equal(save('-m rpfilter', { table: 'mangle', chain: 'FORWARD' }), null);
  });
  it('physdev-out in OUTPUT needs --physdev-is-bridged (kernel check)', () => {
    assert.equal(save('-m physdev --physdev-out eth1', { chain: 'OUTPUT' }), null);
    assert.equal(save('-m physdev --physdev-out eth1 --physdev-is-bridged', { chain: 'OUTPUT' }), '-A OUTPUT -m physdev --physdev-out eth1 --physdev-is-bridged');
    assert.equal(save('-m physdev --physdev-out eth1', { chain: 'FORWARD' }), '-A FORWARD -m physdev --physdev-out eth1');
  });
  it('policy --dir in is refused in OUTPUT, --dir out in INPUT', () => {
    assert.equal(save('-m policy --dir in --pol ipsec', { chain: 'OUTPUT' }), null);
    assert.equal(save('-m policy --dir out --pol ipsec', { chain: 'INPUT' }), null);
    assert.equal(save('-m policy --dir out --pol ipsec', { chain: 'OUTPUT' }), '-A OUTPUT -m policy --dir out --pol ipsec');
  });
});

describe('values printed back in canonical form', () => {
  it('limit: 120/min is 2/sec, burst 5 is left out', () => {
    assert.equal(save('-m limit --limit 120/min --limit-burst 5'), '-A INPUT -m limit --limit 2/sec');
  });
  it('hashlimit: default burst printed, modes in fixed order, negation flips upto/above', () => {
    assert.equal(save('-m hashlimit ! --hashlimit-upto 10/min --hashlimit-mode dstport,srcip --hashlimit-name ssh'),
      '-A INPUT -m hashlimit --hashlimit-above 10/min --hashlimit-burst 5 --hashlimit-mode srcip,dstport --hashlimit-name ssh');
  });
  it('recent: defaults name, mask and side are printed', () => {
    assert.equal(save('-m recent --update --seconds 60 --hitcount 4 --name SSH'),
      '-A INPUT -m recent --update --seconds 60 --hitcount 4 --name SSH --mask 255.255.255.255 --rsource');
  });
  it('time: explicit timestop default and datestop are printed', () => {
    assert.equal(save('-m time --timestart 8:00 --weekdays Fri,Mon'),
      '-A INPUT -m time --timestart 08:00:00 --timestop 23:59:59 --weekdays Mon,Fri --datestop 2038-01-19T03:14:07');
  });
  it('statistic: probability rounded to 1/2^31 and printed with 11 decimals (half to even)', () => {
    assert.equal(save('-m statistic --mode random --probability 0.000244140625'), '-A INPUT -m statistic --mode random --probability 0.00024414062');
  });
  it('set: --set is the short spelling of --match-set', () => {
    assert.equal(save('-m set ! --set blocklist src'), '-A INPUT -m set ! --match-set blocklist src');
  });
  it('nfacct: iptables 1.8.9 prints two spaces before the name', () => {
    assert.equal(save('-m nfacct --nfacct-name http'), '-A INPUT -m nfacct --nfacct-name  http');
  });
});

describe('module and option docs', () => {
  const names = ['conntrack', 'state', 'helper', 'comment', 'limit', 'hashlimit', 'mark', 'connmark', 'connlabel', 'connlimit', 'connbytes', 'quota',
    'nfacct', 'recent', 'time', 'owner', 'cgroup', 'socket', 'physdev', 'devgroup', 'rpfilter', 'statistic', 'cpu', 'cluster', 'set', 'policy',
    'rateest', 'ipvs', 'osf'];
  const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/;
  for (const name of names) {
    it(`${name} is registered with English and Japanese docs for itself and every option`, () => {
      const def = findMatch(name, 4);
      assert.ok(def, `${name} is not registered`);
      assert.equal(findMatch(name, 6)?.name, name);
      for (const doc of [def.doc, ...def.options.map((o) => o.doc)]) {
        assert.ok(doc.en.length > 10 && !japanese.test(doc.en), `${name}: English doc "${doc.en}"`);
        assert.ok(japanese.test(doc.ja), `${name}: Japanese doc "${doc.ja}"`);
      }
    });
  }
});

// The netfilter project's own test files for these modules, IPv4 lines (the lines run under
// ip6tables use IPv4 addresses and masks that ip6tables rejects). Lines whose result depends on
// the machine are listed: the binary agrees with us there, or the file expects a missing object.
const CORPUS = join(process.cwd(), '../shared/corpus/netfilter/extensions');
const T_FILES = ['conntrack', 'state', 'comment', 'connlabel', 'connmark', 'mark', 'set', 'owner', 'physdev', 'time', 'cgroup', 'cluster', 'cpu',
  'ipvs', 'nfacct', 'policy', 'rateest', 'recent', 'rpfilter', 'socket', 'statistic'];
const MACHINE_DEPENDENT = [
  '-m connlabel --label "foobar_not_there"', // needs /etc/xtables/connlabel.conf
  '-m set --match-set foo src,dst', // needs an ipset named foo
  '-m nfacct --nfacct-name wrong', // needs an nfacct object
  '-m recent --rcheck --hitcount 999 --name foo --mask 255.255.255.255 --rsource', // the binary accepts it (kernel allows up to 65535)
];

describe('netfilter .t files (IPv4)', { skip: !existsSync(CORPUS) && 'corpus not present' }, () => {
  for (const file of T_FILES) {
    it(`libxt_${file}.t`, () => {
      let chains = ['INPUT'], table = 'filter';
      const wrong: string[] = [];
      for (const raw of readFileSync(join(CORPUS, `libxt_${file}.t`), 'utf8').split('\n')) {
        const line = raw.trim();
        if (!line || /^[#@%]/.test(line)) continue;
        if (line.startsWith(':')) { chains = line.slice(1).split(','); continue; }
        if (line.startsWith('*')) { table = line.slice(1); continue; }
        const [rule, expected, result] = line.split(';');
        if (MACHINE_DEPENDENT.includes(rule)) continue;
        for (const chain of chains) {
          const got = save(rule, { table, chain });
          const want = result === 'OK' ? `-A ${chain} ${expected === '=' ? rule : expected}` : null;
          if (got !== want) wrong.push(`${chain}: ${rule} -> ${got} (expected ${want})`);
        }
      }
      assert.deepEqual(wrong, []);
    });
  }
});
