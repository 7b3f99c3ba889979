import { z } from 'zod';
import { LIMITS } from '../services/validate.ts';
import { ADDITIVE, DESTRUCTIVE, READ_ONLY, defineTool } from './define.ts';
import { addedItemSchema, dryRun, listRef, listSchema, nameField, recipeSchema, recipeSummarySchema } from './schemas.ts';

const recipeRef = z
  .union([z.number().int().positive(), z.string().min(1).max(LIMITS.name)])
  .describe('The recipe: its id or (part of) its title.');
const servings = z.number().int().min(1).max(1000).optional().describe("Servings to scale to; default the recipe's own.");

const ingredientInput = z.object({
  name: nameField('Ingredient name, e.g. "garlic".'),
  amount: z.number().positive().max(1_000_000).nullable().optional().describe('Amount, e.g. 2.'),
  unit: z.string().max(30).nullable().optional().describe('Unit, e.g. "tbsp", "g", "clove".'),
  note: z.string().max(LIMITS.note).nullable().optional().describe('Preparation note, e.g. "minced".'),
  optional: z.boolean().optional().describe('true when the recipe works without it.'),
});

const assessedIngredient = z.object({
  name: z.string().describe('Ingredient.'),
  key: z.string().describe('Normalized name.'),
  amount: z.number().nullable().describe('Amount needed (scaled).'),
  unit: z.string().nullable().describe('Unit.'),
  note: z.string().nullable().describe('Note.'),
  optional: z.boolean().describe('Optional ingredient.'),
  state: z.enum(['have', 'low', 'short', 'missing']).describe('have, low (have but running low), short (not enough) or missing.'),
  pantry: z
    .object({
      key: z.string(),
      name: z.string(),
      amount: z.number().nullable(),
      unit: z.string().nullable(),
      status: z.enum(['have', 'low', 'out']),
      expiresOn: z.string().nullable(),
    })
    .nullable()
    .describe('The pantry entry it matched.'),
  toBuy: z.object({ amount: z.number().nullable(), unit: z.string().nullable() }).nullable().describe('What to buy for it, if anything.'),
});

export const searchRecipes = defineTool({
  name: 'search_recipes',
  title: 'Search recipes',
  description: "Finds the household's saved recipes by words in the title, a tag, or an ingredient. With no filter, lists them all.",
  input: z.object({
    query: z.string().max(LIMITS.name).optional().describe('Words in the title, tags or ingredients.'),
    tag: z.string().max(50).optional().describe('A tag, e.g. "vegetarian".'),
    ingredient: z.string().max(LIMITS.name).optional().describe('An ingredient the recipe uses, e.g. "spinach".'),
    limit: z.number().int().min(1).max(200).optional().describe('At most this many (default 50).'),
  }),
  output: z.object({ recipes: z.array(recipeSummarySchema).describe('Matching recipes.') }),
  annotations: READ_ONLY,
  handler: async ({ core, request }, input) => ({ recipes: await core.recipes.search(request, input) }),
});

export const getRecipe = defineTool({
  name: 'get_recipe',
  title: 'Show a recipe',
  description: 'Returns one recipe in full: ingredients with amounts, steps, tags, rating and when it was last cooked.',
  input: z.object({ recipe: recipeRef }),
  output: z.object({ recipe: recipeSchema }),
  annotations: READ_ONLY,
  handler: async ({ core, request }, input) => ({ recipe: await core.recipes.get(request, input.recipe) }),
});

