import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { parse as pgliteParse, PGlite, protocol as pgliteProtocol, QueryOptions, Transaction } from '@electric-sql/pglite';
import { fillPlaceholders, getTableColumns, type ExtractTablesWithRelations, type SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PgTable, type PgTransaction } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { LarderError } from '../errors.ts';
import { CHANGES_APPLICATION_NAME, pgChangeFeed, pgliteChangeFeed, type ChangeFeed } from './changes.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** The drizzle database, whichever driver is behind it: PGlite and PostgreSQL share one code path. */
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A database handle or an open transaction: repos accept either. */
export type DbOrTx = Db | Tx;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url));

/**
 * Runs `work` while this process holds the session-level advisory lock `(namespace, key)`
 * (`pg_advisory_lock(int, int)`), waiting for it first; released when `work` settles, thrown or not.
 */
export type AdvisoryLock = <T>(namespace: number, key: number, work: () => Promise<T>) => Promise<T>;

/** Connections of the advisory-lock pool: at most this many locks held (updates handled) at once per process. */
export const LOCK_POOL_SIZE = 20;
/** How long a lock may be waited for before the wait fails (a holder stuck this long is a bug, not a queue). */
export const LOCK_WAIT_MS = 120_000;

/** An open database with its driver kind and a way to close it. */
export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * Locks shared by every process on the database: PostgreSQL only. Null on PGlite, where one
   * process owns the database and in-process ordering is all there is to keep.
   */
  advisoryLock: AdvisoryLock | null;
  /** Changes committed to the rows instances keep in memory (tokens, lists, categories), by household. */
  changes: ChangeFeed;
  /** Applies pending migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { kind: 'postgres'; url: string; poolSize?: number; lockPoolSize?: number; lockWaitMs?: number; migrationsSchema?: string }
  | {
      kind: 'pglite';
      dataDir: string | null;
      loadDataDir?: Blob | File;
      /** An initialized empty database (`larder prepare`) a new folder starts from instead of running initdb. */
      template?: string;
    }
  | { kind: 'pglite-client'; client: PGlite };

/**
 * Opens the store: PostgreSQL through `pg` when given a URL, else embedded PGlite in `dataDir`
 * (in memory when `dataDir` is null).
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  // Each driver is loaded when it is used: a start on PostgreSQL does not pay for PGlite's
  // import, nor one on PGlite for pg's (each costs a few hundred milliseconds).
  if (options.kind === 'postgres') {
    const [{ default: pg }, { drizzle: drizzlePg }, { migrate: migratePg }] = await Promise.all([
      import('pg'),
      import('drizzle-orm/node-postgres'),
      import('drizzle-orm/node-postgres/migrator'),
    ]);
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    // The same for a client a request holds: the request's query fails and the pool drops the
    // broken client on release, but pg also emits 'error' on it, which would crash the process.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    // A session lock is unlocked on the connection that took it and is held for the whole locked
    // work (a Telegram update: LLM and Bot API calls, queries through `pool`). Taken from `pool`,
    // a few waiting updates could hold every connection while the holder waits for one: a
    // deadlock. So locks have a small pool of their own; its connections only lock and unlock.
    // pg opens them on first use, so commands that never lock never connect.
    const lockPool = new pg.Pool({ connectionString: options.url, max: options.lockPoolSize ?? LOCK_POOL_SIZE, lock_timeout: options.lockWaitMs ?? LOCK_WAIT_MS });
    lockPool.on('error', () => undefined);
    lockPool.on('connect', (client) => client.on('error', () => undefined));
    const advisoryLock: AdvisoryLock = async (namespace, key, work) => {
      const client = await lockPool.connect();
      try {
        await client.query('select pg_advisory_lock($1::int, $2::int)', [namespace, key]);
      } catch (error) {
        client.release(true);
        throw error;
      }
      try {
        return await work();
      } finally {
        // A connection that cannot unlock is closed instead: PostgreSQL drops a session's locks with it.
        await client.query('select pg_advisory_unlock($1::int, $2::int)', [namespace, key]).then(
          () => client.release(),
          (error: unknown) => client.release(error instanceof Error ? error : true),
        );
      }
    };
    // Its own connection, opened on first use: LISTEN holds a session for as long as it runs.
    const changes = pgChangeFeed({ connect: () => new pg.Client({ connectionString: options.url, application_name: CHANGES_APPLICATION_NAME }) });
    return {
      db,
      kind: 'postgres',
      advisoryLock,
      changes,
      migrate: async () => {
        // One migrator at a time when several instances start together on one database.
        const client = await pool.connect();
        try {
          await client.query('select pg_advisory_lock(7261001)');
          await migratePg(drizzlePg(client, { schema }), {
            migrationsFolder: MIGRATIONS_FOLDER,
            ...(options.migrationsSchema ? { migrationsSchema: options.migrationsSchema } : {}),
          });
        } finally {
          await client.query('select pg_advisory_unlock(7261001)').catch(() => undefined);
          client.release();
        }
      },
      close: async () => {
        await changes.close();
        await Promise.all([pool.end(), lockPool.end()]);
      },
    };
  }

  const [{ PGlite, protocol, parse }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  let client: PGlite;
  let releaseLock = () => undefined as void;
  if (options.kind === 'pglite-client') {
    client = options.client;
  } else {
    const parsers = Object.fromEntries(DRIZZLE_TEXT_TYPES.map((type) => [type, (value: string) => value]));
    if (options.dataDir === null) {
      client = await PGlite.create({ parsers, ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}) });
    } else {
      fs.mkdirSync(options.dataDir, { recursive: true });
      releaseLock = lockDataDir(options.dataDir);
      try {
        const fresh = !fs.existsSync(path.join(options.dataDir, 'PG_VERSION'));
        const template = fresh && options.template ? readPgliteTemplate(options.template) : null;
        client = await PGlite.create({ dataDir: options.dataDir, parsers, ...(template ? { loadDataDir: template } : {}) });
      } catch (error) {
        releaseLock();
        throw error;
      }
    }
    leaveOffDrizzleParsers(client);
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  pgliteStatements.set(db, pgliteNamedStatements(client, protocol.serialize, parse));
  const changes = pgliteChangeFeed(client);
  return {
    db,
    kind: 'pglite',
    advisoryLock: null,
    changes,
    migrate: async () => {
      await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    },
    close: async () => {
      await changes.close();
      if (!client.closed) await client.close();
      releaseLock();
    },
  };
}

/** A saved database (`larder prepare`), or null when there is none: a new folder then runs initdb. */
function readPgliteTemplate(file: string): Blob | null {
  try {
    return new Blob([fs.readFileSync(file)]);
  } catch {
    return null;
  }
}

