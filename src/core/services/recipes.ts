import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { RequestContext } from '../context.ts';
import type { Db, DbOrTx, Tx } from '../db/client.ts';
import * as schema from '../db/schema.ts';
import { LarderError } from '../errors.ts';
import { parseRecipeText } from '../nlp/recipe-text.ts';
import { formatQuantity } from '../nlp/quantity.ts';
import { measureUnit } from '../nlp/units.ts';
import { assessRecipe, comparableAmount, rankRecipes, type PantryStock, type RecipeAssessment } from '../recipes/fulfillment.ts';
import { createPantryIndex, matchIngredientIn } from '../recipes/ingredient-match.ts';
import { localDate } from '../time.ts';
import type { JournalService, JournalWriter } from './journal.ts';
import type { AddResult, ListService } from './lists.ts';
import { findOne } from './match.ts';
import { daysBetween, describe as describePantry } from './pantry.ts';
import { checkName, checkNote } from './validate.ts';
import { listView, type ListView } from './views.ts';

/** An ingredient as given by a person, an assistant or the text parser. */
export interface IngredientInput {
  name: string;
  amount?: number | null;
  unit?: string | null;
  note?: string | null;
  optional?: boolean;
}

export interface RecipeInput {
  title: string;
  servings?: number | null;
  ingredients: IngredientInput[];
  steps?: string[];
  tags?: string[];
  source?: string | null;
  rating?: number | null;
  notes?: string | null;
}

/** A recipe as tools and the bot show it. */
export interface RecipeView {
  id: number;
  title: string;
  servings: number | null;
  ingredients: Array<Omit<schema.RecipeIngredient, 'key'>>;
  steps: string[];
  tags: string[];
  source: string | null;
  rating: number | null;
  notes: string | null;
  lastCookedAt: string | null;
}

export interface RecipeSummary {
  id: number;
  title: string;
  servings: number | null;
  tags: string[];
  rating: number | null;
  lastCookedAt: string | null;
  ingredientCount: number;
}

/** Which recipe: its id or (part of) its title. */
export type RecipeRef = number | string;

export interface FulfillmentView extends RecipeAssessment {
  recipe: RecipeSummary;
}

export interface CookResult {
  recipe: RecipeSummary;
  servings: number | null;
  /** Pantry entries that went down, with their amount before and after. */
  used: Array<{ name: string; before: string; after: string }>;
  /** Ingredients the pantry did not have or could not measure: nothing was taken for them. */
  skipped: string[];
}

export interface RecipeService {
  save(ctx: RequestContext, input: RecipeInput & { id?: number }): Promise<RecipeView>;
  remove(ctx: RequestContext, ref: RecipeRef): Promise<RecipeView>;
  get(ctx: RequestContext, ref: RecipeRef): Promise<RecipeView>;
  search(ctx: RequestContext, input?: { query?: string; tag?: string; ingredient?: string; limit?: number }): Promise<RecipeSummary[]>;
  /** Reads pasted recipe text with the deterministic parser and saves it (or previews with dryRun). */
  importText(ctx: RequestContext, input: { text: string; source?: string | null; dryRun?: boolean }): Promise<RecipeView>;
  fulfillment(ctx: RequestContext, input: { recipe: RecipeRef; servings?: number | null }): Promise<FulfillmentView>;
  /** Puts what is missing (and, if asked, what is low) on lists, scaled; routed to each item's preferred store. */
  addMissingToList(
    ctx: RequestContext,
    input: { recipe: RecipeRef; servings?: number | null; list?: string | number | null; includeLow?: boolean; dryRun?: boolean },
  ): Promise<{ recipe: RecipeSummary; lists: Array<{ list: ListView; items: AddResult['items'] }>; alreadyHave: string[] }>;
  /** Takes the ingredients out of the pantry and sets last cooked. */
  cook(ctx: RequestContext, input: { recipe: RecipeRef; servings?: number | null; dryRun?: boolean }): Promise<CookResult>;
  whatCanICook(ctx: RequestContext, input?: { limit?: number; maxMissing?: number }): Promise<Array<{ recipe: RecipeSummary; completeness: number; missing: string[]; usesExpiring: Array<{ name: string; daysLeft: number }> }>>;
  /** Recipes that use a pantry item, most complete first. */
  useItUp(ctx: RequestContext, input: { item: string; limit?: number }): Promise<Array<{ recipe: RecipeSummary; completeness: number; missing: string[] }>>;
  /** Corrects which pantry entry an ingredient means (null: none); remembered for every recipe. */
  setIngredientMatch(ctx: RequestContext, input: { ingredient: string; pantryItem: string | null }): Promise<{ ingredient: string; pantryItem: string | null }>;
}

