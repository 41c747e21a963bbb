// The real iptables as an oracle. Everything runs inside `unshare -n` (a throwaway network namespace),
// never against this machine's firewall. Results are cached on disk keyed by the exact input and the
// iptables version, so reruns are fast; a cold run recomputes everything.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** ../shared/corpus; CONFORMANCE_CORPUS overrides it (e.g. to check that tests skip without it). */
export const CORPUS = process.env.CONFORMANCE_CORPUS ?? resolve(PROJECT_ROOT, '../shared/corpus');
export const SEED = resolve(PROJECT_ROOT, '../shared/seed');
/** Git-ignored. Override with ORACLE_CACHE_DIR; ORACLE_NO_CACHE=1 recomputes (and rewrites) everything. */
export const CACHE_DIR = process.env.ORACLE_CACHE_DIR ?? join(PROJECT_ROOT, 'test-results', 'oracle-cache');
export const REPORT_DIR = join(PROJECT_ROOT, 'test-results', 'conformance');

export type Family = 4 | 6;

export interface ExecResult { status: number; stdout: string; stderr: string }

function sh(cmd: string, args: string[], input?: string, timeoutMs = 120_000): ExecResult {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: timeoutMs });
  if (r.error) return { status: 127, stdout: '', stderr: String(r.error) };
  return { status: r.status ?? (r.signal ? 128 : 1), stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

let skipReasonMemo: string | false | undefined;
/** Why the oracle cannot run here (not root, iptables or unshare missing), or false when it can. */
export function oracleSkipReason(): string | false {
  if (skipReasonMemo !== undefined) return skipReasonMemo;
  skipReasonMemo = computeSkipReason();
  if (skipReasonMemo) console.log(`# oracle unavailable: ${skipReasonMemo}`);
  return skipReasonMemo;
}

/**
 * `unshare -n` as root. ORACLE_ROOTLESS=1 lets a non-root user try `unshare -rn` (user + network
 * namespace) instead; the kernel cannot autoload modules from there, so verdicts may differ, and
 * such results are cached apart.
 */
let unshareArgs = ['-n'];

function computeSkipReason(): string | false {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    if (process.env.ORACLE_ROOTLESS !== '1') return 'not root (needs unshare -n; ORACLE_ROOTLESS=1 tries a user namespace)';
    unshareArgs = ['-rn'];
  }
  const v = sh('iptables', ['--version']);
  if (v.status !== 0) return 'iptables is not installed (./dev deps installs it)';
  const probe = sh('unshare', [...unshareArgs, 'sh', '-c', 'iptables -S INPUT >/dev/null && ip6tables -S INPUT >/dev/null && echo ok']);
  if (probe.stdout.trim() !== 'ok') return `cannot use iptables inside unshare -n: ${probe.stderr.trim().split('\n')[0]}`;
  return false;
}

let versionMemo: string | undefined;
/** e.g. "iptables v1.8.9 (nf_tables)"; part of every cache key. */
export function iptablesVersion(): string {
  versionMemo ??= sh('iptables', ['--version']).stdout.trim();
  return versionMemo;
}

export function corpusSkipReason(sub = ''): string | false {
  return existsSync(join(CORPUS, sub)) ? false : `corpus absent: ${join(CORPUS, sub)}`;
}

/** Runs a POSIX sh script (given on stdin) in a fresh network namespace. */
export function runInNetns(script: string, timeoutMs = 300_000): ExecResult {
  return sh('unshare', [...unshareArgs, 'sh', '-s'], script, timeoutMs);
}

/** Same, asynchronously, so several namespaces can work in parallel. */
export function runInNetnsAsync(script: string): Promise<ExecResult> {
  return import('node:child_process').then(({ spawn }) => new Promise((res) => {
    const p = spawn('unshare', [...unshareArgs, 'sh', '-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.on('error', (e) => res({ status: 127, stdout, stderr: stderr + String(e) }));
    p.on('close', (code) => res({ status: code ?? 1, stdout, stderr }));
    p.stdin.end(script);
  }));
}

/** Quotes a value for sh. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function bins(family: Family): { ipt: string; save: string; restore: string } {
  return family === 6
    ? { ipt: 'ip6tables', save: 'ip6tables-save', restore: 'ip6tables-restore' }
    : { ipt: 'iptables', save: 'iptables-save', restore: 'iptables-restore' };
}

/** Disk cache: compute() runs only when (kind, key, iptables version) was never seen. */
export async function cached<T>(kind: string, key: unknown, compute: () => Promise<T> | T): Promise<T> {
  const hash = createHash('sha256').update(iptablesVersion()).update(unshareArgs[0] === '-n' ? '' : 'rootless').update('\0').update(JSON.stringify(key)).digest('hex');
  const file = join(CACHE_DIR, kind, `${hash.slice(0, 32)}.json`);
  if (!process.env.ORACLE_NO_CACHE && existsSync(file)) {
    try { return JSON.parse(readFileSync(file, 'utf8')) as T; } catch { /* corrupt: recompute */ }
  }
  const value = await compute();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value));
  return value;
}

/** Runs async jobs with at most `limit` in flight, keeping the order of results. */
export async function pool<A, R>(items: A[], limit: number, fn: (a: A, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** iptables-save output without comments, counters zeroed: the form `iptables-lint save` prints. */
export function normalizeSave(text: string): string {
  const lines = text.split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/^(:\S+ \S+) \[\d+:\d+\]$/, '$1 [0:0]').replace(/^\[\d+:\d+\] /, ''))
    .filter((l, i, a) => !(l === '' && i === a.length - 1));
  return lines.join('\n').replace(/\n+$/, '') + '\n';
}

/** Where iptables-restore says it stopped: 1-based line, or undefined. */
export function restoreErrorLine(stderr: string): number | undefined {
  const m = /line:? (\d+)(?: failed)?/i.exec(stderr) ?? /Error occurred at line: (\d+)/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

export function writeReport(name: string, data: unknown): string {
  mkdirSync(REPORT_DIR, { recursive: true });
  const file = join(REPORT_DIR, name);
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data, null, 2));
  return file;
}
