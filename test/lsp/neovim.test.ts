// The built server with Neovim's own LSP client (a second real editor). Skips without nvim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SERVER, serverBuilt } from './client';

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const skip = nvim.status !== 0 ? 'nvim is not installed' : !serverBuilt() ? 'dist/server.cjs is missing: run npm run build' : false;

test('Neovim gets diagnostics, a Japanese hover and completions', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipt-nvim-'));
  try {
    const file = join(dir, 'rules.v4');
    writeFileSync(file, '*filter\n:INPUT DROP [0:0]\n:FOO - [0:0]\n-A INPUT -j FOO\n-A FOO -j \n-A FOO -j NOSUCH\nCOMMIT\n');
    const out = join(dir, 'out.txt');
    const r = spawnSync('nvim', ['--headless', '-n', '-i', 'NONE', '-u', 'NONE', '-c', `luafile ${join(ROOT, 'test', 'lsp', 'neovim.lua')}`], {
      cwd: dir, encoding: 'utf8', timeout: 60000,
      env: { ...process.env, IPT_FILE: file, IPT_OUT: out, IPT_NODE: process.execPath, IPT_SERVER: SERVER },
    });
    assert.equal(r.error, undefined);
    const lines = readFileSync(out, 'utf8').split('\n');
    assert.ok(lines.some((l) => /^diagnostic 5 .*NOSUCH/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('hover ') && l.includes('ユーザー定義チェイン')), lines.join('\n'));
    const comp = lines.find((l) => l.startsWith('completion '))?.split(' ') ?? [];
    assert.ok(comp.includes('ACCEPT') && comp.includes('FOO'), comp.join(' '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
