// IPT301: a rule lets new connections in to 1,000 ports or more, or to an open-ended range such as
// `1024:`. Whatever listens there (a database, a cache, an admin tool started later) is reachable.
// The hosting guide's passive-FTP rule (`--dport 1024:`) is the classic case; for FTP the fix is a
// small passive range, or connection tracking's FTP helper, which opens exactly the data ports used.
import { loc, type Fix, type Localized } from '../syntax/ast';
import type { Analysis, CommandRecord } from '../engine';
import { SENSITIVE_PORTS } from '../knowledge/sensitive-ports';
import type { CheckDef, Finding } from './types';
import { destinationPorts, mergeRanges, moduleWords, portCount, protocol, stateLimit, type PortLimit } from './lib/rule-facts';
import { acceptsNewInbound, limitedBySourcePort, uniqueCommands } from './lib/exposure';
import { insertLine } from './lib/edits';
import { indentOf, isPlainStatement, programText, textOf } from './lib/script';

const LIMIT = 1000;
const PASSIVE = '50000:50100';
/** The services people most often leave listening on high ports, named first in the message. */
const FIRST = ['MySQL', 'PostgreSQL', 'Redis', 'MongoDB', 'Elasticsearch', 'Memcached', 'Remote Desktop', 'VNC', 'Docker API', 'SQL Server', 'Oracle DB', 'NFS', 'kubelet'];

export const broadPortRange: CheckDef = {
  code: 'IPT301',
  name: 'broad-port-range',
  severity: 'warning',
  summary: loc('An accept of 1,000 ports or more, or an open-ended range such as 1024:.', '1,000 個以上のポート、または 1024: のような上限なしの範囲を許可しています。'),
  run(analysis) {
    const out: Finding[] = [];
    const ftp = acceptsFtp(analysis);
    for (const rec of uniqueCommands(analysis)) {
      if (!acceptsNewInbound(analysis, rec) || limitedBySourcePort(rec.command)) continue;
      const limit = destinationPorts(rec.command);
      if (!limit) continue;
      const text = limit.words.map((w) => w.text).join(' ');
      const openEnded = !limit.negated && text.split(',').some((p) => /^:|:$/.test(p));
      const count = portCount(limit);
      if (count < LIMIT && !openEnded) continue;
      out.push(finding(analysis, rec, limit, count, ftp));
    }
    return out;
  },
};

function finding(analysis: Analysis, rec: CommandRecord, limit: PortLimit, count: number, ftp: boolean): Finding {
  const proto = protocol(rec.command);
  const ranges = mergeRanges(limit.ranges);
  const inside = limit.negated
    ? SENSITIVE_PORTS.filter((s) => !ranges.some((r) => s.port >= r.from && s.port <= r.to))
    : SENSITIVE_PORTS.filter((s) => ranges.some((r) => s.port >= r.from && s.port <= r.to));
  const named = [...new Map(inside.filter((s) => !proto || s.proto === proto).map((s) => [s.name, s])).values()]
    .sort((a, b) => rank(a.name) - rank(b.name));
  const shown = named.slice(0, 5).map((s) => `${s.name} ${s.port}`);
  const more = named.length - shown.length;
  const span = limit.negated ? `every port but ${limit.words[0].text}` : ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(', ');
  const spanJa = limit.negated ? `${limit.words[0].text} 以外のすべてのポート` : span;
  const incl: Localized = shown.length
    ? loc(`, including ${shown.join(', ')}${more > 0 ? ` and ${more} more well-known service${more === 1 ? '' : 's'}` : ''}`,
      `。${shown.join('、')}${more > 0 ? ` など（ほか ${more} 件）` : ''}の既定ポートも含まれます`)
    : loc('', '');
  const src = rec.command.generic.source;
  // Say from where: a trusted host opening every port is another story than the whole Internet.
  const world = !src || (!src.negated && /^(0\.0\.0\.0|::)\/0$/.test(src.value));
  const from = src?.arg.symbolic ? loc('', '')
    : world ? loc(' from any address', 'どのアドレスからでも ')
    : loc(` from ${src!.negated ? 'any address but ' : ''}${src!.value}`, `${src!.negated ? `${src!.value} 以外` : src!.value} からの `);
  const who = !src?.arg.symbolic && src && !src.negated && !world ? loc(`from ${src.value}`, ` ${src.value} から`) : loc('from outside', '外部から');
  return {
    range: limit.words[0].range,
    message: loc(
      `accepts new connections${from.en} to ${count.toLocaleString('en-US')} ports (${span})${incl.en}: any service listening there, now or later, is reachable ${who.en}. Open only the ports you need`,
      `${from.ja}${count.toLocaleString('en-US')} 個のポート（${spanJa}）への新しい接続を許可しています${incl.ja}。そこで待ち受けるサービスは、今あるものも後から起動したものも、すべて${who.ja}到達できます。必要なポートだけを開けてください`),
    fixes: ftp && !limit.negated && ranges.length === 1 && ranges[0].from >= 1024 && proto === 'tcp' ? ftpFixes(analysis, rec, limit) : [],
  };
}

