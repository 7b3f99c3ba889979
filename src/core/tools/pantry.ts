import { z } from 'zod';
import { LIMITS } from '../services/validate.ts';
import { ADDITIVE, DESTRUCTIVE, READ_ONLY, defineTool } from './define.ts';
import { addedItemSchema, dryRun, itemNames, listSchema, nameField, pantrySchema } from './schemas.ts';

const status = z.enum(['have', 'low', 'out']);
const date = z.iso.date();

export const getPantry = defineTool({
  name: 'get_pantry',
  title: 'Show the pantry',
  description:
    'Lists what the household has at home: amounts or a status (have / low / out), location, expiry dates and preferred stores, in aisle order. Filter by status or location.',
  input: z.object({
    status: status.optional().describe('Only entries with this status.'),
    location: z.string().max(LIMITS.name).optional().describe('Only entries in this location, e.g. "fridge".'),
  }),
  output: z.object({ items: z.array(pantrySchema).describe('Pantry entries.') }),
  annotations: READ_ONLY,
  handler: async ({ core, request }, input) => ({ items: await core.pantry.list(request, input) }),
});

export const updatePantry = defineTool({
  name: 'update_pantry',
  title: 'Update the pantry',
  description:
    'Adds or changes pantry entries by name; only the fields given change. A quantity replaces the amount held; status "out" clears it. Use it for "we\'re out of rice", "2 kg of flour in the pantry", "the yoghurt expires on Friday".',
  input: z.object({
    items: z
      .array(
        z.object({
          name: nameField('Item name.'),
          quantity: z.string().max(LIMITS.quantity).nullable().optional().describe('Amount held, e.g. "500 g", "2 l", "6".'),
          status: status.optional().describe('have, low or out.'),
          location: z.string().max(LIMITS.name).nullable().optional().describe('fridge, freezer, pantry, …'),
          expires_on: date.nullable().optional().describe('Expiry date YYYY-MM-DD.'),
          opened_on: date.nullable().optional().describe('Date opened YYYY-MM-DD.'),
          preferred_store: z.string().max(LIMITS.name).nullable().optional().describe('Where it is usually bought.'),
          category: z.string().max(60).optional().describe('Category name.'),
          note: z.string().max(LIMITS.note).nullable().optional().describe('Note.'),
        }),
      )
      .min(1)
      .max(LIMITS.itemsPerCall)
      .describe('Entries to add or change.'),
    dry_run: dryRun,
  }),
  output: z.object({
    items: z.array(z.object({ item: pantrySchema, action: z.enum(['added', 'updated']).describe('added or updated.') })).describe('What changed.'),
  }),
  annotations: { ...ADDITIVE, destructiveHint: true, idempotentHint: true },
  handler: async ({ core, request }, input) =>
    core.pantry.update(request, {
      dryRun: input.dry_run ?? false,
      items: input.items.map((item) => ({
        name: item.name,
        quantity: item.quantity,
        status: item.status,
        location: item.location,
        expiresOn: item.expires_on,
        openedOn: item.opened_on,
        preferredStore: item.preferred_store,
        category: item.category,
        note: item.note,
      })),
    }),
});

export const removePantryItems = defineTool({
  name: 'remove_pantry_items',
  title: 'Remove pantry entries',
  description: 'Deletes entries from the pantry by name (to say something ran out, prefer update_pantry with status "out").',
  input: z.object({ names: itemNames, dry_run: dryRun }),
  output: z.object({ removed: z.array(pantrySchema).describe('Removed entries.'), notFound: z.array(z.string()).describe('Names not in the pantry.') }),
  annotations: DESTRUCTIVE,
  handler: async ({ core, request }, input) => core.pantry.remove(request, { names: input.names, dryRun: input.dry_run ?? false }),
});

export const getExpiring = defineTool({
  name: 'get_expiring',
  title: 'What expires soon',
  description: "Pantry entries expiring within `days` (default 3) of today in the household's time zone, soonest first, already expired included (negative daysLeft).",
  input: z.object({ days: z.number().int().min(0).max(365).optional().describe('Window in days, default 3.') }),
  output: z.object({ items: z.array(pantrySchema.extend({ daysLeft: z.number().describe('Days until expiry; negative when past.') })).describe('Expiring entries.') }),
  annotations: READ_ONLY,
  handler: async ({ core, request }, input) => ({ items: await core.pantry.expiring(request, input) }),
});

export const restock = defineTool({
  name: 'restock',
  title: 'Restock low and out items',
  description:
    "Puts pantry entries that are low or out (or the ones named) on a shopping list: each on its preferred store's list when that list exists, else the default list. One undo reverses it all.",
  input: z.object({ names: itemNames.optional().describe('Only these entries; default: everything low or out.'), dry_run: dryRun }),
  output: z.object({ lists: z.array(z.object({ list: listSchema, items: z.array(addedItemSchema) })).describe('What went on which list.') }),
  annotations: ADDITIVE,
  handler: async ({ core, request }, input) => core.pantry.restock(request, { names: input.names, dryRun: input.dry_run ?? false }),
});

export const stockPantry = defineTool({
  name: 'stock_pantry',
  title: 'Add bought things to the pantry',
  description:
    'Adds things that were bought to the pantry: amounts add up with what is there ("1 l" more milk), status goes back to have. Use it for a shop that did not go through a list, or a receipt. Use dry_run to preview.',
  input: z.object({
    items: z
      .array(
        z.object({
          name: nameField('Item name.'),
          quantity: z.string().max(LIMITS.quantity).nullable().optional().describe('Amount bought, e.g. "1 l", "500 g", "6".'),
          expires_on: date.nullable().optional().describe('Expiry date YYYY-MM-DD.'),
          location: z.string().max(LIMITS.name).nullable().optional().describe('fridge, freezer, pantry, …'),
        }),
      )
      .min(1)
      .max(LIMITS.itemsPerCall)
      .describe('What was bought.'),
    dry_run: dryRun,
  }),
  output: z.object({ items: z.array(pantrySchema).describe('Pantry entries after stocking.') }),
  annotations: ADDITIVE,
  handler: async ({ core, request }, input) =>
    core.pantry.stock(request, {
      dryRun: input.dry_run ?? false,
      items: input.items.map((item) => ({ name: item.name, quantity: item.quantity ?? null, expiresOn: item.expires_on ?? null, location: item.location ?? null })),
    }),
});
