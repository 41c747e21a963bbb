// The language server: LSP transport and wiring only. Every feature lives in service/ and takes
// an Analysis (cached per document version), so handlers stay one-liners.
import './node20';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, CodeActionKind, ErrorCodes, LSPErrorCodes, ResponseError,
  type CancellationToken, type InitializeParams,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from './engine';
import type { Lang } from './syntax/ast';
import { DEFAULT_CONFIG, mergeConfig } from './config';
import { AnalysisCache } from './service/documents';
import { diagnosticsFor } from './service/diagnostics';
import { codeActions } from './service/codeActions';
import { hover } from './service/hover';
import { completion, warmCompletion } from './service/completion';
import { definition, highlights, prepareRename, references, rename } from './service/navigation';
import { documentSymbols, foldingRanges } from './service/symbols';
import { formatSaveDocument } from './service/formatting';
import { inlayHints } from './service/inlayHints';
import { PLAIN_COMMANDS, SERVER_COMMANDS, asV4V6, effectiveRuleset, matrixCommand, restoreFiles, traceCommand } from './service/commands';
import { REFACTOR_KINDS, restoreFileEdit, type PendingRefactor } from './service/refactor';
import { warm } from './service/locate';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const cache = new AnalysisCache(DEFAULT_CONFIG);
cache.onError = (uri, e) => connection.console.error(`analysis of ${uri} failed: ${(e as Error)?.stack ?? e}`);
let lang: Lang = 'en';
let pullConfig = false;
let createFiles = false;
let resolveEdits = false;
let editRangeDefault = false;

const analysisOf = (doc: TextDocument) => cache.get({ uri: doc.uri, languageId: doc.languageId, version: doc.version, text: doc.getText() });

connection.onInitialize((params: InitializeParams) => {
  const opts = (params.initializationOptions ?? {}) as { locale?: string; settings?: unknown };
  const locale = opts.locale ?? params.locale ?? 'en';
  lang = /^ja/i.test(locale) ? 'ja' : 'en';
  if (opts.settings) cache.setConfig(mergeConfig(DEFAULT_CONFIG, opts.settings));
  pullConfig = !!params.capabilities.workspace?.configuration;
  const we = params.capabilities.workspace?.workspaceEdit;
  createFiles = !!we?.documentChanges && !!we.resourceOperations?.includes('create');
  resolveEdits = !!params.capabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit');
  editRangeDefault = !!params.capabilities.textDocument?.completion?.completionList?.itemDefaults?.includes('editRange');
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll, 'source.fixAll.iptables', ...Object.values(REFACTOR_KINDS)], resolveProvider: true },
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['-', ' ', ',', '$', '*'] },
      definitionProvider: true,
      referencesProvider: true,
      documentHighlightProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: { label: 'iptables' },
      foldingRangeProvider: true,
      documentFormattingProvider: true,
      inlayHintProvider: true,
      executeCommandProvider: { commands: Object.values(SERVER_COMMANDS) },
    },
    serverInfo: { name: 'iptables-language-server', version: '0.1.0' },
  };
});

connection.onInitialized(() => { if (pullConfig) void refreshConfig(); });

async function refreshConfig(): Promise<void> {
  try {
    const settings = await connection.workspace.getConfiguration('iptables');
    cache.setConfig(mergeConfig(DEFAULT_CONFIG, settings));
    for (const doc of documents.all()) schedule(doc);
  } catch {
    // A client without workspace/configuration keeps the defaults.
  }
}

connection.onDidChangeConfiguration((change) => {
  const s = (change.settings as { iptables?: unknown } | undefined)?.iptables;
  if (s) { cache.setConfig(mergeConfig(DEFAULT_CONFIG, s)); for (const doc of documents.all()) schedule(doc); }
  else if (pullConfig) void refreshConfig();
});

