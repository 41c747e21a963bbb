// iptables-lint: the engine on the command line, for people and CI pipelines (contract in DESIGN.md).
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { analyze, type Analysis, type DocumentKind } from './engine';
import type { Family, Lang, Problem } from './syntax/ast';
import { allCodes, codeInfo } from './checks/index';
import { DEFAULT_CONFIG, mergeConfig, type LintConfig } from './config';
import { formatSave } from './model/ruleset';
import { toSarif } from './report/sarif';
import { docsUrl } from './report/docs';
import { runExtraCommand } from './cli-extra';

const VERSION = '0.1.0';

interface Args {
  command: 'check' | 'save' | 'trace' | 'matrix';
  format: 'text' | 'json' | 'sarif';
  lang: Lang;
  family?: Family;
  kind?: DocumentKind;
  config?: string;
  packet?: string;
  files: string[];
}

class UsageError extends Error {}

const HELP = `Usage: iptables-lint [check] [options] FILE...   lint iptables scripts and iptables-save files
       iptables-lint save [--family 4|6] FILE...      print the ruleset in iptables-save form
       iptables-lint trace FILE --packet "tcp 203.0.113.9:40000 > 10.0.0.1:22 in eth0 state NEW"
       iptables-lint matrix FILE                      who can open new connections to which ports
Options:
  --format text|json|sarif   output format (default text)
  --lang en|ja               message language (default: from LANG / LC_ALL)
  --family 4|6               family of a save file, or which family of a script to print
  --kind save|shell          override content detection
  --config FILE              settings (default: .iptables-lint.json searched upwards)
  --list-checks              list every check code
  -h, --help / --version
FILE may be - for standard input. Exit status: 0 no errors, 1 errors found, 2 usage or I/O error.`;

