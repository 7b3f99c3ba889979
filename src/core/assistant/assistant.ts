import type { RequestContext } from '../context.ts';
import type { Core } from '../core.ts';
import { isLarderError } from '../errors.ts';
import { parseMessage, type ParseResult } from '../nlp/parser.ts';
import type { ItemView } from '../services/views.ts';
import {
  escapeHtml,
  joinAnd,
  renderAdded,
  renderChecked,
  renderExpiring,
  renderList,
  renderPantry,
  renderSuggestions,
} from './render.ts';

/** A follow-up the reply offers as a button; callback data stays short (Telegram allows 64 bytes). */
export type AssistantAction = { kind: 'restock'; pantryIds: number[] };

/** What Larder answers to one message, for any door to render. */
export interface Reply {
  /** Telegram-flavoured HTML (escaped); `htmlToPlain` for terminals. */
  html: string;
  /** Set when the message changed something: the request an Undo button reverses. */
  undoRequestId?: string;
  /** A list shown with one ✓ button per open item. */
  list?: { listId: number; items: ItemView[] };
  /** Follow-ups offered as buttons. */
  actions?: Array<{ label: string; action: AssistantAction }>;
  /** False when the message was not understood (the bot stays quiet about it in groups only when unaddressed). */
  understood: boolean;
}

/** Everything a door needs to answer messages. */
export interface Assistant {
  /** Answers one message: the fast path first; anything else goes to the agent when an LLM is configured. */
  handle(ctx: RequestContext, text: string): Promise<Reply>;
  /** Runs a follow-up a reply offered. */
  runAction(ctx: RequestContext, action: AssistantAction): Promise<Reply>;
  /** The help text: what Larder understands, one example each. */
  help(): string;
}

/** The agent's entry, when an LLM is configured (DESIGN §2.2). */
export type AgentHandler = (ctx: RequestContext, text: string) => Promise<Reply>;

export const HELP_HTML = [
  '<b>Talk to me in plain words</b>, for example:',
  '• add 1 l milk, eggs and bread',
  '• add rice to costco',
  '• got the milk · remove the yogurt',
  '• show the list · what’s on the costco list?',
  '• we’re out of rice · running low on olive oil',
  '• what’s expiring? · what can I cook tonight?',
  '• remind me tomorrow at 9 to call the plumber',
  '',
  '<b>Commands</b>',
  '/list [name] — a list, with ✓ buttons',
  '/lists — all lists',
  '/add milk, eggs — add items',
  '/remove milk — remove items',
  '/pantry — what we have',
  '/out rice · /low olive oil — mark pantry items',
  '/expiring — what expires soon',
  '/recipes — saved recipes · /recipe lasagna — one recipe',
  '/missing lasagna 6 — put what is missing on the list',
  '/cook lasagna — take it out of the pantry',
  '/undo — undo the last change',
  '/settings — time zone and digest time',
].join('\n');

