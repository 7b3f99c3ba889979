import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParsedIngredient } from '../../src/core/nlp/ingredient-line.ts';
import { parseRecipeText, parseServings, toRecipeJson } from '../../src/core/nlp/recipe-text.ts';

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/recipes/${name}`, import.meta.url), 'utf8');
}

function ing(name: string, amount: number | null, unit: string | null, note: string | null, optional = false): ParsedIngredient {
  return { name, amount, unit, note, optional };
}

describe('parseRecipeText: fixtures', () => {
  it('website copy with ratings, times, notes and nutrition', () => {
    const recipe = parseRecipeText(fixture('website-banana-bread.txt'));
    expect(recipe.title).toBe('Easy Banana Bread');
    expect(recipe.servings).toBe(10);
    expect(recipe.ingredients).toEqual([
      ing('ripe bananas', 3, null, 'mashed'),
      ing('butter', 0.333, 'cup', 'melted'),
      ing('sugar', 0.75, 'cup', null),
      ing('egg', 1, null, 'large, beaten'),
      ing('vanilla extract', 1, 'tsp', null),
      ing('baking soda', 1, 'tsp', null),
      ing('salt', 1, 'pinch', null),
      ing('all-purpose flour', 1.5, 'cup', null),
    ]);
    expect(recipe.steps).toHaveLength(5);
    expect(recipe.steps[0]).toBe('Preheat the oven to 350°F (175°C) and butter a 4x8-inch loaf pan.');
    expect(recipe.steps.join(' ')).not.toMatch(/ripe bananas with lots of brown spots|Calories|Tag @/);
  });

  it('a chat message with no headings', () => {
    const recipe = parseRecipeText(fixture('chat-pancakes.txt'));
    expect(recipe.title).toBe("grandma's pancake");
    expect(recipe.servings).toBe(8);
    expect(recipe.ingredients).toEqual([
      ing('flour', 1, 'cup', null),
      ing('sugar', 2, 'tbsp', null),
      ing('baking powder', 2, 'tsp', null),
      ing('salt', 1, 'pinch', null),
      ing('milk', 1, 'cup', null),
      ing('egg', 1, null, null),
      ing('butter', 2, 'tbsp', 'melted'),
    ]);
    expect(recipe.steps).toEqual([
      'mix the dry stuff in a bowl, then whisk in the milk, egg and butter till smooth',
      'let it sit 5 min',
      'fry ladlefuls in a hot buttered pan until bubbles form, flip and cook another minute. serve with maple syrup!',
    ]);
  });

  it('markdown with # headings and a numbered method', () => {
    const recipe = parseRecipeText(fixture('markdown-guacamole.txt'));
    expect(recipe.title).toBe('Quick Guacamole');
    expect(recipe.servings).toBe(4);
    expect(recipe.ingredients).toEqual([
      ing('ripe avocados', 3, null, null),
      ing('lime', 1, null, 'juiced'),
      ing('salt', 0.5, 'tsp', null),
      ing('onion', 0.5, 'cup', 'diced'),
      ing('fresh cilantro', 3, 'tbsp', 'chopped'),
      ing('roma tomatoes', 2, null, 'diced'),
      ing('garlic', 1, 'tsp', 'minced'),
      ing('ground cayenne pepper', 1, 'pinch', null, true),
    ]);
    expect(recipe.steps).toHaveLength(4);
    expect(recipe.steps[0]).toBe('Halve the avocados, remove the stones and scoop the flesh into a bowl.');
  });

  it('UK metric with "Step 1:" numbering and a servings range', () => {
    const recipe = parseRecipeText(fixture('uk-shepherds-pie.txt'));
    expect(recipe.title).toBe("Shepherd's Pie");
    expect(recipe.servings).toBe(4);
    expect(recipe.ingredients).toEqual([
      ing('sunflower oil', 1, 'tbsp', null),
      ing('onion', 1, null, 'large, finely chopped'),
      ing('carrots', 2, null, 'peeled and diced'),
      ing('lamb mince', 500, 'g', null),
      ing('tomato purée', 2, 'tbsp', null),
      ing('worcestershire sauce', 1, 'tbsp', null),
      ing('beef stock', 500, 'ml', null),
      ing('floury potatoes', 1, 'kg', 'peeled and cut into chunks'),
      ing('butter', 85, 'g', null),
      ing('milk', 3, 'tbsp', null),
      ing('mature cheddar', 50, 'g', 'grated'),
    ]);
    expect(recipe.steps).toHaveLength(5);
    expect(recipe.steps[4]).toBe('Bake for 20-25 mins until golden and bubbling.');
  });

  it('ingredient groups "For the pasta" / "For the sauce" and "1)" steps', () => {
    const recipe = parseRecipeText(fixture('sections-pasta.txt'));
    expect(recipe.title).toBe('Fresh Pasta with Simple Tomato Sauce');
    expect(recipe.servings).toBe(2);
    expect(recipe.ingredients).toEqual([
      ing('tipo 00 flour', 200, 'g', null),
      ing('eggs', 2, null, null),
      ing('salt', 1, 'pinch', null),
      ing('olive oil', 2, 'tbsp', null),
      ing('garlic', 2, 'clove', 'thinly sliced'),
      ing('chopped tomatoes', 1, 'tin', '400 g'),
      ing('sugar', 1, 'tsp', null),
      ing('salt and pepper', null, null, 'to taste'),
      ing('basil leaves', 1, 'handful', null),
      ing('parmesan', null, null, 'to serve', true),
    ]);
    expect(recipe.steps).toHaveLength(5);
    expect(recipe.steps[3]).toMatch(/^For the sauce, warm the oil/);
  });

  it('no headings at all: amounts make ingredients, sentences make steps', () => {
    const recipe = parseRecipeText(fixture('no-headings-shrimp.txt'));
    expect(recipe.title).toBe('Garlic Butter Shrimp');
    expect(recipe.servings).toBeNull();
    expect(recipe.ingredients).toEqual([
      ing('shrimp', 1, 'lb', 'peeled and deveined'),
      ing('butter', 3, 'tbsp', null),
      ing('garlic', 4, 'clove', 'minced'),
      ing('red pepper flakes', 0.25, 'tsp', null),
      ing('lemon', 1, null, 'juiced'),
      ing('parsley', 2, 'tbsp', 'chopped'),
      ing('salt and pepper', null, null, 'to taste'),
    ]);
    expect(recipe.steps).toHaveLength(4);
  });

  it('"Step N" on its own line before each step, "Makes 24 cookies"', () => {
    const recipe = parseRecipeText(fixture('step-lines-cookies.txt'));
    expect(recipe.title).toBe('Chocolate Chip Cookies');
    expect(recipe.servings).toBe(24);
    expect(recipe.ingredients).toEqual([
      ing('all-purpose flour', 2.25, 'cup', null),
      ing('baking soda', 1, 'tsp', null),
      ing('salt', 1, 'tsp', null),
      ing('butter', 1, 'cup', '2 sticks, softened'),
      ing('granulated sugar', 0.75, 'cup', null),
      ing('brown sugar', 0.75, 'cup', 'packed'),
      ing('eggs', 2, null, 'large'),
      ing('vanilla extract', 2, 'tsp', null),
      ing('chocolate chips', 2, 'cup', null),
      ing('walnuts', 1, 'cup', 'chopped', true),
    ]);
    expect(recipe.steps).toEqual([
      'Preheat oven to 375°F.',
      'Combine flour, baking soda and salt in a small bowl.',
      'Beat butter, granulated sugar, brown sugar and vanilla in a large mixer bowl until creamy. Add eggs, one at a time, beating well after each addition.',
      'Gradually beat in flour mixture. Stir in chocolate chips and nuts. Drop by rounded tablespoon onto ungreased baking sheets.',
      'Bake for 9 to 11 minutes or until golden brown.',
    ]);
  });

  it('a recipe card: breadcrumbs, buttons, equipment, unbulleted group names, "Servings" then its number', () => {
    const recipe = parseRecipeText(fixture('recipe-card-chicken.txt'));
    expect(recipe.title).toBe('Honey Garlic Chicken Thighs');
    expect(recipe.servings).toBe(4);
    expect(recipe.ingredients).toEqual([
      ing('bone-in chicken thighs', 6, null, 'about 2 lb'),
      ing('salt and pepper', null, null, null),
      ing('olive oil', 1, 'tbsp', null),
      ing('honey', 0.333, 'cup', null),
      ing('soy sauce', 0.25, 'cup', null),
      ing('garlic', 6, 'clove', 'minced'),
      ing('rice vinegar', 1, 'tsp', null),
      ing('red pepper flakes', 0.5, 'tsp', null, true),
    ]);
    expect(recipe.steps).toHaveLength(4);
    expect(recipe.steps.join(' ')).not.toMatch(/Boneless thighs|Calories|Tried this/);
  });
});

describe('parseRecipeText: inline texts', () => {
  it('a chat message with "Ingredients:" and "Method:" on one line each', () => {
    const recipe = parseRecipeText(
      "Mum's tuna pasta (serves 2)\n" +
        'Ingredients: 200g pasta, 1 tin tuna, drained, 3 tbsp mayo, 1/2 red onion, finely chopped, 100g sweetcorn\n' +
        'Method: Cook the pasta, drain and cool under cold water. Mix everything together and season.\n',
    );
    expect(recipe.title).toBe("Mum's tuna pasta");
    expect(recipe.servings).toBe(2);
    expect(recipe.ingredients).toEqual([
      ing('pasta', 200, 'g', null),
      ing('tuna', 1, 'tin', 'drained'),
      ing('mayo', 3, 'tbsp', null),
      ing('red onion', 0.5, null, 'finely chopped'),
      ing('sweetcorn', 100, 'g', null),
    ]);
    expect(recipe.steps).toEqual(['Cook the pasta, drain and cool under cold water. Mix everything together and season.']);
  });

  it('markdown with "Recipe:" title, bold group names, * bullets, "How to make it" and tips', () => {
    const recipe = parseRecipeText(`## Recipe: Thai Green Curry

