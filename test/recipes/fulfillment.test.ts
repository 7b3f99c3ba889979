import { describe, expect, it } from 'vitest';
import type { RecipeIngredient } from '../../src/core/db/schema.ts';
import { normalizeKey } from '../../src/core/nlp/normalize.ts';
import {
  assessIngredient,
  assessRecipe,
  comparableAmount,
  rankRecipes,
  type PantryStock,
} from '../../src/core/recipes/fulfillment.ts';

/** A recipe ingredient as the service stores it. */
function ing(name: string, amount: number | null, unit: string | null, optional = false): RecipeIngredient {
  return { name, key: normalizeKey(name), amount, unit, note: null, optional };
}

/** A pantry entry as fulfillment reads it. */
function stock(name: string, amount: number | null, unit: string | null, extra: Partial<PantryStock> = {}): PantryStock {
  return { key: normalizeKey(name), name, amount, unit, status: 'have', expiresOn: null, preferredStore: null, ...extra };
}

/** `stockFor` over a pantry keyed by ingredient key (the matching itself is tested elsewhere). */
function pantryOf(entries: Record<string, PantryStock>) {
  return (ingredient: RecipeIngredient): PantryStock | null => entries[ingredient.key] ?? null;
}

describe('comparableAmount', () => {
  it('converts within volume and within mass', () => {
    expect(comparableAmount(1, 'l', 'ml')).toBe(1000);
    expect(comparableAmount(0.2, 'kg', 'g')).toBe(200);
    expect(comparableAmount(250, 'ml', 'l')).toBe(0.25);
    expect(comparableAmount(1, 'tbsp', 'tsp')).toBeCloseTo(3, 9);
  });

  it('compares counts with counts: no unit, or the same count word in any number', () => {
    expect(comparableAmount(2, null, null)).toBe(2);
    expect(comparableAmount(10, 'clove', 'clove')).toBe(10);
    expect(comparableAmount(2, 'cloves', 'clove')).toBe(2);
  });

  it('gives null when the two cannot be compared', () => {
    expect(comparableAmount(2, null, 'g')).toBeNull();
    expect(comparableAmount(500, 'g', null)).toBeNull();
    expect(comparableAmount(1, 'kg', 'ml')).toBeNull();
    expect(comparableAmount(3, 'can', 'g')).toBeNull();
    expect(comparableAmount(1, 'jar', 'clove')).toBeNull();
  });
});

describe('assessIngredient', () => {
  it('500 ml needed, 1 l held: have, nothing to buy', () => {
    const result = assessIngredient(ing('milk', 500, 'ml'), stock('milk', 1, 'l'));
    expect(result).toEqual({
      name: 'milk',
      key: 'milk',
      amount: 500,
      unit: 'ml',
      note: null,
      optional: false,
      state: 'have',
      pantry: { key: 'milk', name: 'milk', amount: 1, unit: 'l', status: 'have', expiresOn: null },
      toBuy: null,
    });
  });

  it('exactly what is held is enough', () => {
    expect(assessIngredient(ing('milk', 1000, 'ml'), stock('milk', 1, 'l')).state).toBe('have');
    expect(assessIngredient(ing('eggs', 2, null), stock('eggs', 2, null)).state).toBe('have');
  });

  it('300 g needed, 0.2 kg held: short by 100 g, in the recipe unit', () => {
    const result = assessIngredient(ing('flour', 300, 'g'), stock('flour', 0.2, 'kg'));
    expect(result.state).toBe('short');
    expect(result.toBuy).toEqual({ amount: 100, unit: 'g' });
    expect(result.pantry).toMatchObject({ amount: 0.2, unit: 'kg' });
  });

  it('3 eggs needed, 2 held: short by 1', () => {
    const result = assessIngredient(ing('eggs', 3, null), stock('eggs', 2, null));
    expect(result.state).toBe('short');
    expect(result.toBuy).toEqual({ amount: 1, unit: null });
  });

  it('6 cloves needed, 4 cloves held: short by 2 cloves', () => {
    expect(assessIngredient(ing('garlic', 6, 'clove'), stock('garlic', 4, 'cloves')).toBuy).toEqual({ amount: 2, unit: 'clove' });
  });

  it("counts against mass can't be compared: the pantry's word holds (have)", () => {
    expect(assessIngredient(ing('tomatoes', 2, null), stock('tomatoes', 500, 'g'))).toMatchObject({ state: 'have', toBuy: null });
    expect(assessIngredient(ing('chopped tomatoes', 400, 'g'), stock('chopped tomatoes', 1, 'can'))).toMatchObject({ state: 'have', toBuy: null });
    expect(assessIngredient(ing('flour', 300, 'g'), stock('flour', 1, 'l'))).toMatchObject({ state: 'have', toBuy: null });
  });

  it('an entry with no amount, or an ingredient with none, is have', () => {
    expect(assessIngredient(ing('salt', 1, 'tsp'), stock('salt', null, null)).state).toBe('have');
    expect(assessIngredient(ing('salt', null, null), stock('salt', 5, 'g')).state).toBe('have');
  });

  it('status low: low (enough of it), but short wins when there is too little', () => {
    expect(assessIngredient(ing('butter', 50, 'g'), stock('butter', null, null, { status: 'low' }))).toMatchObject({ state: 'low', toBuy: null });
    expect(assessIngredient(ing('butter', 50, 'g'), stock('butter', 100, 'g', { status: 'low' })).state).toBe('low');
    expect(assessIngredient(ing('butter', 150, 'g'), stock('butter', 100, 'g', { status: 'low' }))).toMatchObject({
      state: 'short',
      toBuy: { amount: 50, unit: 'g' },
    });
  });

  it('status out: missing, the whole amount to buy, the entry still named', () => {
    const result = assessIngredient(ing('rice', 250, 'g'), stock('rice', null, null, { status: 'out' }));
    expect(result.state).toBe('missing');
    expect(result.toBuy).toEqual({ amount: 250, unit: 'g' });
    expect(result.pantry).toMatchObject({ key: 'rice', status: 'out' });
  });

  it('no pantry entry: missing, with no pantry', () => {
    expect(assessIngredient(ing('saffron', 1, 'pinch'), null)).toMatchObject({ state: 'missing', pantry: null, toBuy: { amount: 1, unit: 'pinch' } });
    expect(assessIngredient(ing('salt', null, null), null)).toMatchObject({ state: 'missing', toBuy: { amount: null, unit: null } });
  });

  it('water is always there', () => {
    expect(assessIngredient(ing('water', 1, 'l'), null)).toMatchObject({ state: 'have', pantry: null, toBuy: null });
    expect(assessIngredient(ing('ice cubes', 6, null), null).state).toBe('have');
  });
});

