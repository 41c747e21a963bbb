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

  /**
   * The document behind `uri` once it shows `text`. A document that is already open gets the new text
   * only after VS Code has asked the provider again, shortly after `set` fired the change.
   */
  private async open(uri: vscode.Uri, text: string): Promise<vscode.TextDocument> {
    const key = uri.toString();
    const updated = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === key && e.document.getText() === text) done();
      });
      const timer = setTimeout(() => done(), 5000);
      const done = () => { clearTimeout(timer); sub.dispose(); resolve(); };
      if (vscode.workspace.textDocuments.every((d) => d.uri.toString() !== key || d.getText() === text)) done();
    });
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.getText() !== text) await updated;
    return doc;
  }

  /** Opens `text` read-only in an editor with the given language. */
  async showText(name: string, text: string, languageId: string): Promise<vscode.TextDocument> {
    let doc = await this.open(this.set(name, text), text);
    if (doc.languageId !== languageId) doc = await vscode.languages.setTextDocumentLanguage(doc, languageId);
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    return doc;
  }

  /** Shows Markdown rendered in the built-in preview; falls back to the Markdown source. */
  async showMarkdown(name: string, markdown: string): Promise<vscode.TextDocument> {
    const fileName = name.endsWith('.md') ? name : name + '.md';
    const uri = this.set(fileName, markdown);
    const doc = await this.open(uri, markdown);
    // One preview per report: close the one an earlier run left (its title ends with the file name).
    const stale = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label.endsWith(fileName));
    if (stale.length) await vscode.window.tabGroups.close(stale).then(undefined, () => undefined);
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    } catch {
      await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    }
    return doc;
  }
}
