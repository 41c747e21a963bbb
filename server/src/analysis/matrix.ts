// The exposure matrix: who may open new connections to this host (INPUT) and through it
// (FORWARD), in the manner of the service matrices of Diekmann's Iptables_Semantics. Sources that
// the ruleset treats alike form one group; each row is a protocol and port range; each cell says
// whether that group may connect: yes, no, partly (only to some addresses/interfaces), depends
// (on a match the ruleset cannot decide statically), or NAT (the destination is translated).
import { loc, type Family, type Localized } from '../syntax/ast';
import type { Analysis } from '../engine';
import type { Ruleset } from '../model/ruleset';
import { protocolName } from '../knowledge/protocols';
import { serviceName } from '../knowledge/services';
import { icmpTypeName } from '../knowledge/icmp';
import { IntervalSet } from './intervals';
import type { Dim } from './space';
import { MatrixEngine, type Tree } from './matrix-tree';
import { addressText } from './trace-packet';

export type CellValue = 'yes' | 'no' | 'partly' | 'depends' | 'nat';

export interface MatrixCell {
  value: CellValue;
  /** partly: where connections are accepted ("to 10.0.0.1/32", "out eth1", "from port 53"). */
  detail?: Localized;
  /** depends/nat: 0-based lines of the rules the answer turns on (or of the NAT rules). */
  lines?: number[];
}

export interface MatrixGroup {
  id: string;
  /** Source addresses as CIDR blocks. */
  sources: string[];
  /** Input interfaces (`eth+` for a prefix), or null for every interface except loopback. */
  interfaces: string[] | null;
  label: Localized;
}

export interface MatrixRow {
  protocol: string;
  /** Port range (`22`, `1024-65535`), ICMP type, or null for a protocol without ports. */
  ports: string | null;
  /** One per group, in the order of `groups`. */
  cells: MatrixCell[];
}

export interface MatrixTable {
  family: Family;
  chain: 'INPUT' | 'FORWARD';
  groups: MatrixGroup[];
  /** Rows where at least one group may (or might) connect. */
  rows: MatrixRow[];
  notes: Localized[];
  /** False when the work limit cut the computation short (the rest is reported as depends). */
  complete: boolean;
}

export interface Matrix { tables: MatrixTable[] }

/** The matrices for every family the document uses (or the one asked for): INPUT then FORWARD. */
export function exposureMatrix(analysis: Analysis, opts: { family?: Family; chains?: ('INPUT' | 'FORWARD')[] } = {}): Matrix {
  const families = opts.family ? [opts.family] : analysis.families.length ? analysis.families : [4 as Family];
  const tables: MatrixTable[] = [];
  for (const f of families) for (const chain of opts.chains ?? ['INPUT', 'FORWARD'] as const) tables.push(matrixTable(analysis.rulesets[f], chain));
  return { tables };
}

export function matrixTable(rs: Ruleset, chain: 'INPUT' | 'FORWARD'): MatrixTable {
  const engine = new MatrixEngine(rs, chain === 'INPUT' ? 'input' : 'forward');
  const root = engine.build();
  return assemble(engine, root, chain);
}

// --- from the tree to groups and rows -------------------------------------------------------

interface Piece { set: IntervalSet; tree: Tree }

/** The children of `tree` on `dim`, or the whole range when the tree does not split there. */
function split(tree: Tree, dim: Dim, range: IntervalSet): Piece[] {
  if (tree.dim === dim && tree.children) return tree.children.map((c) => ({ set: c.set.intersect(range), tree: c.tree })).filter((c) => !c.set.isEmpty);
  return [{ set: range, tree }];
}

