// The built CLI (dist/cli.cjs) as a process, as CI pipelines and shells run it; built with the
// server by the same `npm run build` that these protocol tests need.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.cjs');
const skip = existsSync(CLI) ? false : 'dist/cli.cjs missing (npm run build)';

test('`iptables-lint check … | head`: the reader leaving early ends the CLI quietly, with the status of the check', { skip }, async () => {
  // Enough findings to fill the pipe many times over: 20,000 lines with an error each.
  const text = '#!/bin/sh\n' + 'iptables -A INPUT -p tcp --dport 70000 -j ACCEPT\n'.repeat(20_000);
  const child = spawn(process.execPath, [CLI, 'check', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(text);
  // Read the first chunk, then go away (as `head` does).
  await new Promise<void>((resolve) => child.stdout.once('data', () => { child.stdout.destroy(); resolve(); }));
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  assert.equal(signal, null);
  assert.equal(code, 1, `exit status of a check that found errors; stderr: ${stderr.slice(0, 500)}`);
  assert.doesNotMatch(stderr, /EPIPE|Unhandled|at .*\(/);
});
