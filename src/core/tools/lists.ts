import { z } from 'zod';
import { LIMITS } from '../services/validate.ts';
import { ADDITIVE, DESTRUCTIVE, READ_ONLY, defineTool } from './define.ts';
import { addedItemSchema, dryRun, itemNames, itemSchema, listRef, listSchema, nameField, pantrySchema } from './schemas.ts';

export const listLists = defineTool({
  name: 'list_lists',
  title: 'List the lists',
  description:
    "Lists the household's shopping and task lists with how many items are open and ticked on each. Use it to find a list's exact name or store before adding to it.",
  input: z.object({}),
  output: z.object({
    lists: z.array(listSchema.extend({ open: z.number().describe('Items still to get.'), checked: z.number().describe('Items ticked off.') })).describe('All lists.'),
  }),
  annotations: READ_ONLY,
  handler: async ({ core, request }) => ({ lists: await core.lists.all(request) }),
});

export const createList = defineTool({
  name: 'create_list',
  title: 'Create a list',
  description:
    'Creates a new list, optionally for a store (e.g. name "Costco", store "Costco") so items can be routed there, or a task list (kind "task"). Fails if a list with that name exists.',
  input: z.object({
    name: nameField('The new list name.'),
    kind: z.enum(['grocery', 'task']).optional().describe('grocery (default) or task.'),
    store: z.string().max(LIMITS.name).nullable().optional().describe('The store this list is for.'),
  }),
  output: z.object({ list: listSchema }),
  annotations: ADDITIVE,
  handler: async ({ core, request }, input) => ({ list: await core.lists.create(request, input) }),
});

export const getList = defineTool({
  name: 'get_list',
  title: 'Show a list',
  description:
    'Returns one list and its items grouped in aisle (category) order, unticked first. Omit `list` for the default list. Use it before changing items to see their exact names.',
  input: z.object({ list: listRef }),
  output: z.object({ list: listSchema, items: z.array(itemSchema).describe('Items in aisle order, unticked first.') }),
  annotations: READ_ONLY,
  handler: async ({ core, request }, input) => core.lists.get(request, input),
});

export const addItems = defineTool({
  name: 'add_items',
  title: 'Add items to a list',
  description:
    'Adds items to a list (default list when `list` is omitted). An item already on the list and not ticked is merged: "2" + "3" → "5", "1 l" + "500 ml" → "1.5 l". Categories are chosen automatically from the household\'s history and a catalog unless given; a given category is remembered for next time. Use dry_run to preview.',
  input: z.object({
    list: listRef,
    items: z
      .array(
        z.object({
          name: nameField('Item name, e.g. "milk", "tea bags".'),
          quantity: z.string().max(LIMITS.quantity).optional().describe('Quantity text, e.g. "2", "1.5 l", "500 g", "2 bottles", "a dozen".'),
          note: z.string().max(LIMITS.note).optional().describe('A note, e.g. "the organic one".'),
          category: z.string().max(60).optional().describe('Category name to file it under, e.g. "Dairy & Eggs".'),
        }),
      )
      .min(1)
      .max(LIMITS.itemsPerCall)
      .describe(`Items to add, 1 to ${LIMITS.itemsPerCall}.`),
    dry_run: dryRun,
  }),
  output: z.object({ list: listSchema, items: z.array(addedItemSchema).describe('What was (or would be) added or merged.'), dryRun: z.boolean().describe('true when nothing was written.') }),
  annotations: ADDITIVE,
  handler: async ({ core, request }, input) => core.lists.add(request, { list: input.list, items: input.items, dryRun: input.dry_run ?? false }),
});

export const removeItems = defineTool({
  name: 'remove_items',
  title: 'Remove items from a list',
  description:
    'Removes items from a list by name ("the yogurt" finds "greek yogurt"). Names that match nothing are reported in notFound; an ambiguous name is an error listing the candidates. Use dry_run to preview.',
  input: z.object({ list: listRef, items: itemNames, dry_run: dryRun }),
  output: z.object({ list: listSchema, items: z.array(itemSchema).describe('Removed items.'), notFound: z.array(z.string()).describe('Names not on the list.') }),
  annotations: DESTRUCTIVE,
  handler: async ({ core, request }, input) => core.lists.remove(request, { list: input.list, items: input.items, dryRun: input.dry_run ?? false }),
});

export const checkItems = defineTool({
  name: 'check_items',
  title: 'Tick items off',
  description:
    'Ticks items off a list as bought or done (checked: true, the default) or puts them back (checked: false). Ticking a grocery item stocks the pantry with it and remembers the list\'s store as where it is bought.',
  input: z.object({
    list: listRef,
    items: itemNames,
    checked: z.boolean().optional().describe('true to tick off (default), false to untick.'),
  }),
  output: z.object({
    list: listSchema,
    items: z.array(itemSchema).describe('Items changed.'),
    notFound: z.array(z.string()).describe('Names not found.'),
    stocked: z.array(pantrySchema).describe('Pantry entries stocked by the ticks.'),
  }),
  annotations: { ...ADDITIVE, idempotentHint: true },
  handler: async ({ core, request }, input) => core.lists.check(request, input),
});

export const clearChecked = defineTool({
  name: 'clear_checked',
  title: 'Clear ticked items',
  description: 'Deletes every ticked item from a list (they are already in the pantry). Use dry_run to see which.',
  input: z.object({ list: listRef, dry_run: dryRun }),
  output: z.object({ list: listSchema, items: z.array(itemSchema).describe('Items cleared.') }),
  annotations: DESTRUCTIVE,
  handler: async ({ core, request }, input) => core.lists.clearChecked(request, { list: input.list, dryRun: input.dry_run ?? false }),
});

export const setItemCategory = defineTool({
  name: 'set_item_category',
  title: 'Set an item category',
  description:
    'Files an item under a category (e.g. oat milk → Beverages) on every list and in the pantry, and remembers it for every future add. Use when the automatic category is wrong.',
  input: z.object({ name: nameField('Item name.'), category: z.string().min(1).max(60).describe('Category name, e.g. "Beverages" or "dairy".') }),
  output: z.object({ category: z.string().describe('The category now used.'), items: z.array(itemSchema).describe('Items moved.') }),
  annotations: { ...ADDITIVE, idempotentHint: true },
  handler: async ({ core, request }, input) => core.lists.setCategory(request, input),
});

export const addTask = defineTool({
  name: 'add_task',
  title: 'Add a task or reminder',
  description:
    'Adds a task to the task list (created on first use), optionally due at a time; the household is reminded in its Telegram chat at that time.',
  input: z.object({
    title: nameField('What to do, e.g. "call the plumber".'),
    due: z.iso.datetime({ offset: true }).optional().describe('When it is due and the reminder goes out, ISO 8601 with offset, e.g. 2026-03-03T09:00:00+01:00.'),
    note: z.string().max(LIMITS.note).optional().describe('A note.'),
    list: listRef,
  }),
  output: z.object({ list: listSchema, item: itemSchema }),
  annotations: ADDITIVE,
  handler: async ({ core, request }, input) =>
    core.lists.addTask(request, { title: input.title, due: input.due ? new Date(input.due) : null, note: input.note ?? null, list: input.list }),
});