const MAX_INGREDIENTS = 100;
const MAX_STEPS = 100;
const MAX_STEP_LENGTH = 2000;

function summary(recipe: schema.Recipe): RecipeSummary {
  return {
    id: recipe.id,
    title: recipe.title,
    servings: recipe.servings,
    tags: recipe.tags,
    rating: recipe.rating,
    lastCookedAt: recipe.lastCookedAt?.toISOString() ?? null,
    ingredientCount: recipe.ingredients.length,
  };
}

function view(recipe: schema.Recipe): RecipeView {
  return {
    id: recipe.id,
    title: recipe.title,
    servings: recipe.servings,
    ingredients: recipe.ingredients.map(({ key: _key, ...rest }) => rest),
    steps: recipe.steps,
    tags: recipe.tags,
    source: recipe.source,
    rating: recipe.rating,
    notes: recipe.notes,
    lastCookedAt: recipe.lastCookedAt?.toISOString() ?? null,
  };
}

function checkServings(servings: number | null | undefined): number | null {
  if (servings == null) return null;
  if (!Number.isInteger(servings) || servings < 1 || servings > 1000) {
    throw new LarderError('invalid:servings', `Servings must be a whole number from 1 to 1000, not ${servings}.`);
  }
  return servings;
}

/** Validates a recipe as given; returns the row fields. */
function checkRecipe(input: RecipeInput) {
  const { name: title } = checkName(input.title, 'recipe');
  if (input.ingredients.length > MAX_INGREDIENTS) throw new LarderError('invalid:ingredients', `A recipe can have at most ${MAX_INGREDIENTS} ingredients.`);
  const ingredients: schema.RecipeIngredient[] = input.ingredients.map((ingredient) => {
    const { name, key } = checkName(ingredient.name, 'ingredient');
    const amount = ingredient.amount ?? null;
    if (amount !== null && (!Number.isFinite(amount) || amount <= 0 || amount > 1_000_000)) {
      throw new LarderError('invalid:amount', `The amount of ${name} must be a positive number, not ${amount}.`);
    }
    const unitText = ingredient.unit?.trim() || null;
    if (unitText !== null && unitText.length > 30) throw new LarderError('invalid:unit', `"${unitText.slice(0, 30)}…" is not a unit.`);
    const unit = unitText === null ? null : (measureUnit(unitText)?.unit ?? unitText.toLowerCase());
    return { name, key, amount, unit, note: checkNote(ingredient.note), optional: ingredient.optional ?? false };
  });
  const steps = (input.steps ?? []).map((step) => step.trim()).filter((step) => step !== '');
  if (steps.length > MAX_STEPS || steps.some((step) => step.length > MAX_STEP_LENGTH)) {
    throw new LarderError('invalid:steps', `A recipe can have at most ${MAX_STEPS} steps of at most ${MAX_STEP_LENGTH} characters.`);
  }
  const tags = [...new Set((input.tags ?? []).map((tag) => tag.trim().toLowerCase()).filter((tag) => tag !== ''))];
  if (tags.length > 30 || tags.some((tag) => tag.length > 50)) throw new LarderError('invalid:tags', 'At most 30 tags of at most 50 characters.');
  const rating = input.rating ?? null;
  if (rating !== null && (!Number.isInteger(rating) || rating < 1 || rating > 5)) {
    throw new LarderError('invalid:rating', 'A rating is a whole number from 1 to 5.');
  }
  const source = input.source?.trim() || null;
  if (source !== null && source.length > 2000) throw new LarderError('invalid:source', 'The source can be at most 2000 characters.');
  const notes = input.notes?.trim() || null;
  if (notes !== null && notes.length > 5000) throw new LarderError('invalid:notes', 'Notes can be at most 5000 characters.');
  return { title, servings: checkServings(input.servings), ingredients, steps, tags, rating, source, notes };
}

