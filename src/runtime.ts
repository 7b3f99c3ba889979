import path from 'node:path';
import type { Config } from './config.ts';
import { assistantFor, type Assistant } from './core/assistant/assistant.ts';
import { systemClock } from './core/clock.ts';
import { createLlm, llmConfigFrom } from './core/llm/llm.ts';
import { createDbUsageStore } from './core/llm/usage.ts';
import { createCore, type Core } from './core/core.ts';
import { openDatabase, type Database } from './core/db/client.ts';
import { createLogger, type Logger } from './core/log.ts';
import { startHttpServer } from './mcp/http.ts';

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
      : { kind: 'pglite', dataDir: path.resolve(config.LARDER_DATA_DIR) },
  );
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  const llm = createLlm(llmConfigFrom(config), { log, usage: createDbUsageStore({ db: database.db, clock: systemClock }) });
  const core = createCore({ db: database.db, log, llm });
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
  const runtime = await openCore(config);
  const http = await startHttpServer({
    core: runtime.core,
    log: runtime.log,
    port: config.PORT,
    host: config.LARDER_HOST,
    allowedOrigins: config.LARDER_ALLOWED_ORIGINS,
  });
  runtime.log.info({ url: `${http.url}/mcp`, database: runtime.database.kind }, 'Larder is serving MCP');
  process.stderr.write(`Larder MCP server: ${http.url}/mcp (health: ${http.url}/healthz)\n`);
  if (!config.TELEGRAM_BOT_TOKEN) process.stderr.write('Telegram bot: off (set TELEGRAM_BOT_TOKEN to run it).\n');
  await waitForSignal();
  runtime.log.info('stopping');
  await http.close();
  await runtime.close();
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
