// Golden output of the rule-line parse path, to prove that a speed-up changes nothing.
// Serialises, in full, what the parser produces for:
//   - every file of ../shared/corpus/save/** and the 70k kube-proxy dump (parseSaveFile, families 4 and 6),
//   - every test line of the netfilter .t files (parseRuleArgs of `-A CHAIN RULE`, each chain, both families),
//   - seeded mutations of those lines (words dropped, doubled, swapped, `!` inserted, truncated),
//   - the iptables commands of the shell scripts in ../shared/corpus/scripts and test/fixtures
//     (their words are recorded once in OUT/shell-words.json and replayed, so changes elsewhere in the
//     shell front end do not show up here).
// Every own field is written in key order (undefined ones too), with each object's class name, so a
// changed object shape shows as a difference as well.
// Usage: node --import tsx bench/parse/golden.ts OUTDIR   then   diff -r OUTDIR_before OUTDIR_after
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, createWriteStream, type WriteStream } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng } from '../kube-dump';
import type { Family, Word } from '../../server/src/syntax/ast';
import type * as CommandLine from '../../server/src/syntax/commandLine';
import type * as SaveFile from '../../server/src/syntax/saveFile';
import type * as Shell from '../../server/src/syntax/shell/index';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = resolve(ROOT, '../shared/corpus');
const OUT = resolve(process.argv[2] ?? join(ROOT, '.tmp/parse-golden'));
/** The source tree to run (GOLDEN_SRC=path/to/a/copy/of/server/src to compare with another version). */
const SRC = resolve(process.env.GOLDEN_SRC ?? join(ROOT, 'server/src'));
const { parseCommandWords, parseRuleArgs } = (await import(join(SRC, 'syntax/commandLine.ts'))) as typeof CommandLine;
const { parseSaveFile } = (await import(join(SRC, 'syntax/saveFile.ts'))) as typeof SaveFile;
mkdirSync(OUT, { recursive: true });

/** Deterministic, complete serialisation (class names, own keys in order, undefined kept, getters named `range`). */
function ser(v: unknown, depth = 0): string {
  if (depth > 40) throw new Error('too deep');
  if (v === undefined) return 'u';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'boolean': return String(v);
    case 'bigint': return `${v}n`;
    case 'function': return `fn:${(v as { name: string }).name}`;
    case 'symbol': return String(v);
  }
  const o = v as object;
  if (Array.isArray(o)) {
    const keys = Object.keys(o);
    const extra = keys.length !== o.length ? `{len${o.length},keys${keys.length}}` : '';
    return `[${extra}${Array.from(o, (x) => ser(x, depth + 1)).join(',')}]${Object.isFrozen(o) ? 'F' : ''}`;
  }
  if (o instanceof Map) return `Map{${[...o].map(([k, x]) => `${ser(k, depth + 1)}=>${ser(x, depth + 1)}`).join(',')}}`;
  if (o instanceof Set) return `Set{${[...o].map((x) => ser(x, depth + 1)).join(',')}}`;
  if (o instanceof RegExp) return `RegExp(${String(o)})`;
  if (ArrayBuffer.isView(o)) return `${o.constructor.name}(${Array.from(o as unknown as ArrayLike<number>).join(',')})`;
  const proto = Object.getPrototypeOf(o);
  const cls = proto === null ? 'null' : proto === Object.prototype ? '' : proto.constructor?.name ?? '?';
  const parts: string[] = [];
  // A word's end is in its range (printed below): how a class stores it is not output.
  const rangeOnProto = !Object.prototype.hasOwnProperty.call(o, 'range') && 'range' in o;
  for (const k of Reflect.ownKeys(o)) {
    if (rangeOnProto && (k === 'end' || k === 'sourceEnd')) continue;
    const d = Object.getOwnPropertyDescriptor(o, k)!;
    const name = typeof k === 'symbol' ? String(k) : k;
    parts.push(`${name}${d.enumerable ? '' : '~'}${'get' in d && d.get ? `:get=${ser(d.get.call(o), depth + 1)}` : `:${ser(d.value, depth + 1)}`}`);
  }
  if (rangeOnProto) parts.push(`range(proto):${ser((o as { range: unknown }).range, depth + 1)}`);
  return `${cls}{${parts.join(',')}}`;
}

