import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIngredientLine, type ParsedIngredient } from '../../src/core/nlp/ingredient-line.ts';

/** [line, name, amount, unit, note, optional?] */
type Case = [string, string, number | null, string | null, string | null, boolean?];

const CASES: Case[] = [
  ['4 cloves garlic, minced', 'garlic', 4, 'clove', 'minced'],
  ['2 cans (400 g) chickpeas', 'chickpeas', 2, 'can', '400 g'],
  ['2 tablespoons melted butter', 'butter', 2, 'tbsp', 'melted'],
  ['salt to taste', 'salt', null, null, 'to taste'],
  ['1 1/2 cups flour', 'flour', 1.5, 'cup', null],
  ['½ tsp salt', 'salt', 0.5, 'tsp', null],
  ['1-2 tbsp oil', 'oil', 1, 'tbsp', '1-2'],
  ['2 large eggs', 'eggs', 2, null, 'large'],
  ['a pinch of salt', 'salt', 1, 'pinch', null],
  ['juice of 1 lemon', 'lemon', 1, null, 'juice'],
  ['1 T sugar', 'sugar', 1, 'tbsp', null],
  ['1 t salt', 'salt', 1, 'tsp', null],
  ['1 Tbsp honey', 'honey', 1, 'tbsp', null],
  ['2 pounds potatoes', 'potatoes', 2, 'lb', null],
  ['1 pound ground beef', 'ground beef', 1, 'lb', null],
  ['2 x 400g tins chopped tomatoes', 'chopped tomatoes', 2, 'tin', '400 g'],
  ['Ripe tomato x2', 'ripe tomato', 2, null, null],
  ['1 (14 oz) can coconut milk', 'coconut milk', 1, 'can', '14 oz'],
  ['200g plain flour', 'plain flour', 200, 'g', null],
  ['1 onion, finely chopped', 'onion', 1, null, 'finely chopped'],
  ['2 tbsp olive oil (optional)', 'olive oil', 2, 'tbsp', null, true],
  ['1 cup of milk', 'milk', 1, 'cup', null],
  ['3 1/2 lb chicken thighs', 'chicken thighs', 3.5, 'lb', null],
  ['1½ cups milk', 'milk', 1.5, 'cup', null],
  ['1 ⅓ cups sugar', 'sugar', 1.333, 'cup', null],
  ['⅔ cup water', 'water', 0.667, 'cup', null],
  ['1⁄2 cup sugar', 'sugar', 0.5, 'cup', null],
  ['200g/7oz butter, softened', 'butter', 200, 'g', '7oz, softened'],
  ['250ml (1 cup) milk', 'milk', 250, 'ml', '1 cup'],
  ['1 20-oz can pineapple', 'pineapple', 1, 'can', '20 oz'],
  ['eggs x 3', 'eggs', 3, null, null],
  ['4 x chicken breasts', 'chicken breasts', 4, null, null],
  ['2 heaped tbsp cocoa powder', 'cocoa powder', 2, 'tbsp', 'heaped'],
  ['about 2 cups rice', 'rice', 2, 'cup', null],
  ['half a lemon', 'lemon', 0.5, null, null],
  ['pinch of salt', 'salt', 1, 'pinch', null],
  ['2cm piece ginger, grated', 'ginger', 1, 'piece', '2 cm, grated'],
  ['1 thumb-sized piece of ginger', 'ginger', 1, 'piece', 'thumb-sized'],
  ['1,5 kg flour', 'flour', 1.5, 'kg', null],
  ['1 cup milk or cream', 'milk', 1, 'cup', 'or cream'],
  ['freshly ground black pepper, to taste', 'black pepper', null, null, 'freshly ground, to taste'],
  ['2 large eggs, lightly beaten', 'eggs', 2, null, 'large, lightly beaten'],
  ['1 medium red onion, diced', 'red onion', 1, null, 'medium, diced'],
  ['1 cup packed brown sugar', 'brown sugar', 1, 'cup', 'packed'],
  ['1 can diced tomatoes', 'diced tomatoes', 1, 'can', null],
  ['Optional: chilli flakes', 'chilli flakes', null, null, null, true],
  ['1 tbsp chilli flakes, optional', 'chilli flakes', 1, 'tbsp', null, true],
  ['chopped chives (optional, for garnish)', 'chives', null, null, 'chopped, for garnish', true],
  ['- 1 cup sugar', 'sugar', 1, 'cup', null],
  ['▢ 2 tbsp butter', 'butter', 2, 'tbsp', null],
  ['• 3 eggs', 'eggs', 3, null, null],
  ['* 100 ml cream', 'cream', 100, 'ml', null],
  ['1. 2 cups flour', 'flour', 2, 'cup', null],
  ['- [ ] 1 cup milk', 'milk', 1, 'cup', null],
  ['a few basil leaves', 'basil leaves', null, null, 'a few'],
  ['2 dozen eggs', 'eggs', 24, null, null],
  ['a dozen eggs', 'eggs', 12, null, null],
  ['1 cup (2 sticks) butter, softened', 'butter', 1, 'cup', '2 sticks, softened'],
  ['fresh parsley, to garnish', 'fresh parsley', null, null, 'to garnish'],
  ['parsley for garnish', 'parsley', null, null, 'for garnish'],
  ['1 tsp ground cumin', 'ground cumin', 1, 'tsp', null],
  ['2 tsp dried oregano', 'dried oregano', 2, 'tsp', null],
  ['Zest of 1 orange', 'orange', 1, null, 'zest'],
  ['2 tbs sugar', 'sugar', 2, 'tbsp', null],
  ['100 gr sugar', 'sugar', 100, 'g', null],
  ['2 kilos potatoes', 'potatoes', 2, 'kg', null],
  ['1 litre vegetable stock', 'vegetable stock', 1, 'l', null],
  ['2 onions chopped', 'onions', 2, null, 'chopped'],
  ['1 lemon, juiced', 'lemon', 1, null, 'juiced'],
  ['two eggs', 'eggs', 2, null, null],
  ['an onion', 'onion', 1, null, null],
  ['1 x 400 g can black beans, drained and rinsed', 'black beans', 1, 'can', '400 g, drained and rinsed'],
  ['4 x 125g balls mozzarella', 'mozzarella', 4, 'ball', '125 g'],
  ['2 x 250g packs butter', 'butter', 2, 'pack', '250 g'],
  ['3 x 200 g chicken breasts', 'chicken breasts', 600, 'g', '3 x 200 g'],
  ['1 (15-oz) can black beans, drained and rinsed', 'black beans', 1, 'can', '15-oz, drained and rinsed'],
  ['1/2 cup warm water', 'water', 0.5, 'cup', 'warm'],
  ['2 cups cooked rice', 'rice', 2, 'cup', 'cooked'],
  ['1 cup shredded cheddar cheese', 'cheddar cheese', 1, 'cup', 'shredded'],
  ['12 oz spaghetti', 'spaghetti', 12, 'oz', null],
  ['3-4 cloves garlic', 'garlic', 3, 'clove', '3-4'],
  ['10-12 cherry tomatoes', 'cherry tomatoes', 10, null, '10-12'],
  ['1 to 2 cups water', 'water', 1, 'cup', '1-2'],
  ['2 or 3 apples', 'apples', 2, null, '2-3'],
  ['1–2 tsp chilli powder', 'chilli powder', 1, 'tsp', '1-2'],
  ['2 sprigs fresh thyme', 'fresh thyme', 2, 'sprig', null],
  ['1 bunch coriander, leaves picked', 'coriander', 1, 'bunch', 'leaves picked'],
  ['1 knob of butter', 'butter', 1, 'knob', null],
  ['a splash of milk', 'milk', 1, 'splash', null],
  ['Handful of fresh basil', 'fresh basil', 1, 'handful', null],
  ['2 slices bread', 'bread', 2, 'slice', null],
  ['1 sheet puff pastry', 'puff pastry', 1, 'sheet', null],
  ['1 stick butter', 'butter', 1, 'stick', null],
  ['6 fl oz cream', 'cream', 6, 'fl oz', null],
  ['1 pint double cream', 'double cream', 1, 'pt', null],
  ['2 qt chicken stock', 'chicken stock', 2, 'qt', null],
  ['3 garlic cloves, crushed', 'garlic', 3, 'clove', 'crushed'],
  ['500g beef mince', 'beef mince', 500, 'g', null],
  ['1/4 tsp cayenne pepper (or to taste)', 'cayenne pepper', 0.25, 'tsp', 'or to taste'],
  ['2 tablespoons extra-virgin olive oil, plus more for drizzling', 'extra-virgin olive oil', 2, 'tbsp', 'plus more for drizzling'],
  ['1 1/2 teaspoons kosher salt, divided', 'kosher salt', 1.5, 'tsp', 'divided'],
  ['8oz cream cheese, at room temperature', 'cream cheese', 8, 'oz', 'at room temperature'],
  ['1kg/2lb 4oz potatoes', 'potatoes', 1, 'kg', '2lb 4oz'],
  ['1 tsp vanilla extract*', 'vanilla extract', 1, 'tsp', null],
  ['2 Tbsp. soy sauce', 'soy sauce', 2, 'tbsp', null],
  ['3 ribs celery, sliced', 'celery', 3, 'rib', 'sliced'],
  ['2 ears corn', 'corn', 2, 'ear', null],
  ['Salt', 'salt', null, null, null],
  ['salt and pepper', 'salt and pepper', null, null, null],
  ['1 pinch ground cayenne pepper (optional)', 'ground cayenne pepper', 1, 'pinch', null, true],
  ['2 TBSP butter', 'butter', 2, 'tbsp', null],
  ['3 Eggs', 'eggs', 3, null, null],
  ['1 thumb-sized piece of ginger', 'ginger', 1, 'piece', 'thumb-sized'],
  ['4 thyme sprigs', 'thyme', 4, 'sprig', null],
  ['1 (1-inch) piece fresh ginger, peeled and grated', 'fresh ginger', 1, 'piece', '1-inch, peeled and grated'],
  ['room temperature butter', 'butter', null, null, 'room temperature'],
  ['2 cloves of garlic', 'garlic', 2, 'clove', null],
  ['1 egg yolk', 'egg yolk', 1, null, null],
  ['1 bay leaf', 'bay leaf', 1, null, null],
  ['1 cl rum', 'rum', 1, 'cl', null],
  ['1 gal water', 'water', 1, 'gal', null],
  ['1 kg potatoes', 'potatoes', 1, 'kg', null],
  ['1.5 l water', 'water', 1.5, 'l', null],
  ['.5 cup milk', 'milk', 0.5, 'cup', null],
  ['1 pkg cream cheese', 'cream cheese', 1, 'package', null],
  ['1 head lettuce', 'lettuce', 1, 'head', null],
  ['2 drops vanilla', 'vanilla', 2, 'drop', null],
  ['1 dash hot sauce', 'hot sauce', 1, 'dash', null],
  ['2 jars pesto', 'pesto', 2, 'jar', null],
  ['1 tin tomatoes', 'tomatoes', 1, 'tin', null],
  ['2 1/4 cups all-purpose flour', 'all-purpose flour', 2.25, 'cup', null],
  ['**2 cups** flour', 'flour', 2, 'cup', null],
  ['1 large can tomatoes', 'tomatoes', 1, 'can', 'large'],
  ['3 medium potatoes, peeled and cut into 2cm chunks', 'potatoes', 3, null, 'medium, peeled and cut into 2cm chunks'],
];

