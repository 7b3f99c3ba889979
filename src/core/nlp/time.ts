import { readNumber } from './quantity.ts';

/** Where "now" is: the instant and the household's IANA time zone ("Europe/Stockholm"). */
export interface WhenOptions {
  now: Date;
  timeZone: string;
}

/** A wall-clock date and time in some time zone. `month` is 1–12; `weekday` 0 (Sunday)–6. */
export interface ZonedDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** A time expression found in a sentence: when it is due, its words, and where they were. */
export interface FoundWhen {
  due: Date;
  /** The words that said when, as written (two pieces are joined by " … "). */
  matchedText: string;
  /** Character ranges of those words in the sentence, to cut them out of a title. */
  ranges: Array<{ start: number; end: number }>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MAX_RELATIVE = 366 * DAY;

const WEEKDAYS: Readonly<Record<string, number>> = {
  sunday: 0, monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6,
};

/** "Friday" for 5: the name of a `ZonedDateTime`'s weekday. */
export function weekdayName(weekday: number): string {
  const name = Object.keys(WEEKDAYS).find((key) => WEEKDAYS[key] === weekday) ?? '';
  return name.charAt(0).toUpperCase() + name.slice(1);
}
/** Short weekday names count only after "on"/"next"/"this": bare "sat" or "wed" is too often something else. */
const WEEKDAY_ABBREVIATIONS: Readonly<Record<string, number>> = {
  sun: 0, mon: 1, tue: 2, tues: 2, wed: 3, weds: 3, thu: 4, thur: 4, thurs: 4, fri: 5, sat: 6,
};
const MONTHS: Readonly<Record<string, number>> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6,
  july: 7, jul: 7, august: 8, aug: 8, september: 9, sep: 9, sept: 9, october: 10, oct: 10,
  november: 11, nov: 11, december: 12, dec: 12,
};
const TOMORROW: ReadonlySet<string> = new Set(['tomorrow', 'tmrw', 'tmr', 'tmrow', 'tomorow', 'tommorow', 'tommorrow', 'tomorrrow']);
const HOUR_WORDS: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
};

type Part = 'morning' | 'lunch' | 'afternoon' | 'evening' | 'tonight' | 'night';
/** The time a part of the day means when no clock time is given. */
const PART_HOURS: Readonly<Record<Part, number>> = {
  morning: 9, lunch: 12, afternoon: 15, evening: 18, tonight: 20, night: 21,
};

type DaySpec =
  | { kind: 'offset'; days: number }
  | { kind: 'weekday'; weekday: number; next: boolean }
  | { kind: 'weekend'; weeks: number }
  | { kind: 'monthday'; day: number }
  | { kind: 'date'; year: number | null; month: number; day: number };

interface Clock {
  hour: number;
  minute: number;
  /** Set when the words fix the half of the day: "pm", "18:00", "09:30", "noon". */
  fixed: boolean;
}

interface Spec {
  relative?: { ms: number } | { days: number };
  day?: DaySpec;
  part?: Part;
  clock?: Clock;
  /** Words that unmistakably say "when" ("at 6pm", "on friday", "in 2 hours"), unlike a bare "friday". */
  strong: boolean;
}

interface Token {
  word: string;
  start: number;
  end: number;
}

interface Match {
  spec: Spec;
  first: number;
  last: number;
}

const TOKEN_RE = /[\p{L}\p{N}@][\p{L}\p{N}:.'’/-]*/gu;
const CLOCK_RE = /^(\d{1,2})(?:([:.h])(\d{2}))?(am|pm|a\.m\.|p\.m\.)?$/;
const COMPACT_RELATIVE_RE = /^(\d+(?:\.\d+)?)(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|wk|wks|weeks?)$/;
const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ORDINAL_RE = /^(\d{1,2})(?:st|nd|rd|th)?$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(TOKEN_RE)) {
    let word = match[0].toLowerCase();
    // A sentence's full stop is not part of "9am." — but "p.m." keeps its dots.
    while (/[.'’/-]$/.test(word) && !/[ap]\.m\.$/.test(word)) word = word.slice(0, -1);
    tokens.push({ word, start: match.index, end: match.index + word.length });
  }
  return tokens;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter every reading of a zone's wall clock goes through: made once per zone, since making one costs more than using it many times. */
function makeFormatter(timeZone: string): Intl.DateTimeFormat {
  const made = formatters.get(timeZone);
  if (made) return made;
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'short',
  });
  // An unknown zone threw above (RangeError) and is not kept.
  formatters.set(timeZone, formatter);
  return formatter;
}

