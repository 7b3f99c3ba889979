import { cleanText, singularize } from '../nlp/normalize.ts';

/**
 * Matches a recipe ingredient ("2 garlic cloves", "extra virgin olive oil") to at most one
 * pantry entry ("garlic", "olive oil"), or to none.
 *
 * How it reads an ingredient:
 * 1. Keep what names it: no parentheses, the part before the first comma (or further when that
 *    part only describes: "boneless, skinless chicken thighs"), nothing after "for frying" or
 *    "to taste"; each side of "or" is tried in turn ("butter or margarine").
 * 2. Split into words (lowercase, accents and punctuation gone, hyphens as spaces, every word
 *    singular), drop numbers, and read known multi-word phrases as one token, so "sweet potato"
 *    is never a kind of "potato" and "extra virgin" is dropped as a whole.
 * 3. Drop descriptors that do not change what the thing is ("fresh", "large", "chopped"), then
 *    leading amounts, units and containers ("a can of", "2 cloves"), then trailing count words
 *    ("garlic cloves" → "garlic"). What is left is {@link ingredientCore}.
 * 4. For comparing, map synonyms to one spelling ("cilantro" → "coriander").
 *
 * How it picks a pantry entry, first tier that finds one wins:
 * - `exact`: the same words, setting aside amounts, containers and count words, case,
 *   punctuation and plurals ("2 cloves garlic" ↔ "garlic", "eggs" ↔ "egg");
 * - `descriptor`: the same core ("fresh basil" ↔ "basil", "2 large eggs" ↔ "free-range eggs");
 * - `synonym`: the same core once synonyms are mapped ("spring onions" ↔ "scallions");
 * - `head`: the pantry core is the ingredient's head — its last words — and the words before it
 *   keep the identity ("red onion" → "onion"; the longest such pantry entry wins). Heads that
 *   form compound products ("X oil", "X butter", "X milk", …) accept only the few modifiers
 *   their table lists, so "peanut butter" is not "butter". Also `head`: a part falls back to
 *   what it is cut from ("chicken breast" → "chicken", "lemon juice" → "lemon"), and a plain
 *   ingredient takes a more specific pantry entry of the same thing ("onion" → "red onion").
 *
 * Choices (a household may see them differently; the per-household match cache can override):
 * - "whole wheat flour" is not "flour": flour is a compound head ("almond flour", "bread flour"),
 *   and only "plain" / "all-purpose" flour is plain "flour".
 * - "dried basil" matches a pantry "dried basil" first, else "basil" (a household with basil
 *   can cook it); but "basil" or "fresh basil" never takes a pantry "dried basil". The same
 *   holds for "ground" ("ground cumin" → "cumin") and "dry".
 * - "lemon juice" / "lemon zest" match a pantry "lemon juice" first, else "lemon" — for citrus
 *   only ("apple juice" is not "apple").
 * - "oil" and a pantry "vegetable oil" / "sunflower oil" match both ways; "olive oil" is not
 *   plain "oil".
 * - "chopped tomatoes", "canned tomatoes" are tomatoes ("chopped", "canned" are descriptors),
 *   though "a can of tomatoes" prefers a pantry "canned tomatoes" to fresh ones.
 * - Sugars other than white/granulated are their own product: "caster sugar", "brown sugar"
 *   and "icing sugar" are not "sugar". "cheddar cheese" may use a pantry "cheese"; "feta" may not.
 * - A generic "chicken" does not take the pantry's "chicken thighs" (a part is not the whole),
 *   while "chicken thighs" falls back to a pantry "chicken".
 * - "smoked", "pickled", "sun-dried" … make another product ("smoked salmon" ≠ "salmon"),
 *   except for bacon and ham. "red pepper" is left alone (bell pepper or the spice).
 */

/** A pantry entry as the matcher sees it: its key (`normalizeKey(name)`) and display name. */
export interface PantryCandidate {
  key: string;
  name: string;
}

/** The pantry entry an ingredient was matched to, and which rule matched it. */
export interface IngredientMatch {
  pantryKey: string;
  how: 'exact' | 'descriptor' | 'head' | 'synonym';
}

// ---------------------------------------------------------------------------------------------
// Rules tables. Entries are written as people type them; they are normalized (lowercase,
// hyphens as spaces, each word singular) when the module loads, the same way ingredient text is.
// ---------------------------------------------------------------------------------------------

