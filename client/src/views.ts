// Read-only documents for what the server computes (effective ruleset, trace, exposure matrix).
// A content provider gives documents that cannot be edited and never ask to be saved on close.
import * as vscode from 'vscode';

export const REPORT_SCHEME = 'iptables-report';

export class ReportDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  register(): vscode.Disposable {
    return vscode.Disposable.from(vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this), this.changed);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** Puts `text` behind a read-only URI whose file name is `name` (the extension picks the language). */
  set(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: '/' + name.replace(/[\\/]/g, '_') });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }

  /** Opens `text` read-only in an editor with the given language. */
  async showText(name: string, text: string, languageId: string): Promise<vscode.TextDocument> {
    let doc = await vscode.workspace.openTextDocument(this.set(name, text));
    if (doc.languageId !== languageId) doc = await vscode.languages.setTextDocumentLanguage(doc, languageId);
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    return doc;
  }

  /** Shows Markdown rendered in the built-in preview; falls back to the Markdown source. */
  async showMarkdown(name: string, markdown: string): Promise<vscode.TextDocument> {
    const uri = this.set(name.endsWith('.md') ? name : name + '.md', markdown);
    const doc = await vscode.workspace.openTextDocument(uri);
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    } catch {
      await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    }
    return doc;
  }
}