const WEEKDAY_SHORT: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function zonedWith(formatter: Intl.DateTimeFormat, epochMs: number): ZonedDateTime {
  const fields: Record<string, string> = {};
  for (const { type, value } of formatter.formatToParts(epochMs)) fields[type] = value;
  return {
    year: Number(fields.year),
    month: Number(fields.month),
    day: Number(fields.day),
    hour: Number(fields.hour) % 24,
    minute: Number(fields.minute),
    second: Number(fields.second),
    weekday: WEEKDAY_SHORT[fields.weekday ?? ''] ?? 0,
  };
}

/** The zone's offset from UTC at an instant, in milliseconds (Stockholm in summer: +2 h). */
function offsetWith(formatter: Intl.DateTimeFormat, epochMs: number): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  const local = zonedWith(formatter, whole);
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) - whole;
}

/**
 * The wall-clock date and time of an instant in a time zone.
 *
 * @throws RangeError for an unknown time zone.
 * @example zonedDateTime(new Date('2025-06-01T10:00:00Z'), 'Europe/Stockholm').hour // 12
 */
export function zonedDateTime(instant: Date, timeZone: string): ZonedDateTime {
  return zonedWith(makeFormatter(timeZone), instant.getTime());
}

/**
 * The instant a wall-clock time in a time zone names. DST-safe: a time that does not exist (the hour
 * skipped in spring) moves forward by the gap (02:30 → 03:30); a time that happens twice (autumn)
 * is the first of the two.
 *
 * @throws RangeError for an unknown time zone.
 * @example fromZonedDateTime({ year: 2025, month: 6, day: 1, hour: 12, minute: 0 }, 'Europe/Stockholm')
 * // 2025-06-01T10:00:00.000Z
 */
export function fromZonedDateTime(
  local: { year: number; month: number; day: number; hour: number; minute: number; second?: number },
  timeZone: string,
): Date {
  return fromZonedWith(makeFormatter(timeZone), local);
}

function fromZonedWith(
  formatter: Intl.DateTimeFormat,
  local: { year: number; month: number; day: number; hour: number; minute: number; second?: number },
): Date {
  const wanted = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second ?? 0);
  // At most one transition lies within a day of any time, so the offsets half a day either side
  // are the two the answer can have.
  const before = offsetWith(formatter, wanted - DAY / 2);
  const after = offsetWith(formatter, wanted + DAY / 2);
  const valid = [wanted - before, wanted - after]
    .filter((candidate) => candidate + offsetWith(formatter, candidate) === wanted)
    .sort((a, b) => a - b);
  return new Date(valid[0] ?? wanted - Math.min(before, after));
}

