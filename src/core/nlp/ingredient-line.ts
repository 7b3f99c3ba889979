import { parseIngredient, unitsOfMeasure, type Ingredient, type UnitOfMeasure, type UnitOfMeasureDefinitions } from 'parse-ingredient';
import { cleanText } from './normalize.ts';
import { measureUnit } from './units.ts';

/**
 * One ingredient line of a recipe, as Larder stores it.
 *
 * `unit` is Larder's canonical short form for measurements ("tbsp", "cup", "g", "fl oz", …), or
 * a singular count word ("clove", "can", "pinch", "piece"), or null when the amount counts the
 * ingredient itself ("2 eggs"). `amount` is positive and finite, or null when none was given.
 */
export interface ParsedIngredient {
  /** Lowercase, cleaned, as written (not singularized): "eggs", "all-purpose flour". */
  name: string;
  amount: number | null;
  unit: string | null;
  /** Everything that qualifies the ingredient but is not its name, joined with ", ". */
  note: string | null;
  optional: boolean;
}

// Count units that parse-ingredient does not know; its own (can, clove, pinch, …) stay as they are.
const EXTRA_COUNT_UNITS: UnitOfMeasureDefinitions = Object.fromEntries(
  [
    ['tin', 'tins'],
    ['jar', 'jars'],
    ['bottle', 'bottles'],
    ['packet', 'packets'],
    ['sachet', 'sachets'],
    ['tub', 'tubs'],
    ['slice', 'slices'],
    ['stalk', 'stalks'],
    ['rib', 'ribs'],
    ['knob', 'knobs'],
    ['handful', 'handfuls'],
    ['fillet', 'fillets'],
    ['rasher', 'rashers'],
    ['sheet', 'sheets'],
    ['cube', 'cubes'],
    ['block', 'blocks'],
    ['bar', 'bars'],
    ['loaf', 'loaves'],
    ['pod', 'pods'],
    ['strip', 'strips'],
    ['envelope', 'envelopes'],
    ['splash', 'splashes'],
    ['pat', 'pats'],
    ['bulb', 'bulbs'],
    ['punnet', 'punnets'],
    ['scoop', 'scoops'],
    ['wedge', 'wedges'],
    ['glass', 'glasses'],
    ['ball', 'balls'],
  ].map(([short, plural]): [string, UnitOfMeasure] => [short ?? '', { short: short ?? '', plural: plural ?? '', alternates: [], type: 'count' }]),
);

// Sizes describe the ingredient, not a unit: "2 large eggs" is two eggs, noted "large".
const SIZE_UNIT_IDS = ['large', 'medium', 'small'] as const;

const LIBRARY_OPTIONS = {
  ignoreUOMs: SIZE_UNIT_IDS,
  additionalUOMs: EXTRA_COUNT_UNITS,
} as const;

/** Every spelling parse-ingredient (plus our extra count units) reads as a unit, lowercase. */
const LIBRARY_UNIT_WORDS: ReadonlySet<string> = new Set(
  Object.entries({ ...unitsOfMeasure, ...EXTRA_COUNT_UNITS })
    .filter(([id]) => !(SIZE_UNIT_IDS as readonly string[]).includes(id))
    .flatMap(([id, uom]) => [id, uom.short, uom.plural, ...(uom.alternates ?? [])])
    .map((word) => word.toLowerCase()),
);

/** Short names for the length units parse-ingredient reports by their long id. */
const LENGTH_UNITS: Readonly<Record<string, string>> = {
  millimeter: 'mm',
  centimeter: 'cm',
  meter: 'm',
  inch: 'inch',
  foot: 'ft',
  yard: 'yd',
};

/** Words that describe how big one piece is; they go to the note. */
const SIZE_WORDS: Readonly<Record<string, string>> = {
  large: 'large',
  lg: 'large',
  'lg.': 'large',
  big: 'large',
  medium: 'medium',
  med: 'medium',
  'med.': 'medium',
  small: 'small',
  sm: 'small',
  'sm.': 'small',
  'extra-large': 'extra-large',
  xl: 'extra-large',
  jumbo: 'jumbo',
  'medium-sized': 'medium',
  'large-sized': 'large',
  'small-sized': 'small',
};

