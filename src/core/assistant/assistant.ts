import type { RequestContext } from '../context.ts';
import type { Core } from '../core.ts';
import { isLarderError } from '../errors.ts';
import { parseMessage, type ParseResult } from '../nlp/parser.ts';
import type { Household, PlannedAction } from '../db/schema.ts';
import { createAgent, describeAction, type AgentRunOptions } from '../llm/agent.ts';
import { readReceipt } from '../llm/understand.ts';
import { parseRecipeText } from '../nlp/recipe-text.ts';
import type { ItemView } from '../services/views.ts';
import { localDate } from '../time.ts';
import { createPreviewService, type PreviewService } from './previews.ts';
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
  /** Changes waiting for Confirm/Cancel. */
  preview?: { id: string; summary: string };
  /** False when the message was not understood (the bot stays quiet about it in groups only when unaddressed). */
  understood: boolean;
}

/** What a door may pass along with a message. */
export interface HandleOptions {
  /** The household's row, when the door has just read it (the bot does for every update): not read again. */
  household?: Household;
}

/** Everything a door needs to answer messages. */
export interface Assistant {
  /** Answers one message: the fast path first; anything else goes to the agent when an LLM is configured. */
  handle(ctx: RequestContext, text: string, options?: HandleOptions): Promise<Reply>;
  /** A voice note: transcribed, then every change it asks for is previewed. */
  handleVoice(ctx: RequestContext, audio: Buffer, filename: string): Promise<Reply>;
  /** A receipt photo: read by the vision model into a preview of pantry items. */
  handlePhoto(ctx: RequestContext, image: Buffer, mimeType: string): Promise<Reply>;
  /** Applies a preview (Confirm). */
  confirm(ctx: RequestContext, previewId: string): Promise<Reply>;
  /** Drops a preview (Cancel). */
  cancel(ctx: RequestContext, previewId: string): Promise<Reply>;
  /** Runs a follow-up a reply offered. */
  runAction(ctx: RequestContext, action: AssistantAction): Promise<Reply>;
  /** The help text: what Larder understands, one example each. */
  help(): string;
}

