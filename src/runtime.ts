import path from 'node:path';
import { ConfigError, type Config } from './config.ts';
import { assistantFor, type Assistant } from './core/assistant/assistant.ts';
import { systemClock } from './core/clock.ts';
import { createDbUsageStore } from './core/llm/usage.ts';
import { createCore, type Core } from './core/core.ts';
import { openDatabase, type Database } from './core/db/client.ts';
import { pgliteTemplatePath } from './core/db/pglite-template.ts';
import { createLogger, type Logger } from './core/log.ts';

/** A core on the configured database, migrated and ready, with one way to close it all. */
export interface Runtime {
  config: Config;
  core: Core;
  assistant: Assistant;
  database: Database;
  log: Logger;
  close(): Promise<void>;
}

/**
 * Opens the configured database (PostgreSQL when DATABASE_URL is set, else PGlite in
 * LARDER_DATA_DIR), applies migrations and builds the core.
 */
export async function openCore(config: Config, options: { log?: Logger } = {}): Promise<Runtime> {
  const log = options.log ?? createLogger({ level: config.LARDER_LOG_LEVEL });
  const database = await openDatabase(
    config.DATABASE_URL
      ? { kind: 'postgres', url: config.DATABASE_URL }
      : { kind: 'pglite', dataDir: path.resolve(config.LARDER_DATA_DIR), template: pgliteTemplatePath() },
  );
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  // The OpenAI client is a large import (~0.3 s of every start): load it only when an endpoint is configured.
  const llm =
    config.OPENAI_BASE_URL || config.OPENAI_API_KEY
      ? await import('./core/llm/llm.ts').then(({ createLlm, llmConfigFrom }) =>
          createLlm(llmConfigFrom(config), { log, usage: createDbUsageStore({ db: database.db, clock: systemClock }) }),
        )
      : null;
  const core = createCore({ db: database.db, changes: database.changes, log, llm });
  const assistant = assistantFor(core);
  let closed = false;
  return {
    config,
    core,
    assistant,
    database,
    log,
    close: async () => {
      if (closed) return;
      closed = true;
      await database.close();
    },
  };
}

/**
 * `larder serve`: MCP over HTTP until SIGINT/SIGTERM, then a clean stop: no new requests, the
 * ones in flight finish, the database closes (PGlite must close to stay consistent).
 */
export async function serve(config: Config): Promise<void> {
  // The MCP server's modules load while the database opens, instead of after it.
  const httpModule = import('./mcp/http.ts');
  httpModule.catch(() => undefined); // awaited below; a failed open must not leave it unhandled
  const runtime = await openCore(config);
  const telegram = config.TELEGRAM_BOT_TOKEN ? await telegramFor(config, runtime) : null;
  const { startHttpServer } = await httpModule;
  const http = await startHttpServer({
    core: runtime.core,
    log: runtime.log,
    port: config.PORT,
    host: config.LARDER_HOST,
    // Telegram POSTs the webhook with the public host name in Host.
    // The webhook route is served before the Host check, so MCP stays local unless LARDER_ALLOWED_ORIGINS says otherwise.
    allowedOrigins: config.LARDER_ALLOWED_ORIGINS,
    ...(telegram?.route ? { extraRoutes: telegram.route } : {}),
    rateLimit: { requestsPerMinute: config.LARDER_MCP_RPM },
  });
  runtime.log.info({ url: `${http.url}/mcp`, database: runtime.database.kind }, 'Larder is serving MCP');
  process.stderr.write(`Larder MCP server: ${http.url}/mcp (health: ${http.url}/healthz)\n`);
  if (!config.TELEGRAM_BOT_TOKEN) process.stderr.write('Telegram bot: off (set TELEGRAM_BOT_TOKEN to run it).\n');
  if (telegram) {
    try {
      await telegram.start();
    } catch (error) {
      await http.close();
      await runtime.close();
      throw error;
    }
    process.stderr.write(`Telegram bot: @${telegram.bot.botInfo.username} (${telegram.route ? 'webhook' : 'long polling'}).\n`);
  }
  await waitForSignal();
  runtime.log.info('stopping');
  // Updates first (no new ones, in-flight ones finish), then HTTP, then the database.
  await telegram?.stop();
  await http.close();
  await runtime.close();
}

/** The Telegram bot on this runtime's core, configured from the environment (not started). */
async function telegramFor(config: Config, runtime: Runtime) {
  const { createBotService } = await import('./bot/service.ts');
  return createBotService({
    core: runtime.core,
    assistant: runtime.assistant,
    log: runtime.log,
    token: config.TELEGRAM_BOT_TOKEN ?? '',
    ...(config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT } : {}),
    ...(config.TELEGRAM_WEBHOOK_URL ? { webhook: { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET } } : {}),
    scheduler: { intervalMs: config.LARDER_SCHEDULER_INTERVAL_MS },
    // On PostgreSQL, several instances may share the database: a chat's updates take its lock there.
    advisoryLock: runtime.database.advisoryLock,
  });
}

/**
 * `larder bot`: the Telegram bot alone — long polling, or a webhook on PORT when
 * TELEGRAM_WEBHOOK_URL is set — until SIGINT/SIGTERM; then updates in flight finish.
 */
export async function runBot(config: Config): Promise<void> {
  if (!config.TELEGRAM_BOT_TOKEN) throw new ConfigError('Invalid configuration:\n  TELEGRAM_BOT_TOKEN: is not set; get a bot token from @BotFather.');
  const runtime = await openCore(config);
  try {
    const telegram = await telegramFor(config, runtime);
    const { serveWebhook } = await import('./bot/service.ts');
    const webhook = telegram.route ? await serveWebhook(telegram.route, { port: config.PORT, host: config.LARDER_HOST, log: runtime.log }) : null;
    try {
      await telegram.start();
      process.stderr.write(`Telegram bot: @${telegram.bot.botInfo.username} (${webhook ? `webhook, listening on ${webhook.url}` : 'long polling'}).\n`);
      await waitForSignal();
      runtime.log.info('stopping');
      await telegram.stop();
    } finally {
      await webhook?.close();
    }
  } finally {
    await runtime.close();
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