/** Creates the message handler shared by the bot and `larder chat`. */
export function createAssistant(deps: { core: Core; agent?: AgentHandler | undefined }): Assistant {
  const { core, agent } = deps;
  const isKnownItem = (phrase: string) => core.catalog.isItem(phrase);

  async function handle(ctx: RequestContext, text: string): Promise<Reply> {
    const household = await core.households.get(ctx.householdId);
    const parsed = parseMessage(text, { now: core.clock.now(), timeZone: household.timeZone, isKnownItem });
    try {
      if (parsed.intent === 'unknown') {
        if (agent) return await agent(ctx, text);
        return {
          understood: false,
          html:
            "I didn't get that. I understand everyday shopping and pantry messages without an LLM; for anything else, Larder needs one configured (OPENAI_BASE_URL).\n\n" +
            HELP_HTML,
        };
      }
      return await runIntent(ctx, parsed);
    } catch (error) {
      if (isLarderError(error)) return { understood: true, html: `⚠️ ${escapeHtml(error.message)}` };
      throw error;
    }
  }

  async function runIntent(ctx: RequestContext, parsed: ParseResult): Promise<Reply> {
    const list = parsed.list;
    switch (parsed.intent) {
      case 'add_items': {
        const result = await core.lists.add(ctx, { list, items: parsed.items.map((item) => ({ name: item.name, quantity: item.quantity ?? null })) });
        return { understood: true, html: renderAdded(result), undoRequestId: ctx.requestId };
      }
      case 'remove_items': {
        const result = await core.lists.remove(ctx, { list, items: parsed.items.map((item) => item.name) });
        const missing = result.notFound.length > 0 ? ` (${joinAnd(result.notFound.map(escapeHtml))} wasn't on it)` : '';
        return {
          understood: true,
          html: `Removed ${joinAnd(result.items.map((item) => escapeHtml(item.name)))} from <b>${escapeHtml(result.list.name)}</b>${missing}.`,
          undoRequestId: ctx.requestId,
        };
      }
      case 'check_items': {
        const result = await core.lists.check(ctx, { list, items: parsed.items.map((item) => item.name) });
        return { understood: true, html: renderChecked(result, true), undoRequestId: ctx.requestId };
      }
      case 'show_list': {
        const shown = await core.lists.get(ctx, { list });
        return { understood: true, html: renderList(shown.list, shown.items), list: { listId: shown.list.id, items: shown.items } };
      }
      case 'pantry_set':
        return pantrySet(ctx, parsed);
      case 'pantry_show': {
        const entries = await core.pantry.list(ctx);
        if (parsed.items.length === 0) return { understood: true, html: renderPantry(entries) };
        const lines = parsed.items.map((item) => {
          const found = entries.find((entry) => entry.key === item.name || entry.name.toLowerCase() === item.name);
          if (!found) return `No ${escapeHtml(item.name)} in the pantry.`;
          return found.status === 'out' ? `${escapeHtml(found.name)}: out.` : `${escapeHtml(found.name)}: ${found.status === 'low' ? 'low' : 'yes'}${found.quantity ? `, ${escapeHtml(found.quantity)}` : ''}.`;
        });
        return { understood: true, html: lines.join('\n') };
      }
      case 'expiring': {
        const days = 3;
        return { understood: true, html: renderExpiring(await core.pantry.expiring(ctx, { days }), days) };
      }
      case 'what_can_i_cook':
        return { understood: true, html: renderSuggestions(await core.recipes.whatCanICook(ctx, { limit: 3 })) };
      case 'add_task': {
        const task = parsed.task;
        if (!task) return { understood: false, html: HELP_HTML };
        const result = await core.lists.addTask(ctx, { title: task.title, due: task.due ? new Date(task.due) : null });
        const household = await core.households.get(ctx.householdId);
        const when = result.item.dueAt ? ` — I'll remind you ${formatWhen(new Date(result.item.dueAt), household.timeZone, core.clock.now())}` : '';
        return { understood: true, html: `📝 ${escapeHtml(result.item.name)}${when}.`, undoRequestId: ctx.requestId };
      }
      case 'unknown':
        return { understood: false, html: HELP_HTML };
    }
  }

  async function pantrySet(ctx: RequestContext, parsed: ParseResult): Promise<Reply> {
    const status = parsed.status ?? 'have';
    const result = await core.pantry.update(ctx, {
      items: parsed.items.map((item) => ({ name: item.name, status, ...(item.quantity ? { quantity: item.quantity } : {}) })),
    });
    const names = joinAnd(result.items.map(({ item }) => escapeHtml(item.name)));
    const reply: Reply = { understood: true, undoRequestId: ctx.requestId, html: '' };
    if (status === 'have') {
      reply.html = `🥫 Noted: we have ${names}.`;
      return reply;
    }
    reply.html = status === 'out' ? `🥫 Marked ${names} as out.` : `🥫 Marked ${names} as running low.`;
    // Offer to restock where each item is usually bought.
    const stores = [...new Set(result.items.map(({ item }) => item.preferredStore ?? ''))];
    const target = stores.length === 1 && stores[0] ? await listNameFor(ctx, stores[0]) : null;
    reply.actions = [
      { label: `🛒 Add to ${target ?? 'the list'}`, action: { kind: 'restock', pantryIds: result.items.map(({ item }) => item.id) } },
    ];
    reply.html += ` Put ${result.items.length === 1 ? 'it' : 'them'} on ${target ? `the ${escapeHtml(target)} list` : 'the list'}?`;
    return reply;
  }

  async function listNameFor(ctx: RequestContext, store: string): Promise<string | null> {
    try {
      return (await core.lists.resolve(ctx.householdId, store)).name;
    } catch {
      return null;
    }
  }

  async function runAction(ctx: RequestContext, action: AssistantAction): Promise<Reply> {
    try {
      switch (action.kind) {
        case 'restock': {
          const entries = (await core.pantry.list(ctx)).filter((entry) => action.pantryIds.includes(entry.id));
          if (entries.length === 0) return { understood: true, html: 'Those pantry items are gone; nothing to add.' };
          const result = await core.pantry.restock(ctx, { names: entries.map((entry) => entry.name) });
          return { understood: true, html: result.lists.map((entry) => renderAdded(entry)).join('\n'), undoRequestId: ctx.requestId };
        }
      }
    } catch (error) {
      if (isLarderError(error)) return { understood: true, html: `⚠️ ${escapeHtml(error.message)}` };
      throw error;
    }
  }

  return { handle, runAction, help: () => HELP_HTML };
}

/** "today at 18:00", "tomorrow at 09:00", "Fri 6 Mar at 08:00", in the household's time zone. */
export function formatWhen(when: Date, timeZone: string, now: Date): string {
  const day = (date: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(when);
  const tomorrow = new Date(now.getTime() + 86_400_000);
  if (day(when) === day(now)) return `today at ${time}`;
  if (day(when) === day(tomorrow)) return `tomorrow at ${time}`;
  const date = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short' }).format(when);
  return `${date} at ${time}`;
}
