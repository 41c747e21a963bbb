// Quick fixes on the review fixtures: applying one removes its finding, adds no IPT1xx error, and
// the result is accepted by the real iptables (a save file by iptables-restore --test, a script run
// with sh) inside `unshare -n`. The real-iptables half skips cleanly where it cannot run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oracleSkipReason } from '../../conformance/lib/oracle';
import { applyEdits, problemsOf, readFixture } from './helpers';

const CASES: { file: string; code: string }[] = [
  { file: '03-flush-on-top-drop-policy.sh', code: 'IPT203' },
  { file: '03-flush-on-top-drop-policy.sh', code: 'IPT201' },
  { file: '03-flush-on-top-drop-policy.sh', code: 'IPT207' },
  { file: '09-copied-from-web.sh', code: 'IPT114' },
  { file: '15-ssh-custom-port.sh', code: 'IPT204' },
  { file: '15-ssh-custom-port.sh', code: 'IPT205' },
  { file: '21-policy-first-classic.sh', code: 'IPT201' },
  { file: '22-output-drop-no-established.sh', code: 'IPT204' },
  { file: '24-log-no-limit.rules', code: 'IPT502' },
  { file: '48-v6-output-drop-no-icmpv6.sh', code: 'IPT207' },
  { file: '57-rules-v6-no-icmpv6.rules', code: 'IPT207' },
  { file: '58-telnet-ftp-legacy.sh', code: 'IPT501' },
];

const skip = oracleSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'review-fixes-'));

/** Loads the text with the real iptables in a throwaway network namespace; returns its complaints. */
function realIptables(file: string, text: string): string {
  const path = join(dir, file);
  writeFileSync(path, text);
  const cmd = file.endsWith('.rules')
    ? `${/v6|ip6/.test(file) ? 'ip6tables-restore' : 'iptables-restore'} --test < '${path}'`
    : `sh '${path}' >/dev/null`;
  const r = spawnSync('unshare', ['-n', 'sh', '-c', cmd], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stderr.trim() : `exit ${r.status}: ${r.stderr.trim()}`;
}

for (const c of CASES) {
  test(`${c.file}: each ${c.code} fix removes its finding and the result loads`, () => {
    const text = readFixture(c.file);
    const found = problemsOf(text, c.file).problems.filter((p) => p.code === c.code);
    assert.ok(found.length > 0, `${c.code} is reported`);
    // Every edit of the fixes applies to the original text: take them one finding at a time.
    let fixed = text;
    for (let k = 0; k < found.length; k++) {
      const now = problemsOf(fixed, c.file).problems.filter((p) => p.code === c.code);
      const p = now.find((x) => x.fixes?.length);
      if (!p) break;
      fixed = applyEdits(fixed, (p.fixes!.find((f) => f.preferred) ?? p.fixes![0]).edits);
    }
    const after = problemsOf(fixed, c.file).problems;
    assert.equal(after.filter((p) => p.code === c.code).length, 0, `${c.code} gone:\n${fixed}`);
    assert.deepEqual(after.filter((p) => /^IPT1/.test(p.code) && p.severity === 'error').map((p) => p.code), []);
    if (skip) return;
    assert.equal(realIptables(c.file, fixed), '', `the real iptables accepts:\n${fixed}`);
  });
}