/** The agent's entry, when an LLM is configured (DESIGN §2.2). */
export type AgentHandler = (ctx: RequestContext, text: string, options?: AgentRunOptions) => Promise<Reply>;

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
export function createAssistant(deps: { core: Core; previews: PreviewService; agent?: AgentHandler | undefined }): Assistant {
  const { core, agent, previews } = deps;
  const llm = core.llm;
  const isKnownItem = (phrase: string) => core.catalog.isItem(phrase);

  async function handle(ctx: RequestContext, text: string, options: HandleOptions = {}): Promise<Reply> {
    // In a burst, every statement before the first LLM call delays all the calls (bench/bot-burst.ts).
    const household = options.household?.id === ctx.householdId ? options.household : await core.households.get(ctx.householdId);
    const parsed = parseMessage(text, { now: core.clock.now(), timeZone: household.timeZone, isKnownItem });
    try {
      if (parsed.intent === 'unknown' && looksLikeRecipe(text)) return await recipePreview(ctx, text);
      if (parsed.intent === 'unknown') {
        // The household was just read: the agent's system prompt reuses it.
        if (agent) return await agent(ctx, text, { household });
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

  /** A pasted recipe becomes a preview of what will be saved. */
  async function recipePreview(ctx: RequestContext, text: string): Promise<Reply> {
    const recipe = await core.recipes.importText(ctx, { text, dryRun: true });
    const action = {
      tool: 'save_recipe',
      args: {
        title: recipe.title,
        servings: recipe.servings,
        ingredients: recipe.ingredients,
        steps: recipe.steps,
        ...(recipe.source ? { source: recipe.source } : {}),
      },
    };
    const summary = `save the recipe ${recipe.title}`;
    const id = await previews.create(ctx.householdId, summary, [action]);
    const ingredients = recipe.ingredients
      .slice(0, 30)
      .map((ingredient) => `• ${escapeHtml([ingredient.amount, ingredient.unit, ingredient.name].filter((part) => part !== null).join(' '))}${ingredient.note ? `, ${escapeHtml(ingredient.note)}` : ''}`);
    return {
      understood: true,
      preview: { id, summary },
      html: [
        `📖 <b>${escapeHtml(recipe.title)}</b>${recipe.servings ? ` — serves ${recipe.servings}` : ''}`,
        ...ingredients,
        `${recipe.steps.length} ${recipe.steps.length === 1 ? 'step' : 'steps'}. Save it?`,
      ].join('\n'),
    };
  }

  async function handleVoice(ctx: RequestContext, audio: Buffer, filename: string): Promise<Reply> {
    if (!llm) return { understood: false, html: "I can't listen to voice notes without an LLM: set OPENAI_BASE_URL (and LARDER_TRANSCRIBE_MODEL) to turn them on. Typing works without one." };
    try {
      const heard = (await llm.transcribe(audio, filename, { householdId: ctx.householdId })).trim();
      if (heard === '') return { understood: false, html: "I couldn't make out any words in that voice note." };
      const household = await core.households.get(ctx.householdId);
      const parsed = parseMessage(heard, { now: core.clock.now(), timeZone: household.timeZone, isKnownItem });
      const planned = plannedFromIntent(parsed);
      const quote = `🎙️ “${escapeHtml(heard)}”`;
      if (planned) {
        const summary = planned.map((action) => describeAction(action)).join('; ');
        const id = await previews.create(ctx.householdId, summary, planned);
        return { understood: true, preview: { id, summary }, html: `${quote}\n<b>To confirm:</b> ${escapeHtml(summary)}` };
      }
      if (parsed.intent !== 'unknown') {
        const reply = await runIntent(ctx, parsed);
        return { ...reply, html: `${quote}\n${reply.html}` };
      }
      if (agent) return await agent(ctx, heard, { previewAll: true, heard, household });
      return { understood: false, html: `${quote}\nI didn't get that.` };
    } catch (error) {
      if (isLarderError(error)) return { understood: true, html: `⚠️ ${escapeHtml(error.message)}` };
      throw error;
    }
  }

  async function handlePhoto(ctx: RequestContext, image: Buffer, mimeType: string): Promise<Reply> {
    if (!llm) return { understood: false, html: "I can't read receipt photos without an LLM: set OPENAI_BASE_URL and LARDER_VISION_MODEL to turn them on." };
    try {
      const items = await readReceipt(llm, ctx.householdId, image, mimeType);
      if (items.length === 0) return { understood: true, html: "I couldn't find any items on that photo. Is it a receipt?" };
      const action = { tool: 'stock_pantry', args: { items: items.map((item) => ({ name: item.name, ...(item.quantity ? { quantity: item.quantity } : {}) })) } };
      const summary = `add ${items.length} ${items.length === 1 ? 'item' : 'items'} to the pantry`;
      const id = await previews.create(ctx.householdId, summary, [action]);
      const lines = items.map((item) => `• ${escapeHtml(item.name)}${item.quantity ? ` (${escapeHtml(item.quantity)})` : ''}`);
      return { understood: true, preview: { id, summary }, html: ['🧾 <b>From the receipt</b>', ...lines, 'Add these to the pantry?'].join('\n') };
    } catch (error) {
      if (isLarderError(error)) return { understood: true, html: `⚠️ ${escapeHtml(error.message)}` };
      throw error;
    }
  }

  async function confirm(ctx: RequestContext, previewId: string): Promise<Reply> {
    try {
      const result = await previews.confirm(ctx, previewId);
      const failed = result.results.filter((entry) => !entry.ok);
      const done = result.results.length - failed.length;
      const problems = failed.map((entry) => escapeHtml(entry.error ?? 'failed')).join('\n');
      if (done === 0) return { understood: true, html: `⚠️ Nothing was changed.\n${problems}` };
      return {
        understood: true,
        undoRequestId: ctx.requestId,
        html: `✅ Done: ${escapeHtml(result.summary)}.${failed.length > 0 ? `\nBut:\n${problems}` : ''}`,
      };
    } catch (error) {
      if (isLarderError(error)) return { understood: true, html: `⚠️ ${escapeHtml(error.message)}` };
      throw error;
    }
  }

  async function cancel(ctx: RequestContext, previewId: string): Promise<Reply> {
    try {
      const result = await previews.cancel(ctx, previewId);
      return { understood: true, html: `Cancelled: ${escapeHtml(result.summary)}. Nothing was changed.` };
    } catch (error) {
      if (isLarderError(error)) return { understood: true, html: `⚠️ ${escapeHtml(error.message)}` };
      throw error;
    }
  }

  return { handle, handleVoice, handlePhoto, confirm, cancel, runAction, help: () => HELP_HTML };
}

/** A message of several lines whose text the recipe parser reads as a recipe. */
export function looksLikeRecipe(text: string): boolean {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length < 4) return false;
  const parsed = parseRecipeText(text);
  return parsed.title !== '' && parsed.ingredients.length >= 2 && (parsed.steps.length >= 1 || parsed.ingredients.length >= 4);
}

/** The changes a fast-path reading asks for, as tool calls to preview; null for reads and unknowns. */
export function plannedFromIntent(parsed: ParseResult): PlannedAction[] | null {
  const list = parsed.list === null ? {} : { list: parsed.list };
  switch (parsed.intent) {
    case 'add_items':
      return [{ tool: 'add_items', args: { ...list, items: parsed.items.map((item) => ({ name: item.name, ...(item.quantity ? { quantity: item.quantity } : {}) })) } }];
    case 'remove_items':
      return [{ tool: 'remove_items', args: { ...list, items: parsed.items.map((item) => item.name) } }];
    case 'check_items':
      return [{ tool: 'check_items', args: { ...list, items: parsed.items.map((item) => item.name) } }];
    case 'pantry_set':
      return [{ tool: 'update_pantry', args: { items: parsed.items.map((item) => ({ name: item.name, status: parsed.status ?? 'have', ...(item.quantity ? { quantity: item.quantity } : {}) })) } }];
    case 'add_task':
      return parsed.task ? [{ tool: 'add_task', args: { title: parsed.task.title, ...(parsed.task.due ? { due: parsed.task.due } : {}) } }] : null;
    default:
      return null;
  }
}

/** "today at 18:00", "tomorrow at 09:00", "Fri 6 Mar at 08:00", in the household's time zone. */
export function formatWhen(when: Date, timeZone: string, now: Date): string {
  const day = (date: Date) => localDate(date, timeZone);
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(when);
  const tomorrow = new Date(now.getTime() + 86_400_000);
  if (day(when) === day(now)) return `today at ${time}`;
  if (day(when) === day(tomorrow)) return `tomorrow at ${time}`;
  const date = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short' }).format(when);
  return `${date} at ${time}`;
}

/** The assistant with everything it needs built from the core: previews, and the agent when an LLM is configured. */
export function assistantFor(core: Core): Assistant {
  const previews = createPreviewService({ core });
  const agent = core.llm ? createAgent({ core, llm: core.llm, previews, log: core.log }) : undefined;
  return createAssistant({ core, previews, agent });
}
