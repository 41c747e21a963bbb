// The language server: LSP transport and wiring only. Every feature lives in service/ and takes
// an Analysis (cached per document version), so handlers stay one-liners.
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, CodeActionKind, type InitializeParams } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Lang } from './syntax/ast';
import { DEFAULT_CONFIG, mergeConfig } from './config';
import { AnalysisCache } from './service/documents';
import { diagnosticsFor } from './service/diagnostics';
import { codeActions } from './service/codeActions';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const cache = new AnalysisCache(DEFAULT_CONFIG);
let lang: Lang = 'en';
let pullConfig = false;

const analysisOf = (doc: TextDocument) => cache.get({ uri: doc.uri, languageId: doc.languageId, version: doc.version, text: doc.getText() });

connection.onInitialize((params: InitializeParams) => {
  const opts = (params.initializationOptions ?? {}) as { locale?: string; settings?: unknown };
  const locale = opts.locale ?? params.locale ?? 'en';
  lang = /^ja/i.test(locale) ? 'ja' : 'en';
  if (opts.settings) cache.setConfig(mergeConfig(DEFAULT_CONFIG, opts.settings));
  pullConfig = !!params.capabilities.workspace?.configuration;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll, 'source.fixAll.iptables'] },
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

// Diagnostics: a burst of edits is analysed once, for the newest version only.
const pending = new Map<string, NodeJS.Immediate>();
function schedule(doc: TextDocument): void {
  const old = pending.get(doc.uri);
  if (old) clearImmediate(old);
  pending.set(doc.uri, setImmediate(() => {
    pending.delete(doc.uri);
    const current = documents.get(doc.uri);
    if (!current) return;
    void connection.sendDiagnostics({ uri: current.uri, version: current.version, diagnostics: diagnosticsFor(analysisOf(current), current.uri, lang) });
  }));
}

documents.onDidOpen((e) => schedule(e.document));
documents.onDidChangeContent((e) => schedule(e.document));
documents.onDidClose((e) => {
  cache.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

connection.onCodeAction((p) => {
  const doc = documents.get(p.textDocument.uri);
  return doc ? codeActions(analysisOf(doc), doc.uri, p.range, lang, p.context.only) : [];
});

documents.listen(connection);
connection.listen();