function defaultLang(env: NodeJS.ProcessEnv): Lang {
  const v = env.LC_ALL || env.LC_MESSAGES || env.LANG || env.LANGUAGE || '';
  return /^ja/i.test(v) ? 'ja' : 'en';
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Args | 'help' | 'version' | 'list' {
  const args: Args = { command: 'check', format: 'text', lang: defaultLang(env), files: [] };
  const rest = [...argv];
  if (rest[0] && ['check', 'save', 'trace', 'matrix'].includes(rest[0])) args.command = rest.shift() as Args['command'];
  const value = (opt: string) => {
    const v = rest.shift();
    if (v === undefined) throw new UsageError(`${opt} needs a value`);
    return v;
  };
  while (rest.length) {
    const a = rest.shift()!;
    const [opt, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = () => inline ?? value(opt);
    switch (opt) {
      case '-h': case '--help': return 'help';
      case '--version': return 'version';
      case '--list-checks': return 'list';
      case '--format': { const f = val(); if (!['text', 'json', 'sarif'].includes(f)) throw new UsageError(`unknown format "${f}"`); args.format = f as Args['format']; break; }
      case '--lang': { const l = val(); if (l !== 'en' && l !== 'ja') throw new UsageError(`unknown language "${l}" (en or ja)`); args.lang = l; break; }
      case '--family': { const f = val(); if (f !== '4' && f !== '6') throw new UsageError('--family takes 4 or 6'); args.family = Number(f) as Family; break; }
      case '--kind': { const k = val(); if (k !== 'save' && k !== 'shell') throw new UsageError('--kind takes save or shell'); args.kind = k; break; }
      case '--config': args.config = val(); break;
      case '--packet': args.packet = val(); break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option "${a}"`);
        args.files.push(a);
    }
  }
  if (!args.files.length) throw new UsageError('no input file (use - for standard input)');
  if (args.command === 'trace' && !args.packet) throw new UsageError('trace needs --packet "PROTO SRC[:PORT] > DST[:PORT] [in IF] [out IF] [state S]"');
  return args;
}

function findConfig(path: string, explicit?: string): LintConfig {
  if (explicit) return mergeConfig(DEFAULT_CONFIG, JSON.parse(readFileSync(explicit, 'utf8')));
  let dir = path === '-' ? process.cwd() : dirname(resolve(path));
  for (;;) {
    const f = join(dir, '.iptables-lint.json');
    if (existsSync(f)) {
      try { return mergeConfig(DEFAULT_CONFIG, JSON.parse(readFileSync(f, 'utf8'))); } catch { return DEFAULT_CONFIG; }
    }
    const up = dirname(dir);
    if (up === dir) return DEFAULT_CONFIG;
    dir = up;
  }
}

function readInput(path: string): string {
  return path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
}

function textReport(path: string, problems: Problem[], lang: Lang): string {
  const sev = { error: 'error', warning: 'warning', info: 'info', hint: 'hint' } as const;
  return problems
    .map((p) => `${path}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${sev[p.severity]} ${p.code} ${p.message[lang]}${codeInfo(p.code) ? ` [${codeInfo(p.code)!.name}]` : ''}`)
    .join('\n');
}

export function main(argv: string[], env: NodeJS.ProcessEnv, out: (s: string) => void, errOut: (s: string) => void): number {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv, env);
  } catch (e) {
    errOut(`iptables-lint: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (parsed === 'help') { out(HELP); return 0; }
  if (parsed === 'version') { out(VERSION); return 0; }
  if (parsed === 'list') {
    out(allCodes().map((c) => `${c.code}  ${c.severity.padEnd(7)}  ${c.name.padEnd(34)} ${c.summary[defaultLang(env)]}`).join('\n'));
    return 0;
  }
  const args = parsed;
  const analyses: { path: string; analysis: Analysis }[] = [];
  for (const path of args.files) {
    let text: string;
    try {
      text = readInput(path);
    } catch (e) {
      errOut(`iptables-lint: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return 2;
    }
    let config: LintConfig;
    try { config = findConfig(path, args.config); } catch (e) { errOut(`iptables-lint: bad config: ${(e as Error).message}`); return 2; }
    const timings = process.env.IPTABLES_LINT_TIMINGS ? {} : undefined;
    analyses.push({ path, analysis: analyze(text, { kind: args.kind, family: args.family, path, config, timings, checks: args.command === 'check' }) });
    // For benchmarks: where the time of one file went (stderr; the output contract is untouched).
    if (timings) process.stderr.write(`timings ${path}: ${JSON.stringify(timings, (_, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))} ms\n`);
  }
  if (args.command === 'trace' || args.command === 'matrix') return runExtraCommand(args.command, analyses, args, out, errOut);
  if (args.command === 'save') {
    if (args.format === 'json') {
      out(JSON.stringify({ version: 1, files: analyses.map(({ path, analysis }) => ({ path, save: formatSave(analysis.rulesets[pickFamily(analysis, args.family)]) })) }));
    } else {
      for (const { analysis } of analyses) out(formatSave(analysis.rulesets[pickFamily(analysis, args.family)]).replace(/\n$/, ''));
    }
    return 0;
  }
  const hasError = analyses.some(({ analysis }) => analysis.problems.some((p) => p.severity === 'error'));
  if (args.format === 'json') {
    out(JSON.stringify({
      version: 1,
      files: analyses.map(({ path, analysis }) => ({
        path, kind: analysis.kind,
        diagnostics: analysis.problems.map((p) => ({
          code: p.code, name: codeInfo(p.code)?.name ?? p.code, severity: p.severity, message: p.message[args.lang], range: p.range,
          docs: docsUrl(p.code),
          fixes: (p.fixes ?? []).map((f) => ({ title: f.title[args.lang], edits: f.edits })),
        })),
      })),
    }));
  } else if (args.format === 'sarif') {
    out(JSON.stringify(toSarif(analyses.map(({ path, analysis }) => ({ path, problems: analysis.problems })), args.lang, VERSION)));
  } else {
    const text = analyses.map(({ path, analysis }) => textReport(path, analysis.problems, args.lang)).filter(Boolean).join('\n');
    if (text) out(text);
  }
  return hasError ? 1 : 0;
}

function pickFamily(a: Analysis, wanted?: Family): Family {
  if (wanted) return wanted;
  return a.families.length === 1 ? a.families[0] : 4;
}

