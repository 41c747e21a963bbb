// Targets that set marks and classes: MARK, CONNMARK, SECMARK, CONNSECMARK, CLASSIFY.
// (HMARK, which computes the mark from a hash, lives in hmark.ts.)
import { loc, type ParsedModule } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { fail, ok } from '../values';
import { exclusive, flagOption, has, hex, last, mustGive, parseMarkMask, stringOption, u32, uintOption, type MarkMask } from './target-values';

const markOp = (name: string, doc: ReturnType<typeof loc>): OptionDef => ({
  name, args: 1, argName: 'value[/mask]', doc, parse: (args) => parseMarkMask(args[0], name),
});
const bitsOp = (name: string, doc: ReturnType<typeof loc>) => uintOption(name, 0, 0xffffffff, doc, { argName: 'bits' });

/** What each mark option means as `--set-xmark value/mask` (zero the mask bits, then XOR value). */
function xmarkOf(name: string, v: unknown): MarkMask | undefined {
  switch (name) {
    case 'set-xmark': return v as MarkMask;
    case 'set-mark': { const m = v as MarkMask; return { value: m.value, mask: u32(m.value | m.mask) }; }
    case 'and-mark': return { value: 0, mask: u32(~(v as number)) };
    case 'or-mark': return { value: v as number, mask: v as number };
    case 'xor-mark': return { value: v as number, mask: 0 };
  }
  return undefined;
}

const MARK_OPS = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'];

function markOptions(what: string, whatJa: string): OptionDef[] {
  return [
    markOp('set-xmark', loc(`Clears the bits of mask (all by default) in the ${what}, then XORs value into it.`, `${whatJa}のマスクのビット（既定は全ビット）を 0 にしてから、値を XOR します。`)),
    markOp('set-mark', loc(`Sets the ${what} to value; with /mask only the bits of the mask change.`, `${whatJa}を値に設定します。/マスク を付けるとマスクのビットだけを変えます。`)),
    bitsOp('and-mark', loc(`ANDs the ${what} with bits.`, `${whatJa}とビットの AND をとります。`)),
    bitsOp('or-mark', loc(`ORs bits into the ${what}.`, `${whatJa}にビットを OR します。`)),
    bitsOp('xor-mark', loc(`XORs bits into the ${what}.`, `${whatJa}にビットを XOR します。`)),
  ];
}

export const markTarget: ModuleDef = {
  name: 'MARK', kind: 'target',
  doc: loc(
    'Sets the packet mark (fwmark, 32 bits), which policy routing (ip rule fwmark), tc and later rules can use. To steer routing, set it in mangle PREROUTING or OUTPUT.',
    'パケットのマーク（fwmark、32 ビット）を設定します。ポリシールーティング（ip rule fwmark）や tc、後続のルールで使えます。ルーティングに効かせるには mangle の PREROUTING か OUTPUT で設定します。',
  ),
  options: markOptions('packet mark', 'パケットのマーク'),
  validate: (m) => {
    if (!MARK_OPS.some((n) => has(m, n))) return [loc('MARK needs one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark', 'MARK には --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark のどれかが必要です')];
    return exclusive(m, 'MARK', MARK_OPS);
  },
  save: (m) => {
    const o = m.options.find((p) => MARK_OPS.includes(p.name));
    const x = o && xmarkOf(o.name, o.value);
    return x ? ['-j', 'MARK', '--set-xmark', `${hex(x.value)}/${hex(x.mask)}`] : ['-j', 'MARK'];
  },
};

// ---------------------------------------------------------------------------------------------
// CONNMARK (revision 2)

const CONNMARK_OPS = [...MARK_OPS, 'save-mark', 'restore-mark'];

interface ConnmarkState { mode?: 'set' | 'save' | 'restore'; ctmark: number; ctmask: number; nfmask: number; shift?: [string, number] }

/** Applies the options in order, as libxt_CONNMARK fills its structure. */
export function connmarkState(m: ParsedModule): ConnmarkState {
  const s: ConnmarkState = { ctmark: 0, ctmask: 0xffffffff, nfmask: 0xffffffff };
  for (const o of m.options) {
    const x = xmarkOf(o.name, o.value);
    if (x) { s.mode = 'set'; s.ctmark = x.value; s.ctmask = x.mask; continue; }
    switch (o.name) {
      case 'save-mark': s.mode = 'save'; break;
      case 'restore-mark': s.mode = 'restore'; break;
      case 'mask': s.ctmask = s.nfmask = o.value as number; break;
      case 'ctmask': s.ctmask = o.value as number; break;
      case 'nfmask': s.nfmask = o.value as number; break;
      case 'left-shift-mark': case 'right-shift-mark': s.shift = [o.name, o.value as number]; break;
    }
  }
  return s;
}

