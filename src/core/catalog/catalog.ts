import { readFileSync } from 'node:fs';
import pluralize from 'pluralize';
import { z } from 'zod';
import { cleanText, normalizeKey, pluralizeWord, singularize } from '../nlp/normalize.ts';
import { DEFAULT_CATEGORIES, type DefaultCategory } from './default-categories.ts';

/** How a catalog answer was found, from most to least certain. */
export type CatalogMatchKind = 'exact' | 'descriptor' | 'head' | 'fuzzy';

/** The catalog's answer for one item name. */
export interface CatalogMatch {
  /** The default category the item belongs to. */
  category: DefaultCategory;
  /** The catalog item that decided it, as written in the data ("salmon" for "salmon fillet"). */
  matched: string;
  /**
   * `exact`: the whole name (singular or plural); `descriptor`: after dropping words that do not
   * change the aisle ("fresh", "2%", "organic") or by a word that does ("frozen", "canned");
   * `head`: a catalog item inside the name, preferring its last words; `fuzzy`: after fixing a typo.
   */
  how: CatalogMatchKind;
}

/** The built-in grocery catalog: categorization stage 2, pure and in memory. */
export interface Catalog {
  /**
   * Category for an item name as typed ("Greek Yogurt", "apples", "fresh parsley", "2% milk"),
   * or null when the catalog does not know it.
   *
   * @example catalog.lookup('frozen peas') // { category: 'Frozen', matched: 'frozen peas', how: 'exact' }
   */
  lookup(name: string): CatalogMatch | null;
  /**
   * True when the phrase (already lowercased) is itself a catalog item, singular or plural. The
   * parser uses it to split "apples bananas and oranges" and to keep "mac and cheese" whole.
   *
   * @example catalog.isItem('tea bags') // true
   */
  isItem(phrase: string): boolean;
  /** Number of distinct items. */
  readonly size: number;
}

/** One catalog item: its name and its default category. */
export type CatalogEntry = readonly [name: string, category: DefaultCategory];

const catalogFileSchema = z.partialRecord(z.enum(DEFAULT_CATEGORIES), z.array(z.string().trim().min(1).max(200)));

/**
 * Reads and validates the shipped catalog data (`catalog.json`, an object of category → names),
 * once per call.
 *
 * @example loadCatalogEntries()[0] // ['apple', 'Produce']
 */
export function loadCatalogEntries(): CatalogEntry[] {
  const raw: unknown = JSON.parse(readFileSync(new URL('./catalog.json', import.meta.url), 'utf8'));
  const data = catalogFileSchema.parse(raw);
  const entries: CatalogEntry[] = [];
  for (const category of DEFAULT_CATEGORIES) {
    for (const name of data[category] ?? []) entries.push([name, category]);
  }
  return entries;
}

/**
 * Text as the catalog compares it: cleaned, accents and apostrophes dropped, "&" read as "and",
 * hyphens and other punctuation as spaces ("washing-up liquid" = "washing up liquid").
 */
