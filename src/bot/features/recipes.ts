import { Composer } from 'grammy';
import { escapeHtml, joinAnd, renderAdded } from '../../core/assistant/render.ts';
import type { RecipeView } from '../../core/services/recipes.ts';
import type { LarderContext } from '../context.ts';
import { sendReply, say } from '../reply.ts';

/** "lasagna 6" / "lasagna for 6" → the recipe and the servings; no number means the recipe's own. */
export function recipeArgs(text: string): { recipe: string; servings: number | null } {
  const match = /^(.*?)(?:\s+(?:for\s+)?(\d{1,3})(?:\s+(?:servings?|people|portions?))?)?$/i.exec(text.trim());
  const recipe = (match?.[1] ?? text).trim();
  const servings = match?.[2] === undefined ? null : Number(match[2]);
  return { recipe, servings: servings === 0 ? null : servings };
}

/** One recipe as a message: ingredients, then steps. */
export function renderRecipe(recipe: RecipeView, missing: readonly string[]): string {
  const amount = (value: number | null, unit: string | null) => [value, unit].filter((part) => part !== null && part !== '').join(' ');
  const lines = [`📖 <b>${escapeHtml(recipe.title)}</b>${recipe.servings ? ` — serves ${recipe.servings}` : ''}`];
  if (recipe.ingredients.length > 0) {
    lines.push('', '<i>Ingredients</i>');
    for (const ingredient of recipe.ingredients) {
      const quantity = amount(ingredient.amount, ingredient.unit);
      const note = ingredient.note ? `, ${escapeHtml(ingredient.note)}` : '';
      lines.push(`• ${quantity ? `${escapeHtml(quantity)} ` : ''}${escapeHtml(ingredient.name)}${note}${ingredient.optional ? ' (optional)' : ''}`);
    }
  }
  if (recipe.steps.length > 0) {
    lines.push('', '<i>Steps</i>');
    recipe.steps.forEach((step, index) => lines.push(`${index + 1}. ${escapeHtml(step)}`));
  }
  lines.push('', missing.length === 0 ? 'You have everything for it.' : `Missing: ${joinAnd(missing.map(escapeHtml))}. /missing ${escapeHtml(recipe.title)} puts it on the list.`);
  return lines.join('\n');
}

/** Recipes: /recipes, /recipe, /missing, /cook. */
export function recipesFeature(): Composer<LarderContext> {
  const composer = new Composer<LarderContext>();

  composer.command('recipes', async (ctx) => {
    const recipes = await ctx.core.recipes.search(ctx.request(), { limit: 50 });
    if (recipes.length === 0) {
      await sendReply(ctx, say('No recipes saved yet. Paste one into the chat (title, ingredients, steps) and I’ll keep it.'));
      return;
    }
    const lines = recipes.map((recipe) => `• <b>${escapeHtml(recipe.title)}</b>${recipe.servings ? ` — serves ${recipe.servings}` : ''}`);
    await sendReply(ctx, say(['📚 <b>Recipes</b>', ...lines, '', 'Open one with /recipe NAME; /missing NAME puts what you lack on the list.'].join('\n')));
  });

  composer.command('recipe', async (ctx) => {
    const { recipe: name } = recipeArgs(ctx.match);
    if (name === '') {
      await sendReply(ctx, say('Which recipe? For example: /recipe lasagna — /recipes lists them.'));
      return;
    }
    const request = ctx.request();
    const recipe = await ctx.core.recipes.get(request, name);
    const fulfillment = await ctx.core.recipes.fulfillment(request, { recipe: recipe.id });
    await sendReply(ctx, say(renderRecipe(recipe, fulfillment.missing)));
  });

  composer.command('missing', async (ctx) => {
    const { recipe, servings } = recipeArgs(ctx.match);
    if (recipe === '') {
      await sendReply(ctx, say('For which recipe? For example: /missing lasagna 6'));
      return;
    }
    const request = ctx.request();
    const result = await ctx.core.recipes.addMissingToList(request, { recipe, servings });
    const added = result.lists.filter((entry) => entry.items.length > 0);
    if (added.length === 0) {
      await sendReply(ctx, say(`You have everything for <b>${escapeHtml(result.recipe.title)}</b>; nothing to add.`));
      return;
    }
    const scaled = servings ? ` for ${servings}` : '';
    const html = [`For <b>${escapeHtml(result.recipe.title)}</b>${scaled}:`, ...added.map((entry) => renderAdded(entry))].join('\n');
    const have = result.alreadyHave.length > 0 ? `\nAlready have: ${joinAnd(result.alreadyHave.map(escapeHtml))}.` : '';
    await sendReply(ctx, { understood: true, html: html + have, undoRequestId: request.requestId });
  });

  composer.command('cook', async (ctx) => {
    const { recipe, servings } = recipeArgs(ctx.match);
    if (recipe === '') {
      await sendReply(ctx, say('What are you cooking? For example: /cook lasagna 4'));
      return;
    }
    const request = ctx.request();
    const result = await ctx.core.recipes.cook(request, { recipe, servings });
    const lines = [`🍳 Cooked <b>${escapeHtml(result.recipe.title)}</b>${result.servings ? ` for ${result.servings}` : ''}.`];
    if (result.used.length > 0) {
      // "beef (1 kg)" → "beef (0.5 kg)" reads as "beef (1 kg) → 0.5 kg".
      const left = (use: { name: string; after: string }) => /^.*\((.*)\)$/.exec(use.after)?.[1] ?? use.after;
      lines.push(`Taken from the pantry: ${result.used.map((use) => `${escapeHtml(use.before)} → ${escapeHtml(left(use))}`).join(', ')}.`);
    }
    if (result.skipped.length > 0) lines.push(`Not in the pantry (nothing taken): ${joinAnd(result.skipped.map(escapeHtml))}.`);
    await sendReply(ctx, { understood: true, html: lines.join('\n'), undoRequestId: request.requestId });
  });

  return composer;
}