/** The parse of one input, or the error it throws (a crash is an output too, and must stay the same). */
function guard(run: () => unknown): string {
  try { return ser(run()); } catch (e) { return `THROWS ${(e as Error).name}: ${(e as Error).message}`; }
}

const digests: string[] = [];
function open(name: string): { w: (s: string) => void; close: () => Promise<void> } {
  const path = join(OUT, name);
  mkdirSync(dirname(path), { recursive: true });
  const stream: WriteStream = createWriteStream(path);
  const hash = createHash('sha256');
  let lines = 0;
  return {
    w: (s) => { stream.write(s + '\n'); hash.update(s + '\n'); lines++; },
    close: () => new Promise((res) => stream.end(() => { digests.push(`${hash.digest('hex')}  ${lines}  ${name}`); res(); })),
  };
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}


const LONG_OF: Record<string, string> = {
  '-A': '--append', '-I': '--insert', '-D': '--delete', '-R': '--replace', '-N': '--new-chain', '-P': '--policy', '-E': '--rename-chain', '-F': '--flush',
  '-p': '--protocol', '-s': '--source', '-d': '--destination', '-i': '--in-interface', '-o': '--out-interface', '-j': '--jump', '-g': '--goto',
  '-m': '--match', '-t': '--table', '-c': '--set-counters', '-L': '--list', '-w': '--wait',
};

function mutations(rule: string, rand: () => number): string[] {
  const words = rule.split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const pick = () => Math.floor(rand() * words.length);
  const out: string[] = [];
  const drop = pick(); out.push(words.filter((_, i) => i !== drop).join(' '));
  const dup = pick(); out.push([...words.slice(0, dup + 1), ...words.slice(dup)].join(' '));
  const bang = pick(); out.push([...words.slice(0, bang), '!', ...words.slice(bang)].join(' '));
  const a = pick(), b = pick(); const sw = [...words]; [sw[a], sw[b]] = [sw[b], sw[a]]; out.push(sw.join(' '));
  out.push(words.slice(0, pick()).join(' '));
  // `--opt=value` for every option followed by a value, and the short generic options spelled so.
  words.forEach((w, eq) => {
    if (eq + 1 >= words.length || words[eq + 1].startsWith('-')) return;
    const long = w.startsWith('--') ? w : LONG_OF[w];
    if (long) out.push([...words.slice(0, eq), `${long}=${words[eq + 1]}`, ...words.slice(eq + 2)].join(' '));
  });
  const pre = words.findIndex((w) => w.length > 5 && w.startsWith('--'));
  if (pre >= 0) out.push([...words.slice(0, pre), words[pre].slice(0, 5), ...words.slice(pre + 1)].join(' '));
  return out;
}

async function saveFiles(): Promise<void> {
  const f = open('save.txt');
  const inputs = files(join(CORPUS, 'save')).filter((p) => !p.endsWith('SOURCE.txt'));
  for (const path of inputs) {
    const text = readFileSync(path, 'utf8');
    for (const family of [4, 6] as Family[]) {
      const r = parseSaveFile(text, family);
      f.w(`## ${relative(CORPUS, path)} family ${family}`);
      for (const e of r.entries) f.w(ser(e));
      f.w(`problems ${ser(r.problems)}`);
      f.w(`comments ${ser(r.comments)}`);
    }
  }
  // A save file inside a script (heredoc): an offset shifts every range.
  const sample = inputs.find((p) => p.includes('moby')) ?? inputs[0];
  if (sample) {
    const r = parseSaveFile(readFileSync(sample, 'utf8'), 4, { line: 7, character: 3 });
    f.w(`## offset ${relative(CORPUS, sample)}`);
    for (const e of r.entries) f.w(ser(e));
    f.w(`problems ${ser(r.problems)}`);
  }
  await f.close();
}

