import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { asc, eq } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { inject } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.ts';
import { newRequest, type Actor, type RequestContext } from '../../src/core/context.ts';
import { createCore, type Core, type CoreDeps } from '../../src/core/core.ts';
import { openDatabase, type Database, type Db } from '../../src/core/db/client.ts';
import type { Llm } from '../../src/core/llm/llm.ts';
import { withDatabase } from './global-setup.ts';

/** Which database the tests run on: PostgreSQL when TEST_DATABASE_URL is set, else PGlite. */
export const testDatabaseKind: 'postgres' | 'pglite' = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

/**
 * A fresh, migrated database of its own: PGlite loaded from the migrated template, or a
 * PostgreSQL database copied from the template database (dropped again on close).
 */
export async function testDatabase(): Promise<Database> {
  const postgres = await testPostgresUrl();
  if (postgres) {
    const database = await openDatabase({ kind: 'postgres', url: postgres.url, poolSize: 12 });
    return {
      ...database,
      close: async () => {
        await database.close();
        await postgres.drop();
      },
    };
  }
  const dump = await fs.readFile(inject('pgliteTemplate'));
  return openDatabase({ kind: 'pglite', dataDir: null, loadDataDir: new Blob([dump]) });
}

/**
 * With TEST_DATABASE_URL: a new migrated PostgreSQL database of its own (for a child process
 * to use through DATABASE_URL) and a way to drop it. Without: null.
 */
export async function testPostgresUrl(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return null;
  const name = `larder_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await adminQuery(url, `create database ${name} template ${inject('postgresTemplate')}`);
  return { url: withDatabase(url, name), drop: () => adminQuery(url, `drop database if exists ${name} with (force)`) };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Several test files copy the template at once; PostgreSQL refuses a busy template, so retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(statement);
        return;
      } catch (error) {
        if (attempt >= 20 || !String(error).includes('being accessed by other users')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  } finally {
    await client.end();
  }
}

export interface TestCore {
  core: Core;
  database: Database;
  clock: ManualClock;
  /** A household (created on first use) and a request context acting in it. */
  household(slug?: string, actor?: Partial<Actor>): Promise<RequestContext>;
  close(): Promise<void>;
}

/**
 * A whole core on a fresh database, in one line: `const t = await testCore()`. `makeLlm` builds
 * an LLM client that may need the database and clock (its usage store does).
 */
export async function testCore(
  deps: Partial<Omit<CoreDeps, 'db'>> = {},
  makeLlm?: (db: Db, clock: ManualClock) => Llm | null,
): Promise<TestCore> {
  const database = await testDatabase();
  const clock = createManualClock('2026-03-02T09:00:00Z');
  const llm = makeLlm ? makeLlm(database.db, clock) : deps.llm;
  const core = createCore({ clock, ...deps, ...(llm !== undefined ? { llm } : {}), db: database.db, changes: database.changes });
  return {
    core,
    database,
    clock,
    household: async (slug = 'home', actor = {}) => {
      const household = await core.households.ensure(slug);
      return newRequest(household.id, { door: 'cli', name: 'tester', ...actor });
    },
    close: () => database.close(),
  };
}

/** The same household in a new request (a new undo unit). */
export function again(ctx: RequestContext): RequestContext {
  return newRequest(ctx.householdId, ctx.actor);
}

/** A table with rows per household. */
type HouseholdTable = PgTable & { householdId: AnyPgColumn; id: AnyPgColumn };

/**
 * Chosen tables' rows of one household, exactly as stored and in id order: compare two of these
 * to prove a request changed nothing, or that an undo put everything back.
 */
export async function householdState<T extends Record<string, HouseholdTable>>(
  db: Db,
  householdId: number,
  tables: T,
): Promise<Record<keyof T, unknown[]>> {
  const entries = await Promise.all(
    Object.entries(tables).map(async ([name, table]) => {
      const rows = await db.select().from(table).where(eq(table.householdId, householdId)).orderBy(asc(table.id));
      return [name, rows] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<keyof T, unknown[]>;
}
