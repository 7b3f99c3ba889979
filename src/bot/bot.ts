import { autoRetry } from '@grammyjs/auto-retry';
import { sequentialize } from '@grammyjs/runner';
import { Bot, type BotError } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { assistantFor, type Assistant } from '../core/assistant/assistant.ts';
import { htmlToPlain } from '../core/assistant/render.ts';
import type { Core } from '../core/core.ts';
import type { AdvisoryLock } from '../core/db/client.ts';
import type { Logger } from '../core/log.ts';
import type { LarderContext } from './context.ts';
import { householdFeature } from './features/household.ts';
import { listsFeature } from './features/lists.ts';
import { mediaFeature } from './features/media.ts';
import { pantryFeature } from './features/pantry.ts';
import { previewsFeature } from './features/previews.ts';
import { recipesFeature } from './features/recipes.ts';
import { settingsFeature } from './features/settings.ts';
import { startFeature } from './features/start.ts';
import { fallbackFeature, talkFeature } from './features/talk.ts';
import { undoFeature } from './features/undo.ts';
import { createRateLimiter, TELEGRAM_LIMITS, type RateLimits } from './limits.ts';
import { chatKey, chatOrder, createInflight, DEFAULT_USER_PER_MINUTE, gate, larderContext, once, userLimit } from './middleware.ts';
import { answerButton, friendlyError, sendHtml, wasAnswered } from './reply.ts';
import { createTelegramStore, type TelegramStore } from './store.ts';

/** Telegram's Bot API, unless TELEGRAM_API_ROOT says otherwise. */
export const DEFAULT_API_ROOT = 'https://api.telegram.org';

/** What the bot is built from. */
export interface BotDeps {
  core: Core;
  /** From @BotFather. */
  token: string;
  /** grammY's `client.apiRoot` (TELEGRAM_API_ROOT): a base URL without `/bot<token>`. */
  apiRoot?: string;
  /** The message handler; built from the core when omitted. */
  assistant?: Assistant;
  log?: Logger;
  /** Outgoing limits; Telegram's own by default. */
  limits?: RateLimits;
  /** Flood waits longer than this are not waited out (the call fails and is logged). Default 120 s. */
  maxRetryDelaySeconds?: number;
  /** Skips getMe at start (tests, or a known bot). */
  botInfo?: UserFromGetMe;
  /** Counts updates in flight, so a stop can wait for them; one is made when omitted. */
  inflight?: ReturnType<typeof createInflight>;
  /** Telegram's own rows; made on the core's database when omitted. */
  store?: TelegramStore;
  /** Messages and presses one person may send per chat per minute (default 30). */
  userPerMinute?: number;
  /**
   * The database's advisory lock (PostgreSQL), so a chat's updates run in order across every
   * instance, not only inside this process. Omitted or null: in-process order only (PGlite).
   */
  advisoryLock?: AdvisoryLock | null;
}

/** What went wrong, said kindly; the cause stays in the log. */
const SORRY = 'Sorry, something went wrong on my side. Please try again in a moment; /help shows what I can do.';

/**
 * Builds Larder's Telegram bot: throttled (Telegram's limits, no stricter) and retried (flood
 * waits, 5xx) outgoing calls; updates ordered per chat (across instances with `advisoryLock`);
 * each update handled once; an error boundary around the features; the fallback last.
 *
 * @example
 * const bot = createBot({ core, token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT });
 * const runner = run(bot);
 */
export function createBot(deps: BotDeps): Bot<LarderContext> {
  const { core } = deps;
  const log = deps.log ?? core.log;
  const apiRoot = deps.apiRoot ?? DEFAULT_API_ROOT;
  const assistant = deps.assistant ?? assistantFor(core);
  const store = deps.store ?? createTelegramStore({ db: core.db, clock: core.clock });
  const inflight = deps.inflight ?? createInflight();

  const bot = new Bot<LarderContext>(deps.token, { client: { apiRoot }, ...(deps.botInfo ? { botInfo: deps.botInfo } : {}) });
  // Installed first, so it is the inner one: every retry waits for its turn again.
  bot.api.config.use(createRateLimiter(deps.limits ?? TELEGRAM_LIMITS).transformer);
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: deps.maxRetryDelaySeconds ?? 120 }));

  async function onError(error: BotError<LarderContext>): Promise<void> {
    const ctx = error.ctx;
    const friendly = friendlyError(error.error);
    if (friendly === null) log.error({ err: error.error, updateId: ctx.update.update_id }, 'handling an update failed');
    const html = friendly ?? SORRY;
    try {
      if (ctx.callbackQuery && !wasAnswered(ctx)) await answerButton(ctx, htmlToPlain(html), true);
      else if (ctx.message && ctx.chat) await sendHtml(ctx, html);
    } catch (cause) {
      log.warn({ err: cause, updateId: ctx.update.update_id }, 'could not tell the user about a failure');
    }
  }

  bot.use(inflight.middleware);
  // Nested boundaries. The gate comes first, so group chatter Larder will not answer is dropped at
  // once: it neither waits behind the chat's updates nor takes the chat's lock. Then the chat's
  // order (in-process, and across instances by its lock); a lock that could not be taken (database
  // down) is answered there. The innermost boundary answers a failed update while its chat is
  // still locked, so that answer keeps its place too.
  bot
    .errorBoundary(onError, gate(store))
    .use(sequentialize(chatKey))
    .errorBoundary(onError, chatOrder(deps.advisoryLock ?? null))
    .errorBoundary(
    onError,
    userLimit({ perMinute: deps.userPerMinute ?? DEFAULT_USER_PER_MINUTE, clock: core.clock, log }),
    once(store, log),
    larderContext({ core, assistant, log, store }),
    startFeature(store),
    listsFeature(),
    pantryFeature(),
    recipesFeature(),
    undoFeature(),
    previewsFeature(),
    settingsFeature(),
    householdFeature(store),
    mediaFeature({ token: deps.token, apiRoot }),
    talkFeature(),
    fallbackFeature(),
  );
  // Only reached if the boundary's own handler throws; logging keeps the runner alive.
  bot.catch((error) => log.error({ err: error.error, updateId: error.ctx.update.update_id }, 'unhandled bot error'));
  return bot;
}
