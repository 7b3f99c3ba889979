import { z } from 'zod';
import { LIMITS } from '../services/validate.ts';

/** Shared field schemas: every tool bounds its strings and arrays the same way. */
export const nameField = (what: string) => z.string().min(1).max(LIMITS.name).describe(what);

export const listRef = z
  .union([z.string().min(1).max(LIMITS.name), z.number().int().positive()])
  .optional()
  .describe('The list: its name ("Costco"), its store, or its id. Omit for the default list.');

export const dryRun = z
  .boolean()
  .optional()
  .describe('true: do nothing, return exactly what would change (use it to show a preview before asking to confirm).');

export const itemNames = z
  .array(nameField('An item name as people say it ("milk", "the yogurt").'))
  .min(1)
  .max(LIMITS.itemsPerCall)
  .describe(`Item names, 1 to ${LIMITS.itemsPerCall}.`);

export const listSchema = z
  .object({
    id: z.number().describe('List id.'),
    name: z.string().describe('List name.'),
    kind: z.enum(['grocery', 'task']).describe('grocery or task.'),
    store: z.string().nullable().describe('The store this list is for, if any.'),
    isDefault: z.boolean().describe('true for the household default list.'),
  })
  .describe('A list.');

export const itemSchema = z
  .object({
    id: z.number().describe('Item id.'),
    listId: z.number().describe('The list it is on.'),
    name: z.string().describe('Display name.'),
    key: z.string().describe('Normalized name used for matching and merging.'),
    quantity: z.string().nullable().describe('Quantity text, e.g. "1.5 l", "2 bottles + 1 kg".'),
    amount: z.number().nullable().describe('Parsed amount when the quantity is a single amount.'),
    unit: z.string().nullable().describe('Parsed unit ("l", "g", "bottle") or null for a plain count.'),
    category: z.string().nullable().describe('Aisle category.'),
    note: z.string().nullable().describe('Free-text note.'),
    checked: z.boolean().describe('Ticked off (bought or done).'),
    checkedAt: z.string().nullable().describe('When it was ticked off (ISO 8601).'),
    addedBy: z.string().nullable().describe('Who added it.'),
    sourceRecipeId: z.number().nullable().describe('The recipe it was added for, if any.'),
    dueAt: z.string().nullable().describe('For tasks: when it is due (ISO 8601).'),
    remindAt: z.string().nullable().describe('For tasks: when to remind (ISO 8601).'),
  })
  .describe('An item on a list.');

export const pantrySchema = z
  .object({
    id: z.number().describe('Pantry entry id.'),
    name: z.string().describe('Name.'),
    key: z.string().describe('Normalized name.'),
    quantity: z.string().nullable().describe('Amount held as text, e.g. "500 g"; null when unknown.'),
    amount: z.number().nullable().describe('Amount held.'),
    unit: z.string().nullable().describe('Unit of the amount.'),
    status: z.enum(['have', 'low', 'out']).describe('have, low or out.'),
    location: z.string().nullable().describe('fridge, freezer, pantry, …'),
    category: z.string().nullable().describe('Category.'),
    expiresOn: z.string().nullable().describe('Expiry date YYYY-MM-DD.'),
    openedOn: z.string().nullable().describe('Date opened YYYY-MM-DD.'),
    preferredStore: z.string().nullable().describe('Where it is usually bought.'),
    note: z.string().nullable().describe('Note.'),
  })
  .describe('A pantry entry.');

export const addedItemSchema = z.object({
  item: itemSchema,
  action: z.enum(['added', 'merged']).describe('added as new, or merged into the same unticked item.'),
  previousQuantity: z.string().nullable().describe('For merged items: the quantity before.'),
  categorySource: z.string().describe('Where the category came from: user, history, catalog, llm or default.'),
});

export const recipeSummarySchema = z.object({
  id: z.number().describe('Recipe id.'),
  title: z.string().describe('Title.'),
  servings: z.number().nullable().describe('Servings the amounts are for.'),
  tags: z.array(z.string()).describe('Tags.'),
  rating: z.number().nullable().describe('Rating 1-5.'),
  lastCookedAt: z.string().nullable().describe('When it was last cooked (ISO 8601).'),
  ingredientCount: z.number().describe('Number of ingredients.'),
});

export const ingredientSchema = z.object({
  name: z.string().describe('Ingredient name.'),
  amount: z.number().nullable().describe('Amount, or null ("salt to taste").'),
  unit: z.string().nullable().describe('Unit ("tbsp", "g", "clove") or null.'),
  note: z.string().nullable().describe('Preparation or other note.'),
  optional: z.boolean().describe('true when the recipe works without it.'),
});

export const recipeSchema = z.object({
  id: z.number().describe('Recipe id.'),
  title: z.string().describe('Title.'),
  servings: z.number().nullable().describe('Servings.'),
  ingredients: z.array(ingredientSchema).describe('Ingredients in order.'),
  steps: z.array(z.string()).describe('Steps in order.'),
  tags: z.array(z.string()).describe('Tags.'),
  source: z.string().nullable().describe('Where it came from (URL or text).'),
  rating: z.number().nullable().describe('Rating 1-5.'),
  notes: z.string().nullable().describe('Notes.'),
  lastCookedAt: z.string().nullable().describe('When it was last cooked.'),
});

export const eventSchema = z.object({
  id: z.number().describe('Event id (pass to undo to reverse just this change).'),
  requestId: z.string().describe('The request it belongs to.'),
  kind: z.string().describe('What kind of change.'),
  entity: z.string().describe('What was changed.'),
  entityId: z.number().nullable().describe('Id of the changed row.'),
  summary: z.string().describe('One line a person can read.'),
  actor: z.string().describe('Who made it.'),
  door: z.string().describe('bot, mcp, cli or system.'),
  at: z.string().describe('When (ISO 8601).'),
  undone: z.boolean().describe('Whether it has been undone.'),
  undoOf: z.string().nullable().describe('For undo events: the request they reversed.'),
});