describe('assessRecipe', () => {
  const pancakes = {
    servings: 2,
    ingredients: [ing('flour', 150, 'g'), ing('milk', 250, 'ml'), ing('eggs', 2, null), ing('maple syrup', 2, 'tbsp', true)],
  };

  it('at its own servings: scale 1, amounts as written', () => {
    const result = assessRecipe(pancakes, null, pantryOf({ flour: stock('flour', 1, 'kg'), milk: stock('milk', 1, 'l'), egg: stock('eggs', 6, null) }));
    expect(result.servings).toBe(2);
    expect(result.scale).toBe(1);
    expect(result.ingredients.map((i) => [i.name, i.amount, i.unit, i.state])).toEqual([
      ['flour', 150, 'g', 'have'],
      ['milk', 250, 'ml', 'have'],
      ['eggs', 2, null, 'have'],
      ['maple syrup', 2, 'tbsp', 'missing'],
    ]);
    // The optional syrup is missing and does not count.
    expect(result.completeness).toBe(1);
    expect(result.missing).toEqual([]);
  });

  it('scaling 2 → 4 servings doubles every amount and what to buy', () => {
    const result = assessRecipe(pancakes, 4, pantryOf({ flour: stock('flour', 0.2, 'kg'), milk: stock('milk', 1, 'l'), egg: stock('eggs', 3, null) }));
    expect(result.servings).toBe(4);
    expect(result.scale).toBe(2);
    expect(result.ingredients.map((i) => [i.name, i.amount, i.unit, i.state, i.toBuy])).toEqual([
      ['flour', 300, 'g', 'short', { amount: 100, unit: 'g' }],
      ['milk', 500, 'ml', 'have', null],
      ['eggs', 4, null, 'short', { amount: 1, unit: null }],
      ['maple syrup', 4, 'tbsp', 'missing', { amount: 4, unit: 'tbsp' }],
    ]);
    // Two of three required covered half: (0.5 + 1 + 0.5) / 3.
    expect(result.completeness).toBeCloseTo(2 / 3, 12);
    expect(result.missing).toEqual(['flour', 'eggs']);
  });

  it('scales down and rounds to three decimals', () => {
    const result = assessRecipe({ servings: 3, ingredients: [ing('butter', 100, 'g')] }, 2, pantryOf({}));
    expect(result.scale).toBeCloseTo(2 / 3, 12);
    expect(result.ingredients[0]).toMatchObject({ amount: 66.667, toBuy: { amount: 66.667, unit: 'g' } });
  });

  it('a recipe with no servings is not scaled', () => {
    const result = assessRecipe({ servings: null, ingredients: [ing('rice', 250, 'g')] }, 6, pantryOf({}));
    expect(result.scale).toBe(1);
    expect(result.ingredients[0]?.amount).toBe(250);
  });

  it('completeness: have and low count fully, short half, missing nothing; optional never', () => {
    const recipe = {
      servings: 1,
      ingredients: [ing('a', 1, null), ing('b', 1, null), ing('c', 2, null), ing('d', 1, null), ing('e', 1, null, true), ing('f', 1, null, true)],
    };
    const result = assessRecipe(
      recipe,
      null,
      pantryOf({ a: stock('a', 1, null), b: stock('b', null, null, { status: 'low' }), c: stock('c', 1, null), f: stock('f', 1, null) }),
    );
    expect(result.ingredients.map((i) => i.state)).toEqual(['have', 'low', 'short', 'missing', 'missing', 'have']);
    expect(result.completeness).toBe(2.5 / 4);
    expect(result.missing).toEqual(['c', 'd']);
  });

  it('a recipe of optional ingredients only is complete', () => {
    expect(assessRecipe({ servings: 1, ingredients: [ing('chives', 1, 'tbsp', true)] }, null, pantryOf({})).completeness).toBe(1);
  });
});

