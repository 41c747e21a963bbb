// Drives code-server in headless Chromium (playwright-core from .e2e/cs).
//   node driver.cjs suite   run the extension-host suite through the smoke-test driver's payload
//   node driver.cjs ui      open a file, wait for squiggles, screenshot the Problems panel and a hover
//   node driver.cjs demo    check that the workbench loads and the extension reports diagnostics
// Settings come from the environment (see `env` below); exit code 0 means success.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const env = {
  port: Number(process.env.PORT),
  folder: process.env.WS_FOLDER,                  // workspace folder (absolute)
  file: process.env.WS_FILE || 'packet_filter.sh',
  extDev: process.env.EXT_DEV_PATH,               // extensionDevelopmentPath (suite mode)
  tests: process.env.EXT_TESTS_PATH,              // extensionTestsPath (suite mode)
  shots: process.env.SHOTS_DIR || path.resolve('test-results/e2e'),
  label: process.env.RUN_LABEL || 'en',
  expectCode: process.env.EXPECT_CODE || 'IPT201', // a code the Problems panel must show (ui mode)
  timeout: Number(process.env.TEST_TIMEOUT_MS || 180000),
  verbose: !!process.env.VERBOSE,
};
const base = `http://127.0.0.1:${env.port}`;
const remote = (p) => `vscode-remote://127.0.0.1:${env.port}${p}`; // remote authority as the browser sees it

async function withPage(fn) {
  const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-chromium-'));
  const ctx = await chromium.launchPersistentContext(udd, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  page.on('console', (m) => {
    const s = m.text();
    if (env.verbose || /\[Extension Host\]|iptables/i.test(s)) console.log(`  [browser ${m.type()}]`, s.replace(/%c|color: \S*/g, '').trim().slice(0, 300));
  });
  page.on('pageerror', (e) => console.log('  [pageerror]', e.message));
  try {
    return await fn(page);
  } finally {
    await ctx.close().catch(() => {});
    fs.rmSync(udd, { recursive: true, force: true });
  }
}

const url = (payload) => `${base}/?folder=${encodeURIComponent(env.folder)}` + (payload ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : '');
const shot = (page, name) => page.screenshot({ path: path.join(env.shots, name) }).then(() => console.log(`  screenshot ${path.relative(process.cwd(), path.join(env.shots, name))}`));

async function suite() {
  return withPage(async (page) => {
    let exit;
    const exited = new Promise((r) => (exit = r));
    await page.exposeFunction('codeAutomationExit', (code) => exit(code));
    await page.goto(url([['extensionDevelopmentPath', remote(env.extDev)], ['extensionTestsPath', remote(env.tests)]]));
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), env.timeout))]);
    if (code !== 0) await shot(page, `suite-${env.label}-end.png`).catch(() => {});
    if (code === 'timeout') console.log(`  suite did not finish within ${env.timeout} ms`);
    return code === 0 ? 0 : 1;
  });
}

async function openAndWaitForSquiggle(page) {
  await page.goto(url([['openFile', remote(`${env.folder}/${env.file}`)]]));
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
  await page.waitForSelector(`.tabs-container .tab:has-text("${env.file}")`, { timeout: 60000 });
  await page.waitForSelector('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning, .monaco-editor .squiggly-info', { timeout: 60000 });
}

async function ui() {
  return withPage(async (page) => {
    const t0 = Date.now();
    const failures = [];
    try {
      await openAndWaitForSquiggle(page);
      console.log(`  squiggle visible after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await page.keyboard.press('Control+Shift+M');
      await page.waitForSelector(`.markers-panel .monaco-list-row:has-text("${env.expectCode}")`, { timeout: 30000 })
        .catch(() => failures.push(`Problems panel shows no ${env.expectCode}`));
      const rows = (await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
      console.log(`  Problems panel: ${rows.length} rows; first: ${JSON.stringify(rows.slice(0, 3))}`);
      if (env.label.startsWith('ja') && !rows.some((r) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(r.replace(/^.*?packet_filter\.sh/, '')))) {
        failures.push('Problems panel shows no Japanese message');
      }
      await shot(page, `problems-${env.label}.png`);

      // Hover over the first squiggle: VS Code shows the diagnostic (and the server's hover, if any).
      const squiggle = page.locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning, .monaco-editor .squiggly-info').first();
      const box = await squiggle.boundingBox();
      if (!box) failures.push('no squiggle on screen to hover');
      else {
        await page.mouse.move(box.x + Math.min(box.width / 2, 20), box.y + box.height / 2 - 4);
        const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: /IPT\d{3}/ }).first();
        await hover.waitFor({ state: 'visible', timeout: 15000 }).catch(() => failures.push('no hover with a diagnostic appeared'));
        const text = (await hover.innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
        console.log(`  hover: ${JSON.stringify(text.slice(0, 200))}`);
        if (env.label.startsWith('ja') && !/[\u3040-\u30ff\u4e00-\u9fff]/.test(text)) failures.push('hover shows no Japanese text');
        await shot(page, `hover-${env.label}.png`);
      }

      // Command palette: our commands with titles from package.nls(.ja).json.
      const title = env.label.startsWith('ja') ? '実効ルールセットを表示' : 'Show Effective Ruleset';
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10000 });
      await page.keyboard.type('iptables');
      await page.waitForSelector(`.quick-input-list .monaco-list-row:has-text("${title}")`, { timeout: 10000 })
        .catch(() => failures.push(`command palette shows no "${title}"`));
      const commands = (await page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
      console.log(`  command palette: ${JSON.stringify(commands.slice(0, 6))}`);
      await shot(page, `commands-${env.label}.png`);
      await page.keyboard.press('Escape');
    } catch (e) {
      failures.push(e.message.split('\n')[0]);
      await shot(page, `ui-${env.label}-failure.png`).catch(() => {});
    }
    for (const f of failures) console.log(`  FAIL: ${f}`);
    return failures.length ? 1 : 0;
  });
}

async function demo() {
  return withPage(async (page) => {
    try {
      await openAndWaitForSquiggle(page);
      await shot(page, 'demo.png');
      console.log('  demo: workbench loaded, extension active (diagnostics shown)');
      return 0;
    } catch (e) {
      await shot(page, 'demo-failure.png').catch(() => {});
      console.log(`  demo check failed: ${e.message.split('\n')[0]}`);
      return 1;
    }
  });
}

const modes = { suite, ui, demo };
const mode = modes[process.argv[2]];
if (!mode || !env.port || !env.folder) {
  console.error('usage: PORT=.. WS_FOLDER=.. node driver.cjs suite|ui|demo');
  process.exit(2);
}
fs.mkdirSync(env.shots, { recursive: true });
mode().then((code) => process.exit(code), (e) => { console.error(e); process.exit(2); });
