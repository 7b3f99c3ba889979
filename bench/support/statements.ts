/**
 * The statements a database driver sends, watched at the driver: what the benchmarks count
 * (round trips) and record (to replay them without Larder around them).
 */
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Database } from '../../src/core/db/client.ts';

/** One statement as the driver sent it: a query with its values, or a plain command (`exec`, BEGIN, COMMIT). */
export type SentStatement = { kind: 'query'; text: string; values: unknown[]; name?: string } | { kind: 'exec'; text: string };

type Queryable = Pick<PGlite, 'query' | 'exec'>;

/**
 * Calls `seen` with every statement sent through the PGlite client under `database` (opened as
 * `larder serve` opens it) and through its transactions, whose BEGIN and COMMIT (or ROLLBACK)
 * PGlite sends itself.
 */
export function watchPglite(database: Database, seen: (statement: SentStatement) => void): void {
  const watch = <T extends Queryable>(target: T): T => {
    const query = target.query.bind(target);
    const exec = target.exec.bind(target);
    const watched: Queryable = {
      query: (text, values, options) => {
        seen({ kind: 'query', text, values: values ?? [] });
        return query(text, values, options);
      },
      exec: (text, options) => {
        seen({ kind: 'exec', text });
        return exec(text, options);
      },
    };
    return Object.assign(target, watched);
  };
  const client = watch((database.db as unknown as { $client: PGlite }).$client);
  const transaction = client.transaction.bind(client);
  client.transaction = (callback) => {
    seen({ kind: 'exec', text: 'begin' });
    return transaction((tx) => callback(watch(tx))).finally(() => seen({ kind: 'exec', text: 'commit' }));
  };
}

/** Calls `seen` with every query any `pg` client sends (pooled or not, BEGIN and COMMIT too); returns what stops watching. */
export function watchPg(seen: (statement: SentStatement) => void): () => void {
  type Config = { text: string; values?: unknown[]; name?: string };
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = prototype.query;
  prototype.query = function watched(this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    const values = Array.isArray(second) ? (second as unknown[]) : [];
    if (typeof first === 'string') seen({ kind: 'query', text: first, values });
    else {
      const config = first as Config;
      seen({ kind: 'query', text: config.text, values: config.values ?? values, ...(config.name ? { name: config.name } : {}) });
    }
    return query.apply(this, args);
  };
  return () => {
    prototype.query = query;
  };
}
