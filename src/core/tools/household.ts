import { z } from 'zod';
import type { Core } from '../core.ts';
import { ADDITIVE, DESTRUCTIVE, READ_ONLY, defineTool } from './define.ts';
import { eventSchema, listSchema } from './schemas.ts';

const householdSchema = z.object({
  id: z.number().describe('Household id.'),
  slug: z.string().describe('Short handle.'),
  name: z.string().describe('Name.'),
  timeZone: z.string().describe('IANA time zone used for "today", reminders and the digest.'),
  digestTime: z.string().nullable().describe('Local time of the daily expiry digest (HH:MM), or null when off.'),
  categories: z.array(z.string()).describe('Categories in aisle order.'),
  lists: z.array(listSchema).describe('Lists.'),
  members: z.array(z.object({ name: z.string(), role: z.string() })).describe('Members known from Telegram.'),
});

async function householdView(core: Core, householdId: number) {
  const [household, categories, lists, members] = await Promise.all([
    core.households.get(householdId),
    core.categories.list(householdId),
    core.lists.all({ householdId, actor: { door: 'system', name: 'system' }, requestId: '' }),
    core.households.members(householdId),
  ]);
  return {
    id: household.id,
    slug: household.slug,
    name: household.name,
    timeZone: household.timeZone,
    digestTime: household.digestTime,
    categories: categories.map((category) => category.name),
    lists: lists.map(({ open: _open, checked: _checked, ...list }) => list),
    members: members.map((member) => ({ name: member.displayName, role: member.role })),
  };
}

export const getHousehold = defineTool({
  name: 'get_household',
  title: 'About this household',
  description: "The household this connection acts for: its name, time zone, digest time, categories in aisle order, lists and members. Call it first to learn the household's names.",
  input: z.object({}),
  output: z.object({ household: householdSchema }),
  annotations: READ_ONLY,
  handler: async ({ core, request }) => ({ household: await householdView(core, request.householdId) }),
});

export const updateHousehold = defineTool({
  name: 'update_household',
  title: 'Change household settings',
  description: 'Changes the household name, time zone (IANA, e.g. "Europe/Stockholm") or the local time of the daily expiry digest ("08:00", or null to turn it off).',
  input: z.object({
    name: z.string().min(1).max(200).optional().describe('New name.'),
    time_zone: z.string().min(1).max(64).optional().describe('IANA time zone.'),
    digest_time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).nullable().optional().describe('HH:MM, or null to turn the digest off.'),
  }),
  output: z.object({ household: householdSchema }),
  annotations: { ...ADDITIVE, idempotentHint: true },
  handler: async ({ core, request }, input) => {
    await core.households.update(request, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.time_zone !== undefined ? { timeZone: input.time_zone } : {}),
      ...(input.digest_time !== undefined ? { digestTime: input.digest_time } : {}),
    });
    return { household: await householdView(core, request.householdId) };
  },
});

export const getHistory = defineTool({
  name: 'get_history',
  title: 'Recent changes',
  description: "The household's recent changes, newest first, each with who made it and through which door. Pass an event id to undo to reverse just that change.",
  input: z.object({
    limit: z.number().int().min(1).max(200).optional().describe('How many (default 20).'),
    before: z.number().int().positive().optional().describe('Only events older than this id (for paging).'),
  }),
  output: z.object({ events: z.array(eventSchema).describe('Events, newest first.') }),
  annotations: READ_ONLY,
  handler: async ({ core, request }, input) => ({ events: await core.journal.history(request, input) }),
});

export const undo = defineTool({
  name: 'undo',
  title: 'Undo',
  description:
    "Reverses a change. With no argument: the household's last request (everything it did, e.g. a bulk add). With event_id: just that event (see get_history). Refuses, changing nothing, when a later change built on it.",
  input: z.object({
    event_id: z.number().int().positive().optional().describe('Reverse only this event.'),
  }),
  output: z.object({
    requestId: z.string().describe('The request reversed.'),
    undone: z.array(eventSchema).describe('Events reversed.'),
    summary: z.string().describe('What was undone, for people.'),
  }),
  annotations: { ...DESTRUCTIVE, destructiveHint: true },
  handler: async ({ core, request }, input) => core.journal.undo(request, input.event_id === undefined ? {} : { eventId: input.event_id }),
});