/** A calendar date `days` after the given one (negative for before). */
function addDays(date: { year: number; month: number; day: number }, days: number): { year: number; month: number; day: number } {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Reads "in 2 hours", "in half an hour", "in an hour and a half", "in 30 min", "2 hours from now". */
function readRelative(words: readonly string[], i: number): { end: number; spec: Spec } | null {
  const hasIn = words[i] === 'in' || words[i] === 'within';
  let j = hasIn ? i + 1 : i;
  let ms = 0;
  let days = 0;
  let read = false;

  if (hasIn && words[j] === 'half' && (words[j + 1] === 'an' || words[j + 1] === 'a') && /^(hour|hr)s?$/.test(words[j + 2] ?? '')) {
    ms = 30 * MINUTE;
    j += 3;
    read = true;
  }
  for (;;) {
    // A second amount must follow "and": "in 1 hour and 30 minutes".
    let k = read ? j + 1 : j;
    if (read && words[j] !== 'and') break;
    const compact = COMPACT_RELATIVE_RE.exec(words[k] ?? '');
    let amount: number;
    let unit: string;
    if (compact !== null) {
      amount = Number(compact[1]);
      unit = compact[2] ?? '';
      k += 1;
    } else {
      const few = words[k] === 'a' && words[k + 1] === 'few' ? { value: 3, end: k + 2 } : null;
      const number = few ?? readNumber(words, k);
      if (number === null) break;
      k = number.end;
      if (words[k] === 'of') k += 1;
      unit = words[k] ?? '';
      amount = number.value;
      k += 1;
    }
    if (/^(m|min|mins|minutes?)$/.test(unit)) ms += amount * MINUTE;
    else if (/^(h|hr|hrs|hours?)$/.test(unit)) ms += amount * HOUR;
    else if (/^(d|days?)$/.test(unit)) days += amount;
    else if (/^(w|wk|wks|weeks?)$/.test(unit)) days += amount * 7;
    else break;
    j = k;
    read = true;
  }
  if (!read) return null;
  if (words[j] === 'and' && words[j + 1] === 'a' && words[j + 2] === 'half') {
    // "in an hour and a half": half of the last unit, which for reminders is hours or days.
    if (days > 0 && ms === 0) days += 0.5;
    else ms += 30 * MINUTE;
    j += 3;
  }
  if (!hasIn) {
    if (words[j] !== 'from' || words[j + 1] !== 'now') return null;
    j += 2;
  }
  const total = ms + days * DAY;
  if (!(total > 0) || total > MAX_RELATIVE) return null;
  const relative = ms === 0 && Number.isInteger(days) ? { days } : { ms: total };
  return { end: j, spec: { relative, strong: true } };
}

/** Reads a weekday, date or named day: "tomorrow", "on friday", "next mon", "this weekend", "on the 5th", "march 3". */
function readDay(words: readonly string[], i: number): { end: number; day: DaySpec; part?: Part; strong: boolean } | null {
  const word = words[i] ?? '';
  if (word === 'today') return { end: i + 1, day: { kind: 'offset', days: 0 }, strong: true };
  if (word === 'tonight' || word === 'tonite') return { end: i + 1, day: { kind: 'offset', days: 0 }, part: 'tonight', strong: true };
  if (TOMORROW.has(word)) return { end: i + 1, day: { kind: 'offset', days: 1 }, strong: true };
  let j = i;
  if (words[j] === 'the' && words[j + 1] === 'day') j += 1;
  if (words[j] === 'day' && words[j + 1] === 'after' && TOMORROW.has(words[j + 2] ?? '')) {
    return { end: j + 3, day: { kind: 'offset', days: 2 }, strong: true };
  }

  j = i;
  let prefix: string | null = null;
  if (['on', 'by', 'this', 'next', 'coming', 'until', 'till', 'before'].includes(word)) {
    prefix = word;
    j += 1;
    if (prefix === 'this' && words[j] === 'coming') j += 1;
  } else if ((word === 'at' || word === 'over') && words[i + 1] === 'the' && words[i + 2] === 'weekend') {
    return { end: i + 3, day: { kind: 'weekend', weeks: 0 }, strong: true };
  }
  if (prefix === 'on' && words[j] === 'the' && words[j + 1] === 'weekend') {
    return { end: j + 2, day: { kind: 'weekend', weeks: 0 }, strong: true };
  }
  const next = words[j] ?? '';
  const weekday = WEEKDAYS[next] ?? (prefix === null ? undefined : WEEKDAY_ABBREVIATIONS[next]);
  if (weekday !== undefined) {
    return { end: j + 1, day: { kind: 'weekday', weekday, next: prefix === 'next' }, strong: prefix !== null };
  }
  if (next === 'weekend' && (prefix === 'this' || prefix === 'next')) {
    return { end: j + 1, day: { kind: 'weekend', weeks: prefix === 'next' ? 1 : 0 }, strong: true };
  }
  if (next === 'week' && prefix === 'next') return { end: j + 1, day: { kind: 'offset', days: 7 }, strong: true };

  const iso = ISO_DATE_RE.exec(next);
  if (iso !== null) {
    const [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
      return { end: j + 1, day: { kind: 'date', year, month, day }, strong: true };
    }
    return null;
  }
  // "on the 5th", "on the 5th of march", "on 5 march", "on march 5th", "march 5".
  let k = j;
  if (words[k] === 'the') k += 1;
  const ordinal = ORDINAL_RE.exec(words[k] ?? '');
  if (ordinal !== null) {
    const day = Number(ordinal[1]);
    let m = k + 1;
    if (words[m] === 'of') m += 1;
    const month = MONTHS[words[m] ?? ''];
    if (month !== undefined && day >= 1 && day <= 31) return { end: m + 1, day: { kind: 'date', year: null, month, day }, strong: true };
    const hasOrdinalSuffix = /\D$/.test(words[k] ?? '');
    if (prefix === 'on' && words[j] === 'the' && hasOrdinalSuffix && day >= 1 && day <= 31) {
      return { end: k + 1, day: { kind: 'monthday', day }, strong: true };
    }
    return null;
  }
  const month = MONTHS[next];
  if (month !== undefined && (prefix !== null || next.length > 3)) {
    const dayMatch = ORDINAL_RE.exec(words[j + 1] ?? '');
    const day = dayMatch === null ? Number.NaN : Number(dayMatch[1]);
    if (day >= 1 && day <= 31) return { end: j + 2, day: { kind: 'date', year: null, month, day }, strong: prefix !== null };
  }
  return null;
}

function hourWord(word: string): number | null {
  if (/^\d{1,2}$/.test(word)) return Number(word);
  return HOUR_WORDS[word] ?? null;
}

/** Reads a clock time: "at 9", "at 9am", "9:30 pm", "at 18:00", "at noon", "half past 6", "6 o'clock". */
function readClock(words: readonly string[], i: number): { end: number; clock: Clock; strong: boolean } | null {
  let j = i;
  const prefix = ['at', '@', 'by', 'around', 'before', 'for'].includes(words[j] ?? '') ? words[j] : null;
  if (prefix !== null) {
    j += 1;
    if (words[j] === 'around' || words[j] === 'about') j += 1;
  }
  const word = words[j] ?? '';
  if (word === 'noon' || word === 'midday') return { end: j + 1, clock: { hour: 12, minute: 0, fixed: true }, strong: true };
  if (word === 'midnight') return { end: j + 1, clock: { hour: 0, minute: 0, fixed: true }, strong: true };

  // "half past 6", "quarter past 6", "quarter to 7".
  const fractionWords = word === 'half' || word === 'quarter' ? [word, words[j + 1] ?? ''] : null;
  if (fractionWords !== null && (fractionWords[1] === 'past' || (word === 'quarter' && fractionWords[1] === 'to'))) {
    const hour = hourWord(words[j + 2] ?? '');
    if (hour === null || hour < 1 || hour > 12 || prefix === 'for') return null;
    const minute = word === 'half' ? 30 : fractionWords[1] === 'past' ? 15 : 45;
    const clockHour = fractionWords[1] === 'to' ? (hour + 11) % 12 || 12 : hour;
    return { end: j + 3, clock: { hour: clockHour, minute, fixed: false }, strong: true };
  }

  let hour: number;
  let minute = 0;
  let meridiem: string | undefined;
  let separator: string | undefined;
  let leadingZero = false;
  const numeric = CLOCK_RE.exec(word);
  if (numeric !== null) {
    hour = Number(numeric[1]);
    separator = numeric[2];
    minute = numeric[3] === undefined ? 0 : Number(numeric[3]);
    meridiem = numeric[4];
    leadingZero = (numeric[1] ?? '').length === 2 && (numeric[1] ?? '').startsWith('0');
  } else if (prefix !== null && prefix !== 'for' && HOUR_WORDS[word] !== undefined) {
    hour = HOUR_WORDS[word] ?? 0;
  } else {
    return null;
  }
  let end = j + 1;
  const after = words[end] ?? '';
  if (meridiem === undefined && /^(am|pm|a\.m\.|p\.m\.)$/.test(after)) {
    meridiem = after;
    end += 1;
  } else if (after === "o'clock" || after === 'oclock' || after === 'o’clock') {
    end += 1;
  }
  // A bare "9" or "9.30" is not a time; "9am", "18:00" and "at 9" are.
  const colon = separator === ':' || separator === 'h';
  if (prefix === null && meridiem === undefined && !colon) return null;
  if (prefix === 'for' && meridiem === undefined && !colon) return null;
  if (minute > 59) return null;
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return null;
    const pm = meridiem.startsWith('p');
    return { end, clock: { hour: (hour % 12) + (pm ? 12 : 0), minute, fixed: true }, strong: true };
  }
  if (hour > 23) return null;
  const fixed = hour === 0 || hour > 12 || (colon && leadingZero);
  return { end, clock: { hour, minute, fixed }, strong: true };
}

