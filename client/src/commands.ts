// The commands of package.json. Each one asks the server (workspace/executeCommand) and shows its answer.
// Server-side command names carry a `.server.` part: the language client registers every command the
// server announces under its own name, and those must not clash with the ones registered here.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ErrorCodes, ExecuteCommandRequest, ResponseError, type InitializeResult, type LanguageClient } from 'vscode-languageclient/node';
import type { ReportDocuments } from './views';
import { markdownOf, traceMarkdown } from './reportMarkdown';

export const SERVER_COMMANDS = {
  effectiveRuleset: 'iptables.server.effectiveRuleset',
  restoreFile: 'iptables.server.restoreFile',
  tracePacket: 'iptables.server.tracePacket',
  exposureMatrix: 'iptables.server.exposureMatrix',
} as const;

export interface CommandContext {
  client(): LanguageClient | undefined;
  ready(): Promise<InitializeResult | undefined>;
  reports: ReportDocuments;
}

const RECENT_PACKETS_KEY = 'iptables.recentPackets';
const RECENT_PACKETS_MAX = 10;
const LANGUAGES = new Set(['shellscript', 'iptables']);

export function registerCommands(context: vscode.ExtensionContext, ctx: CommandContext): void {
  const reg = (id: string, fn: (...args: unknown[]) => Promise<unknown>) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  // Each handler returns what it opened, so that tests (and other extensions) can look at it.
  reg('iptables.showEffectiveRuleset', async (arg) => {
    const doc = await targetDocument(arg);
    if (!doc) return undefined;
    const result = await askServer(ctx, SERVER_COMMANDS.effectiveRuleset, [doc.uri.toString()]);
    if (result === undefined) return undefined;
    const opened: vscode.TextDocument[] = [];
    for (const { text, family } of rulesetTexts(result)) {
      const name = `${path.posix.basename(doc.uri.path)} (${vscode.l10n.t('effective')}${family ? ' IPv' + family : ''}).rules`;
      opened.push(await ctx.reports.showText(name, text, 'iptables'));
    }
    return opened[0];
  });

  reg('iptables.convertToRestoreFile', async (arg) => {
    const doc = await targetDocument(arg);
    if (!doc) return undefined;
    const result = await askServer(ctx, SERVER_COMMANDS.restoreFile, [doc.uri.toString()]);
    if (result === undefined) return undefined;
    let first: vscode.TextDocument | undefined;
    for (const { text, fileName } of rulesetTexts(result)) {
      const created = await untitledRules(doc.uri, fileName, text);
      await vscode.window.showTextDocument(created, { preview: false });
      first ??= created;
    }
    return first;
  });

  reg('iptables.tracePacket', async (arg, packetArg) => {
    const doc = await targetDocument(arg);
    if (!doc) return undefined;
    const packet = typeof packetArg === 'string' ? packetArg : await askForPacket(context);
    if (!packet) return undefined;
    const result = await askServer(ctx, SERVER_COMMANDS.tracePacket, [doc.uri.toString(), packet]);
    if (result === undefined) return undefined;
    if (result && typeof result === 'object' && typeof (result as { error?: unknown }).error === 'string') {
      void vscode.window.showErrorMessage((result as { error: string }).error);
      return undefined;
    }
    await rememberPacket(context, packet);
    return ctx.reports.showMarkdown(vscode.l10n.t('Trace {0}', path.posix.basename(doc.uri.path)), traceMarkdown(result, packet, doc));
  });

  reg('iptables.showExposureMatrix', async (arg) => {
    const doc = await targetDocument(arg);
    if (!doc) return undefined;
    const result = await askServer(ctx, SERVER_COMMANDS.exposureMatrix, [doc.uri.toString()]);
    if (result === undefined) return undefined;
    return ctx.reports.showMarkdown(vscode.l10n.t('Exposure {0}', path.posix.basename(doc.uri.path)), markdownOf(result));
  });
}

/** The document a command works on: the URI it was given (explorer, tests) or the active editor's. */
async function targetDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
  if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && LANGUAGES.has(doc.languageId)) return doc;
  void vscode.window.showWarningMessage(vscode.l10n.t('Open an iptables script or an iptables-save file first.'));
  return undefined;
}

