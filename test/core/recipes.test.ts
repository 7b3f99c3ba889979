import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../src/core/context.ts';
import * as schema from '../../src/core/db/schema.ts';
import { isLarderError } from '../../src/core/errors.ts';
import { again, householdState, testCore, type TestCore } from '../support/core.ts';

let t: TestCore;
beforeAll(async () => {
  t = await testCore();
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  // Monday 2 March 2026, 09:00 in the households' time zone (UTC).
  t.clock.set('2026-03-02T09:00:00Z');
});


/** Pantry entries as [name, amount, unit, status], by name. */
async function pantryOf(ctx: RequestContext): Promise<Array<[string, number | null, string | null, string]>> {
  const rows = await t.core.pantry.list(ctx);
  return rows
    .map((row): [string, number | null, string | null, string] => [row.name, row.amount, row.unit, row.status])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/** A list's items as [name, quantity, checked], by name. */
async function itemsOf(ctx: RequestContext, list?: string): Promise<Array<[string, string | null, boolean]>> {
  const { items } = await t.core.lists.get(ctx, { list });
  return items.map((item): [string, string | null, boolean] => [item.name, item.quantity, item.checked]).sort((a, b) => a[0].localeCompare(b[0]));
}

/** The household's ingredient→pantry match cache, by ingredient key. */
async function matchesOf(ctx: RequestContext) {
  const rows = await t.core.db.select().from(schema.ingredientMatches).where(eq(schema.ingredientMatches.householdId, ctx.householdId));
  return rows.sort((a, b) => a.ingredientKey.localeCompare(b.ingredientKey));
}

/** Everything of a household a request could change, exactly as stored. */
function stateOf(ctx: RequestContext) {
  return householdState(t.core.db, ctx.householdId, {
    recipes: schema.recipes,
    lists: schema.lists,
    items: schema.items,
    pantry: schema.pantryItems,
    events: schema.events,
    matches: schema.ingredientMatches,
  });
}

/** Per ingredient: [name, scaled amount, unit, state, pantry entry name, what to buy as "amount unit"]. */
function rowsOf(fulfillment: Awaited<ReturnType<TestCore['core']['recipes']['fulfillment']>>) {
  return fulfillment.ingredients.map((i) => [
    i.name,
    i.amount,
    i.unit,
    i.state,
    i.pantry?.name ?? null,
    i.toBuy === null ? null : `${i.toBuy.amount ?? '?'} ${i.toBuy.unit ?? ''}`.trim(),
  ]);
}

const FRITTATA = `Spinach Frittata
Serves 2

Ingredients
- 4 eggs
- 200 g spinach
- 100 ml milk
- 50 g cheddar cheese
- salt to taste

Method
1. Wilt the spinach in a hot pan.
2. Beat the eggs with the milk and cheese, pour over the spinach and cook until set.`;

const SPAGHETTI = `Garlic Basil Spaghetti
Serves 2

Ingredients
200 g spaghetti
3 garlic cloves, minced
2 tbsp olive oil
1 tbsp truffle oil
50 g butter
a handful of fresh basil
100 g parmesan (optional)

Method
1. Cook the spaghetti in salted water.
2. Warm the oil and butter and fry the garlic gently.
3. Toss everything with the basil and serve with parmesan.`;

const PANCAKES = `Pancakes
Makes 4 servings

Ingredients
300 g flour
500 ml milk
3 eggs
1 pinch of salt

Method
1. Whisk everything into a smooth batter.
2. Fry ladlefuls in a hot pan.`;

describe('recipes: the Thursday story, end to end', () => {
  it('imports three recipes, checks them against the pantry, shops, cooks and undoes the cook', async () => {
    const ctx = await t.household('story');
    await t.core.lists.create(ctx, { name: 'Costco', store: 'Costco' });

    // --- import three recipes from text (a preview first saves nothing)
    const preview = await t.core.recipes.importText(again(ctx), { text: FRITTATA, dryRun: true });
    expect(preview).toMatchObject({ id: 0, title: 'Spinach Frittata', servings: 2 });
    expect(await t.core.recipes.search(ctx)).toEqual([]);
    const frittata = await t.core.recipes.importText(again(ctx), { text: FRITTATA, source: 'https://example.com/frittata' });
    const spaghetti = await t.core.recipes.importText(again(ctx), { text: SPAGHETTI });
    const pancakes = await t.core.recipes.importText(again(ctx), { text: PANCAKES });
    expect(frittata).toMatchObject({ title: 'Spinach Frittata', servings: 2, source: 'https://example.com/frittata', lastCookedAt: null });
    expect(frittata.steps).toEqual(['Wilt the spinach in a hot pan.', 'Beat the eggs with the milk and cheese, pour over the spinach and cook until set.']);
    expect(frittata.ingredients.map((i) => [i.name, i.amount, i.unit, i.note, i.optional])).toEqual([
      ['eggs', 4, null, null, false],
      ['spinach', 200, 'g', null, false],
      ['milk', 100, 'ml', null, false],
      ['cheddar cheese', 50, 'g', null, false],
      ['salt', null, null, 'to taste', false],
    ]);
    expect(spaghetti.servings).toBe(2);
    expect(spaghetti.ingredients.map((i) => [i.name, i.amount, i.unit, i.optional])).toEqual([
      ['spaghetti', 200, 'g', false],
      ['garlic', 3, 'clove', false],
      ['olive oil', 2, 'tbsp', false],
      ['truffle oil', 1, 'tbsp', false],
      ['butter', 50, 'g', false],
      ['fresh basil', 1, 'handful', false],
      ['parmesan', 100, 'g', true],
    ]);
    expect(pancakes.servings).toBe(4);
    expect(pancakes.ingredients.map((i) => [i.name, i.amount, i.unit])).toEqual([
      ['flour', 300, 'g'],
      ['milk', 500, 'ml'],
      ['eggs', 3, null],
      ['salt', 1, 'pinch'],
    ]);

    // --- stock the pantry
    await t.core.pantry.update(again(ctx), {
      items: [
        { name: 'eggs', quantity: '2' },
        { name: 'milk', quantity: '1 l' },
        { name: 'flour', quantity: '0.2 kg' },
        { name: 'spinach', quantity: '250 g', expiresOn: '2026-03-03' },
        { name: 'cheddar cheese', quantity: '200 g', status: 'low' },
        { name: 'salt' },
        { name: 'spaghetti', status: 'out', preferredStore: 'Costco' },
        { name: 'garlic', quantity: '10 cloves' },
        { name: 'olive oil', quantity: '500 ml' },
        { name: 'peanut butter', quantity: '1 jar' },
        { name: 'basil', status: 'out' },
      ],
    });

    // --- fulfillment, per recipe
    const f1 = await t.core.recipes.fulfillment(ctx, { recipe: 'spinach frittata' });
    expect(f1).toMatchObject({ servings: 2, scale: 1, completeness: 0.9, missing: ['eggs'] });
    expect(rowsOf(f1)).toEqual([
      ['eggs', 4, null, 'short', 'eggs', '2'],
      ['spinach', 200, 'g', 'have', 'spinach', null],
      ['milk', 100, 'ml', 'have', 'milk', null],
      ['cheddar cheese', 50, 'g', 'low', 'cheddar cheese', null],
      ['salt', null, null, 'have', 'salt', null],
    ]);

    // Scaled from 2 to 4 servings; truffle oil is not olive oil, butter is not peanut butter, fresh basil is the basil (out).
    const f2 = await t.core.recipes.fulfillment(ctx, { recipe: 'spaghetti', servings: 4 });
    expect(f2).toMatchObject({ servings: 4, scale: 2, missing: ['spaghetti', 'truffle oil', 'butter', 'fresh basil'] });
    expect(f2.completeness).toBeCloseTo(2 / 6, 12);
    expect(rowsOf(f2)).toEqual([
      ['spaghetti', 400, 'g', 'missing', 'spaghetti', '400 g'],
      ['garlic', 6, 'clove', 'have', 'garlic', null],
      ['olive oil', 4, 'tbsp', 'have', 'olive oil', null],
      ['truffle oil', 2, 'tbsp', 'missing', null, '2 tbsp'],
      ['butter', 100, 'g', 'missing', null, '100 g'],
      ['fresh basil', 2, 'handful', 'missing', 'basil', '2 handful'],
      ['parmesan', 200, 'g', 'missing', null, '200 g'],
    ]);

    const f3 = await t.core.recipes.fulfillment(ctx, { recipe: pancakes.id });
    expect(f3).toMatchObject({ servings: 4, scale: 1, completeness: 0.75, missing: ['flour', 'eggs'] });
    expect(rowsOf(f3)).toEqual([
      ['flour', 300, 'g', 'short', 'flour', '100 g'],
      ['milk', 500, 'ml', 'have', 'milk', null],
      ['eggs', 3, null, 'short', 'eggs', '1'],
      ['salt', 1, 'pinch', 'have', 'salt', null],
    ]);

    // --- what can I cook tonight: the frittata uses the spinach that expires tomorrow
    const tonight = await t.core.recipes.whatCanICook(ctx);
    expect(tonight.map((entry) => [entry.recipe.title, entry.completeness, entry.missing, entry.usesExpiring])).toEqual([
      ['Spinach Frittata', 0.9, ['eggs'], [{ name: 'spinach', daysLeft: 1 }]],
      ['Pancakes', 0.75, ['flour', 'eggs'], []],
      ['Garlic Basil Spaghetti', 0.33, ['spaghetti', 'truffle oil', 'butter', 'fresh basil'], []],
    ]);

    // --- the missing items onto the lists: one request each, routed to the preferred store
    const shopSpaghetti = await t.core.recipes.addMissingToList(again(ctx), { recipe: 'spaghetti', servings: 4 });
    expect(shopSpaghetti.lists.map((entry) => [entry.list.name, entry.items.map((added) => [added.item.name, added.item.quantity, added.action])])).toEqual([
      ['Costco', [['spaghetti', '400 g', 'added']]],
      [
        'Shopping',
        [
          ['truffle oil', '2 tbsp', 'added'],
          ['butter', '100 g', 'added'],
          ['basil', '2 handfuls', 'added'],
        ],
      ],
    ]);
    expect(shopSpaghetti.alreadyHave).toEqual(['garlic', 'olive oil']);
    const shopPancakes = await t.core.recipes.addMissingToList(again(ctx), { recipe: 'pancakes' });
    expect(shopPancakes.lists.map((entry) => [entry.list.name, entry.items.map((added) => [added.item.name, added.item.quantity])])).toEqual([
      [
        'Shopping',
        [
          ['flour', '100 g'],
          ['eggs', '1'],
        ],
      ],
    ]);
    expect(shopPancakes.alreadyHave).toEqual(['milk', 'salt']);
    expect(await itemsOf(ctx, 'costco')).toEqual([['spaghetti', '400 g', false]]);
    expect(await itemsOf(ctx)).toEqual([
      ['basil', '2 handfuls', false],
      ['butter', '100 g', false],
      ['eggs', '1', false],
      ['flour', '100 g', false],
      ['truffle oil', '2 tbsp', false],
    ]);
    const shopping = await t.core.lists.get(ctx);
    expect(new Set(shopping.items.map((item) => item.note))).toEqual(new Set(['for Garlic Basil Spaghetti', 'for Pancakes']));
    expect(shopping.items.find((item) => item.name === 'flour')?.sourceRecipeId).toBe(pancakes.id);

    // --- tick everything off: it stocks the pantry
    const costcoTick = await t.core.lists.check(again(ctx), { list: 'costco', items: ['spaghetti'] });
    expect(costcoTick.stocked.map((entry) => [entry.name, entry.quantity, entry.status, entry.preferredStore])).toEqual([['spaghetti', '400 g', 'have', 'Costco']]);
    const tick = await t.core.lists.check(again(ctx), { items: ['truffle oil', 'butter', 'basil', 'flour', 'eggs'] });
    expect(tick.notFound).toEqual([]);
    expect(await pantryOf(ctx)).toEqual([
      ['basil', 2, 'handful', 'have'],
      ['butter', 100, 'g', 'have'],
      ['cheddar cheese', 200, 'g', 'low'],
      ['eggs', 3, null, 'have'],
      ['flour', 0.3, 'kg', 'have'],
      ['garlic', 10, 'clove', 'have'],
      ['milk', 1, 'l', 'have'],
      ['olive oil', 500, 'ml', 'have'],
      ['peanut butter', 1, 'jar', 'have'],
      ['salt', null, null, 'have'],
      ['spaghetti', 400, 'g', 'have'],
      ['spinach', 250, 'g', 'have'],
      ['truffle oil', 2, 'tbsp', 'have'],
    ]);

    // Everything the two recipes need is there now.
    const ready = await t.core.recipes.fulfillment(ctx, { recipe: 'spaghetti', servings: 4 });
    expect(ready).toMatchObject({ completeness: 1, missing: [] });
    expect(rowsOf(ready).map(([name, , , state, pantry]) => [name, state, pantry])).toEqual([
      ['spaghetti', 'have', 'spaghetti'],
      ['garlic', 'have', 'garlic'],
      ['olive oil', 'have', 'olive oil'],
      ['truffle oil', 'have', 'truffle oil'],
      ['butter', 'have', 'butter'],
      ['fresh basil', 'have', 'basil'],
      ['parmesan', 'missing', null],
    ]);
    expect(await t.core.recipes.fulfillment(ctx, { recipe: 'pancakes' })).toMatchObject({ completeness: 1, missing: [] });

    // --- cook the spaghetti for 4 (a dry run first changes nothing)
    t.clock.set('2026-03-05T18:30:00Z');
    const beforeCook = await stateOf(ctx);
    const pantryBefore = await pantryOf(ctx);
    const preview2 = await t.core.recipes.cook(again(ctx), { recipe: 'spaghetti', servings: 4, dryRun: true });
    expect(await stateOf(ctx)).toEqual(beforeCook);

    const cookCtx = again(ctx);
    const cooked = await t.core.recipes.cook(cookCtx, { recipe: 'spaghetti', servings: 4 });
    expect(preview2).toEqual(cooked);
    expect(cooked.servings).toBe(4);
    expect(cooked.recipe).toMatchObject({ title: 'Garlic Basil Spaghetti', lastCookedAt: '2026-03-05T18:30:00.000Z' });
    expect(cooked.used).toEqual([
      { name: 'spaghetti', before: 'spaghetti (400 g)', after: 'spaghetti (out)' },
      { name: 'garlic', before: 'garlic (10 cloves)', after: 'garlic (4 cloves)' },
      { name: 'olive oil', before: 'olive oil (500 ml)', after: 'olive oil (440.853 ml)' },
      { name: 'truffle oil', before: 'truffle oil (2 tbsp)', after: 'truffle oil (out)' },
      { name: 'butter', before: 'butter (100 g)', after: 'butter (out)' },
      { name: 'basil', before: 'basil (2 handfuls)', after: 'basil (out)' },
    ]);
    // The optional parmesan was never there and is not reported.
    expect(cooked.skipped).toEqual([]);
    expect(await pantryOf(ctx)).toEqual([
      ['basil', null, null, 'out'],
      ['butter', null, null, 'out'],
      ['cheddar cheese', 200, 'g', 'low'],
      ['eggs', 3, null, 'have'],
      ['flour', 0.3, 'kg', 'have'],
      ['garlic', 4, 'clove', 'have'],
      ['milk', 1, 'l', 'have'],
      // 4 US tablespoons are 59.147 ml.
      ['olive oil', 440.853, 'ml', 'have'],
      ['peanut butter', 1, 'jar', 'have'],
      ['salt', null, null, 'have'],
      ['spaghetti', null, null, 'out'],
      ['spinach', 250, 'g', 'have'],
      ['truffle oil', null, null, 'out'],
    ]);
    expect((await t.core.recipes.get(ctx, spaghetti.id)).lastCookedAt).toBe('2026-03-05T18:30:00.000Z');
    const cookEvents = (await t.core.journal.history(ctx)).filter((event) => event.requestId === cookCtx.requestId);
    expect(cookEvents.map((event) => event.kind).sort()).toEqual([...Array<string>(6).fill('pantry.use'), 'recipe.cook'].sort());
    // What was used up is missing again, and 4 cloves of garlic are 2 short of 6.
    const afterCook = await t.core.recipes.fulfillment(ctx, { recipe: 'spaghetti', servings: 4 });
    expect(afterCook.missing).toEqual(['spaghetti', 'garlic', 'truffle oil', 'butter', 'fresh basil']);
    expect(rowsOf(afterCook)[1]).toEqual(['garlic', 6, 'clove', 'short', 'garlic', '2 clove']);

    // --- undo the cook: exactly the state before
    const undone = await t.core.journal.undo(again(ctx));
    expect(undone.requestId).toBe(cookCtx.requestId);
    expect(undone.undone).toHaveLength(7);
    const afterUndo = await stateOf(ctx);
    expect(afterUndo.pantry).toEqual(beforeCook.pantry);
    expect(afterUndo.recipes).toEqual(beforeCook.recipes);
    expect(afterUndo.items).toEqual(beforeCook.items);
    expect(await pantryOf(ctx)).toEqual(pantryBefore);
    expect((await t.core.recipes.get(ctx, 'spaghetti')).lastCookedAt).toBeNull();
    expect(await t.core.recipes.fulfillment(ctx, { recipe: 'spaghetti', servings: 4 })).toMatchObject({ completeness: 1, missing: [] });
  });
});

describe('recipes: create, read, update, delete, search', () => {
  it('saves a recipe with every field, cleaned', async () => {
    const ctx = await t.household('crud');
    const soup = await t.core.recipes.save(ctx, {
      title: '  Tomato   Soup ',
      servings: 4,
      ingredients: [
        { name: 'Tomatoes', amount: 800, unit: 'grams' },
        { name: 'onion', amount: 1 },
        { name: 'garlic cloves', amount: 2 },
        { name: 'cream', amount: 100, unit: 'ml', note: ' to finish ', optional: true },
        { name: 'salt' },
      ],
      steps: [' Chop everything. ', '', 'Simmer for 20 minutes.'],
      tags: ['Soup', 'vegetarian', 'soup', ' '],
      source: ' https://example.com/soup ',
      rating: 4,
    });
    expect(soup).toEqual({
      id: soup.id,
      title: 'Tomato Soup',
      servings: 4,
      ingredients: [
        { name: 'Tomatoes', amount: 800, unit: 'g', note: null, optional: false },
        { name: 'onion', amount: 1, unit: null, note: null, optional: false },
        { name: 'garlic cloves', amount: 2, unit: null, note: null, optional: false },
        { name: 'cream', amount: 100, unit: 'ml', note: 'to finish', optional: true },
        { name: 'salt', amount: null, unit: null, note: null, optional: false },
      ],
      steps: ['Chop everything.', 'Simmer for 20 minutes.'],
      tags: ['soup', 'vegetarian'],
      source: 'https://example.com/soup',
      rating: 4,
      notes: null,
      lastCookedAt: null,
    });
    expect(await t.core.recipes.get(ctx, soup.id)).toEqual(soup);
    expect(await t.core.recipes.get(ctx, 'TOMATO SOUP')).toEqual(soup);
    expect(await t.core.recipes.get(ctx, 'soup')).toEqual(soup);
    const [event] = await t.core.journal.history(ctx);
    expect(event).toMatchObject({ kind: 'recipe.add', entity: 'recipe', entityId: soup.id, summary: 'saved the recipe Tomato Soup' });
  });

  it('updates by id (and undoes the update), deletes (and undoes the delete)', async () => {
    const ctx = await t.household('crud-update');
    const pie = await t.core.recipes.save(ctx, { title: 'Apple Pie', servings: 8, ingredients: [{ name: 'apples', amount: 6 }], tags: ['baking'] });
    const updateCtx = again(ctx);
    const updated = await t.core.recipes.save(updateCtx, {
      id: pie.id,
      title: 'Apple Crumble',
      servings: 6,
      ingredients: [
        { name: 'apples', amount: 5 },
        { name: 'oats', amount: 100, unit: 'g' },
      ],
      tags: ['baking', 'quick'],
      rating: 5,
      notes: 'Less sugar next time.',
    });
    expect(updated).toMatchObject({ id: pie.id, title: 'Apple Crumble', servings: 6, tags: ['baking', 'quick'], rating: 5, notes: 'Less sugar next time.' });
    expect(updated.ingredients.map((i) => [i.name, i.amount, i.unit])).toEqual([
      ['apples', 5, null],
      ['oats', 100, 'g'],
    ]);
    // A recipe may keep its own title (case aside) when saved again.
    expect((await t.core.recipes.save(again(ctx), { id: pie.id, title: 'apple crumble', servings: 6, ingredients: [{ name: 'apples', amount: 5 }] })).title).toBe(
      'apple crumble',
    );
    await t.core.journal.undo(again(ctx));
    const history = await t.core.journal.history(ctx, { limit: 10 });
    expect(history.filter((event) => event.requestId === updateCtx.requestId).map((event) => [event.kind, event.summary])).toEqual([
      ['recipe.update', 'changed the recipe Apple Crumble'],
    ]);
    await t.core.journal.undo(again(ctx), { requestId: updateCtx.requestId });
    expect(await t.core.recipes.get(ctx, pie.id)).toEqual(pie);

    const removeCtx = again(ctx);
    expect(await t.core.recipes.remove(removeCtx, 'apple pie')).toEqual(pie);
    const gone = await t.core.recipes.get(ctx, pie.id).catch((error: unknown) => error);
    expect(isLarderError(gone, 'not_found:recipe')).toBe(true);
    expect(await t.core.recipes.search(ctx)).toEqual([]);
    await t.core.journal.undo(again(ctx), { requestId: removeCtx.requestId });
    expect(await t.core.recipes.get(ctx, 'apple pie')).toEqual(pie);
  });

  it('searches by title, tag or ingredient, sorted by title', async () => {
    const ctx = await t.household('search');
    await t.core.recipes.save(ctx, {
      title: 'Tomato Soup',
      servings: 4,
      ingredients: [{ name: 'tomatoes', amount: 800, unit: 'g' }, { name: 'garlic cloves', amount: 2 }, { name: 'onion' }],
      tags: ['soup', 'vegetarian'],
    });
    await t.core.recipes.save(again(ctx), {
      title: 'Peanut Noodles',
      servings: 2,
      ingredients: [{ name: 'noodles', amount: 200, unit: 'g' }, { name: 'peanut butter', amount: 2, unit: 'tbsp' }, { name: 'truffle oil', amount: 1, unit: 'tsp' }],
      tags: ['quick'],
      rating: 3,
    });
    await t.core.recipes.save(again(ctx), {
      title: 'Garlic Bread',
      ingredients: [{ name: 'baguette' }, { name: 'butter', amount: 50, unit: 'g' }, { name: '3 garlic cloves' }, { name: 'fresh basil' }],
      tags: ['quick', 'vegetarian'],
    });
    const titles = async (input: Parameters<TestCore['core']['recipes']['search']>[1]) => (await t.core.recipes.search(ctx, input)).map((recipe) => recipe.title);

    const all = await t.core.recipes.search(ctx);
    expect(all.map((recipe) => [recipe.title, recipe.servings, recipe.tags, recipe.rating, recipe.ingredientCount, recipe.lastCookedAt])).toEqual([
      ['Garlic Bread', null, ['quick', 'vegetarian'], null, 4, null],
      ['Peanut Noodles', 2, ['quick'], 3, 3, null],
      ['Tomato Soup', 4, ['soup', 'vegetarian'], null, 3, null],
    ]);
    expect(await titles({ query: 'soup' })).toEqual(['Tomato Soup']);
    expect(await titles({ query: 'NOODLES' })).toEqual(['Peanut Noodles']);
    // The query also finds tags and ingredients.
    expect(await titles({ query: 'vegetarian' })).toEqual(['Garlic Bread', 'Tomato Soup']);
    expect(await titles({ query: 'onion' })).toEqual(['Tomato Soup']);
    expect(await titles({ tag: 'Quick' })).toEqual(['Garlic Bread', 'Peanut Noodles']);
    expect(await titles({ tag: 'vegan' })).toEqual([]);
    // Ingredients by meaning: garlic cloves are garlic, butter is not peanut butter, oil is not truffle oil.
    expect(await titles({ ingredient: 'garlic' })).toEqual(['Garlic Bread', 'Tomato Soup']);
    expect(await titles({ ingredient: 'butter' })).toEqual(['Garlic Bread']);
    expect(await titles({ ingredient: 'peanut butter' })).toEqual(['Peanut Noodles']);
    expect(await titles({ ingredient: 'basil' })).toEqual(['Garlic Bread']);
    expect(await titles({ ingredient: 'tomato' })).toEqual(['Tomato Soup']);
    expect(await titles({ ingredient: 'olive oil' })).toEqual([]);
    expect(await titles({ tag: 'vegetarian', ingredient: 'butter' })).toEqual(['Garlic Bread']);
    expect(await titles({ query: 'soup', tag: 'quick' })).toEqual([]);
    expect(await titles({ limit: 1 })).toEqual(['Garlic Bread']);
  });
});

describe('recipes: matching ingredients to the pantry', () => {
  it('matches by key, plural and head noun, without false friends', async () => {
    const ctx = await t.household('matching');
    await t.core.pantry.update(ctx, {
      items: [
        { name: 'Garlic' },
        { name: 'basil' },
        { name: 'olive oil', quantity: '500 ml' },
        { name: 'peanut butter' },
        { name: 'egg', quantity: '6' },
        { name: 'red onions', quantity: '3' },
        { name: 'chicken' },
      ],
    });
    const recipe = await t.core.recipes.save(again(ctx), {
      title: 'Everything',
      ingredients: [
        { name: 'garlic cloves', amount: 2 },
        { name: 'fresh basil' },
        { name: 'extra virgin olive oil', amount: 2, unit: 'tbsp' },
        { name: 'truffle oil', amount: 1, unit: 'tsp' },
        { name: 'butter', amount: 30, unit: 'g' },
        { name: 'eggs', amount: 2 },
        { name: 'red onion', amount: 1 },
        { name: 'chicken breasts', amount: 2 },
        { name: 'coconut milk', amount: 400, unit: 'ml' },
      ],
    });
    const result = await t.core.recipes.fulfillment(ctx, { recipe: recipe.id });
    expect(result.ingredients.map((i) => [i.name, i.pantry?.name ?? null, i.state])).toEqual([
      ['garlic cloves', 'Garlic', 'have'],
      ['fresh basil', 'basil', 'have'],
      ['extra virgin olive oil', 'olive oil', 'have'],
      ['truffle oil', null, 'missing'],
      ['butter', null, 'missing'],
      ['eggs', 'egg', 'have'],
      ['red onion', 'red onions', 'have'],
      ['chicken breasts', 'chicken', 'have'],
      ['coconut milk', null, 'missing'],
    ]);
    // The cache holds every answer, "no match" included.
    expect((await matchesOf(ctx)).map((row) => [row.ingredientKey, row.pantryKey, row.source])).toEqual([
      ['butter', null, 'auto'],
      ['chicken breast', 'chicken', 'auto'],
      ['coconut milk', null, 'auto'],
      ['egg', 'egg', 'auto'],
      ['extra virgin olive oil', 'olive oil', 'auto'],
      ['fresh basil', 'basil', 'auto'],
      ['garlic clove', 'garlic', 'auto'],
      ['red onion', 'red onion', 'auto'],
      ['truffle oil', null, 'auto'],
    ]);
  });

  it('remembers "no match" per household, and learns again when the pantry gains the thing', async () => {
    const ctx = await t.household('cache');
    const other = await t.household('cache-other');
    await t.core.pantry.update(ctx, { items: [{ name: 'olive oil', quantity: '1 l' }] });
    const recipe = { title: 'Truffle Fries', ingredients: [{ name: 'potatoes', amount: 1, unit: 'kg' }, { name: 'truffle oil', amount: 1, unit: 'tbsp' }] };
    await t.core.recipes.save(again(ctx), recipe);
    await t.core.recipes.save(other, recipe);

    expect((await t.core.recipes.fulfillment(ctx, { recipe: 'truffle fries' })).missing).toEqual(['potatoes', 'truffle oil']);
    const first = await matchesOf(ctx);
    expect(first.map((row) => [row.ingredientKey, row.pantryKey, row.source, row.updatedAt.toISOString()])).toEqual([
      ['potato', null, 'auto', '2026-03-02T09:00:00.000Z'],
      ['truffle oil', null, 'auto', '2026-03-02T09:00:00.000Z'],
    ]);
    // Nothing crosses households: the other one has no cache yet.
    expect(await matchesOf(other)).toEqual([]);

    // A second fulfillment, later, uses the remembered answers: the rows are not written again.
    t.clock.set('2026-03-02T12:00:00Z');
    expect((await t.core.recipes.fulfillment(again(ctx), { recipe: 'truffle fries' })).missing).toEqual(['potatoes', 'truffle oil']);
    expect(await matchesOf(ctx)).toEqual(first);

    // The pantry gains truffle oil: the "no match" gives way.
    await t.core.pantry.update(again(ctx), { items: [{ name: 'truffle oil', quantity: '100 ml' }] });
    const now = await t.core.recipes.fulfillment(again(ctx), { recipe: 'truffle fries' });
    expect(now.ingredients.map((i) => [i.name, i.pantry?.name ?? null, i.state])).toEqual([
      ['potatoes', null, 'missing'],
      ['truffle oil', 'truffle oil', 'have'],
    ]);
    const second = await matchesOf(ctx);
    // Every automatic answer was checked again against the changed pantry.
    expect(second.map((row) => [row.ingredientKey, row.pantryKey, row.source, row.updatedAt.toISOString()])).toEqual([
      ['potato', null, 'auto', '2026-03-02T12:00:00.000Z'],
      ['truffle oil', 'truffle oil', 'auto', '2026-03-02T12:00:00.000Z'],
    ]);
    expect(second.map((row) => row.id)).toEqual(first.map((row) => row.id));

    // Its entry gone, an automatic match is looked for again (and is "no match" once more).
    await t.core.pantry.remove(again(ctx), { names: ['truffle oil'] });
    expect((await t.core.recipes.fulfillment(again(ctx), { recipe: 'truffle fries' })).missing).toEqual(['potatoes', 'truffle oil']);
    expect((await matchesOf(ctx)).map((row) => [row.ingredientKey, row.pantryKey])).toEqual([
      ['potato', null],
      ['truffle oil', null],
    ]);
  });

  it('keeps a user correction for every recipe and every later fulfillment; the correction undoes', async () => {
    const ctx = await t.household('correct');
    await t.core.pantry.update(ctx, {
      items: [
        { name: 'olive oil', quantity: '500 ml' },
        { name: 'vegetable oil', quantity: '1 l' },
      ],
    });
    await t.core.recipes.save(again(ctx), {
      title: 'Truffle Pasta',
      ingredients: [{ name: 'truffle oil', amount: 1, unit: 'tbsp' }, { name: 'oil', amount: 2, unit: 'tbsp' }],
    });
    await t.core.recipes.save(again(ctx), { title: 'Truffle Popcorn', ingredients: [{ name: 'truffle oil', amount: 2, unit: 'tsp' }] });
    const pantryNames = async (recipe: string) =>
      (await t.core.recipes.fulfillment(again(ctx), { recipe })).ingredients.map((i) => [i.name, i.pantry?.name ?? null, i.state]);

    expect(await pantryNames('truffle pasta')).toEqual([
      ['truffle oil', null, 'missing'],
      ['oil', 'vegetable oil', 'have'],
    ]);

    // "Truffle oil means our olive oil."
    const fix1 = again(ctx);
    expect(await t.core.recipes.setIngredientMatch(fix1, { ingredient: 'Truffle oil', pantryItem: 'olive oil' })).toEqual({
      ingredient: 'Truffle oil',
      pantryItem: 'olive oil',
    });
    // "Oil is not the vegetable oil": a correction to no match.
    const fix2 = again(ctx);
    expect(await t.core.recipes.setIngredientMatch(fix2, { ingredient: 'oil', pantryItem: null })).toEqual({ ingredient: 'oil', pantryItem: null });
    expect((await t.core.journal.history(ctx, { limit: 2 })).map((event) => [event.kind, event.summary])).toEqual([
      ['ingredient.match', 'oil in recipes matches nothing in the pantry'],
      ['ingredient.match', 'Truffle oil in recipes means olive oil in the pantry'],
    ]);
    expect((await matchesOf(ctx)).map((row) => [row.ingredientKey, row.pantryKey, row.source])).toEqual([
      ['oil', null, 'user'],
      ['truffle oil', 'olive oil', 'user'],
    ]);

    // It holds, for both recipes, however often asked, and even once the pantry has a truffle oil.
    for (let round = 0; round < 2; round++) {
      expect(await pantryNames('truffle pasta')).toEqual([
        ['truffle oil', 'olive oil', 'have'],
        ['oil', null, 'missing'],
      ]);
      expect(await pantryNames('truffle popcorn')).toEqual([['truffle oil', 'olive oil', 'have']]);
    }
    await t.core.pantry.update(again(ctx), { items: [{ name: 'truffle oil', quantity: '50 ml' }] });
    await t.core.recipes.whatCanICook(again(ctx), { limit: 10 });
    expect(await pantryNames('truffle popcorn')).toEqual([['truffle oil', 'olive oil', 'have']]);
    expect((await matchesOf(ctx)).map((row) => [row.ingredientKey, row.pantryKey, row.source])).toEqual([
      ['oil', null, 'user'],
      ['truffle oil', 'olive oil', 'user'],
    ]);
    // Cooking follows the correction: the olive oil goes down (1 tbsp ≈ 14.787 ml), the truffle oil does not.
    const cooked = await t.core.recipes.cook(again(ctx), { recipe: 'truffle popcorn', dryRun: true });
    expect(cooked.used).toEqual([{ name: 'olive oil', before: 'olive oil (500 ml)', after: 'olive oil (490.142 ml)' }]);

    // Undo the second correction, then the first: the automatic answers come back.
    await t.core.journal.undo(again(ctx), { requestId: fix2.requestId });
    expect(await pantryNames('truffle pasta')).toEqual([
      ['truffle oil', 'olive oil', 'have'],
      ['oil', 'vegetable oil', 'have'],
    ]);
    await t.core.journal.undo(again(ctx), { requestId: fix1.requestId });
    expect(await pantryNames('truffle pasta')).toEqual([
      ['truffle oil', 'truffle oil', 'have'],
      ['oil', 'vegetable oil', 'have'],
    ]);
    expect((await matchesOf(ctx)).map((row) => [row.ingredientKey, row.pantryKey, row.source])).toEqual([
      ['oil', 'vegetable oil', 'auto'],
      ['truffle oil', 'truffle oil', 'auto'],
    ]);
  });

  it('an automatic match gives way to a closer pantry entry added later', async () => {
    const ctx = await t.household('cache-closer');
    t.clock.set('2026-03-02T09:00:00Z');
    await t.core.pantry.update(ctx, { items: [{ name: 'onions', quantity: '3' }] });
    await t.core.recipes.save(again(ctx), { title: 'Salsa', ingredients: [{ name: 'red onion', amount: 1 }] });
    t.clock.set('2026-03-02T10:00:00Z');
    const before = await t.core.recipes.fulfillment(again(ctx), { recipe: 'salsa' });
    expect(before.ingredients.map((i) => i.pantry?.name ?? null)).toEqual(['onions']);
    // Red onions are bought later: the cached "onion" answer no longer holds.
    t.clock.set('2026-03-02T11:00:00Z');
    await t.core.pantry.update(again(ctx), { items: [{ name: 'red onions', quantity: '2' }] });
    t.clock.set('2026-03-02T12:00:00Z');
    const after = await t.core.recipes.fulfillment(again(ctx), { recipe: 'salsa' });
    expect(after.ingredients.map((i) => i.pantry?.name ?? null)).toEqual(['red onions']);
    const cooked = await t.core.recipes.cook(again(ctx), { recipe: 'salsa' });
    expect(cooked.used).toEqual([{ name: 'red onions', before: 'red onions (2)', after: 'red onions (1)' }]);
    t.clock.set('2026-03-02T09:00:00Z');
  });
});

describe('recipes: missing ingredients onto the list', () => {
  it('scales, merges with what is on the list, routes to the preferred store; a dry run changes nothing; one undo', async () => {
    const ctx = await t.household('shop');
    await t.core.lists.create(ctx, { name: 'Costco', store: 'Costco' });
    await t.core.lists.add(again(ctx), { items: [{ name: 'eggs', quantity: '2' }] });
    await t.core.pantry.update(again(ctx), {
      items: [
        { name: 'rice', status: 'out', preferredStore: 'Costco' },
        { name: 'milk', quantity: '1 l' },
        { name: 'sugar', quantity: '500 g', status: 'low' },
      ],
    });
    const pudding = await t.core.recipes.save(again(ctx), {
      title: 'Rice Pudding',
      servings: 4,
      ingredients: [
        { name: 'rice', amount: 100, unit: 'g' },
        { name: 'milk', amount: 1, unit: 'l' },
        { name: 'eggs', amount: 3 },
        { name: 'sugar', amount: 60, unit: 'g' },
        { name: 'raisins', amount: 50, unit: 'g', optional: true },
      ],
    });
    // Warm the match cache, so the state below is only what a request itself would change.
    await t.core.recipes.fulfillment(ctx, { recipe: 'rice pudding' });
    const before = await stateOf(ctx);

    // A dry run for 8 servings, low items included: says everything, changes nothing.
    const preview = await t.core.recipes.addMissingToList(again(ctx), { recipe: 'rice pudding', servings: 8, includeLow: true, dryRun: true });
    expect(preview.lists.map((entry) => [entry.list.name, entry.items.map((added) => [added.item.name, added.item.quantity, added.action, added.previousQuantity])])).toEqual([
      ['Costco', [['rice', '200 g', 'added', null]]],
      [
        'Shopping',
        [
          // 2 l wanted, 1 l held: 1000 ml short, written as the list writes it.
          ['milk', '1 l', 'added', null],
          ['eggs', '8', 'merged', '2'],
          ['sugar', '120 g', 'added', null],
        ],
      ],
    ]);
    expect(preview.alreadyHave).toEqual([]);
    expect(await stateOf(ctx)).toEqual(before);

    // A list named: everything goes there, store or not.
    const named = await t.core.recipes.addMissingToList(again(ctx), { recipe: 'rice pudding', list: 'shopping', dryRun: true });
    expect(named.lists.map((entry) => [entry.list.name, entry.items.map((added) => added.item.name)])).toEqual([['Shopping', ['rice', 'eggs']]]);
    expect(await stateOf(ctx)).toEqual(before);

    // For real, at the recipe's own 4 servings: 2 eggs on the list + 3 missing → 5; rice to Costco; low sugar stays home.
    const shopCtx = again(ctx);
    const result = await t.core.recipes.addMissingToList(shopCtx, { recipe: 'rice pudding' });
    expect(result.recipe).toMatchObject({ id: pudding.id, title: 'Rice Pudding' });
    expect(result.lists.map((entry) => [entry.list.name, entry.items.map((added) => [added.item.name, added.item.quantity, added.action])])).toEqual([
      ['Costco', [['rice', '100 g', 'added']]],
      ['Shopping', [['eggs', '5', 'merged']]],
    ]);
    expect(result.alreadyHave).toEqual(['milk', 'sugar']);
    expect(await itemsOf(ctx)).toEqual([['eggs', '5', false]]);
    const costco = await t.core.lists.get(ctx, { list: 'Costco' });
    expect(costco.items.map((item) => [item.name, item.quantity, item.amount, item.unit, item.note, item.sourceRecipeId, item.category])).toEqual([
      ['rice', '100 g', 100, 'g', 'for Rice Pudding', pudding.id, 'Pantry'],
    ]);
    const events = (await t.core.journal.history(ctx)).filter((event) => event.requestId === shopCtx.requestId);
    expect(events.map((event) => event.kind).sort()).toEqual(['item.add', 'item.merge']);

    // One undo takes all of it back: the rice off Costco, the eggs back to 2.
    await t.core.journal.undo(again(ctx));
    expect(await itemsOf(ctx)).toEqual([['eggs', '2', false]]);
    expect(await itemsOf(ctx, 'costco')).toEqual([]);
    const afterUndo = await stateOf(ctx);
    expect(afterUndo.items).toEqual(before.items);
    expect(afterUndo.lists).toEqual(before.lists);
    expect(afterUndo.pantry).toEqual(before.pantry);
    expect(afterUndo.recipes).toEqual(before.recipes);
  });

  it('a store with no list of its own falls back to the default list; nothing missing adds nothing', async () => {
    const ctx = await t.household('shop-fallback');
    await t.core.pantry.update(ctx, { items: [{ name: 'flour', quantity: '0.2 kg', preferredStore: 'Lidl' }, { name: 'milk', quantity: '2 l' }] });
    await t.core.recipes.save(again(ctx), { title: 'Bread', ingredients: [{ name: 'flour', amount: 500, unit: 'g' }] });
    await t.core.recipes.save(again(ctx), { title: 'Hot Milk', ingredients: [{ name: 'milk', amount: 250, unit: 'ml' }, { name: 'cold water', amount: 1, unit: 'cup' }] });
    const bread = await t.core.recipes.addMissingToList(again(ctx), { recipe: 'bread' });
    expect(bread.lists.map((entry) => [entry.list.name, entry.items.map((added) => [added.item.name, added.item.quantity])])).toEqual([['Shopping', [['flour', '300 g']]]]);
    await t.core.recipes.fulfillment(ctx, { recipe: 'hot milk' });
    const before = await stateOf(ctx);
    const milk = await t.core.recipes.addMissingToList(again(ctx), { recipe: 'hot milk' });
    expect(milk).toMatchObject({ lists: [], alreadyHave: ['milk', 'cold water'] });
    expect(await stateOf(ctx)).toEqual(before);
  });
});

describe('recipes: cook', () => {
  it('takes amounts out unit-aware, marks entries out when they run out, reports what it could not take; undo puts it back', async () => {
    const ctx = await t.household('cook');
    await t.core.pantry.update(ctx, {
      items: [
        { name: 'eggs', quantity: '3' },
        { name: 'milk', quantity: '1 l' },
        { name: 'flour', quantity: '0.25 kg' },
        { name: 'butter', quantity: '60 g', status: 'low' },
        { name: 'cream', quantity: '200 ml' },
        { name: 'honey' },
        { name: 'salt' },
        { name: 'nutmeg', status: 'out' },
      ],
    });
    const tart = await t.core.recipes.save(again(ctx), {
      title: 'Custard Tart',
      servings: 8,
      ingredients: [
        { name: 'flour', amount: 100, unit: 'g' },
        { name: 'butter', amount: 50, unit: 'g' },
        { name: 'eggs', amount: 3, note: 'for the filling' },
        { name: 'milk', amount: 300, unit: 'ml' },
        { name: 'double cream', amount: 300, unit: 'ml' },
        { name: 'egg', amount: 1, note: 'to glaze' },
        { name: 'honey', amount: 2, unit: 'tbsp' },
        { name: 'saffron', amount: 1, unit: 'pinch' },
        { name: 'nutmeg', amount: 1, unit: 'pinch' },
        { name: 'salt' },
        { name: 'cold water', amount: 2, unit: 'tbsp' },
        { name: 'icing sugar', amount: 1, unit: 'tbsp', optional: true },
      ],
    });
    const before = await stateOf(ctx);
    t.clock.set('2026-03-02T19:00:00Z');
    const cookCtx = again(ctx);
    const result = await t.core.recipes.cook(cookCtx, { recipe: 'custard' });
    expect(result.recipe).toMatchObject({ id: tart.id, lastCookedAt: '2026-03-02T19:00:00.000Z' });
    expect(result.servings).toBe(8);
    expect(result.used).toEqual([
      { name: 'flour', before: 'flour (0.25 kg)', after: 'flour (0.15 kg)' },
      { name: 'butter', before: 'butter (low)', after: 'butter (low)' },
      { name: 'eggs', before: 'eggs (3)', after: 'eggs (out)' },
      { name: 'milk', before: 'milk (1 l)', after: 'milk (0.7 l)' },
      { name: 'cream', before: 'cream (200 ml)', after: 'cream (out)' },
    ]);
    // The glaze egg found the eggs used up; honey has no amount to take from; saffron is not there; nutmeg is out.
    expect(result.skipped).toEqual(['egg', 'honey', 'saffron', 'nutmeg']);
    expect(await pantryOf(ctx)).toEqual([
      ['butter', 10, 'g', 'low'],
      ['cream', null, null, 'out'],
      ['eggs', null, null, 'out'],
      ['flour', 0.15, 'kg', 'have'],
      ['honey', null, null, 'have'],
      ['milk', 0.7, 'l', 'have'],
      ['nutmeg', null, null, 'out'],
      ['salt', null, null, 'have'],
    ]);
    const events = (await t.core.journal.history(ctx)).filter((event) => event.requestId === cookCtx.requestId);
    expect(events.map((event) => event.kind).sort()).toEqual(['pantry.use', 'pantry.use', 'pantry.use', 'pantry.use', 'pantry.use', 'recipe.cook']);

    await t.core.journal.undo(again(ctx), { requestId: cookCtx.requestId });
    const after = await stateOf(ctx);
    expect(after.pantry).toEqual(before.pantry);
    expect(after.recipes).toEqual(before.recipes);
  });

  it('cooking at other servings scales what it takes; a recipe cooked twice keeps the latest time', async () => {
    const ctx = await t.household('cook-scaled');
    await t.core.pantry.update(ctx, { items: [{ name: 'rice', quantity: '1 kg' }, { name: 'eggs', quantity: '12' }] });
    await t.core.recipes.save(again(ctx), { title: 'Fried Rice', servings: 2, ingredients: [{ name: 'rice', amount: 150, unit: 'g' }, { name: 'eggs', amount: 2 }] });
    t.clock.set('2026-03-02T12:00:00Z');
    const first = await t.core.recipes.cook(again(ctx), { recipe: 'fried rice', servings: 6 });
    expect(first.used).toEqual([
      { name: 'rice', before: 'rice (1 kg)', after: 'rice (0.55 kg)' },
      { name: 'eggs', before: 'eggs (12)', after: 'eggs (6)' },
    ]);
    t.clock.set('2026-03-03T12:00:00Z');
    const second = await t.core.recipes.cook(again(ctx), { recipe: 'fried rice', servings: 1 });
    expect(second.used).toEqual([
      { name: 'rice', before: 'rice (0.55 kg)', after: 'rice (0.475 kg)' },
      { name: 'eggs', before: 'eggs (6)', after: 'eggs (5)' },
    ]);
    expect(second.recipe.lastCookedAt).toBe('2026-03-03T12:00:00.000Z');
    // Undo the last cook only: back to the state after the first.
    await t.core.journal.undo(again(ctx));
    expect(await pantryOf(ctx)).toEqual([
      ['eggs', 6, null, 'have'],
      ['rice', 0.55, 'kg', 'have'],
    ]);
    expect((await t.core.recipes.get(ctx, 'fried rice')).lastCookedAt).toBe('2026-03-02T12:00:00.000Z');
  });
});

describe('recipes: what can I cook, use it up, expiring', () => {
  it('ranks by completeness, favouring what expires soonest; use it up finds recipes for one entry; expiring lists soonest first', async () => {
    const ctx = await t.household('plan');
    await t.core.pantry.update(ctx, {
      items: [
        { name: 'spinach', quantity: '200 g', expiresOn: '2026-03-03' },
        { name: 'yoghurt', quantity: '500 g', expiresOn: '2026-03-05' },
        { name: 'cheese', quantity: '300 g', expiresOn: '2026-03-12' },
        { name: 'ham', expiresOn: '2026-03-01' },
        { name: 'cream', status: 'out', expiresOn: '2026-03-02' },
        { name: 'eggs', quantity: '6' },
        { name: 'rice', quantity: '1 kg' },
      ],
    });
    const save = (title: string, ingredients: Array<{ name: string; amount?: number; unit?: string; optional?: boolean }>) =>
      t.core.recipes.save(again(ctx), { title, servings: 2, ingredients });
    await save('Egg Fried Rice', [{ name: 'eggs', amount: 2 }, { name: 'rice', amount: 150, unit: 'g' }]);
    await save('Spinach Omelette', [{ name: 'eggs', amount: 3 }, { name: 'spinach', amount: 100, unit: 'g' }, { name: 'chives', optional: true }]);
    await save('Yoghurt Bowl', [{ name: 'yoghurt', amount: 150, unit: 'g' }, { name: 'granola', amount: 50, unit: 'g' }]);
    await save('Cheese Toastie', [{ name: 'bread', amount: 2 }, { name: 'cheese', amount: 50, unit: 'g' }]);
    await save('Cream Sauce', [{ name: 'cream', amount: 200, unit: 'ml' }, { name: 'garlic', amount: 1 }]);

    const ranked = await t.core.recipes.whatCanICook(ctx, { limit: 10 });
    expect(ranked.map((entry) => [entry.recipe.title, entry.completeness, entry.missing, entry.usesExpiring])).toEqual([
      ['Spinach Omelette', 1, [], [{ name: 'spinach', daysLeft: 1 }]],
      ['Egg Fried Rice', 1, [], []],
      ['Yoghurt Bowl', 0.5, ['granola'], [{ name: 'yoghurt', daysLeft: 3 }]],
      ['Cheese Toastie', 0.5, ['bread'], []],
      ['Cream Sauce', 0, ['cream', 'garlic'], []],
    ]);
    expect((await t.core.recipes.whatCanICook(ctx)).map((entry) => entry.recipe.title)).toEqual(['Spinach Omelette', 'Egg Fried Rice', 'Yoghurt Bowl']);
    expect((await t.core.recipes.whatCanICook(ctx, { maxMissing: 0 })).map((entry) => entry.recipe.title)).toEqual(['Spinach Omelette', 'Egg Fried Rice']);
    expect((await t.core.recipes.whatCanICook(ctx, { limit: 10, maxMissing: 1 })).map((entry) => entry.recipe.title)).toEqual([
      'Spinach Omelette',
      'Egg Fried Rice',
      'Yoghurt Bowl',
      'Cheese Toastie',
    ]);

    // Two days on, the yoghurt expires tomorrow and the spinach is gone: the yoghurt lifts its bowl.
    await t.core.pantry.update(again(ctx), { items: [{ name: 'spinach', status: 'out' }] });
    t.clock.set('2026-03-04T09:00:00Z');
    const later = (await t.core.recipes.whatCanICook(ctx, { limit: 10 })).map((entry) => [entry.recipe.title, entry.completeness, entry.usesExpiring]);
    expect(later.slice(0, 2)).toEqual([
      ['Egg Fried Rice', 1, []],
      ['Yoghurt Bowl', 0.5, [{ name: 'yoghurt', daysLeft: 1 }]],
    ]);
    // Equally complete and using nothing that expires: either order.
    expect(later.slice(2, 4).sort()).toEqual([
      ['Cheese Toastie', 0.5, []],
      ['Spinach Omelette', 0.5, []],
    ]);
    expect(later[4]).toEqual(['Cream Sauce', 0, []]);
    t.clock.set('2026-03-02T09:00:00Z');
    await t.core.pantry.update(again(ctx), { items: [{ name: 'spinach', quantity: '200 g' }] });

    // Use it up: the recipes for one pantry entry, most complete first.
    const eggs = await t.core.recipes.useItUp(ctx, { item: 'eggs' });
    expect(eggs.map((entry) => [entry.recipe.title, entry.completeness, entry.missing]).sort()).toEqual([
      ['Egg Fried Rice', 1, []],
      ['Spinach Omelette', 1, []],
    ]);
    expect((await t.core.recipes.useItUp(ctx, { item: 'yoghurt' })).map((entry) => [entry.recipe.title, entry.completeness, entry.missing])).toEqual([
      ['Yoghurt Bowl', 0.5, ['granola']],
    ]);
    expect((await t.core.recipes.useItUp(ctx, { item: 'the cheese' })).map((entry) => entry.recipe.title)).toEqual(['Cheese Toastie']);
    expect(await t.core.recipes.useItUp(ctx, { item: 'ham' })).toEqual([]);

    // Expiring within N days of today, soonest first; already expired included, out entries not.
    const expiring = async (days: number) => (await t.core.pantry.expiring(ctx, { days })).map((entry) => [entry.name, entry.daysLeft]);
    expect(await expiring(3)).toEqual([
      ['ham', -1],
      ['spinach', 1],
      ['yoghurt', 3],
    ]);
    expect(await expiring(0)).toEqual([['ham', -1]]);
    expect(await expiring(10)).toEqual([
      ['ham', -1],
      ['spinach', 1],
      ['yoghurt', 3],
      ['cheese', 10],
    ]);
  });

  it('an empty household has nothing to cook', async () => {
    const ctx = await t.household('plan-empty');
    expect(await t.core.recipes.whatCanICook(ctx)).toEqual([]);
    expect(await t.core.recipes.search(ctx)).toEqual([]);
  });
});

describe('recipes: bad input', () => {
  it('gives typed errors and changes nothing', async () => {
    const ctx = await t.household('recipes-bad');
    await t.core.pantry.update(ctx, { items: [{ name: 'spinach', quantity: '100 g' }, { name: 'eggs', quantity: '2' }] });
    const frittata = await t.core.recipes.save(again(ctx), { title: 'Spinach Frittata', servings: 2, ingredients: [{ name: 'eggs', amount: 4 }, { name: 'spinach', amount: 200, unit: 'g' }] });
    const pie = await t.core.recipes.save(again(ctx), { title: 'Spinach Pie', servings: 6, ingredients: [{ name: 'spinach', amount: 500, unit: 'g' }, { name: 'feta', amount: 200, unit: 'g' }] });
    await t.core.recipes.fulfillment(ctx, { recipe: frittata.id });
    await t.core.recipes.fulfillment(ctx, { recipe: pie.id });
    const before = await stateOf(ctx);

    const r = t.core.recipes;
    const eggs = [{ name: 'eggs', amount: 2 }];
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => r.fulfillment(again(ctx), { recipe: frittata.id, servings: 0 }), 'invalid:servings'],
      [() => r.fulfillment(again(ctx), { recipe: frittata.id, servings: 2.5 }), 'invalid:servings'],
      [() => r.fulfillment(again(ctx), { recipe: frittata.id, servings: -2 }), 'invalid:servings'],
      [() => r.addMissingToList(again(ctx), { recipe: frittata.id, servings: 0 }), 'invalid:servings'],
      [() => r.cook(again(ctx), { recipe: frittata.id, servings: 0 }), 'invalid:servings'],
      [() => r.cook(again(ctx), { recipe: frittata.id, servings: 1001 }), 'invalid:servings'],
      [() => r.fulfillment(again(ctx), { recipe: 'lasagna' }), 'not_found:recipe'],
      [() => r.fulfillment(again(ctx), { recipe: 999_999 }), 'not_found:recipe'],
      [() => r.addMissingToList(again(ctx), { recipe: 'lasagna' }), 'not_found:recipe'],
      [() => r.cook(again(ctx), { recipe: 'lasagna' }), 'not_found:recipe'],
      [() => r.get(again(ctx), 'lasagna'), 'not_found:recipe'],
      [() => r.remove(again(ctx), 'lasagna'), 'not_found:recipe'],
      [() => r.fulfillment(again(ctx), { recipe: 'spinach' }), 'ambiguous:recipe'],
      [() => r.addMissingToList(again(ctx), { recipe: 'spinach' }), 'ambiguous:recipe'],
      [() => r.cook(again(ctx), { recipe: 'spinach' }), 'ambiguous:recipe'],
      [() => r.remove(again(ctx), 'spinach'), 'ambiguous:recipe'],
      [() => r.save(again(ctx), { title: 'spinach FRITTATA', ingredients: eggs }), 'conflict:recipe'],
      [() => r.save(again(ctx), { id: pie.id, title: 'Spinach Frittata', ingredients: eggs }), 'conflict:recipe'],
      [() => r.save(again(ctx), { id: 999_999, title: 'Lasagna', ingredients: eggs }), 'not_found:recipe'],
      [() => r.save(again(ctx), { title: '  ', ingredients: eggs }), 'invalid:name'],
      [() => r.save(again(ctx), { title: 'Lasagna', servings: 0, ingredients: eggs }), 'invalid:servings'],
      [() => r.save(again(ctx), { title: 'Lasagna', rating: 6, ingredients: eggs }), 'invalid:rating'],
      [() => r.save(again(ctx), { title: 'Lasagna', ingredients: [{ name: 'eggs', amount: 0 }] }), 'invalid:amount'],
      [() => r.save(again(ctx), { title: 'Lasagna', ingredients: [{ name: 'eggs', amount: Number.NaN }] }), 'invalid:amount'],
      [() => r.save(again(ctx), { title: 'Lasagna', ingredients: [{ name: '' }] }), 'invalid:name'],
      [() => r.save(again(ctx), { title: 'Lasagna', ingredients: eggs, tags: ['x'.repeat(51)] }), 'invalid:tags'],
      [() => r.importText(again(ctx), { text: 'Spinach Frittata\nServes 2\n\n4 eggs\n200 g spinach' }), 'conflict:recipe'],
      [() => r.importText(again(ctx), { text: 'Spinach Frittata\nServes 2\n\n4 eggs\n200 g spinach', dryRun: true }), 'conflict:recipe'],
      [() => r.importText(again(ctx), { text: 'just saying hello' }), 'invalid:recipe'],
      [() => r.addMissingToList(again(ctx), { recipe: frittata.id, list: 'aldi' }), 'not_found:list'],
      [() => r.setIngredientMatch(again(ctx), { ingredient: 'feta', pantryItem: 'unicorn' }), 'not_found:pantry_item'],
      [() => r.setIngredientMatch(again(ctx), { ingredient: ' ', pantryItem: 'spinach' }), 'invalid:name'],
      [() => r.useItUp(again(ctx), { item: 'unicorn' }), 'not_found:pantry_item'],
    ];
    for (const [attempt, code] of cases) {
      const error = await attempt().then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(isLarderError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
    }
    expect(await stateOf(ctx)).toEqual(before);

    const ambiguous = await r.cook(again(ctx), { recipe: 'spinach' }).catch((error: unknown) => error);
    expect(isLarderError(ambiguous) && ambiguous.details).toEqual({ candidates: ['Spinach Frittata', 'Spinach Pie'] });
  });

  it('dry runs change nothing: import, list and cook', async () => {
    const ctx = await t.household('recipes-dry');
    await t.core.pantry.update(ctx, { items: [{ name: 'eggs', quantity: '2' }, { name: 'milk', quantity: '1 l' }] });
    await t.core.recipes.importText(again(ctx), { text: PANCAKES });
    await t.core.recipes.fulfillment(ctx, { recipe: 'pancakes' });
    const before = await stateOf(ctx);
    const preview = await t.core.recipes.importText(again(ctx), { text: FRITTATA, dryRun: true });
    expect(preview.ingredients).toHaveLength(5);
    const list = await t.core.recipes.addMissingToList(again(ctx), { recipe: 'pancakes', servings: 8, dryRun: true });
    expect(list.lists.map((entry) => [entry.list.name, entry.items.map((added) => [added.item.name, added.item.quantity])])).toEqual([
      [
        'Shopping',
        [
          ['flour', '600 g'],
          ['eggs', '4'],
          ['salt', '2 pinches'],
        ],
      ],
    ]);
    expect(list.alreadyHave).toEqual(['milk']);
    const cooked = await t.core.recipes.cook(again(ctx), { recipe: 'pancakes', dryRun: true });
    expect(cooked.used).toEqual([
      { name: 'milk', before: 'milk (1 l)', after: 'milk (0.5 l)' },
      { name: 'eggs', before: 'eggs (2)', after: 'eggs (out)' },
    ]);
    expect(cooked.skipped).toEqual(['flour', 'salt']);
    expect(cooked.recipe.lastCookedAt).toBe('2026-03-02T09:00:00.000Z');
    expect(await stateOf(ctx)).toEqual(before);
    expect(await t.core.journal.history(ctx, { limit: 1 })).toHaveLength(1);
  });
});