/** Qualifiers of a measure ("2 heaped tbsp"): noted, so the unit after them is still read. */
const MEASURE_QUALIFIERS = new Set(['heaped', 'heaping', 'level', 'rounded', 'scant', 'generous', 'good', 'large', 'small', 'big', 'medium', 'full']);

/**
 * Preparation done in the kitchen (cutting, melting, beating, bringing to temperature). These words
 * move from the name to the note so "melted butter" is matched against the butter in the pantry.
 * Words that name a product you buy that way — ground, dried, smoked, frozen, toasted, canned,
 * fresh — stay in the name.
 */
const PREP_WORDS = new Set([
  'chopped', 'minced', 'diced', 'sliced', 'melted', 'softened', 'grated', 'shredded', 'crushed',
  'beaten', 'whisked', 'peeled', 'cubed', 'halved', 'quartered', 'julienned', 'trimmed', 'rinsed',
  'drained', 'sifted', 'cooked', 'mashed', 'seeded', 'deseeded', 'de-seeded', 'pitted', 'stoned', 'cored',
  'zested', 'juiced', 'squeezed', 'crumbled', 'torn', 'separated', 'divided', 'thawed', 'defrosted',
  'cooled', 'chilled', 'cold', 'warm', 'lukewarm', 'boiling', 'packed', 'room-temperature',
  'shelled', 'hulled', 'stemmed', 'snipped', 'scrubbed', 'washed', 'cut', 'sieved', 'slivered',
]);

/** Adverbs that belong to the preparation word after them ("finely chopped"). */
const PREP_ADVERBS = new Set([
  'finely', 'roughly', 'coarsely', 'thinly', 'thickly', 'lightly', 'freshly', 'loosely', 'firmly',
  'well', 'very', 'gently', 'just', 'freshly-ground',
]);

/** Units a measurement can describe the size of: "2 x 400 g tins", "1 (14 oz) can", "2 cm piece". */
const CONTAINER_UNITS = new Set([
  'can', 'tin', 'jar', 'bottle', 'packet', 'package', 'pack', 'sachet', 'tub', 'bag', 'box',
  'carton', 'container', 'block', 'bar', 'piece', 'knob', 'loaf', 'stick', 'envelope', 'punnet', 'ball',
]);

/** Packages a product is bought in: "1 can diced tomatoes" keeps "diced" in the name, as sold. */
const PACKAGED_UNITS = new Set([
  'can', 'tin', 'jar', 'bottle', 'packet', 'package', 'pack', 'sachet', 'tub', 'bag', 'box', 'carton',
  'container', 'envelope', 'punnet',
]);

/** Phrases at the end of a line that say how much or what for, not what: they go to the note. */
const TRAILING_PHRASE =
  /\s*\b(to taste|as needed|as required|if needed|if desired|if you like|for (?:garnish|garnishing|serving|frying|greasing|dusting|drizzling|brushing|decoration|decorating|the pan|the tin)|to (?:garnish|serve|decorate|grease|dust|drizzle)|at room temperature|room temperature|plus (?:more|extra)\b.*)\s*$/i;

const VULGAR_FRACTIONS: Readonly<Record<string, string>> = {
  '¼': '1/4', '½': '1/2', '¾': '3/4', '⅐': '1/7', '⅑': '1/9', '⅒': '1/10', '⅓': '1/3', '⅔': '2/3',
  '⅕': '1/5', '⅖': '2/5', '⅗': '3/5', '⅘': '4/5', '⅙': '1/6', '⅚': '5/6', '⅛': '1/8', '⅜': '3/8',
  '⅝': '5/8', '⅞': '7/8',
};

const WORD_NUMBERS: Readonly<Record<string, string>> = {
  one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  ten: '10', eleven: '11', twelve: '12', dozen: '12',
};

/** Longest line read as an ingredient. */
const MAX_LINE_LENGTH = 300;

/** Bullets, checkboxes and list markers people paste in front of ingredient lines. */
const BULLET = /^(?:[-*•·◦▪▫‣⁃–—▢☐□■●○✓✔✗➤►>+]|\[\s?[xX✓]?\s?\])\s*/;

