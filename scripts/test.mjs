// Runs every test suite in order and ends with one line "N passed, N failed, N skipped".
//   node scripts/test.mjs            unit + grammar + language server + conformance + kernel + e2e
//   node scripts/test.mjs unit lsp   only those suites
// Suites that need something this machine lacks (root, iptables, chromium) skip with a reason.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SUITES = {
  unit: ['test/unit'],
  lsp: ['test/lsp'],
  conformance: ['test/conformance'],
  kernel: ['test/kernel'],
};

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const wanted = process.argv.slice(2);
const run = (name) => wanted.length === 0 || wanted.includes(name);
let passed = 0, failed = 0, skipped = 0;

function node(files) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout);
  const count = (label) => Number((r.stdout.match(new RegExp(`ℹ ${label} (\\d+)`)) ?? [])[1] ?? 0);
  passed += count('pass'); failed += count('fail'); skipped += count('skipped');
  if (r.status !== 0 && count('fail') === 0) failed++;
}

const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) { console.log('0 passed, 1 failed'); process.exit(1); }

for (const [name, dirs] of Object.entries(SUITES)) {
  if (!run(name)) continue;
  const files = dirs.flatMap(testFiles);
  if (!files.length) continue;
  console.log(`\n=== ${name}: ${files.length} file(s)`);
  node(files);
}

if (run('e2e') && existsSync('test/e2e/run.sh')) {
  console.log('\n=== e2e: the extension inside a real VS Code (code-server)');
  const r = spawnSync('bash', ['test/e2e/run.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout);
  const m = r.stdout.match(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/m);
  if (m) { passed += +m[1]; failed += +m[2]; skipped += +(m[3] ?? 0); }
  if (r.status !== 0 && (!m || +m[2] === 0)) failed++;
}

console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
