// The exposure matrix: who may open new connections to this host (INPUT) and through it
// (FORWARD), in the manner of the service matrices of Diekmann's Iptables_Semantics. Sources that
// the ruleset treats alike form one group; each row is a protocol and port range; each cell says
// whether that group may connect: yes, no, partly (only to some addresses/interfaces), depends
// (on a match the ruleset cannot decide statically), or NAT (the destination is translated).
import { loc, type Family, type Localized } from '../syntax/ast';
import type { Analysis } from '../engine';
import type { Ruleset } from '../model/ruleset';
import { protocolName } from '../knowledge/protocols';
import { icmpTypeName } from '../knowledge/icmp';
import { IntervalSet } from './intervals';
import type { Dim } from './space';
import { MatrixEngine, type Tree } from './matrix-tree';
import { addressText } from './trace-packet';

export type CellValue = 'yes' | 'no' | 'partly' | 'depends' | 'nat';

export interface MatrixCell {
  value: CellValue;
  /** partly: where connections are accepted ("to 10.0.0.1/32", "out eth1", "from port 53"). */
  detail?: string;
  /** depends/nat: 0-based lines of the rules the answer turns on (or of the NAT rules). */
  lines?: number[];
}

export interface MatrixGroup {
  id: string;
  /** Source addresses as CIDR blocks. */
  sources: string[];
  /** Input interfaces (`eth+` for a prefix), or null for every interface except loopback. */
  interfaces: string[] | null;
  label: string;
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
function refine(splits: Piece[][], range: IntervalSet): { set: IntervalSet; trees: Tree[] }[] {
  const cuts = new Set<bigint>();
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
    // Adjacent pieces with the same subtrees merge into one range.
    if (last && last.trees.every((t, i) => t === trees[i]) && last.set.parts[last.set.parts.length - 1][1] + 1n === piece.parts[0][0]) last.set = last.set.union(piece);
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
  for (const p of refine(groupTrees.map((t) => split(t, 'proto', protoRange)), protoRange)) {
    const kind = engine.protoKind(p.set.first()!);
    const protocol = protocolText(p.set, fam);
    if (kind === 'none') {
      addRow(rows, protocol, null, p.trees, engine, fam);
      continue;
    }
    const dim: Dim = kind === 'icmp' ? 'icmp' : 'dport';
    const portRange = engine.range('port', kind);
    for (const q of refine(p.trees.map((t) => split(t, dim, portRange)), portRange)) {
      addRow(rows, protocol, kind === 'icmp' ? icmpText(q.set, fam) : rangesText(q.set), q.trees, engine, fam);
    }
  }
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
  return { value: 'partly', detail: accepted.slice(0, 3).join('; ') + (accepted.length > 3 ? `; … (${accepted.length - 3} more)` : '') };
}

function walkLeaves(t: Tree, f: (l: NonNullable<Tree['leaf']>) => void): void {
  if (t.leaf) f(t.leaf);
  for (const c of t.children ?? []) walkLeaves(c.tree, f);
}

/** The accepted part of a cell's subtree as short conditions: "to 10.0.0.1/32 out eth1". */
function describe(t: Tree, engine: MatrixEngine, fam: Family, depth: number): string[] {
  if (t.leaf) return t.leaf.kind === 'A' ? [''] : [];
  if (depth > 4) return [];
  const out: string[] = [];
  for (const c of t.children!) {
    const inner = describe(c.tree, engine, fam, depth + 1);
    if (!inner.length) continue;
    const here = t.dim === 'dst' ? `to ${shortAddresses(c.set, fam)}` : t.dim === 'oif' ? `out ${interfaceNames(engine, c.set).join(',')}`
      : t.dim === 'sport' ? `from port ${rangesText(c.set)}` : t.dim === 'src' ? `from ${shortAddresses(c.set, fam)}` : t.dim === 'iif' ? `in ${interfaceNames(engine, c.set).join(',')}` : `${t.dim} ${c.set}`;
    for (const i of inner) out.push(i ? `${here} ${i}` : here);
  }
  return out;
}

// --- text of sets ------------------------------------------------------------------------------

export function cidrs(set: IntervalSet, fam: Family): string[] {
  const bits = fam === 4 ? 32n : 128n;
  const out: string[] = [];
  for (const [a0, b] of set.parts) {
    let a = a0;
    while (a <= b) {
      let size = 0n;
      while (size < bits && (a & ((1n << (size + 1n)) - 1n)) === 0n && a + (1n << (size + 1n)) - 1n <= b) size++;
      out.push(`${addr(a, fam)}/${bits - size}`);
      a += 1n << size;
    }
  }
  return out;
}

const addr = (v: bigint, fam: Family) => addressText(v, fam);

const fullSet = (fam: Family) => IntervalSet.of(0n, fam === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n);

function shortAddresses(set: IntervalSet, fam: Family): string {
  const full = fullSet(fam);
  if (set.equals(full)) return 'anywhere';
  const list = cidrs(set, fam), rest = cidrs(full.minus(set), fam);
  const show = (xs: string[]) => (xs.length > 4 ? `${xs.slice(0, 4).join(', ')}, … (${xs.length - 4} more)` : xs.join(', '));
  return rest.length < list.length ? `anywhere except ${show(rest)}` : show(list);
}

function groupLabel(set: IntervalSet, fam: Family, interfaces: string[] | null): string {
  const from = shortAddresses(set, fam);
  return interfaces ? `${from} (in ${interfaces.join(', ')})` : from;
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
