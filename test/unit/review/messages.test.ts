// The messages a Japanese server admin reads, in English and Japanese, over every review fixture:
// no template leftovers, both languages say the same specific thing (the same line numbers, ports
// and chains), and the Japanese uses full-width brackets and punctuation the way the rest of the
// project does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { FIXTURES, problemsOf, readFixture } from './helpers';
import type { Problem } from '../../../server/src/syntax/ast';

const files = readdirSync(FIXTURES).filter((f) => /\.(sh|rules)$/.test(f));
const all: { file: string; p: Problem }[] = [];
for (const file of files) for (const p of problemsOf(readFixture(file), file).problems) all.push({ file, p });

/** What each message must name so that the admin can act on it without reading the docs. */
const SPECIFIC: Record<string, { en: RegExp; ja: RegExp }> = {
  IPT115: { en: /\$\w+/, ja: /\$\w+/ },
  IPT201: { en: /line \d+.*tcp\/\d+.*line \d+/, ja: /\d+ 行目.*tcp\/\d+.*\d+ 行目/ },
  IPT202: { en: /tcp\/\d+/, ja: /tcp\/\d+/ },
  IPT203: { en: /\b(INPUT|OUTPUT)\b.*ACCEPT/, ja: /\b(INPUT|OUTPUT)\b.*ACCEPT/ },
  IPT204: { en: /\b(INPUT|OUTPUT)\b.*(tcp|udp)\/\d+.*ESTABLISHED,RELATED -j ACCEPT/, ja: /\b(INPUT|OUTPUT)\b.*(tcp|udp)\/\d+.*ESTABLISHED,RELATED -j ACCEPT/ },
  IPT205: { en: /-[io] lo -j ACCEPT/, ja: /-[io] lo -j ACCEPT/ },
  IPT206: { en: /ip6tables/, ja: /ip6tables/ },
  IPT207: { en: /(INPUT|OUTPUT).*-p ipv6-icmp -j ACCEPT/, ja: /(INPUT|OUTPUT).*-p ipv6-icmp -j ACCEPT/ },
  IPT301: { en: /[\d,]+ ports \(\d+-\d+/, ja: /[\d,]+ 個のポート（\d+-\d+/ },
  IPT302: { en: /\w+ \((tcp|udp)\/\d+\)/, ja: /\w+（(tcp|udp)\/\d+）/ },
  IPT304: { en: /(tcp|udp)\/\d+ is forwarded to [\d.]+/, ja: /(tcp|udp)\/\d+ は [\d.]+/ },
  IPT502: { en: /-m limit/, ja: /-m limit/ },
  IPT503: { en: /\d+ rules/, ja: /\d+ 個のルール/ },
  IPT504: { en: /\d+ separate iptables calls/, ja: /\d+ 回の iptables 呼び出し/ },
};

test('the fixtures produce findings of most codes this review owns', () => {
  const seen = new Set(all.map((x) => x.p.code));
  const missing = Object.keys(SPECIFIC).filter((c) => !seen.has(c));
  assert.deepEqual(missing, []);
});

test('no template leftovers in either language', () => {
  for (const { file, p } of all) {
    for (const lang of ['en', 'ja'] as const) {
      const m = p.message[lang];
      assert.ok(m.length > 10, `${file} ${p.code} ${lang} is empty`);
      assert.doesNotMatch(m, /undefined|NaN|\[object|null\b|\$\{|  /, `${file} ${p.code} ${lang}: ${m}`);
    }
  }
});

test('each message names what the admin must act on, in both languages', () => {
  for (const { file, p } of all) {
    const want = SPECIFIC[p.code];
    if (!want) continue;
    assert.match(p.message.en, want.en, `${file} ${p.code} en`);
    assert.match(p.message.ja, want.ja, `${file} ${p.code} ja`);
  }
});

test('the English and the Japanese give the same line numbers and ports', () => {
  for (const { file, p } of all) {
    const enLines = [...p.message.en.matchAll(/line (\d+)/g)].map((m) => m[1]).sort();
    const jaLines = [...p.message.ja.matchAll(/(\d+) 行目/g)].map((m) => m[1]).sort();
    assert.deepEqual(jaLines, enLines, `${file} ${p.code}`);
    const ports = (s: string) => [...s.matchAll(/(tcp|udp)\/(\d+)/g)].map((m) => m[0]).sort();
    assert.deepEqual(ports(p.message.ja), ports(p.message.en), `${file} ${p.code}`);
  }
});

test('Japanese: full-width brackets around Japanese text, sentences end without a stray period', () => {
  for (const { file, p } of all) {
    const ja = p.message.ja;
    // A half-width bracket right next to Japanese text reads as a typo.
    assert.doesNotMatch(ja, /[\u3040-\u30ff\u4e00-\u9fff]\(|\)[\u3040-\u30ff\u4e00-\u9fff]/, `${file} ${p.code}: ${ja}`);
    assert.doesNotMatch(ja, /[\u3040-\u30ff\u4e00-\u9fff][.,] /, `${file} ${p.code}: ${ja}`);
    // No blank between a full-width bracket and Japanese text.
    assert.doesNotMatch(ja, /[）」] [\u3040-\u30ff\u4e00-\u9fff]|[\u3040-\u30ff\u4e00-\u9fff] [（「]/, `${file} ${p.code}: ${ja}`);
    assert.match(ja, /[\u3040-\u30ff\u4e00-\u9fff]/, `${file} ${p.code} has Japanese`);
  }
});
