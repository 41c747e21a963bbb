// Differential check of the value readers that have a fast path (number and address readers):
// the functions of this tree against those of another version of server/src, on random and edge
// inputs. Any difference is printed; exit code 1 then.
// Usage: GOLDEN_SRC=path/to/other/server/src node --import tsx bench/parse/fuzz-values.ts [COUNT]
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');
const OTHER = process.env.GOLDEN_SRC ? resolve(process.env.GOLDEN_SRC) : undefined;
if (!OTHER) { console.error('set GOLDEN_SRC to the other server/src'); process.exit(2); }
const COUNT = Number(process.argv[2] ?? 200_000);

type Mod = Record<string, (...a: unknown[]) => unknown>;
const load = async (src: string, path: string) => (await import(join(src, path))) as Mod;
const mine = {
  header: await load(join(ROOT, 'server/src'), 'knowledge/matches/header-common.ts'),
  target: await load(join(ROOT, 'server/src'), 'knowledge/targets/target-values.ts'),
  inet: await load(join(ROOT, 'server/src'), 'knowledge/inet.ts'),
  values: await load(join(ROOT, 'server/src'), 'knowledge/values.ts'),
  memo: await load(join(ROOT, 'server/src'), 'syntax/memo.ts'),
};
const other = {
  header: await load(OTHER, 'knowledge/matches/header-common.ts'),
  target: await load(OTHER, 'knowledge/targets/target-values.ts'),
  inet: await load(OTHER, 'knowledge/inet.ts'),
  values: await load(OTHER, 'knowledge/values.ts'),
  memo: await load(OTHER, 'syntax/memo.ts'),
};

let a = 0x9e3779b9;
const rand = () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const ALPHABET = ['0', '1', '2', '5', '9', '.', '/', ':', '-', '+', ' ', 'x', 'X', 'a', 'f', 'g', '\t', '!', '00', '255', '256', '999', '65535', '65536', '4294967295', '4294967296', '12345678901234', '123456789012345', '99999999999999999999'];
function randomText(): string {
  const n = Math.floor(rand() * 7);
  let s = '';
  for (let k = 0; k < n; k++) s += pick(ALPHABET);
  return s;
}
function randomAddress(): string {
  const octet = () => pick(['0', '1', '10', '01', '255', '256', '099', '1000', String(Math.floor(rand() * 300)), '', 'a']);
  const parts = Array.from({ length: pick([3, 4, 4, 4, 4, 5]) }, octet).join(pick(['.', '.', '.', '.', ':']));
  return rand() < 0.5 ? parts : `${parts}/${pick(['0', '00', '8', '24', '32', '33', '032', '100', '', 'x', '255.255.0.0', '1e1'])}`;
}

const MIN_MAX: [number, number][] = [[0, 255], [1, 255], [0, 65535], [1, 65535], [0, 0xffffffff], [0, 0xfffffffe], [2, 255], [0, 7], [0, 128]];
let failures = 0;
function same(name: string, input: unknown[], x: () => unknown, y: () => unknown): void {
  let rx: unknown, ry: unknown;
  try { rx = x(); } catch (e) { rx = `THROWS ${(e as Error).message}`; }
  try { ry = y(); } catch (e) { ry = `THROWS ${(e as Error).message}`; }
  if (!isDeepStrictEqual(rx, ry)) {
    failures++;
    if (failures < 20) console.log(`${name}(${input.map((v) => JSON.stringify(v)).join(', ')}): ${String(JSON.stringify(rx, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)))} vs ${String(JSON.stringify(ry, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)))}`);
  }
}

for (let k = 0; k < COUNT; k++) {
  const t = rand() < 0.5 ? randomText() : String(Math.floor(rand() * 10 ** Math.floor(rand() * 16)));
  const base = pick([0, 10, 16, 8]);
  const [min, max] = pick(MIN_MAX);
  const whole = rand() < 0.5;
  same('strtoul', [t, base], () => mine.header.strtoul(t, base), () => other.header.strtoul(t, base));
  same('xtStrtoui', [t, min, max], () => mine.header.xtStrtoui(t, min, max), () => other.header.xtStrtoui(t, min, max));
  same('parseGaiPort', [t], () => mine.header.parseGaiPort(t), () => other.header.parseGaiPort(t));
  same('strtoumax', [t, base], () => mine.target.strtoumax(t, base), () => other.target.strtoumax(t, base));
  same('xtStrtoul', [t, min, max, whole, base], () => mine.target.xtStrtoul(t, min, max, whole, base), () => other.target.xtStrtoul(t, min, max, whole, base));
  const addr = randomAddress();
  same('inetPton4', [addr], () => mine.inet.inetPton4(addr.split('/')[0]), () => other.inet.inetPton4(addr.split('/')[0]));
  same('inetPton4', [t], () => mine.inet.inetPton4(t), () => other.inet.inetPton4(t));
  for (const family of [4, 6]) {
    same('acceptedAddress', [addr, family], () => mine.memo.acceptedAddress(addr, family), () => other.memo.acceptedAddress(addr, family));
  }
}
console.log(`${COUNT} rounds, ${failures} differences`);
process.exit(failures ? 1 : 0);