// Diagnostics: a burst of edits is analysed once, for the newest version only. Edits that arrive
// while an analysis runs queue up and are all applied before the next one starts; a document whose
// analysis takes long waits a few ms first, so that every queued message (the JSON-RPC reader hands
// out one per macrotask) is read before it starts, not just the first.
const pending = new Map<string, { cancel(): void }>();
const lastCost = new Map<string, number>();
const SLOW_MS = 100;
const SETTLE_MS = 5;

const warming = new Map<string, NodeJS.Timeout>();
const WARM_AFTER_MS = 200;
function warmLater(uri: string, a: Analysis): void {
  clearTimeout(warming.get(uri));
  warming.set(uri, setTimeout(() => {
    warming.delete(uri);
    if (cache.peek(uri) === a) { warm(a); warmCompletion(a); }
  }, WARM_AFTER_MS));
}

function schedule(doc: TextDocument): void {
  pending.get(doc.uri)?.cancel();
  clearTimeout(warming.get(doc.uri));
  const run = () => {
    pending.delete(doc.uri);
    const current = documents.get(doc.uri);
    if (!current) return;
    try {
      const t0 = performance.now();
      const a = analysisOf(current);
      // An edit re-reads only its lines (the line cache): the first analysis of a document reads all
      // of them and costs 4-10 times an edit's (measured: 10,000 lines 230 vs 25 ms, 70,000: 1,000 vs
      // 200 ms), so it says little about the next edit; a quarter of it is what counts then.
      const cost = performance.now() - t0;
      lastCost.set(current.uri, lastCost.has(current.uri) ? cost : cost / 4);
      void connection.sendDiagnostics({ uri: current.uri, version: current.version, diagnostics: diagnosticsFor(a, current.uri, lang) });
      // The indexes hover and completion use are built once typing pauses, not on the first
      // request (and not between two keystrokes, where they would delay the next diagnostics).
      warmLater(current.uri, a);
    } catch (e) {
      connection.console.error(`diagnostics for ${current.uri} failed: ${(e as Error)?.stack ?? e}`);
    }
  };
  if ((lastCost.get(doc.uri) ?? 0) > SLOW_MS) {
    const t = setTimeout(run, SETTLE_MS);
    pending.set(doc.uri, { cancel: () => clearTimeout(t) });
  } else {
    const t = setImmediate(run);
    pending.set(doc.uri, { cancel: () => clearImmediate(t) });
  }
}