/** Words that describe the state, size, cut or quality of an ingredient, not which ingredient it is. */
const DESCRIPTOR_WORDS = [
  // freshness, size, quality
  'fresh', 'freshly', 'large', 'small', 'medium', 'extra large', 'jumbo', 'big', 'ripe', 'firm',
  'organic', 'free range', 'cage free', 'pasture raised', 'grass fed', 'good quality', 'quality',
  'good', 'best', 'homemade', 'store bought', 'extra', 'unwaxed', 'optional', 'generous', 'scant',
  // cuts and preparations
  'boneless', 'skinless', 'bone in', 'skin on', 'chopped', 'finely', 'roughly', 'coarsely',
  'thinly', 'thickly', 'lightly', 'minced', 'diced', 'sliced', 'grated', 'shredded', 'crushed',
  'cracked', 'cubed', 'halved', 'quartered', 'peeled', 'unpeeled', 'deveined', 'trimmed',
  'rinsed', 'drained', 'washed', 'beaten', 'whisked', 'sifted', 'julienned', 'crumbled', 'mashed',
  'squeezed', 'freshly squeezed', 'deseeded', 'seeded', 'cored', 'hulled', 'stemmed', 'torn',
  'shelled', 'pitted', 'seedless', 'blanched', 'toasted', 'roasted', 'cooked', 'uncooked', 'raw',
  // temperature and storage
  'cold', 'warm', 'chilled', 'room temperature', 'at room temperature', 'softened', 'melted',
  'frozen', 'thawed', 'defrosted', 'canned', 'tinned',
  // how it is measured
  'packed', 'firmly', 'loosely', 'heaped', 'heaping', 'level', 'rounded',
  // fat, salt and sugar variants that households keep under one name
  'extra virgin', 'virgin', 'low fat', 'reduced fat', 'full fat', 'full cream', 'fat free',
  'nonfat', 'non fat', 'skim', 'skimmed', 'semi skimmed', 'lean', 'extra lean', 'light', 'lite',
  'unsalted', 'salted', 'low sodium', 'reduced sodium', 'low salt', 'unsweetened',
  // "whole milk", "whole chicken"; "whole wheat" and "whole grain" are phrases and stay
  'whole',
  // "plain flour" and "all-purpose flour" are what a household calls "flour"
  'plain', 'all purpose', 'natural',
];

/**
 * Modifiers that name a different product whatever they modify ("smoked salmon", "sun-dried
 * tomatoes", "desiccated coconut"): never dropped, and a head match may not cross them.
 */
const BLOCKING_MODIFIERS = [
  'sun dried', 'smoked', 'pickled', 'candied', 'crystallised', 'crystallized', 'desiccated',
  'instant', 'powdered', 'evaporated', 'condensed', 'marinated', 'preserved', 'puffed', 'cured',
];

/** Heads a blocking modifier does not change: smoked bacon is still the household's bacon. */
const BLOCKER_EXCEPTIONS: Readonly<Record<string, readonly string[]>> = {
  bacon: ['smoked', 'cured'],
  ham: ['smoked', 'cured'],
};

/** Containers that say which form the pantry holds: "a can of tomatoes" prefers "canned tomatoes". */
const CONTAINER_FORMS: Readonly<Record<string, readonly string[]>> = {
  can: ['canned', 'tinned'],
  tin: ['canned', 'tinned'],
  jar: ['jarred'],
  bottle: ['bottled'],
};

/**
 * Modifiers for a form of the same thing: "dried basil" may use the pantry's basil, but a plain
 * "basil" does not take the pantry's "dried basil" (fresh is what a recipe usually means).
 */
const ONE_WAY_MODIFIERS = ['dried', 'dry', 'ground'];

/** Words that join two things ("salt and pepper"): a head match may not cross them. */
const CONNECTORS = ['and', 'or', 'with', 'of', 'in', 'on', 'the', 'a'];

/**
 * Heads that a modifier turns into another product ("peanut butter", "coconut milk", "garlic
 * powder"), each with the only modifiers that keep it the plain product. A head not listed here
 * keeps its identity under any modifier ("red onion" is an onion, "cherry tomatoes" tomatoes).
 */