export function createRecipeService(deps: {
  db: Db;
  clock: Clock;
  journal: JournalService;
  lists: ListService;
  timeZoneOf: (householdId: number) => Promise<string>;
  /** Reads recipe text with the LLM (checked against the parser); without it, the deterministic parser alone. */
  readRecipe?: ((householdId: number, text: string) => Promise<RecipeInput>) | undefined;
}): RecipeService {
  const { db, clock, journal, lists, timeZoneOf, readRecipe } = deps;

  async function all(householdId: number, tx: DbOrTx = db) {
    // In the order they were saved: an update moves a row on disk, and lists of candidates must not shuffle.
    return tx.select().from(schema.recipes).where(eq(schema.recipes.householdId, householdId)).orderBy(asc(schema.recipes.id));
  }

  async function find(householdId: number, ref: RecipeRef, tx: DbOrTx = db): Promise<schema.Recipe> {
    if (typeof ref === 'number') {
      const [row] = await tx
        .select()
        .from(schema.recipes)
        .where(and(eq(schema.recipes.householdId, householdId), eq(schema.recipes.id, ref)));
      if (!row) throw new LarderError('not_found:recipe', `There is no recipe #${ref}.`);
      return row;
    }
    const rows = await all(householdId, tx);
    const keyed = rows.map((row) => ({ ...row, key: row.title.toLowerCase().replace(/\s+/g, ' ').trim(), name: row.title }));
    const lower = ref.toLowerCase().trim();
    const exact = keyed.find((row) => row.key === lower);
    if (exact) return exact;
    const containing = keyed.filter((row) => row.key.includes(lower));
    if (containing.length === 1 && containing[0]) return containing[0];
    if (containing.length > 1) {
      throw new LarderError('ambiguous:recipe', `"${ref}" could be ${containing.map((row) => `"${row.title}"`).join(' or ')}; say which.`, {
        candidates: containing.map((row) => row.title),
      });
    }
    return findOne(keyed, ref, 'recipe', 'among the recipes');
  }

  async function save(ctx: RequestContext, input: RecipeInput & { id?: number }) {
    const fields = checkRecipe(input);
    return journal.write(ctx, async (tx, log) => {
      const now = clock.now();
      const rows = await all(ctx.householdId, tx);
      checkTitleFree(rows, fields.title, input.id);
      if (input.id !== undefined) {
        const before = rows.find((row) => row.id === input.id);
        if (!before) throw new LarderError('not_found:recipe', `There is no recipe #${input.id}.`);
        const [after] = await tx.update(schema.recipes).set({ ...fields, updatedAt: now }).where(eq(schema.recipes.id, before.id)).returning();
        if (!after) throw new LarderError('conflict:recipe', 'Could not save the recipe.');
        log.record({ kind: 'recipe.update', entity: 'recipe', before, after, summary: `changed the recipe ${after.title}` });
        return view(after);
      }
      const [created] = await tx
        .insert(schema.recipes)
        .values({ householdId: ctx.householdId, ...fields, createdAt: now, updatedAt: now })
        .returning();
      if (!created) throw new LarderError('conflict:recipe', 'Could not save the recipe.');
      log.record({ kind: 'recipe.add', entity: 'recipe', before: null, after: created, summary: `saved the recipe ${created.title}` });
      return view(created);
    });
  }

  async function remove(ctx: RequestContext, ref: RecipeRef) {
    return journal.write(ctx, async (tx, log) => {
      const recipe = await find(ctx.householdId, ref, tx);
      await tx.delete(schema.recipes).where(eq(schema.recipes.id, recipe.id));
      log.record({ kind: 'recipe.remove', entity: 'recipe', before: recipe, after: null, summary: `deleted the recipe ${recipe.title}` });
      return view(recipe);
    });
  }

  async function search(ctx: RequestContext, input: { query?: string; tag?: string; ingredient?: string; limit?: number } = {}) {
    const rows = await all(ctx.householdId);
    const query = input.query?.toLowerCase().trim();
    const tag = input.tag?.toLowerCase().trim();
    const ingredient = input.ingredient?.trim();
    const index = ingredient ? createPantryIndex([{ key: ingredient.toLowerCase(), name: ingredient }]) : null;
    return rows
      .filter((row) => !query || row.title.toLowerCase().includes(query) || row.tags.some((t) => t.includes(query)) || row.ingredients.some((i) => i.key.includes(query)))
      .filter((row) => !tag || row.tags.includes(tag))
      .filter((row) => !index || row.ingredients.some((i) => matchIngredientIn(index, i.name) !== null))
      .sort((a, b) => a.title.localeCompare(b.title))
      .slice(0, Math.min(Math.max(input.limit ?? 50, 1), 200))
      .map(summary);
  }

  async function importText(ctx: RequestContext, input: { text: string; source?: string | null; dryRun?: boolean }) {
    if (input.text.length > 100_000) throw new LarderError('invalid:text', 'That text is too long for a recipe (100,000 characters at most).');
    const parsed = readRecipe ? await readRecipe(ctx.householdId, input.text) : parseRecipeText(input.text);
    if (parsed.title.trim() === '' || parsed.ingredients.length === 0) {
      throw new LarderError(
        'invalid:recipe',
        "I couldn't find a recipe in that text: it needs a title line and an ingredient list (one ingredient per line, like \"2 cups flour\").",
      );
    }
    const recipeInput: RecipeInput = {
      title: parsed.title,
      servings: parsed.servings ?? null,
      ingredients: parsed.ingredients,
      steps: parsed.steps,
      source: input.source ?? null,
    };
    if (input.dryRun) {
      const fields = checkRecipe(recipeInput);
      // A preview says what saving would do, and saving would refuse a second recipe of that name.
      checkTitleFree(await all(ctx.householdId), fields.title);
      return view({ id: 0, householdId: ctx.householdId, ...fields, lastCookedAt: null, createdAt: clock.now(), updatedAt: clock.now() });
    }
    return save(ctx, recipeInput);
  }

  /** Pantry stock for each ingredient of the recipes, using and filling the household's match cache. */
  async function stockLookup(householdId: number, recipes: readonly schema.Recipe[]) {
    const pantry = await db.select().from(schema.pantryItems).where(eq(schema.pantryItems.householdId, householdId));
    const byKey = new Map(pantry.map((row) => [row.key, row]));
    const fingerprint = createHash('sha256').update([...byKey.keys()].sort().join('\n')).digest('base64url').slice(0, 22);
    const keys = [...new Set(recipes.flatMap((recipe) => recipe.ingredients.map((ingredient) => ingredient.key)))];
    const cached =
      keys.length === 0
        ? []
        : await db
            .select()
            .from(schema.ingredientMatches)
            .where(and(eq(schema.ingredientMatches.householdId, householdId), inArray(schema.ingredientMatches.ingredientKey, keys)));
    const cache = new Map(cached.map((row) => [row.ingredientKey, row]));
    const index = createPantryIndex(pantry.map((row) => ({ key: row.key, name: row.name })));
    const fresh: Array<{ ingredientKey: string; pantryKey: string | null; pantryFingerprint: string }> = [];
    const resolved = new Map<string, string | null>();
    for (const key of keys) {
      const hit = cache.get(key);
      // A user's choice always holds. An automatic answer (a match or "no match") holds while the
      // pantry has the same entries: a new one may be a closer match, a removed one no match at all.
      const stillValid = hit !== undefined && hit.pantryFingerprint === fingerprint;
      if (hit && (hit.source === 'user' || stillValid)) {
        resolved.set(key, hit.pantryKey);
        continue;
      }
      const match = matchIngredientIn(index, key)?.pantryKey ?? null;
      resolved.set(key, match);
      fresh.push({ ingredientKey: key, pantryKey: match, pantryFingerprint: fingerprint });
    }
    if (fresh.length > 0) {
      const now = clock.now();
      // The cache is derived data (rebuilt from the pantry at will), so it is not journaled.
      await db
        .insert(schema.ingredientMatches)
        .values(fresh.map((entry) => ({ householdId, ...entry, source: 'auto' as const, createdAt: now, updatedAt: now })))
        .onConflictDoUpdate({
          target: [schema.ingredientMatches.householdId, schema.ingredientMatches.ingredientKey],
          set: { pantryKey: sql`excluded.pantry_key`, pantryFingerprint: sql`excluded.pantry_fingerprint`, updatedAt: now },
          // A user's correction is never replaced by a guess.
          setWhere: eq(schema.ingredientMatches.source, 'auto'),
        });
    }
    return {
      pantry,
      stockFor: (ingredient: schema.RecipeIngredient): (PantryStock & { id: number }) | null => {
        const pantryKey = resolved.get(ingredient.key) ?? null;
        const row = pantryKey === null ? undefined : byKey.get(pantryKey);
        return row ?? null;
      },
    };
  }

  async function fulfillment(ctx: RequestContext, input: { recipe: RecipeRef; servings?: number | null }) {
    const servings = checkServings(input.servings);
    const recipe = await find(ctx.householdId, input.recipe);
    const { stockFor } = await stockLookup(ctx.householdId, [recipe]);
    return { recipe: summary(recipe), ...assessRecipe(recipe, servings, stockFor) };
  }

  async function addMissingToList(
    ctx: RequestContext,
    input: { recipe: RecipeRef; servings?: number | null; list?: string | number | null; includeLow?: boolean; dryRun?: boolean },
  ) {
    const servings = checkServings(input.servings);
    const recipe = await find(ctx.householdId, input.recipe);
    const { stockFor } = await stockLookup(ctx.householdId, [recipe]);
    const assessment = assessRecipe(recipe, servings, stockFor);
    const wanted = assessment.ingredients.filter(
      (ingredient) => !ingredient.optional && (ingredient.state === 'missing' || ingredient.state === 'short' || (input.includeLow && ingredient.state === 'low')),
    );
    // What the pantry covers: an optional ingredient the pantry lacks is neither bought nor "had".
    const alreadyHave = assessment.ingredients
      .filter((ingredient) => !wanted.includes(ingredient) && ingredient.state !== 'missing' && ingredient.state !== 'short')
      .map((ingredient) => ingredient.name);
    if (wanted.length === 0) {
      return { recipe: summary(recipe), lists: [], alreadyHave };
    }
    const fallback = await lists.resolve(ctx.householdId, input.list);
    // Each item goes to its preferred store's list when one exists, else the list asked for.
    const groups = new Map<number, { list: schema.List; items: Array<{ name: string; quantity: string | null; note: string }> }>();
    for (const ingredient of wanted) {
      const stock = stockFor(recipeIngredient(recipe, ingredient.key));
      const store = input.list == null ? (stock?.preferredStore ?? null) : null;
      let target = fallback;
      if (store) target = await lists.resolve(ctx.householdId, store).catch(() => fallback);
      const toBuy = ingredient.toBuy ?? { amount: ingredient.amount, unit: ingredient.unit };
      const quantity = toBuy.amount === null ? null : formatQuantity([{ amount: toBuy.amount, unit: toBuy.unit }]);
      const group = groups.get(target.id) ?? { list: target, items: [] };
      // Under the pantry entry's name when it has one, so ticking the item restocks that entry
      // (and merges with it on the list) rather than starting a second one ("fresh basil" → basil).
      group.items.push({ name: stock?.name ?? ingredient.name, quantity, note: `for ${recipe.title}` });
      groups.set(target.id, group);
    }
    const prepared = new Map<number, Awaited<ReturnType<ListService['prepare']>>>();
    for (const [listId, group] of groups) prepared.set(listId, await lists.prepare(ctx, group.items));
    return journal.write(
      ctx,
      async (tx, log) => {
        const result: Array<{ list: ListView; items: AddResult['items'] }> = [];
        for (const [listId, group] of groups) {
          const items = await lists.addInTx(tx, log, ctx, group.list, prepared.get(listId) ?? [], { sourceRecipeId: recipe.id });
          result.push({ list: listView(group.list), items });
        }
        return { recipe: summary(recipe), lists: result, alreadyHave };
      },
      { dryRun: input.dryRun ?? false },
    );
  }

  async function cook(ctx: RequestContext, input: { recipe: RecipeRef; servings?: number | null; dryRun?: boolean }) {
    const servings = checkServings(input.servings);
    const recipe = await find(ctx.householdId, input.recipe);
    const { stockFor } = await stockLookup(ctx.householdId, [recipe]);
    const assessment = assessRecipe(recipe, servings, stockFor);
    return journal.write(
      ctx,
      async (tx, log) => {
        const now = clock.now();
        const used: CookResult['used'] = [];
        const skipped: string[] = [];
        const touched = new Map<number, schema.PantryItem>();
        for (const ingredient of assessment.ingredients) {
          const stock = stockFor(recipeIngredient(recipe, ingredient.key));
          if (!stock || stock.status === 'out') {
            // Not in the pantry, or there but out: nothing to take (water and the like count as had).
            if (!ingredient.optional && ingredient.state !== 'have') skipped.push(ingredient.name);
            continue;
          }
          const before = touched.get(stock.id) ?? (await lockPantry(tx, stock.id));
          if (!before) continue;
          const held = before.amount === null || ingredient.amount === null ? null : comparableAmount(ingredient.amount, ingredient.unit, before.unit);
          if (held === null) {
            // Amount unknown in comparable terms: nothing measurable to take away.
            if (ingredient.amount !== null) skipped.push(ingredient.name);
            continue;
          }
          const left = (before.amount ?? 0) - held;
          const runsOut = left <= 1e-9;
          const [after] = await tx
            .update(schema.pantryItems)
            .set({ amount: runsOut ? null : Number(left.toFixed(3)), unit: runsOut ? null : before.unit, status: runsOut ? 'out' : before.status, updatedAt: now })
            .where(eq(schema.pantryItems.id, before.id))
            .returning();
          if (!after) continue;
          touched.set(after.id, after);
          log.record({ kind: 'pantry.use', entity: 'pantry', before, after, summary: `used ${ingredient.name} for ${recipe.title}: ${describePantry(before)} → ${describePantry(after)}` });
          used.push({ name: after.name, before: describePantry(before), after: describePantry(after) });
        }
        const [cooked] = await tx.update(schema.recipes).set({ lastCookedAt: now, updatedAt: now }).where(eq(schema.recipes.id, recipe.id)).returning();
        if (cooked) log.record({ kind: 'recipe.cook', entity: 'recipe', before: recipe, after: cooked, summary: `cooked ${recipe.title}` });
        return { recipe: summary(cooked ?? recipe), servings: assessment.servings, used, skipped };
      },
      { dryRun: input.dryRun ?? false },
    );
  }

  async function lockPantry(tx: Tx, id: number) {
    const [row] = await tx.select().from(schema.pantryItems).where(eq(schema.pantryItems.id, id)).for('update');
    return row;
  }

  async function whatCanICook(ctx: RequestContext, input: { limit?: number; maxMissing?: number } = {}) {
    const recipes = await all(ctx.householdId);
    if (recipes.length === 0) return [];
    const { pantry, stockFor } = await stockLookup(ctx.householdId, recipes);
    const today = localDate(clock.now(), await timeZoneOf(ctx.householdId));
    const daysLeft = new Map(pantry.filter((row) => row.expiresOn !== null && row.status !== 'out').map((row) => [row.key, daysBetween(today, row.expiresOn ?? today)]));
    const ranked = rankRecipes(
      recipes.map((recipe) => ({ recipe, assessment: assessRecipe(recipe, null, stockFor) })),
      (key) => daysLeft.get(key) ?? null,
    );
    return ranked
      .filter((entry) => input.maxMissing === undefined || entry.assessment.missing.length <= input.maxMissing)
      .slice(0, Math.min(Math.max(input.limit ?? 3, 1), 50))
      .map((entry) => ({
        recipe: summary(entry.recipe),
        completeness: Number(entry.assessment.completeness.toFixed(2)),
        missing: entry.assessment.missing,
        usesExpiring: entry.usesExpiring,
      }));
  }

  async function useItUp(ctx: RequestContext, input: { item: string; limit?: number }) {
    const pantryRows = await db.select().from(schema.pantryItems).where(eq(schema.pantryItems.householdId, ctx.householdId));
    const entry = findOne(pantryRows, input.item, 'pantry_item', 'in the pantry');
    const recipes = await all(ctx.householdId);
    const { stockFor } = await stockLookup(ctx.householdId, recipes);
    return recipes
      .filter((recipe) => recipe.ingredients.some((ingredient) => stockFor(ingredient)?.key === entry.key))
      .map((recipe) => ({ recipe, assessment: assessRecipe(recipe, null, stockFor) }))
      .sort((a, b) => b.assessment.completeness - a.assessment.completeness)
      .slice(0, Math.min(Math.max(input.limit ?? 5, 1), 50))
      .map(({ recipe, assessment }) => ({ recipe: summary(recipe), completeness: Number(assessment.completeness.toFixed(2)), missing: assessment.missing }));
  }

  async function setIngredientMatch(ctx: RequestContext, input: { ingredient: string; pantryItem: string | null }) {
    const { key, name } = checkName(input.ingredient, 'ingredient');
    return journal.write(ctx, async (tx, log: JournalWriter) => {
      let pantryKey: string | null = null;
      let pantryName: string | null = null;
      if (input.pantryItem !== null) {
        const rows = await tx.select().from(schema.pantryItems).where(eq(schema.pantryItems.householdId, ctx.householdId));
        const entry = findOne(rows, input.pantryItem, 'pantry_item', 'in the pantry');
        pantryKey = entry.key;
        pantryName = entry.name;
      }
      const now = clock.now();
      const [before] = await tx
        .select()
        .from(schema.ingredientMatches)
        .where(and(eq(schema.ingredientMatches.householdId, ctx.householdId), eq(schema.ingredientMatches.ingredientKey, key)))
        .for('update');
      const [after] = before
        ? await tx.update(schema.ingredientMatches).set({ pantryKey, source: 'user', updatedAt: now }).where(eq(schema.ingredientMatches.id, before.id)).returning()
        : await tx
            .insert(schema.ingredientMatches)
            .values({ householdId: ctx.householdId, ingredientKey: key, pantryKey, source: 'user', createdAt: now, updatedAt: now })
            .returning();
      log.record({
        kind: 'ingredient.match',
        entity: 'ingredient_match',
        before: before ?? null,
        after: after ?? null,
        summary: pantryName ? `${name} in recipes means ${pantryName} in the pantry` : `${name} in recipes matches nothing in the pantry`,
      });
      return { ingredient: name, pantryItem: pantryName };
    });
  }

  return { save, remove, get: async (ctx, ref) => view(await find(ctx.householdId, ref)), search, importText, fulfillment, addMissingToList, cook, whatCanICook, useItUp, setIngredientMatch };
}

/** Refuses a title another recipe of the household already has (case aside). */
function checkTitleFree(rows: readonly schema.Recipe[], title: string, id?: number): void {
  const clash = rows.find((row) => row.title.toLowerCase() === title.toLowerCase() && row.id !== id);
  if (clash) {
    throw new LarderError('conflict:recipe', `There is already a recipe called "${clash.title}" (#${clash.id}); pass its id to change it.`);
  }
}

/** The recipe's own ingredient for a key (assessments carry scaled copies). */
function recipeIngredient(recipe: schema.Recipe, key: string): schema.RecipeIngredient {
  const found = recipe.ingredients.find((ingredient) => ingredient.key === key);
  if (!found) throw new LarderError('not_found:ingredient', `No ingredient ${key} in ${recipe.title}.`);
  return found;
}

