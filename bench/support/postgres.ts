import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** A PostgreSQL database of a benchmark run's own. */
export interface BenchPostgres {
  /** Its connection URL. */
  url: string;
  /** Drops it, connections and all. */
  drop(): Promise<void>;
}

/**
 * Creates a new database on the server at `url` for one run, so a benchmark never touches
 * anything else there; null when the server does not answer (the benchmark then says it skipped).
 */
export async function newBenchPostgres(url: string): Promise<BenchPostgres | null> {
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  const name = `larder_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: async () => {
      const again = new pg.Client({ connectionString: url });
      await again.connect();
      try {
        await again.query(`drop database if exists ${name} with (force)`);
      } finally {
        await again.end();
      }
    },
  };
}
