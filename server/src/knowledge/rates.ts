// The `N[/second|/minute|/hour|/day]` rates of the limit and hashlimit matches. iptables turns a
// rate into a period (time between two tokens, in units of 1/scale second) and prints the period
// back in the largest unit that keeps the count whole, so `120/min` comes back as `2/sec`.
import { loc, type Localized } from '../syntax/ast';
import type { ValueResult } from './types';
import { ok } from './values';

/** libxt_limit's XT_LIMIT_SCALE: periods in 1/10000 s. */
export const LIMIT_SCALE = 10000;
/** libxt_hashlimit's XT_HASHLIMIT_SCALE_v2 (revisions 2 and 3, used by iptables 1.8.9): 1/1000000 s. */
export const HASHLIMIT_SCALE = 1000000;

/** limit: what a missing `--limit` means, and the burst iptables-save leaves out. */
export const LIMIT_DEFAULT_RATE = '3/hour';
export const LIMIT_DEFAULT_BURST = 5;
/** hashlimit: default burst (iptables-save prints it anyway), and its maximum in packet mode. */
export const HASHLIMIT_DEFAULT_BURST = 5;
export const HASHLIMIT_MAX_BURST = 1000000;

export const RATE_UNITS = ['second', 'minute', 'hour', 'day'] as const;
const UNIT_SECONDS: Record<(typeof RATE_UNITS)[number], number> = { second: 1, minute: 60, hour: 3600, day: 86400 };
/** The unit names iptables-save prints, largest first (with their length in seconds). */
const PRINT_UNITS: [string, number][] = [['day', 86400], ['hour', 3600], ['min', 60], ['sec', 1]];

/** Units offered by completion (iptables takes any prefix of the unit, in any case). */
export const RATE_EXAMPLES = ['1/second', '10/minute', '3/hour', '100/day', '5/s', '30/min'];

export interface Rate {
  /** Tokens per unit as written (after iptables' own reading of the number). */
  count: number;
  /** The unit's length in seconds. */
  unitSeconds: number;
  /** Time between tokens in 1/scale seconds, as iptables stores it (integer division). */
  period: number;
}