/** Sends workspace/executeCommand; undefined (after telling the user) when the server cannot answer. */
async function askServer(ctx: CommandContext, command: string, args: unknown[]): Promise<unknown> {
  let init: InitializeResult | undefined;
  try {
    init = await ctx.ready();
  } catch {
    return undefined; // activation already reported why the server did not start
  }
  const client = ctx.client();
  if (!init || !client) {
    void vscode.window.showWarningMessage(vscode.l10n.t('The iptables language server is turned off (setting "iptables.enable").'));
    return undefined;
  }
  const offered = init.capabilities.executeCommandProvider?.commands ?? [];
  if (!offered.includes(command)) {
    void vscode.window.showInformationMessage(vscode.l10n.t('This version of the iptables language server does not offer this command yet.'));
    return undefined;
  }
  try {
    const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
    if (result === null || result === undefined) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The iptables language server returned nothing for this document.'));
      return undefined;
    }
    return result;
  } catch (err) {
    if (err instanceof ResponseError && err.code === ErrorCodes.MethodNotFound) {
      void vscode.window.showInformationMessage(vscode.l10n.t('This version of the iptables language server does not offer this command yet.'));
    } else {
      void vscode.window.showErrorMessage(vscode.l10n.t('The iptables language server failed: {0}', err instanceof Error ? err.message : String(err)));
    }
    return undefined;
  }
}

interface RulesetText { text: string; family?: number; fileName?: string }

/** Accepts a plain string, `{ text | save, family?, fileName? }`, or a list of those (one per family). */
export function rulesetTexts(result: unknown): RulesetText[] {
  const one = (r: unknown): RulesetText | undefined => {
    if (typeof r === 'string') return { text: r };
    if (r && typeof r === 'object') {
      const o = r as { text?: unknown; save?: unknown; family?: unknown; fileName?: unknown };
      const text = typeof o.text === 'string' ? o.text : typeof o.save === 'string' ? o.save : undefined;
      if (text !== undefined) {
        return { text, family: typeof o.family === 'number' ? o.family : undefined, fileName: typeof o.fileName === 'string' ? o.fileName : undefined };
      }
    }
    return undefined;
  };
  const list = (Array.isArray(result) ? result : [result]).map(one).filter((x) => x !== undefined);
  return list.length ? list : [{ text: JSON.stringify(result, null, 2) }];
}

/**
 * A new unsaved iptables document. With a suggested file name (from the server) it is an untitled
 * document beside the source, so that Save proposes that name and folder.
 */
async function untitledRules(source: vscode.Uri, fileName: string | undefined, text: string): Promise<vscode.TextDocument> {
  if (fileName && source.scheme === 'file') {
    try {
      const target = vscode.Uri.joinPath(source, '..', path.posix.basename(fileName)).with({ scheme: 'untitled' });
      let doc = await vscode.workspace.openTextDocument(target);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
      if (await vscode.workspace.applyEdit(edit)) {
        if (doc.languageId !== 'iptables') doc = await vscode.languages.setTextDocumentLanguage(doc, 'iptables');
        return doc;
      }
    } catch {
      // fall through to a nameless document
    }
  }
  return vscode.workspace.openTextDocument({ language: 'iptables', content: text });
}

/** A quick pick that takes free text and offers the packets traced before, newest first. */
async function askForPacket(context: vscode.ExtensionContext): Promise<string | undefined> {
  const recent = context.globalState.get<string[]>(RECENT_PACKETS_KEY, []);
  const qp = vscode.window.createQuickPick();
  qp.title = vscode.l10n.t('Trace a packet through the ruleset');
  qp.placeholder = vscode.l10n.t('protocol source > destination [in IFACE] [out IFACE] [state STATE], e.g. tcp 203.0.113.9:40000 > 10.0.0.1:22 in eth0 state NEW');
  qp.ignoreFocusOut = true;
  const recentItems = recent.map((label) => ({ label, description: vscode.l10n.t('recent') }));
  qp.items = recentItems;
  qp.onDidChangeValue((value) => {
    const typed = value.trim();
    qp.items = typed && !recent.includes(typed) ? [{ label: typed, description: vscode.l10n.t('trace this packet') }, ...recentItems] : recentItems;
  });
  const picked = await new Promise<string | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]?.label ?? (qp.value.trim() || undefined)));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  return picked;
}

async function rememberPacket(context: vscode.ExtensionContext, packet: string): Promise<void> {
  const recent = context.globalState.get<string[]>(RECENT_PACKETS_KEY, []).filter((p) => p !== packet);
  await context.globalState.update(RECENT_PACKETS_KEY, [packet, ...recent].slice(0, RECENT_PACKETS_MAX));
}