const COMPOUND_HEADS: Readonly<Record<string, readonly string[]>> = {
  oil: ['vegetable', 'cooking', 'neutral', 'sunflower', 'canola', 'corn', 'frying'],
  butter: [],
  milk: ['dairy', 'cow'],
  cream: ['double', 'single', 'whipping', 'thickened', 'pouring'],
  cheese: ['cheddar', 'mature', 'mild', 'sharp', 'strong', 'tasty'],
  yogurt: ['greek', 'greek style', 'set', 'thick'],
  stock: [],
  powder: [],
  paste: [],
  sauce: [],
  juice: [],
  noodles: [],
  flour: [],
  sugar: ['white', 'granulated', 'cane', 'table'],
  salt: ['sea', 'kosher', 'table', 'fine', 'flaky', 'coarse', 'rock', 'iodised', 'iodized', 'himalayan', 'celtic'],
  pepper: ['black', 'ground'],
  vinegar: ['white', 'distilled', 'spirit'],
  wine: ['red', 'white', 'dry', 'table'],
  water: ['hot', 'boiling', 'tap', 'filtered', 'iced', 'lukewarm', 'tepid'],
  chips: [],
  bean: [],
  pea: ['garden', 'green', 'baby', 'sweet'],
  seed: [],
  extract: [],
  syrup: [],
  steak: ['beef', 'sirloin', 'rump', 'ribeye', 'rib eye', 'fillet', 'flank', 'skirt', 't bone'],
};

/**
 * Parts that fall back to what they are cut or squeezed from when the pantry has no entry for
 * the part: "chicken breast" → "chicken", "lemon juice" → "lemon". `null` = from anything.
 */
const PARTS: Readonly<Record<string, readonly string[] | null>> = {
  breast: null,
  thigh: null,
  drumstick: null,
  wing: null,
  leg: null,
  fillet: null,
  loin: null,
  tenderloin: null,
  chop: null,
  cutlet: null,
  shank: null,
  shoulder: null,
  rib: null,
  juice: ['lemon', 'lime', 'orange', 'grapefruit'],
  zest: ['lemon', 'lime', 'orange', 'grapefruit'],
  rind: ['lemon', 'lime', 'orange', 'grapefruit'],
  peel: ['lemon', 'lime', 'orange', 'grapefruit'],
  white: ['egg'],
  yolk: ['egg'],
  // not lime or curry leaves: those are their own product
  leaf: ['basil', 'mint', 'coriander', 'parsley', 'sage', 'tarragon', 'dill', 'spinach', 'lettuce', 'cabbage'],
};

/** Words that only say how much: numbers in words, vague amounts. */
const AMOUNT_WORDS = [
  'a', 'an', 'the', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'dozen', 'half', 'quarter', 'third', 'couple', 'few', 'several', 'some',
  'little', 'bit', 'about', 'approx', 'approximately', 'around', 'x', 'more', 'each', 'of',
];

/** Units of measure, as they come before an ingredient ("2 tbsp oil", "a pinch of salt"). */
const UNIT_WORDS = [
  'cup', 'c', 'tablespoon', 'tbsp', 'tbs', 'tbl', 'tb', 'teaspoon', 'tsp', 't', 'dessertspoon',
  'g', 'gr', 'gram', 'gramme', 'kg', 'kilo', 'kilogram', 'mg', 'ml', 'millilitre', 'milliliter',
  'cl', 'dl', 'l', 'litre', 'liter', 'oz', 'ounce', 'fl', 'fluid', 'lb', 'lbs', 'pound', 'pint',
  'pt', 'quart', 'qt', 'gallon', 'gal', 'dash', 'pinch', 'smidgen', 'drop', 'drizzle', 'splash',
  'glug', 'handful', 'knob', 'dollop', 'scoop', 'sprinkle', 'shot',
];

/** Containers and count words that come before an ingredient ("a can of", "2 cloves", "head of"). */
const CONTAINER_WORDS = [
  'can', 'tin', 'jar', 'bottle', 'packet', 'pack', 'package', 'pkg', 'bag', 'box', 'carton', 'tub',
  'punnet', 'container', 'envelope', 'sachet', 'bunch', 'head', 'sprig', 'stick', 'clove', 'stalk',
  'rib', 'piece', 'slice', 'cube', 'sheet', 'bulb', 'pod', 'rasher', 'fillet', 'loaf', 'bar',
  'block', 'ball', 'wedge', 'strip', 'square', 'ear', 'bundle', 'stem',
];

/** Count words that trail an ingredient and carry no identity ("garlic cloves", "stock cubes"). */
const TRAILING_COUNT_WORDS = [
  'clove', 'sprig', 'bunch', 'head', 'stalk', 'stick', 'cube', 'floret', 'bulb', 'pod', 'rasher',
  'slice', 'strip', 'sheet', 'wedge', 'piece', 'half', 'segment', 'kernel', 'spear', 'chunk', 'stem',
];

/**
 * Multi-word products read as one token, so no rule splits them: a "sweet potato" is not a
 * "potato", a "hot dog" not a "dog", "fish sticks" not "fish". (Synonyms and multi-word
 * descriptors are tokens too; they need no entry here.)
 */
