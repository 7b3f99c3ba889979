import path from 'node:path';
import type { Config } from './config.ts';
import { createCore, type Core } from './core/core.ts';
import { openDatabase, type Database } from './core/db/client.ts';
import { createLogger, type Logger } from './core/log.ts';

/** A core on the configured database, migrated and ready, with one way to close it all. */
export interface Runtime {
  config: Config;
  core: Core;
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
  const core = createCore({ db: database.db, log });
  let closed = false;
  return {
    config,
    core,
    database,
    log,
    close: async () => {
      if (closed) return;
      closed = true;
      await database.close();
    },
  };
}