const rank = (name: string) => { const i = FIRST.indexOf(name); return i < 0 ? FIRST.length : i; };

/** Does the document let FTP control connections in (tcp/21)? Then a broad high range is passive FTP. */
function acceptsFtp(analysis: Analysis): boolean {
  return analysis.commands.some((r) => {
    if (r.command.target?.name !== 'ACCEPT' || protocol(r.command) !== 'tcp') return false;
    const l = destinationPorts(r.command);
    return !!l && !l.negated && l.ranges.some((x) => x.from <= 21 && x.to >= 21) && portCount(l) < LIMIT;
  });
}

function ftpFixes(analysis: Analysis, rec: CommandRecord, limit: PortLimit): Fix[] {
  const fixes: Fix[] = [{
    title: loc(`Narrow to the passive-FTP range ${PASSIVE} (set the same range in the FTP server)`, `パッシブ FTP 用の範囲 ${PASSIVE} に絞る（FTP サーバー側も同じ範囲に設定）`),
    edits: [{ range: limit.words[0].range, newText: PASSIVE }],
  }];
  const helper = helperFix(analysis, rec, limit);
  if (helper) fixes.push(helper);
  return fixes;
}

const HELPER_MATCH = '-m conntrack --ctstate RELATED -m helper --helper ftp';
const HELPER_TITLE = loc("Replace with connection tracking's FTP helper (opens only the data ports FTP announces)", 'コネクショントラッキングの FTP ヘルパーに置き換える（FTP が通知したデータ用ポートだけを開く）');

/**
 * The rule without its port range and state match, limited to connections the FTP helper expects,
 * plus the raw-table rule that attaches the helper to FTP control connections.
 */
function helperFix(analysis: Analysis, rec: CommandRecord, limit: PortLimit): Fix | undefined {
  const cmd = rec.command;
  const drop = new Set([limit.option.word, ...limit.words, ...(limit.option.bang ? [limit.option.bang] : [])]);
  const st = stateLimit(cmd);
  if (st === null) return undefined;
  if (st) {
    const others = st.module.options.filter((o) => o !== st.option);
    if (others.length) return undefined;
    moduleWords(st.module).forEach((w) => drop.add(w));
  }
  // A `-m tcp`/`-m multiport` left with no option: take its -m words too (multiport would be an error).
  if (limit.module.word && limit.module.options.length === 1) moduleWords(limit.module).forEach((w) => drop.add(w));
  const targetAt = cmd.words.findIndex((w) => w === cmd.target?.word);
  if (targetAt < 0) return undefined;
  const kept = cmd.words.filter((w, i) => !drop.has(w) && i < targetAt).map((w) => textOf(analysis.text, w.range));
  const rest = cmd.words.slice(targetAt).map((w) => textOf(analysis.text, w.range));
  const body = [...kept, ...HELPER_MATCH.split(' '), ...rest].join(' ');
  const raw = '-A PREROUTING -p tcp --dport 21 -j CT --helper ftp';
  if (analysis.kind === 'save') {
    const save = analysis.saves[0];
    const edits = [{ range: cmd.range, newText: body }];
    const rawBlock = save.entries.findIndex((e) => e.kind === 'table' && e.name === 'raw');
    const commit = rawBlock >= 0 ? save.entries.slice(rawBlock).find((e) => e.kind === 'commit') : undefined;
    if (commit) edits.push(insertLine(analysis.text, commit.range.start.line, raw));
    else edits.push(insertLine(analysis.text, analysis.text.split('\n').length, `*raw${eol(analysis)}${raw}${eol(analysis)}COMMIT`));
    return { title: HELPER_TITLE, edits };
  }
  if (!isPlainStatement(analysis, rec)) return undefined;
  const program = programText(analysis, rec);
  const indent = indentOf(analysis.text, cmd.range.start.line);
  const words = [program, ...body.split(' ')];
  return {
    title: HELPER_TITLE,
    edits: [{ range: { start: { line: cmd.range.start.line, character: cmd.range.start.character }, end: cmd.range.end }, newText: `${program} -t raw ${raw}${eol(analysis)}${indent}${words.join(' ')}` }],
  };
}

const eol = (a: Analysis) => (a.text.includes('\r\n') ? '\r\n' : '\n');
