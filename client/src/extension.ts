// VS Code side of the extension: starts the bundled language server and forwards the commands to it.
// Everything that understands iptables lives in the server; this file only wires VS Code to it.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type InitializeResult, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { ReportDocuments } from './views';
import { SERVER_EXEC_ARGV } from '../../server/src/serverFlags';

/** What `activate` returns; the end-to-end tests use it to learn what the running server offers. */
export interface IptablesExtensionApi {
  /** Resolves with the server's answer to `initialize`, or undefined while the server is disabled. */
  ready(): Promise<InitializeResult | undefined>;
  /** The display language sent to the server in `initializationOptions.locale`. */
  readonly locale: string;
}

const LANGUAGES = ['shellscript', 'iptables'];

let client: LanguageClient | undefined;
let starting: Promise<InitializeResult | undefined> | undefined;

export function activate(context: vscode.ExtensionContext): IptablesExtensionApi {
  const locale = vscode.env.language;
  const reports = new ReportDocuments();
  context.subscriptions.push(reports.register());

  const start = (): Promise<InitializeResult | undefined> => {
    if (!isEnabled()) return Promise.resolve(undefined);
    if (starting) return starting;
    client = createClient(context, locale);
    const c = client;
    starting = c.start().then(
      () => c.initializeResult,
      (err: unknown) => {
        void vscode.window.showErrorMessage(vscode.l10n.t('The iptables language server could not start: {0}', errorText(err)));
        throw err;
      },
    );
    return starting;
  };
  const stop = async (): Promise<void> => {
    const c = client;
    client = undefined;
    starting = undefined;
    if (c) await c.stop().catch(() => undefined);
  };

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('iptables.enable')) return;
      if (isEnabled()) void start().catch(() => undefined);
      else void stop();
    }),
    { dispose: () => void stop() },
  );
  registerCommands(context, { client: () => client, ready: () => starting ?? start(), reports });

  void start().catch(() => undefined);
  return { ready: () => starting ?? start(), locale };
}

export function deactivate(): Promise<void> | undefined {
  const c = client;
  client = undefined;
  starting = undefined;
  return c?.stop();
}

function isEnabled(): boolean {
  return vscode.workspace.getConfiguration('iptables').get<boolean>('enable', true);
}

function createClient(context: vscode.ExtensionContext, locale: string): LanguageClient {
  const module = context.asAbsolutePath('dist/server.cjs');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const documentSelector = LANGUAGES.flatMap((language) => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ]);
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    // Pushes `iptables.*` to the server on every change (workspace/didChangeConfiguration).
    synchronize: { configurationSection: 'iptables' },
    initializationOptions: {
      locale,
      // A plain copy: the configuration object itself carries methods.
      settings: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('iptables'))) as unknown,
    },
    markdown: { isTrusted: false, supportHtml: false },
  };
  // The id 'iptables' makes the client honour the `iptables.trace.server` setting.
  return new LanguageClient('iptables', vscode.l10n.t('iptables Language Server'), serverOptions, clientOptions);
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
