// Matches that look into packet bytes: string (libxt_string), u32 (libxt_u32), bpf (libxt_bpf).
import { loc, type Localized } from '../../syntax/ast';
import type { ModuleDef, ValueResult } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf } from '../save-helpers';
import { strtoul, xtUint } from './header-common';

const MAX_PATTERN = 128;

/** `--hex-string`: text with `|41 42|` hex blocks; outside them `\` makes the next character literal. */
export function parseHexString(text: string): ValueResult<number[]> {
  const out: number[] = [];
  let inHex = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '|') { inHex = !inHex; continue; }
    if (inHex) {
      if (ch === ' ') continue;
      if (ch === '\\') return fail('a hex block cannot contain a `\\` literal', '16 進ブロックの中に `\\` は書けません');
      const pair = text.slice(i, i + 2);
      if (pair.length < 2 || pair[1] === '|') return fail(`odd number of hex digits in "${text}"`, `"${text}" の 16 進数字の個数が奇数です`);
      if (!/^[0-9a-fA-F]{2}$/.test(pair)) return fail(`"${pair}" is not a hex byte`, `"${pair}" は 16 進のバイトではありません`);
      out.push(parseInt(pair, 16));
      i++;
      continue;
    }
    const lit = ch === '\\' && i + 1 < text.length ? text[++i] : ch;
    out.push(...new TextEncoder().encode(lit));
  }
  if (inHex) return fail(`unterminated hex block in "${text}" (a \`|\` is missing)`, `"${text}" の 16 進ブロックが閉じていません（\`|\` がありません）`);
  return ok(out);
}

/**
 * iptables-save prints a pattern as text unless a byte is not printable ASCII or the last one is
 * `\`. The string match quotes on its own: always in double quotes, only `"` and `\` escaped.
 */
export function formatPattern(bytes: number[]): { option: 'string' | 'hex-string'; text: string } {
  const printable = bytes.every((b) => b >= 0x20 && b <= 0x7e);
  if (printable && bytes[bytes.length - 1] !== 0x5c) return { option: 'string', text: `"${String.fromCharCode(...bytes).replace(/(["\\])/g, '\\$1')}"` };
  return { option: 'hex-string', text: `"|${bytes.map((b) => b.toString(16).padStart(2, '0')).join('')}|"` };
}

const checkPattern = (r: ValueResult<number[]>): ValueResult<number[]> => {
  if (!r.ok) return r;
  if (r.value.length > MAX_PATTERN) return fail(`the pattern is ${r.value.length} bytes; the string match allows at most ${MAX_PATTERN}`, `パターンが ${r.value.length} バイトあります。string マッチは最大 ${MAX_PATTERN} バイトです`);
  if (r.value.length === 0) return fail('the pattern is empty: the kernel refuses it', 'パターンが空です。カーネルが拒否します');
  return r;
};

const OFFSET = loc('offset', 'オフセット');

