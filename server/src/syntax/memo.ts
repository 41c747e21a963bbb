// Memos for pure functions of a word (addresses, protocols): a large dump repeats the same few
// thousand values on tens of thousands of rules. Only plain strings and numbers are kept (never a parsed object
// that a caller could change), and each table is bounded so a long-running server stays small.
import type { Family } from './ast';
import { parseAddress } from '../knowledge/values';
import { parseProtocol, protocolNumber } from '../knowledge/protocols';

const LIMIT = 100_000;

/** What `parseAddress` says of one address, when it accepts it: 1 = a prefix other than /0 (or a host name), 2 = /0. */
const ACCEPTED: Record<Family, Map<string, 1 | 2>> = { 4: new Map(), 6: new Map() };

/**
 * 1 or 2 (see ACCEPTED) when parseAddress accepts `text`, else undefined; only accepted
 * addresses are remembered, so the caller calls parseAddress itself for the message of a refusal.
 */
export function acceptedAddress(text: string, family: Family): 1 | 2 | undefined {
  const memo = ACCEPTED[family];
  const known = memo.get(text);
  if (known !== undefined) return known;
  const r = parseAddress(text, family);
  if (!r.ok) return undefined;
  const kind = 'prefix' in r.value && r.value.prefix === 0 ? 2 : 1;
  if (memo.size >= LIMIT) memo.clear();
  memo.set(text, kind);
  return kind;
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
      memo.set(text, s);
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
    PROTOCOL_NUMBER.set(text, n);
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
  memo.set(text, r.value.number);
  return r.value.number;
}