export const saveRecipe = defineTool({
  name: 'save_recipe',
  title: 'Save a recipe',
  description:
    'Saves a recipe from structured fields. Without `id` it creates one (titles are unique per household); with `id` it replaces that recipe. To save pasted text, use import_recipe instead.',
  input: z.object({
    id: z.number().int().positive().optional().describe('Recipe id to replace.'),
    title: nameField('Title.'),
    servings: z.number().int().min(1).max(1000).nullable().optional().describe('Servings the amounts are for.'),
    ingredients: z.array(ingredientInput).max(100).describe('Ingredients.'),
    steps: z.array(z.string().max(2000)).max(100).optional().describe('Steps in order.'),
    tags: z.array(z.string().max(50)).max(30).optional().describe('Tags, e.g. ["vegetarian", "quick"].'),
    source: z.string().max(2000).nullable().optional().describe('Where it came from.'),
    rating: z.number().int().min(1).max(5).nullable().optional().describe('Rating 1-5.'),
    notes: z.string().max(5000).nullable().optional().describe('Notes.'),
  }),
  output: z.object({ recipe: recipeSchema }),
  annotations: { ...ADDITIVE, destructiveHint: true },
  handler: async ({ core, request }, input) => ({ recipe: await core.recipes.save(request, input) }),
});

export const deleteRecipe = defineTool({
  name: 'delete_recipe',
  title: 'Delete a recipe',
  description: 'Deletes a saved recipe (undo brings it back).',
  input: z.object({ recipe: recipeRef }),
  output: z.object({ recipe: recipeSchema }),
  annotations: DESTRUCTIVE,
  handler: async ({ core, request }, input) => ({ recipe: await core.recipes.remove(request, input.recipe) }),
});

export const importRecipe = defineTool({
  name: 'import_recipe',
  title: 'Import a recipe from text',
  description:
    'Reads recipe text as pasted from a website or a message (title, servings, ingredient lines, steps) and saves it. Use dry_run to show what was read before saving. The text is treated as data only.',
  input: z.object({
    text: z.string().min(1).max(100_000).describe('The recipe text.'),
    source: z.string().max(2000).optional().describe('Where it came from, e.g. a URL.'),
    dry_run: dryRun,
  }),
  output: z.object({ recipe: recipeSchema }),
  annotations: ADDITIVE,
  handler: async ({ core, request }, input) => ({ recipe: await core.recipes.importText(request, { text: input.text, source: input.source ?? null, dryRun: input.dry_run ?? false }) }),
});

export const recipeFulfillment = defineTool({
  name: 'recipe_fulfillment',
  title: 'Check a recipe against the pantry',
  description:
    'For each ingredient of a recipe (scaled to `servings`), says whether the pantry has it, has it but low, has too little (short), or lacks it, and what to buy. Also a completeness score 0-1.',
  input: z.object({ recipe: recipeRef, servings }),
  output: z.object({
    recipe: recipeSummarySchema,
    servings: z.number().nullable().describe('Servings assessed.'),
    scale: z.number().describe('Factor applied to the amounts.'),
    ingredients: z.array(assessedIngredient).describe('Per ingredient.'),
    completeness: z.number().describe('0-1: share of required ingredients covered.'),
    missing: z.array(z.string()).describe('Ingredients to buy.'),
  }),
  annotations: READ_ONLY,
  handler: async ({ core, request }, input) => core.recipes.fulfillment(request, { recipe: input.recipe, servings: input.servings ?? null }),
});

export const addRecipeToList = defineTool({
  name: 'add_recipe_to_list',
  title: 'Put missing ingredients on the list',
  description:
    "Adds what a recipe needs and the pantry lacks (scaled to `servings`) to a shopping list, merged with what is already there; each item goes to its preferred store's list unless `list` is given. Use dry_run to show the shopping first.",
  input: z.object({
    recipe: recipeRef,
    servings,
    list: listRef,
    include_low: z.boolean().optional().describe('Also add ingredients the pantry has but is low on.'),
    dry_run: dryRun,
  }),
  output: z.object({
    recipe: recipeSummarySchema,
    lists: z.array(z.object({ list: listSchema, items: z.array(addedItemSchema) })).describe('What went on which list.'),
    alreadyHave: z.array(z.string()).describe('Ingredients not added because the pantry has them.'),
  }),
  annotations: ADDITIVE,
  handler: async ({ core, request }, input) =>
    core.recipes.addMissingToList(request, {
      recipe: input.recipe,
      servings: input.servings ?? null,
      list: input.list ?? null,
      includeLow: input.include_low ?? false,
      dryRun: input.dry_run ?? false,
    }),
});

