import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogKey, createCatalog, loadCatalogEntries, type CatalogMatchKind } from '../src/core/catalog/catalog.ts';
import { DEFAULT_CATEGORIES, isDefaultCategory, type DefaultCategory } from '../src/core/catalog/default-categories.ts';

const catalog = createCatalog();

const PUBLIC_EXAMPLES = fileURLToPath(new URL('../../shared/corpus/categories.public.jsonl', import.meta.url));

/** Items and the aisle a household expects, grouped by what they exercise. */
const CASES: Record<string, ReadonlyArray<readonly [name: string, category: DefaultCategory]>> = {
  'everyday items': [
    ['milk', 'Dairy & Eggs'], ['eggs', 'Dairy & Eggs'], ['butter', 'Dairy & Eggs'], ['cheddar', 'Dairy & Eggs'],
    ['bread', 'Bakery'], ['bagels', 'Bakery'], ['croissants', 'Bakery'], ['tortillas', 'Bakery'],
    ['bananas', 'Produce'], ['onions', 'Produce'], ['potatoes', 'Produce'], ['tomatoes', 'Produce'], ['garlic', 'Produce'],
    ['lemons', 'Produce'], ['avocados', 'Produce'], ['mushrooms', 'Produce'], ['blueberries', 'Produce'], ['cherries', 'Produce'],
    ['chicken', 'Meat & Seafood'], ['ground beef', 'Meat & Seafood'], ['bacon', 'Meat & Seafood'], ['shrimp', 'Meat & Seafood'],
    ['prawns', 'Meat & Seafood'], ['mussels', 'Meat & Seafood'], ['rice', 'Pantry'], ['pasta', 'Pantry'], ['spaghetti', 'Pantry'],
    ['flour', 'Pantry'], ['sugar', 'Pantry'], ['olive oil', 'Pantry'], ['ketchup', 'Pantry'], ['honey', 'Pantry'],
    ['cereal', 'Pantry'], ['oats', 'Pantry'], ['lentils', 'Pantry'], ['coffee', 'Beverages'], ['tea', 'Beverages'],
    ['orange juice', 'Beverages'], ['beer', 'Beverages'], ['wine', 'Beverages'], ['cookies', 'Snacks'], ['popcorn', 'Snacks'],
    ['pretzels', 'Snacks'], ['batteries', 'Household'], ['light bulbs', 'Household'], ['aluminum foil', 'Household'],
    ['trash bags', 'Household'], ['shampoo', 'Personal Care'], ['deodorant', 'Personal Care'], ['tampons', 'Personal Care'],
    ['ibuprofen', 'Personal Care'], ['gift card', 'Other'], ['stamps', 'Other'],
  ],
  'UK and US names': [
    ['nappies', 'Personal Care'], ['diapers', 'Personal Care'], ['courgette', 'Produce'], ['zucchini', 'Produce'],
    ['aubergine', 'Produce'], ['eggplant', 'Produce'], ['coriander', 'Produce'], ['cilantro', 'Produce'], ['rocket', 'Produce'],
    ['arugula', 'Produce'], ['spring onions', 'Produce'], ['scallions', 'Produce'], ['swede', 'Produce'], ['rutabaga', 'Produce'],
    ['mangetout', 'Produce'], ['snow peas', 'Produce'], ['crisps', 'Snacks'], ['chips', 'Snacks'], ['biscuits', 'Snacks'],
    ['digestives', 'Snacks'], ['sweets', 'Snacks'], ['candy', 'Snacks'], ['kitchen roll', 'Household'], ['paper towels', 'Household'],
    ['washing-up liquid', 'Household'], ['washing up liquid', 'Household'], ['dish soap', 'Household'], ['cling film', 'Household'],
    ['plastic wrap', 'Household'], ['bin bags', 'Household'], ['garbage bags', 'Household'], ['tin foil', 'Household'],
    ['loo roll', 'Household'], ['minced beef', 'Meat & Seafood'], ['mince', 'Meat & Seafood'], ['double cream', 'Dairy & Eggs'],
    ['heavy cream', 'Dairy & Eggs'], ['icing sugar', 'Pantry'], ['powdered sugar', 'Pantry'], ['plain flour', 'Pantry'],
    ['all-purpose flour', 'Pantry'], ['self-raising flour', 'Pantry'], ['bicarbonate of soda', 'Pantry'], ['baking soda', 'Pantry'],
    ['cornflour', 'Pantry'], ['cornstarch', 'Pantry'], ['tomato puree', 'Pantry'], ['ice lolly', 'Frozen'], ['popsicles', 'Frozen'],
    ['fish fingers', 'Frozen'], ['fish sticks', 'Frozen'], ['oven chips', 'Frozen'], ['french fries', 'Frozen'],
    ['fizzy drinks', 'Beverages'], ['soda', 'Beverages'], ['orange squash', 'Beverages'], ['plasters', 'Personal Care'],
    ['band aids', 'Personal Care'], ['paracetamol', 'Personal Care'], ['acetaminophen', 'Personal Care'], ['cotton buds', 'Personal Care'],
    ['sun cream', 'Personal Care'], ['sunscreen', 'Personal Care'], ['yoghurt', 'Dairy & Eggs'], ['soya milk', 'Dairy & Eggs'],
    ['tea towels', 'Household'], ['fabric conditioner', 'Household'], ['washing powder', 'Household'],
  ],
  'false friends': [
    ['peanut butter', 'Pantry'], ['butter', 'Dairy & Eggs'], ['ice cream', 'Frozen'], ['cream', 'Dairy & Eggs'],
    ['coconut milk', 'Pantry'], ['almond milk', 'Dairy & Eggs'], ['oat milk', 'Dairy & Eggs'], ['chocolate milk', 'Dairy & Eggs'],
    ['milk chocolate', 'Snacks'], ['hot dog', 'Meat & Seafood'], ['hot dogs', 'Meat & Seafood'], ['hot dog buns', 'Bakery'],
    ['cream cheese', 'Dairy & Eggs'], ['sour cream', 'Dairy & Eggs'], ['butternut squash', 'Produce'], ['butter beans', 'Pantry'],
    ['tea bags', 'Beverages'], ['tea towel', 'Household'], ['dish soap', 'Household'], ['hand soap', 'Personal Care'],
    ['toilet paper', 'Household'], ['mac and cheese', 'Pantry'], ['mac & cheese', 'Pantry'], ['hot sauce', 'Pantry'],
    ['soy sauce', 'Pantry'], ['sweet potato', 'Produce'], ['sweet potatoes', 'Produce'], ['spring onion', 'Produce'],
    ['spring rolls', 'Frozen'], ['tomato paste', 'Pantry'], ['canned tomato', 'Pantry'], ['tomato sauce', 'Pantry'],
    ['chicken stock', 'Pantry'], ['chicken breast', 'Meat & Seafood'], ['chicken nuggets', 'Frozen'], ['chicken noodle soup', 'Pantry'],
    ['frozen peas', 'Frozen'], ['peas', 'Produce'], ['frozen pizza', 'Frozen'], ['coconut water', 'Beverages'],
    ['coconut', 'Produce'], ['baby wipes', 'Personal Care'], ['baby spinach', 'Produce'], ['baby oil', 'Personal Care'],
    ['fish sauce', 'Pantry'], ['fish oil', 'Personal Care'], ['shaving cream', 'Personal Care'], ['hand cream', 'Personal Care'],
    ['lemon juice', 'Pantry'], ['lemonade', 'Beverages'], ['ginger ale', 'Beverages'], ['ground ginger', 'Pantry'],
    ['ginger', 'Produce'], ['black pepper', 'Pantry'], ['red pepper', 'Produce'], ['green beans', 'Produce'],
    ['coffee beans', 'Beverages'], ['jelly beans', 'Snacks'], ['kidney beans', 'Pantry'], ['corn flakes', 'Pantry'],
    ['corn', 'Produce'], ['popcorn kernels', 'Pantry'], ['cat food', 'Household'], ['dog food', 'Household'],
    ['freezer bags', 'Household'], ['chocolate chips', 'Pantry'], ['potato chips', 'Snacks'], ['rice cakes', 'Snacks'],
    ['rice noodles', 'Pantry'], ['cream of tartar', 'Pantry'], ['cream crackers', 'Snacks'], ['whipped cream', 'Dairy & Eggs'],
    ['apple juice', 'Beverages'], ['apple pie', 'Bakery'], ['apple sauce', 'Pantry'], ['pineapple', 'Produce'],
    ['orange', 'Produce'], ['soda bread', 'Bakery'], ['water', 'Beverages'], ['watercress', 'Produce'], ['rose water', 'Pantry'],
  ],
  'plurals and forms': [
    ['apple', 'Produce'], ['APPLES', 'Produce'], ['Tomato', 'Produce'], ['cherry tomatoes', 'Produce'], ['bay leaves', 'Pantry'], ['bay leaf', 'Pantry'], ['strawberries', 'Produce'], ['loaves of bread', 'Bakery'],
    ['knives', 'Household'], ['peaches', 'Produce'], ['radishes', 'Produce'], ['anchovies', 'Pantry'], ['brownies', 'Bakery'],
    ['pork chops', 'Meat & Seafood'], ['lamb chop', 'Meat & Seafood'], ['chives', 'Produce'], ['noodles', 'Pantry'],
    ['ice-cream', 'Frozen'], ['icecream', 'Frozen'], ['teabags', 'Beverages'], ['Crème Fraîche', 'Dairy & Eggs'],
    ["lamb's lettuce", 'Produce'], ["mac 'n' cheese", 'Pantry'], ['jalapeños', 'Produce'],
  ],
  descriptors: [
    ['Greek Yogurt', 'Dairy & Eggs'], ['fresh parsley', 'Produce'], ['2% milk', 'Dairy & Eggs'], ['1% milk', 'Dairy & Eggs'],
    ['organic free-range eggs', 'Dairy & Eggs'], ['large eggs', 'Dairy & Eggs'], ['eggs large free range', 'Dairy & Eggs'],
    ['extra virgin olive oil', 'Pantry'], ['ripe bananas', 'Produce'], ['small red onions', 'Produce'], ['skimmed milk', 'Dairy & Eggs'],
    ['semi-skimmed milk', 'Dairy & Eggs'], ['milk semi skimmed', 'Dairy & Eggs'], ['low-fat yogurt', 'Dairy & Eggs'],
    ['whole milk', 'Dairy & Eggs'], ['milk 2l', 'Dairy & Eggs'], ['2 l milk', 'Dairy & Eggs'], ['500g mince', 'Meat & Seafood'],
    ['boneless skinless chicken thighs', 'Meat & Seafood'], ['organic baby carrots', 'Produce'], ['unsalted butter', 'Dairy & Eggs'],
    ['a dozen eggs', 'Dairy & Eggs'], ['a bag of apples', 'Produce'], ['loaf of bread', 'Bakery'], ['bottle of red wine', 'Beverages'],
    ['head of lettuce', 'Produce'], ['bunch of bananas', 'Produce'], ['box of cereal', 'Pantry'], ['cheap wine', 'Beverages'],
  ],
  'aisle-changing words': [
    ['frozen peas', 'Frozen'], ['frozen spinach', 'Frozen'], ['frozen blueberries', 'Frozen'], ['frozen prawns', 'Frozen'],
    ['frozen chicken breasts', 'Frozen'], ['frozen garden peas', 'Frozen'], ['frozen dumplings', 'Frozen'], ['frozen cat litter', 'Household'],
    ['canned chickpeas', 'Pantry'], ['tinned tomatoes', 'Pantry'], ['canned corn', 'Pantry'], ['canned peaches', 'Pantry'],
    ['tinned salmon', 'Pantry'], ['canned soda', 'Beverages'], ['2 tins of tomatoes', 'Pantry'], ['a can of chickpeas', 'Pantry'],
    ['dried thyme', 'Pantry'], ['dried parsley', 'Pantry'], ['dried apricots', 'Pantry'],
    ['dried chillies', 'Pantry'], ['ground cumin', 'Pantry'], ['ground turmeric', 'Pantry'], ['ground beef', 'Meat & Seafood'],
    ['ground coffee', 'Beverages'], ['pickled onions', 'Pantry'], ['pickled beets', 'Pantry'], ['powdered milk', 'Pantry'],
  ],
  'head nouns': [
    ['salmon fillets', 'Meat & Seafood'], ['cod fillets', 'Meat & Seafood'], ['baby spinach leaves', 'Produce'],
    ['red onion', 'Produce'], ['strawberry yogurt', 'Dairy & Eggs'], ['chocolate chip cookies', 'Snacks'],
    ['vanilla ice cream', 'Frozen'], ['mint choc chip ice cream', 'Frozen'], ['crunchy peanut butter', 'Pantry'],
    ['sea salt and vinegar crisps', 'Snacks'], ['garlic powder', 'Pantry'], ['smoked paprika', 'Pantry'],
    ['sourdough loaf', 'Bakery'], ['herbal tea bags', 'Beverages'], ['lavender fabric softener', 'Household'],
    ['pomegranate seeds', 'Produce'], ['broccoli florets', 'Produce'], ['beef mince 5% fat', 'Meat & Seafood'],
    ['chicken thigh fillets', 'Meat & Seafood'], ['pork sausages', 'Meat & Seafood'], ['lamb shoulder', 'Meat & Seafood'],
    ['sliced ham', 'Meat & Seafood'], ['mature cheddar cheese', 'Dairy & Eggs'], ['goats cheese', 'Dairy & Eggs'],
    ['apple cider vinegar', 'Pantry'], ['raspberry jam', 'Pantry'], ['thai green curry paste', 'Pantry'],
    ['led light bulbs', 'Household'], ['anti-dandruff shampoo', 'Personal Care'],
    ['mint toothpaste', 'Personal Care'], ['lemon washing-up liquid', 'Household'], ['bio washing powder', 'Household'],
    ['rye sourdough', 'Bakery'], ['gluten free bread', 'Bakery'], ['wholemeal pitta bread', 'Bakery'],
    ['diet cola', 'Beverages'], ['oat milk barista', 'Dairy & Eggs'],
  ],
  typos: [
    ['bananna', 'Produce'], ['bannanas', 'Produce'], ['brocoli', 'Produce'], ['brocolli', 'Produce'], ['tomatoe', 'Produce'],
    ['potatoes', 'Produce'], ['potatoe', 'Produce'], ['avacado', 'Produce'], ['zuchini', 'Produce'], ['parsely', 'Produce'],
    ['tumeric', 'Pantry'], ['cinammon', 'Pantry'], ['chiken', 'Meat & Seafood'], ['chiken breast', 'Meat & Seafood'],
    ['mozarella', 'Dairy & Eggs'], ['spagetti', 'Pantry'], ['mayonaise', 'Pantry'], ['strawbery', 'Produce'],
    ['pinapple', 'Produce'], ['mushrom', 'Produce'], ['spinnach', 'Produce'], ['cucmber', 'Produce'], ['toothpast', 'Personal Care'],
    ['shampooo', 'Personal Care'], ['coffe', 'Beverages'], ['expresso', 'Beverages'],
  ],
};