/**
 * The types drizzle's PGlite driver asks to get as text (it maps them itself): timestamp,
 * timestamptz, interval, date and their arrays, and numeric[].
 */
const DRIZZLE_TEXT_TYPES: readonly number[] = [1114, 1184, 1186, 1082, 1115, 1185, 1187, 1182, 1231];

/**
 * drizzle sends those parsers with every query, and PGlite merges them into its table of 318
 * parsers each time: about 0.15 ms a query, as long as running a small one. A client created
 * with them already (above) is given queries without them; any other parser still goes through.
 */
function leaveOffDrizzleParsers(client: PGlite): void {
  const lean = (options: QueryOptions | undefined): QueryOptions | undefined => {
    if (!options?.parsers || !Object.keys(options.parsers).every((type) => DRIZZLE_TEXT_TYPES.includes(Number(type)))) return options;
    const { parsers: _known, ...rest } = options;
    return rest;
  };
  const lighten = <T extends Pick<Transaction, 'query'>>(target: T): T => {
    const query = target.query.bind(target);
    target.query = (text, params, options) => query(text, params, lean(options));
    return target;
  };
  lighten(client);
  const transaction = client.transaction.bind(client);
  client.transaction = (callback) => transaction((tx) => callback(lighten(tx)));
}

/**
 * A hot query built once and run many times. Drizzle spends about 0.2 ms building a query's SQL,
 * as long as PGlite takes to run a small one; on PostgreSQL a named statement is also parsed and
 * planned once per connection. Built on first use, so a core can be made before its database
 * answers. Only for queries on the database itself: one inside a transaction must be built on it.
 *
 * @example
 * const byHash = preparedQuery(() => db.select().from(apiTokens).where(eq(apiTokens.hash, sql.placeholder('hash'))).prepare('larder_token_by_hash'));
 * const rows = await byHash().execute({ hash });
 */
export function preparedQuery<T>(build: () => T): () => T {
  let prepared: T | undefined;
  return () => (prepared ??= build());
}

/** Runs a named statement: parsed and planned once, then only bound and executed. */
type NamedStatementRunner = (name: string, text: string, values: unknown[]) => Promise<Array<Record<string, unknown>>>;

/** The PGlite databases opened here, by their drizzle handle. */
const pgliteStatements = new WeakMap<object, NamedStatementRunner>();