export const stringMatch: ModuleDef = {
  name: 'string',
  kind: 'match',
  doc: loc('Matches packets whose bytes contain a pattern (text or hex). Costly, and blind to data split across packets.', 'パケットのバイト列にパターン（文字列または 16 進）が含まれていれば一致します。負荷が高く、複数パケットにまたがるデータは検出できません。'),
  options: [
    {
      name: 'algo', args: 1, argName: 'bm|kmp', values: ['bm', 'kmp'],
      parse: (args) => (args[0] === 'bm' || args[0] === 'kmp' ? ok(args[0]) : fail(`unknown search algorithm "${args[0]}": the kernel has bm and kmp`, `不明な検索アルゴリズム "${args[0]}" です（カーネルにあるのは bm と kmp）`)),
      doc: loc('Search algorithm: bm (Boyer-Moore) or kmp (Knuth-Morris-Pratt). Required.', '検索アルゴリズム：bm（Boyer-Moore）か kmp（Knuth-Morris-Pratt）。指定が必要です。'),
    },
    { name: 'from', args: 1, argName: 'offset', parse: (args) => xtUint(args[0], 0, 65535, OFFSET), doc: loc('Offset (bytes from the start of the IP header) where the search starts; default 0.', '検索を始めるオフセット（IP ヘッダー先頭からのバイト数）。既定は 0。') },
    { name: 'to', args: 1, argName: 'offset', parse: (args) => xtUint(args[0], 0, 65535, OFFSET), doc: loc('Offset where the search stops; default: the end of the packet.', '検索を終えるオフセット。既定はパケットの末尾。') },
    { name: 'string', args: 1, negatable: true, argName: 'pattern', parse: (args) => checkPattern(ok([...new TextEncoder().encode(args[0])])), doc: loc('Text to look for (up to 128 bytes).', '探す文字列（128 バイトまで）。') },
    { name: 'hex-string', args: 1, negatable: true, argName: 'pattern', parse: (args) => checkPattern(parseHexString(args[0])), doc: loc('Bytes to look for, with hex between bars: `|0d 0a|`, `GET|20|/`.', '探すバイト列。縦棒の間は 16 進で書きます：`|0d 0a|`、`GET|20|/`。') },
    { name: 'icase', args: 0, doc: loc('Ignore upper/lower case when searching.', '大文字と小文字を区別せずに検索します。') },
  ],
  validate(m) {
    const errors: Localized[] = [];
    const s = optionOf(m, 'string'), h = optionOf(m, 'hex-string');
    if (s && h) errors.push(loc('--string and --hex-string cannot be used together', '--string と --hex-string は同時に指定できません'));
    if (!s && !h) errors.push(loc('the string match needs --string or --hex-string', 'string マッチには --string か --hex-string が必要です'));
    if (!optionOf(m, 'algo')) errors.push(loc('the string match needs --algo bm or --algo kmp', 'string マッチには --algo bm か --algo kmp が必要です'));
    const from = optionOf(m, 'from')?.value as number | undefined, to = optionOf(m, 'to')?.value as number | undefined;
    if ((from ?? 0) > (to ?? 65535)) errors.push(loc('--from is after --to: the kernel refuses it', '--from が --to より後ろです。カーネルが拒否します'));
    return errors;
  },
  save(m) {
    const words = ['-m', 'string'];
    const p = optionOf(m, 'string') ?? optionOf(m, 'hex-string');
    if (p) { const f = formatPattern(p.value as number[]); words.push(...bang(p), `--${f.option}`, f.text); }
    const algo = optionOf(m, 'algo');
    if (algo) words.push('--algo', String(algo.value));
    const from = optionOf(m, 'from'), to = optionOf(m, 'to');
    if (from && from.value !== 0) words.push('--from', String(from.value));
    if (to && to.value !== 65535) words.push('--to', String(to.value));
    if (optionOf(m, 'icase')) words.push('--icase');
    return words;
  },
};

// ---- u32 ----

export interface U32Test { location: { op: '' | '&' | '<<' | '>>' | '@'; n: number }[]; values: { min: number; max: number }[] }
const U32_MAX = 10;

/** Reads the u32 test language with iptables' limits (10 tests, 10 numbers per location, 10 ranges). */
export function parseU32(text: string): ValueResult<U32Test[]> {
  const tests: U32Test[] = [];
  let cur: U32Test = { location: [], values: [] };
  let state: 'loc' | 'val' = 'loc';
  let i = 0;
  const err = (en: string, ja: string) => fail(`u32 at character ${i}: ${en}`, `u32 の ${i} 文字目: ${ja}`);
  const num = (): number | undefined => {
    const r = strtoul(text.slice(i), 0);
    if (!r || r.negative || r.value > 0xffffffffn) return undefined;
    i += r.end;
    return Number(r.value);
  };
  for (;;) {
    while (/\s/.test(text[i] ?? '')) i++;
    if (i >= text.length) {
      if (state === 'loc') return err('the input ends inside a location', '位置指定の途中で終わっています');
      if (!cur.values.length) return err('the last test has no value', '最後のテストに値がありません');
      tests.push(cur);
      return tests.length > U32_MAX ? err('too many "&&"', '"&&" が多すぎます') : ok(tests);
    }
    if (state === 'loc') {
      if (text[i] === '=') {
        if (!cur.location.length) return err('location missing before "="', '"=" の前に位置指定がありません');
        i++; state = 'val'; continue;
      }
      let op: U32Test['location'][number]['op'] = '';
      if (cur.location.length) {
        const two = text.slice(i, i + 2);
        if (text[i] === '&' || text[i] === '@') op = text[i] as '&' | '@';
        else if (two === '<<' || two === '>>') op = two;
        else return err('operator expected (&, <<, >>, @)', '演算子（&, <<, >>, @）が必要です');
        i += op.length;
      }
      const n = num();
      if (n === undefined) return err('not a number or out of range', '数値でないか範囲外です');
      cur.location.push({ op, n });
      if (cur.location.length > U32_MAX) return err('too many operators', '演算子が多すぎます');
    } else if (text[i] === '&') {
      if (text[i + 1] !== '&') return err('"&&" expected', '"&&" が必要です');
      tests.push(cur);
      if (tests.length >= U32_MAX) return err('too many "&&"', '"&&" が多すぎます');
      cur = { location: [], values: [] }; i += 2; state = 'loc';
    } else {
      if (cur.values.length) {
        if (text[i] !== ',') return err('"," or "&&" expected', '"," か "&&" が必要です');
        i++;
      }
      const min = num();
      if (min === undefined) return err('not a number or out of range', '数値でないか範囲外です');
      while (/\s/.test(text[i] ?? '')) i++;
      let max = min;
      if (text[i] === ':') {
        i++;
        const n = num();
        if (n === undefined) return err('not a number or out of range', '数値でないか範囲外です');
        max = n;
      }
      cur.values.push({ min, max });
      if (cur.values.length > U32_MAX) return err('too many ","', '"," が多すぎます');
    }
  }
}

