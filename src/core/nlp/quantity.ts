import { LarderError } from '../errors.ts';
import { pluralizeWord } from './normalize.ts';
import { convertAmount, dimensionOf, measureUnit, unitMagnitude } from './units.ts';

/**
 * One amount of one unit. `unit` is a canonical measurement unit ("l", "g", "cup"), a singular
 * count unit ("bottle", "loaf") or null for a bare number. `amount` is null for a descriptive
 * quantity ("a few", "some"), whose words are then in `approx`.
 */
export interface QuantityPart {
  amount: number | null;
  unit: string | null;
  /** Only when `amount` is null: the descriptive words, canonical ("a few", "several", "some", "a little", "lots"). */
  approx?: string;
}

/** A parsed quantity: its canonical text and its parts ("2 bottles + 1 kg" has two). */
export interface Quantity {
  text: string;
  parts: QuantityPart[];
}

/** Largest amount Larder accepts in one part. */
export const MAX_AMOUNT = 1_000_000;
/** Longest quantity text Larder reads. */
export const MAX_QUANTITY_LENGTH = 100;

const DEFAULT_REASON = 'amounts must be positive numbers like "2", "1.5 l" or "a dozen"';

/**
 * A quantity Larder cannot read. `code` is the error code the rest of Larder reports
 * (`invalid:quantity`); the message says what was wrong and what would work.
 *
 * @example new QuantityError('-2').message
 * // 'Can\'t read the quantity "-2": amounts must be positive numbers like "2", "1.5 l" or "a dozen".'
 */
export class QuantityError extends LarderError {
  override readonly name: string = 'QuantityError';
  override readonly code = 'invalid:quantity' as const;
  /** The text that could not be read. */
  readonly input: string;

  constructor(input: string, reason: string = DEFAULT_REASON) {
    const shown = input.length > 40 ? `${input.slice(0, 40)}…` : input;
    // A LarderError, so every door reports it as bad input (a merge past the limit included), never as a crash.
    super('invalid:quantity', `Can't read the quantity "${shown}": ${reason}.`);
    this.input = input;
  }
}

