// Our side of the comparison: the in-process rule API (fast, per line) and the CLI (black box).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, type Family } from './oracle';

/** The bundled CLI (dist/cli.cjs since the package became an ES module; dist/cli.js before). */
export const CLI = ['cli.cjs', 'cli.js'].map((n) => join(PROJECT_ROOT, 'dist', n)).find((p) => existsSync(p)) ?? join(PROJECT_ROOT, 'dist', 'cli.cjs');

/** A diagnostic as the CLI's `--format json` prints it. */
export interface Diagnostic {
  code: string;
  name?: string;
  severity: 'error' | 'warning' | 'info' | 'hint';
  message: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** "iptables would reject this": an IPT1xx diagnostic of severity error. */
export function isRejection(d: { code: string; severity: string }): boolean {
  return /^IPT1\d\d$/.test(d.code) && d.severity === 'error';
}

export interface OurRuleVerdict { accepted: boolean; errors: string[]; saved: string; crashed?: string }

type ParseRuleArgs = (text: string, opts: { family?: Family; table?: string }) => {
  command: unknown;
  problems: { code: string; severity: string; message: { en: string } }[];
};
type FormatRule = (command: never) => string;

export interface RuleApi { parseRuleArgs: ParseRuleArgs; formatRule: FormatRule }

/** Loads parseRuleArgs/formatRule from the sources, or says why it cannot. */
export async function loadRuleApi(): Promise<RuleApi | string> {
  try {
    const syntax = (await import('../../../server/src/syntax/commandLine')) as { parseRuleArgs?: ParseRuleArgs };
    const printer = (await import('../../../server/src/model/printer')) as { formatRule?: FormatRule };
    if (typeof syntax.parseRuleArgs !== 'function') return 'server/src/syntax/commandLine.ts has no parseRuleArgs';
    if (typeof printer.formatRule !== 'function') return 'server/src/model/printer.ts has no formatRule';
    return { parseRuleArgs: syntax.parseRuleArgs, formatRule: printer.formatRule };
  } catch (e) {
    return `engine API not loadable: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** Our verdict on `-A CHAIN RULE` in TABLE: accepted unless an IPT1xx error; the canonical save line. */
export function ourRuleVerdict(api: RuleApi, chain: string, rule: string, family: Family, table: string): OurRuleVerdict {
  try {
    const { command, problems } = api.parseRuleArgs(`-A ${chain} ${rule}`, { family, table });
    const errors = problems.filter(isRejection).map((p) => `${p.code} ${p.message.en}`);
    let saved = '';
    if (errors.length === 0) saved = api.formatRule(command as never);
    return { accepted: errors.length === 0, errors, saved };
  } catch (e) {
    return { accepted: false, errors: [], saved: '', crashed: (e as Error).stack?.split('\n').slice(0, 3).join(' | ') ?? String(e) };
  }
}

export function cliSkipReason(): string | false {
  return existsSync(CLI) ? false : 'dist/cli.cjs missing (npm run build)';
}

export interface CliResult { status: number; stdout: string; stderr: string; ms: number; signal?: string | null }

export function runCli(args: string[], timeoutMs = 120_000): CliResult {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: timeoutMs });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? ''), ms: performance.now() - t0, signal: r.signal };
}

export function runCliAsync(args: string[], timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((res) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.on('close', (code, signal) => { clearTimeout(timer); res({ status: code ?? -1, stdout, stderr, ms: performance.now() - t0, signal }); });
  });
}

export interface CheckFile { path: string; kind: string; diagnostics: Diagnostic[] }

/** `check --format json`; throws with the CLI's own words when the output is not the contract's JSON. */
export function parseCheckJson(r: CliResult): CheckFile[] {
  if (r.status !== 0 && r.status !== 1) throw new Error(`check exited ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${r.stderr.trim().slice(0, 500)}`);
  const json = JSON.parse(r.stdout) as { version: number; files: CheckFile[] };
  return json.files;
}

/** `save --format json`: the text per file. */
export function parseSaveJson(r: CliResult): { path: string; save: string }[] {
  if (r.status !== 0 && r.status !== 1) throw new Error(`save exited ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${r.stderr.trim().slice(0, 500)}`);
  return (JSON.parse(r.stdout) as { files: { path: string; save: string }[] }).files;
}