export const connmarkTarget: ModuleDef = {
  name: 'CONNMARK', kind: 'target',
  doc: loc(
    'Sets the connection mark (ctmark), or copies marks between the packet and its connection: --save-mark stores the packet mark, --restore-mark brings it back on later packets.',
    '接続のマーク（ctmark）を設定するか、パケットと接続の間でマークをコピーします。--save-mark でパケットのマークを保存し、--restore-mark で後続のパケットに戻します。',
  ),
  options: [
    ...markOptions('connection mark', '接続のマーク'),
    flagOption('save-mark', loc('Copies the packet mark into the connection mark (through --nfmask/--ctmask).', 'パケットのマークを接続のマークにコピーします（--nfmask / --ctmask を通して）。')),
    flagOption('restore-mark', loc('Copies the connection mark into the packet mark (through --ctmask/--nfmask).', '接続のマークをパケットのマークにコピーします（--ctmask / --nfmask を通して）。')),
    uintOption('mask', 0, 0xffffffff, loc('With --save-mark/--restore-mark: only these bits are copied (sets both --nfmask and --ctmask).', '--save-mark / --restore-mark で、このビットだけをコピーします（--nfmask と --ctmask の両方を設定）。'), { argName: 'mask' }),
    uintOption('ctmask', 0, 0xffffffff, loc('Bits of the connection mark taking part in the copy (all by default).', 'コピーに関わる接続マークのビット（既定は全ビット）。'), { argName: 'mask' }),
    uintOption('nfmask', 0, 0xffffffff, loc('Bits of the packet mark taking part in the copy (all by default).', 'コピーに関わるパケットマークのビット（既定は全ビット）。'), { argName: 'mask' }),
    uintOption('left-shift-mark', 0, 32, loc('Shifts the copied mark left by this many bits.', 'コピーするマークを指定ビット数だけ左にシフトします。'), { argName: 'bits' }),
    uintOption('right-shift-mark', 0, 32, loc('Shifts the copied mark right by this many bits.', 'コピーするマークを指定ビット数だけ右にシフトします。'), { argName: 'bits' }),
  ],
  validate: (m) => {
    if (!CONNMARK_OPS.some((n) => has(m, n))) return [loc('CONNMARK needs an operation: --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark, --save-mark or --restore-mark', 'CONNMARK には操作（--set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark, --save-mark, --restore-mark）が必要です')];
    const out = [...exclusive(m, 'CONNMARK', CONNMARK_OPS), ...exclusive(m, 'CONNMARK', ['ctmask', 'mask']), ...exclusive(m, 'CONNMARK', ['nfmask', 'mask'])].slice(0, 1);
    // iptables reads up to 32, the kernel accepts shifts of at most 31 bits.
    const shift = connmarkState(m).shift;
    if (shift && shift[1] > 31) out.push(loc(`CONNMARK --${shift[0]} must be at most 31: the kernel refuses ${shift[1]}`, `CONNMARK の --${shift[0]} は 31 以下にします（${shift[1]} はカーネルが拒否します）`));
    return out;
  },
  save: (m) => {
    const s = connmarkState(m);
    const words = ['-j', 'CONNMARK'];
    if (s.mode === 'set') words.push('--set-xmark', `${hex(s.ctmark)}/${hex(s.ctmask)}`);
    else if (s.mode) words.push(`--${s.mode}-mark`, '--nfmask', hex(s.nfmask), '--ctmask', hex(s.ctmask));
    if (s.shift && s.shift[1] !== 0) words.push(`--${s.shift[0]}`, String(s.shift[1]));
    return words;
  },
};

// ---------------------------------------------------------------------------------------------

export const secmarkTarget: ModuleDef = {
  name: 'SECMARK', kind: 'target', tables: ['mangle', 'security'],
  doc: loc(
    'Sets the security mark of the packet from an SELinux context, for SELinux packet policy. Valid in the security table (and mangle for old setups).',
    'SELinux のコンテキストからパケットのセキュリティマークを設定します（SELinux のパケット制御用）。security テーブル（古い構成では mangle も可）で使います。',
  ),
  options: [stringOption('selctx', 256, loc('The SELinux security context, e.g. `system_u:object_r:http_packet_t:s0`.', 'SELinux のセキュリティコンテキスト（例: `system_u:object_r:http_packet_t:s0`）。'), { argName: 'context' })],
  validate: (m) => (has(m, 'selctx') ? [] : [mustGive('SECMARK', 'selctx')]),
  save: (m) => {
    const v = last(m, 'selctx')?.value as string | undefined;
    // Printed without quoting.
    return v !== undefined ? ['-j', 'SECMARK', '--selctx', v] : ['-j', 'SECMARK'];
  },
};