/** Names the catalog must not know: no guess is better than a wrong aisle. */
const UNKNOWN = [
  'xyzzy', 'plumber', 'call the plumber', 'homework', 'dentist appointment', 'qwerty', 'car keys', 'birthday', 'laundry',
  'kitchen', 'children', 'garage', 'table', 'mouse', 'meeting', 'insurance', 'football practice', 'asdfgh', 'the', 'fresh',
  'organic', 'dog', 'hot', 'steam', 'baton', 'grade', 'tunic', 'chord', 'lamps', 'brides', 'breeds', 'later', '', '   ', '123',
  'frozen', 'ground', 'a', 'leaves', 'can of coke', 'a bag of xyzzy',
];

describe('catalog data', () => {
  const entries = loadCatalogEntries();

  it('holds at least 1,000 items, every one under a default category', () => {
    expect(entries.length).toBeGreaterThanOrEqual(1000);
    expect(catalog.size).toBeGreaterThanOrEqual(1000);
    for (const [name, category] of entries) {
      expect(isDefaultCategory(category), `${name}: ${category}`).toBe(true);
      expect(name, 'names are lowercase and trimmed').toBe(name.toLowerCase().trim());
    }
  });

  it('has items in every default category', () => {
    const used = new Set(entries.map(([, category]) => category));
    expect([...used].sort()).toEqual([...DEFAULT_CATEGORIES].sort());
  });

  it('never lists the same item twice, in the same or another category', () => {
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const [name, category] of entries) {
      const key = catalogKey(name);
      const before = seen.get(key);
      if (before !== undefined) clashes.push(`"${name}" (${category}) = ${before}`);
      else seen.set(key, `"${name}" (${category})`);
    }
    expect(clashes).toEqual([]);
    expect(catalog.size).toBe(entries.length);
  });

  it('finds every item of the data under its own category', () => {
    const wrong = entries
      .map(([name, category]) => [name, category, catalog.lookup(name)] as const)
      .filter(([, category, match]) => match?.category !== category || match.how !== 'exact')
      .map(([name, category, match]) => `${name}: ${category} != ${JSON.stringify(match)}`);
    expect(wrong).toEqual([]);
  });
});