const PRODUCT_PHRASES = [
  'sweet potato', 'bell pepper', 'ground beef', 'ground pork', 'ground lamb', 'ground turkey',
  'ground chicken', 'ground meat', 'icing sugar', 'caster sugar', 'bicarbonate of soda',
  'cream of tartar', 'half and half', 'hot dog', 'fish stick', 'fish finger', 'bread stick',
  'bean sprout', 'whole grain', 'wholemeal', 'frozen yogurt', 'hot chocolate', 'self raising',
  'self rising', 'bok choy', 'ice cream', 'cayenne pepper', 'sour cream', 'cream cheese',
];

/**
 * One spelling for the names a thing goes by, written `variant: canonical`. Canonical values are
 * read like ingredient text, so "heavy cream" becomes "double cream", which is still a kind of
 * "cream". "plain flour" and "all-purpose flour" need no entry: both are descriptors of "flour".
 */
const SYNONYMS: Readonly<Record<string, string>> = {
  'spring onion': 'scallion',
  'green onion': 'scallion',
  'salad onion': 'scallion',
  cilantro: 'coriander',
  'chinese parsley': 'coriander',
  zucchini: 'courgette',
  eggplant: 'aubergine',
  garbanzo: 'chickpea',
  'garbanzo bean': 'chickpea',
  'chick pea': 'chickpea',
  arugula: 'rocket',
  roquette: 'rocket',
  capsicum: 'bell pepper',
  'sweet pepper': 'bell pepper',
  'powdered sugar': 'icing sugar',
  'confectioners sugar': 'icing sugar',
  'superfine sugar': 'caster sugar',
  'castor sugar': 'caster sugar',
  'baking soda': 'bicarbonate of soda',
  'bicarb soda': 'bicarbonate of soda',
  bicarb: 'bicarbonate of soda',
  'sodium bicarbonate': 'bicarbonate of soda',
  'minced beef': 'ground beef',
  'beef mince': 'ground beef',
  mince: 'ground beef',
  'minced pork': 'ground pork',
  'pork mince': 'ground pork',
  'minced lamb': 'ground lamb',
  'lamb mince': 'ground lamb',
  'minced turkey': 'ground turkey',
  'turkey mince': 'ground turkey',
  'minced chicken': 'ground chicken',
  'chicken mince': 'ground chicken',
  prawn: 'shrimp',
  cornflour: 'cornstarch',
  'corn starch': 'cornstarch',
  'heavy cream': 'double cream',
  'heavy whipping cream': 'double cream',
  'light cream': 'single cream',
  'soured cream': 'sour cream',
  'tomato puree': 'tomato paste',
  'tomato purée': 'tomato paste',
  broth: 'stock',
  yoghurt: 'yogurt',
  yogourt: 'yogurt',
  chilli: 'chili',
  chile: 'chili',
  'red pepper flake': 'chili flake',
  'crushed red pepper': 'chili flake',
  beet: 'beetroot',
  swede: 'rutabaga',
  'snow pea': 'mangetout',
  'pak choi': 'bok choy',
  'pak choy': 'bok choy',
  'bok choi': 'bok choy',
  'whole wheat': 'wholemeal',
  wholewheat: 'wholemeal',
  'whole meal': 'wholemeal',
  rapeseed: 'canola',
  soya: 'soy',
  parmigiano: 'parmesan',
  mayo: 'mayonnaise',
  cayenne: 'cayenne pepper',
  'rice wine vinegar': 'rice vinegar',
  // "red pepper" is left alone: it is also the spice ("1/4 tsp red pepper")
  'green pepper': 'green bell pepper',
  'yellow pepper': 'yellow bell pepper',
  'orange pepper': 'orange bell pepper',
  'parmigiano reggiano': 'parmesan',
};

/**
 * Cheeses called with or without the word "cheese" ("parmesan" ↔ "parmesan cheese"); for
 * comparing, "cheese" is added after them. Not "goat" or "blue", which name other things alone.
 */
const CHEESE_NAMES = [
  'cheddar', 'parmesan', 'mozzarella', 'feta', 'ricotta', 'gouda', 'brie', 'halloumi', 'gruyere',
  'pecorino', 'mascarpone', 'emmental', 'manchego', 'provolone', 'stilton', 'camembert', 'edam',
  'paneer',
];

/** Text after these words says what an ingredient is for, not what it is ("oil for frying"). */
const CUT_AFTER = /\s(?:for|to taste|to serve|to garnish|to decorate|plus|if needed|as needed|if desired|if you like|optional)\b.*$/;

// ---------------------------------------------------------------------------------------------
// Normalized forms of the tables, computed once from the constants above.
// ---------------------------------------------------------------------------------------------

