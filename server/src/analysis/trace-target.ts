// What a target does to the traced packet and to the walk: verdicts end it, RETURN goes back,
// MARK/CONNMARK/CT change the packet's state and continue, NAT rewrites addresses and ends the
// nat chain, userspace queues and proxies make the answer depend on something outside the ruleset.
import { loc, type Localized } from '../syntax/ast';
import type { Rule } from '../model/ruleset';
import type { PacketState } from './trace-match';
import type { PathKind } from './trace-packet';

export type TargetEffect =
  | { kind: 'continue' | 'return' | 'accept' | 'drop' | 'reject' }
  | { kind: 'nat'; rewrote: boolean; reroute?: PathKind | 'depends'; reason?: Localized }
  | { kind: 'depends'; reason: Localized };

/** Targets that only look, count or change header fields the tracer does not model. */
export const CONTINUE = new Set(['LOG', 'NFLOG', 'ULOG', 'TRACE', 'AUDIT', 'SET', 'TEE', 'IDLETIMER', 'RATEEST', 'LED', 'SECMARK', 'CONNSECMARK',
  'CLASSIFY', 'CHECKSUM', 'TCPOPTSTRIP', 'TCPMSS', 'TOS', 'DSCP', 'TTL', 'HL', 'ECN', 'CLUSTERIP', 'NFACCT']);

const dependsOn = (en: string, ja: string): TargetEffect => ({ kind: 'depends', reason: loc(en, ja) });

function opt(rule: Rule, name: string) {
  return rule.command.target?.options.find((o) => o.name === name);
}

function num(text: string | undefined): number | undefined {
  if (text === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(text)) return undefined;
  return Number(text) >>> 0;
}

/** `value[/mask]` of MARK/CONNMARK options, mask defaulting to all ones. */
function valueMask(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const [a, b] = text.split('/');
  const v = num(a), m = b === undefined ? 0xffffffff : num(b);
  return v === undefined || m === undefined ? undefined : [v, m];
}

/** xt_MARK: mark = (mark & ~mask) ^ value, with iptables' translations of --set/--and/--or/--xor. */
function markUpdate(rule: Rule, current: number | undefined, prefix = ''): number | undefined | 'bad' {
  const t = rule.command.target!;
  for (const o of t.options) {
    const arg = o.args[0]?.text;
    let value: number, mask: number;
    const vm = valueMask(arg);
    switch (o.name) {
      case `${prefix}set-xmark`: if (!vm) return 'bad'; [value, mask] = vm; break;
      case `${prefix}set-mark`: if (!vm) return 'bad'; value = vm[0]; mask = (vm[0] | vm[1]) >>> 0; break;
      case `${prefix}and-mark`: { const n = num(arg); if (n === undefined) return 'bad'; value = 0; mask = ~n >>> 0; break; }
      case `${prefix}or-mark`: { const n = num(arg); if (n === undefined) return 'bad'; value = n; mask = n; break; }
      case `${prefix}xor-mark`: { const n = num(arg); if (n === undefined) return 'bad'; value = n; mask = 0; break; }
      default: continue;
    }
    if (mask === 0xffffffff) return value;
    if (current === undefined) return undefined;
    return (((current & ~mask) >>> 0) ^ value) >>> 0;
  }
  return 'bad';
}

function connmark(rule: Rule, p: PacketState): TargetEffect {
  if (p.state === 'INVALID' || p.state === 'UNTRACKED') return { kind: 'continue' }; // no connection to mark
  const save = opt(rule, 'save-mark'), restore = opt(rule, 'restore-mark');
  if (save || restore) {
    const nfmask = num(opt(rule, 'nfmask')?.args[0]?.text ?? opt(rule, 'mask')?.args[0]?.text) ?? 0xffffffff;
    const ctmask = num(opt(rule, 'ctmask')?.args[0]?.text ?? opt(rule, 'mask')?.args[0]?.text) ?? 0xffffffff;
    if (save) {
      const full = ctmask === 0xffffffff;
      p.ctmark = p.mark === undefined || (!full && p.ctmark === undefined) ? undefined : ((((full ? 0 : p.ctmark! & ~ctmask) >>> 0) ^ (p.mark & nfmask)) >>> 0);
    } else {
      const full = nfmask === 0xffffffff;
      p.mark = p.ctmark === undefined || (!full && p.mark === undefined) ? undefined : ((((full ? 0 : p.mark! & ~nfmask) >>> 0) ^ (p.ctmark & ctmask)) >>> 0);
    }
    return { kind: 'continue' };
  }
  const next = markUpdate(rule, p.ctmark);
  if (next === 'bad') return dependsOn(`depends on an unknown CONNMARK form`, `不明な CONNMARK の形式次第`);
  p.ctmark = next;
  return { kind: 'continue' };
}

function addr(bytes: number[] | undefined): bigint | undefined {
  return bytes ? bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n) : undefined;
}

const isLoopback = (a: bigint, p: PacketState) => (p.family === 4 ? a >> 24n === 127n : a === 1n);