const PART_WORDS: Readonly<Record<string, Part>> = {
  morning: 'morning', afternoon: 'afternoon', evening: 'evening', night: 'night', tonight: 'tonight',
  lunch: 'lunch', lunchtime: 'lunch',
};

/** Reads "this morning", "in the evening", "at night", "at lunchtime"; or a bare "morning" right after a day. */
function readPart(words: readonly string[], i: number, afterDay: boolean): { end: number; part: Part } | null {
  const word = words[i] ?? '';
  if (word === 'this' && ['morning', 'afternoon', 'evening'].includes(words[i + 1] ?? '')) {
    return { end: i + 2, part: PART_WORDS[words[i + 1] ?? ''] ?? 'morning' };
  }
  if (word === 'in' && words[i + 1] === 'the' && ['morning', 'afternoon', 'evening'].includes(words[i + 2] ?? '')) {
    return { end: i + 3, part: PART_WORDS[words[i + 2] ?? ''] ?? 'morning' };
  }
  if (word === 'at' && (words[i + 1] === 'night' || words[i + 1] === 'lunch' || words[i + 1] === 'lunchtime')) {
    return { end: i + 2, part: PART_WORDS[words[i + 1] ?? ''] ?? 'night' };
  }
  if (word === 'tonight' || word === 'tonite') return { end: i + 1, part: 'tonight' };
  if (afterDay && ['morning', 'afternoon', 'evening', 'night', 'lunchtime'].includes(word)) {
    return { end: i + 1, part: PART_WORDS[word] ?? 'morning' };
  }
  return null;
}