documents.onDidOpen((e) => schedule(e.document));
documents.onDidChangeContent((e) => schedule(e.document));
documents.onDidClose((e) => {
  pending.get(e.document.uri)?.cancel();
  clearTimeout(warming.get(e.document.uri));
  warming.delete(e.document.uri);
  pending.delete(e.document.uri);
  lastCost.delete(e.document.uri);
  cache.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

const cancelled = () => new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Quick requests: answered from the cached analysis, null for a document the server does not know. */
function quick<T>(uri: string, fn: (a: Analysis, doc: TextDocument) => T): T | null {
  const doc = documents.get(uri);
  return doc ? fn(analysisOf(doc), doc) : null;
}

/**
 * Requests that may take long on a big document: the event loop gets a turn before and after the
 * analysis, so a $/cancelRequest sent meanwhile is seen; the feature itself checks the token too.
 */
async function long<T>(uri: string, token: CancellationToken, fn: (a: Analysis, doc: TextDocument) => T): Promise<T | null> {
  await tick();
  if (token.isCancellationRequested) throw cancelled();
  const doc = documents.get(uri);
  if (!doc) return null;
  const a = analysisOf(doc);
  await tick();
  if (token.isCancellationRequested) throw cancelled();
  const result = fn(a, doc);
  if (token.isCancellationRequested) throw cancelled();
  return result;
}

const orError = <T extends object>(r: T | { error: string } | undefined | null): T | null => {
  if (r && 'error' in r) throw new ResponseError(ErrorCodes.InvalidRequest, (r as { error: string }).error);
  return (r as T) ?? null;
};

connection.onCodeAction((p, token) => long(p.textDocument.uri, token, (a, doc) => codeActions(a, doc.uri, p.range, lang, p.context.only, { createFiles, resolveEdits })));
connection.onCodeActionResolve(async (action, token) => {
  const pending = action.data as PendingRefactor | undefined;
  if (pending?.refactor !== 'restoreFile') return action;
  const edit = await long(pending.uri, token, (a, doc) => restoreFileEdit(a, doc.uri, lang));
  return edit ? { ...action, edit, data: undefined } : action;
});
connection.onHover((p) => quick(p.textDocument.uri, (a) => hover(a, p.position, lang)));
connection.onCompletion((p) => quick(p.textDocument.uri, (a) => completion(a, p.position, lang, { editRangeDefault })));
connection.onDefinition((p) => quick(p.textDocument.uri, (a, doc) => definition(a, doc.uri, p.position)));
connection.onReferences((p, token) => long(p.textDocument.uri, token, (a, doc) => references(a, doc.uri, p.position, p.context.includeDeclaration, token)));
connection.onDocumentHighlight((p) => quick(p.textDocument.uri, (a) => highlights(a, p.position)));
connection.onPrepareRename((p) => orError(quick(p.textDocument.uri, (a) => prepareRename(a, p.position, lang))));
connection.onRenameRequest((p) => orError(quick(p.textDocument.uri, (a, doc) => rename(a, doc.uri, p.position, p.newName, lang))));
connection.onDocumentSymbol((p, token) => long(p.textDocument.uri, token, (a) => documentSymbols(a, token)));
connection.onFoldingRanges((p, token) => long(p.textDocument.uri, token, (a) => foldingRanges(a)));
connection.onDocumentFormatting((p, token) => long(p.textDocument.uri, token, (a) => formatSaveDocument(a, token)));
connection.languages.inlayHint.on((p, token) => long(p.textDocument.uri, token, (a) => inlayHints(a, p.range, lang, token)));

connection.onExecuteCommand(async (p, token) => {
  const uri = typeof p.arguments?.[0] === 'string' ? p.arguments[0] : undefined;
  if (!uri) throw new ResponseError(ErrorCodes.InvalidParams, `${p.command} needs the document URI as its first argument`);
  await tick();
  if (token.isCancellationRequested) throw cancelled();
  const a = commandAnalysis(uri);
  switch (p.command) {
    case SERVER_COMMANDS.effectiveRuleset: return effectiveRuleset(a);
    case PLAIN_COMMANDS.effectiveRuleset: return asV4V6(effectiveRuleset(a));
    case SERVER_COMMANDS.restoreFile: return restoreFiles(a, uri, lang);
    case SERVER_COMMANDS.tracePacket: return traceCommand(a, p.arguments?.[1], lang);
    case SERVER_COMMANDS.exposureMatrix: return matrixCommand(a, lang);
    case PLAIN_COMMANDS.restoreFile: {
      const files = restoreFiles(a, uri, lang);
      return { ...asV4V6(files), load: asV4V6(files.map((f) => ({ family: f.family, text: f.command }))) };
    }
    default: throw new ResponseError(ErrorCodes.MethodNotFound, `unknown command ${p.command}`);
  }
});

/** An open document, or a file on disk (a command run from the explorer on a closed file). */
function commandAnalysis(uri: string): Analysis {
  const doc = documents.get(uri);
  if (doc) return analysisOf(doc);
  let text: string;
  try {
    text = readFileSync(fileURLToPath(uri), 'utf8');
  } catch {
    throw new ResponseError(ErrorCodes.InvalidParams, `cannot read ${uri}`);
  }
  const languageId = /\.(rules|v4|v6)$|iptables-save|sysconfig\/ip6?tables$/.test(uri) ? 'iptables' : 'plaintext';
  const key = `command:${uri}`;
  const a = cache.get({ uri: key, languageId, version: -1, text });
  cache.delete(key); // the file may change on disk: read it afresh next time
  return a;
}

documents.listen(connection);
connection.listen();
