// Reader for the iptables project's extensions/*.t files (format: corpus/netfilter/T-FORMAT.txt) and a
// batch runner that asks the real iptables about every line, one namespace per file and family.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { bins, cached, type Family, runInNetnsAsync } from './oracle';

/** One step of a .t file, in file order. */
export type TStep =
  | { kind: 'external'; command: string; line: number }
  | { kind: 'test'; line: number; rule: string; expected: string; result: string; variant?: string; altResult?: string; table?: string; chains: string[] };

export interface TFile { name: string; families: Family[]; steps: TStep[] }

/** Which binaries upstream's runner uses for a file, or [] when out of scope (ebtables, arptables). */
export function familiesOf(name: string): Family[] {
  if (name.startsWith('libipt_')) return [4];
  if (name.startsWith('libip6t_')) return [6];
  if (name.startsWith('libxt_')) return [4, 6];
  if (name.startsWith('libebt_') || name.startsWith('libarpt_')) return [];
  return [4];
}

export function parseTFile(path: string): TFile {
  const name = basename(path);
  const steps: TStep[] = [];
  let table: string | undefined;
  let chains: string[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((raw, i) => {
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '' || text.startsWith('#')) return;
    if (text.startsWith(':')) { chains = text.slice(1).trim().split(','); return; }
    if (text.startsWith('*')) { table = text.slice(1).trim(); return; }
    if (text.startsWith('@') || text.startsWith('%')) { steps.push({ kind: 'external', command: text.slice(1).trim(), line: i + 1 }); return; }
    const [rule = '', expected = '', result = '', variant, altResult] = text.split(';');
    steps.push({ kind: 'test', line: i + 1, rule, expected, result, variant, altResult, table, chains: [...chains] });
  });
  return { name, families: familiesOf(name), steps };
}

/** What the real binary did with `iptables -A CHAIN [-t T] RULE`. */
export interface RealVerdict {
  accepted: boolean;
  status: number;
  /** The rule lines iptables-save printed for it (more than one when -s/-d list several addresses). */
  saved: string[];
  stderr: string;
}

export interface Case { step: Extract<TStep, { kind: 'test' }>; chain: string; family: Family }

/** Upstream's expectation for this backend (nf_tables): OK, FAIL or NOMATCH. */
export function expectedResult(step: Extract<TStep, { kind: 'test' }>): string {
  if (!step.variant || step.variant === 'NFT') return step.result;
  if (step.altResult) return ['OK', 'FAIL'].includes(step.altResult) ? step.altResult : 'NOMATCH';
  return step.result === 'OK' ? 'FAIL' : 'OK';
}

/** The expected save line (without "-A CHAIN ") upstream compares against. */
export function expectedSave(step: Extract<TStep, { kind: 'test' }>): string {
  return step.expected === '=' ? step.rule : step.expected;
}

const MARK = '@@ORACLE@@';

/**
 * Runs one .t file for one family in a fresh namespace. Each test line becomes
 * `ipt -A CHAIN [-t T] RULE` (RULE interpreted by sh, as upstream's runner does); we read the rules it
 * appended from iptables-save and delete exactly those again, so state from @/% lines survives.
 */
export async function runTFileReal(file: TFile, family: Family): Promise<Map<string, RealVerdict>> {
  const key = { v: 3, file: file.name, family, steps: file.steps };
  const rows = await cached('tfile', key, async () => {
    const b = bins(family);
    const parts: string[] = ['exec 2>&1', 'E=$(mktemp)'];
    const ids: string[] = [];
    for (const step of file.steps) {
      if (step.kind === 'external') {
        // Upstream runs these as-is (%iptables stays iptables even in the ip6tables pass).
        parts.push(`( ${step.command} ) >/dev/null 2>&1`);
        continue;
      }
      for (const chain of step.chains) {
        const id = String(ids.length);
        ids.push(`${step.line}|${chain}`);
        const t = step.table ? ` -t ${step.table}` : '';
        const tsave = `-t ${step.table ?? 'filter'}`;
        const count = `${b.save} ${tsave} 2>/dev/null | grep -c '^-A ${chain} '`;
        parts.push(
          `n=$(${count})`,
          `${b.ipt} -A ${chain}${t} ${step.rule} >"$E" 2>&1; rc=$?`,
          `echo "${MARK} ${id} $rc"`,
          `${b.save} ${tsave} 2>/dev/null | grep '^-A ${chain} ' | tail -n +$((n+1))`,
          `echo "${MARK}err"; cat "$E"`,
          `k=0; while [ "$(${count})" -gt "$n" ] && [ $k -lt 64 ]; do ${b.ipt}${t} -D ${chain} $((n+1)) >/dev/null 2>&1; k=$((k+1)); done`,
        );
      }
    }
    parts.push(`echo "${MARK} end"`);
    const res = await runInNetnsAsync(parts.join('\n') + '\n');
    return parseBatch(res.stdout, ids);
  });
  return new Map(rows);
}

function parseBatch(out: string, ids: string[]): [string, RealVerdict][] {
  const rows: [string, RealVerdict][] = [];
  const chunks = out.split(`${MARK} `).slice(1);
  for (const chunk of chunks) {
    const [head = '', ...rest] = chunk.split('\n');
    const [id, status] = head.split(' ');
    if (id === 'end') break;
    const body = rest.join('\n');
    const at = body.indexOf(`${MARK}err\n`);
    const saved = body.slice(0, at).split('\n').filter((l) => l !== '');
    const stderr = body.slice(at + `${MARK}err\n`.length).trim();
    const st = Number(status);
    rows.push([ids[Number(id)]!, { accepted: st === 0, status: st, saved, stderr }]);
  }
  if (rows.length !== ids.length) throw new Error(`oracle batch broke off after ${rows.length} of ${ids.length} cases`);
  return rows;
}