*Yield: 6 servings*

### Ingredients

**For the curry paste**
* 2 green chillies, deseeded
* 1 stalk lemongrass, chopped
* 1 thumb-sized piece of ginger
* 3 garlic cloves

**For the curry**
* 1 tbsp vegetable oil
* 400 ml coconut milk
* 500 g chicken breast, sliced
* 1 tbsp fish sauce
* 1 tsp brown sugar
* Thai basil, to garnish

### How to make it

1. Blitz the paste ingredients in a food processor until smooth.
2. Fry the paste in the oil for 2 minutes, then add the coconut milk and bring to a simmer.
3. Add the chicken and cook for 10 minutes, then season with the fish sauce and sugar.
4. Scatter over the basil and serve with rice.

### Tips
* Use chicken thighs for a juicier curry.
`);
    expect(recipe.title).toBe('Thai Green Curry');
    expect(recipe.servings).toBe(6);
    expect(recipe.ingredients).toEqual([
      ing('green chillies', 2, null, 'deseeded'),
      ing('lemongrass', 1, 'stalk', 'chopped'),
      ing('ginger', 1, 'piece', 'thumb-sized'),
      ing('garlic', 3, 'clove', null),
      ing('vegetable oil', 1, 'tbsp', null),
      ing('coconut milk', 400, 'ml', null),
      ing('chicken breast', 500, 'g', 'sliced'),
      ing('fish sauce', 1, 'tbsp', null),
      ing('brown sugar', 1, 'tsp', null),
      ing('thai basil', null, null, 'to garnish'),
    ]);
    expect(recipe.steps).toHaveLength(4);
    expect(recipe.steps[3]).toBe('Scatter over the basil and serve with rice.');
  });

  it('upper-case headings and no title', () => {
    const recipe = parseRecipeText(
      'INGREDIENTS\n2 cups rolled oats\n1 1/2 cups milk\n1 banana, sliced\n1 tbsp honey\n\nDIRECTIONS\n' +
        '1. Combine oats and milk in a saucepan.\n2. Cook over medium heat for 5 minutes, stirring.\n3. Top with banana and honey.\n',
    );
    expect(recipe.title).toBe('');
    expect(recipe.servings).toBeNull();
    expect(recipe.ingredients).toEqual([
      ing('rolled oats', 2, 'cup', null),
      ing('milk', 1.5, 'cup', null),
      ing('banana', 1, null, 'sliced'),
      ing('honey', 1, 'tbsp', null),
    ]);
    expect(recipe.steps).toEqual([
      'Combine oats and milk in a saucepan.',
      'Cook over medium heat for 5 minutes, stirring.',
      'Top with banana and honey.',
    ]);
  });

  it('no headings, "juice of", a bare ingredient word', () => {
    const recipe = parseRecipeText(
      'Lemonade\njuice of 6 lemons\n1 cup sugar\n6 cups cold water\nice\n' +
        'Stir the lemon juice and sugar until dissolved.\nAdd the water, chill and serve over ice.\n',
    );
    expect(recipe.title).toBe('Lemonade');
    expect(recipe.ingredients).toEqual([
      ing('lemons', 6, null, 'juice'),
      ing('sugar', 1, 'cup', null),
      ing('water', 6, 'cup', 'cold'),
      ing('ice', null, null, null),
    ]);
    expect(recipe.steps).toHaveLength(2);
  });

  it('ingredients before a "Method" heading with no "Ingredients" heading; Windows line ends', () => {
    const recipe = parseRecipeText('Scrambled eggs for 1 person\r\n3 eggs\r\n1 knob of butter\r\nMethod\r\nWhisk the eggs.\r\nCook gently in the butter, stirring.\r\n');
    expect(recipe.title).toBe('Scrambled eggs');
    expect(recipe.servings).toBe(1);
    expect(recipe.ingredients).toEqual([ing('eggs', 3, null, null), ing('butter', 1, 'knob', null)]);
    expect(recipe.steps).toEqual(['Whisk the eggs.', 'Cook gently in the butter, stirring.']);
  });

  it('joins a hard-wrapped step and keeps a multi-sentence paragraph as one step', () => {
    const recipe = parseRecipeText(
      'Toast\nIngredients\n2 slices bread\nButter\nInstructions\nPut the bread in the toaster and\ntoast until golden. Spread with butter. Eat.\n',
    );
    expect(recipe.ingredients).toEqual([ing('bread', 2, 'slice', null), ing('butter', null, null, null)]);
    expect(recipe.steps).toEqual(['Put the bread in the toaster and toast until golden. Spread with butter. Eat.']);
  });

  it.each([
    ['Recipe for banana bread\n2 bananas', 'banana bread', null],
    ['Recipe: Lentil Soup\n1 cup lentils', 'Lentil Soup', null],
    ['Print\nRecipe\nLentil Soup\n1 cup lentils', 'Lentil Soup', null],
    ['# Pancakes (serves 4)\n1 cup flour', 'Pancakes', 4],
    ['**Brownies** - makes 16\n200 g chocolate', 'Brownies', 16],
    ['Hi Sam! Here is the recipe for lemon drizzle cake you wanted :)\n100 g butter', 'lemon drizzle cake', null],
  ] as const)('title of %j', (text, title, servings) => {
    const recipe = parseRecipeText(text);
    expect(recipe.title).toBe(title);
    expect(recipe.servings).toBe(servings);
    expect(recipe.ingredients).toHaveLength(1);
  });

  it('keeps steps that merely start like clutter ("Pin", "Rest in", "Cook in")', () => {
    const recipe = parseRecipeText(
      'Dumplings\nIngredients\n200 g flour\nMethod\nPin the edges closed with a fork.\nRest in the fridge for 1 hour.\nCook in batches for 3 minutes.\nServe.\n',
    );
    expect(recipe.steps).toEqual(['Pin the edges closed with a fork.', 'Rest in the fridge for 1 hour.', 'Cook in batches for 3 minutes.', 'Serve.']);
  });

  it('"Ingredients for the dressing" headings, "Instructions:" with bullets, bare ingredient names', () => {
    const recipe = parseRecipeText(
      'Simple salad\nIngredients for the dressing\n3 tbsp olive oil\n1 tbsp vinegar\nIngredients for the salad\n1 head lettuce\ncucumber\n' +
        'Instructions:\n- Whisk the oil and vinegar.\n- Toss with the lettuce and cucumber.\n',
    );
    expect(recipe.title).toBe('Simple salad');
    expect(recipe.ingredients).toEqual([
      ing('olive oil', 3, 'tbsp', null),
      ing('vinegar', 1, 'tbsp', null),
      ing('lettuce', 1, 'head', null),
      ing('cucumber', null, null, null),
    ]);
    expect(recipe.steps).toEqual(['Whisk the oil and vinegar.', 'Toss with the lettuce and cucumber.']);
  });

  it('"You\'ll need:" and "What to do:" headings', () => {
    const recipe = parseRecipeText(
      "Overnight oats\nYou'll need:\n1/2 cup oats\n1/2 cup milk\n1 tbsp chia seeds\nWhat to do:\nMix everything in a jar.\nLeave in the fridge overnight.\n",
    );
    expect(recipe.ingredients.map((i) => i.name)).toEqual(['oats', 'milk', 'chia seeds']);
    expect(recipe.steps).toHaveLength(2);
  });

  it('empty and garbage text give an empty recipe', () => {
    expect(parseRecipeText('')).toEqual({ title: '', servings: null, ingredients: [], steps: [] });
    expect(parseRecipeText('\n\n   \n')).toEqual({ title: '', servings: null, ingredients: [], steps: [] });
    expect(parseRecipeText('★★★★★\nPrint\nJump to Recipe\n---')).toEqual({ title: '', servings: null, ingredients: [], steps: [] });
  });

  it('toRecipeJson prints the CLI contract', () => {
    const json = toRecipeJson(parseRecipeText(fixture('markdown-guacamole.txt')));
    expect(Object.keys(json)).toEqual(['title', 'servings', 'ingredients', 'steps']);
    expect(json.ingredients[7]).toEqual({ name: 'ground cayenne pepper', amount: 1, unit: 'pinch', note: null });
  });
});

describe('parseServings', () => {
  it.each([
    ['Serves 4', 4],
    ['Servings: 6', 6],
    ['Makes 12 cookies', 12],
    ['Yield: 4 servings', 4],
    ['for 4 people', 4],
    ['4 portions', 4],
    ['serves 4-6', 4],
    ['Serves: 4 to 6', 4],
    ['Feeds six', 6],
    ['Makes about 8 pancakes', 8],
    ['Ingredients (for 2 people)', 2],
    ['Preheat the oven', null],
    ['', null],
  ] as const)('%j → %j', (line, expected) => {
    expect(parseServings(line)).toBe(expected);
  });
});

describe('parseRecipeText: properties', () => {
  const lineTokens = fc.constantFrom(
    'Ingredients', 'Method', 'Notes', 'Serves 4', 'Step 1', '1.', '2)', '#', '##', '-', '▢', '1 cup flour', '2 eggs', 'salt to taste',
    'For the sauce:', 'Preheat the oven.', 'Mix everything together until smooth and glossy.', 'Prep time: 10 mins', '★★★★★',
    'Print', 'Jump to recipe', ':', '½', '1/0', '1e999', 'x', '(', ')', 'Calories: 200kcal', '',
  );
  const recipeLike = fc.array(fc.array(lineTokens, { maxLength: 4 }).map((parts) => parts.join(' ')), { maxLength: 30 }).map((lines) => lines.join('\n'));

  it('never throws; amounts and servings are positive finite numbers or null', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 500 }), fc.string({ unit: 'grapheme', maxLength: 200 }), recipeLike), (text) => {
        const recipe = parseRecipeText(text);
        const positive = (n: number | null): boolean => n === null || (Number.isFinite(n) && n > 0);
        return (
          typeof recipe.title === 'string' &&
          positive(recipe.servings) &&
          recipe.ingredients.every((i) => positive(i.amount) && i.name !== '') &&
          recipe.steps.every((s) => s.trim() !== '')
        );
      }),
      { numRuns: 1500 },
    );
  });
});