function canonText(text: string): string {
  return cleanText(text)
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/['\u2019`\u00b4]/g, '')
    .replace(/&/g, ' and ')
    .replace(/(\d),(\d)/g, '$1.$2')
    .replace(/[^\p{L}\p{N}%.]+/gu, ' ')
    // A dot stays only inside a number ("1.5kg").
    .replace(/(?<!\d)\.|\.(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The key a name is indexed and looked up by: `normalizeKey` of the canonical text, so
 * "Tea Bags", "tea-bag" and "tea bag" all give "tea bag".
 *
 * @example catalogKey('Washing-Up Liquid') // 'washing up liquid'
 */
export function catalogKey(name: string): string {
  return normalizeKey(canonText(name));
}

/** Words that describe an item without moving it to another aisle. */
const DESCRIPTOR_WORDS: ReadonlySet<string> = new Set([
  'fresh', 'freshly', 'organic', 'bio', 'large', 'small', 'medium', 'big', 'jumbo', 'giant', 'mini', 'ripe', 'unripe',
  'freerange', 'skimmed', 'skim', 'whole', 'lowfat', 'nonfat', 'fatfree', 'lean', 'light', 'lite', 'diet', 'reduced',
  'unsalted', 'salted', 'sweetened', 'unsweetened', 'plain', 'natural', 'raw', 'premium', 'finest', 'deluxe', 'luxury',
  'value', 'basic', 'basics', 'essential', 'essentials', 'everyday', 'classic', 'original', 'traditional', 'homemade',
  'homestyle', 'artisan', 'artisanal', 'gourmet', 'select', 'quality', 'extra', 'virgin', 'cheap', 'cheapest', 'good',
  'nice', 'best', 'favourite', 'favorite', 'usual', 'normal', 'regular', 'standard', 'new', 'generic', 'branded',
  'bulk', 'multipack', 'family', 'economy', 'sliced', 'diced', 'chopped', 'cubed', 'minced', 'grated', 'shredded',
  'crushed', 'halved', 'peeled', 'unpeeled', 'washed', 'trimmed', 'prepared', 'pitted', 'seedless', 'boneless',
  'skinless', 'thin', 'thick', 'cooked', 'uncooked', 'chilled', 'refrigerated', 'loose', 'bagged', 'packaged',
  'prepacked', 'assorted', 'mixed', 'vegan', 'vegetarian', 'halal', 'kosher', 'wild', 'farmed', 'fairtrade', 'smoked',
  'local', 'seasonal', 'british', 'imported', 'fancy', 'some', 'more', 'any', 'the', 'a', 'an',
]);

/** Descriptors of several words, matched before single words ("free range", "extra virgin"). */
const DESCRIPTOR_PHRASES: readonly (readonly string[])[] = [
  ['no', 'added', 'sugar'], ['ready', 'to', 'eat'], ['free', 'range'], ['extra', 'virgin'], ['semi', 'skimmed'],
  ['low', 'fat'], ['reduced', 'fat'], ['half', 'fat'], ['full', 'fat'], ['fat', 'free'], ['non', 'fat'], ['sugar', 'free'],
  ['gluten', 'free'], ['dairy', 'free'], ['lactose', 'free'], ['cage', 'free'], ['grass', 'fed'], ['corn', 'fed'],
  ['pasture', 'raised'], ['wild', 'caught'], ['skin', 'on'], ['bone', 'in'], ['own', 'brand'], ['store', 'brand'],
  ['family', 'size'], ['value', 'pack'], ['extra', 'lean'], ['thick', 'cut'], ['thin', 'cut'], ['fair', 'trade'],
  ['low', 'sodium'], ['low', 'salt'], ['low', 'sugar'], ['high', 'protein'], ['pre', 'packed'], ['pre', 'cooked'],
];

/** Words that do move an item to another aisle; `ground` only moves fresh produce to spices. */
type Modifier = 'frozen' | 'preserved' | 'dried' | 'ground';

const MODIFIER_WORDS: ReadonlyMap<string, Modifier> = new Map<string, Modifier>([
  ['frozen', 'frozen'],
  ['canned', 'preserved'],
  ['tinned', 'preserved'],
  ['jarred', 'preserved'],
  ['pickled', 'preserved'],
  ['dried', 'dried'],
  ['dehydrated', 'dried'],
  ['powdered', 'dried'],
  ['ground', 'ground'],
]);

/** Categories a modifier never overrides: "frozen" cat litter is still cat litter. */
const MODIFIER_KEEPS: Readonly<Record<Modifier, ReadonlySet<DefaultCategory>>> = {
  frozen: new Set<DefaultCategory>(['Household', 'Personal Care', 'Other']),
  preserved: new Set<DefaultCategory>(['Beverages', 'Household', 'Personal Care', 'Other']),
  dried: new Set<DefaultCategory>(['Beverages', 'Household', 'Personal Care', 'Other']),
  ground: new Set<DefaultCategory>(DEFAULT_CATEGORIES.filter((c) => c !== 'Produce')),
};

const MODIFIER_TARGET: Readonly<Record<Modifier, DefaultCategory>> = {
  frozen: 'Frozen',
  preserved: 'Pantry',
  dried: 'Pantry',
  ground: 'Pantry',
};

/** Words before "of" that only say how much or in what ("a bag of apples", "2 tins of tomatoes"). */
const CONTAINER_WORDS: ReadonlySet<string> = new Set([
  'bag', 'box', 'bottle', 'can', 'tin', 'jar', 'pack', 'packet', 'package', 'carton', 'tub', 'tube', 'loaf', 'head',
  'bunch', 'bundle', 'bulb', 'clove', 'stick', 'bar', 'block', 'roll', 'case', 'crate', 'punnet', 'sack', 'pot', 'tray',
  'container', 'pouch', 'sachet', 'piece', 'slice', 'sheet', 'kg', 'g', 'lb', 'pound', 'kilo', 'kilogram', 'gram',
  'ounce', 'oz', 'litre', 'liter', 'l', 'ml', 'pint', 'gallon', 'quart', 'cup', 'handful', 'lot', 'load', 'ear', 'sprig',
  'stalk', 'jug', 'multipack', 'net', 'basket', 'rasher', 'portion', 'serving', 'pair', 'bit', 'big', 'small', 'large',
  'little', 'few', 'several', 'some', 'a', 'an', 'the',
]);

/** Containers whose contents are shelf-stable ("a tin of tomatoes" is Pantry, not Produce). */
const PRESERVING_CONTAINERS: ReadonlySet<string> = new Set(['can', 'tin', 'jar']);

/** Units that follow a number ("2 l", "500 g", "6 pack"). */
const UNIT_WORDS: ReadonlySet<string> = new Set([
  'g', 'gr', 'gram', 'kg', 'kilo', 'kilogram', 'mg', 'ml', 'cl', 'dl', 'l', 'ltr', 'litre', 'liter', 'oz', 'ounce',
  'lb', 'lbs', 'pound', 'pt', 'pint', 'qt', 'quart', 'gal', 'gallon', 'ct', 'count', 'pk', 'pack', 'pc', 'pcs',
  'piece', 'x', 'percent', '%', 'dozen', 'inch', 'cm', 'mm', 'roll', 'sheet', 'bag', 'can', 'tin', 'bottle', 'box',
]);

const ARTICLES: ReadonlySet<string> = new Set(['a', 'an', 'the', 'some']);

/** Counts said in words ("a dozen eggs", "two tins of"). */
const NUMBER_WORDS: ReadonlySet<string> = new Set([
  'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'dozen', 'half',
  'couple',
]);

/** A number with an optional unit written against it: "2", "1.5kg", "12pk", "2%", "x6". */
const SIZE_TOKEN = /^(?:x\d+|\d+(?:\.\d+)?(?:%|x|g|gr|kg|mg|ml|cl|dl|l|ltr|ltrs|litre|litres|liter|liters|oz|lb|lbs|pt|pk|ct|pcs|pc|pack|packs)?)$/;

const MAX_TOKENS = 12;

interface Indexed {
  name: string;
  category: DefaultCategory;
}

const VOWELS = new Set('aeiouy');

/** Letters next to each other on a QWERTY keyboard: hitting a neighbour is a typo, not a new word. */
const KEY_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

function keyboardNeighbours(a: string, b: string): boolean {
  const place = (c: string): [number, number] | null => {
    for (let row = 0; row < KEY_ROWS.length; row++) {
      const col = KEY_ROWS[row]?.indexOf(c) ?? -1;
      if (col >= 0) return [row, col + row * 0.5];
    }
    return null;
  };
  const pa = place(a);
  const pb = place(b);
  if (pa === null || pb === null) return false;
  return Math.abs(pa[0] - pb[0]) <= 1 && Math.abs(pa[1] - pb[1]) <= 1;
}

/** The word with doubled letters written once: "brocolli" and "broccoli" both give "brocoli". */
function collapseDoubles(word: string): string {
  return word.replace(/(.)\1+/g, '$1');
}

/**
 * True when `typed` is `meant` with one slip of the hand: two inner letters swapped in words of 6
 * or more ("galric"), a letter left out in words of 6 or more ("chiken"; the last one only from 7
 * on: "chocolat"), or, from 7 letters on, a vowel for a vowel or a key for its neighbour
 * ("avacado"). Extra letters and other changes make real, different words too often ("toastier"
 * for "toaster", "steam" for "steak").
 */
function isSlip(typed: string, meant: string, length: number): boolean {
  const n = typed.length;
  if (length < 6) return false;
  let i = 0;
  while (i < n && typed[i] === meant[i]) i++;
  if (i === 0) return false;
  if (n === meant.length) {
    if (i === n) return false;
    if (typed.slice(i + 1) === meant.slice(i + 1)) {
      if (i === n - 1 || length < 7) return false;
      const [x, y] = [typed[i] ?? '', meant[i] ?? ''];
      return (VOWELS.has(x) && VOWELS.has(y)) || keyboardNeighbours(x, y);
    }
    return i + 2 < n && typed[i] === meant[i + 1] && typed[i + 1] === meant[i] && typed.slice(i + 2) === meant.slice(i + 2);
  }
  if (meant.length !== n + 1 || typed.slice(i) !== meant.slice(i + 1)) return false;
  return i < n || length >= 7;
}

/** A catalog word ready for typo matching. */
interface TypoCandidate {
  word: string;
  collapsed: string;
}

/** Joins `words[from..to]` with the last word made singular, as catalog keys are. */
function windowKey(words: readonly string[], singular: readonly string[], from: number, to: number): string {
  const last = singular[to] ?? '';
  return from === to ? last : `${words.slice(from, to).join(' ')} ${last}`;
}

interface WindowHit {
  hit: Indexed;
  from: number;
  to: number;
}

/** A name split into words, ready for matching. */
interface Reading {
  /** Words left after sizes, containers and aisle modifiers are removed. */
  words: string[];
  /** Each word made singular, as the last word of a catalog key is. */
  singular: string[];
  /** Whether each word only describes the item ("fresh", "free range"). */
  descriptive: boolean[];
}

interface Prepared extends Reading {
  modifier: Modifier | null;
  modifierWord: string | null;
}

/**
 * Builds the catalog and its indexes once: a map by key (plus plural/singular aliases), a map of
 * keys without spaces ("icecream"), and the catalog's words bucketed by first letter and length
 * for typo matching. Entries default to the shipped `catalog.json`; when a name appears twice the
 * first category wins.
 *
 * @example
 * const catalog = createCatalog();
 * catalog.lookup('trout fillets'); // { category: 'Meat & Seafood', matched: 'trout', how: 'head' }
 */
export function createCatalog(entries: Iterable<CatalogEntry> = loadCatalogEntries()): Catalog {
  const byKey = new Map<string, Indexed>();
  const aliases = new Map<string, Indexed>();
  const compact = new Map<string, Indexed>();
  const vocabulary = new Set<string>();
  let maxWords = 1;

  for (const [name, category] of entries) {
    const key = catalogKey(name);
    if (key === '' || byKey.has(key)) continue;
    const item: Indexed = { name, category };
    byKey.set(key, item);
    const words = key.split(' ');
    maxWords = Math.max(maxWords, words.length);
    for (const word of words) vocabulary.add(word);
  }
  // Last words repeat ("sauce", "oil"), so their variants are worked out once each.
  const variantsOf = new Map<string, { plural: string; singular: string }>();
  for (const [key, item] of byKey) {
    const space = key.lastIndexOf(' ');
    const prefix = key.slice(0, space + 1);
    const last = key.slice(space + 1);
    let variants = variantsOf.get(last);
    if (variants === undefined) {
      const singular = pluralize.singular(last);
      variants = { plural: singularize(pluralizeWord(last)), singular: singular === last ? last : singularize(singular) };
      variantsOf.set(last, variants);
    }
    // Plurals the normalizer keeps as typed ("kiwis") and, for multi-word names only, the plain
    // singular ("potato chip"): a lone "green" or "sweet" must not become an item.
    const aliasWords = space >= 0 ? [variants.plural, variants.singular] : [variants.plural];
    for (const word of aliasWords) {
      const alias = prefix + word;
      if (word !== last && !byKey.has(alias) && !aliases.has(alias)) aliases.set(alias, item);
    }
  }
  for (const [key, item] of byKey) if (!key.includes(' ')) compact.set(key, item);
  for (const [key, item] of byKey) {
    const joined = key.replaceAll(' ', '');
    if (!compact.has(joined)) compact.set(joined, item);
  }

  // Typo indexes: words by collapsed spelling (doubling mistakes), and by first letter plus length.
  const byCollapsed = new Map<string, string[]>();
  const byLength = new Map<string, TypoCandidate[]>();
  const byCollapsedLength = new Map<string, TypoCandidate[]>();
  const push = <T>(map: Map<string, T[]>, key: string, value: T): void => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const word of [...vocabulary].sort()) {
    if (word.length < 4) continue;
    const candidate: TypoCandidate = { word, collapsed: collapseDoubles(word) };
    push(byCollapsed, candidate.collapsed, word);
    push(byLength, `${word[0] ?? ''}${word.length}`, candidate);
    push(byCollapsedLength, `${word[0] ?? ''}${candidate.collapsed.length}`, candidate);
  }

  const find = (key: string): Indexed | undefined => byKey.get(key) ?? aliases.get(key);

  /**
   * Catalog words a mistyped word may have meant: a doubling mistake or one slip ("bananna",
   * "chiken"), else, from 8 letters on, both ("brocolli"). Never for words under 5 letters, and
   * the first letter must match, so that unrelated words do not match.
   */
  const corrections = (word: string): string[] => {
    const length = word.length;
    if (length < 5) return [];
    // "tomatoe", "potatoe": a stray final e after o.
    if (word.endsWith('oe') && vocabulary.has(word.slice(0, -1))) return [word.slice(0, -1)];
    const first = word[0] ?? '';
    const collapsed = collapseDoubles(word);
    const found = new Set((byCollapsed.get(collapsed) ?? []).filter((candidate) => candidate !== word));
    for (const size of [length, length + 1]) {
      for (const candidate of byLength.get(`${first}${size}`) ?? []) {
        if (isSlip(word, candidate.word, length)) found.add(candidate.word);
      }
    }
    if (found.size === 0 && length >= 8) {
      for (const size of [collapsed.length, collapsed.length + 1]) {
        for (const candidate of byCollapsedLength.get(`${first}${size}`) ?? []) {
          if (isSlip(collapsed, candidate.collapsed, length)) found.add(candidate.word);
        }
      }
    }
    return [...found];
  };

  /** Drops sizes, "a bag of", and aisle modifiers; marks descriptors. */
  const prepare = (text: string): Prepared => {
    let words = text.split(' ').slice(-MAX_TOKENS);
    let modifier: Modifier | null = null;
    let modifierWord: string | null = null;

    // Sizes and counts: "2 l", "500g", "2%", "a dozen".
    const kept: string[] = [];
    let afterNumber = false;
    for (const word of words) {
      // Number words count only before the name ("a dozen eggs"), not inside it ("half and half").
      const leading = kept.every((w) => ARTICLES.has(w));
      const isNumber = SIZE_TOKEN.test(word) || (leading && NUMBER_WORDS.has(word));
      if (isNumber) {
        afterNumber = true;
        continue;
      }
      if (afterNumber && UNIT_WORDS.has(singularize(word))) {
        afterNumber = false;
        if (PRESERVING_CONTAINERS.has(singularize(word))) {
          modifier = 'preserved';
          modifierWord = word;
        }
        continue;
      }
      afterNumber = false;
      kept.push(word);
    }
    words = kept;

    // "a bag of apples", "2 tins of tomatoes": keep what comes after "of".
    const of = words.indexOf('of');
    const before = words.slice(0, Math.max(of, 0));
    const measures = (w: string): boolean => CONTAINER_WORDS.has(singularize(w)) || NUMBER_WORDS.has(w);
    if (of >= 0 && of < words.length - 1 && before.every(measures)) {
      const preserving = before.find((w) => PRESERVING_CONTAINERS.has(singularize(w)));
      if (preserving !== undefined) {
        modifier = 'preserved';
        modifierWord = preserving;
      }
      words = words.slice(of + 1);
    }

    const withoutModifiers: string[] = [];
    for (const word of words) {
      const found = MODIFIER_WORDS.get(word);
      if (found === undefined) withoutModifiers.push(word);
      else if (modifier === null) {
        modifier = found;
        modifierWord = word;
      }
    }
    words = withoutModifiers;

    const singular = words.map((word) => singularize(word));
    const descriptive = words.map((word) => DESCRIPTOR_WORDS.has(word));
    for (let i = 0; i < words.length; i++) {
      for (const phrase of DESCRIPTOR_PHRASES) {
        if (phrase.every((part, k) => words[i + k] === part)) {
          for (let k = 0; k < phrase.length; k++) descriptive[i + k] = true;
        }
      }
    }
    return { words, singular, descriptive, modifier, modifierWord };
  };

  /** The category after an aisle modifier: "frozen" peas are Frozen, "canned" chickpeas Pantry. */
  const modify = (category: DefaultCategory, modifier: Modifier | null): DefaultCategory => {
    if (modifier === null || MODIFIER_KEEPS[modifier].has(category)) return category;
    return MODIFIER_TARGET[modifier];
  };

  /** The whole name without its descriptors, as one key. */
  const coreHit = (reading: Reading): Indexed | undefined => {
    const core = reading.words.filter((_, i) => !reading.descriptive[i]);
    if (core.length === 0) return undefined;
    return find(normalizeKey(core.join(' ')));
  };

  /**
   * The best catalog item inside the name: one ending at the head noun (the last word that is
   * not a descriptor) wins, the longest first; otherwise the longest anywhere, the later the better.
   */
  const windowHit = (reading: Reading): { hit: WindowHit; atHead: boolean } | null => {
    const { words, singular, descriptive } = reading;
    let head = words.length - 1;
    while (head >= 0 && descriptive[head]) head--;
    if (head < 0) return null;
    let best: WindowHit | null = null;
    for (let to = head; to >= 0; to--) {
      for (let from = Math.max(0, to - maxWords + 1); from <= to; from++) {
        const key = windowKey(words, singular, from, to);
        const hit = from === to ? (find(key) ?? compact.get(key)) : find(key);
        if (hit === undefined) continue;
        if (to === head) return { hit: { hit, from, to }, atHead: true };
        if (best === null || to - from > best.to - best.from) best = { hit, from, to };
        break;
      }
    }
    return best === null ? null : { hit: best, atHead: false };
  };

  /** How good a reading of the words is: whole name, then an item at the head, then inside. */
  const scoreReading = (reading: Reading): number => {
    if (coreHit(reading)) return 4;
    const inside = windowHit(reading);
    if (!inside) return 0;
    return (inside.atHead ? 2 : 1) + (inside.hit.to - inside.hit.from) / 10;
  };

  const answer = (hit: Indexed, how: CatalogMatchKind, modifier: Modifier | null): CatalogMatch => ({
    category: modify(hit.category, modifier),
    matched: hit.name,
    how,
  });

  const lookup = (name: string): CatalogMatch | null => {
    const text = canonText(name);
    if (text === '') return null;
    const key = normalizeKey(text);
    const exact = find(key);
    if (exact) return answer(exact, 'exact', null);
    const joined = compact.get(key.replaceAll(' ', ''));
    if (joined) return answer(joined, 'fuzzy', null);

    const prepared = prepare(text);
    if (prepared.words.length === 0) return null;
    const core = coreHit(prepared);
    if (core) return answer(core, 'descriptor', prepared.modifier);

    const inside = windowHit(prepared);
    if (inside?.atHead) return answer(inside.hit.hit, 'head', prepared.modifier);

    // Fix typos in words the catalog does not know, keeping the reading that finds the best item.
    const fixed: Reading = { words: [...prepared.words], singular: [...prepared.singular], descriptive: prepared.descriptive };
    let changed = false;
    for (let i = 0; i < fixed.words.length; i++) {
      const word = fixed.words[i] ?? '';
      const singular = fixed.singular[i] ?? '';
      if (fixed.descriptive[i] || vocabulary.has(word) || vocabulary.has(singular)) continue;
      let options = corrections(singular);
      if (options.length === 0 && singular !== word) options = corrections(word);
      let bestScore = 0;
      for (const option of options) {
        const trial: Reading = { ...fixed, words: [...fixed.words], singular: [...fixed.singular] };
        trial.words[i] = option;
        trial.singular[i] = singularize(option);
        const score = scoreReading(trial);
        if (score > bestScore) {
          bestScore = score;
          fixed.words[i] = option;
          fixed.singular[i] = trial.singular[i] ?? option;
          changed = true;
        }
      }
    }
    if (changed) {
      const fixedCore = coreHit(fixed);
      if (fixedCore) return answer(fixedCore, 'fuzzy', prepared.modifier);
      const fixedInside = windowHit(fixed);
      if (fixedInside && (fixedInside.atHead || !inside)) return answer(fixedInside.hit.hit, 'fuzzy', prepared.modifier);
    }
    if (inside) return answer(inside.hit.hit, 'head', prepared.modifier);

    // "frozen <anything>" is in the freezer aisle even when the catalog does not know the rest; a
    // mere "can of" is not enough ("a can of" a drink is not Pantry).
    const { modifier, modifierWord } = prepared;
    const rest = prepared.words.some((word, i) => !prepared.descriptive[i] && /\p{L}/u.test(word));
    if (modifier !== null && modifier !== 'ground' && modifierWord !== null && MODIFIER_WORDS.has(modifierWord) && rest) {
      return { category: MODIFIER_TARGET[modifier], matched: modifierWord, how: 'descriptor' };
    }
    return null;
  };

  return {
    lookup,
    isItem: (phrase) => {
      const key = catalogKey(phrase);
      return key !== '' && find(key) !== undefined;
    },
    size: byKey.size,
  };
}
