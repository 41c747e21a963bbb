// Checks exposure-matrix cells against the kernel by sampling: for a "yes" cell a new connection
// from a source of the group to a port of the row must get through every table, for a "no" cell
// (or a service in no row) it must not. Cells that say partly/depends/NAT are not sampled.
import type { Ruleset } from '../../../server/src/model/ruleset';
import { exposureMatrix, type MatrixTable } from '../../../server/src/analysis/matrix';
import { addressText, parsePacket } from '../../../server/src/analysis/trace-packet';
import { addressNet } from '../../../server/src/analysis/trace-match';
import { parseIcmpType } from '../../../server/src/knowledge/icmp';
import type { Analysis } from '../../../server/src/engine';
import { rng, usable } from './cases';
import { observe } from './verify';
import type { Lab } from './lab';

export interface CellResult { ruleset: string; table: string; packet: string; expected: 'yes' | 'no'; delivered: boolean; ok: boolean }

function randomIn(cidr: string, family: 4 | 6, rand: () => number): bigint | undefined {
  const n = addressNet(cidr, family);
  if (typeof n === 'string') return undefined;
  const bits = family === 4 ? 32n : 128n;
  const host = ((1n << bits) - 1n) ^ n.mask;
  for (let k = 0; k < 12; k++) {
    const r = (BigInt(Math.floor(rand() * 2 ** 32)) << 96n) | (BigInt(Math.floor(rand() * 2 ** 32)) << 64n) | (BigInt(Math.floor(rand() * 2 ** 32)) << 32n) | BigInt(Math.floor(rand() * 2 ** 32));
    const a = n.net | (r & host);
    if (usable(a, family)) return a;
  }
  return undefined;
}

function portIn(ports: string, rand: () => number): number {
  const parts = ports.split(',').map((p) => p.split('-').map(Number));
  const [lo, hi] = parts[Math.floor(rand() * parts.length)];
  return lo + Math.floor(rand() * ((hi ?? lo) - lo + 1));
}

/** Samples up to `count` cells of the INPUT and FORWARD matrices of one family. */
export async function sampleMatrix(lab: Lab, name: string, analysis: Analysis, family: 4 | 6, count: number, seed: number,
  avoid: { local: Set<bigint>; remote: Set<bigint> }): Promise<CellResult[]> {
  const rand = rng(seed);
  const out: CellResult[] = [];
  const matrix = exposureMatrix(analysis, { family });
  const rs: Ruleset = analysis.rulesets[family];
  void rs;
  for (const table of matrix.tables) {
    if (!table.complete) continue;
    const samples = planCells(table, family, rand, Math.ceil(count / 2));
    for (const s of samples) {
      const g = table.groups[s.group];
      if (g.interfaces && !g.interfaces.includes(lab.iif)) continue;
      const cidr = g.sources[Math.floor(rand() * g.sources.length)];
      const src = randomIn(cidr, family, rand);
      let dst: bigint | undefined;
      for (let k = 0; k < 20 && dst === undefined; k++) {
        const d = randomIn(family === 4 ? '198.18.0.0/15' : '2001:db8::/32', family, rand);
        if (d !== undefined && d !== src && !avoid.remote.has(d) && !avoid.local.has(d)) dst = d;
      }
      if (src === undefined || dst === undefined || avoid.local.has(src)) continue;
      const path = table.chain === 'INPUT' ? 'input' : 'forward';
      (path === 'input' ? avoid.local : avoid.remote).add(dst);
      avoid.remote.add(src);
      const ep = (a: bigint, p?: number) => (p === undefined ? addressText(a, family) : family === 6 ? `[${addressText(a, family)}]:${p}` : `${addressText(a, family)}:${p}`);
      const sport = 1024 + Math.floor(rand() * 64000);
      const ports = s.proto === 'tcp' || s.proto === 'udp';
      const ifs = path === 'input' ? `in ${lab.iif}` : `in ${lab.iif} out ${lab.oif}`;
      const text = `${s.proto} ${ep(src, ports ? sport : undefined)} > ${ep(dst, ports ? s.port : undefined)} ${ifs} state NEW${s.proto === 'tcp' ? ' flags SYN' : ''}${s.icmp !== undefined ? ` icmp-type ${s.icmp}` : ''}`;
      const parsed = parsePacket(text);
      if (!parsed.ok) continue;
      const seen = await observe(lab, parsed.packet, path);
      out.push({ ruleset: name, table: `${table.chain}/${family}`, packet: text, expected: s.expected, delivered: seen.delivered, ok: seen.delivered === (s.expected === 'yes') });
    }
  }
  return out;
}

interface Plan { group: number; proto: string; port?: number; icmp?: number; expected: 'yes' | 'no' }

function planCells(t: MatrixTable, family: 4 | 6, rand: () => number, count: number): Plan[] {
  const plans: Plan[] = [];
  const rows = t.rows.filter((r) => r.protocol === 'tcp' || r.protocol === 'udp' || r.protocol === 'icmp' || r.protocol === 'icmpv6');
  for (let k = 0; k < count * 3 && plans.length < count; k++) {
    const group = Math.floor(rand() * t.groups.length);
    if (rows.length && rand() < 0.75) {
      const r = rows[Math.floor(rand() * rows.length)];
      const cell = r.cells[group];
      if (cell.value !== 'yes' && cell.value !== 'no') continue;
      if (r.protocol.startsWith('icmp')) {
        const type = r.ports?.split(',')[0];
        const spec = type ? parseIcmpType(type, family) : undefined;
        if (!spec?.ok) continue;
        plans.push({ group, proto: r.protocol, icmp: spec.value.type, expected: cell.value });
      } else plans.push({ group, proto: r.protocol, port: portIn(r.ports ?? '0-65535', rand), expected: cell.value });
    } else {
      // A port no row lists: nobody may connect.
      const proto = rand() < 0.5 ? 'tcp' : 'udp';
      const port = 1 + Math.floor(rand() * 65535);
      const listed = t.rows.some((r) => r.protocol === proto && (r.ports === null || r.ports.split(',').some((x) => { const [a, b] = x.split('-').map(Number); return port >= a && port <= (b ?? a); })));
      if (!listed) plans.push({ group, proto, port, expected: 'no' });
    }
  }
  return plans;
}
