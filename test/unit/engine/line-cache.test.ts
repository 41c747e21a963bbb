// The language server's line cache must never change what an analysis says: after any sequence of
// edits, an analysis that reused cached lines equals a fresh one (problems, positions, ruleset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze, type Analysis } from '../../../server/src/engine';
import { LineCache } from '../../../server/src/syntax/lineCache';
import { formatSave } from '../../../server/src/model/ruleset';

// Valid, invalid and look-alike lines (problems with fixes and inline `--opt=value` words included).
const LINES = [
  '*filter', '*nat', 'COMMIT', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':MYCHAIN - [0:0]', '# a comment', '',
  '-A INPUT -i lo -j ACCEPT',
  '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
  '-A INPUT -p tcp -s 10.0.0.0/8 --dport 22 -j ACCEPT',
  '-A INPUT -p tcp --dport 22 -j ACCEPT',
  '-A INPUT -p tcp --dport=80 -j ACCEPT',
  '-A INPUT -p tcp --dport=99999 -j ACCEPT',
  '-A INPUT --source=10.0.0.1 -j ACCEPT', '-A INPUT --destination=10.0.0.300 -j DROP',
  '-A INPUT -p tcp --dport 1024: -j ACCEPT',
  '-A INPUT -m state --state NEW -j ACCEPT',
  '-A INPUT -s ! 10.1.1.1 -j DROP',
  '-A INPUT -p tcp --dprot 22 -j ACCEPT',
  '-A INPUT -p tcp --dport 22 -j ACEPT',
  '-A INPUT −p tcp --dport 443 -j ACCEPT',
  '-A INPUT -m comment --comment "a \\"quoted\\" note" -j MYCHAIN',
  '[5:300] -A INPUT -p udp --dport 53 -j ACCEPT',
  '-A MYCHAIN -j LOG --log-prefix "x: "',
  '-A FORWARD -j DROP',
  '-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80',
  '-A INPUT -j ACCEPT',
  '-A INPUT -p tcp "unterminated',
  '-A INPUT -j DROP\r', '  -A INPUT -s 10.0.0.1 -j DROP', ':BAD', ':OTHER ACCEPT',
];

const fresh = (text: string) => analyze(text, { kind: 'save', family: 4 });

function summary(a: Analysis) {
  return {
    problems: a.problems.map((p) => ({ code: p.code, severity: p.severity, range: p.range, message: p.message.en, fixes: p.fixes, related: p.related })),
    commands: a.commands.map(({ command: c }) => ({
      range: c.range, invalid: c.invalid, words: c.words.map((w) => [w.text, w.range]), roles: c.roles,
      generic: Object.values(c.generic).map((g) => g && [g.word.range, 'arg' in g ? [g.arg.text, g.arg.range] : undefined]),
      options: [...c.matches, ...(c.target ? [c.target] : [])].map((m) => m.options.map((o) => [o.name, o.word.range, o.args.map((w) => [w.text, w.range])])),
    })),
    save: formatSave(a.rulesets[4]),
  };
}

type Edit = { kind: 'insert' | 'replace'; at: number; line: number } | { kind: 'delete'; at: number };

function apply(lines: string[], e: Edit): string[] {
  const out = [...lines];
  const at = lines.length ? e.at % (lines.length + (e.kind === 'insert' ? 1 : 0)) : 0;
  if (e.kind === 'insert') out.splice(at, 0, LINES[e.line]);
  else if (!lines.length) return out;
  else if (e.kind === 'delete') out.splice(at, 1);
  else out[at] = LINES[e.line];
  return out;
}

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(200), line: fc.nat(LINES.length - 1) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(200), line: fc.nat(LINES.length - 1) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(200) }),
);

test('an analysis with the line cache equals a fresh one after any sequence of line edits', () => {
  fc.assert(fc.property(
    fc.array(fc.nat(LINES.length - 1), { minLength: 0, maxLength: 30 }),
    fc.array(edit, { minLength: 1, maxLength: 12 }),
    (start, edits) => {
      const cache = new LineCache();
      let lines = start.map((i) => LINES[i]);
      analyze(lines.join('\n'), { kind: 'save', family: 4, lineCache: cache });
      for (const e of edits) {
        lines = apply(lines, e);
        const text = lines.join('\n');
        const cached = analyze(text, { kind: 'save', family: 4, lineCache: cache });
        assert.deepEqual(summary(cached), summary(fresh(text)));
      }
    },
  ), { numRuns: 300 });
});

test('a line inserted at the top moves every cached rule down, and the rest is not parsed again', () => {
  const body = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp --dprot 80 -j ACCEPT', 'COMMIT'];
  const cache = new LineCache();
  analyze(body.join('\n'), { kind: 'save', lineCache: cache });
  const moved = analyze(['# new comment', ...body].join('\n'), { kind: 'save', lineCache: cache });
  assert.equal(cache.hits, 3, "the :INPUT line and both rules");
  assert.equal(cache.misses, 0);
  const typo = moved.problems.find((p) => p.code === 'IPT101');
  assert.equal(typo?.range.start.line, 4, 'the --dprot problem moved from line 3 to line 4');
  assert.equal(moved.commands[0].command.words[0].range.start.line, 3);
});

test('two identical lines get two command objects', () => {
  const cache = new LineCache();
  const text = '*filter\n-A INPUT -j ACCEPT\n-A INPUT -j ACCEPT\nCOMMIT\n';
  analyze(text, { kind: 'save', lineCache: cache });
  const a = analyze(text, { kind: 'save', lineCache: cache });
  assert.notEqual(a.commands[0].command, a.commands[1].command);
  assert.deepEqual(a.commands.map((c) => c.command.range.start.line), [1, 2]);
  assert.deepEqual(summary(a), summary(fresh(text)));
});

test('a long editing session does not keep old versions of the document alive', async () => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const { generateKubeDump } = await import('../../../bench/kube-dump');
  let lines = generateKubeDump(5000).text.split('\n');
  const size = lines.join('\n').length;
  const rules = lines.flatMap((l, i) => (l.includes('--comment "') ? [i] : []));
  const cache = new LineCache();
  const heapAfter = (from: number, to: number) => {
    for (let k = from; k < to; k++) {
      // Each version edits another line, as a real session does: that line is parsed afresh.
      const i = rules[(k * 7919) % rules.length];
      lines = [...lines];
      lines[i] = lines[i].replace('--comment "', '--comment "e');
      analyze(lines.join('\n'), { kind: 'save', lineCache: cache });
    }
    gc(); gc();
    return process.memoryUsage().heapUsed;
  };
  const before = heapAfter(0, 10);
  const after = heapAfter(10, 50);
  // Keeping each version alive would add 40 x the document (about 28 MB here).
  assert.ok(after - before < 8 * size, `heap grew by ${((after - before) / 1e6).toFixed(1)} MB over 40 edits of a ${(size / 1e6).toFixed(1)} MB document`);
});