const h = (n: number) => `0x${n.toString(16)}`;
export const formatU32 = (tests: U32Test[]): string => tests.map((t) =>
  `${t.location.map((l) => `${l.op}${h(l.n)}`).join('')}=${t.values.map((v) => (v.min === v.max ? h(v.min) : `${h(v.min)}:${h(v.max)}`)).join(',')}`).join('&&');

export const u32Match: ModuleDef = {
  name: 'u32',
  kind: 'match',
  doc: loc('Tests 32-bit words read at computed offsets of the packet against sets of values (a small language; see iptables-extensions(8)).', 'パケット内の計算したオフセットから読んだ 32 ビット値を、値の集合と比較します（小さな言語です。iptables-extensions(8) を参照）。'),
  options: [{
    name: 'u32', args: 1, negatable: true, argName: 'tests',
    parse: (args) => parseU32(args[0]),
    doc: loc('`location=value[,value...]` tests joined by `&&`; a location is a byte offset with `&`, `<<`, `>>` and `@` (move to that offset) steps; values may be ranges `a:b`.', '`位置=値[,値...]` のテストを `&&` でつないだもの。位置はバイトオフセットに `&`・`<<`・`>>`・`@`（そのオフセットへ移動）を続けて書き、値は範囲 `a:b` も使えます。'),
  }],
  validate: (m) => (optionOf(m, 'u32') ? [] : [loc('the u32 match needs --u32', 'u32 マッチには --u32 の指定が必要です')]),
  save(m) {
    const o = optionOf(m, 'u32');
    return ['-m', 'u32', ...(o ? [...bang(o), '--u32', `"${formatU32(o.value as U32Test[])}"`] : [])];
  },
};

// ---- bpf ----

export type BpfInsn = [code: number, jt: number, jf: number, k: number];
const BPF_MAX = 64;

/** Opcodes the kernel's classic BPF checker allows. */
const BPF_CODES = new Set([
  0x20, 0x28, 0x30, 0x80, 0x40, 0x48, 0x50, 0x00, 0x60, 0x81, 0xb1, 0x01, 0x61, 0x02, 0x03,
  0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0x94, 0x9c, 0xa4, 0xac,
  0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x06, 0x16, 0x07, 0x87,
]);

/** sscanf-style decimal: blanks, a sign, digits; wraps to `bits` like %hu/%hhu/%u. */
function scanNum(text: string, pos: number, bits: number): { v: number; end: number } | undefined {
  const m = /^\s*([+-]?)(\d+)/.exec(text.slice(pos));
  if (!m) return undefined;
  const mod = 1n << BigInt(bits);
  let v = BigInt(m[2]) % mod;
  if (m[1] === '-') v = (mod - v) % mod;
  return { v: Number(v), end: pos + m[0].length };
}