export const connsecmarkTarget: ModuleDef = {
  name: 'CONNSECMARK', kind: 'target', tables: ['mangle', 'security'],
  doc: loc(
    'Copies security marks between packets and their connection (used with SECMARK). Valid in the security table (and mangle for old setups).',
    'パケットと接続の間でセキュリティマークをコピーします（SECMARK と組み合わせて使います）。security テーブル（古い構成では mangle も可）で使います。',
  ),
  options: [
    flagOption('save', loc('Copies the packet\'s security mark to the connection if the connection has none.', 'パケットのセキュリティマークを、まだマークのない接続にコピーします。')),
    flagOption('restore', loc('Copies the connection\'s security mark to packets that have none.', '接続のセキュリティマークを、マークのないパケットにコピーします。')),
  ],
  validate: (m) => {
    if (!has(m, 'save') && !has(m, 'restore')) return [loc('CONNSECMARK needs --save or --restore', 'CONNSECMARK には --save か --restore が必要です')];
    return exclusive(m, 'CONNSECMARK', ['save', 'restore']);
  },
  save: (m) => ['-j', 'CONNSECMARK', ...(has(m, 'save') ? ['--save'] : has(m, 'restore') ? ['--restore'] : [])],
};

// ---------------------------------------------------------------------------------------------
// CLASSIFY

/** One `%x` conversion of sscanf: white space, sign, optional 0x, hex digits; wraps to 32 bits. */
function scanHex(text: string, i: number): { value: number; end: number } | undefined {
  const m = /^\s*([+-]?)(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]+)/.exec(text.slice(i));
  if (!m) return undefined;
  let v = BigInt(`0x${m[2]}`);
  if (v > (1n << 64n) - 1n) v = (1n << 64n) - 1n;
  if (m[1] === '-') v = (-v) & ((1n << 64n) - 1n);
  return { value: Number(v & 0xffffffffn), end: i + m[0].length };
}

/** `major:minor` read with sscanf("%x:%x"), so both are hex and anything after minor is ignored. */
export function parseClass(text: string): number | undefined {
  const a = scanHex(text, 0);
  if (!a || text[a.end] !== ':') return undefined;
  const b = scanHex(text, a.end + 1);
  if (!b) return undefined;
  return u32(((a.value & 0xffff) << 16) | (b.value & 0xffff));
}

export const classifyTarget: ModuleDef = {
  name: 'CLASSIFY', kind: 'target', chains: ['FORWARD', 'OUTPUT', 'POSTROUTING'],
  doc: loc(
    'Puts the packet into a traffic-control class (skb priority) of a tc qdisc such as HTB. Works in FORWARD, OUTPUT and POSTROUTING.',
    'パケットを tc のキューイング（HTB など）のクラス（skb priority）に振り分けます。FORWARD・OUTPUT・POSTROUTING で使えます。',
  ),
  options: [{
    name: 'set-class', args: 1, argName: 'major:minor',
    doc: loc('The class as `major:minor`, both hexadecimal even without 0x (e.g. `1:10` is class 1:0x10).', 'クラスを `major:minor` で指定します。0x がなくても 16 進数として読まれます（例: `1:10` はクラス 1:0x10）。'),
    parse: (args) => {
      const v = parseClass(args[0]);
      return v === undefined ? fail(`--set-class needs major:minor in hex, not "${args[0]}"`, `--set-class には 16 進数で major:minor を指定します（"${args[0]}" は不可）`) : ok(v);
    },
  }],
  validate: (m) => (has(m, 'set-class') ? [] : [mustGive('CLASSIFY', 'set-class')]),
  save: (m) => {
    const v = last(m, 'set-class')?.value as number | undefined;
    if (v === undefined) return ['-j', 'CLASSIFY'];
    const h4 = (n: number) => n.toString(16).padStart(4, '0');
    return ['-j', 'CLASSIFY', '--set-class', `${h4(v >>> 16)}:${h4(v & 0xffff)}`];
  },
};

export const MARK_TARGETS = [markTarget, connmarkTarget, secmarkTarget, connsecmarkTarget, classifyTarget];
