import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/core/db/client.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PGlite data dir dump with every migration applied: each test file starts from it. */
    pgliteTemplate: string;
    /** A PostgreSQL database with every migration applied, to copy per test file; '' without TEST_DATABASE_URL. */
    postgresTemplate: string;
  }
}

/**
 * Migrates once per run: fresh PGlite initdb costs ~2.5 s, loading a dump ~0.4 s; on PostgreSQL,
 * CREATE DATABASE … TEMPLATE copies a migrated database in a blink.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'larder-test-'));
  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  await database.migrate();
  const client = (database.db as unknown as { $client: { dumpDataDir(compression: 'none'): Promise<Blob> } }).$client;
  const dump = await client.dumpDataDir('none');
  const templatePath = path.join(dir, 'template.tar');
  await fs.writeFile(templatePath, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  project.provide('pgliteTemplate', templatePath);

  let postgresTemplate = '';
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    postgresTemplate = `larder_tmpl_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${postgresTemplate}`);
    await admin.end();
    const templateDb = await openDatabase({ kind: 'postgres', url: withDatabase(url, postgresTemplate), poolSize: 1 });
    await templateDb.migrate();
    await templateDb.close();
  }
  project.provide('postgresTemplate', postgresTemplate);

  return async () => {
    await fs.rm(dir, { recursive: true, force: true });
    if (url && postgresTemplate) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`drop database if exists ${postgresTemplate} with (force)`);
      await admin.end();
    }
  };
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
