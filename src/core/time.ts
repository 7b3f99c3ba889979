import { zonedDateTime } from './nlp/time.ts';

/**
 * The calendar date ("YYYY-MM-DD") at `instant` in an IANA time zone: what "today" means to a
 * household, which is not UTC's today near midnight.
 */
export function localDate(instant: Date, timeZone: string): string {
  const { year, month, day } = zonedDateTime(instant, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The date `days` after a "YYYY-MM-DD" date (negative goes back). */
export function addDays(date: string, days: number): string {
  const time = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(time).toISOString().slice(0, 10);
}
