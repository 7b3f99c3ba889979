import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { run, type RunnerHandle } from '@grammyjs/runner';
import { Api, GrammyError, webhookCallback, type Bot } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Assistant } from '../core/assistant/assistant.ts';
import type { Clock } from '../core/clock.ts';
import type { Core } from '../core/core.ts';
import type { AdvisoryLock } from '../core/db/client.ts';
import { LarderError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { createBot, DEFAULT_API_ROOT } from './bot.ts';
import { botCommands } from './commands.ts';
import type { LarderContext } from './context.ts';
import type { RateLimits } from './limits.ts';
import { createInflight } from './middleware.ts';
import { createScheduler, type Scheduler } from './scheduler.ts';
import { createTelegramStore } from './store.ts';

/** The updates Larder reads; anything else Telegram need not send. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

/** A route for `startHttpServer`'s `extraRoutes`: true when it answered the request. */
export type HttpRoute = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

/** How to run the bot (from TELEGRAM_* configuration). */
export interface BotServiceOptions {
  core: Core;
  log: Logger;
  token: string;
  apiRoot?: string;
  assistant?: Assistant;
  /** Webhook mode (TELEGRAM_WEBHOOK_URL): Telegram POSTs updates to `url`; long polling otherwise. */
  webhook?: { url: string; secret?: string };
  limits?: RateLimits;
  /** Messages and presses one person may send per chat per minute. */
  userPerMinute?: number;
  botInfo?: UserFromGetMe;
  /** The scheduler's interval; `false` turns it off. */
  scheduler?: { intervalMs?: number; clock?: Clock } | false;
  /** Long polling's wait, in seconds (Telegram's default 30; tests use less). */
  pollTimeoutSeconds?: number;
  /** How long a stop waits for updates in flight; 20 s by default. */
  stopTimeoutMs?: number;
  /** The database's advisory lock (PostgreSQL: `Database.advisoryLock`): per-chat order across instances. */
  advisoryLock?: AdvisoryLock | null;
}

/** The bot with everything that runs it: polling or webhook, the scheduler, a clean stop. */
export interface BotService {
  bot: Bot<LarderContext>;
  scheduler: Scheduler | null;
  /** In webhook mode, the route that takes Telegram's POSTs (checks the secret token). */
  route: HttpRoute | undefined;
  /** The secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (webhook mode). */
  webhookSecret: string | undefined;
  /** Publishes the commands, then starts polling (or sets the webhook) and the scheduler. */
  start(): Promise<void>;
  /** Takes no more updates, lets the ones in flight finish, stops the scheduler. */
  stop(): Promise<void>;
}

/**
 * The webhook secret: TELEGRAM_WEBHOOK_SECRET, else derived from the bot token so every
 * instance behind a load balancer computes the same one.
 */
export function webhookSecretFor(token: string, configured?: string): string {
  return configured ?? createHmac('sha256', token).update('larder telegram webhook').digest('base64url');
}

/** Builds the bot and what runs it; nothing starts until `start()`. */
export function createBotService(options: BotServiceOptions): BotService {
  const { core, log, token } = options;
  const store = createTelegramStore({ db: core.db, clock: core.clock });
  const inflight = createInflight();
  const bot = createBot({
    core,
    token,
    log,
    store,
    inflight,
    ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}),
    ...(options.assistant ? { assistant: options.assistant } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.userPerMinute ? { userPerMinute: options.userPerMinute } : {}),
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    ...(options.advisoryLock ? { advisoryLock: options.advisoryLock } : {}),
  });
  const scheduler =
    options.scheduler === false
      ? null
      : createScheduler({ core, api: bot.api, store, log, ...(options.scheduler?.intervalMs ? { intervalMs: options.scheduler.intervalMs } : {}), ...(options.scheduler?.clock ? { clock: options.scheduler.clock } : {}) });

  const webhookSecret = options.webhook ? webhookSecretFor(token, options.webhook.secret) : undefined;
  let accepting = true;
  let route: HttpRoute | undefined;
  if (options.webhook) {
    const path = new URL(options.webhook.url).pathname;
    // 'return': answer Telegram within its timeout and keep working; a redelivery is skipped as a duplicate.
    const handle = webhookCallback(bot, 'http', { secretToken: webhookSecret, onTimeout: 'return', timeoutMilliseconds: 8_000 });
    route = async (req, res) => {
      if ((req.url ?? '/').split('?')[0] !== path) return false;
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end();
        return true;
      }
      if (!accepting) {
        // Telegram retries later, when another instance (or this one, restarted) is up.
        res.writeHead(503).end();
        return true;
      }
      await handle(req, res);
      return true;
    };
  }

  let runner: RunnerHandle | undefined;

  /**
   * getMe, once and without retries first: a wrong token stops the start with a clear message;
   * an unreachable API is logged, then waited for (grammY retries getMe until it answers).
   */
  async function identify(): Promise<void> {
    if (options.botInfo) return;
    const apiRoot = options.apiRoot ?? DEFAULT_API_ROOT;
    try {
      bot.botInfo = await new Api(token, { apiRoot, timeoutSeconds: 15 }).getMe();
      return;
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 401) {
        throw new LarderError('unavailable:telegram', 'Telegram refused the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN (from @BotFather).', undefined, {
          cause: error,
        });
      }
      log.warn({ err: error, apiRoot }, 'cannot reach the Telegram Bot API yet; retrying until it answers');
    }
    await bot.init();
  }

  return {
    bot,
    scheduler,
    route,
    webhookSecret,
    async start() {
      await identify();
      try {
        await bot.api.setMyCommands(botCommands());
      } catch (error) {
        log.warn({ err: error }, 'could not publish the command list (setMyCommands); the bot runs without it');
      }
      if (options.webhook) {
        await bot.api.setWebhook(options.webhook.url, { secret_token: webhookSecret, allowed_updates: [...ALLOWED_UPDATES] });
        log.info({ url: options.webhook.url }, 'Telegram bot: webhook set');
      } else {
        // A webhook left from an earlier run would make every poll fail with 409.
        await bot.api.deleteWebhook().catch((error: unknown) => log.warn({ err: error }, 'could not delete an old webhook'));
        runner = run(bot, {
          runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: options.pollTimeoutSeconds ?? 30 }, silent: true },
        });
        log.info({ username: bot.botInfo.username }, 'Telegram bot: long polling');
      }
      scheduler?.start();
    },
    async stop() {
      accepting = false;
      // In-flight updates finish, but a reply stuck retrying an unreachable Telegram must not hold the exit forever.
      const finished = Promise.all([runner?.isRunning() ? runner.stop() : undefined, inflight.idle(), scheduler?.stop()]);
      const deadline = new Promise<'late'>((resolve) => setTimeout(resolve, options.stopTimeoutMs ?? 20_000, 'late').unref());
      if ((await Promise.race([finished, deadline])) === 'late') {
        log.warn({ inflight: inflight.size() }, 'stopped without waiting for updates still in flight');
      }
    },
  };
}

/** A small HTTP server for the webhook alone (`larder bot` in webhook mode; `larder serve` uses its own server). */
export async function serveWebhook(route: HttpRoute, options: { port: number; host: string; log: Logger }): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    route(req, res)
      .then((handled) => {
        if (!handled) res.writeHead(404).end();
      })
      .catch((error: unknown) => {
        options.log.error({ err: error }, 'webhook request failed');
        if (!res.headersSent) res.writeHead(500).end();
        else res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