const ONES: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19,
};
const TENS: Readonly<Record<string, number>> = {
  twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const VULGAR_FRACTIONS: Readonly<Record<string, string>> = {
  '½': '1/2', '⅓': '1/3', '⅔': '2/3', '¼': '1/4', '¾': '3/4', '⅕': '1/5', '⅖': '2/5', '⅗': '3/5', '⅘': '4/5',
  '⅙': '1/6', '⅚': '5/6', '⅛': '1/8', '⅜': '3/8', '⅝': '5/8', '⅞': '7/8',
};
const VULGAR_RE = /(\d?)([½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞])/g;

/**
 * Count units: words that package or portion things. `loose` units may stand straight before an
 * item name ("2 cans tomatoes"); the others need "of" ("2 cloves of garlic"), because they are too
 * often the first word of a name ("ear plugs", "bar stools").
 */
const COUNT_UNITS: ReadonlyArray<{ unit: string; loose: boolean; aliases?: readonly string[] }> = [
  { unit: 'bottle', loose: true, aliases: ['btl', 'btls'] },
  { unit: 'can', loose: true },
  { unit: 'tin', loose: true },
  { unit: 'jar', loose: true },
  { unit: 'carton', loose: true },
  { unit: 'box', loose: true },
  { unit: 'bag', loose: true },
  { unit: 'pack', loose: true, aliases: ['pk', 'pks'] },
  { unit: 'packet', loose: true, aliases: ['pkt', 'pkts'] },
  { unit: 'package', loose: true, aliases: ['pkg', 'pkgs'] },
  { unit: 'loaf', loose: true },
  { unit: 'bunch', loose: true },
  { unit: 'head', loose: true },
  { unit: 'tub', loose: true },
  { unit: 'case', loose: true },
  { unit: 'punnet', loose: true },
  { unit: 'container', loose: true },
  { unit: 'pouch', loose: true },
  { unit: 'sachet', loose: true },
  { unit: 'crate', loose: true },
  { unit: 'sack', loose: true },
  { unit: 'jug', loose: true },
  { unit: 'piece', loose: true, aliases: ['pc', 'pcs'] },
  { unit: 'slice', loose: true },
  { unit: 'multipack', loose: true },
  { unit: 'six-pack', loose: true, aliases: ['6-pack', '6-packs', 'sixpack', 'sixpacks'] },
  { unit: 'clove', loose: false },
  { unit: 'bar', loose: false },
  { unit: 'roll', loose: false },
  { unit: 'stick', loose: false },
  { unit: 'tube', loose: false },
  { unit: 'block', loose: false },
  { unit: 'wedge', loose: false },
  { unit: 'fillet', loose: false },
  { unit: 'rasher', loose: false },
  { unit: 'tray', loose: false },
  { unit: 'net', loose: false },
  { unit: 'bundle', loose: false },
  { unit: 'sheet', loose: false },
  { unit: 'cube', loose: false },
  { unit: 'ball', loose: false },
  { unit: 'ear', loose: false },
  { unit: 'stalk', loose: false },
  { unit: 'sprig', loose: false },
  { unit: 'handful', loose: false },
  { unit: 'pinch', loose: false },
  { unit: 'dash', loose: false },
  { unit: 'scoop', loose: false },
  { unit: 'tablet', loose: false },
  { unit: 'capsule', loose: false },
  { unit: 'pair', loose: false },
  { unit: 'keg', loose: false },
  { unit: 'basket', loose: false },
  { unit: 'bucket', loose: false },
  { unit: 'portion', loose: false },
  { unit: 'serving', loose: false },
];

const COUNT_BY_ALIAS: ReadonlyMap<string, { unit: string; loose: boolean }> = new Map(
  COUNT_UNITS.flatMap(({ unit, loose, aliases = [] }) =>
    [unit, pluralizeWord(unit), ...aliases].map((alias) => [alias, { unit, loose }] as const),
  ),
);

/** Descriptive amounts, as word sequences, with the canonical words they are written as. */
const APPROX: ReadonlyArray<{ words: readonly string[]; text: string }> = [
  { words: ['a', 'few'], text: 'a few' },
  { words: ['few'], text: 'a few' },
  { words: ['several'], text: 'several' },
  { words: ['some'], text: 'some' },
  { words: ['a', 'little'], text: 'a little' },
  { words: ['a', 'little', 'bit'], text: 'a little' },
  { words: ['a', 'bit'], text: 'a little' },
  { words: ['a', 'lot'], text: 'lots' },
  { words: ['lots'], text: 'lots' },
  { words: ['loads'], text: 'lots' },
];

/** Words that only hedge an amount ("about 2 kg"). */
const HEDGES: ReadonlySet<string> = new Set(['about', 'around', 'approx', 'approximately', 'roughly', 'ca', 'circa', '~']);

/**
 * The count unit a word names ("bottles" → bottle), or null. `loose` says whether it may stand
 * straight before an item name without "of".
 *
 * @example countUnit('loaves') // { unit: 'loaf', loose: true }
 */
export function countUnit(word: string): { unit: string; loose: boolean } | null {
  return COUNT_BY_ALIAS.get(word.toLowerCase()) ?? null;
}

/**
 * Rewrites vulgar fraction characters as plain fractions before Unicode normalization, which would
 * otherwise glue "1½" into "11⁄2".
 *
 * @example expandVulgarFractions('1½ cups') // '1 1/2 cups'
 */
export function expandVulgarFractions(text: string): string {
  return text.replace(VULGAR_RE, (_match, whole: string, frac: string) => {
    const plain = VULGAR_FRACTIONS[frac] ?? frac;
    return whole === '' ? plain : `${whole} ${plain}`;
  });
}

/** Reads a numeral token: "2", "1.5", "1,5" (decimal comma), "1,000" (thousands), "1/2", "1-1/2". */
function numeral(token: string): number | null {
  let match = /^(\d+)?\.(\d+)$|^(\d+)\.?$/.exec(token);
  if (match !== null) return Number(token.endsWith('.') ? token.slice(0, -1) : token);
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(token)) return Number(token.replace(/,/g, ''));
  match = /^(\d+),(\d+)$/.exec(token);
  if (match !== null) return Number(`${match[1] ?? ''}.${match[2] ?? ''}`);
  match = /^(?:(\d+)-)?(\d+)\/(\d+)$/.exec(token);
  if (match !== null) {
    const denominator = Number(match[3]);
    if (denominator === 0) return Number.NaN;
    return Number(match[1] ?? 0) + Number(match[2]) / denominator;
  }
  return null;
}