/** A line that labels a group of ingredients rather than naming one ("For the sauce:", "## Dough"). */
function isGroupHeading(line: string): boolean {
  if (line.startsWith('#')) return true;
  if (/^\d/.test(line)) return false;
  if (/:\s*$/.test(line)) return true;
  return /^for\s/i.test(line) && !/\d/.test(line) && line.split(/\s+/).length <= 6;
}

/** Replaces vulgar fractions with "1/2" text, spaced from a whole number before them ("1½"). */
function expandFractions(text: string): string {
  return text
    .replace(/(\d)?([¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞])/g, (_m, whole: string | undefined, frac: string) =>
      `${whole === undefined ? '' : `${whole} `}${VULGAR_FRACTIONS[frac] ?? frac}`,
    )
    .replace(/\u2044/g, '/');
}

/** Formats a number for a note: at most three decimals, no trailing zeros. */
function formatNumber(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** A usable amount: positive and finite, else null. */
function positiveOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** Whether a word is read as a unit by parse-ingredient or by Larder's own unit table. */
function isUnitWord(word: string): boolean {
  const bare = word.replace(/\.$/, '');
  return LIBRARY_UNIT_WORDS.has(word.toLowerCase()) || LIBRARY_UNIT_WORDS.has(bare.toLowerCase()) || measureUnit(bare) !== null;
}

/** Canonical Larder unit for what parse-ingredient found; `dozen` is handled by the caller. */
function canonicalUnit(found: Ingredient): string | null {
  const id = found.unitOfMeasureID;
  if (id === null) return null;
  // The written form first: it keeps "T" (tablespoon) apart from "t" (teaspoon).
  const measure = measureUnit(found.unitOfMeasure ?? '') ?? measureUnit(id);
  if (measure !== null) return measure.unit;
  return LENGTH_UNITS[id] ?? id.toLowerCase();
}

/** Text the line carries before parsing: what the preprocessing moved aside. */
interface Prepared {
  text: string;
  optional: boolean;
  /** Notes found before parsing that lead the note: "juice" (of a lemon), "heaped" (tbsp). */
  leadNotes: string[];
  /** Text that was in parentheses or brackets, without "optional". */
  parenNotes: string[];
  /** "a few", "a little": a vague amount, kept as a note. */
  vagueAmount: string | null;
}

/** Strips list markers, markdown emphasis and invisible spacing from a pasted line. */
function stripDecorations(line: string): string {
  let text = line.replace(/[\u00a0\u2000-\u200b\u202f\u3000\t]/g, ' ').replace(/\s+/g, ' ').trim();
  for (let i = 0; i < 3; i += 1) {
    const next = text.replace(BULLET, '').replace(/^\d{1,2}[.)]\s+/, '').trim();
    if (next === text) break;
    text = next;
  }
  return text.replace(/\*\*|__|`/g, '').replace(/^\*(.+)\*$/, '$1').trim();
}

/** Moves optional markers, parentheses, "juice of", word numbers and vague amounts aside. */
function prepare(source: string): Prepared {
  let text = expandFractions(source);
  let optional = false;
  const leadNotes: string[] = [];
  const parenNotes: string[] = [];
  let vagueAmount: string | null = null;

  // "Optional: chilli flakes", "optional garnish".
  const optionalPrefix = /^optional\b\s*[:\-–—]?\s*/i;
  if (optionalPrefix.test(text)) {
    optional = true;
    text = text.replace(optionalPrefix, '');
  }

  // Dual measures "200g/7oz butter", "1 cup/250ml milk": the second goes in parentheses, then to the note.
  text = text.replace(
    /^(\d[\d.\s/]*?\s*[a-zA-Z][a-zA-Z.]*)\s*\/\s*(\d[\d./]*\s*(?:fl\.?\s*oz\.?|[a-zA-Z][a-zA-Z.]*)(?:\s*\d+\s*oz\b)?)(?=\s|$)/,
    '$1 ($2)',
  );

  // Parentheses and brackets are notes; an unclosed one runs to the end of the line.
  text = text.replace(/[([]([^()[\]]*)[)\]]|[([]([^()[\]]*)$/g, (_m, closed: string | undefined, open: string | undefined) => {
    const inner = (closed ?? open ?? '').trim();
    if (/\boptional\b/i.test(inner)) optional = true;
    const rest = inner.replace(/\boptional\b/gi, '').replace(/^[\s,;:-]+|[\s,;:-]+$/g, '').trim();
    if (rest !== '') parenNotes.push(rest);
    return ' ';
  });
  text = text.replace(/\s+/g, ' ').trim();

  // "Juice of 1 lemon": what you buy is the lemon; what you use of it is the note.
  const partOf = /^(?:the\s+)?((?:finely\s+)?(?:grated\s+)?(?:zest|juice|rind|peel)(?:\s+and\s+(?:zest|juice|rind))?)\s+(?:of|from)\s+(.+)$/i.exec(text);
  if (partOf?.[1] !== undefined && partOf[2] !== undefined) {
    leadNotes.push(partOf[1].toLowerCase());
    text = partOf[2];
  }

  // Approximations say nothing Larder can act on: "about 2 cups" is 2 cups.
  text = text.replace(/^(?:about|approx\.?|approximately|around|roughly|circa|ca\.|~)\s*(?=\d)/i, '');

  // Articles and number words as amounts: "a pinch", "half an onion", "two eggs", "a dozen eggs".
  const vague = /^(a few|a couple of|a couple|a little|a bit of|a little bit of|a dash of|some|several|a handful or two of)\s+/i.exec(text);
  if (vague?.[1] !== undefined) {
    const phrase = vague[1].toLowerCase();
    if (phrase.startsWith('a couple')) text = `2 ${text.slice(vague[0].length)}`;
    else if (phrase === 'a dash of') text = `1 dash ${text.slice(vague[0].length)}`;
    else {
      if (phrase !== 'some') vagueAmount = phrase;
      text = text.slice(vague[0].length);
    }
  }
  text = text
    .replace(/^(?:a\s+)?half\s+(?:an?\s+|of\s+(?:an?\s+)?)?/i, '1/2 ')
    .replace(/^an?\s+dozen\s+/i, '12 ')
    .replace(/^an?\s+(?=\S)/i, '1 ');
  text = text.replace(/^([a-z]+)\b/i, (word) => WORD_NUMBERS[word.toLowerCase()] ?? word);

  // Decimal commas "1,5 kg" (but not thousands "1,000 g"), and "20-oz" written as one word.
  text = text.replace(/(\d),(\d{1,2})(?!\d)/g, '$1.$2').replace(/(\d),(\d{3})(?!\d)/g, '$1$2');
  text = text.replace(/(\d)-(oz|ounces?|g|grams?|ml|lbs?|pounds?|inch(?:es)?|in|cm|kg|l)\b/gi, '$1 $2');

  // "2 heaped tbsp cocoa": the qualifier hides the unit from the parser.
  text = text.replace(/^([\d./\s-]*\d)\s+([a-z]+)\s+(\S+)/i, (whole, qty: string, word: string, next: string) => {
    if (!MEASURE_QUALIFIERS.has(word.toLowerCase()) || !isUnitWord(next)) return whole;
    leadNotes.push(SIZE_WORDS[word.toLowerCase()] ?? word.toLowerCase());
    return `${qty} ${next}`;
  });

  return { text: text.trim(), optional, leadNotes, parenNotes, vagueAmount };
}

/** Splits at the first comma outside parentheses (parentheses are gone by now). */
function splitComma(text: string): [string, string | null] {
  const at = text.search(/[,;]/);
  if (at < 0) return [text, null];
  return [text.slice(0, at), text.slice(at + 1).trim() || null];
}

/** Result of reading the name part of the description. */
interface NameParts {
  name: string;
  /** Sizes, preparation and alternatives taken from the name itself. */
  headNotes: string[];
  /** What followed a comma, and purposes like "to taste". */
  tailNotes: string[];
  optional: boolean;
}

/** Takes a leading or trailing run of preparation words ("finely chopped", "peeled and diced"). */
function takePrepRun(words: string[], fromEnd: boolean): string[] {
  const taken: string[] = [];
  const list = fromEnd ? [...words].reverse() : [...words];
  let sawPrep = false;
  while (list.length > 1) {
    const word = (list[0] ?? '').toLowerCase().replace(/[,.]$/, '');
    const isPrep = PREP_WORDS.has(word) || (word === 'ground' && (fromEnd ? list[1]?.toLowerCase() === 'freshly' : taken.at(-1)?.toLowerCase() === 'freshly'));
    // An adverb counts only next to a preparation word ("finely chopped"); "and" only between two.
    const isLink = PREP_ADVERBS.has(word) || (word === 'and' && sawPrep) || word === '&';
    if (isPrep) sawPrep = true;
    if (!isPrep && !isLink) break;
    if (fromEnd && PREP_ADVERBS.has(word) && !sawPrep) break;
    taken.push(list.shift() ?? '');
  }
  // Drop dangling links: "and" or a lone adverb not next to a preparation word.
  const order = fromEnd ? taken.reverse() : taken;
  while (order.length > 0 && !isPrepOrGround(order[order.length - 1] ?? '')) order.pop();
  while (order.length > 0 && ['and', '&'].includes((order[0] ?? '').toLowerCase())) order.shift();
  return sawPrep ? order : [];
}

/** Whether a word can end a preparation run ("freshly ground", "finely chopped"), unlike an adverb or "and". */
function isPrepOrGround(word: string): boolean {
  const lower = word.toLowerCase();
  return PREP_WORDS.has(lower) || lower === 'ground';
}

/** Reads the name out of a description: sizes, preparation, alternatives and purposes go to notes. */
function readName(description: string, keepPrep: boolean): NameParts {
  const notes: string[] = [];
  const tailNotes: string[] = [];
  let optional = false;
  const [head, tail] = splitComma(description);
  let name = head.replace(/\*+/g, ' ').replace(/\s+/g, ' ').trim();

  const phrase = TRAILING_PHRASE.exec(name);
  let trailing: string | null = null;
  if (phrase?.[1] !== undefined) {
    trailing = phrase[1].toLowerCase();
    name = name.slice(0, phrase.index).trim();
  }
  if (/\s+optional$/i.test(name)) {
    optional = true;
    name = name.replace(/\s+optional$/i, '');
  }

  name = name.replace(/^(?:of|the|some)\s+/i, '');
  const temperature = /^(?:at\s+)?room[- ]temperature\s+(?=\S)/i.exec(name);
  if (temperature !== null) {
    notes.push('room temperature');
    name = name.slice(temperature[0].length);
  }
  let words = name.split(' ').filter((w) => w !== '');

  // Leading sizes and preparation words, in any order: "2 large ripe", "1 medium finely chopped onion".
  for (let changed = true; changed && words.length > 1; ) {
    changed = false;
    const size = SIZE_WORDS[(words[0] ?? '').toLowerCase()];
    if (size !== undefined) {
      notes.push(size);
      words = words.slice(1);
      changed = true;
      continue;
    }
    if (!keepPrep) {
      const run = takePrepRun(words, false);
      if (run.length > 0 && run.length < words.length) {
        notes.push(run.join(' ').toLowerCase());
        words = words.slice(run.length);
        changed = true;
      }
    }
  }

  // "1 cup milk or cream": the first is what we look for, the alternative is noted.
  const orAt = words.findIndex((w, i) => i > 0 && w.toLowerCase() === 'or');
  let alternative: string | null = null;
  if (orAt > 0 && orAt < words.length - 1) {
    alternative = words.slice(orAt).join(' ').toLowerCase();
    words = words.slice(0, orAt);
  }

  if (!keepPrep) {
    const run = takePrepRun(words, true);
    if (run.length > 0 && run.length < words.length) {
      notes.push(run.join(' ').toLowerCase());
      words = words.slice(0, words.length - run.length);
    }
  }
  if (alternative !== null) notes.push(alternative);

  if (tail !== null) {
    if (/\boptional\b/i.test(tail)) optional = true;
    const rest = tail.replace(/\boptional\b/gi, '').replace(/^[\s,;:-]+|[\s,;:-]+$/g, '').replace(/\s*,\s*,\s*/g, ', ').trim();
    if (rest !== '') tailNotes.push(rest);
  }
  if (trailing !== null) tailNotes.push(trailing);

  return { name: cleanText(words.join(' ')).replace(/\s+x\s*\d+$/, ''), headNotes: notes, tailNotes, optional };
}

/** What parsing a line yields before notes are joined: the recursive core of the parser. */
interface Reading {
  name: string;
  amount: number | null;
  unit: string | null;
  notes: string[];
  optional: boolean;
}

/** One library call, guarded: parse-ingredient is third-party and must not make us throw. */
function libraryParse(text: string): Ingredient | null {
  try {
    return parseIngredient(text, LIBRARY_OPTIONS)[0] ?? null;
  } catch {
    return null;
  }
}

/** Reads the first word(s) of a description as a unit parse-ingredient does not know ("tbs", "kilos", "cl"). */
function fallbackUnit(description: string): { unit: string; rest: string } | null {
  const two = /^(\S+\s+\S+)\s+(.*)$/.exec(description);
  if (two?.[1] !== undefined && two[2] !== undefined) {
    const info = measureUnit(two[1]);
    if (info !== null) return { unit: info.unit, rest: two[2] };
  }
  const one = /^(\S{2,})(?:\s+(.*))?$/.exec(description);
  if (one?.[1] !== undefined) {
    const info = measureUnit(one[1]);
    if (info !== null) return { unit: info.unit, rest: one[2] ?? '' };
  }
  return null;
}

/** Parses prepared text; `depth` bounds the recursion for "2 x 400 g tins". */
function read(prepared: Prepared, depth: number): Reading | null {
  const found = libraryParse(prepared.text);
  if (found === null || found.isGroupHeader) return null;

  let amount = positiveOrNull(found.quantity);
  let unit = canonicalUnit(found);
  let description = found.description.trim();
  const notes: string[] = [...prepared.leadNotes];
  if (prepared.vagueAmount !== null) notes.push(prepared.vagueAmount);

  const upper = positiveOrNull(found.quantity2);
  if (amount !== null && upper !== null && upper !== amount) notes.push(`${formatNumber(amount)}-${formatNumber(upper)}`);

  if (unit === 'dozen') {
    amount = (amount ?? 1) * 12;
    unit = null;
  }
  if (unit === null && found.quantity !== null) {
    const fallback = fallbackUnit(description);
    if (fallback !== null) {
      unit = fallback.unit;
      description = fallback.rest;
    }
  }

  // "2 x 400 g tins tomatoes", "2 400g tins", "4 x chicken breasts": the outer number multiplies the inner
  // reading, parsed once more (one level deep only).
  const multiplier = /^(?:x\s*|×\s*)?(?=\d)|^(?:x|×)\s+/i.exec(description);
  if (depth === 0 && amount !== null && unit === null && multiplier !== null) {
    const inner = read({ ...prepared, text: description.slice(multiplier[0].length), leadNotes: [], vagueAmount: null }, depth + 1);
    if (inner !== null && inner.name !== '') {
      const multiplied = amount !== 1 && inner.unit !== null && inner.amount !== null && !CONTAINER_UNITS.has(inner.unit);
      const size = multiplied ? `${formatNumber(amount)} x ${formatNumber(inner.amount ?? 0)} ${inner.unit ?? ''}` : null;
      return {
        ...inner,
        amount: inner.amount === null ? amount : amount * inner.amount,
        notes: [...notes, ...(size === null ? [] : [size]), ...inner.notes],
        optional: prepared.optional || inner.optional,
      };
    }
  }

  // "400 g tin tomatoes", "2 cm piece ginger": the measure is the container's size.
  const container = /^(\S+)\s+(?:of\s+)?(.*)$/.exec(description);
  if (unit !== null && (measureUnit(unit) !== null || Object.values(LENGTH_UNITS).includes(unit))) {
    const word = container?.[1]?.toLowerCase() ?? '';
    const containerUnit = CONTAINER_UNITS.has(word) ? word : CONTAINER_UNITS.has(word.replace(/e?s$/, '')) ? word.replace(/e?s$/, '') : null;
    if (containerUnit !== null && container?.[2] !== undefined && container[2] !== '') {
      notes.push(amount === null ? unit ?? '' : `${formatNumber(amount)} ${unit ?? ''}`.trim());
      amount = 1;
      unit = containerUnit;
      description = container[2];
    }
  }

  // "1 thumb-sized piece of ginger", "1 2-inch piece ginger": the size goes to the note.
  const sizedPiece = /^(\S+-(?:sized?|inch|in|cm))\s+(piece|chunk|knob)s?\s+(?:of\s+)?(\S.*)$/i.exec(description);
  if (unit === null && sizedPiece?.[1] !== undefined && sizedPiece[2] !== undefined && sizedPiece[3] !== undefined) {
    notes.push(sizedPiece[1].toLowerCase());
    unit = sizedPiece[2].toLowerCase();
    description = sizedPiece[3];
  }

  // "3 garlic cloves", "4 thyme sprigs": the same as "3 cloves garlic".
  const trailingCount = /^(.+?)\s+(clove|sprig|stalk)s?$/i.exec(splitComma(description)[0].trim());
  if (unit === null && amount !== null && trailingCount?.[1] !== undefined && trailingCount[2] !== undefined) {
    unit = trailingCount[2].toLowerCase();
    description = trailingCount[1] + description.slice(trailingCount[0].length);
  }

  // A unit with no number means one of it: "pinch of salt", "a pinch of salt" (but "0 g" stays no amount).
  if (amount === null && unit !== null && found.quantity === null) amount = 1;

  const parts = readName(description, unit !== null && PACKAGED_UNITS.has(unit));
  return {
    name: parts.name,
    amount,
    unit,
    notes: [...notes, ...parts.headNotes, ...prepared.parenNotes, ...parts.tailNotes],
    optional: prepared.optional || parts.optional,
  };
}

/** Joins notes once each, in order; null when there are none. */
function joinNotes(notes: string[]): string | null {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const note of notes) {
    const clean = note.replace(/\s+/g, ' ').replace(/^[\s,;:-]+|[\s,;:-]+$/g, '').trim();
    if (clean === '' || seen.has(clean.toLowerCase())) continue;
    seen.add(clean.toLowerCase());
    kept.push(clean);
  }
  return kept.length === 0 ? null : kept.join(', ');
}

/**
 * Parses one ingredient line as pasted from a recipe into name, amount, unit and note, or null when
 * the line names no ingredient (empty, a group heading like "For the sauce:", no letters).
 *
 * Rules: units become Larder's short forms ("tablespoons" → "tbsp", "T" → "tbsp", "t" → "tsp") and
 * count units their singular ("cloves" → "clove"); a range keeps its lower bound as the amount and
 * goes to the note as "1-2"; sizes (large, medium), kitchen preparation (melted, finely chopped —
 * unless bought that way in a can, tin, jar or packet), parentheses, what follows a comma and
 * purposes ("to taste", "for garnish") go to the note; "optional" anywhere sets `optional`.
 * Never throws.
 *
 * @example parseIngredientLine('4 cloves garlic, minced')
 * // { name: 'garlic', amount: 4, unit: 'clove', note: 'minced', optional: false }
 */
export function parseIngredientLine(line: string): ParsedIngredient | null {
  // Nothing that long is one ingredient; the cap also bounds the regular expressions' work.
  if (typeof line !== 'string' || line.length > MAX_LINE_LENGTH) return null;
  const stripped = stripDecorations(line);
  if (stripped === '' || !/\p{L}/u.test(stripped) || isGroupHeading(stripped)) return null;
  const prepared = prepare(stripped);
  if (prepared.text === '') return null;
  const reading = read(prepared, 0);
  // A lone "x" is what is left of a multiplier with nothing after it ("2 x").
  if (reading === null || !/\p{L}/u.test(reading.name) || reading.name === 'x') return null;
  return {
    name: reading.name,
    amount: positiveOrNull(reading.amount),
    unit: reading.unit,
    note: joinNotes(reading.notes),
    optional: reading.optional,
  };
}
