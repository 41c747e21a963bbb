// The data behind the packet-header matches: option names as the real iptables 1.8.9 lists them
// (`iptables -m NAME -h`), which `-p` loads which match by itself, and bilingual docs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findMatch } from '../../../server/src/knowledge/registry';
import { implicitMatchName, parseProtocol, formatProtocol } from '../../../server/src/knowledge/protocols';
import { formatIcmpType, parseIcmpType } from '../../../server/src/knowledge/icmp';
import { formatIpv6 } from '../../../server/src/knowledge/matches/header-common';
import type { Family } from '../../../server/src/syntax/ast';

/** Option names (and their other spellings) from the help text of iptables/ip6tables 1.8.9. */
const HELP: [Family, string, string[]][] = [
  [4, 'tcp', ['tcp-flags', 'syn', 'sport|source-port', 'dport|destination-port', 'tcp-option']],
  [4, 'udp', ['sport|source-port', 'dport|destination-port']],
  [4, 'icmp', ['icmp-type']],
  [4, 'sctp', ['sport|source-port', 'dport|destination-port', 'chunk-types']],
  [4, 'dccp', ['sport|source-port', 'dport|destination-port', 'dccp-types', 'dccp-option']],
  [4, 'multiport', ['sports|source-ports', 'dports|destination-ports', 'ports']],
  [4, 'ah', ['ahspi']],
  [6, 'ah', ['ahspi', 'ahlen', 'ahres']],
  [4, 'esp', ['espspi']],
  [4, 'ipcomp', ['ipcompspi']],
  [4, 'ttl', ['ttl-eq', 'ttl-lt', 'ttl-gt']],
  [6, 'hl', ['hl-eq', 'hl-lt', 'hl-gt']],
  [4, 'tos', ['tos']],
  [4, 'dscp', ['dscp', 'dscp-class']],
  [4, 'ecn', ['ecn-tcp-cwr', 'ecn-tcp-ece', 'ecn-ip-ect']],
  [4, 'length', ['length']],
  [4, 'pkttype', ['pkt-type']],
  [4, 'addrtype', ['src-type', 'dst-type', 'limit-iface-in', 'limit-iface-out']],
  [4, 'iprange', ['src-range', 'dst-range']],
  [4, 'mac', ['mac-source']],
  [4, 'tcpmss', ['mss']],
  [4, 'u32', ['u32']],
  [4, 'string', ['from', 'to', 'algo', 'icase', 'string', 'hex-string']],
  [4, 'bpf', ['bytecode', 'object-pinned']],
  [4, 'realm', ['realm']],
  [6, 'icmp6', ['icmpv6-type']],
  [6, 'mh', ['mh-type']],
  [6, 'frag', ['fragid', 'fraglen', 'fragres', 'fragfirst', 'fragmore', 'fraglast']],
  [6, 'rt', ['rt-type', 'rt-segsleft', 'rt-len', 'rt-0-res', 'rt-0-addrs', 'rt-0-not-strict']],
  [6, 'dst', ['dst-len', 'dst-opts']],
  [6, 'hbh', ['hbh-len', 'hbh-opts']],
  [6, 'ipv6header', ['header', 'soft']],
  [6, 'srh', ['srh-next-hdr', 'srh-hdr-len-eq', 'srh-hdr-len-gt', 'srh-hdr-len-lt', 'srh-segs-left-eq', 'srh-segs-left-gt', 'srh-segs-left-lt',
    'srh-last-entry-eq', 'srh-last-entry-gt', 'srh-last-entry-lt', 'srh-tag', 'srh-psid', 'srh-nsid', 'srh-lsid']],
  [6, 'eui64', []],
];

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

describe('header match modules', () => {
  for (const [family, name, options] of HELP) {
    it(`${name} (IPv${family}) has the options of the real ${family === 4 ? 'iptables' : 'ip6tables'}`, () => {
      const def = findMatch(name, family);
      assert.ok(def, `${name} not found`);
      const ours = def.options.map((o) => [o.name, ...(o.aliases ?? [])].sort().join('|')).sort();
      assert.deepEqual(ours, options.map((o) => o.split('|').sort().join('|')).sort());
    });
    it(`${name} (IPv${family}) is documented in English and Japanese`, () => {
      const def = findMatch(name, family)!;
      for (const doc of [def.doc, ...def.options.map((o) => o.doc)]) {
        assert.ok(doc.en.length > 10 && !JAPANESE.test(doc.en), doc.en);
        assert.ok(JAPANESE.test(doc.ja), doc.ja);
      }
    });
  }

  it('exists only in the family iptables has it in', () => {
    for (const [family, name] of [[6, 'icmp'], [6, 'ttl'], [6, 'realm'], [4, 'icmp6'], [4, 'hl'], [4, 'mh'], [4, 'frag'], [4, 'rt'], [4, 'srh'], [4, 'eui64'], [4, 'ipv6header']] as const) {
      assert.equal(findMatch(name, family), undefined, `${name} in IPv${family}`);
    }
    assert.equal(findMatch('udplite', 4), undefined, 'iptables 1.8.9 has no udplite match');
  });

  it('loads icmp6 under the names iptables accepts', () => {
    for (const alias of ['icmp6', 'icmpv6', 'ipv6-icmp']) assert.equal(findMatch(alias, 6)?.name, 'icmp6');
  });
});