async function kubeDump(): Promise<void> {
  const path = join(ROOT, 'bench/out/kube-proxy-70023.rules');
  if (!existsSync(path)) { console.error(`missing ${path}`); return; }
  const f = open('kube.txt');
  const r = parseSaveFile(readFileSync(path, 'utf8'), 4);
  for (const e of r.entries) f.w(ser(e));
  f.w(`problems ${ser(r.problems)}`);
  await f.close();
}

interface TLine { file: string; line: number; rule: string; table: string; chains: string[] }
function tLines(): TLine[] {
  const out: TLine[] = [];
  for (const path of files(CORPUS).filter((p) => p.endsWith('.t'))) {
    let table = 'filter';
    let chains: string[] = ['INPUT'];
    readFileSync(path, 'utf8').split('\n').forEach((raw, i) => {
      const text = raw.replace(/\r$/, '');
      if (text.trim() === '' || text.startsWith('#')) return;
      if (text.startsWith(':')) { chains = text.slice(1).trim().split(','); return; }
      if (text.startsWith('*')) { table = text.slice(1).trim(); return; }
      if (text.startsWith('@') || text.startsWith('%')) return;
      out.push({ file: relative(CORPUS, path), line: i + 1, rule: text.split(';')[0], table, chains });
    });
  }
  return out;
}

async function netfilterT(): Promise<void> {
  const f = open('tfiles.txt');
  const m = open('mutations.txt');
  const rand = rng(20240601);
  for (const t of tLines()) {
    for (const family of [4, 6] as Family[]) {
      for (const chain of t.chains) {
        f.w(`${t.file}:${t.line} ${family} ${chain} ${guard(() => parseRuleArgs(`-A ${chain} ${t.rule}`, { family, table: t.table }))}`);
      }
      // The whole line as written, save-origin, and as a script's words.
      f.w(`${t.file}:${t.line} ${family} raw ${guard(() => parseRuleArgs(t.rule, { family, table: t.table, origin: 'save' }))}`);
    }
    for (const v of mutations(`-A ${t.chains[0]} ${t.rule}`, rand)) {
      for (const family of [4, 6] as Family[]) m.w(`${t.file}:${t.line} ${family} ${JSON.stringify(v)} ${guard(() => parseRuleArgs(v, { family, table: t.table }))}`);
    }
  }
  // Lines of the corpus save files, mutated the same way.
  for (const path of files(join(CORPUS, 'save')).filter((p) => !p.endsWith('SOURCE.txt'))) {
    let table = 'filter';
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.startsWith('*')) table = line.slice(1).trim();
      if (!line.startsWith('-')) continue;
      if (rand() > 0.3) continue;
      for (const v of mutations(line, rand)) m.w(`${relative(CORPUS, path)} ${JSON.stringify(v)} ${guard(() => parseRuleArgs(v, { family: 4, table, origin: 'save' }))}`);
    }
  }
  // Look-alike characters and odd shapes the corpus lacks.
  const odd = [
    '-A INPUT \u2013p tcp \u2014dport 22 -j ACCEPT', '-A INPUT -p tcp --dport\u300022 -j ACCEPT', '-A INPUT -m comment --comment \u201cx\u201d -j ACCEPT',
    '-A INPUT -s ! 10.0.0.1 -j DROP', '-A INPUT -s !', '-A INPUT ! ! -s 1.2.3.4', '-vnL INPUT', '-nvL', '-A INPUT -p tcp --dp 22', '-A INPUT -p tcp --d 22',
    '-D INPUT 3', '-I INPUT 2 -j ACCEPT', '-R INPUT -j ACCEPT', '-E a b', '-N ACCEPT', '-N -x', '-P INPUT DROP', '-t nat -A PREROUTING -j DNAT --to 1.2.3.4',
    '-t bogus -A INPUT', '-A INPUT -4 -6', '-c 1 2 -A INPUT', '-A INPUT --dport 22 -p tcp', '-A INPUT -m nosuch --foo 1', '-A INPUT -j NOSUCHCHAIN',
    '-A INPUT -m tcp --dport 22', '-A INPUT -p tcp -m multiport --dports 1,2,3 --dports 4', '-A OUTPUT -i eth0', '-A INPUT -o eth0', '-A INPUT -f -f',
    '-A INPUT -p all ! -p tcp', '! -p all', '-A INPUT ! -p all -j DROP', '-A INPUT ! -s 0.0.0.0/0', '-A INPUT -s 1.2.3.4,5.6.7.8/33', '-A INPUT -s ""',
    '-A INPUT -i ""', '-A INPUT -i eth0/1', '-A INPUT --protocol=tcp --dport=22 -j ACCEPT', '-A INPUT -j LOG --log-prefix "a b" --log-level 4',
    '-A INPUT -p icmpv6 --icmpv6-type 1', '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type echo-request', '-A INPUT -m state --state NEW,BOGUS',
    '-A INPUT "unterminated', '--append=INPUT --jump=ACCEPT', '-A INPUT --goto=X', '-P INPUT --jump=DROP', '--policy=INPUT DROP', '--rename-chain=a b', '-E=a b',
    '--set-counters=1 2 -A INPUT', '-A INPUT --match=tcp --protocol=tcp --dport=22', '--table=nat -A POSTROUTING -j MASQUERADE --to-ports=1000', '-A INPUT --fragment=x',
    '-A INPUT -j SET --add-set=foo src', '-A INPUT -p tcp --tcp-flags=SYN,ACK SYN', '--new-chain=', '-A INPUT --src=1.2.3.4 --dst=::1', '-A INPUT -m set --match-set=x src', '-A INPUT -m string --string "a\\"b" --algo bm', '', '   ', '-A', '-A INPUT -p', 'A INPUT', '-A INPUT -g ACCEPT',
  ];
  for (const v of odd) for (const family of [4, 6] as Family[]) for (const origin of ['save', 'shell'] as const) m.w(`odd ${family} ${origin} ${JSON.stringify(v)} ${guard(() => parseRuleArgs(v, { family, origin }))}`);
  await f.close();
  await m.close();
}