/** One word as compared: lowercase already, and singular ("leaves" → "leaf", "noodles" stays). */
function normWord(word: string): string {
  // Only words ending in "s" can be grocery plurals; skipping the rest keeps indexing fast.
  return word.endsWith('s') ? singularize(word) : word;
}

/** Words of a text as compared: lowercase, no punctuation, hyphens as spaces, each singular. */
function splitWords(text: string): string[] {
  // Accents fold away ("crème fraîche" = "creme fraiche"); most text is ASCII and skips the work.
  const folded = /[\u0080-\uffff]/.test(text) ? text.normalize('NFD').replace(/\p{M}/gu, '') : text;
  return folded
    .toLowerCase()
    .replace(/['\u2018\u2019`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .split(' ')
    .filter((word) => word !== '')
    .map(normWord);
}

/** A table entry in the form tokens take: normalized words joined by one space. */
function tok(entry: string): string {
  return splitWords(entry).join(' ');
}

const toSet = (entries: readonly string[]): ReadonlySet<string> => new Set(entries.map(tok));

const DESCRIPTORS = toSet(DESCRIPTOR_WORDS);
const BLOCKERS = toSet(BLOCKING_MODIFIERS);
const ONE_WAY = toSet(ONE_WAY_MODIFIERS);
const CONNECTOR_SET = toSet(CONNECTORS);
const MEASURES = toSet([...AMOUNT_WORDS, ...UNIT_WORDS]);
const LEADING = toSet([...AMOUNT_WORDS, ...UNIT_WORDS, ...CONTAINER_WORDS]);
const TRAILING_COUNTS = toSet(TRAILING_COUNT_WORDS);
const CHEESES = toSet(CHEESE_NAMES);
const CHEESE = tok('cheese');

const COMPOUNDS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(COMPOUND_HEADS).map(([head, allowed]) => [tok(head), toSet(allowed)]),
);

const BLOCKER_EXCEPTION_SETS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(BLOCKER_EXCEPTIONS).map(([head, allowed]) => [tok(head), toSet(allowed)]),
);

const FORMS: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries(CONTAINER_FORMS).map(([container, forms]) => [tok(container), forms.map(tok)]),
);

const PART_OWNERS: ReadonlyMap<string, ReadonlySet<string> | null> = new Map(
  Object.entries(PARTS).map(([part, owners]) => [tok(part), owners === null ? null : toSet(owners)]),
);

/** Every multi-word phrase, keyed by its first word, longest first: the tokenizer's lexicon. */
const PHRASES: ReadonlyMap<string, readonly (readonly string[])[]> = (() => {
  const all = [
    ...DESCRIPTOR_WORDS,
    ...BLOCKING_MODIFIERS,
    ...PRODUCT_PHRASES,
    ...Object.keys(SYNONYMS),
    ...Object.values(COMPOUND_HEADS).flat(),
  ];
  const byFirst = new Map<string, string[][]>();
  for (const entry of all) {
    const words = splitWords(entry);
    const first = words[0];
    if (words.length < 2 || first === undefined) continue;
    const list = byFirst.get(first) ?? [];
    if (!list.some((known) => known.join(' ') === words.join(' '))) list.push(words);
    byFirst.set(first, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.length - a.length);
  return byFirst;
})();

/** Reads a list of words into tokens, joining the longest known phrase at each position. */
function tokenize(words: readonly string[]): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < words.length) {
    const word = words[i] ?? '';
    const phrase = PHRASES.get(word)?.find((candidate) => candidate.every((part, offset) => words[i + offset] === part));
    const length = phrase?.length ?? 1;
    tokens.push(words.slice(i, i + length).join(' '));
    i += length;
  }
  return tokens;
}

/** Synonym tokens → their canonical tokens ("cilantro" → ["coriander"]). */
const SYNONYM_TOKENS: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries(SYNONYMS).map(([variant, canonical]) => [tok(variant), tokenize(splitWords(canonical))]),
);

// ---------------------------------------------------------------------------------------------
// Reading one ingredient (or pantry name).
// ---------------------------------------------------------------------------------------------

/** How one name reads, at the three levels the tiers compare. */
interface ReadName {
  /** Tokens without amounts and containers, descriptors kept: compared by the `exact` tier. */
  readonly name: readonly string[];
  /** Tokens that carry identity: {@link ingredientCore}. */
  readonly core: readonly string[];
  /** `core` with synonyms mapped to one spelling: compared by `synonym` and `head`. */
  readonly canon: readonly string[];
  /** Every token as written, and the forms its containers imply: breaks ties between entries. */
  readonly written: ReadonlySet<string>;
}

