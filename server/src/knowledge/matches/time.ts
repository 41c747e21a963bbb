// The time match (libxt_time): time of day, weekdays, days of the month and a date range, in UTC
// unless --kerneltz. How iptables 1.8.9 reads and prints each field was checked on the binary.
import { loc, type Localized } from '../../syntax/ast';
import type { ModuleDef, ValueResult } from '../types';
import { fail, ok } from '../values';
import { optionOf } from '../save-helpers';
import { cUint32, cUintPrefix, hasBadValue } from './xt-values';

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
/** Bits 1-7 (Mon-Sun) and 1-31 of the kernel's masks; bit 0 is unused. */
const ALL_WEEKDAYS = 0xfe;
const ALL_MONTHDAYS = 0xfffffffe;
const MAX_DAYTIME = 86399;
/** The default --datestop: INT_MAX seconds, printed back by iptables 1.8.9 as 2038-01-19T03:14:07. */
export const DEFAULT_DATE_STOP = 2147483647;

/** `hh:mm[:ss]` → seconds of the day (strtoul-based, so `8:5` is 08:05:00). */
function parseDaytime(text: string, option: string): ValueResult<number> {
  const bad = (part: string) => fail(`--${option}: invalid time "${part}", write hh:mm[:ss] between 00:00:00 and 23:59:59`,
    `--${option}: 時刻 "${part}" が不正です（00:00:00〜23:59:59 の hh:mm[:ss] で指定します）`);
  const h = cUintPrefix(text) ?? { value: 0, rest: text };
  if (!h.rest.startsWith(':') || h.value > 23) return bad(text);
  const mText = h.rest.slice(1);
  const mi = cUintPrefix(mText) ?? { value: 0, rest: mText };
  if ((mi.rest !== '' && !mi.rest.startsWith(':')) || mi.value > 59) return bad(mText);
  if (mi.rest === '') return ok(h.value * 3600 + mi.value * 60);
  const sText = mi.rest.slice(1);
  const s = cUintPrefix(sText) ?? { value: 0, rest: sText };
  if (s.rest !== '' || s.value > 59) return bad(sText);
  return ok(h.value * 3600 + mi.value * 60 + s.value);
}

/** `YYYY[-MM[-DD[Thh[:mm[:ss]]]]]` in UTC → seconds since 1970, normalised as mktime does (2020-02-30 is 1 March). */
function parseDate(text: string, option: string): ValueResult<number> {
  const bad = fail(`--${option}: invalid date "${text}", write YYYY[-MM[-DD[Thh[:mm[:ss]]]]] between 1970 and 2038`,
    `--${option}: 日付 "${text}" が不正です（1970〜2038 年の YYYY[-MM[-DD[Thh[:mm[:ss]]]]] で指定します）`);
  const fields = [0, 1, 1, 0, 0, 0];
  const seps = ['-', '-', 'T', ':', ':', ''];
  const limits = [[1970, 2038], [0, 12], [0, 31], [0, 23], [0, 59], [0, 59]];
  let rest = text;
  for (let i = 0; i < 6; i++) {
    const n = cUintPrefix(rest) ?? { value: 0, rest };
    if (n.value < limits[i][0] || n.value > limits[i][1]) return bad;
    fields[i] = n.value;
    if (n.rest === '') break;
    if (i === 5 || n.rest[0] !== seps[i]) return bad;
    rest = n.rest.slice(1);
  }
  const t = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]) / 1000;
  // The kernel keeps dates in 32 bits (the year check above keeps them there).
  return ok(t);
}