/** DNAT/REDIRECT/NETMAP/SNAT/MASQUERADE in the nat table. */
function nat(rule: Rule, p: PacketState, table: string, path: PathKind, hookChain: 'pre' | 'post'): TargetEffect {
  const name = rule.command.target!.name;
  if (table !== 'nat') return dependsOn(`depends on ${name} outside the nat table`, `nat テーブル以外の ${name} 次第`);
  if (p.state !== 'NEW') return { kind: 'nat', rewrote: false };
  if (name === 'SNAT' || name === 'MASQUERADE' || (name === 'NETMAP' && hookChain === 'post')) {
    p.ctSnat = true;
    return { kind: 'nat', rewrote: false };
  }
  p.ctDnat = true;
  const before = p.dst;
  if (name === 'DNAT') {
    const v = opt(rule, 'to-destination')?.value as { minIp?: number[]; maxIp?: number[]; minPort?: number; maxPort?: number } | undefined;
    if (!v) return dependsOn('depends on the DNAT destination', 'DNAT の宛先次第');
    const lo = addr(v.minIp), hi = addr(v.maxIp);
    if (lo !== undefined) p.dst = lo === hi ? lo : undefined;
    if (v.minPort !== undefined) p.dport = v.minPort === v.maxPort ? v.minPort : undefined;
  } else if (name === 'REDIRECT') {
    const v = opt(rule, 'to-ports')?.value as { minPort?: number; maxPort?: number } | undefined;
    if (v?.minPort !== undefined) p.dport = v.minPort === v.maxPort ? v.minPort : undefined;
    if (path === 'output') { p.dst = p.family === 4 ? 0x7f000001n : 1n; p.oif = 'lo'; return { kind: 'nat', rewrote: true }; }
    p.dst = undefined; // the primary address of the input interface
    return { kind: 'nat', rewrote: true, reroute: path === 'forward' ? 'input' : undefined };
  } else if (name === 'NETMAP') {
    const v = opt(rule, 'to')?.value as { host?: { bytes: number[] }; prefix?: number } | undefined;
    const net = addr(v?.host?.bytes);
    if (net === undefined || v?.prefix === undefined || p.dst === undefined) return dependsOn('depends on the NETMAP mapping', 'NETMAP の対応付け次第');
    const bits = BigInt(p.family === 4 ? 32 : 128);
    const mask = v.prefix === 0 ? 0n : ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(v.prefix))) - 1n);
    p.dst = (p.dst & ~mask & ((1n << bits) - 1n)) | (net & mask);
  } else return dependsOn(`depends on ${name}`, `${name} 次第`);
  const moved = p.dst !== before;
  if (path === 'input' && moved && !(p.dst !== undefined && isLoopback(p.dst, p))) {
    return {
      kind: 'nat', rewrote: true, reroute: 'depends',
      reason: loc(`${name} sends the packet to another address: whether it is this host (INPUT) or another machine (FORWARD) depends on the routes; trace it again with "out IFACE" if it is routed on`,
        `${name} によって宛先が変わります。このホスト宛て（INPUT）か別のマシン宛て（FORWARD）かは経路次第です。転送される場合は "out IFACE" を付けてもう一度トレースしてください`),
    };
  }
  return { kind: 'nat', rewrote: true };
}

/** Applies the rule's (non-chain) target to the packet and says how the walk goes on; `hook` is the built-in chain. */
export function applyTarget(rule: Rule, p: PacketState, table: string, path: PathKind, hook: string): TargetEffect {
  const name = rule.command.target!.name;
  switch (name) {
    case 'ACCEPT': return { kind: 'accept' };
    case 'DROP': return { kind: 'drop' };
    case 'REJECT': return { kind: 'reject' };
    case 'RETURN': return { kind: 'return' };
    case 'QUEUE': case 'NFQUEUE':
      return dependsOn(`depends on the program reading the ${name} queue (it decides the verdict)`, `${name} キューを読むプログラム次第（そのプログラムが判定します）`);
    case 'SYNPROXY': return dependsOn('depends on SYNPROXY (it answers the handshake itself)', 'SYNPROXY 次第（ハンドシェイクを自分で処理します）');
    case 'TPROXY': return dependsOn('depends on a local socket for TPROXY', 'TPROXY のローカルソケット次第');
    case 'MARK': {
      const next = markUpdate(rule, p.mark);
      if (next === 'bad') return dependsOn('depends on an unknown MARK form', '不明な MARK の形式次第');
      p.mark = next;
      return { kind: 'continue' };
    }
    case 'HMARK': p.mark = undefined; return { kind: 'continue' };
    case 'CONNMARK': return connmark(rule, p);
    case 'NOTRACK': untrack(p); return { kind: 'continue' };
    case 'CT':
      if (opt(rule, 'notrack')) untrack(p);
      return { kind: 'continue' };
    case 'DNAT': case 'REDIRECT': case 'SNAT': case 'MASQUERADE': case 'NETMAP':
      return nat(rule, p, table, path, hook === 'PREROUTING' || hook === 'OUTPUT' ? 'pre' : 'post');
    default:
      if (CONTINUE.has(name)) return { kind: 'continue' };
      return dependsOn(`depends on the target ${name}`, `ターゲット ${name} 次第`);
  }
}

function untrack(p: PacketState): void {
  p.state = 'UNTRACKED';
  p.ctmark = undefined;
  p.ctDnat = undefined;
  p.ctSnat = undefined;
}
