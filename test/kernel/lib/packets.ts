// Crafted packets for the kernel lab, built byte by byte (RFC 791/8200 headers, RFC 793/768/792/4443
// checksums). Every test packet carries a tag — IPv4 ID 0x5a5a, IPv6 flow label 0x5a5a5 — so the
// observer chains count only our packets, never the replies the kernel makes.

export const TAG_ID = 0x5a5a;
export const TAG_FLOW = 0x5a5a5;

export function addrBytes(v: bigint, family: 4 | 6): Buffer {
  const n = family === 4 ? 4 : 16;
  const b = Buffer.alloc(n);
  for (let i = n - 1; i >= 0; i--) { b[i] = Number(v & 0xffn); v >>= 8n; }
  return b;
}

function sum16(buf: Buffer, start = 0): number {
  let s = start;
  for (let i = 0; i + 1 < buf.length; i += 2) s += buf.readUInt16BE(i);
  if (buf.length % 2) s += buf[buf.length - 1] << 8;
  return s;
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Checksum of an L4 segment with the pseudo header of its family. */
function l4Checksum(family: 4 | 6, src: bigint, dst: bigint, proto: number, seg: Buffer): number {
  const len = seg.length;
  const pseudo = family === 4
    ? Buffer.concat([addrBytes(src, 4), addrBytes(dst, 4), Buffer.from([0, proto, len >> 8, len & 255])])
    : Buffer.concat([addrBytes(src, 6), addrBytes(dst, 6), Buffer.from([len >>> 24, (len >> 16) & 255, (len >> 8) & 255, len & 255, 0, 0, 0, proto])]);
  return fold(sum16(seg, sum16(pseudo)));
}

export interface L4 { proto: number; sport?: number; dport?: number; flags?: number; icmpType?: number; icmpCode?: number; icmpId?: number }

/** The transport header (with checksum) for the packet. */
export function transport(family: 4 | 6, src: bigint, dst: bigint, l4: L4): Buffer {
  let seg: Buffer;
  if (l4.proto === 6) {
    seg = Buffer.alloc(20);
    seg.writeUInt16BE(l4.sport ?? 40000, 0);
    seg.writeUInt16BE(l4.dport ?? 80, 2);
    seg.writeUInt32BE(0x10000000, 4); // seq
    seg.writeUInt32BE((l4.flags ?? 2) & 0x10 ? 0x20000000 : 0, 8); // ack number when ACK is set
    seg[12] = 5 << 4;
    seg[13] = l4.flags ?? 0x02;
    seg.writeUInt16BE(64240, 14);
  } else if (l4.proto === 17 || l4.proto === 136) {
    seg = Buffer.alloc(16);
    seg.writeUInt16BE(l4.sport ?? 40000, 0);
    seg.writeUInt16BE(l4.dport ?? 53, 2);
    seg.writeUInt16BE(l4.proto === 136 ? 0 : 16, 4); // UDP length; UDP-Lite checksum coverage (0: all)
    seg.write('kernlab!', 8);
  } else if (l4.proto === 1 || l4.proto === 58) {
    seg = Buffer.alloc(16);
    seg[0] = l4.icmpType ?? (l4.proto === 1 ? 8 : 128);
    seg[1] = l4.icmpCode ?? 0;
    seg.writeUInt16BE(l4.icmpId ?? 0x4242, 4); // identifier
    seg.writeUInt16BE(1, 6); // sequence
    seg.write('kernlab!', 8);
  } else if (l4.proto === 47) {
    seg = Buffer.from([0, 0, 0x08, 0x00]); // GRE: no flags, version 0, carries IPv4
  } else {
    seg = Buffer.alloc(8);
  }
  const at = l4.proto === 6 ? 16 : l4.proto === 17 || l4.proto === 136 ? 6 : l4.proto === 1 || l4.proto === 58 ? 2 : -1;
  if (at >= 0) {
    const c = l4.proto === 1 ? fold(sum16(seg)) : l4Checksum(family, src, dst, l4.proto, seg);
    seg.writeUInt16BE(l4.proto === 17 && c === 0 ? 0xffff : c, at);
  }
  return seg;
}

/** A whole IP packet (header + transport), tagged. */
export function ipPacket(family: 4 | 6, src: bigint, dst: bigint, l4: L4, ttl = 64, id = TAG_ID): Buffer {
  const payload = transport(family, src, dst, l4);
  if (family === 4) {
    const h = Buffer.alloc(20);
    h[0] = 0x45;
    h.writeUInt16BE(20 + payload.length, 2);
    h.writeUInt16BE(id, 4);
    h.writeUInt16BE(0x4000, 6); // DF, not a fragment
    h[8] = ttl;
    h[9] = l4.proto;
    addrBytes(src, 4).copy(h, 12);
    addrBytes(dst, 4).copy(h, 16);
    h.writeUInt16BE(fold(sum16(h)), 10);
    return Buffer.concat([h, payload]);
  }
  const h = Buffer.alloc(40);
  h.writeUInt32BE((6 << 28) | TAG_FLOW, 0);
  h.writeUInt16BE(payload.length, 4);
  h[6] = l4.proto;
  h[7] = ttl;
  addrBytes(src, 6).copy(h, 8);
  addrBytes(dst, 6).copy(h, 24);
  return Buffer.concat([h, payload]);
}

export function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((x) => parseInt(x, 16)));
}