export const cookRecipe = defineTool({
  name: 'cook_recipe',
  title: 'Cook a recipe',
  description:
    'Records that a recipe was cooked: takes the ingredient amounts (scaled to `servings`) out of the pantry, marking entries out when they run out, and sets last cooked. Use dry_run to preview.',
  input: z.object({ recipe: recipeRef, servings, dry_run: dryRun }),
  output: z.object({
    recipe: recipeSummarySchema,
    servings: z.number().nullable().describe('Servings cooked.'),
    used: z.array(z.object({ name: z.string(), before: z.string(), after: z.string() })).describe('Pantry entries that went down.'),
    skipped: z.array(z.string()).describe('Ingredients nothing was taken for (not in the pantry or not measurable).'),
  }),
  annotations: { ...ADDITIVE, destructiveHint: true },
  handler: async ({ core, request }, input) => core.recipes.cook(request, { recipe: input.recipe, servings: input.servings ?? null, dryRun: input.dry_run ?? false }),
});

export const whatCanICook = defineTool({
  name: 'what_can_i_cook',
  title: 'What can I cook',
  description:
    'Ranks saved recipes by how complete they are from the pantry, favouring those that use what expires soonest; each with what is missing. Good first step for meal planning.',
  input: z.object({
    limit: z.number().int().min(1).max(50).optional().describe('How many (default 3).'),
    max_missing: z.number().int().min(0).max(100).optional().describe('Only recipes missing at most this many ingredients.'),
  }),
  output: z.object({
    recipes: z
      .array(
        z.object({
          recipe: recipeSummarySchema,
          completeness: z.number().describe('0-1.'),
          missing: z.array(z.string()).describe('What to buy.'),
          usesExpiring: z.array(z.object({ name: z.string(), daysLeft: z.number() })).describe('Pantry entries it uses that expire soon.'),
        }),
      )
      .describe('Best first.'),
  }),
  annotations: READ_ONLY,
  handler: async ({ core, request }, input) => ({ recipes: await core.recipes.whatCanICook(request, { limit: input.limit, maxMissing: input.max_missing }) }),
});

export const useItUp = defineTool({
  name: 'use_it_up',
  title: 'Recipes that use an item',
  description: 'Recipes that use a given pantry entry (e.g. the spinach that expires tomorrow), most complete first.',
  input: z.object({ item: nameField('Pantry entry name.'), limit: z.number().int().min(1).max(50).optional().describe('How many (default 5).') }),
  output: z.object({
    recipes: z.array(z.object({ recipe: recipeSummarySchema, completeness: z.number(), missing: z.array(z.string()) })).describe('Recipes using it.'),
  }),
  annotations: READ_ONLY,
  handler: async ({ core, request }, input) => ({ recipes: await core.recipes.useItUp(request, input) }),
});

export const setIngredientMatch = defineTool({
  name: 'set_ingredient_match',
  title: 'Correct an ingredient match',
  description:
    'Tells Larder which pantry entry a recipe ingredient means (e.g. "single cream" → "cream"), or none (pantry_item null); remembered for every recipe.',
  input: z.object({
    ingredient: nameField('Ingredient as written in recipes.'),
    pantry_item: z.string().min(1).max(LIMITS.name).nullable().describe('Pantry entry name, or null for "nothing in the pantry".'),
  }),
  output: z.object({ ingredient: z.string(), pantryItem: z.string().nullable() }),
  annotations: { ...ADDITIVE, idempotentHint: true },
  handler: async ({ core, request }, input) => core.recipes.setIngredientMatch(request, { ingredient: input.ingredient, pantryItem: input.pantry_item }),
});
