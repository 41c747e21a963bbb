// Textual IP addresses exactly as glibc reads and writes them (inet_pton / inet_ntop), which is
// what iptables uses: the printer must produce the same text as iptables-save.

/** glibc inet_pton(AF_INET): exactly four decimal parts 0-255, no leading zeros. */
export function inetPton4(text: string): number[] | undefined {
  const n = text.length;
  let i = 0, a = 0, b = 0, c = 0, d = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= n || text.charCodeAt(i) !== 46 /* . */) return undefined;
      i++;
    }
    const start = i;
    let v = 0;
    for (let ch; i < n && (ch = text.charCodeAt(i)) >= 48 && ch <= 57; i++) v = v * 10 + ch - 48;
    const len = i - start;
    if (len === 0 || len > 3 || (len > 1 && text.charCodeAt(start) === 48) || v > 255) return undefined;
    if (part === 0) a = v; else if (part === 1) b = v; else if (part === 2) c = v; else d = v;
  }
  return i === n ? [a, b, c, d] : undefined;
}

/** glibc inet_pton(AF_INET6) (no zone index), as 16 bytes. */
export function inetPton6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string, last: boolean): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (last && i === items.length - 1 && item.includes('.')) {
        const v4 = inetPton4(item);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(item)) out.push(parseInt(item, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1], true) : [];
  if (!head || !tail) return undefined;
  let words: number[];
  if (halves.length === 2) {
    // "::" stands for at least one zero group.
    if (head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  } else words = head;
  if (words.length !== 8) return undefined;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** glibc inet_ntop(AF_INET6): longest run (>= 2) of zero groups as `::`, IPv4 tail for ::ffff:a.b.c.d and ::a.b.c.d. */
export function formatIpv6(b: number[]): string {
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[i] << 8) | b[i + 1]);
  let best = { base: -1, len: 0 }, cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (cur.base < 0) cur = { base: i, len: 1 }; else cur.len++;
    } else if (cur.base >= 0) {
      if (best.base < 0 || cur.len > best.len) best = cur;
      cur = { base: -1, len: 0 };
    }
  }
  if (cur.base >= 0 && (best.base < 0 || cur.len > best.len)) best = cur;
  if (best.base >= 0 && best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base >= 0 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && w[5] === 0xffff))) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    out += w[i].toString(16);
  }
  if (best.base >= 0 && best.base + best.len === 8) out += ':';
  return out;
}