/** Shell scripts: the words of each iptables call are recorded once, then replayed. */
async function shellScripts(): Promise<void> {
  const record = join(ROOT, '.tmp/parse-golden-shell-words.json');
  let calls: { file: string; family: Family; words: Word[] }[];
  if (existsSync(record)) calls = JSON.parse(readFileSync(record, 'utf8'));
  else {
    const { evaluateShell } = (await import(join(SRC, 'syntax/shell/index.ts'))) as typeof Shell;
    calls = [];
    const inputs = [...files(join(CORPUS, 'scripts')), ...files(join(ROOT, 'test/fixtures'))].filter((p) => !p.endsWith('SOURCE.txt') && !/\.(json|md|rules|v4|v6)$/.test(p));
    for (const path of inputs) {
      let events;
      try { events = evaluateShell(readFileSync(path, 'utf8')).events; } catch { continue; }
      for (const ev of events) {
        if (ev.kind !== 'command' || !ev.words[0]) continue;
        const m = /(?:^|\/)(ip6?tables)(?:-legacy|-nft)?$/.exec(ev.words[0].text);
        if (!m && !ev.words[0].symbolic) continue;
        const family: Family = m?.[1] === 'ip6tables' ? 6 : 4;
        calls.push({ file: relative(ROOT, path), family, words: ev.words.slice(1).map((w: Word) => JSON.parse(JSON.stringify({ text: w.text, range: w.range, symbolic: w.symbolic, quoted: w.quoted }))) });
      }
    }
    writeFileSync(record, JSON.stringify(calls));
  }
  const f = open('shell.txt');
  for (const c of calls) {
    // Plain objects, as the shell front end makes them (fields it did not set are absent).
    const words = c.words.map((w) => {
      const o: Word = { text: w.text, range: w.range };
      if (w.symbolic !== undefined) o.symbolic = w.symbolic;
      if (w.quoted !== undefined) o.quoted = w.quoted;
      return o;
    });
    f.w(`${c.file} ${guard(() => parseCommandWords(words, { family: c.family, origin: 'shell' }))}`);
  }
  await f.close();
}

await saveFiles();
await netfilterT();
await shellScripts();
await kubeDump();
writeFileSync(join(OUT, 'SUMS'), digests.join('\n') + '\n');
console.log(digests.join('\n'));
