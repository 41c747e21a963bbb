// A very small test runner for the extension host (no mocha needed), plus helpers the cases share.
// The same cases also run under mocha (@vscode/test-cli) through mocha.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Thrown by a case that cannot run against this server; the runners report it as skipped. */
export class Skip extends Error {}
export const skip = (reason: string): never => {
  throw new Skip(reason);
};

export type TestFn = () => Promise<void>;
export interface TestApi {
  test(name: string, fn: TestFn): void;
  /** Appends a line to the results file (also shown by the harness). */
  note(line: string): void;
}

export const RESULTS_FILE = process.env.E2E_RESULTS_FILE || path.join(os.tmpdir(), 'iptables-e2e-results.txt');

export function note(line: string): void {
  fs.appendFileSync(RESULTS_FILE, line + '\n');
}

/** Runs registered cases in order; resolves with counts. Every outcome goes to RESULTS_FILE. */
export async function runAll(define: (api: TestApi) => void): Promise<{ passed: number; failed: number; skipped: number }> {
  const cases: { name: string; fn: TestFn }[] = [];
  define({ test: (name, fn) => cases.push({ name, fn }), note });
  let passed = 0, failed = 0, skipped = 0;
  for (const c of cases) {
    const t0 = Date.now();
    try {
      await c.fn();
      passed++;
      note(`ok - ${c.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      if (e instanceof Skip) {
        skipped++;
        note(`skip - ${c.name}: ${e.message}`);
      } else {
        failed++;
        note(`not ok - ${c.name}: ${e instanceof Error ? e.stack || e.message : String(e)}`);
      }
    }
  }
  return { passed, failed, skipped };
}

/** Resolves with the diagnostics of `uri` once `accept` holds, checking on every change (no polling). */
export function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (d: readonly vscode.Diagnostic[]) => boolean,
  what: string,
  timeoutMs = 30000,
): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const d = vscode.languages.getDiagnostics(uri);
      if (!accept(d)) return false;
      cleanup();
      resolve(d);
      return true;
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      cleanup();
      const now = vscode.languages.getDiagnostics(uri).map(describe);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; diagnostics now: ${JSON.stringify(now)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      sub.dispose();
    };
    check();
  });
}

export const codeOf = (d: vscode.Diagnostic): string =>
  d.code === undefined ? '' : typeof d.code === 'object' ? String(d.code.value) : String(d.code);

export const describe = (d: vscode.Diagnostic) =>
  `${codeOf(d)}@${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.message}`;

/** Resolves once a tab that satisfies `accept` is open (event-driven, like waitForDiagnostics). */
export function waitForTab(accept: (t: vscode.Tab) => boolean, what: string, timeoutMs = 15000): Promise<vscode.Tab> {
  return new Promise((resolve, reject) => {
    const find = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find(accept);
    const sub = vscode.window.tabGroups.onDidChangeTabs(() => {
      const t = find();
      if (t) { cleanup(); resolve(t); }
    });
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${what}; tabs: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label).join(', ')}`));
    }, timeoutMs);
    const cleanup = () => { clearTimeout(timer); sub.dispose(); };
    const now = find();
    if (now) { cleanup(); resolve(now); }
  });
}

/** Text of hover contents, whatever form they come in. */
export function hoverText(hovers: readonly vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

export const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