/**
 * A statement run by name, parsed and planned once per connection instead of on every run: for
 * the few statements nearly every request sends. `build` gives the SQL with `sql.placeholder`s,
 * filled from `values` at each run. Rows come back as the driver gives them, keyed by column name
 * (map them with {@link tableRow}). Never inside a transaction: it runs on `db`.
 *
 * PGlite runs every `query` unnamed (parsed and planned each time: a join of three tables took
 * 0.4 ms of its 0.6 ms), so there it is sent as a named statement over PGlite's protocol API; on
 * PostgreSQL `pg` prepares it on each pooled connection.
 *
 * @example
 * const itemsOfList = namedStatement(db, 'larder_items_of_list', () => db.select().from(items).where(eq(items.listId, sql.placeholder('listId'))).getSQL());
 * const rows = (await itemsOfList({ listId })).map((raw) => tableRow(items, raw));
 */
export function namedStatement(db: Db, name: string, build: () => SQL): (values?: Record<string, unknown>) => Promise<Array<Record<string, unknown>>> {
  let query: { text: string; params: unknown[] } | undefined;
  return async (values = {}) => {
    if (!query) {
      const { sql: text, params } = new PgDialect().sqlToQuery(build());
      query = { text, params };
    }
    return runNamedStatement(db, name, query.text, fillPlaceholders(query.params, values));
  };
}

/** Runs `text` as the named statement `name` with `values` ($1, $2, …); see {@link namedStatement}. */
export async function runNamedStatement(db: Db, name: string, text: string, values: unknown[]): Promise<Array<Record<string, unknown>>> {
  const onPglite = pgliteStatements.get(db);
  if (onPglite) return onPglite(name, text, values);
  const pool = (db as unknown as { $client: pg.Pool }).$client;
  return (await pool.query<Record<string, unknown>>({ name, text, values })).rows;
}

/**
 * Named statements on one PGlite: Parse (and Describe, for the parameter types PGlite's own
 * `query` serializes by) the first time, then Bind, Execute and Sync in one call.
 */
function pgliteNamedStatements(client: PGlite, serialize: typeof pgliteProtocol.serialize, parse: typeof pgliteParse): NamedStatementRunner {
  const prepared = new Map<string, { text: string; paramTypes: number[] }>();
  const send = async (messages: Uint8Array[]) => (await client.execProtocol(Buffer.concat(messages))).messages;
  return (name, text, values) =>
    // Both of PGlite's locks, as its own `query` takes them: never between the statements of another caller's transaction.
    client._runExclusiveTransaction(() =>
      client.runExclusive(async () => {
        let statement = prepared.get(name);
        if (!statement) {
          const described = await send([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]);
          statement = { text, paramTypes: parse.parseDescribeStatementResults(described) };
          prepared.set(name, statement);
        } else if (statement.text !== text) {
          throw new Error(`The statement ${name} was prepared with another text.`);
        }
        const types = statement.paramTypes;
        const params = values.map((value, index) => {
          if (value === null || value === undefined) return null;
          // As PGlite's own `query` does: the serializer of the parameter's type, else the value's text.
          const serializer = client.serializers[types[index] ?? 0];
          if (serializer) return serializer(value);
          if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
          throw new Error(`The statement ${name} has no serializer for parameter $${index + 1}.`);
        });
        const messages = await send([serialize.bind({ statement: name, values: params }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
        return parse.parseResults(messages, client.parsers)[0]?.rows ?? [];
      }),
    );
}

/**
 * A PGlite folder belongs to one process; a second one opening it would hang. The lock file
 * turns that hang into an immediate, clear error. A lock left by a dead process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'larder.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new LarderError(
          'unavailable:database',
          `The database in ${dataDir} is in use by another Larder process (pid ${holder}). ` +
            'Stop that process first, or point this command at PostgreSQL with DATABASE_URL so several processes can share it.',
        );
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new LarderError('unavailable:database', `Could not lock the database folder ${dataDir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs raw SQL and returns its rows. Both drivers answer with `{ rows }`; the generic result type
 * of `execute` cannot say so, hence the one cast here.
 */
export async function queryRows<T extends Record<string, unknown>>(db: DbOrTx, statement: SQL): Promise<T[]> {
  const result: unknown = await db.execute(statement);
  return (result as { rows: T[] }).rows;
}

/**
 * Rows of `table` returned by raw SQL (a function returning `setof table`), mapped the way
 * drizzle maps its own selects: property names, dates, numbers.
 */
export async function queryTableRows<T extends PgTable>(db: DbOrTx, table: T, statement: SQL): Promise<Array<T['$inferSelect']>> {
  const rows = await queryRows(db, statement);
  return rows.map((raw) => tableRow(table, raw));
}

/** A raw row of `table` (database column names, driver values) as drizzle would return it; other columns are left out. */
export function tableRow<T extends PgTable>(table: T, raw: Record<string, unknown>): T['$inferSelect'] {
  const row: Record<string, unknown> = {};
  for (const [property, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    row[property] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row;
}