describe('public examples', () => {
  const present = existsSync(PUBLIC_EXAMPLES);
  if (!present) {
    it.skip(`skipped: ${PUBLIC_EXAMPLES} is absent (the shared corpus is not checked out beside this repo)`, () => {});
    return;
  }
  const lines = readFileSync(PUBLIC_EXAMPLES, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const examples = lines.map((line) => JSON.parse(line) as { name: string; category: string });

  it('has examples to check', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('$name → $category', ({ name, category }) => {
    expect(catalog.lookup(name)?.category).toBe(category);
  });
});

describe('lookup', () => {
  for (const [group, cases] of Object.entries(CASES)) {
    describe(group, () => {
      it.each(cases)('%s → %s', (name, category) => {
        expect(catalog.lookup(name)?.category).toBe(category);
      });
    });
  }

  it.each(UNKNOWN)('does not know %j', (name) => {
    expect(catalog.lookup(name)).toBeNull();
  });

  it('says how it matched, naming the catalog item', () => {
    const how = (name: string): [string, CatalogMatchKind] | null => {
      const match = catalog.lookup(name);
      return match ? [match.matched, match.how] : null;
    };
    expect(how('Greek Yogurt')).toEqual(['greek yogurt', 'exact']);
    expect(how('apples')).toEqual(['apple', 'exact']);
    expect(how('fresh parsley')).toEqual(['parsley', 'descriptor']);
    expect(how('2% milk')).toEqual(['milk', 'descriptor']);
    expect(how('canned chickpeas')).toEqual(['chickpeas', 'descriptor']);
    expect(how('trout fillets')).toEqual(['trout', 'head']);
    expect(how('baby spinach leaves')).toEqual(['baby spinach', 'head']);
    expect(how('bananna')).toEqual(['banana', 'fuzzy']);
    expect(how('brocoli')).toEqual(['broccoli', 'fuzzy']);
    expect(how('tomatoe')).toEqual(['tomato', 'fuzzy']);
    expect(how('frozen xyzzy')).toEqual(['frozen', 'descriptor']);
  });

  it('gives the same answer however the name is cased, spaced or punctuated', () => {
    for (const name of ['Peanut Butter', '  peanut   butter ', 'PEANUT BUTTER!', 'peanut-butter']) {
      expect(catalog.lookup(name)?.category, name).toBe('Pantry');
    }
  });

  it('answers normalized keys as the category service passes them', () => {
    expect(catalog.lookup('free-range egg')?.category).toBe('Dairy & Eggs');
    expect(catalog.lookup('tea bag')?.category).toBe('Beverages');
    expect(catalog.lookup('chickpea')?.category).toBe('Pantry');
  });

  it('is fast enough to call per word', () => {
    const names = ['milk', 'organic free-range eggs', 'salmon fillets', 'bananna', 'call the plumber', 'frozen garden peas'];
    const rounds = 500;
    const started = performance.now();
    for (let round = 0; round < rounds; round++) for (const name of names) catalog.lookup(name);
    const perLookup = (performance.now() - started) / (rounds * names.length);
    expect(perLookup).toBeLessThan(0.5);
  });
});

describe('isItem', () => {
  it.each([
    'apples', 'apple', 'bananas', 'oranges', 'mac and cheese', 'macaroni and cheese', 'tea bags', 'tea bag', 'toilet paper',
    'peanut butter', 'ice cream', 'half and half', 'salt and vinegar crisps', 'sweet and sour sauce', 'washing-up liquid',
    'chives', 'sweets', 'greens', 'potato chip', 'nappies', 'mac & cheese',
  ])('%s is an item', (phrase) => {
    expect(catalog.isItem(phrase)).toBe(true);
  });

  it.each([
    'apples bananas', 'apples bananas and oranges', 'apples and', 'mac and', 'and cheese', 'fresh apples', 'bananna', 'xyzzy',
    '', 'plumber', 'green', 'sweet', 'the milk', 'milk and eggs',
  ])('%j is not an item', (phrase) => {
    expect(catalog.isItem(phrase)).toBe(false);
  });
});

describe('createCatalog with entries', () => {
  const small = createCatalog([
    ['apple', 'Produce'],
    ['peanut butter', 'Pantry'],
    ['butter', 'Dairy & Eggs'],
    ['apple', 'Snacks'],
  ]);

  it('uses only the entries given, the first category winning', () => {
    expect(small.size).toBe(3);
    expect(small.lookup('apples')?.category).toBe('Produce');
    expect(small.lookup('peanut butter')?.category).toBe('Pantry');
    expect(small.lookup('salted butter')?.category).toBe('Dairy & Eggs');
    expect(small.lookup('milk')).toBeNull();
  });

  it('builds independent catalogs', () => {
    expect(createCatalog([['milk', 'Dairy & Eggs']]).lookup('apple')).toBeNull();
    expect(small.lookup('apple')?.category).toBe('Produce');
  });
});
