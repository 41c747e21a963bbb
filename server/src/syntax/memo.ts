// Memos for pure functions of a word (addresses, protocols): a large dump repeats the same few
// thousand values on tens of thousands of rules. Only plain strings and numbers are kept (never a parsed object
// that a caller could change), and each table is bounded so a long-running server stays small.
import type { Family } from './ast';
import { parseAddress } from '../knowledge/values';
import { parseProtocol, protocolNumber } from '../knowledge/protocols';

const LIMIT = 100_000;

/**
 * A key to keep: a long word is a slice of its whole document, and a memo that kept the slice would
 * keep every document it ever saw; a copy holds only its own characters.
 */
const own = (text: string): string => (text.length < 13 ? text : (' ' + text).slice(1));

/** What `parseAddress` says of one address, when it accepts it: 1 = a prefix other than /0 (or a host name), 2 = /0. */
const ACCEPTED: Record<Family, Map<string, 1 | 2>> = { 4: new Map(), 6: new Map() };

/**
 * 1 or 2 (see ACCEPTED) when parseAddress accepts `text`, else undefined; only accepted
 * addresses are remembered, so the caller calls parseAddress itself for the message of a refusal.
 */
export function acceptedAddress(text: string, family: Family): 1 | 2 | undefined {
  if (family === 4) {
    const plain = plainIpv4(text);
    if (plain !== 0) return plain;
  }
  const memo = ACCEPTED[family];
  const known = memo.get(text);
  if (known !== undefined) return known;
  const r = parseAddress(text, family);
  if (!r.ok) return undefined;
  const kind = 'prefix' in r.value && r.value.prefix === 0 ? 2 : 1;
  if (memo.size >= LIMIT) memo.clear();
  memo.set(own(text), kind);
  return kind;
}

/**
 * 1 or 2 (as ACCEPTED) for an IPv4 address written plainly, `a.b.c.d` or `a.b.c.d/n` (parts 0-255
 * without leading zeros, n 0-32 in one or two digits), which parseAddress always accepts; 0 for
 * anything else (decided by parseAddress). Most addresses of a large dump are plain and unique:
 * remembering them would only fill the memo.
 */
function plainIpv4(t: string): 0 | 1 | 2 {
  const n = t.length;
  let i = 0;
  for (let part = 0; ; part++) {
    const start = i;
    let v = 0;
    for (let c; i < n && (c = t.charCodeAt(i)) >= 48 && c <= 57; i++) v = v * 10 + c - 48;
    const len = i - start;
    if (len === 0 || len > 3 || v > 255 || (len > 1 && t.charCodeAt(start) === 48)) return 0;
    if (part === 3) break;
    if (i >= n || t.charCodeAt(i) !== 46 /* . */) return 0;
    i++;
  }
  if (i === n) return 1;
  if (t.charCodeAt(i) !== 47 /* / */) return 0;
  const start = ++i;
  let prefix = 0;
  for (let c; i < n && (c = t.charCodeAt(i)) >= 48 && c <= 57; i++) prefix = prefix * 10 + c - 48;
  if (i !== n || i === start || i - start > 2 || prefix > 32) return 0;
  return prefix === 0 ? 2 : 1;
}

/** A memo for one pure function from (word, family) to a string or undefined. */
export function stringMemo(compute: (text: string, family: Family) => string | undefined): (text: string, family: Family) => string | undefined {
  const memos: Record<Family, Map<string, string | null>> = { 4: new Map(), 6: new Map() };
  return (text, family) => {
    const memo = memos[family];
    let s = memo.get(text);
    if (s === undefined) {
      s = compute(text, family) ?? null;
      if (memo.size >= LIMIT) memo.clear();
      memo.set(own(text), s);
    }
    return s ?? undefined;
  };
}

const PROTOCOL_NUMBER = new Map<string, number | null>();

/** protocolNumber(text), remembered. */
export function protocolNumberOf(text: string): number | undefined {
  let n = PROTOCOL_NUMBER.get(text);
  if (n === undefined) {
    n = protocolNumber(text) ?? null;
    if (PROTOCOL_NUMBER.size >= LIMIT) PROTOCOL_NUMBER.clear();
    PROTOCOL_NUMBER.set(own(text), n);
  }
  return n ?? undefined;
}

const ACCEPTED_PROTOCOL: Record<Family, Map<string, number>> = { 4: new Map(), 6: new Map() };

/** The protocol number when parseProtocol accepts `text`, else undefined (only acceptances are remembered). */
export function acceptedProtocol(text: string, family: Family): number | undefined {
  const memo = ACCEPTED_PROTOCOL[family];
  const known = memo.get(text);
  if (known !== undefined) return known;
  const r = parseProtocol(text, family);
  if (!r.ok) return undefined;
  if (memo.size >= LIMIT) memo.clear();
  memo.set(own(text), r.value.number);
  return r.value.number;
}