/** Reads number words from `start`: "twenty five", "twenty-five", "a hundred", "one hundred and two". */
function numberWords(words: readonly string[], start: number): { value: number; end: number } | null {
  let total = 0;
  let current = 0;
  let seen = false;
  let i = start;
  while (i < words.length) {
    const word = words[i] ?? '';
    const hyphen = /^([a-z]+)-([a-z]+)$/.exec(word);
    if (hyphen !== null && TENS[hyphen[1] ?? ''] !== undefined && ONES[hyphen[2] ?? ''] !== undefined) {
      current += (TENS[hyphen[1] ?? ''] ?? 0) + (ONES[hyphen[2] ?? ''] ?? 0);
    } else if (ONES[word] !== undefined) {
      current += ONES[word];
    } else if (TENS[word] !== undefined) {
      current += TENS[word];
    } else if (word === 'hundred' && seen) {
      current = (current === 0 ? 1 : current) * 100;
    } else if (word === 'thousand' && seen) {
      total += (current === 0 ? 1 : current) * 1000;
      current = 0;
    } else if (word === 'and' && seen && (ONES[words[i + 1] ?? ''] !== undefined || TENS[words[i + 1] ?? ''] !== undefined)) {
      // "one hundred and two"
    } else {
      break;
    }
    seen = true;
    i += 1;
  }
  return seen ? { value: total + current, end: i } : null;
}

/**
 * Reads a number written in words or digits at `start` of lowercase `words`, with what people say
 * around it: "2", "1.5", "1 1/2", "½" (as "1/2"), "two", "twenty-five", "a"/"an" (1), "half",
 * "a quarter", "a couple" (2), "a dozen" (12), "half a dozen" (6), "two and a half", "3 dozen".
 * Returns the value and the index after the last word used, or null when no number starts there.
 * Does not check the value's range.
 *
 * @example readNumber(['half', 'a', 'dozen', 'eggs'], 0) // { value: 6, end: 3 }
 */
export function readNumber(words: readonly string[], start: number): { value: number; end: number } | null {
  const word = words[start];
  if (word === undefined) return null;
  const next = words[start + 1];
  let value: number;
  let end: number;

  const digits = numeral(word);
  if (digits !== null) {
    value = digits;
    end = start + 1;
    const fraction = next !== undefined && /^\d+\/\d+$/.test(next) && Number.isInteger(digits) ? numeral(next) : null;
    if (fraction !== null) {
      value += fraction;
      end += 1;
    }
  } else if (word === 'half') {
    if ((next === 'a' || next === 'an') && words[start + 2] === 'dozen') return { value: 6, end: start + 3 };
    if (next === 'dozen') return { value: 6, end: start + 2 };
    // "half a kilo": the article belongs to the amount.
    if ((next === 'a' || next === 'an') && words[start + 2] !== undefined) return { value: 0.5, end: start + 2 };
    return { value: 0.5, end: start + 1 };
  } else if (word === 'a' || word === 'an') {
    if (next === 'dozen') {
      value = 12;
      end = start + 2;
    } else if (next === 'half' || next === 'quarter') {
      return { value: next === 'half' ? 0.5 : 0.25, end: start + 2 };
    } else if (next === 'couple') {
      return { value: 2, end: start + 2 };
    } else if (next === 'hundred' || next === 'thousand') {
      const rest = numberWords(['one', ...words.slice(start + 1)], 0);
      return rest === null ? null : { value: rest.value, end: start + rest.end };
    } else {
      return { value: 1, end: start + 1 };
    }
  } else if (word === 'couple') {
    return { value: 2, end: start + 1 };
  } else if (word === 'dozen') {
    value = 12;
    end = start + 1;
  } else if (word === 'quarter') {
    return { value: 0.25, end: start + 1 };
  } else {
    const spelled = numberWords(words, start);
    if (spelled === null) return null;
    ({ value, end } = spelled);
    if (words[end] === 'quarters' || words[end] === 'quarter') return { value: value / 4, end: end + 1 };
    if (words[end] === 'halves') return { value: value / 2, end: end + 1 };
  }

  if (words[end] === 'and' && words[end + 1] === 'a' && words[end + 2] === 'half') {
    value += 0.5;
    end += 3;
  }
  if (words[end] === 'dozen' && word !== 'dozen' && !(word === 'a' && end === start + 2)) {
    value *= 12;
    end += 1;
  }
  return { value, end };
}

