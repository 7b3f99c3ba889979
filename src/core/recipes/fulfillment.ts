import type { RecipeIngredient } from '../db/schema.ts';
import { normalizeKey } from '../nlp/normalize.ts';
import { formatAmount } from '../nlp/quantity.ts';
import { convertAmount, measureUnit } from '../nlp/units.ts';

/** How well the pantry covers one ingredient. */
export type IngredientState = 'have' | 'low' | 'short' | 'missing';

/** The slice of a pantry entry fulfillment reads. */
export interface PantryStock {
  key: string;
  name: string;
  amount: number | null;
  unit: string | null;
  status: 'have' | 'low' | 'out';
  expiresOn: string | null;
  preferredStore: string | null;
}

export interface IngredientAssessment {
  name: string;
  key: string;
  /** Scaled to the servings asked for. */
  amount: number | null;
  unit: string | null;
  note: string | null;
  optional: boolean;
  state: IngredientState;
  /** The pantry entry it was matched to, if any. */
  pantry: { key: string; name: string; amount: number | null; unit: string | null; status: 'have' | 'low' | 'out'; expiresOn: string | null } | null;
  /** What to buy: the shortfall when short, the whole scaled amount when missing. */
  toBuy: { amount: number | null; unit: string | null } | null;
}

export interface RecipeAssessment {
  servings: number | null;
  scale: number;
  ingredients: IngredientAssessment[];
  /** Share of required ingredients the pantry covers (have or low count fully, short counts half). */
  completeness: number;
  missing: string[];
}

/** Things a kitchen always has, so no recipe is "missing" them. */
const ALWAYS_AVAILABLE = new Set(['water', 'tap water', 'cold water', 'hot water', 'boiling water', 'warm water', 'ice', 'ice cube']);

/** Rounds scaled amounts to what a cook would write (1.333… → 1.33). */
function tidy(amount: number): number {
  return Number(formatAmount(amount));
}

/**
 * Compares one ingredient (already scaled) with the pantry entry it matched. Units are compared
 * when both sides are measured in the same dimension or use the same count unit; otherwise the
 * pantry's word is taken (we have it, amount unknown in those terms).
 */
export function assessIngredient(
  ingredient: Pick<RecipeIngredient, 'name' | 'key' | 'note' | 'optional'> & { amount: number | null; unit: string | null },
  stock: PantryStock | null,
): IngredientAssessment {
  const base = {
    name: ingredient.name,
    key: ingredient.key,
    amount: ingredient.amount,
    unit: ingredient.unit,
    note: ingredient.note,
    optional: ingredient.optional,
  };
  if (ALWAYS_AVAILABLE.has(ingredient.key)) return { ...base, state: 'have', pantry: null, toBuy: null };
  const pantry = stock && {
    key: stock.key,
    name: stock.name,
    amount: stock.amount,
    unit: stock.unit,
    status: stock.status,
    expiresOn: stock.expiresOn,
  };
  const whole = { amount: ingredient.amount, unit: ingredient.unit };
  if (!stock || stock.status === 'out') return { ...base, state: 'missing', pantry, toBuy: whole };
  if (ingredient.amount !== null && stock.amount !== null) {
    const held = comparableAmount(stock.amount, stock.unit, ingredient.unit);
    if (held !== null && held + 1e-9 < ingredient.amount) {
      return { ...base, state: 'short', pantry, toBuy: { amount: tidy(ingredient.amount - held), unit: ingredient.unit } };
    }
  }
  return { ...base, state: stock.status === 'low' ? 'low' : 'have', pantry, toBuy: null };
}

/** The pantry amount expressed in the ingredient's unit, or null when they can't be compared. */
export function comparableAmount(amount: number, unit: string | null, wantedUnit: string | null): number | null {
  if (unit === wantedUnit) return amount;
  if (unit !== null && wantedUnit !== null) {
    if (measureUnit(unit) && measureUnit(wantedUnit)) return convertAmount(amount, unit, wantedUnit);
    if (normalizeKey(unit) === normalizeKey(wantedUnit)) return amount;
  }
  return null;
}

/**
 * Assesses a whole recipe at `servings` (the recipe's own when omitted) against the pantry, with
 * `stockFor` answering which pantry entry (if any) an ingredient means.
 */
export function assessRecipe(
  recipe: { servings: number | null; ingredients: readonly RecipeIngredient[] },
  servings: number | null,
  stockFor: (ingredient: RecipeIngredient) => PantryStock | null,
): RecipeAssessment {
  const scale = servings !== null && recipe.servings ? servings / recipe.servings : 1;
  const ingredients = recipe.ingredients.map((ingredient) =>
    assessIngredient({ ...ingredient, amount: ingredient.amount === null ? null : tidy(ingredient.amount * scale) }, stockFor(ingredient)),
  );
  const required = ingredients.filter((ingredient) => !ingredient.optional);
  const covered = required.reduce(
    (sum, ingredient) => sum + (ingredient.state === 'have' || ingredient.state === 'low' ? 1 : ingredient.state === 'short' ? 0.5 : 0),
    0,
  );
  return {
    servings: servings ?? recipe.servings,
    scale,
    ingredients,
    completeness: required.length === 0 ? 1 : covered / required.length,
    missing: required.filter((ingredient) => ingredient.state === 'missing' || ingredient.state === 'short').map((ingredient) => ingredient.name),
  };
}

export interface RankedRecipe<R> {
  recipe: R;
  assessment: RecipeAssessment;
  /** Pantry entries the recipe uses that expire within the window, soonest first. */
  usesExpiring: Array<{ name: string; daysLeft: number }>;
  score: number;
}

/**
 * Orders recipes for "what can I cook": the most complete first, lifted by using what expires
 * soonest (an entry expiring tomorrow is worth more than one expiring in three days).
 */
export function rankRecipes<R>(
  candidates: ReadonlyArray<{ recipe: R; assessment: RecipeAssessment }>,
  daysLeftOf: (pantryKey: string) => number | null,
  windowDays = 3,
): Array<RankedRecipe<R>> {
  return candidates
    .map(({ recipe, assessment }) => {
      const usesExpiring = assessment.ingredients
        .flatMap((ingredient) => {
          if (!ingredient.pantry || ingredient.state === 'missing') return [];
          const daysLeft = daysLeftOf(ingredient.pantry.key);
          return daysLeft !== null && daysLeft <= windowDays ? [{ name: ingredient.pantry.name, daysLeft }] : [];
        })
        .sort((a, b) => a.daysLeft - b.daysLeft);
      const urgency = usesExpiring.reduce((sum, entry) => sum + 1 / (1 + Math.max(entry.daysLeft, 0)), 0);
      return { recipe, assessment, usesExpiring, score: assessment.completeness + 0.3 * Math.min(urgency, 1.5) };
    })
    .sort((a, b) => b.score - a.score);
}