/** Reads the longest time expression starting at token `i`. */
function readWhenAt(words: readonly string[], i: number): { end: number; spec: Spec } | null {
  const relative = readRelative(words, i);
  if (relative !== null) return relative;
  const spec: Spec = { strong: false };
  let j = i;
  let afterDay = false;
  for (let step = 0; step < 4; step += 1) {
    const day = spec.day === undefined ? readDay(words, j) : null;
    if (day !== null) {
      spec.day = day.day;
      if (day.part !== undefined && spec.part === undefined) spec.part = day.part;
      spec.strong ||= day.strong;
      j = day.end;
      afterDay = true;
      continue;
    }
    const clock = spec.clock === undefined ? readClock(words, j) : null;
    if (clock !== null) {
      spec.clock = clock.clock;
      spec.strong ||= clock.strong;
      j = clock.end;
      afterDay = false;
      continue;
    }
    const part = spec.part === undefined ? readPart(words, j, afterDay) : null;
    if (part !== null) {
      spec.part = part.part;
      spec.strong = true;
      j = part.end;
      afterDay = false;
      continue;
    }
    break;
  }
  return j === i ? null : { end: j, spec };
}

/** Hours a clock time may mean, most likely first ("at 6" is 18:00 before 06:00; "at 9" the other way). */
function candidateHours(clock: Clock, part: Part | undefined): number[] {
  if (clock.fixed) return [clock.hour];
  const hour = clock.hour;
  if (hour === 12) return part === 'night' || part === 'tonight' ? [0] : [12];
  if (part === 'morning') return [hour];
  if (part === 'afternoon' || part === 'evening' || part === 'tonight' || part === 'night') return [hour + 12];
  return hour <= 6 ? [hour + 12, hour] : [hour, hour + 12];
}