export function parseBpf(text: string): ValueResult<BpfInsn[]> {
  const head = /^\s*([+-]?\d+),/.exec(text);
  if (!head) return fail('the program must start with its length and a comma ("4,48 0 0 9,...")', 'プログラムは長さとカンマで始めます（"4,48 0 0 9,..."）');
  const len = Number(BigInt(head[1]) % 65536n);
  if (len === 0) return fail('the program length is zero', 'プログラム長が 0 です');
  if (len > BPF_MAX) return fail(`the program has more than ${BPF_MAX} instructions`, `命令数が ${BPF_MAX} を超えています`);
  const insns: BpfInsn[] = [];
  let pos = text.indexOf(',');
  while (pos >= 0 && pos + 1 < text.length) {
    pos++;
    if (insns.length >= len) return fail(`more instructions than the length ${len} says`, `命令が長さ ${len} より多くあります`);
    const a = scanNum(text, pos, 16), b = a && scanNum(text, a.end, 8), c = b && scanNum(text, b.end, 8), d = c && scanNum(text, c.end, 32);
    if (!d) return fail(`instruction ${insns.length} is not "code jt jf k"`, `命令 ${insns.length} が "code jt jf k" の形ではありません`);
    insns.push([a.v, b.v, c.v, d.v]);
    pos = text.indexOf(',', pos);
  }
  if (insns.length !== len) return fail(`the program has ${insns.length} instructions but says ${len}`, `命令は ${insns.length} 個ですが、長さは ${len} と書かれています`);
  return checkBpf(insns);
}

/** The kernel's checks on a classic BPF program (opcodes, jumps, division by zero, scratch slots, final return). */
function checkBpf(p: BpfInsn[]): ValueResult<BpfInsn[]> {
  const bad = (i: number, en: string, ja: string) => fail(`BPF instruction ${i}: ${en}; the kernel refuses the program`, `BPF 命令 ${i}: ${ja}。カーネルがプログラムを拒否します`);
  for (let i = 0; i < p.length; i++) {
    const [code, jt, jf, k] = p[i];
    if (!BPF_CODES.has(code)) return bad(i, `unknown opcode ${code}`, `不明なオペコード ${code} です`);
    if ((code === 0x34 || code === 0x94) && k === 0) return bad(i, 'division by zero', '0 による除算です');
    if ((code === 0x60 || code === 0x61 || code === 0x02 || code === 0x03) && k >= 16) return bad(i, 'scratch memory slot out of range (0-15)', 'スクラッチメモリの番号が範囲外です（0〜15）');
    if (code === 0x05 && k >= p.length - i - 1) return bad(i, 'jump beyond the end', '末尾を越えるジャンプです');
    if ((code & 0x07) === 0x05 && code !== 0x05 && (i + jt + 1 >= p.length || i + jf + 1 >= p.length)) return bad(i, 'jump beyond the end', '末尾を越えるジャンプです');
  }
  if ((p[p.length - 1][0] & 0x07) !== 0x06) return bad(p.length - 1, 'the program does not end with a return', 'プログラムが return で終わっていません');
  return ok(p);
}

export const bpfMatch: ModuleDef = {
  name: 'bpf',
  kind: 'match',
  doc: loc('Runs a BPF program on the packet (from the IP header on): classic bytecode inline, or a pinned eBPF object.', 'パケット（IP ヘッダー以降）に BPF プログラムを実行します。クラシック BPF のバイトコードを直接書くか、固定（pin）された eBPF オブジェクトを指定します。'),
  options: [
    { name: 'bytecode', args: 1, argName: 'program', parse: (args) => parseBpf(args[0]), doc: loc('Classic BPF as `count,code jt jf k,...` in decimal (the output of `nfbpf_compile RAW` or `tcpdump -ddd`, joined with commas).', 'クラシック BPF を 10 進の `命令数,code jt jf k,...` で書きます（`nfbpf_compile RAW` や `tcpdump -ddd` の出力をカンマでつないだもの）。') },
    { name: 'object-pinned', args: 1, argName: 'path', doc: loc('Path of an eBPF program pinned in the bpf filesystem (it must exist when the rule is loaded).', 'bpf ファイルシステムに固定された eBPF プログラムのパス（ルール読み込み時に存在している必要があります）。') },
  ],
  validate(m) {
    const a = optionOf(m, 'bytecode'), b = optionOf(m, 'object-pinned');
    if (a && b) return [loc('--bytecode and --object-pinned cannot be used together', '--bytecode と --object-pinned は同時に指定できません')];
    return a || b ? [] : [loc('the bpf match needs --bytecode or --object-pinned', 'bpf マッチには --bytecode か --object-pinned が必要です')];
  },
  save(m) {
    const code = optionOf(m, 'bytecode');
    if (code) { const p = code.value as BpfInsn[]; return ['-m', 'bpf', '--bytecode', `"${p.length},${p.map((x) => x.join(' ')).join(',')}"`]; }
    const pinned = optionOf(m, 'object-pinned');
    return ['-m', 'bpf', ...(pinned ? ['--object-pinned', pinned.args[0]?.text ?? ''] : [])];
  },
};