export function ethernet(dstMac: string, srcMac: string, family: 4 | 6, ip: Buffer): Buffer {
  const eth = Buffer.alloc(14);
  macBytes(dstMac).copy(eth, 0);
  macBytes(srcMac).copy(eth, 6);
  eth.writeUInt16BE(family === 4 ? 0x0800 : 0x86dd, 12);
  return Buffer.concat([eth, ip]);
}

/** What came back at the peer, decoded enough to tell an answer to our packet. */
export interface SeenFrame { family: 4 | 6; src: bigint; dst: bigint; proto: number; tagged: boolean; icmpType?: number; tcpFlags?: number; sport?: number; dport?: number; innerTagged?: boolean }

export function decodeFrame(hex: string): SeenFrame | undefined {
  const f = Buffer.from(hex, 'hex');
  if (f.length < 34) return undefined;
  const type = f.readUInt16BE(12);
  const big = (b: Buffer) => b.reduce((n, x) => (n << 8n) | BigInt(x), 0n);
  if (type === 0x0800) {
    const ihl = (f[14] & 15) * 4;
    const proto = f[23];
    const l4 = f.subarray(14 + ihl);
    const seen: SeenFrame = { family: 4, src: big(f.subarray(26, 30)), dst: big(f.subarray(30, 34)), proto, tagged: f.readUInt16BE(18) === TAG_ID };
    if (proto === 1 && l4.length >= 8) { seen.icmpType = l4[0]; if (l4.length >= 8 + 20) seen.innerTagged = l4.readUInt16BE(8 + 4) === TAG_ID; }
    if (proto === 6 && l4.length >= 14) { seen.tcpFlags = l4[13]; seen.sport = l4.readUInt16BE(0); seen.dport = l4.readUInt16BE(2); }
    return seen;
  }
  if (type === 0x86dd && f.length >= 54) {
    const proto = f[20];
    const l4 = f.subarray(54);
    const seen: SeenFrame = { family: 6, src: big(f.subarray(22, 38)), dst: big(f.subarray(38, 54)), proto, tagged: (f.readUInt32BE(14) & 0xfffff) === TAG_FLOW };
    if (proto === 58 && l4.length >= 8) { seen.icmpType = l4[0]; if (l4.length >= 8 + 40) seen.innerTagged = (l4.readUInt32BE(8) & 0xfffff) === TAG_FLOW; }
    if (proto === 6 && l4.length >= 14) { seen.tcpFlags = l4[13]; seen.sport = l4.readUInt16BE(0); seen.dport = l4.readUInt16BE(2); }
    return seen;
  }
  return undefined;
}