/** atoi/atoll: leading blanks, an optional sign, then digits; anything else stops the number. */
function cAtoi(text: string): number {
  const m = /^\s*([+-]?[0-9]+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

export const rateMessages = {
  bad: (option: string, text: string): Localized => loc(
    `bad rate "${text}" for --${option}: write a number with an optional /second, /minute, /hour or /day (e.g. 10/minute)`,
    `--${option} の "${text}" は正しいレートではありません。数値と省略可能な /second, /minute, /hour, /day で指定します（例: 10/minute）`),
  tooFast: (option: string, text: string, max: string): Localized => loc(
    `rate "${text}" for --${option} is too fast: iptables cannot express more than ${max}`,
    `--${option} のレート "${text}" は速すぎます（iptables が表せるのは ${max} までです）`),
};

/**
 * Reads a rate as libxt_limit / libxt_hashlimit do: the unit after `/` may be any prefix of
 * second, minute, hour or day in any case (`/s`, `/Min`); no unit means per second.
 */
export function parseRate(text: string, scale: number, option: string): ValueResult<Rate> {
  let unitSeconds = 1;
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const unit = text.slice(slash + 1).toLowerCase();
    const found = unit === '' ? undefined : RATE_UNITS.find((u) => u.startsWith(unit));
    if (!found) return { ok: false, message: rateMessages.bad(option, text) };
    unitSeconds = UNIT_SECONDS[found];
  }
  const count = cAtoi(text);
  if (count <= 0) return { ok: false, message: rateMessages.bad(option, text) };
  const period = Math.floor((scale * unitSeconds) / count);
  if (period === 0) return { ok: false, message: rateMessages.tooFast(option, text, `${scale}/second`) };
  return ok({ count, unitSeconds, period });
}

/** The rate text iptables-save prints for a period, e.g. `3/hour`, `2/sec`. */
export function formatRate(period: number, scale: number): string {
  return `${Math.floor((rateUnit(period, scale)[1] * scale) / period)}/${rateUnit(period, scale)[0]}`;
}

/** The unit print_rate picks: the largest one whose count is exact enough (iptables' own test). */
function rateUnit(period: number, scale: number): [string, number] {
  let i = 1;
  for (; i < PRINT_UNITS.length; i++) {
    const mult = PRINT_UNITS[i][1] * scale;
    if (period > mult || Math.floor(mult / period) < mult % period) break;
  }
  return PRINT_UNITS[i - 1];
}

/** The printed unit's length in milliseconds (hashlimit's default --hashlimit-htable-expire). */
export function rateQuantumMs(period: number, scale: number): number {
  return rateUnit(period, scale)[1] * 1000;
}

/** Average tokens per second a period allows (for analysis and hovers). */
export const ratePerSecond = (period: number, scale: number): number => scale / period;

// Byte rates of hashlimit (`512kb/s`): iptables keeps a "cost" per byte chunk of 16 bytes.
const UINT32_MAX = 0xffffffff;
const BYTE_SHIFT = 4;

export function bytesToCost(bytes: number): number {
  const r = Math.floor(bytes / 2 ** BYTE_SHIFT);
  return Math.floor(UINT32_MAX / (r + 1));
}

export function costToBytes(cost: number): number {
  const r = cost ? Math.floor(UINT32_MAX / cost) : UINT32_MAX;
  return (r - 1) * 2 ** BYTE_SHIFT;
}

const BYTE_UNITS: [string, number][] = [['m', 1024 * 1024], ['k', 1024], ['', 1]];
const byteFactor = (c: string | undefined) => (c === 'm' ? 1024 * 1024 : c === 'k' ? 1024 : 1);

export interface ByteRate { cost: number }

/** `N[k|m]b/s` (bytes per second); undefined when the text is not a byte rate at all. */
export function parseByteRate(text: string, option: string): ValueResult<ByteRate> | undefined {
  const at = text.indexOf('b/s');
  if (at <= 0) return undefined;
  const n = cAtoi(text);
  if (n === 0) return undefined;
  const bytes = n * byteFactor(text[at - 1]);
  const cost = bytesToCost(bytes);
  if (cost === 0) return { ok: false, message: loc(`byte rate "${text}" for --${option} is too high`, `--${option} のバイトレート "${text}" は大きすぎます`) };
  return ok({ cost });
}

/** How iptables-save prints a byte rate: the largest unit that gives back the same cost. */
export function formatByteRate(cost: number): string {
  const r = costToBytes(cost);
  for (const [name, thresh] of BYTE_UNITS.slice(0, -1)) {
    // iptables masks with a 32-bit ~(thresh - 1): the bits above 4 GiB are dropped in the test.
    const low = r % 2 ** 32;
    if (r >= thresh && bytesToCost(low - (low % thresh)) === cost) return `${Math.floor(r / thresh)}${name}b/s`;
  }
  return `${r}b/s`;
}

/** A byte burst as printed: `Nmb`, `Nkb` or `Nb` (the largest unit not above it). */
export function formatByteBurst(bytes: number): string {
  for (const [name, thresh] of BYTE_UNITS.slice(0, -1)) if (bytes >= thresh) return `${Math.floor(bytes / thresh)}${name}b`;
  return `${bytes}b`;
}

/** A burst as hashlimit reads it: a number, optionally followed by k or m (x1024, x1048576). */
export function parseBurstAmount(text: string): number | undefined {
  const m = /^\s*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(.*)$/.exec(text);
  if (!m) return undefined;
  const d = m[1];
  const v = /^0[xX]/.test(d) ? parseInt(d, 16) : d.length > 1 && d.startsWith('0') ? parseInt(d, 8) : Number(d);
  if (v < 1) return undefined;
  if (m[2] === '' && v > HASHLIMIT_MAX_BURST) return undefined;
  return v * byteFactor(m[2][0]);
}
