// Bad input through analyze(): binary junk, huge lines, deep nesting, unterminated quotes and
// here-documents, odd line ends and characters, empty files, huge save files. Never an exception,
// never an unbounded flood of findings; the right code where there is one. No timing thresholds
// here (measured figures are in the review report); what is known to break is a todo test with
// its smallest reproducer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { analyze, type Analysis } from '../../../server/src/engine';
import type { Problem } from '../../../server/src/syntax/ast';

/** Deterministic bytes (xorshift), so a failure can be replayed. */
function randomBytes(n: number, seed = 12345): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** A real PNG file (8-bit RGB, random pixels), as an image editor would write it. */
function png(w: number, h: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b: Buffer) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4); sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const rows = Buffer.concat(Array.from({ length: h }, (_, y) => Buffer.concat([Buffer.from([0]), randomBytes(w * 3, y + 1)])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

const lineCount = (text: string) => text.split(/\r\n|\r|\n/).length;

/** Runs analyze() and checks what must hold for any input: ranges inside the text, bilingual messages. */
function lintSafely(text: string, kind?: 'save' | 'shell'): Analysis {
  let a: Analysis | undefined;
  assert.doesNotThrow(() => { a = analyze(text, kind ? { kind } : {}); });
  const lines = lineCount(text);
  for (const p of a!.problems) {
    assert.ok(p.range.start.line >= 0 && p.range.end.line < lines, `${p.code} range inside the text`);
    assert.ok(p.message.en && p.message.ja, `${p.code} has both messages`);
  }
  assert.ok(!a!.problems.some((p) => p.code === 'IPT000'), 'no internal error');
  return a!;
}

const codes = (ps: Problem[]) => [...new Set(ps.map((p) => p.code))].sort();
const at = (ps: Problem[], code: string) => ps.filter((p) => p.code === code).map((p) => p.range.start.line + 1);

test('random bytes (1 MB), as a script and as a save file: no exception, a few findings per line at most', () => {
  const text = randomBytes(1 << 20).toString('utf8');
  for (const kind of ['shell', 'save'] as const) {
    const a = lintSafely(text, kind);
    assert.ok(a.problems.length <= 3 * lineCount(text), `${kind}: ${a.problems.length} findings for ${lineCount(text)} lines`);
  }
});

test('a PNG image opened by mistake: no exception, findings bounded by its lines', () => {
  const text = png(200, 200).toString('utf8');
  const a = lintSafely(text);
  assert.ok(a.problems.length <= lineCount(text));
  assert.deepEqual(a.rulesets[4].tables.size + a.rulesets[6].tables.size, 0, 'no rules made up from binary data');
});

test('binary input gets one clear "not a text file" diagnostic', () => {
  for (const [text, kind, code] of [[png(64, 64).toString('utf8'), undefined, 'IPT100'], [randomBytes(4096).toString('utf8'), 'save', 'IPT111'], ['#!/bin/sh\n\0\n', 'shell', 'IPT100']] as const) {
    const a = lintSafely(text, kind);
    assert.equal(a.problems.length, 1);
    assert.equal(a.problems[0].code, code);
    assert.match(a.problems[0].message.en, /binary data/);
    assert.deepEqual(a.problems[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  }
  // A script saved as UTF-16 by Windows Notepad (BOM FF FE, then a NUL after every ASCII byte).
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('#!/bin/sh\niptables -P INPUT DROP\n', 'utf16le')]).toString('utf8');
  const u = lintSafely(utf16);
  assert.deepEqual(u.problems.map((p) => p.code), ['IPT100']);
  assert.match(u.problems[0].message.en, /UTF-16/);
  assert.match(u.problems[0].message.ja, /UTF-8 で保存/);
  // Text with a few control characters (a stray ESC from a terminal) is still read as text.
  assert.ok(lintSafely('#!/bin/sh\n# colour \x1b[31m\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n').commands.length === 1);
});

test('a 10 MB single line of text, in a script and in a save file', () => {
  const big = 'a'.repeat(10 * 1024 * 1024);
  assert.deepEqual(lintSafely(big + '\n').problems, []);
  const comment = `*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "${'x'.repeat(10 * 1024 * 1024)}" -j ACCEPT\nCOMMIT\n`;
  // iptables-restore 1.8.9 (nft) accepts an over-long comment and keeps its first 255 characters.
  assert.ok(lintSafely(comment).problems.length <= 1);
});

test('a 10 MB iptables command (one rule with a huge address list): no exception', () => {
  const addresses = Array.from({ length: 900_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`).join(',');
  assert.ok(addresses.length > 10_000_000);
  const a = lintSafely(`iptables -A INPUT -s ${addresses} -p tcp --dport 22 -j ACCEPT\n`);
  assert.ok(a.problems.length <= 10);
  // 900,000 rules: more than the checks can hold in memory; said once, at the top of the document.
  const [tooLarge, ...more] = a.problems.filter((p) => p.code === 'IPT001');
  assert.equal(more.length, 0);
  assert.deepEqual(tooLarge.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  assert.equal(tooLarge.severity, 'error');
  assert.match(tooLarge.message.en, /900,000 rules, more than the 250,000/);
  assert.match(tooLarge.message.ja, /900,000 個/);
});

test('250,000 rules are still checked (the IPT001 limit is not reached)', () => {
  const addresses = Array.from({ length: 250_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`).join(',');
  const a = lintSafely(`iptables -P INPUT DROP\niptables -A INPUT -s ${addresses} -p tcp --dport 22 -j ACCEPT\n`);
  assert.ok(!a.problems.some((p) => p.code === 'IPT001'));
  assert.ok(a.problems.some((p) => p.code === 'IPT201'), 'the checks ran');
});

const repeated = 'iptables -A INPUT' + ' -s 10.0.0.1'.repeat(150_000) + ' -j ACCEPT\n';

test('one command repeating -s 150,000 times: no exception, IPT117 for the repeats', () => {
  const a = lintSafely(repeated);
  assert.deepEqual(codes(a.problems), ['IPT117']);
});

test('one command repeating -s 150,000 times gets one finding, not one per repeat', () => {
  assert.equal(lintSafely(repeated).problems.length, 1);
});

test('a pasted line repeating -A INPUT -j DROP 50,000 times: one error per kind, not one per repeat', () => {
  const a = lintSafely('iptables' + ' -A INPUT -j DROP'.repeat(50_000) + '\n');
  assert.deepEqual(a.problems.map((p) => p.code), ['IPT117', 'IPT117']); // a second command, a second -j
});

test('50,000 words of full-width characters copied from a page: one IPT114 per word and one consequence, not one per word', () => {
  const a = lintSafely('iptables ' + '\uFF0D\uFF21\u3000\uFF29\uFF2E\uFF30\uFF35\uFF34 '.repeat(50_000) + '\n');
  assert.equal(a.problems.filter((p) => p.code === 'IPT114').length, 50_000);
  assert.ok(a.problems.length <= 50_002, `${a.problems.length} findings`);
});

test('5,000 nested ifs: a warning at the depth limit, no stack overflow', () => {
  const n = 5000;
  const text = '#!/bin/sh\n' + 'if true; then\n'.repeat(n) + 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT\n' + 'fi\n'.repeat(n);
  const a = lintSafely(text);
  assert.deepEqual(codes(a.problems), ['IPT100']);
  assert.equal(a.problems.length, 1);
});

test('5,000 nested ifs never closed: IPT100 errors, bounded', () => {
  const text = '#!/bin/sh\n' + 'if [ -n "$X" ]; then\n'.repeat(5000) + 'iptables -A INPUT -j DROP\n';
  const a = lintSafely(text);
  assert.deepEqual(codes(a.problems), ['IPT100']);
  assert.ok(a.problems.length <= 200);
});

test('5,000 nested subshells and command substitutions', () => {
  lintSafely('#!/bin/sh\n' + '('.repeat(5000) + 'iptables -A INPUT -j ACCEPT' + ')'.repeat(5000) + '\n');
  lintSafely('#!/bin/sh\nX=' + '$('.repeat(3000) + 'echo hi' + ')'.repeat(3000) + '\niptables -A INPUT -s $X -j ACCEPT\n');
});

test('unterminated single and double quotes: IPT100 on the quote, no made-up variable warning or lockout error', () => {
  for (const q of ["'", '"']) {
    const text = `#!/bin/sh\niptables -A INPUT -s 192.0.2.1 -m comment --comment ${q}oops -p tcp --dport 22 -j ACCEPT\niptables -P INPUT DROP\n`;
    const a = lintSafely(text);
    assert.deepEqual(at(a.problems, 'IPT100'), [2]);
    // The unterminated quote swallows the SSH rule: no "nobody can log in" claim built on it.
    assert.deepEqual(at(a.problems, 'IPT202'), []);
    assert.deepEqual(at(a.problems, 'IPT115'), []);
  }
});

test('an unterminated here-document and an unterminated quote in a save file', () => {
  const heredoc = lintSafely('#!/bin/sh\niptables-restore <<EOF\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n');
  assert.deepEqual(at(heredoc.problems, 'IPT100'), [2]);
  const save = lintSafely('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "never closed -j ACCEPT\nCOMMIT\n');
  assert.deepEqual(at(save.problems, 'IPT111'), [3]);
});

test('CRLF line ends: positions stay right, the rules are still read', () => {
  const a = lintSafely('#!/bin/sh\r\niptables -P INPUT ACCEPT\r\niptables -A INPUT -p tcp --dport 3306 -j ACCEPT\r\n');
  assert.deepEqual(at(a.problems, 'IPT302'), [3]);
  const lone = lintSafely('#!/bin/sh\riptables -A INPUT -p tcp --dport 22 -j ACCEPT\r');
  assert.ok(lone.problems.length <= 2);
});

test('a CRLF script is reported: sh passes "ACCEPT\\r" to iptables and every command fails', () => {
  const a = lintSafely('#!/bin/sh\r\niptables -P INPUT ACCEPT\r\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\r\n');
  assert.ok(a.problems.some((p) => p.severity === 'error'));
});

test('a UTF-8 byte order mark: the script and the save file read as without it', () => {
  const sh = lintSafely('\uFEFF#!/bin/sh\niptables -A INPUT -p tcp --dport 3306 -j ACCEPT\n');
  assert.equal(sh.kind, 'shell');
  assert.deepEqual(at(sh.problems, 'IPT302'), [2]);
  const save = lintSafely('\uFEFF*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n-A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n');
  assert.equal(save.kind, 'save');
  assert.deepEqual(save.problems, []);
});

test('tabs between the words', () => {
  const a = lintSafely('#!/bin/sh\n\tiptables\t-A\tINPUT\t-p\ttcp\t--dport\t3306\t-j\tACCEPT\n');
  assert.deepEqual(at(a.problems, 'IPT302'), [2]);
});

test('full-width characters copied from a Japanese page: IPT114 on each bad word', () => {
  const a = lintSafely('#!/bin/sh\niptables -A INPUT -p tcp --dport ２２ -j ACCEPT\niptables -A INPUT -p tcp −−dport 80 -j ACCEPT\n');
  assert.deepEqual(at(a.problems, 'IPT114'), [2, 3]);
});

test('a full-width space right after "iptables" (sh: command not found) is reported', () => {
  const a = lintSafely('#!/bin/sh\niptables　－A　INPUT　－p　tcp　－－dport　22　－j　ACCEPT\n');
  assert.deepEqual(at(a.problems, 'IPT114'), [2]);
});

test('an empty file and a file of only comments', () => {
  assert.deepEqual(lintSafely('').problems, []);
  assert.deepEqual(lintSafely('# ファイアウォール\n# just comments\n'.repeat(1000)).problems, []);
  assert.deepEqual(lintSafely('\n\n\n').problems, []);
});

test('NUL bytes, invalid UTF-8 and emoji in a script', () => {
  lintSafely('#!/bin/sh\niptables -A INPUT\0 -p tcp --dport 22 -j ACCEPT\n');
  lintSafely(Buffer.from('#!/bin/sh\niptables -A INPUT -m comment --comment "\xff\xfe\xc3" -j ACCEPT\n', 'latin1').toString('utf8'));
  const emoji = lintSafely('#!/bin/sh\niptables -A INPUT -m comment --comment "🔥🔥" -p tcp --dport 3306 -j ACCEPT\n');
  // Columns count UTF-16 code units (LSP): the port sits after the two surrogate pairs.
  const p = emoji.problems.find((x) => x.code === 'IPT302')!;
  assert.equal(p.range.start.character, '#!/bin/sh\niptables -A INPUT -m comment --comment "🔥🔥" -p tcp --dport '.split('\n')[1].length);
});

test('a save file with 100,000 user chains: one IPT405 per unused chain, nothing else', () => {
  const n = 100_000;
  const text = ['*filter', ':INPUT ACCEPT [0:0]', ...Array.from({ length: n }, (_, i) => `:C${i} - [0:0]`), 'COMMIT', ''].join('\n');
  const a = lintSafely(text);
  assert.deepEqual(codes(a.problems), ['IPT405']);
  assert.equal(a.problems.length, n);
});

test('recursion, an endless loop and a loop of 100,000 items', () => {
  assert.ok(lintSafely('#!/bin/sh\nf() { iptables -A INPUT -p tcp --dport 3306 -j ACCEPT; f; }\nf\n').problems.length <= 2);
  lintSafely('#!/bin/sh\na() { b; }\nb() { a; iptables -A INPUT -j ACCEPT; }\na\n');
  lintSafely('#!/bin/sh\nwhile true; do\n  iptables -A INPUT -p tcp --dport 22 -j ACCEPT\ndone\n');
  const ports = Array.from({ length: 100_000 }, (_, i) => String((i % 65535) + 1)).join(' ');
  const a = lintSafely(`#!/bin/sh\nfor p in ${ports}; do\n  iptables -A INPUT -p tcp --dport $p -j ACCEPT\ndone\n`);
  // Every port opened to everybody: one IPT302 for the loop's rule, naming the services.
  assert.deepEqual(at(a.problems, 'IPT302'), [3]);
});

test('a loop of 200,000 items keeps every finding', () => {
  const ports = Array.from({ length: 200_000 }, (_, i) => String((i % 65535) + 1)).join(' ');
  lintSafely(`#!/bin/sh\nfor p in ${ports}; do\n  iptables -A INPUT -p tcp --dport $p -j ACCEPT\ndone\n`);
});

test('a variable doubled 30 times (a 1 GB value): no exception', () => {
  lintSafely('X=a\n' + 'X="$X$X"\n'.repeat(30) + 'iptables -A INPUT -m comment --comment "$X" -j ACCEPT\n');
});

test('50,000 separate iptables commands and 20,000 chained variables', () => {
  const cmds = Array.from({ length: 50_000 }, (_, i) => `iptables -A INPUT -s 10.${(i >> 8) & 255}.${i & 255}.1 -p tcp --dport 22 -j ACCEPT`).join('\n');
  const a = lintSafely('#!/bin/sh\n' + cmds + '\n');
  assert.deepEqual(codes(a.problems), ['IPT503', 'IPT504']);
  const vars = Array.from({ length: 20_000 }, (_, i) => `V${i + 1}=$V${i}x`).join('\n');
  lintSafely('#!/bin/sh\n' + vars + '\niptables -A INPUT -s $V20000 -j ACCEPT\n');
});