/** Splits quantity text into lowercase tokens, keeping the case of the one-letter "T" (tablespoon). */
function tokenize(text: string): { words: string[]; raw: string[] } {
  const spaced = expandVulgarFractions(text)
    .normalize('NFKC')
    .replace(/\u2044/g, '/')
    .replace(/×/g, 'x')
    .replace(/~/g, ' ~ ')
    // "500ml" → "500 ml", "2x" → "2 x"; but keep "6-pack" whole.
    .replace(/(\d)([a-zA-Z])/g, '$1 $2')
    .replace(/(^|\s)x(\d)/gi, '$1x $2')
    .trim();
  const raw = spaced === '' ? [] : spaced.split(/\s+/);
  return { raw, words: raw.map((word) => word.toLowerCase()) };
}

/** Reads a unit at `i`: a measurement unit (one or two words) or a count unit. */
function readUnit(words: readonly string[], raw: readonly string[], i: number): { unit: string; end: number } | null {
  if (words[i + 1] !== undefined) {
    const two = measureUnit(`${words[i] ?? ''} ${words[i + 1] ?? ''}`) ?? countUnit(`${words[i] ?? ''}-${words[i + 1] ?? ''}`);
    if (two !== null) return { unit: two.unit, end: i + 2 };
  }
  const word = raw[i];
  if (word === undefined) return null;
  const measure = measureUnit(word === 'T' || word === 't' ? word : word.toLowerCase());
  if (measure !== null) return { unit: measure.unit, end: i + 1 };
  const count = countUnit(word);
  return count === null ? null : { unit: count.unit, end: i + 1 };
}

/** Reads one "+"-free part, or returns the reason it cannot. */
function readPart(text: string): QuantityPart | string {
  const { words, raw } = tokenize(text);
  let i = 0;
  while (HEDGES.has(words[i] ?? '')) i += 1;
  if (i >= words.length) return DEFAULT_REASON;

  for (const { words: approx, text: approxText } of APPROX) {
    if (approx.every((word, k) => words[i + k] === word)) {
      let j = i + approx.length;
      if (words[j] === 'of' && j + 1 < words.length) j += 1;
      if (j === words.length) return { amount: null, unit: null, approx: approxText };
      const unit = readUnit(words, raw, j);
      if (unit !== null && unit.end === words.length) return { amount: null, unit: unit.unit, approx: approxText };
    }
  }

  // "x2" and "2x" both mean two of something.
  if (words[i] === 'x' && i + 1 < words.length) i += 1;
  const number = readNumber(words, i);
  if (number === null) return DEFAULT_REASON;
  let amount = number.value;
  let j = number.end;
  if (words[j] === 'x' && j + 1 === words.length) j += 1;
  if (words[j] === 'x') {
    // "2 x 400 g": two packs of 400 g each, which is 800 g to buy.
    const each = readNumber(words, j + 1);
    if (each === null) return DEFAULT_REASON;
    amount *= each.value;
    j = each.end;
  }
  if (!Number.isFinite(amount) || amount <= 0) return DEFAULT_REASON;
  if (j === words.length) return checkAmount({ amount, unit: null });
  if (words[j] === 'of' && j + 1 < words.length) j += 1;
  const unit = readUnit(words, raw, j);
  if (unit === null) {
    return `"${raw.slice(j).join(' ')}" is not a unit Larder knows; try "2", "2 l" or "2 bottles"`;
  }
  if (unit.end !== words.length) return DEFAULT_REASON;
  return checkAmount({ amount, unit: unit.unit });
}