describe('parseIngredientLine', () => {
  it('covers at least 80 lines', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(80);
  });

  it.each(CASES)('%s', (line, name, amount, unit, note, optional = false) => {
    const expected: ParsedIngredient = { name, amount, unit, note, optional };
    expect(parseIngredientLine(line)).toEqual(expected);
  });

  it.each([
    '',
    '   ',
    'For the sauce:',
    'For the pasta',
    'FOR THE FILLING',
    'Sauce:',
    '## Dough',
    '1234',
    '-',
    '( )',
    '🙂🙂',
    '1 cup',
    '2 x',
    'x'.repeat(400),
  ])('%j is not an ingredient', (line) => {
    expect(parseIngredientLine(line)).toBeNull();
  });

  it('gives no amount for zero or a division by zero', () => {
    expect(parseIngredientLine('0 g sugar')?.amount).toBeNull();
    expect(parseIngredientLine('1/0 cup sugar')?.amount).toBeNull();
  });

  it('reads "T" as tablespoon and "t" as teaspoon, as cooks write them', () => {
    expect(parseIngredientLine('2 T flour')?.unit).toBe('tbsp');
    expect(parseIngredientLine('2 t flour')?.unit).toBe('tsp');
  });

  it('keeps a product bought that way in the name, but moves kitchen preparation to the note', () => {
    expect(parseIngredientLine('1 can crushed tomatoes')).toMatchObject({ name: 'crushed tomatoes', unit: 'can', note: null });
    expect(parseIngredientLine('2 cloves crushed garlic')).toMatchObject({ name: 'garlic', unit: 'clove', note: 'crushed' });
    expect(parseIngredientLine('1 tsp ground ginger')).toMatchObject({ name: 'ground ginger', note: null });
  });

  describe('properties', () => {
    const tokens = fc.constantFrom(
      '1', '½', '1/2', '1 1/2', '-', '–', 'x', '×', 'cup', 'cups', 'T', 't', 'tbsp', 'g', 'of', 'a', 'an', '(', ')', '[', ']',
      ',', 'optional', 'to taste', 'tin', '400g', '/', '0', '1,5', 'dozen', 'half', 'juice of', ':', '#', 'For', 'chopped',
      'and', 'or', 'large', 'about', '1.', '▢', '•', 'eggs', 'salt', '1e999', '999999999999999999999999', '1/0', 'piece',
    );
    const lineLike = fc.array(tokens, { maxLength: 16 }).map((parts) => parts.join(' '));
    const anyText = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 120 }), lineLike);

    it('never throws, and amounts are positive finite numbers or null', () => {
      fc.assert(
        fc.property(anyText, (line) => {
          const parsed = parseIngredientLine(line);
          if (parsed === null) return true;
          const amountOk = parsed.amount === null || (Number.isFinite(parsed.amount) && parsed.amount > 0);
          return amountOk && parsed.name !== '' && parsed.name === parsed.name.toLowerCase() && parsed.note !== '';
        }),
        { numRuns: 3000 },
      );
    });

    it('reads any "<n> <unit> <name>" line back', () => {
      const units = fc.constantFrom(['cup', 'cup'], ['tablespoons', 'tbsp'], ['tsp', 'tsp'], ['g', 'g'], ['kg', 'kg'], ['ml', 'ml'], ['lb', 'lb'], ['oz', 'oz']);
      const names = fc.constantFrom('flour', 'sugar', 'milk', 'rice', 'olive oil', 'brown sugar');
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 5000 }), units, names, (amount, [written, unit], name) => {
          expect(parseIngredientLine(`${amount} ${written} ${name}`)).toEqual({ name, amount, unit, note: null, optional: false });
        }),
        { numRuns: 300 },
      );
    });
  });
});