describe('rankRecipes', () => {
  const today = new Map<string, number>([
    ['spinach', 1],
    ['yoghurt', 3],
    ['cheese', 5],
  ]);
  const daysLeftOf = (key: string) => today.get(key) ?? null;
  const full = (names: string[]) => pantryOf(Object.fromEntries(names.map((name) => [normalizeKey(name), stock(name, null, null)])));
  const pantry = full(['spinach', 'yoghurt', 'cheese', 'eggs', 'rice', 'pasta']);

  function candidate(title: string, ingredients: RecipeIngredient[], stockFor = pantry) {
    const recipe = { title, servings: 2, ingredients };
    return { recipe, assessment: assessRecipe(recipe, null, stockFor) };
  }

  it('favours the recipe using an entry expiring tomorrow over an equally complete one', () => {
    const ranked = rankRecipes(
      [candidate('Rice bowl', [ing('rice', 1, null), ing('eggs', 2, null)]), candidate('Spinach omelette', [ing('spinach', 1, null), ing('eggs', 2, null)])],
      daysLeftOf,
    );
    expect(ranked.map((entry) => entry.recipe.title)).toEqual(['Spinach omelette', 'Rice bowl']);
    expect(ranked[0]?.usesExpiring).toEqual([{ name: 'spinach', daysLeft: 1 }]);
    expect(ranked[0]?.score).toBeCloseTo(1 + 0.3 * 0.5, 12);
    expect(ranked[1]?.usesExpiring).toEqual([]);
    expect(ranked[1]?.score).toBe(1);
  });

  it('tomorrow beats in three days; beyond the window lifts nothing', () => {
    const ranked = rankRecipes(
      [
        candidate('Cheese toastie', [ing('cheese', 1, null)]),
        candidate('Yoghurt pot', [ing('yoghurt', 1, null)]),
        candidate('Spinach soup', [ing('spinach', 1, null)]),
      ],
      daysLeftOf,
    );
    expect(ranked.map((entry) => [entry.recipe.title, entry.usesExpiring.map((e) => e.daysLeft)])).toEqual([
      ['Spinach soup', [1]],
      ['Yoghurt pot', [3]],
      ['Cheese toastie', []],
    ]);
  });

  it('more complete still comes first; an expiring entry only lifts, it does not carry a recipe', () => {
    const ranked = rankRecipes(
      [
        candidate('Spinach pie', [ing('spinach', 1, null), ing('pastry', 1, null), ing('feta', 1, null), ing('eggs', 1, null)]),
        candidate('Pasta', [ing('pasta', 1, null)]),
      ],
      daysLeftOf,
    );
    expect(ranked.map((entry) => [entry.recipe.title, entry.assessment.completeness])).toEqual([
      ['Pasta', 1],
      ['Spinach pie', 0.5],
    ]);
  });

  it('an expiring entry the recipe lacks (out) does not count as used', () => {
    const outSpinach = pantryOf({ spinach: stock('spinach', null, null, { status: 'out' }), egg: stock('eggs', null, null) });
    const [entry] = rankRecipes([candidate('Spinach omelette', [ing('spinach', 1, null), ing('eggs', 2, null)], outSpinach)], daysLeftOf);
    expect(entry?.usesExpiring).toEqual([]);
    expect(entry?.score).toBe(0.5);
  });
});
