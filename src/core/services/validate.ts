import { LarderError } from '../errors.ts';
import { normalizeKey } from '../nlp/normalize.ts';
import { parseQuantity, QuantityError, singleAmount } from '../nlp/quantity.ts';

/** Limits from DESIGN §4: shared by every door, so a tool and a bot command fail the same way. */
export const LIMITS = {
  name: 200,
  note: 500,
  quantity: 100,
  itemsPerCall: 100,
} as const;

// Control characters other than ordinary whitespace have no place in a name.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** A cleaned display name and its key, or a clear error. */
export function checkName(name: string, what = 'item'): { name: string; key: string } {
  const cleaned = name.replace(/\s+/g, ' ').trim();
  if (cleaned === '') throw new LarderError(`invalid:name`, `An ${what} needs a name.`);
  if (cleaned.length > LIMITS.name) {
    throw new LarderError('invalid:name', `That ${what} name is ${cleaned.length} characters long; the limit is ${LIMITS.name}.`);
  }
  if (CONTROL.test(cleaned)) throw new LarderError('invalid:name', `The ${what} name "${cleaned.slice(0, 40)}" contains control characters.`);
  const key = normalizeKey(cleaned);
  if (key === '') throw new LarderError('invalid:name', `"${cleaned}" is not a usable ${what} name.`);
  return { name: cleaned, key };
}

/** An optional free-text note, trimmed; empty becomes null. */
export function checkNote(note: string | null | undefined): string | null {
  if (note == null) return null;
  const cleaned = note.trim();
  if (cleaned === '') return null;
  if (cleaned.length > LIMITS.note) throw new LarderError('invalid:note', `A note can be at most ${LIMITS.note} characters.`);
  return cleaned;
}

/** The canonical quantity text with its single amount/unit when it has one part. */
export interface CheckedQuantity {
  text: string | null;
  amount: number | null;
  unit: string | null;
}

/** Parses a quantity as typed; a malformed one is an `invalid:quantity` error. */
export function checkQuantity(quantity: string | null | undefined): CheckedQuantity {
  if (quantity == null || quantity.trim() === '') return { text: null, amount: null, unit: null };
  if (quantity.length > LIMITS.quantity) {
    throw new LarderError('invalid:quantity', `A quantity can be at most ${LIMITS.quantity} characters.`);
  }
  try {
    const parsed = parseQuantity(quantity);
    const single = singleAmount(parsed);
    return { text: parsed.text, amount: single?.amount ?? null, unit: single?.unit ?? null };
  } catch (error) {
    if (error instanceof QuantityError) throw new LarderError('invalid:quantity', error.message, { quantity }, { cause: error });
    throw error;
  }
}

/** Checks the size of a batch: at least one, at most the per-call limit. */
export function checkBatch<T>(entries: readonly T[], what = 'items'): void {
  if (entries.length === 0) throw new LarderError('invalid:items', `Name at least one of the ${what}.`);
  if (entries.length > LIMITS.itemsPerCall) {
    throw new LarderError('invalid:items', `That is ${entries.length} ${what}; one request can change at most ${LIMITS.itemsPerCall}.`);
  }
}

/** A calendar date "YYYY-MM-DD" that exists, or an error. */
export function checkDate(value: string | null | undefined, what: string): string | null {
  if (value == null || value === '') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(`${value}T00:00:00Z`) : null;
  if (!match || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new LarderError('invalid:date', `The ${what} "${value}" is not a date; use YYYY-MM-DD, like 2026-12-24.`);
  }
  return value;
}
