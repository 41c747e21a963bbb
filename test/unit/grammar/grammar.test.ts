// TextMate grammars (syntaxes/) checked with vscode-tmgrammar-test, which tokenizes with the same
// engine as VS Code (vscode-textmate + oniguruma wasm). Expected scopes are written in cases/*.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../../..');
const RUNNER = join(ROOT, 'node_modules/vscode-tmgrammar-test/dist/unit.js');
const STAND_IN_SHELL = join(ROOT, 'test/unit/grammar/fixtures/shell-host.tmLanguage.json');
// VS Code's real shell grammar, present once test/e2e/run.sh has installed code-server.
const VSCODE_SHELL = join(ROOT, '.e2e/cs/node_modules/code-server/lib/vscode/extensions/shellscript/syntaxes/shell-unix-bash.tmLanguage.json');

/** Runs the cases with package.json's grammars (as VS Code loads them) plus `hostShell` as source.shell. */
function runCases(hostShell: string, cases: string, cwd = ROOT) {
  const r = spawnSync(process.execPath, [RUNNER, '--compact', '-g', hostShell, cases], { cwd, encoding: 'utf8' });
  return { status: r.status, output: (r.stdout + r.stderr).trim() };
}

test('iptables-save grammar: scopes of tables, chains, counters, commands, options, addresses, ports', () => {
  const r = runCases(STAND_IN_SHELL, 'test/unit/grammar/cases/save.test.rules');
  assert.equal(r.status, 0, r.output);
});

test('shell injection on a stand-in shell grammar: iptables lines only, shell words keep shell scopes', () => {
  const r = runCases(STAND_IN_SHELL, 'test/unit/grammar/cases/shell.test.sh');
  assert.equal(r.status, 0, r.output);
});

test("shell injection on VS Code's own shell grammar", { skip: !existsSync(VSCODE_SHELL) && 'code-server not installed (test/e2e/run.sh installs it)' }, () => {
  const r = runCases(VSCODE_SHELL, 'test/unit/grammar/cases/shell.test.sh');
  assert.equal(r.status, 0, r.output);
});

test('the case runner reports a wrong expectation (so a green run means something)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'grammar-neg-'));
  try {
    const file = join(dir, 'wrong.test.rules');
    writeFileSync(file, '# SYNTAX TEST "source.iptables-save" "negative control"\n-A INPUT -j ACCEPT\n#           ^^^^^^ support.function.target.iptables\n');
    const r = runCases(STAND_IN_SHELL, file);
    assert.notEqual(r.status, 0, r.output);
    assert.match(r.output, /2:13:19 missing required scopes: \[ support\.function\.target\.iptables \] actual scopes: \[source\.iptables-save constant\.language\.target\.iptables\]/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every scope name the grammars give ends in .iptables or .shell (so themes and tests can rely on them)', () => {
  for (const file of ['iptables-save.tmLanguage.json', 'iptables-shell-injection.tmLanguage.json']) {
    const names: string[] = [];
    JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'syntaxes', file), 'utf8')), (key, value: unknown) => {
      if ((key === 'name' || key === 'contentName') && typeof value === 'string') names.push(...value.split(/\s+/));
      return value;
    });
    assert.ok(names.length > 20, file);
    for (const n of names) {
      if (n === 'iptables-save' || n === 'source.iptables-save') continue;
      assert.match(n, /\.(iptables|shell|iptables-save)$/, `${file}: ${n}`);
    }
  }
});

test('language configuration: the word pattern keeps options, addresses and port ranges whole', () => {
  const conf = JSON.parse(readFileSync(join(ROOT, 'syntaxes/iptables-language-configuration.json'), 'utf8')) as {
    wordPattern: string; comments: { lineComment: string };
  };
  assert.equal(conf.comments.lineComment, '#');
  const words = (line: string) => line.match(new RegExp(conf.wordPattern, 'g'));
  assert.deepEqual(words('-A INPUT -p tcp --dport 1024:65535 -s 1.2.3.4/24 -j ACCEPT'),
    ['-A', 'INPUT', '-p', 'tcp', '--dport', '1024:65535', '-s', '1.2.3.4/24', '-j', 'ACCEPT']);
  assert.deepEqual(words('--sport :1023 --dport 1024: -d fe80::1/64'), ['--sport', ':1023', '--dport', '1024:', '-d', 'fe80::1/64']);
  // A chain declaration selects the chain name without its colon; a state list splits at commas.
  assert.deepEqual(words(':INPUT DROP [0:0]'), ['INPUT', 'DROP', '0:0']);
  assert.deepEqual(words('--ctstate ESTABLISHED,RELATED'), ['--ctstate', 'ESTABLISHED', 'RELATED']);
});