function checkAmount(part: QuantityPart): QuantityPart | string {
  if (part.amount === null) return part;
  if (part.amount > MAX_AMOUNT) return 'amounts must be at most 1,000,000';
  if (roundAmount(part.amount) <= 0) return DEFAULT_REASON;
  return part;
}

/** Reads a whole quantity, or returns the reason it cannot. */
function readQuantity(text: string): Quantity | string {
  if (text.length > MAX_QUANTITY_LENGTH) return `quantities are at most ${MAX_QUANTITY_LENGTH} characters`;
  if (text.trim() === '') return DEFAULT_REASON;
  const parts: QuantityPart[] = [];
  for (const piece of text.split('+')) {
    const part = readPart(piece);
    if (typeof part === 'string') return part;
    // "1 l + 500 ml" is written as "1.5 l", the way merging would write it.
    foldPart(parts, part);
  }
  if (parts.some((part) => part.amount !== null && part.amount > MAX_AMOUNT)) return 'amounts must be at most 1,000,000';
  return { text: formatQuantity(parts), parts };
}

/**
 * Reads a quantity as people write it: "2", "1.5", "1,5", "1/2", "1 1/2", "½", "2 l", "2l",
 * "500 ml", "2 liters" (unit "l"), "two", "a dozen" (12), "half a dozen" (6), "a couple" (2),
 * "2 bottles" (count unit "bottle"), "a bag" (1 bag), "2 x 400 g" (800 g), several parts joined by
 * "+" ("2 bottles + 1 kg"), and the descriptive "a few", "several", "some", "a little", "lots"
 * (amount null). "1,000" is a thousand; "1,5" is one and a half.
 *
 * @throws QuantityError for anything else: empty, zero, negative, over 1,000,000, "1/0",
 *   unknown words, longer than 100 characters.
 * @example parseQuantity('two cartons') // { text: '2 cartons', parts: [{ amount: 2, unit: 'carton' }] }
 */
export function parseQuantity(text: string): Quantity {
  const result = readQuantity(text);
  if (typeof result === 'string') throw new QuantityError(text, result);
  return result;
}

/**
 * Like parseQuantity, but returns null instead of throwing; for callers that probe words
 * ("is '2 l' in '2 l milk' a quantity?").
 */
export function tryParseQuantity(text: string): Quantity | null {
  const result = readQuantity(text);
  return typeof result === 'string' ? null : result;
}