function formatDate(t: number): string {
  const d = new Date(t * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

const formatDaytime = (s: number) => [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');

/** The items my_strseg yields: a trailing empty item ends the list, other empty items count. */
const listItems = (text: string): string[] => {
  const items = text.split(',');
  if (items[items.length - 1] === '') items.pop();
  return items;
};

/**
 * `Mon,Tue` or `1,2`: each item is cut to 3 characters; a number (base 0) sets that bit, a name
 * is compared on its first 2 letters only (`Monday`, `Mo`). `1 << n` wraps like the C shift.
 */
function parseWeekdays(text: string): ValueResult<number> {
  let mask = 0;
  for (const raw of listItems(text)) {
    const item = raw.slice(0, 3);
    const n = item === '' ? 0 : cUint32(item);
    if (n !== undefined) {
      if (n === 0) return fail('--weekdays: day 0 does not exist, the week runs from 1 (Mon) to 7 (Sun)', '--weekdays: 0 という曜日はありません（1 = 月曜 〜 7 = 日曜）');
      mask |= 1 << n;
      continue;
    }
    const i = WEEKDAYS.findIndex((d) => d.slice(0, 2) === item.slice(0, 2));
    if (i < 0 || item.length < 2) return fail(`--weekdays: "${item}" is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun or 1-7; case matters)`, `--weekdays: "${item}" は曜日ではありません（Mon, Tue, Wed, Thu, Fri, Sat, Sun または 1〜7。大文字小文字を区別）`);
    mask |= 1 << (i + 1);
  }
  return ok(mask >>> 0);
}

/** `1,15,31`: items cut to 2 characters, base 0 numbers up to 31 (an empty item is day 0). */
function parseMonthdays(text: string): ValueResult<number> {
  let mask = 0;
  for (const raw of listItems(text)) {
    const item = raw.slice(0, 2);
    const n = item === '' ? 0 : cUint32(item);
    if (n === undefined || n > 31) return fail(`--monthdays: "${item}" is not a day of the month (1-31)`, `--monthdays: "${item}" は日付（1〜31）ではありません`);
    mask = (mask | (1 << n)) >>> 0;
  }
  return ok(mask);
}

export interface TimeConfig {
  timeStart: number; timeStop: number; weekdays: number; monthdays: number;
  dateStart: number; dateStop: number; kernelTz: boolean; contiguous: boolean;
}

/** The match as the kernel gets it (defaults filled in, negations applied). */
export function timeConfig(m: { options: { name: string; value?: unknown; negated: boolean }[] }): TimeConfig {
  const get = (n: string) => [...m.options].reverse().find((o) => o.name === n);
  const wd = get('weekdays'), md = get('monthdays');
  return {
    timeStart: (get('timestart')?.value as number | undefined) ?? 0,
    timeStop: (get('timestop')?.value as number | undefined) ?? MAX_DAYTIME,
    weekdays: wd ? ((wd.value as number) ^ (wd.negated ? ALL_WEEKDAYS : 0)) >>> 0 : ALL_WEEKDAYS,
    monthdays: md ? ((md.value as number) ^ (md.negated ? ALL_MONTHDAYS : 0)) >>> 0 : ALL_MONTHDAYS,
    dateStart: (get('datestart')?.value as number | undefined) ?? 0,
    dateStop: (get('datestop')?.value as number | undefined) ?? DEFAULT_DATE_STOP,
    kernelTz: !!(get('kerneltz') ?? get('localtz')),
    contiguous: !!get('contiguous'),
  };
}

const flag = (name: string, en: string, ja: string) => ({ name, args: 0 as const, doc: loc(en, ja) });

export const timeMatch: ModuleDef = {
  name: 'time',
  kind: 'match',
  doc: loc(
    'Matches by arrival time: time of day, weekdays, days of the month and a date range. All options are optional and combine with AND. Times are UTC unless --kerneltz.',
    '到着時刻で判定します: 時刻、曜日、日付、期間。すべて省略可能で、指定したものはすべて満たす必要があります。--kerneltz を付けない限り時刻は UTC です。',
  ),
  options: [
    { name: 'datestart', args: 1, argName: 'YYYY[-MM[-DD[Thh[:mm[:ss]]]]]', parse: (a) => parseDate(a[0], 'datestart'), doc: loc('Start of the date range (ISO 8601 with `T`, from 1970).', '期間の開始（`T` 区切りの ISO 8601、1970 年以降）。') },
    { name: 'datestop', args: 1, argName: 'YYYY[-MM[-DD[Thh[:mm[:ss]]]]]', parse: (a) => parseDate(a[0], 'datestop'), doc: loc('End of the date range, inclusive (up to 2038).', '期間の終了（その時刻を含む、2038 年まで）。') },
    { name: 'timestart', args: 1, argName: 'hh:mm[:ss]', parse: (a) => parseDaytime(a[0], 'timestart'), doc: loc('Start of the daily time window.', '1 日の中の時間帯の開始。') },
    { name: 'timestop', args: 1, argName: 'hh:mm[:ss]', parse: (a) => parseDaytime(a[0], 'timestop'), doc: loc('End of the daily time window (inclusive). Earlier than --timestart means the window crosses midnight.', '1 日の中の時間帯の終了（含む）。--timestart より前なら日付をまたぐ時間帯です。') },
    flag('contiguous', 'When --timestop is before --timestart, treat the window as one period across midnight rather than two per day.', '--timestop が --timestart より前のとき、1 日 2 区間ではなく日付をまたぐ 1 つの期間として扱います。'),
    {
      name: 'weekdays', args: 1, negatable: true, argName: 'day[,day...]', values: ['Mon,Tue,Wed,Thu,Fri', 'Sat,Sun', ...WEEKDAYS],
      parse: (a) => parseWeekdays(a[0]),
      doc: loc('Weekdays: Mon, Tue, Wed, Thu, Fri, Sat, Sun (or Mo, Tu... or 1-7, Monday = 1).', '曜日: Mon, Tue, Wed, Thu, Fri, Sat, Sun（Mo, Tu… や 1〜7、月曜 = 1 も可）。'),
    },
    {
      name: 'monthdays', args: 1, negatable: true, argName: 'day[,day...]', parse: (a) => parseMonthdays(a[0]),
      doc: loc('Days of the month, 1-31 (a month without that day never matches it).', '日付 1〜31（その日がない月には一致しません）。'),
    },
    flag('kerneltz', 'Use the kernel\'s time zone instead of UTC (often not what you expect: the kernel zone is rarely kept up to date).', 'UTC ではなくカーネルのタイムゾーンを使います（カーネルのタイムゾーンは更新されないことが多く、期待どおりにならない場合があります）。'),
    flag('localtz', 'Old name of --kerneltz (iptables warns and uses --kerneltz).', '--kerneltz の旧名です（iptables は警告して --kerneltz として扱います）。'),
    flag('utc', 'Interpret times as UTC (the default).', '時刻を UTC として扱います（既定）。'),
  ],
  validate(m) {
    if (hasBadValue(m, timeMatch)) return [];
    const out: Localized[] = [];
    const tz = optionOf(m, 'kerneltz') ?? optionOf(m, 'localtz');
    if (tz && optionOf(m, 'utc')) out.push(loc(`--utc and --${tz.name} cannot be used together`, `--utc と --${tz.name} は同時に指定できません`));
    const c = timeConfig(m);
    if (c.contiguous && c.timeStart < c.timeStop) {
      out.push(loc('--contiguous only makes sense when --timestop is earlier than --timestart', '--contiguous は --timestop が --timestart より前のときだけ意味があります'));
    }
    return out;
  },
  save(m) {
    const c = timeConfig(m);
    const words = ['-m', 'time'];
    if (c.timeStart !== 0 || c.timeStop !== MAX_DAYTIME) words.push('--timestart', formatDaytime(c.timeStart), '--timestop', formatDaytime(c.timeStop));
    // An out-of-range day sets a bit nothing prints: iptables then prints an empty list.
    if (c.monthdays !== ALL_MONTHDAYS) {
      words.push('--monthdays', Array.from({ length: 31 }, (_, i) => i + 1).filter((d) => c.monthdays & (1 << d)).join(','));
    }
    if (c.weekdays !== ALL_WEEKDAYS) words.push('--weekdays', WEEKDAYS.filter((_, i) => c.weekdays & (1 << (i + 1))).join(','));
    if (c.dateStart !== 0) words.push('--datestart', formatDate(c.dateStart));
    if (c.dateStop !== 0) words.push('--datestop', formatDate(c.dateStop));
    if (c.kernelTz) words.push('--kerneltz');
    if (c.contiguous) words.push('--contiguous');
    return words;
  },
};