function resolveDay(day: DaySpec, today: ZonedDateTime): { date: { year: number; month: number; day: number }; flexible: boolean } {
  const base = { year: today.year, month: today.month, day: today.day };
  switch (day.kind) {
    case 'offset':
      return { date: addDays(base, day.days), flexible: day.days === 0 };
    case 'weekday': {
      const delta = (day.weekday - today.weekday + 7) % 7;
      // "next friday" on a Friday is a week away; a bare "friday" on a Friday may still be today.
      return { date: addDays(base, day.next && delta === 0 ? 7 : delta), flexible: delta === 0 && !day.next };
    }
    case 'weekend': {
      const delta = today.weekday === 0 ? 0 : (6 - today.weekday + 7) % 7;
      return { date: addDays(base, delta + day.weeks * 7), flexible: false };
    }
    case 'monthday': {
      let { year, month } = base;
      // "on the 28th" said on the 28th means next month's.
      if (day.day <= today.day) month += 1;
      for (let tries = 0; tries < 12; tries += 1) {
        if (month > 12) {
          month = 1;
          year += 1;
        }
        if (day.day <= daysInMonth(year, month)) break;
        month += 1;
      }
      return { date: { year, month, day: Math.min(day.day, daysInMonth(year, month)) }, flexible: false };
    }
    case 'date': {
      let year = day.year ?? today.year;
      const isPast = day.year === null && (day.month < today.month || (day.month === today.month && day.day < today.day));
      if (isPast) year += 1;
      return { date: { year, month: day.month, day: Math.min(day.day, daysInMonth(year, day.month)) }, flexible: false };
    }
  }
}

/**
 * Turns what was said into an instant. A time with no day ("at 6pm", "tonight") that has already
 * passed today means tomorrow; a day with no time means 09:00; parts of the day are morning 09:00,
 * lunch 12:00, afternoon 15:00, evening 18:00, tonight 20:00, night 21:00.
 */
function resolve(spec: Spec, options: WhenOptions): Date {
  const formatter = makeFormatter(options.timeZone);
  const local = zonedWith(formatter, options.now.getTime());
  if (spec.relative !== undefined) {
    if ('ms' in spec.relative) return new Date(options.now.getTime() + spec.relative.ms);
    // Whole days keep the wall-clock time, across a DST change too.
    const date = addDays(local, spec.relative.days);
    return fromZonedWith(formatter, { ...date, hour: local.hour, minute: local.minute, second: local.second });
  }
  const { date, flexible } = spec.day === undefined
    ? { date: { year: local.year, month: local.month, day: local.day }, flexible: true }
    : resolveDay(spec.day, local);
  const hours = spec.clock === undefined
    ? [spec.part === undefined ? 9 : PART_HOURS[spec.part]]
    : candidateHours(spec.clock, spec.part);
  const minute = spec.clock?.minute ?? 0;
  const at = (day: { year: number; month: number; day: number }, hour: number): Date =>
    fromZonedWith(formatter, { ...day, hour, minute });
  const first = hours[0] ?? 9;
  if (!flexible) return at(date, first);
  // Today, or a weekday that is today: the first reading still ahead, else the same time a day
  // (or, for a weekday, a week) later.
  for (const hour of hours) {
    const candidate = at(date, hour);
    if (candidate.getTime() > options.now.getTime()) return candidate;
  }
  return at(addDays(date, spec.day?.kind === 'weekday' ? 7 : 1), first);
}

