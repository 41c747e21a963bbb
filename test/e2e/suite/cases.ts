// End-to-end cases, run inside a real VS Code extension host (code-server here, desktop VS Code under
// @vscode/test-cli). The workspace is a copy of examples/ (packet_filter.sh, rules.v4). A case whose
// server feature is missing from the server's `initialize` answer is skipped with the reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { InitializeResult, ServerCapabilities } from 'vscode-languageclient/node';
import type { IptablesExtensionApi } from '../../../client/src/extension';
import { codeOf, describe, hoverText, JAPANESE, skip, waitForDiagnostics, waitForTab, type TestApi } from './harness';

const EXTENSION_ID = 'iptables-lint.iptables-vscode';
// Facts about examples/packet_filter.sh (0-based lines): line 12 sets the INPUT policy to DROP before
// anything lets SSH in; line 25 opens the open-ended port range 1024: (= 1024:65535) to new connections.
const EXPECTED = [
  { code: 'IPT201', line: 11, text: 'iptables -P INPUT DROP' },
  { code: 'IPT301', line: 24, text: '1024:' },
];
const COMMENT_LINES = [2, 5, 6, 7, 8, 10]; // '#...' lines, incl. the commented-out '#iptables ?F'

export function defineTests({ test, note }: TestApi): void {
  const ja = vscode.env.language.toLowerCase().startsWith('ja');
  let init: InitializeResult | undefined;
  const folder = () => {
    const f = vscode.workspace.workspaceFolders?.[0];
    assert.ok(f, 'no workspace folder open');
    return f.uri;
  };
  const script = () => vscode.Uri.joinPath(folder(), 'packet_filter.sh');
  const saveFile = () => vscode.Uri.joinPath(folder(), 'rules.v4');
  const caps = (): ServerCapabilities => {
    if (!init) skip('the language server did not initialize (see the first case)');
    return init!.capabilities;
  };
  const serverCommand = (name: string) => {
    if (!caps().executeCommandProvider?.commands?.includes(name)) skip(`server does not offer the command ${name} yet`);
  };
  const expectedDiagnostics = () =>
    waitForDiagnostics(script(), (ds) => EXPECTED.every((e) => ds.some((d) => codeOf(d) === e.code)), EXPECTED.map((e) => e.code).join(' and '));

  test('extension activates and the language server initializes', async () => {
    const ext = vscode.extensions.getExtension<IptablesExtensionApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    const doc = await vscode.workspace.openTextDocument(script());
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'shellscript');
    const api = await ext.activate();
    init = await api.ready();
    assert.ok(init?.capabilities, 'no initialize result');
    const offered = Object.keys(init.capabilities).filter((k) => (init!.capabilities as Record<string, unknown>)[k]);
    note(`# server ${init.serverInfo?.name ?? '?'} ${init.serverInfo?.version ?? ''}; locale sent ${api.locale}; offers ${offered.join(', ')}`);
    note(`# server commands: ${(init.capabilities.executeCommandProvider?.commands ?? []).join(', ') || '(none)'}`);
    assert.equal(api.locale, vscode.env.language);
    const want = process.env.E2E_EXPECT_LANGUAGE;
    if (want) assert.equal(vscode.env.language, want, 'display language of this run');
  });

  test('rules.v4 opens as the iptables (iptables-save) language', async () => {
    const doc = await vscode.workspace.openTextDocument(saveFile());
    assert.equal(doc.languageId, 'iptables');
  });

  test('diagnostics: codes and exact ranges on packet_filter.sh', async () => {
    caps();
    const doc = await vscode.workspace.openTextDocument(script());
    const ds = await expectedDiagnostics();
    note(`# diagnostics: ${ds.map(describe).join(' | ')}`);
    for (const e of EXPECTED) {
      const d = ds.find((x) => codeOf(x) === e.code && x.range.start.line === e.line);
      assert.ok(d, `${e.code} not on line ${e.line + 1}: ${ds.map(describe).join(' | ')}`);
      assert.equal(doc.getText(d.range), e.text, `${e.code} range`);
    }
    for (const d of ds) assert.ok(!COMMENT_LINES.includes(d.range.start.line), `diagnostic on a comment line: ${describe(d)}`);
  });

  test(`diagnostic messages are in the display language (${vscode.env.language})`, async () => {
    caps();
    const ds = await expectedDiagnostics();
    for (const d of ds) {
      if (ja) assert.match(d.message, JAPANESE, describe(d));
      else assert.doesNotMatch(d.message, JAPANESE, describe(d));
    }
    // The client's own strings come from l10n/bundle.l10n.ja.json in the installed package.
    assert.equal(vscode.l10n.t('Verdict'), ja ? '判定' : 'Verdict');
  });

  test('hover on --dport explains the option', async () => {
    if (!caps().hoverProvider) skip('server does not offer hover (no hoverProvider)');
    const doc = await vscode.workspace.openTextDocument(script());
    const line = 20; // iptables -A INPUT -p tcp --dport 80 -j ACCEPT
    const col = doc.lineAt(line).text.indexOf('--dport');
    assert.ok(col > 0);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, col + 3));
    const text = hoverText(hovers ?? []);
    note(`# hover --dport: ${JSON.stringify(text.slice(0, 200))}`);
    assert.match(text, ja ? /宛先ポート/ : /destination port/i);
  });

  test('completion after -j offers targets, after -m offers match modules', async () => {
    if (!caps().completionProvider) skip('server does not offer completion (no completionProvider)');
    const doc = await vscode.workspace.openTextDocument({ language: 'shellscript', content: '#!/bin/sh\niptables -A INPUT -p tcp -j \niptables -A INPUT -p tcp -m \n' });
    const labels = async (line: number) => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line, doc.lineAt(line).text.length));
      return (list?.items ?? []).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    };
    const targets = await labels(1);
    note(`# completion after -j: ${targets.slice(0, 12).join(' ')}${targets.length > 12 ? ' …' : ''} (${targets.length})`);
    for (const t of ['ACCEPT', 'DROP', 'REJECT', 'LOG']) assert.ok(targets.includes(t), `${t} missing after -j`);
    const modules = await labels(2);
    for (const m of ['conntrack', 'multiport', 'state', 'comment']) assert.ok(modules.includes(m), `${m} missing after -m`);
  });

  test('outline: tables and chains of rules.v4', async () => {
    if (!caps().documentSymbolProvider) skip('server does not offer document symbols (no documentSymbolProvider)');
    const doc = await vscode.workspace.openTextDocument(saveFile());
    const symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[]>('vscode.executeDocumentSymbolProvider', doc.uri);
    assert.ok(symbols?.length, 'no symbols');
    const flat: { name: string; parent?: string }[] = [];
    const walk = (s: vscode.DocumentSymbol | vscode.SymbolInformation, parent?: string) => {
      flat.push({ name: s.name, parent: parent ?? ('containerName' in s ? s.containerName : undefined) });
      if ('children' in s) for (const c of s.children) walk(c, s.name);
    };
    symbols.forEach((s) => walk(s));
    note(`# outline rules.v4: ${flat.map((s) => (s.parent ? `${s.parent}/` : '') + s.name).slice(0, 12).join(', ')}`);
    const table = flat.find((s) => /\bfilter\b/.test(s.name));
    assert.ok(table, 'no symbol for the filter table');
    for (const chain of ['INPUT', 'FORWARD', 'OUTPUT', 'LOGDROP']) {
      const c = flat.find((s) => s.name.split(/\s/)[0] === chain);
      assert.ok(c, `no symbol for chain ${chain}`);
      assert.equal(c.parent, table.name, `${chain} is not under the filter table`);
    }
  });

  /** Quick fixes at a range; asked again when VS Code cancels the request (a diagnostics update arrived meanwhile). */
  async function codeActionsAt(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value)) ?? [];
      } catch (e) {
        if (attempt >= 5 || !/cancel/i.test(String((e as Error)?.message ?? e))) throw e;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  test('quick fix: applying it removes its diagnostic', async () => {
    if (!caps().codeActionProvider) skip('server does not offer code actions (no codeActionProvider)');
    const doc = await vscode.workspace.openTextDocument(script());
    const editor = await vscode.window.showTextDocument(doc);
    const ds = await expectedDiagnostics();
    const original = doc.getText();
    let chosen: { d: vscode.Diagnostic; action: vscode.CodeAction } | undefined;
    // Errors first, whatever order the Problems list has (two diagnostics may share a range: the
    // fix must be the one made for this diagnostic). An action that names no diagnostic is taken
    // only when no action names its own.
    const bySeverity = [...ds].sort((a, b) => a.severity - b.severity);
    const own = (a: vscode.CodeAction, d: vscode.Diagnostic) => !!a.diagnostics?.some((x) => codeOf(x) === codeOf(d) && x.message === d.message);
    for (const strict of [true, false]) {
      for (const d of bySeverity) {
        const actions = await codeActionsAt(doc.uri, d.range);
        const fitting = actions.filter((a) => a.edit && (strict ? own(a, d) : !a.diagnostics?.length));
        const action = fitting.find((a) => a.isPreferred) ?? fitting[0];
        if (action) { chosen = { d, action }; break; }
      }
      if (chosen) break;
    }
    if (!chosen) skip(`no quick fix offered for any of ${ds.map(codeOf).join(', ')}`);
    const { d, action } = chosen!;
    note(`# quick fix for ${describe(d)}: "${action.title}"`);
    const count = (list: readonly vscode.Diagnostic[]) => list.filter((x) => codeOf(x) === codeOf(d) && x.message === d.message).length;
    const before = count(ds);
    const changed = waitForDiagnostics(doc.uri, (list) => doc.getText() !== original && count(list) < before, `${codeOf(d)} to go away after the fix`);
    assert.ok(await vscode.workspace.applyEdit(action.edit!), 'applyEdit refused');
    if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    await changed;
    assert.notEqual(doc.getText(), original);
    // Back to the file on disk for the next cases; its diagnostics come back.
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.equal(doc.getText(), original);
    await waitForDiagnostics(doc.uri, (list) => count(list) === before, `${codeOf(d)} to return after revert`);
  });

  test('settings reach the server: iptables.severity turns a check off and on again', async () => {
    caps();
    const config = vscode.workspace.getConfiguration('iptables');
    const has501 = (list: readonly vscode.Diagnostic[]) => list.some((d) => codeOf(d) === 'IPT501');
    const ds = await expectedDiagnostics();
    if (!has501(ds)) skip('no IPT501 on packet_filter.sh to turn off');
    // User (global) settings: the workspace may be the examples/ folder itself under @vscode/test-cli.
    try {
      const gone = waitForDiagnostics(script(), (list) => list.length > 0 && !has501(list), 'IPT501 to disappear');
      await config.update('severity', { IPT501: 'off' }, vscode.ConfigurationTarget.Global);
      await gone;
    } finally {
      const back = waitForDiagnostics(script(), has501, 'IPT501 to come back');
      await config.update('severity', undefined, vscode.ConfigurationTarget.Global);
      await back;
    }
  });

  test('iptables.enable=false stops the server (its diagnostics go), true starts it again', async () => {
    caps();
    const config = vscode.workspace.getConfiguration('iptables');
    await expectedDiagnostics();
    try {
      const cleared = waitForDiagnostics(script(), (list) => list.length === 0, 'diagnostics to be cleared');
      await config.update('enable', false, vscode.ConfigurationTarget.Global);
      await cleared;
    } finally {
      const back = expectedDiagnostics();
      await config.update('enable', undefined, vscode.ConfigurationTarget.Global);
      await back;
    }
    const api = vscode.extensions.getExtension<IptablesExtensionApi>(EXTENSION_ID)!.exports;
    init = await api.ready(); // the restarted client's answer, for the cases below
    assert.ok(init?.capabilities);
  });

  test('command: Show Effective Ruleset gives what iptables-save prints after running the script', async () => {
    serverCommand('iptables.server.effectiveRuleset');
    const result = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('iptables.showEffectiveRuleset', script());
    assert.ok(result, 'no document opened');
    assert.equal(result.languageId, 'iptables');
    const oracle = realIptablesSave(script().fsPath);
    if (oracle !== undefined) assert.equal(result.getText().trimEnd(), oracle.trimEnd());
    else for (const l of [':INPUT DROP [0:0]', '-A INPUT -s 203.0.113.5/32 -p tcp -m tcp --dport 22 -j ACCEPT', 'COMMIT']) assert.ok(result.getText().includes(l), l);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('command: Trace Packet gives ACCEPT for the trusted host and DROP for others (SSH)', async () => {
    serverCommand('iptables.server.tracePacket');
    const trace = async (packet: string) => {
      const doc = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('iptables.tracePacket', script(), packet);
      assert.ok(doc, 'no trace shown');
      return doc.getText();
    };
    const trusted = await trace('tcp 203.0.113.5:40000 > 10.0.0.1:22 in eth0 state NEW');
    assert.match(trusted, /\bACCEPT\b/);
    // The deciding rule is the SSH allow for $TrustIP: its line number links to that line of the
    // script, and its text is shown.
    const source = (await vscode.workspace.openTextDocument(script())).getText().split('\n');
    const ssh = source.findIndex((l) => l.includes('$TrustIP') && l.includes('--dport 22')) + 1;
    assert.ok(ssh > 0);
    assert.ok(trusted.includes(`](${script().with({ fragment: `L${ssh}` }).toString()})`), `a link to line ${ssh} in:\n${trusted}`);
    assert.ok(trusted.includes('`iptables -A INPUT -p tcp -s $TrustIP --dport 22 -j ACCEPT`'), trusted);
    assert.match(await trace('tcp 198.51.100.7:40000 > 10.0.0.1:22 in eth0 state NEW'), /\bDROP\b/);
    // Shown as a rendered Markdown preview (a webview tab), one per report however often it runs.
    const name = vscode.l10n.t('Trace {0}', 'packet_filter.sh') + '.md';
    await waitForTab((t) => t.input instanceof vscode.TabInputWebview && t.label.endsWith(name), `a preview of ${name}`);
    const previews = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label.endsWith(name));
    assert.equal(previews.length, 1, 'previews of the trace');
  });

  test('command: Show Exposure Matrix lists the HTTP port open to everyone', async () => {
    serverCommand('iptables.server.exposureMatrix');
    const doc = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('iptables.showExposureMatrix', script());
    assert.ok(doc, 'no matrix shown');
    assert.match(doc.getText(), /\b80\b/);
    const name = vscode.l10n.t('Exposure {0}', 'packet_filter.sh') + '.md';
    await waitForTab((t) => t.input instanceof vscode.TabInputWebview && t.label.endsWith(name), `a preview of ${name}`);
  });

  test('command: Convert to iptables-restore File opens an untitled iptables document', async () => {
    serverCommand('iptables.server.restoreFile');
    const doc = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('iptables.convertToRestoreFile', script());
    assert.ok(doc, 'no document opened');
    assert.equal(doc.languageId, 'iptables');
    assert.equal(doc.uri.scheme, 'untitled');
    // A suggested name (as the server sends) puts the unsaved file beside the script.
    if (!/^Untitled-\d+$/.test(doc.uri.path)) assert.equal(doc.uri.path.slice(0, doc.uri.path.lastIndexOf('/')), folder().path);
    assert.match(doc.getText(), /^\*filter$/m);
    assert.match(doc.getText(), /^COMMIT$/m);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
}

/** The ruleset real iptables builds from the script, in an empty network namespace (root only). */
function realIptablesSave(file: string): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'sh "$1" >/dev/null 2>&1; iptables-save', 'sh', file], { encoding: 'utf8', timeout: 20000 });
  if (r.status !== 0 || !r.stdout.includes('*filter')) return undefined;
  return r.stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n');
}
