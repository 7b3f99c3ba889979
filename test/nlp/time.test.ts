import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findWhen, fromZonedDateTime, parseWhen, zonedDateTime } from '../../src/core/nlp/time.ts';

const STOCKHOLM = 'Europe/Stockholm';
const NEW_YORK = 'America/New_York';

/** A due instant as the household's wall clock shows it: "2025-03-28 18:00". */
function local(due: Date | undefined, timeZone: string): string {
  if (due === undefined) return 'null';
  const t = zonedDateTime(due, timeZone);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}`;
}

describe('parseWhen', () => {
  // Friday 28 March 2025, 11:00 in Stockholm (UTC+1); DST starts in the night to Sunday.
  const now = new Date('2025-03-28T10:00:00Z');
  const at = (text: string): string => local(parseWhen(text, { now, timeZone: STOCKHOLM })?.due, STOCKHOLM);

  it.each([
    ['in 2 hours', '2025-03-28 13:00'],
    ['in two hours', '2025-03-28 13:00'],
    ['in 30 minutes', '2025-03-28 11:30'],
    ['in 30 mins', '2025-03-28 11:30'],
    ['in 90 min', '2025-03-28 12:30'],
    ['in an hour', '2025-03-28 12:00'],
    ['in half an hour', '2025-03-28 11:30'],
    ['in an hour and a half', '2025-03-28 12:30'],
    ['in 1 hour and 30 minutes', '2025-03-28 12:30'],
    ['in 2h', '2025-03-28 13:00'],
    ['in 1.5 hours', '2025-03-28 12:30'],
    ['in a couple of hours', '2025-03-28 13:00'],
    ['30 minutes from now', '2025-03-28 11:30'],
    ['in 3 days', '2025-03-31 11:00'],
    ['in a week', '2025-04-04 11:00'],
    ['tomorrow', '2025-03-29 09:00'],
    ['tomorrow at 9', '2025-03-29 09:00'],
    ['tomorrow at 9am', '2025-03-29 09:00'],
    ['tomorrow 9am', '2025-03-29 09:00'],
    ['tomorrow at 9 am', '2025-03-29 09:00'],
    ['tomorrow at 3', '2025-03-29 15:00'],
    ['tmrw at 8', '2025-03-29 08:00'],
    ['at 9 tomorrow', '2025-03-29 09:00'],
    ['at 6pm', '2025-03-28 18:00'],
    ['at 6 pm', '2025-03-28 18:00'],
    ['at 6.30pm', '2025-03-28 18:30'],
    ['6pm', '2025-03-28 18:00'],
    ['at 18:00', '2025-03-28 18:00'],
    ['18:00', '2025-03-28 18:00'],
    ['at 10am', '2025-03-29 10:00'],
    ['at 9', '2025-03-28 21:00'],
    ['at 3', '2025-03-28 15:00'],
    ['at 11', '2025-03-28 23:00'],
    ['at 9:30', '2025-03-28 21:30'],
    ['at 09:30', '2025-03-29 09:30'],
    ["at 7 o'clock", '2025-03-28 19:00'],
    ['at seven', '2025-03-28 19:00'],
    ['at noon', '2025-03-28 12:00'],
    ['at midday', '2025-03-28 12:00'],
    ['at midnight', '2025-03-29 00:00'],
    ['at half past 6', '2025-03-28 18:30'],
    ['quarter to 7 tomorrow', '2025-03-29 18:45'],
    ['by 5pm', '2025-03-28 17:00'],
    ['around 4', '2025-03-28 16:00'],
    ['tonight', '2025-03-28 20:00'],
    ['tonight at 9', '2025-03-28 21:00'],
    ['at 7 tonight', '2025-03-28 19:00'],
    ['this evening', '2025-03-28 18:00'],
    ['this afternoon', '2025-03-28 15:00'],
    ['this morning', '2025-03-29 09:00'],
    ['in the evening', '2025-03-28 18:00'],
    ['at night', '2025-03-28 21:00'],
    ['at lunchtime', '2025-03-28 12:00'],
    ['tomorrow morning', '2025-03-29 09:00'],
    ['tomorrow afternoon', '2025-03-29 15:00'],
    ['tomorrow evening', '2025-03-29 18:00'],
    ['tomorrow night', '2025-03-29 21:00'],
    ['tomorrow morning at 7:30', '2025-03-29 07:30'],
    ['the day after tomorrow', '2025-03-30 09:00'],
    ['friday', '2025-04-04 09:00'],
    ['on friday at 8', '2025-03-28 20:00'],
    ['friday night', '2025-03-28 21:00'],
    ['on saturday', '2025-03-29 09:00'],
    ['saturday at 10am', '2025-03-29 10:00'],
    ['on sat', '2025-03-29 09:00'],
    ['sunday evening', '2025-03-30 18:00'],
    ['next monday', '2025-03-31 09:00'],
    ['next friday', '2025-04-04 09:00'],
    ['this thursday', '2025-04-03 09:00'],
    ['on wednesday at 6pm', '2025-04-02 18:00'],
    ['at 6pm on wednesday', '2025-04-02 18:00'],
    ['this weekend', '2025-03-29 09:00'],
    ['next weekend', '2025-04-05 09:00'],
    ['at the weekend', '2025-03-29 09:00'],
    ['next week', '2025-04-04 09:00'],
    ['on the 5th', '2025-04-05 09:00'],
    ['on the 28th', '2025-04-28 09:00'],
    ['on the 31st', '2025-03-31 09:00'],
    ['march 3', '2026-03-03 09:00'],
    ['on 5 april', '2025-04-05 09:00'],
    ['on april 5th', '2025-04-05 09:00'],
    ['on the 5th of april at 6pm', '2025-04-05 18:00'],
    ['on 2025-12-24', '2025-12-24 09:00'],
    ['Tomorrow At 9AM', '2025-03-29 09:00'],
    ['tomorrow at 9.', '2025-03-29 09:00'],
  ])('%j → %s', (text, expected) => {
    expect(at(text)).toBe(expected);
  });

  it.each(['hello', 'at costco', 'in 2 stores', '9', '9.30', 'in the fridge', '', '   ', 'at 25:00', 'at 13pm', 'at 9:75', 'in 0 minutes',
    'in 1000 days', 'friday leftovers', 'on sat night at costco', 'sat', 'in a bit', 'tomorrow tomorrow'])('%j is not a time', (text) => {
    expect(parseWhen(text, { now, timeZone: STOCKHOLM })).toBeNull();
  });

  it('returns the words it read', () => {
    expect(parseWhen('  tomorrow at 9  ', { now, timeZone: STOCKHOLM })?.matchedText).toBe('tomorrow at 9');
  });

  it('keeps the seconds of now for relative times', () => {
    const exact = new Date('2025-03-28T10:00:42.500Z');
    expect(parseWhen('in 2 hours', { now: exact, timeZone: STOCKHOLM })?.due.toISOString()).toBe('2025-03-28T12:00:42.500Z');
  });

  it('refuses an unknown time zone', () => {
    expect(() => parseWhen('at 6pm', { now, timeZone: 'Mars/Olympus_Mons' })).toThrow(RangeError);
  });
});

describe('across daylight saving changes', () => {
  it('Stockholm, spring forward (30 March 2025, 02:00 → 03:00)', () => {
    const now = new Date('2025-03-29T20:00:00Z'); // Saturday 21:00 CET
    const when = (text: string): string | undefined => parseWhen(text, { now, timeZone: STOCKHOLM })?.due.toISOString();
    expect(when('tomorrow at 9')).toBe('2025-03-30T07:00:00.000Z'); // 09:00 CEST
    expect(when('in 2 hours')).toBe('2025-03-29T22:00:00.000Z'); // exactly two hours, 00:00 CEST
    expect(when('in 1 day')).toBe('2025-03-30T19:00:00.000Z'); // same wall clock, 23 hours later
    expect(when('tomorrow at 2:30am')).toBe('2025-03-30T01:30:00.000Z'); // 02:30 does not exist: 03:30 CEST
    expect(when('at 9')).toBe('2025-03-30T07:00:00.000Z'); // 09:00 and 21:00 are not ahead today: 09:00 tomorrow, CEST
  });

  it('Stockholm, fall back (26 October 2025, 03:00 → 02:00)', () => {
    const now = new Date('2025-10-25T19:00:00Z'); // Saturday 21:00 CEST
    const when = (text: string): string | undefined => parseWhen(text, { now, timeZone: STOCKHOLM })?.due.toISOString();
    expect(when('tomorrow at 9')).toBe('2025-10-26T08:00:00.000Z'); // 09:00 CET
    expect(when('tomorrow at 2:30am')).toBe('2025-10-26T00:30:00.000Z'); // the first 02:30 (CEST)
    expect(when('in 1 day')).toBe('2025-10-26T20:00:00.000Z'); // 25 hours later, 21:00 CET
    expect(when('in 3 hours')).toBe('2025-10-25T22:00:00.000Z');
  });

  it('New York, spring forward (9 March 2025) and fall back (2 November 2025)', () => {
    const spring = new Date('2025-03-08T23:00:00Z'); // Saturday 18:00 EST
    expect(parseWhen('tomorrow at 9', { now: spring, timeZone: NEW_YORK })?.due.toISOString()).toBe('2025-03-09T13:00:00.000Z');
    expect(parseWhen('at 6pm', { now: spring, timeZone: NEW_YORK })?.due.toISOString()).toBe('2025-03-09T22:00:00.000Z');
    expect(parseWhen('tomorrow at 2:30am', { now: spring, timeZone: NEW_YORK })?.due.toISOString()).toBe('2025-03-09T07:30:00.000Z');
    const fall = new Date('2025-11-01T22:00:00Z'); // Saturday 18:00 EDT
    expect(parseWhen('tomorrow at 9', { now: fall, timeZone: NEW_YORK })?.due.toISOString()).toBe('2025-11-02T14:00:00.000Z');
    expect(parseWhen('tomorrow at 1:30am', { now: fall, timeZone: NEW_YORK })?.due.toISOString()).toBe('2025-11-02T05:30:00.000Z');
  });

  it('Sydney, spring forward in October (southern hemisphere)', () => {
    expect(fromZonedDateTime({ year: 2025, month: 10, day: 5, hour: 2, minute: 30 }, 'Australia/Sydney').toISOString()).toBe(
      '2025-10-04T16:30:00.000Z', // 03:30 AEDT
    );
  });
});

describe('the same words in two time zones', () => {
  const now = new Date('2025-06-15T12:00:00Z'); // 14:00 Stockholm, 08:00 New York, 21:00 Tokyo
  it.each([
    ['at 6pm', STOCKHOLM, '2025-06-15T16:00:00.000Z'],
    ['at 6pm', NEW_YORK, '2025-06-15T22:00:00.000Z'],
    ['at 6pm', 'Asia/Tokyo', '2025-06-16T09:00:00.000Z'],
    ['tonight', STOCKHOLM, '2025-06-15T18:00:00.000Z'],
    ['tonight', 'Asia/Tokyo', '2025-06-16T11:00:00.000Z'],
    ['tomorrow at 9', STOCKHOLM, '2025-06-16T07:00:00.000Z'],
    ['tomorrow at 9', NEW_YORK, '2025-06-16T13:00:00.000Z'],
    ['at 9', NEW_YORK, '2025-06-15T13:00:00.000Z'],
    ['at 9', STOCKHOLM, '2025-06-15T19:00:00.000Z'],
    ['in 2 hours', NEW_YORK, '2025-06-15T14:00:00.000Z'],
    ['in 2 hours', 'Asia/Tokyo', '2025-06-15T14:00:00.000Z'],
  ])('%j in %s → %s', (text, timeZone, iso) => {
    expect(parseWhen(text, { now, timeZone })?.due.toISOString()).toBe(iso);
  });

  it('"tomorrow" follows the local date, not UTC: 23:30 UTC is already tomorrow in Stockholm', () => {
    const late = new Date('2025-06-15T23:30:00Z'); // 01:30 on the 16th in Stockholm
    expect(local(parseWhen('tomorrow at 9', { now: late, timeZone: STOCKHOLM })?.due, STOCKHOLM)).toBe('2025-06-17 09:00');
    expect(local(parseWhen('tomorrow at 9', { now: late, timeZone: NEW_YORK })?.due, NEW_YORK)).toBe('2025-06-16 09:00');
  });
});

describe('zoned time helpers', () => {
  it('reads and writes wall-clock time', () => {
    expect(zonedDateTime(new Date('2025-06-01T10:00:00Z'), STOCKHOLM)).toEqual({
      year: 2025, month: 6, day: 1, hour: 12, minute: 0, second: 0, weekday: 0,
    });
    expect(fromZonedDateTime({ year: 2025, month: 6, day: 1, hour: 12, minute: 0 }, STOCKHOLM).toISOString()).toBe('2025-06-01T10:00:00.000Z');
  });

  it('round-trips any instant in any of several zones', () => {
    const zones = ['UTC', STOCKHOLM, NEW_YORK, 'Asia/Tokyo', 'Australia/Sydney', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...zones),
        (ms, zone) => {
          const instant = new Date(Math.floor(ms / 1000) * 1000);
          const wall = zonedDateTime(instant, zone);
          const back = fromZonedDateTime(wall, zone);
          // Same wall clock; in the repeated autumn hour Larder picks the first, so never later.
          expect(zonedDateTime(back, zone)).toEqual(wall);
          expect(back.getTime()).toBeLessThanOrEqual(instant.getTime());
          expect(instant.getTime() - back.getTime()).toBeLessThanOrEqual(3_600_000);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('findWhen', () => {
  const now = new Date('2025-03-28T10:00:00Z');
  const find = (text: string): ReturnType<typeof findWhen> => findWhen(text, { now, timeZone: STOCKHOLM });

  it('finds the time at the start or end of a sentence, with its place', () => {
    const start = find('tomorrow at 9 to call the plumber');
    expect(start?.ranges).toEqual([{ start: 0, end: 13 }]);
    expect(local(start?.due, STOCKHOLM)).toBe('2025-03-29 09:00');
    const end = find('to take the fish out at 6pm');
    expect(end?.matchedText).toBe('at 6pm');
    expect(local(end?.due, STOCKHOLM)).toBe('2025-03-28 18:00');
  });

  it('combines a day at one end with a time at the other', () => {
    const both = find('tomorrow to call mum at 5');
    expect(both?.ranges).toEqual([{ start: 0, end: 8 }, { start: 21, end: 25 }]);
    expect(local(both?.due, STOCKHOLM)).toBe('2025-03-29 17:00');
  });

  it('prefers the end over a time inside the title', () => {
    expect(find('to book the 9am class on friday')?.matchedText).toBe('on friday');
  });

  it('takes an unmistakable time from the middle, but not a bare weekday', () => {
    expect(find('to call mum at 5 about the party')?.matchedText).toBe('at 5');
    expect(find('to call sunday school about the bake sale')).toBeNull();
    expect(find('to water the plants')).toBeNull();
  });
});