/** A common refinement of several splits of one range: pieces with one subtree per input. */
function refine(splits: Piece[][], range: IntervalSet, extraCuts: bigint[] = []): { set: IntervalSet; trees: Tree[] }[] {
  const cuts = new Set<bigint>(extraCuts);
  for (const s of splits) for (const p of s) for (const [a, b] of p.set.parts) { cuts.add(a); cuts.add(b + 1n); }
  for (const [a, b] of range.parts) { cuts.add(a); cuts.add(b + 1n); }
  const points = [...cuts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const out: { set: IntervalSet; trees: Tree[] }[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const piece = IntervalSet.of(points[k], points[k + 1] - 1n).intersect(range);
    if (piece.isEmpty) continue;
    const at = piece.first()!;
    const trees = splits.map((s) => s.find((p) => p.set.has(at))!.tree);
    const last = out[out.length - 1];
    // Adjacent pieces with the same subtrees merge into one range (never across an extra cut).
    const start = piece.parts[0][0];
    if (last && !extraCuts.includes(start) && last.trees.every((t, i) => t === trees[i]) && last.set.parts[last.set.parts.length - 1][1] + 1n === start) last.set = last.set.union(piece);
    else out.push({ set: piece, trees });
  }
  return out;
}

function assemble(engine: MatrixEngine, root: Tree, chain: 'INPUT' | 'FORWARD'): MatrixTable {
  const fam = engine.domain.family;
  const groups: MatrixGroup[] = [];
  const groupTrees: Tree[] = [];
  const iifRange = engine.range('iif', 'none');
  for (const byIf of split(root, 'iif', iifRange)) {
    for (const bySrc of split(byIf.tree, 'src', engine.range('src', 'none'))) {
      const id = `G${groups.length + 1}`;
      const interfaces = byIf.set.equals(iifRange) ? null : interfaceNames(engine, byIf.set);
      const sources = cidrs(bySrc.set, fam);
      groups.push({ id, sources, interfaces, label: groupLabel(bySrc.set, fam, interfaces) });
      groupTrees.push(bySrc.tree);
    }
  }
  const rows: MatrixRow[] = [];
  const protoRange = engine.range('proto', 'none');
  // Protocols whose ports or ICMP types matter always get rows of their own.
  const special = [1n, 6n, 17n, 33n, 58n, 132n, 136n].flatMap((x) => [x, x + 1n]);
  const others = new Map<string, { set: IntervalSet; trees: Tree[] }>();
  for (const p of refine(groupTrees.map((t) => split(t, 'proto', protoRange)), protoRange, special)) {
    const kind = engine.protoKind(p.set.first()!);
    const protocol = protocolText(p.set, fam);
    if (kind === 'none') {
      // Protocols without ports that are treated alike share one row.
      const key = p.trees.map((t) => t.id).join();
      const o = others.get(key);
      if (o) o.set = o.set.union(p.set); else others.set(key, { set: p.set, trees: p.trees });
      continue;
    }
    const dim: Dim = kind === 'icmp' ? 'icmp' : 'dport';
    const portRange = engine.range('port', kind);
    for (const q of refine(p.trees.map((t) => split(t, dim, portRange)), portRange)) {
      addRow(rows, protocol, kind === 'icmp' ? icmpText(q.set, fam) : rangesText(q.set), q.trees, engine, fam);
    }
  }
  for (const o of others.values()) addRow(rows, protocolText(o.set, fam), null, o.trees, engine, fam);
  const notes: Localized[] = [];
  if (engine.exhausted) notes.push(loc('the ruleset is too large to finish: the cells left are reported as depends', 'ルールセットが大きすぎて計算を終えられませんでした。残りのセルは「条件次第」としています'));
  if (chain === 'FORWARD') notes.push(loc('forwarding also needs net.ipv4.ip_forward (or IPv6 forwarding) enabled on the host', '転送にはホストで net.ipv4.ip_forward（IPv6 では forwarding）の有効化も必要です'));
  return { family: fam, chain, groups, rows, notes, complete: !engine.exhausted };
}

function addRow(rows: MatrixRow[], protocol: string, ports: string | null, trees: Tree[], engine: MatrixEngine, fam: Family): void {
  const cells = trees.map((t) => cellOf(t, engine, fam));
  if (cells.every((c) => c.value === 'no')) return;
  rows.push({ protocol, ports, cells });
}

function cellOf(tree: Tree, engine: MatrixEngine, fam: Family): MatrixCell {
  if (tree.leaf) {
    const { kind, lines } = tree.leaf;
    if (kind === 'A') return { value: 'yes' };
    if (kind === 'D') return { value: 'no' };
    return { value: kind === 'N' ? 'nat' : 'depends', lines };
  }
  const accepted = describe(tree, engine, fam, 0);
  if (!accepted.length) {
    const lines = new Set<number>();
    let nat = false;
    walkLeaves(tree, (l) => { if (l.kind === 'U' || l.kind === 'N') { l.lines.forEach((x) => lines.add(x)); nat ||= l.kind === 'N'; } });
    if (lines.size || nat) return { value: nat ? 'nat' : 'depends', lines: [...lines].sort((a, b) => a - b) };
    return { value: 'no' };
  }
  const more = accepted.length > 3 ? accepted.length - 3 : 0;
  const join = (lang: 'en' | 'ja') => accepted.slice(0, 3).map((a) => a[lang]).join(lang === 'ja' ? '、' : '; ') + (more ? (lang === 'ja' ? `、ほか ${more} 件` : `; … (${more} more)`) : '');
  return { value: 'partly', detail: loc(join('en'), join('ja')) };
}

function walkLeaves(t: Tree, f: (l: NonNullable<Tree['leaf']>) => void): void {
  if (t.leaf) f(t.leaf);
  for (const c of t.children ?? []) walkLeaves(c.tree, f);
}

/** The accepted part of a cell's subtree as short conditions: "to 10.0.0.1/32 out eth1". */
function describe(t: Tree, engine: MatrixEngine, fam: Family, depth: number): Localized[] {
  if (t.leaf) return t.leaf.kind === 'A' ? [loc('', '')] : [];
  if (depth > 4) return [];
  const out: Localized[] = [];
  for (const c of t.children!) {
    const inner = describe(c.tree, engine, fam, depth + 1);
    if (!inner.length) continue;
    const names = () => interfaceNames(engine, c.set).join(',');
    const here = t.dim === 'dst' ? loc(`to ${shortAddresses(c.set, fam, 'en')}`, `宛先 ${shortAddresses(c.set, fam, 'ja')}`)
      : t.dim === 'oif' ? loc(`out ${names()}`, `出力 ${names()}`)
        : t.dim === 'sport' ? loc(`from port ${rangesText(c.set)}`, `送信元ポート ${rangesText(c.set)}`)
          : t.dim === 'src' ? loc(`from ${shortAddresses(c.set, fam, 'en')}`, `送信元 ${shortAddresses(c.set, fam, 'ja')}`)
            : t.dim === 'iif' ? loc(`in ${names()}`, `入力 ${names()}`) : loc(`${t.dim} ${c.set}`, `${t.dim} ${c.set}`);
    for (const i of inner) out.push(i.en ? loc(`${here.en} ${i.en}`, `${here.ja} ${i.ja}`) : here);
  }
  return out;
}

// --- text of sets ------------------------------------------------------------------------------

export function cidrs(set: IntervalSet, fam: Family, limit = Infinity): string[] {
  if (fam === 4) return cidrs4(set, limit);
  const bits = 128n;
  const out: string[] = [];
  for (const [a0, b] of set.parts) {
    let a = a0;
    while (a <= b) {
      if (out.length >= limit) return out;
      let size = 0n;
      while (size < bits && (a & ((1n << (size + 1n)) - 1n)) === 0n && a + (1n << (size + 1n)) - 1n <= b) size++;
      out.push(`${addr(a, fam)}/${bits - size}`);
      a += 1n << size;
    }
  }
  return out;
}

const addr = (v: bigint, fam: Family) => addressText(v, fam);

/** IPv4 blocks with plain numbers (exact below 2^53), much faster than bigint. */
function cidrs4(set: IntervalSet, limit: number): string[] {
  const out: string[] = [];
  for (const [lo, hi] of set.parts) {
    let a = Number(lo);
    const b = Number(hi);
    while (a <= b) {
      if (out.length >= limit) return out;
      let size = 0;
      while (size < 32 && a % 2 ** (size + 1) === 0 && a + 2 ** (size + 1) - 1 <= b) size++;
      out.push(`${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${32 - size}`);
      a += 2 ** size;
    }
  }
  return out;
}

const fullSet = (fam: Family) => IntervalSet.of(0n, fam === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n);

function shortAddresses(set: IntervalSet, fam: Family, lang: 'en' | 'ja'): string {
  const full = fullSet(fam);
  if (set.equals(full)) return lang === 'ja' ? 'すべて' : 'anywhere';
  // At most a few blocks are shown, so at most a few are computed.
  const list = cidrs(set, fam, 5), rest = cidrs(full.minus(set), fam, 5);
  const show = (xs: string[]) => (xs.length > 4 ? `${xs.slice(0, 4).join(', ')}, …` : xs.join(', '));
  if (rest.length < list.length) return lang === 'ja' ? `${show(rest)} 以外すべて` : `anywhere except ${show(rest)}`;
  return show(list);
}

function groupLabel(set: IntervalSet, fam: Family, interfaces: string[] | null): Localized {
  const en = shortAddresses(set, fam, 'en'), ja = shortAddresses(set, fam, 'ja');
  return interfaces ? loc(`${en} (in ${interfaces.join(', ')})`, `${ja}（入力 ${interfaces.join(', ')}）`) : loc(en, ja);
}

function interfaceNames(engine: MatrixEngine, set: IntervalSet): string[] {
  const atoms = engine.domain.interfaces.atoms;
  const names: string[] = [];
  for (const [a, b] of set.parts) for (let k = Number(a); k <= Number(b); k++) {
    const atom = atoms[k];
    names.push(!atom ? '(other)' : atom.prefix ? `${atom.name}+` : atom.name);
  }
  return names;
}

function rangesText(set: IntervalSet): string {
  return set.parts.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
}

function protocolText(set: IntervalSet, fam: Family): string {
  if (set.parts.length === 1 && set.parts[0][0] === set.parts[0][1]) {
    const n = Number(set.parts[0][0]);
    return n === 58 ? 'icmpv6' : protocolName(n) ?? String(n);
  }
  void fam;
  return `proto ${rangesText(set)}`;
}

function icmpText(set: IntervalSet, fam: Family): string {
  return set.parts.map(([a, b]) => {
    const type = Number(a >> 8n);
    if (a === BigInt(type * 256) && b === BigInt(type * 256 + 255)) return icmpTypeName({ type, codeMin: 0, codeMax: 255 }, fam) ?? String(type);
    if (a === b) return `${type}/${Number(a & 255n)}`;
    return `${type}/${Number(a & 255n)}-${Number(b >> 8n)}/${Number(b & 255n)}`;
  }).join(',');
}

// --- output ------------------------------------------------------------------------------------

const CELL_TEXT: Record<CellValue, [string, string]> = { yes: ['yes', '可'], no: ['-', '-'], partly: ['partly', '一部'], depends: ['depends', '条件次第'], nat: ['NAT', 'NAT'] };

function cellText(c: MatrixCell, lang: 'en' | 'ja', note?: number): string {
  let text = CELL_TEXT[c.value][lang === 'ja' ? 1 : 0];
  if (c.lines?.length) text += `@${c.lines.slice(0, 3).map((l) => l + 1).join(',')}${c.lines.length > 3 ? ',…' : ''}`;
  return note ? `${text}[${note}]` : text;
}

function serviceText(r: MatrixRow): string {
  if (r.ports === null) return r.protocol;
  let names = '';
  if (r.protocol === 'tcp' || r.protocol === 'udp') {
    const m = /^(\d+)(?:-(\d+))?$/.exec(r.ports);
    if (m && (m[2] === undefined || Number(m[2]) - Number(m[1]) < 4)) {
      const list: string[] = [];
      for (let p = Number(m[1]); p <= Number(m[2] ?? m[1]); p++) { const n = serviceName(p, r.protocol); if (n) list.push(n); }
      if (list.length) names = ` (${list.join(',')})`;
    }
  }
  return `${r.protocol} ${r.ports}${names}`;
}

function tableTitle(t: MatrixTable, lang: 'en' | 'ja'): string {
  const fam = t.family === 4 ? 'IPv4' : 'IPv6';
  if (lang === 'ja') return t.chain === 'INPUT' ? `INPUT（${fam}）: このホストへの新しい接続（ループバックを除く）` : `FORWARD（${fam}）: このホストを経由する新しい接続`;
  return t.chain === 'INPUT' ? `INPUT (${fam}): new connections to this host (loopback left out)` : `FORWARD (${fam}): new connections through this host`;
}

/** Plain text for the terminal: groups, then one row per service, then footnotes. */
export function formatMatrixText(m: Matrix, lang: 'en' | 'ja'): string {
  const out: string[] = [];
  for (const t of m.tables) {
    out.push(tableTitle(t, lang));
    out.push(lang === 'ja' ? '送信元グループ:' : 'Source groups:');
    for (const g of t.groups) out.push(`  ${g.id}  ${g.label[lang]}`);
    const notes: string[] = [];
    const rows = t.rows.map((r) => [serviceText(r), ...r.cells.map((c) => {
      if (c.value !== 'partly' || !c.detail) return cellText(c, lang);
      notes.push(c.detail[lang]);
      return cellText(c, lang, notes.length);
    })]);
    const head = [lang === 'ja' ? 'サービス' : 'Service', ...t.groups.map((g) => g.id)];
    const widths = head.map((h, k) => Math.max(width(h), ...rows.map((r) => width(r[k]))));
    const line = (cells: string[]) => '  ' + cells.map((c, k) => c + ' '.repeat(widths[k] - width(c))).join('  ').trimEnd();
    if (rows.length) { out.push(line(head)); for (const r of rows) out.push(line(r)); }
    out.push(lang === 'ja' ? (rows.length ? '  それ以外: どのグループも不可' : '  どのグループも新しい接続を開始できません') : (rows.length ? '  Anything else: no group' : '  No group can open a new connection'));
    notes.forEach((n, k) => out.push(`  [${k + 1}] ${n}`));
    for (const n of t.notes) out.push(`  ${lang === 'ja' ? '注' : 'note'}: ${n[lang]}`);
    out.push('');
  }
  if (m.tables.some((t) => t.rows.some((r) => r.cells.some((c) => c.lines?.length)))) {
    out.push(lang === 'ja' ? '@N: 判定を左右するルール（N 行目）。条件次第 = 静的には決まらない一致条件、NAT = 宛先が変換される' : '@N: the rule on line N decides it; depends = a match that cannot be decided statically, NAT = the destination is translated');
  }
  return out.join('\n').trimEnd();
}

/** Display width: CJK characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\uffdc]/.test(ch) ? 2 : 1;
  return w;
}

/** Markdown (for a preview or a webview): one table per chain and family. */
export function formatMatrixMarkdown(m: Matrix, lang: 'en' | 'ja'): string {
  const out: string[] = [];
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  for (const t of m.tables) {
    out.push(`### ${tableTitle(t, lang)}`, '');
    out.push(`| ${lang === 'ja' ? 'グループ' : 'Group'} | ${lang === 'ja' ? '送信元' : 'Sources'} |`, '|---|---|');
    for (const g of t.groups) out.push(`| ${g.id} | ${esc(g.label[lang])} |`);
    out.push('');
    if (!t.rows.length) { out.push(lang === 'ja' ? 'どのグループも新しい接続を開始できません。' : 'No group can open a new connection.', ''); continue; }
    out.push(`| ${lang === 'ja' ? 'サービス' : 'Service'} | ${t.groups.map((g) => g.id).join(' | ')} |`, `|---|${t.groups.map(() => '---').join('|')}|`);
    for (const r of t.rows) {
      const cells = r.cells.map((c) => esc(cellText(c, lang) + (c.detail ? `: ${c.detail[lang]}` : '')));
      out.push(`| ${esc(serviceText(r))} | ${cells.join(' | ')} |`);
    }
    out.push('', lang === 'ja' ? 'それ以外のサービスはどのグループも不可。' : 'Any other service: no group.');
    for (const n of t.notes) out.push('', `> ${n[lang]}`);
    out.push('');
  }
  return out.join('\n').trimEnd() + '\n';
}

/** The JSON form (`iptables-lint matrix --format json`, per file). */
export function matrixJson(m: Matrix, lang: 'en' | 'ja'): { matrices: object[] } {
  return {
    matrices: m.tables.map((t) => ({
      family: t.family, chain: t.chain, complete: t.complete,
      groups: t.groups.map((g) => ({ id: g.id, sources: g.sources, interfaces: g.interfaces, label: g.label[lang] })),
      services: t.rows.map((r) => ({
        protocol: r.protocol, ports: r.ports,
        cells: Object.fromEntries(r.cells.map((c, k) => [t.groups[k].id, { value: c.value, ...(c.detail ? { detail: c.detail[lang] } : {}), ...(c.lines ? { lines: c.lines } : {}) }])),
      })),
      notes: t.notes.map((n) => n[lang]),
    })),
  };
}