function scan(tokens: readonly Token[]): Match[] {
  const words = tokens.map((token) => token.word);
  const matches: Match[] = [];
  let i = 0;
  while (i < tokens.length) {
    const found = readWhenAt(words, i);
    if (found === null) {
      i += 1;
      continue;
    }
    matches.push({ spec: found.spec, first: i, last: found.end - 1 });
    i = found.end;
  }
  return matches;
}

/** The character range a match covers. */
function rangeOf(tokens: readonly Token[], match: Match): { start: number; end: number } {
  return { start: tokens[match.first]?.start ?? 0, end: tokens[match.last]?.end ?? 0 };
}

/**
 * Reads text that is only a time expression: "in 2 hours", "in 30 minutes", "in an hour",
 * "tomorrow at 9", "tomorrow at 9am", "at 6pm", "at 18:00", "tonight" (20:00), "this evening"
 * (18:00), "on friday at 8", "friday", "next monday", "tomorrow morning" (09:00), "at noon",
 * "this weekend", "on the 5th", "march 3". Null when it is not one.
 *
 * @throws RangeError for an unknown time zone.
 * @example parseWhen('at 6pm', { now, timeZone: 'Europe/Stockholm' }) // { due: <today or tomorrow 18:00>, matchedText: 'at 6pm' }
 */
export function parseWhen(text: string, options: WhenOptions): { due: Date; matchedText: string } | null {
  const tokens = tokenize(text);
  if (tokens.length === 0) return null;
  const found = readWhenAt(tokens.map((token) => token.word), 0);
  if (found === null || found.end !== tokens.length) return null;
  const range = rangeOf(tokens, { spec: found.spec, first: 0, last: found.end - 1 });
  return { due: resolve(found.spec, options), matchedText: text.slice(range.start, range.end) };
}

function complementary(a: Spec, b: Spec): boolean {
  if (a.relative !== undefined || b.relative !== undefined) return false;
  const dayOnly = (spec: Spec): boolean => spec.day !== undefined && spec.clock === undefined;
  const timeOnly = (spec: Spec): boolean => spec.day === undefined && (spec.clock !== undefined || spec.part !== undefined);
  return (dayOnly(a) && timeOnly(b)) || (timeOnly(a) && dayOnly(b));
}

/**
 * Finds when a sentence says something is due, for reminders: "tomorrow at 9 to call the plumber",
 * "to take the fish out at 6pm", "tomorrow to call mum at 5" (day and time at either end are
 * combined). Words at the start or end of the sentence win; in the middle only unmistakable ones
 * count ("at 5", "on friday", not a bare "sunday"). Null when there are none.
 *
 * @throws RangeError for an unknown time zone.
 */
export function findWhen(text: string, options: WhenOptions): FoundWhen | null {
  const tokens = tokenize(text);
  const matches = scan(tokens);
  if (matches.length === 0) return null;
  const atStart = matches.find((match) => match.first === 0);
  const atEnd = matches.find((match) => match.last === tokens.length - 1 && match !== atStart);
  let chosen: Match[];
  if (atStart !== undefined && atEnd !== undefined && complementary(atStart.spec, atEnd.spec)) chosen = [atStart, atEnd];
  else if (atEnd !== undefined) chosen = [atEnd];
  else if (atStart !== undefined) chosen = [atStart];
  else {
    const strong = matches.find((match) => match.spec.strong);
    if (strong === undefined) return null;
    chosen = [strong];
  }
  const spec = chosen.reduce<Spec>((merged, match) => ({ ...merged, ...match.spec, strong: true }), { strong: true });
  const ranges = chosen.map((match) => rangeOf(tokens, match));
  return {
    due: resolve(spec, options),
    matchedText: ranges.map(({ start, end }) => text.slice(start, end)).join(' … '),
    ranges,
  };
}
