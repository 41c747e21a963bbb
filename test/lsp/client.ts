// A small LSP client for the protocol tests and the benchmark: spawns the BUILT server
// (dist/server.cjs --stdio) and speaks JSON-RPC through vscode-jsonrpc.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CancellationTokenSource, createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { SERVER_EXEC_ARGV } from '../../server/src/serverFlags';
import type { Diagnostic, InitializeResult, Position, PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SERVER = join(ROOT, 'dist', 'server.cjs');
export const serverBuilt = () => existsSync(SERVER);

export interface StartOptions { locale?: string; capabilities?: object; /** Another Node binary to run the server with. */ node?: string }

export class LspClient {
  readonly conn: MessageConnection;
  readonly proc: ChildProcess;
  init!: InitializeResult;
  stderr = '';
  private readonly diags = new Map<string, PublishDiagnosticsParams>();
  private waiters: { uri: string; test: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private versions = new Map<string, number>();
  readonly exited: Promise<number | null>;

  constructor(node = process.execPath) {
    this.proc = spawn(node, [...SERVER_EXEC_ARGV, SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => { this.stderr += d; });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diags.set(p.uri, p);
      this.waiters = this.waiters.filter((w) => (w.uri === p.uri && w.test(p) ? (w.resolve(p), false) : true));
    });
    this.conn.onNotification('window/logMessage', () => undefined);
    this.conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.listen();
  }

  static async start(opts: StartOptions = {}): Promise<LspClient> {
    const c = new LspClient(opts.node);
    c.init = await c.conn.sendRequest('initialize', {
      processId: process.pid, rootUri: null, locale: opts.locale,
      initializationOptions: opts.locale ? { locale: opts.locale } : undefined,
      capabilities: opts.capabilities ?? {
        workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } },
        // As VS Code announces them.
        textDocument: { completion: { completionList: { itemDefaults: ['editRange'] } }, codeAction: { resolveSupport: { properties: ['edit'] } } },
      },
    });
    await c.conn.sendNotification('initialized', {});
    return c;
  }

  request<T = unknown>(method: string, params: unknown): Promise<T> {
    return this.conn.sendRequest(method, params) as Promise<T>;
  }

  /** Sends a request and cancels it right away; resolves with the result or rejects with the error. */
  cancelled<T = unknown>(method: string, params: unknown): Promise<T> {
    const source = new CancellationTokenSource();
    const p = this.conn.sendRequest(method, params, source.token) as Promise<T>;
    source.cancel();
    return p;
  }

  open(uri: string, text: string, languageId = 'iptables'): void {
    this.versions.set(uri, 1);
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  close(uri: string): void {
    this.versions.delete(uri);
    void this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  change(uri: string, changes: TextDocumentContentChangeEvent[]): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  /** The next diagnostics for the uri that pass the test (the newest ones already received count). */
  diagnostics(uri: string, test: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 20000): Promise<Diagnostic[]> {
    const have = this.diags.get(uri);
    if (have && test(have)) return Promise.resolve(have.diagnostics);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ uri, test, resolve: (p) => { clearTimeout(timer); resolve(p.diagnostics); } });
    });
  }

  /** Diagnostics for exactly this version of the document. */
  diagnosticsFor(uri: string, version: number, timeoutMs?: number): Promise<Diagnostic[]> {
    return this.diagnostics(uri, (p) => p.version === version, timeoutMs);
  }

  async stop(): Promise<number | null> {
    await this.conn.sendRequest('shutdown');
    await this.conn.sendNotification('exit');
    const code = await this.exited;
    this.conn.dispose();
    return code;
  }

  kill(): void { this.proc.kill(); this.conn.dispose(); }
}

export const pos = (line: number, character: number): Position => ({ line, character });

/** Resident set size of a process in bytes, from /proc. */
export function rssOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}
