import pluralize from 'pluralize';

/** Words pluralize gets wrong for groceries: singular forms we want, keyed by the word as typed. */
const SINGULAR_EXCEPTIONS: Readonly<Record<string, string>> = {
  molasses: 'molasses',
  cookies: 'cookie',
  clothes: 'clothes',
  brussels: 'brussels',
  fries: 'fries',
  grits: 'grits',
  oats: 'oats',
  greens: 'greens',
  chips: 'chips',
  noodles: 'noodles',
  jeans: 'jeans',
  nachos: 'nachos',
  hummus: 'hummus',
  couscous: 'couscous',
  asparagus: 'asparagus',
  swiss: 'swiss',
  series: 'series',
  news: 'news',
  dates: 'date',
  pies: 'pie',
  ties: 'tie',
  movies: 'movie',
  brownies: 'brownie',
  smoothies: 'smoothie',
  veggies: 'veggie',
  zucchinis: 'zucchini',
  panties: 'panties',
  scissors: 'scissors',
  tongs: 'tongs',
  sweets: 'sweets',
  lasagna: 'lasagna',
  lasagne: 'lasagne',
  pasta: 'pasta',
  tuna: 'tuna',
  salsa: 'salsa',
  feta: 'feta',
  ricotta: 'ricotta',
  quinoa: 'quinoa',
  polenta: 'polenta',
  soda: 'soda',
  cola: 'cola',
  ketchup: 'ketchup',
  gas: 'gas',
  bus: 'bus',
  plus: 'plus',
  citrus: 'citrus',
  hibiscus: 'hibiscus',
  octopus: 'octopus',
  cactus: 'cactus',
  bass: 'bass',
  glass: 'glass',
  grass: 'grass',
  floss: 'floss',
  molluscs: 'mollusc',
  leaves: 'leaf',
  bay: 'bay',
  chives: 'chives',
  knives: 'knife',
};

/** Singular form of one lowercase word, with grocery-specific exceptions. */
export function singularize(word: string): string {
  const exception = SINGULAR_EXCEPTIONS[word];
  if (exception !== undefined) return exception;
  // Short words and words ending in "ss"/"us"/"is" are rarely plurals ("gas", "swiss", "hummus").
  if (word.length <= 3 || /(ss|us|is)$/.test(word)) return word;
  return pluralize.singular(word);
}

/** Plural form of one lowercase word. */
export function pluralizeWord(word: string): string {
  return pluralize.plural(word);
}

/**
 * Collapses what people type into the text we compare: lowercase, Unicode-normalized,
 * trimmed, single-spaced, without surrounding punctuation.
 *
 * @example cleanText('  Greek   Yogurt! ') // 'greek yogurt'
 */
export function cleanText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[\s"'.,;:!?()[\]{}*_-]+|[\s"'.,;:!?()[\]{}*_-]+$/g, '')
    .trim();
}

/**
 * The normalized key an item is matched by: lowercase, trimmed, single-spaced, the last word
 * singular. "Tomatoes" and "tomato" share a key; so do "Tea Bags" and "tea bag".
 *
 * @example normalizeKey('Free-range Eggs') // 'free-range egg'
 */
export function normalizeKey(name: string): string {
  const cleaned = cleanText(name);
  if (cleaned === '') return '';
  const words = cleaned.split(' ');
  const last = words.length - 1;
  words[last] = singularize(words[last] ?? '');
  return words.join(' ');
}