/** Whether a piece of text names something, rather than only saying how much or how cut. */
function namesSomething(text: string): boolean {
  return tokenize(splitWords(text)).some((token) => !/\p{N}/u.test(token) && !DESCRIPTORS.has(token) && !LEADING.has(token));
}

/**
 * The naming part of an ingredient line, split into its "or" alternatives, cleaned: the text up
 * to the first comma — or further when that only describes ("boneless, skinless chicken thighs").
 */
function alternativesOf(text: string): string[] {
  const cleaned = cleanText(text).replace(/\([^)]*\)?|\[[^\]]*\]?/g, ' ');
  const segments = cleaned.split(/[,;:]/);
  let naming = segments[0] ?? '';
  for (let i = 1; i < segments.length && !namesSomething(naming); i += 1) naming += ` ${segments[i] ?? ''}`;
  const withoutPurpose = ` ${naming} `.replace(CUT_AFTER, ' ');
  return withoutPurpose
    .split(/\s(?:or|and\/or)\s/)
    .map((alternative) => alternative.trim())
    .filter((alternative) => /\p{L}/u.test(alternative));
}

/** Drops leading amounts, units, containers and "of": "2 cans of chickpeas" → "chickpeas". */
function dropLeading(tokens: readonly string[]): readonly string[] {
  let start = 0;
  while (start < tokens.length - 1 && LEADING.has(tokens[start] ?? '')) start += 1;
  return tokens.slice(start);
}

/** "juice of 1 lemon" → "lemon juice"; "zest and juice of a lime" → "lime zest". */
function readPartOf(tokens: readonly string[]): readonly string[] {
  const of = tokens.indexOf('of');
  if (of <= 0 || of === tokens.length - 1) return tokens;
  const before = tokens.slice(0, of);
  // "a thumb-sized piece of ginger": whatever leads up to a container is not the ingredient
  if (LEADING.has(tokens[of - 1] ?? '')) return dropLeading(tokens.slice(of + 1));
  const part = before[0];
  const isPartList = before.every((token) => token === 'and' || PART_OWNERS.has(token));
  if (!isPartList || part === undefined || !PART_OWNERS.has(part)) return tokens;
  return [...dropLeading(tokens.slice(of + 1)), part];
}

/** Drops trailing count words: "garlic cloves" → "garlic", "chicken stock cubes" → "chicken stock". */
function dropTrailingCounts(tokens: readonly string[]): readonly string[] {
  let end = tokens.length;
  while (end > 1 && TRAILING_COUNTS.has(tokens[end - 1] ?? '')) end -= 1;
  return tokens.slice(0, end);
}

/** Maps synonyms to one spelling and gives known cheeses their "cheese". */
function canonicalize(core: readonly string[]): readonly string[] {
  let canon: string[] | undefined;
  core.forEach((token, i) => {
    const synonym = SYNONYM_TOKENS.get(token);
    // Most names have no synonym: copy only when one is found.
    if (synonym !== undefined) canon ??= core.slice(0, i);
    if (canon !== undefined) canon.push(...(synonym ?? [token]));
  });
  const result = canon ?? core;
  const last = result[result.length - 1];
  return last !== undefined && CHEESES.has(last) ? [...result, CHEESE] : result;
}

const EMPTY_READ: ReadName = { name: [], core: [], canon: [], written: new Set() };

/** Reads one alternative of an ingredient (or a pantry name) at all three levels. */
function readAlternative(text: string): ReadName {
  const words = splitWords(text).filter((word) => !/\p{N}/u.test(word));
  const tokens = tokenize(words);
  const name = dropTrailingCounts(readPartOf(dropLeading(tokens)));
  const described = tokens.filter((token) => !DESCRIPTORS.has(token));
  // A name made only of descriptors ("fresh") keeps its last word rather than vanishing.
  const kept = described.length > 0 ? described : tokens.slice(-1);
  const core = dropTrailingCounts(readPartOf(dropLeading(kept)));
  // Only an amount ("2 tbsp") names nothing; a lone container word may ("cloves", the spice).
  if (core.length === 1 && MEASURES.has(core[0] ?? '')) return EMPTY_READ;
  const written = new Set(tokens.flatMap((token) => [token, ...(FORMS.get(token) ?? [])]));
  return { name, core, canon: canonicalize(core), written };
}

/**
 * The words of an ingredient that carry its identity: amounts, units, containers, descriptors,
 * preparations and sizes removed, each word singular, synonyms left as written.
 *
 * @example ingredientCore('2 large free-range eggs, beaten') // 'egg'
 * @example ingredientCore('a can of chickpeas') // 'chickpea'
 * @example ingredientCore('juice of 1 lemon') // 'lemon juice'
 */
