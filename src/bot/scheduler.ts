import { GrammyError, type Api } from 'grammy';
import { escapeHtml, joinAnd, renderExpiring } from '../core/assistant/render.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { newRequest } from '../core/context.ts';
import type { Core } from '../core/core.ts';
import type { Logger } from '../core/log.ts';
import { createScheduleService, type DueReminder, type ScheduleService } from '../core/services/schedule.ts';
import { reminderKeyboard } from './buttons.ts';
import { EXPIRING_DAYS } from './features/pantry.ts';
import type { TelegramStore } from './store.ts';

/** Handled update ids are kept this long (Telegram redelivers within hours). */
const KEEP_UPDATES_MS = 2 * 24 * 60 * 60 * 1000;

/** What the scheduler sends with and reads from. */
export interface SchedulerDeps {
  core: Core;
  api: Api;
  store: TelegramStore;
  log: Logger;
  /** The scheduler's own clock; the core's by default, so tests move both together. */
  clock?: Clock;
  /** Time between ticks; 30 s by default (a reminder goes out within half a minute of its time). */
  intervalMs?: number;
  schedule?: ScheduleService;
}

/** What one tick did; null when another instance had the tick. */
export type TickResult = { reminders: number; digests: number } | null;

/** Sends task reminders at their time and the daily digest at each household's digest time. */
export interface Scheduler {
  /** Runs once at the clock's now: what tests call after moving a manual clock. */
  tick(): Promise<TickResult>;
  /** Ticks every `intervalMs` until stopped. */
  start(): void;
  /** Stops ticking and waits for a tick in progress. */
  stop(): Promise<void>;
}

/** "⏰ Reminder for Ada: take the fish out". */
export function reminderHtml(reminder: DueReminder): string {
  const who = reminder.addedBy ? ` for ${escapeHtml(reminder.addedBy)}` : '';
  const note = reminder.note ? `\n${escapeHtml(reminder.note)}` : '';
  return `⏰ <b>Reminder${who}</b>: ${escapeHtml(reminder.title)}${note}`;
}

/**
 * The digest of what expires within 3 days, with one recipe that uses it when there is one;
 * null when nothing expires (no message at all then).
 */
export async function digestHtml(core: Core, householdId: number): Promise<string | null> {
  const request = newRequest(householdId, { door: 'system', name: 'digest' });
  const expiring = await core.pantry.expiring(request, { days: EXPIRING_DAYS });
  if (expiring.length === 0) return null;
  const lines = [renderExpiring(expiring, EXPIRING_DAYS)];
  const cookable = await core.recipes.whatCanICook(request, { limit: 3 });
  const best = cookable.find((entry) => entry.usesExpiring.length > 0);
  if (best) {
    const missing = best.missing.length === 0 ? 'you have everything' : `missing ${joinAnd(best.missing.map(escapeHtml))}`;
    lines.push(`\n💡 Use it up: <b>${escapeHtml(best.recipe.title)}</b> uses ${joinAnd(best.usesExpiring.map((use) => escapeHtml(use.name)))}; ${missing}.`);
  } else {
    for (const entry of expiring) {
      const [recipe] = await core.recipes.useItUp(request, { item: entry.name, limit: 1 }).catch(() => []);
      if (recipe) {
        lines.push(`\n💡 Use up the ${escapeHtml(entry.name)}: <b>${escapeHtml(recipe.recipe.title)}</b>.`);
        break;
      }
    }
  }
  return lines.join('\n');
}

/** A send failure worth trying again next tick (the chat is gone or the bot was removed: not). */
function retryable(error: unknown): boolean {
  return !(error instanceof GrammyError && error.error_code >= 400 && error.error_code < 500 && error.error_code !== 429);
}

/**
 * Creates the scheduler. Each tick claims its work through the core (one instance wins a tick,
 * under a PostgreSQL advisory lock), then sends.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { core, api, store, log } = deps;
  const clock = deps.clock ?? core.clock ?? systemClock;
  const schedule = deps.schedule ?? createScheduleService({ db: core.db });
  const intervalMs = deps.intervalMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;
  let lastPrune = 0;

  async function send(chatId: number, html: string, keyboard?: ReturnType<typeof reminderKeyboard>): Promise<void> {
    await api.sendMessage(chatId, html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true }, ...(keyboard ? { reply_markup: keyboard } : {}) });
  }

  async function tick(): Promise<TickResult> {
    const now = clock.now();
    const claimed = await schedule.claimDue(now);
    if (claimed === null) return null;
    let reminders = 0;
    let digests = 0;
    for (const reminder of claimed.reminders) {
      const chats = await store.chatsOf(reminder.householdId);
      try {
        for (const chatId of chats) await send(chatId, reminderHtml(reminder), reminderKeyboard(reminder.itemId));
        if (chats.length > 0) reminders += 1;
      } catch (error) {
        log.warn({ err: error, itemId: reminder.itemId }, 'could not send a reminder');
        if (retryable(error)) await schedule.releaseReminder(reminder.itemId);
      }
    }
    for (const digest of claimed.digests) {
      try {
        const html = await digestHtml(core, digest.householdId);
        if (html === null) continue;
        for (const chatId of await store.chatsOf(digest.householdId)) await send(chatId, html);
        digests += 1;
      } catch (error) {
        log.warn({ err: error, householdId: digest.householdId }, 'could not send the digest');
      }
    }
    if (now.getTime() - lastPrune > 60 * 60 * 1000) {
      lastPrune = now.getTime();
      await schedule.pruneProcessedUpdates(new Date(now.getTime() - KEEP_UPDATES_MS));
    }
    return { reminders, digests };
  }

  function loop() {
    running = tick()
      .catch((error: unknown) => log.error({ err: error }, 'scheduler tick failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  }

  return {
    tick,
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setTimeout(loop, Math.min(intervalMs, 1_000));
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