describe('protocols', () => {
  // What `iptables -p X --option` loaded by itself in the real binary (unknown option = nothing).
  const implicit: [Family, string, string | undefined][] = [
    [4, '6', 'tcp'], [4, '0x6', 'tcp'], [4, 'TCP', 'tcp'], [4, '17', 'udp'], [4, '0x11', 'udp'], [4, '132', 'sctp'], [4, '33', 'dccp'],
    [4, '108', 'ipcomp'], [4, '51', 'ah'], [4, '50', 'esp'], [4, '1', 'icmp'], [4, 'ICMP', 'icmp'], [6, '136', undefined], [6, 'udplite', undefined],
    [6, 'ipv6-icmp', 'icmp6'], [6, 'IPv6-ICMP', 'icmp6'], [6, '0x3a', 'icmp6'], [6, '58', 'icmp6'], [6, 'mh', 'mh'], [6, 'MH', 'mh'],
    [6, 'ipv6-mh', undefined], [6, '135', undefined], [6, 'mobility-header', undefined], [4, 'all', undefined],
  ];
  it('loads the match iptables loads for an unknown option after -p', () => {
    for (const [family, text, want] of implicit) {
      const name = implicitMatchName(text);
      assert.equal(name === undefined ? undefined : findMatch(name, family)?.name, want, `-p ${text}`);
    }
  });

  it('reads numbers as C does and prints /etc/protocols names', () => {
    const cases: [string, string | undefined][] = [['010', 'egp'], ['0x3a', 'ipv6-icmp'], ['+6', 'tcp'], [' 6', 'tcp'], ['icmpv6', 'ipv6-icmp'], ['mh', 'mobility-header'], ['7', '7'], ['all', undefined], ['HOPOPT', undefined]];
    for (const [text, printed] of cases) {
      const p = parseProtocol(text, 4);
      assert.ok(p.ok, text);
      assert.equal(formatProtocol(p.value), printed, text);
    }
    for (const bad of ['256', '-1', '6x', '', '6 ', 'ipsec-esp', 'cphb', 'icmp6']) assert.equal(parseProtocol(bad, 4).ok, false, bad);
  });
});

describe('icmp types', () => {
  it('prints what iptables-save printed', () => {
    const cases: [Family, string, string][] = [
      [4, 'echo-request', '8'], [4, 'port-unreachable', '3/3'], [4, 'any', 'any'], [4, '255/3', 'any'], [4, '3/2:5', '3/2'], [4, '3/0:255', '3'],
      [4, 'Echo-Req', '8'], [4, 'ttl-zero-during-t', '11/0'], [6, 'neighbor-s', '135'], [6, '255', '255'], [6, '1/0x3', '1/3'], [6, 'packet-too-big', '2'],
    ];
    for (const [family, text, printed] of cases) {
      const r = parseIcmpType(text, family);
      assert.ok(r.ok, text);
      assert.equal(formatIcmpType(r.value, family), printed, text);
    }
  });
  it('refuses what iptables refused', () => {
    for (const text of ['echo', 'ttl', '', 'x', '256', '3/256', '8/', '/8', '3:4', '8 ', '3/1/2', 'any/0']) assert.equal(parseIcmpType(text, 4).ok, false, text);
    for (const text of ['any', 'neighb', '1x']) assert.equal(parseIcmpType(text, 6).ok, false, text);
  });
});

describe('IPv6 addresses', () => {
  it('print as glibc inet_ntop does (what ip6tables-save showed)', () => {
    const cases: [string, string][] = [
      ['00000000000000000000000000000002', '::2'], ['00000000000000000000000000010000', '::0.1.0.0'], ['00000000000000000000000001020304', '::1.2.3.4'],
      ['00000000000000000000ffff00000000', '::ffff:0.0.0.0'], ['00000000000000000000000100000000', '::1:0:0'],
      ['00010000000000010000000000010000', '1::1:0:0:1:0'], ['00010000000000000000000000000000', '1::'],
    ];
    for (const [hex, text] of cases) assert.equal(formatIpv6(hex.match(/../g)!.map((b) => parseInt(b, 16))), text);
  });
});