export function ingredientCore(ingredient: string): string {
  const first = alternativesOf(ingredient)[0];
  return first === undefined ? '' : readAlternative(first).core.join(' ');
}

// ---------------------------------------------------------------------------------------------
// The pantry index and the tiers.
// ---------------------------------------------------------------------------------------------

/** A pantry entry as read by {@link createPantryIndex}: its key, position and tokens. */
export interface IndexedPantryEntry {
  readonly key: string;
  readonly order: number;
  /** Tokens without amounts, containers and count words ("large egg"). */
  readonly name: readonly string[];
  /** Tokens that carry identity ("egg"). */
  readonly core: readonly string[];
  /** `core` with synonyms mapped to one spelling ("cilantro" → "coriander"). */
  readonly canon: readonly string[];
}

/** A pantry read once, for matching many ingredients against it (a whole recipe). */
export interface PantryIndex {
  readonly size: number;
  /** @internal entries by their `exact` / `descriptor` / `canon` text and by their head token. */
  readonly byName: ReadonlyMap<string, readonly IndexedPantryEntry[]>;
  readonly byCore: ReadonlyMap<string, readonly IndexedPantryEntry[]>;
  readonly byCanon: ReadonlyMap<string, readonly IndexedPantryEntry[]>;
  readonly byHead: ReadonlyMap<string, readonly IndexedPantryEntry[]>;
}

function addTo(map: Map<string, IndexedPantryEntry[]>, text: string, entry: IndexedPantryEntry): void {
  if (text === '') return;
  const list = map.get(text);
  if (list === undefined) map.set(text, [entry]);
  else list.push(entry);
}

/**
 * Reads a pantry once so that each ingredient is matched with a few map look-ups.
 *
 * @example
 * const index = createPantryIndex(pantry);
 * const matches = recipe.ingredients.map((line) => matchIngredientIn(index, line));
 */
export function createPantryIndex(pantry: readonly PantryCandidate[]): PantryIndex {
  const byName = new Map<string, IndexedPantryEntry[]>();
  const byCore = new Map<string, IndexedPantryEntry[]>();
  const byCanon = new Map<string, IndexedPantryEntry[]>();
  const byHead = new Map<string, IndexedPantryEntry[]>();
  pantry.forEach((candidate, order) => {
    const first = alternativesOf(candidate.name)[0];
    const read = first === undefined ? EMPTY_READ : readAlternative(first);
    const entry: IndexedPantryEntry = { name: read.name, core: read.core, canon: read.canon, key: candidate.key, order };
    addTo(byName, read.name.join(' '), entry);
    addTo(byCore, read.core.join(' '), entry);
    addTo(byCanon, read.canon.join(' '), entry);
    addTo(byHead, read.canon[read.canon.length - 1] ?? '', entry);
  });
  return { size: pantry.length, byName, byCore, byCanon, byHead };
}

/**
 * The best of several entries one tier found: the one sharing most words with the ingredient
 * as written ("cold unsalted butter" prefers "unsalted butter" to "salted butter"), then the
 * plainest, then by key, so the answer never depends on pantry order.
 */
function pickBest(entries: readonly IndexedPantryEntry[], written: ReadonlySet<string>): IndexedPantryEntry | undefined {
  let best: IndexedPantryEntry | undefined;
  let bestShared = -1;
  for (const entry of entries) {
    const shared = entry.name.filter((token) => written.has(token)).length;
    const better =
      best === undefined ||
      shared > bestShared ||
      (shared === bestShared &&
        (entry.name.length < best.name.length ||
          (entry.name.length === best.name.length &&
            (entry.key < best.key || (entry.key === best.key && entry.order < best.order)))));
    if (better) {
      best = entry;
      bestShared = shared;
    }
  }
  return best;
}

/**
 * Whether `modifiers` in front of `matched` (a pantry core) keep it the same product. A bare
 * compound head takes only its listed modifiers ("peanut" + "butter" is not butter); once the
 * pantry names the compound itself ("peanut butter"), more modifiers only refine it
 * ("crunchy peanut butter"). One-way modifiers pass only reading ingredient → pantry.
 */
function keepsIdentity(modifiers: readonly string[], matched: readonly string[], oneWayAllowed: boolean): boolean {
  const allowed = matched.length === 1 ? COMPOUNDS.get(matched[0] ?? '') : undefined;
  const exceptions = BLOCKER_EXCEPTION_SETS.get(matched[matched.length - 1] ?? '');
  return modifiers.every((modifier) => {
    if (CONNECTOR_SET.has(modifier)) return false;
    if (BLOCKERS.has(modifier)) return exceptions?.has(modifier) === true;
    if (allowed !== undefined) return allowed.has(modifier);
    return oneWayAllowed || !ONE_WAY.has(modifier);
  });
}