/** Rounds to at most three decimals, the precision Larder shows and stores. */
function roundAmount(amount: number): number {
  const rounded = Math.round(amount * 1000) / 1000;
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** Formats a number with at most three decimals and no trailing zeros: 1.5, not 1.500. */
export function formatAmount(amount: number): string {
  return String(roundAmount(amount));
}

function formatUnit(unit: string, plural: boolean): string {
  if (measureUnit(unit) !== null) return unit === 'cup' && plural ? 'cups' : unit;
  return plural ? pluralizeWord(unit) : unit;
}

/**
 * Writes quantity parts as canonical text: "1.5 l", "3 bottles", "1 loaf", "2 bottles + 1 kg",
 * "a few cans".
 *
 * @example formatQuantity([{ amount: 2, unit: 'bottle' }, { amount: 1, unit: 'kg' }]) // '2 bottles + 1 kg'
 */
export function formatQuantity(parts: readonly QuantityPart[]): string {
  return parts
    .map(({ amount, unit, approx }) => {
      if (amount === null) {
        const words = approx ?? 'some';
        return unit === null ? words : `${words} ${formatUnit(unit, words !== 'a little')}`;
      }
      const number = formatAmount(amount);
      return unit === null ? number : `${number} ${formatUnit(unit, number !== '1')}`;
    })
    .join(' + ');
}

/** Adds one part into `parts` in place: same unit or same dimension merges, anything else is kept apart. */
function foldPart(parts: QuantityPart[], part: QuantityPart): void {
  const dimension = dimensionOf(part.unit);
  for (const [index, existing] of parts.entries()) {
    if (part.amount === null || existing.amount === null) {
      if (part.amount === null && existing.amount === null && existing.unit === part.unit && existing.approx === part.approx) return;
      continue;
    }
    if (dimension === 'count' || dimensionOf(existing.unit) === 'count') {
      if (existing.unit !== part.unit) continue;
      parts[index] = { amount: existing.amount + part.amount, unit: part.unit };
      return;
    }
    if (dimensionOf(existing.unit) !== dimension || existing.unit === null || part.unit === null) continue;
    // The result is written in the larger of the two units ("1 l" + "500 ml" → "1.5 l").
    const target = (unitMagnitude(existing.unit) ?? 0) >= (unitMagnitude(part.unit) ?? 0) ? existing.unit : part.unit;
    const sum = (convertAmount(existing.amount, existing.unit, target) ?? 0) + (convertAmount(part.amount, part.unit, target) ?? 0);
    parts[index] = { amount: sum, unit: target };
    return;
  }
  parts.push(part.amount === null ? { ...part } : { amount: part.amount, unit: part.unit });
}

/**
 * Merges the quantity of an item added again into the one already on the list (DESIGN §1):
 * "2" + "3" → "5"; "1 l" + "500 ml" → "1.5 l" (in the larger unit); "2 bottles" + "1 bottle" →
 * "3 bottles"; "2 bottles" + "1 kg" → "2 bottles + 1 kg"; "1 kg" + "2 bottles + 500 g" →
 * "1.5 kg + 2 bottles"; null + "2" → "2"; null + null → null. A stored quantity Larder cannot
 * read is kept as it is, with the new one after " + ".
 *
 * @throws QuantityError when `added` cannot be read, a merged amount would pass 1,000,000, or the
 *   merged text would pass 100 characters (it could not be read back).
 * @example mergeQuantities('1 l', '500 ml') // '1.5 l'
 */
export function mergeQuantities(existing: string | null, added: string | null): string | null {
  const addedQuantity = added === null || added.trim() === '' ? null : parseQuantity(added);
  const existingQuantity = existing === null || existing.trim() === '' ? null : tryParseQuantity(existing);
  if (existingQuantity === null && existing !== null && existing.trim() !== '') {
    // Never lose what is stored, even if it was written by something that is not Larder.
    return addedQuantity === null ? existing : `${existing} + ${addedQuantity.text}`;
  }
  if (existingQuantity === null && addedQuantity === null) return null;
  const parts: QuantityPart[] = [];
  for (const part of [...(existingQuantity?.parts ?? []), ...(addedQuantity?.parts ?? [])]) foldPart(parts, part);
  const tooLarge = parts.find((part) => part.amount !== null && part.amount > MAX_AMOUNT);
  if (tooLarge !== undefined) {
    throw new QuantityError(`${existing ?? ''} + ${added ?? ''}`, 'together the amounts would pass 1,000,000');
  }
  const text = formatQuantity(parts);
  // Longer text would not read back, so the next merge could only append to it.
  if (text.length > MAX_QUANTITY_LENGTH) {
    throw new QuantityError(
      `${existing ?? ''} + ${added ?? ''}`,
      `together they would be longer than ${MAX_QUANTITY_LENGTH} characters; add it as an item of its own, or put the detail in a note`,
    );
  }
  return text;
}

/**
 * The amount and unit columns stored for an item: set only when the quantity is exactly one part
 * with a number; otherwise null. Amounts are rounded as they are shown.
 *
 * @example singleAmount(parseQuantity('2 liters')) // { amount: 2, unit: 'l' }
 */
export function singleAmount(quantity: Quantity): { amount: number; unit: string | null } | null {
  const [only, ...rest] = quantity.parts;
  if (only === undefined || rest.length > 0 || only.amount === null) return null;
  return { amount: roundAmount(only.amount), unit: only.unit };
}