/** The longest pantry entry that is the head of `canon` with identity-keeping modifiers. */
function matchHead(index: PantryIndex, canon: readonly string[], written: ReadonlySet<string>): IndexedPantryEntry | undefined {
  for (let start = 1; start < canon.length; start += 1) {
    const suffix = canon.slice(start);
    const entries = index.byCanon.get(suffix.join(' '));
    if (entries === undefined) continue;
    // A shorter suffix would only add modifiers in front, so the first one found decides.
    if (!keepsIdentity(canon.slice(0, start), suffix, true)) return undefined;
    return pickBest(entries, written);
  }
  return undefined;
}

/** A part's fallback to its whole: "chicken breast" → pantry "chicken". */
function matchWhole(index: PantryIndex, canon: readonly string[], written: ReadonlySet<string>): IndexedPantryEntry | undefined {
  const part = canon[canon.length - 1];
  const owner = canon[canon.length - 2];
  if (part === undefined || owner === undefined || !PART_OWNERS.has(part)) return undefined;
  const owners = PART_OWNERS.get(part);
  if (owners !== null && owners !== undefined && !owners.has(owner)) return undefined;
  const whole = canon.slice(0, -1);
  const same = index.byCanon.get(whole.join(' '));
  return same !== undefined ? pickBest(same, written) : matchHead(index, whole, written);
}

/** A plain ingredient taking a more specific pantry entry of the same thing: "oil" → "vegetable oil". */
function matchSpecific(index: PantryIndex, canon: readonly string[]): IndexedPantryEntry | undefined {
  const head = canon[canon.length - 1];
  if (head === undefined) return undefined;
  const fits = (index.byHead.get(head) ?? []).filter((entry) => {
    const extra = entry.canon.length - canon.length;
    return (
      extra > 0 &&
      canon.every((token, i) => entry.canon[extra + i] === token) &&
      keepsIdentity(entry.canon.slice(0, extra), canon, false)
    );
  });
  // Fewest extra words first: the plainest of the more specific entries.
  const fewest = Math.min(...fits.map((entry) => entry.canon.length));
  return pickBest(
    fits.filter((entry) => entry.canon.length === fewest),
    new Set(),
  );
}

/** Matches one "or" alternative through the tiers, first tier that finds an entry winning. */
function matchAlternative(index: PantryIndex, text: string): IngredientMatch | null {
  const read = readAlternative(text);
  if (read.core.length === 0) return null;
  const { written } = read;
  const found = (entry: IndexedPantryEntry | undefined, how: IngredientMatch['how']): IngredientMatch | null =>
    entry === undefined ? null : { pantryKey: entry.key, how };
  return (
    found(pickBest(index.byName.get(read.name.join(' ')) ?? [], written), 'exact') ??
    found(pickBest(index.byCore.get(read.core.join(' ')) ?? [], written), 'descriptor') ??
    found(pickBest(index.byCanon.get(read.canon.join(' ')) ?? [], written), 'synonym') ??
    found(matchHead(index, read.canon, written), 'head') ??
    found(matchWhole(index, read.canon, written), 'head') ??
    found(matchSpecific(index, read.canon), 'head')
  );
}

/**
 * The pantry entry an ingredient means, or null, against a pantry read by
 * {@link createPantryIndex}. Each "or" alternative is tried in order.
 *
 * @example matchIngredientIn(index, '2 garlic cloves, minced') // { pantryKey: 'garlic', how: 'exact' }
 */
export function matchIngredientIn(index: PantryIndex, ingredient: string): IngredientMatch | null {
  if (index.size === 0) return null;
  for (const alternative of alternativesOf(ingredient)) {
    const match = matchAlternative(index, alternative);
    if (match !== null) return match;
  }
  return null;
}

/**
 * The pantry entry an ingredient means, or null. Pure and deterministic; the answer does not
 * depend on the order of the pantry. To match a whole recipe, read the pantry once with
 * {@link createPantryIndex} and use {@link matchIngredientIn}.
 *
 * @example matchIngredient('extra virgin olive oil', [{ key: 'olive oil', name: 'Olive oil' }])
 * // { pantryKey: 'olive oil', how: 'descriptor' }
 * @example matchIngredient('peanut butter', [{ key: 'butter', name: 'butter' }]) // null
 */
export function matchIngredient(ingredient: string, pantry: readonly PantryCandidate[]): IngredientMatch | null {
  return matchIngredientIn(createPantryIndex(pantry), ingredient);
}
